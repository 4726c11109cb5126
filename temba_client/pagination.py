"""Lazy, resumable cursor pagination over the API's list endpoints.

A ``get_*`` method returns a :class:`CursorQuery` and sends nothing yet::

    query = client.get_contacts(group="Reporters")
    query.first()                      # one request: the first contact, or None
    query.all()                        # every page, as one list
    for contact in query: ...          # every contact, page by page, without holding them all
    pages = query.iterfetches()        # one list per page...
    for page in pages: ...
    pages.get_cursor()                 # ...and a cursor to resume from later
    pages.finished                     # True once the last page was fetched

An export always ends: a ``next`` link already followed in the same iteration (a loop, or a cache
that ignores the query string) or a ``next`` that is neither a URL nor null raises
:class:`~temba_client.exceptions.TembaBadResponseError` rather than looping or stopping silently.

As in rapidpro-python 2.22, a resume cursor is sent as given (the server judges it: one it cannot
read is a 404, :class:`~temba_client.exceptions.TembaNoSuchObjectError` with ``detail`` "Invalid
cursor"), :meth:`CursorIterator.get_cursor` is None until a page has been fetched, and
``CursorQuery(client, url, params, clazz, transformer)`` builds a query of a client, so that a
subclass's ``_get_query`` override returning its own ``CursorQuery`` subclass iterates, pages and
resumes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Dict, FrozenSet, Generic, List, Optional, Set, Tuple, Type, TypeVar, Union
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

import requests

from . import _typed
from .exceptions import TembaBadResponseError
from .progress import SILENT, ProgressOption, Task, Tracker, tracker
from .serialization import TembaObject, Transformer
from .transport import Transport

if TYPE_CHECKING:  # pragma: no cover
    from .base import BaseClient

logger: logging.Logger = logging.getLogger("temba_client")

T = TypeVar("T", bound=TembaObject)

#: Endpoints paginated by ``limit``/``offset`` rather than by cursor: the server ignores a cursor.
OFFSET_PAGINATED = frozenset({"archives"})

_Query = FrozenSet[Tuple[str, str]]
#: What a query is built on: a client (rapidpro-python 2.22's constructor) or its transport.
Source = Union["BaseClient", Transport]


def _transport_of(source: Any) -> Transport:
    """The transport of a client, or the transport itself."""
    if isinstance(source, Transport):
        return source
    transport = getattr(source, "_transport", None)
    if isinstance(transport, Transport):
        return transport
    raise TypeError("a query is built on a TembaClient (or its Transport), not on %s" % type(source).__name__)


class CursorIterator(Generic[T]):
    """Iterates over the pages of a query, one request per page; each page is a list of objects.

    A page that fails to arrive (a connection error, a rate limit) leaves the iterator where it
    was: calling ``next()`` again fetches the same page, and :meth:`get_cursor` still points at it.
    :attr:`started` and :attr:`finished` tell whether a page has been fetched, and whether the
    last one has.

    :param client: the client whose requests it sends (as in rapidpro-python 2.22), or its transport
    :param url: the endpoint's URL
    :param params: the query's filters
    :param clazz: the model of the results
    :param retry_on_rate_exceed: whether to sleep and retry when the rate limit is exceeded
    :param resume_cursor: a cursor to start from (from :meth:`get_cursor`, stored, or another
        server's): sent as given, the server judges it
    :param transformer: applied to each result before it becomes a model object
    :param progress: show the pages' progress (see :mod:`temba_client.progress`: True for a bar in a
        notebook or on a terminal, plain lines elsewhere; None shows nothing)
    """

    def __init__(
        self,
        client: Source,
        url: str,
        params: Dict[str, Any],
        clazz: Type[T],
        retry_on_rate_exceed: bool = False,
        resume_cursor: Optional[str] = None,
        transformer: Optional[Transformer] = None,
        *,
        progress: ProgressOption = None,
    ) -> None:
        self._transport = _transport_of(client)
        #: the client given (None when built on a transport)
        self.client = None if isinstance(client, Transport) else client
        self._endpoint_url = url
        self._url: Optional[str] = url
        self._params: Optional[Dict[str, Any]] = dict(params)
        #: the cursor given to resume from, until the first page has been fetched (as in 2.22)
        self.resume_cursor = resume_cursor
        if resume_cursor:
            if _endpoint_of(url) in OFFSET_PAGINATED:
                logger.warning("%s are paginated by offset: the server ignores a resume cursor", _endpoint_of(url))
            self._params["cursor"] = resume_cursor
        self.clazz = clazz
        self.retry_on_rate_exceed = retry_on_rate_exceed
        self.transformer = transformer
        self._followed: Set[_Query] = set()  # the queries of the pages fetched so far
        # with msgspec installed, pages are decoded straight into objects (see temba_client._typed)
        self._decode = _typed.page_decoder(clazz) if transformer is None else None
        self._tracker = tracker(progress)
        self._owns_tracker = not isinstance(progress, Tracker)  # a tracker given is the caller's to close
        self._task: Optional[Task] = None  # started with the first page

    def __iter__(self) -> CursorIterator[T]:
        return self

    @property
    def url(self) -> Optional[str]:
        """The URL of the next page to fetch (its query included once a page has been fetched);
        None when there are no more. Setting it to None ends the iteration, as in 2.22."""
        return self._url

    @url.setter
    def url(self, value: Optional[str]) -> None:
        self._url = value

    @property
    def started(self) -> bool:
        """Whether a page has been fetched."""
        return self._params is None

    @property
    def finished(self) -> bool:
        """Whether the last page has been fetched: iterating further gives nothing, and
        :meth:`get_cursor` gives None. False before the first page (see :attr:`started`)."""
        return self._url is None

    def __next__(self) -> List[T]:
        if self._url is None:
            raise StopIteration

        if self._task is None and self._tracker is not SILENT:  # timed from the first request
            self._task = self._tracker.task(_endpoint_of(self._endpoint_url))
        query = _query_of(self._url, self._params)
        page = self._transport.request(
            "GET", self._url, params=self._params, retry_on_rate_exceed=self.retry_on_rate_exceed, decode=self._decode
        )
        typed = isinstance(page, _typed.TypedPage)
        if not typed and (not isinstance(page, dict) or not isinstance(page.get("results"), list)):
            raise self._bad_page("a page with a list of results")
        next_url = page.next if typed else page.get("next")
        if next_url is not None and not isinstance(next_url, str):
            raise self._bad_page("a next link that is a URL or null, not %s" % type(next_url).__name__)
        results: List[T] = page.objects if typed else self.clazz.deserialize_list(page["results"], self.transformer)
        follow = self._follow(next_url) if results and next_url else None
        self._followed.add(query)
        if follow is not None and _query_of(follow, None) in self._followed:
            raise self._bad_page("a next link to a page not fetched yet, not to one already fetched (a loop)")

        # only now that the page is safely in hand does the iterator move on
        self._url = follow
        self._params = None
        self.resume_cursor = None
        self._advance(len(results))
        if not results:
            raise StopIteration
        return results

    def _advance(self, records: int) -> None:
        """Shows a page fetched; the display ends with the last page."""
        if self._task is None:
            return
        if records:
            self._task.advance(records, 1)
        if self._url is None or not records:
            self._task.close()
            if self._owns_tracker:
                self._tracker.close()

    def _bad_page(self, expected: str) -> TembaBadResponseError:
        message = "Expected %s from %s" % (expected, self._endpoint_url)
        return TembaBadResponseError(requests.HTTPError(message))

    def _follow(self, next_url: str) -> str:
        """The URL of the next page: the server's ``next`` query on the URL this query started from.

        Keeping our own scheme, host and path means a proxy that rewrites ``https`` to ``http`` (or
        names an internal host) in ``next`` cannot send the token anywhere else.
        """
        query = urlsplit(next_url).query
        return "%s?%s" % (self._endpoint_url, query) if query else self._endpoint_url

    def get_cursor(self) -> Optional[str]:
        """The cursor of the next page to fetch, to resume later with
        ``query.iterfetches(resume_cursor=...)``; None before the first page has been fetched (as
        in rapidpro-python 2.22, even when resuming: keep the cursor you gave), once there are no
        more pages, and for endpoints paged by offset (archives)."""
        if self._url is None or self._params is not None:  # finished, or nothing fetched yet
            return None
        cursors = parse_qs(urlsplit(self._url).query).get("cursor")
        return cursors[0] if cursors else None


class CursorQuery(Generic[T]):
    """The result of a ``get_*`` call: a query sent only when its results are asked for.

    Iterating over it yields objects one by one, fetching page after page as needed. It is built as
    in rapidpro-python 2.22, ``CursorQuery(client, url, params, clazz, transformer)``, so that a
    client's ``_get_query`` override may return a subclass of its own.

    :param client: the client whose requests it sends (or its transport)
    :param url: the endpoint's URL
    :param params: the query's filters
    :param clazz: the model of the results
    :param transformer: applied to each result before it becomes a model object
    :param retry_on_rate_exceed: the default of the methods' ``retry_on_rate_exceed`` (None: the
        client's ``retry_on_rate_exceed``, or False on a transport)
    """

    def __init__(
        self,
        client: Source,
        url: str,
        params: Dict[str, Any],
        clazz: Type[T],
        transformer: Optional[Transformer] = None,
        retry_on_rate_exceed: Optional[bool] = None,
    ) -> None:
        self._transport = _transport_of(client)
        #: the client given (None when built on a transport)
        self.client = None if isinstance(client, Transport) else client
        self.url = url
        self.params = params
        self.clazz = clazz
        self.transformer = transformer
        if retry_on_rate_exceed is None:
            retry_on_rate_exceed = bool(getattr(self.client, "retry_on_rate_exceed", False))
        self.default_retry_on_rate_exceed = retry_on_rate_exceed

    def __repr__(self) -> str:
        return "<CursorQuery of %s from %s params=%r>" % (self.clazz.__name__, self.url, self.params)

    def iterfetches(
        self,
        retry_on_rate_exceed: Optional[bool] = None,
        resume_cursor: Optional[str] = None,
        *,
        progress: ProgressOption = None,
    ) -> CursorIterator[T]:
        """Returns an iterator over the pages of results, one request per page.

        :param retry_on_rate_exceed: whether to sleep and retry when the rate limit is exceeded
            (None: the client's default)
        :param resume_cursor: a cursor to resume from (from :meth:`CursorIterator.get_cursor`):
            sent as given; a cursor the server cannot read raises
            :class:`~temba_client.exceptions.TembaNoSuchObjectError` (``detail`` "Invalid cursor")
            when the first page is fetched. Archives are paged by offset: the server ignores it
        :param progress: show the progress (see :mod:`temba_client.progress`): True for a bar in a
            notebook or on a terminal and a plain line every few seconds elsewhere; None (the
            default) shows nothing
        """
        return CursorIterator(
            self.client if self.client is not None else self._transport,
            self.url,
            self.params,
            self.clazz,
            self._retry(retry_on_rate_exceed),
            resume_cursor,
            self.transformer,
            progress=progress,
        )

    def all(self, retry_on_rate_exceed: Optional[bool] = None, *, progress: ProgressOption = None) -> List[T]:
        """Fetches every page and returns all the objects in one list.

        :param retry_on_rate_exceed: whether to sleep and retry when the rate limit is exceeded
            (None: the client's default)
        :param progress: show the progress (see :mod:`temba_client.progress`): True for a bar in a
            notebook or on a terminal and a plain line every few seconds elsewhere; None (the
            default) shows nothing
        """
        results: List[T] = []
        for page in self.iterfetches(retry_on_rate_exceed, progress=progress):
            results.extend(page)
        return results

    def first(self, retry_on_rate_exceed: Optional[bool] = None) -> Optional[T]:
        """Fetches the first page only and returns its first object, or None if there is none.

        :param retry_on_rate_exceed: whether to sleep and retry when the rate limit is exceeded
            (None: the client's default)
        """
        for page in self.iterfetches(retry_on_rate_exceed):
            return page[0]
        return None

    def to_records(
        self, retry_on_rate_exceed: Optional[bool] = None, *, progress: ProgressOption = None
    ) -> List[Dict[str, Any]]:
        """Fetches every page and returns the objects as plain dicts of native values (datetimes
        stay datetimes, nested objects become dicts), e.g. to build a table or write JSON.

        :param retry_on_rate_exceed: whether to sleep and retry when the rate limit is exceeded
            (None: the client's default)
        :param progress: show the progress (see :mod:`temba_client.progress`): True for a bar in a
            notebook or on a terminal and a plain line every few seconds elsewhere; None (the
            default) shows nothing
        """
        from .export.outputs import to_records

        return to_records(self.iterate(retry_on_rate_exceed, progress=progress))

    def to_dataframe(
        self, flatten: bool = False, retry_on_rate_exceed: Optional[bool] = None, *, progress: ProgressOption = None
    ) -> Any:
        """Fetches every page and returns a :class:`pandas.DataFrame`, one row per object (needs the
        ``pandas`` extra: ``pip install "rapidpro-python[pandas]"``).

        :param flatten: for runs, one column per result key (``<key>_value``, ``<key>_category``,
            ``<key>_time``) instead of nested values
        :param retry_on_rate_exceed: whether to sleep and retry when the rate limit is exceeded
            (None: the client's default)
        :param progress: show the progress (see :mod:`temba_client.progress`): True for a bar in a
            notebook or on a terminal and a plain line every few seconds elsewhere; None (the
            default) shows nothing
        """
        from .export.outputs import to_dataframe

        return to_dataframe(self.iterate(retry_on_rate_exceed, progress=progress), flatten, model=self.clazz)

    def iterate(self, retry_on_rate_exceed: Optional[bool] = None, *, progress: ProgressOption = None) -> Iterator[T]:
        """Yields the objects one by one, fetching page after page as needed.

        :param retry_on_rate_exceed: whether to sleep and retry when the rate limit is exceeded
            (None: the client's default)
        :param progress: show the progress (see :mod:`temba_client.progress`): True for a bar in a
            notebook or on a terminal and a plain line every few seconds elsewhere; None (the
            default) shows nothing
        """
        for page in self.iterfetches(retry_on_rate_exceed, progress=progress):
            yield from page

    def __iter__(self) -> Iterator[T]:
        return self.iterate()

    def __len__(self) -> int:
        """A query has no length: the server does not say how many results it has (its pages carry
        no count) until every page has been fetched. Raises a TypeError that says what to do instead."""
        raise TypeError(
            "a query has no length until its results are fetched (the server's pages carry no count): "
            "use len(query.all()), or count while iterating: sum(1 for _ in query)"
        )

    def __bool__(self) -> bool:
        """Always true, as in rapidpro-python 2.22 (``__len__`` would otherwise be asked)."""
        return True

    def _retry(self, retry_on_rate_exceed: Optional[bool]) -> bool:
        return self.default_retry_on_rate_exceed if retry_on_rate_exceed is None else bool(retry_on_rate_exceed)


def _query_of(url: str, params: Optional[Dict[str, Any]]) -> _Query:
    """What identifies a page: its query parameters, in any order (the path is always the endpoint's)."""
    query = urlsplit(url).query
    if params:
        query = "&".join(part for part in (query, urlencode(params, doseq=True)) if part)
    return frozenset(parse_qsl(query, keep_blank_values=True))


def _endpoint_of(url: str) -> str:
    """``https://host/api/v2/archives.json`` → ``archives``"""
    return urlsplit(url).path.rsplit("/", 1)[-1].split(".", 1)[0]

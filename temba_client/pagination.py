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
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Dict, FrozenSet, Generic, List, Optional, Set, Tuple, Type, TypeVar
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

import requests

from . import _typed
from .exceptions import TembaBadResponseError
from .serialization import TembaObject, Transformer

if TYPE_CHECKING:  # pragma: no cover
    from .transport import Transport

T = TypeVar("T", bound=TembaObject)

#: Endpoints paginated by ``limit``/``offset`` rather than by cursor: they take no resume cursor.
OFFSET_PAGINATED = frozenset({"archives"})
#: The keys of the server's cursors (Django REST framework's): ``o``ffset, ``r``everse, ``p``osition.
_CURSOR_KEYS = frozenset({"o", "r", "p"})

_Query = FrozenSet[Tuple[str, str]]


class CursorIterator(Generic[T]):
    """Iterates over the pages of a query, one request per page; each page is a list of objects.

    A page that fails to arrive (a connection error, a rate limit) leaves the iterator where it
    was: calling ``next()`` again fetches the same page, and :meth:`get_cursor` still points at it.
    :attr:`started` and :attr:`finished` tell whether a page has been fetched, and whether the
    last one has.

    :param transport: what sends the requests
    :param url: the endpoint's URL
    :param params: the query's filters
    :param clazz: the model of the results
    :param retry_on_rate_exceed: whether to sleep and retry when the rate limit is exceeded
    :param resume_cursor: a cursor from :meth:`get_cursor` to start from
    :param transformer: applied to each result before it becomes a model object
    :raises ValueError: if ``resume_cursor`` cannot be a cursor of this query
    """

    def __init__(
        self,
        transport: Transport,
        url: str,
        params: Dict[str, Any],
        clazz: Type[T],
        retry_on_rate_exceed: bool = False,
        resume_cursor: Optional[str] = None,
        transformer: Optional[Transformer] = None,
    ) -> None:
        self._transport = transport
        self._endpoint_url = url
        self._url: Optional[str] = url
        self._params: Optional[Dict[str, Any]] = dict(params)
        if resume_cursor:
            _check_cursor(url, resume_cursor)
            self._params["cursor"] = resume_cursor
        self.clazz = clazz
        self.retry_on_rate_exceed = retry_on_rate_exceed
        self.transformer = transformer
        self._followed: Set[_Query] = set()  # the queries of the pages fetched so far
        # with msgspec installed, pages are decoded straight into objects (see temba_client._typed)
        self._decode = _typed.page_decoder(clazz) if transformer is None else None

    def __iter__(self) -> CursorIterator[T]:
        return self

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
        if not results:
            raise StopIteration
        return results

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
        ``query.iterfetches(resume_cursor=...)``; None when there are no more pages (or the
        endpoint pages by offset, as archives do)."""
        if self._url is None:
            return None
        if self._params is not None:  # nothing fetched yet
            return self._params.get("cursor")
        cursors = parse_qs(urlsplit(self._url).query).get("cursor")
        return cursors[0] if cursors else None


class CursorQuery(Generic[T]):
    """The result of a ``get_*`` call: a query sent only when its results are asked for.

    Iterating over it yields objects one by one, fetching page after page as needed.
    """

    def __init__(
        self,
        transport: Transport,
        url: str,
        params: Dict[str, Any],
        clazz: Type[T],
        transformer: Optional[Transformer] = None,
        retry_on_rate_exceed: bool = False,
    ) -> None:
        self._transport = transport
        self.url = url
        self.params = params
        self.clazz = clazz
        self.transformer = transformer
        self.default_retry_on_rate_exceed = retry_on_rate_exceed

    def __repr__(self) -> str:
        return "<CursorQuery of %s from %s params=%r>" % (self.clazz.__name__, self.url, self.params)

    def iterfetches(
        self, retry_on_rate_exceed: Optional[bool] = None, resume_cursor: Optional[str] = None
    ) -> CursorIterator[T]:
        """Returns an iterator over the pages of results, one request per page.

        :param retry_on_rate_exceed: whether to sleep and retry when the rate limit is exceeded
            (None: the client's default)
        :param resume_cursor: a cursor from :meth:`CursorIterator.get_cursor`, to resume from
        :raises ValueError: if ``resume_cursor`` cannot be a cursor of this query (not one of the
            server's cursors, or given to ``archives``, which are paginated by offset)
        """
        return CursorIterator(
            self._transport,
            self.url,
            self.params,
            self.clazz,
            self._retry(retry_on_rate_exceed),
            resume_cursor,
            self.transformer,
        )

    def all(self, retry_on_rate_exceed: Optional[bool] = None) -> List[T]:
        """Fetches every page and returns all the objects in one list.

        :param retry_on_rate_exceed: whether to sleep and retry when the rate limit is exceeded
            (None: the client's default)
        """
        results: List[T] = []
        for page in self.iterfetches(retry_on_rate_exceed):
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

    def to_records(self, retry_on_rate_exceed: Optional[bool] = None) -> List[Dict[str, Any]]:
        """Fetches every page and returns the objects as plain dicts of native values (datetimes
        stay datetimes, nested objects become dicts), e.g. to build a table or write JSON.

        :param retry_on_rate_exceed: whether to sleep and retry when the rate limit is exceeded
            (None: the client's default)
        """
        from .export.outputs import to_records

        return to_records(self.iterate(retry_on_rate_exceed))

    def to_dataframe(self, flatten: bool = False, retry_on_rate_exceed: Optional[bool] = None) -> Any:
        """Fetches every page and returns a :class:`pandas.DataFrame`, one row per object (needs the
        ``pandas`` extra: ``pip install "rapidpro-python[pandas]"``).

        :param flatten: for runs, one column per result key (``<key>_value``, ``<key>_category``,
            ``<key>_time``) instead of nested values
        :param retry_on_rate_exceed: whether to sleep and retry when the rate limit is exceeded
            (None: the client's default)
        """
        from .export.outputs import to_dataframe

        return to_dataframe(self.iterate(retry_on_rate_exceed), flatten, model=self.clazz)

    def iterate(self, retry_on_rate_exceed: Optional[bool] = None) -> Iterator[T]:
        """Yields the objects one by one, fetching page after page as needed.

        :param retry_on_rate_exceed: whether to sleep and retry when the rate limit is exceeded
            (None: the client's default)
        """
        for page in self.iterfetches(retry_on_rate_exceed):
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


def _check_cursor(url: str, cursor: Any) -> None:
    """Refuses a resume cursor that cannot belong to the query: one given to an endpoint paginated
    by offset, or one that is not the server's: base64 of ``o=...&r=...&p=...`` (any of those keys
    alone passes)."""
    if not isinstance(cursor, str):
        raise TypeError("resume_cursor must be a string from get_cursor(), not %s" % type(cursor).__name__)
    endpoint = urlsplit(url).path.rsplit("/", 1)[-1].split(".", 1)[0]
    if endpoint in OFFSET_PAGINATED:
        raise ValueError("%s are paginated by offset: they cannot be resumed from a cursor" % endpoint)
    if not _is_cursor(cursor):
        raise ValueError(
            "resume_cursor is not a cursor of the server: give the value of cursor= in a next link, "
            "as get_cursor() gives it"
        )


def _is_cursor(cursor: str) -> bool:
    padded = cursor + "=" * (-len(cursor) % 4)
    try:
        altchars = b"-_" if ("-" in cursor or "_" in cursor) else None
        decoded = base64.b64decode(padded.encode("ascii"), altchars=altchars, validate=True).decode("ascii")
    except (UnicodeError, binascii.Error, ValueError):
        return False
    if len(decoded) < 3 or not decoded.isprintable() or not re.match(r"^[a-z]=", decoded):
        return False  # the shortest cursor is "p=1"
    return {key for key, _ in parse_qsl(decoded, keep_blank_values=True)} <= _CURSOR_KEYS

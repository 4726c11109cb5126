"""Lazy, resumable cursor pagination over the API's list endpoints.

A ``get_*`` method returns a :class:`CursorQuery` and sends nothing yet::

    query = client.get_contacts(group="Reporters")
    query.first()                      # one request: the first contact, or None
    query.all()                        # every page, as one list
    for contact in query: ...          # every contact, page by page, without holding them all
    pages = query.iterfetches()        # one list per page...
    for page in pages: ...
    pages.get_cursor()                 # ...and a cursor to resume from later
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Dict, Generic, List, Optional, Type, TypeVar
from urllib.parse import parse_qs, urlsplit

from .exceptions import TembaBadResponseError
from .serialization import TembaObject, Transformer

if TYPE_CHECKING:  # pragma: no cover
    from .transport import Transport

T = TypeVar("T", bound=TembaObject)


class CursorIterator(Generic[T]):
    """Iterates over the pages of a query, one request per page; each page is a list of objects.

    A page that fails to arrive (a connection error, a rate limit) leaves the iterator where it
    was: calling ``next()`` again fetches the same page, and :meth:`get_cursor` still points at it.
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
            self._params["cursor"] = resume_cursor
        self.clazz = clazz
        self.retry_on_rate_exceed = retry_on_rate_exceed
        self.transformer = transformer

    def __iter__(self) -> CursorIterator[T]:
        return self

    def __next__(self) -> List[T]:
        if self._url is None:
            raise StopIteration

        page = self._transport.request(
            "GET", self._url, params=self._params, retry_on_rate_exceed=self.retry_on_rate_exceed
        )
        if not isinstance(page, dict) or not isinstance(page.get("results"), list):
            raise TembaBadResponseError("Expected a page with a list of results from %s" % self._endpoint_url)
        results = self.clazz.deserialize_list(page["results"], self.transformer)

        # only now that the page is safely in hand does the iterator move on
        next_url = page.get("next")
        self._url = self._follow(next_url) if results and isinstance(next_url, str) and next_url else None
        self._params = None
        if not results:
            raise StopIteration
        return results

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

    def __iter__(self) -> Iterator[T]:
        for page in self.iterfetches():
            yield from page

    def _retry(self, retry_on_rate_exceed: Optional[bool]) -> bool:
        return self.default_retry_on_rate_exceed if retry_on_rate_exceed is None else bool(retry_on_rate_exceed)

"""What each stream reads: its endpoint, model, order, identity and time fields, and paced pages.

Runs and contacts are "modified" endpoints (``reverse=True`` gives oldest first by
``modified_on``); messages are a "created" endpoint (newest first by ``created_on`` only); the
small endpoints (flows, fields, groups...) are read whole each time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Callable, List, NamedTuple, Optional, Tuple

from ..pagination import CursorQuery
from ..serialization import TembaObject
from .pacing import RateBudget, WorkBudget, scope_of


class Source(NamedTuple):
    """How one stream is read."""

    name: str  #: the stream and endpoint name, e.g. ``"runs"``
    order: str  #: ``"modified"``, ``"created"`` or ``"all"``
    key: str  #: the attribute that identifies a record (deduplication)
    time: Optional[str]  #: the attribute the API orders and filters by
    archive: Optional[str]  #: the archive type holding older records, if any

    @property
    def scope(self) -> str:
        """The throttle scope of the stream's endpoint."""
        return scope_of(self.name)


#: The endpoints whose records are only ever read whole (a few hundred objects at most).
SMALL = (
    "flows",
    "fields",
    "groups",
    "labels",
    "globals",
    "campaigns",
    "campaign_events",
    "channels",
    "topics",
    "users",
    "resthooks",
)

SOURCES = {
    "runs": Source("runs", "modified", "id", "modified_on", "run"),
    "messages": Source("messages", "created", "id", "created_on", "message"),
    "contacts": Source("contacts", "modified", "uuid", "modified_on", None),
    **{name: Source(name, "all", "uuid", None, None) for name in SMALL},
}


def source(name: str) -> Source:
    """The :class:`Source` of a stream name.

    :param name: ``"runs"``, ``"messages"``, ``"contacts"`` or a small endpoint (``"flows"``...)
    :raises ValueError: for any other name
    """
    if name not in SOURCES:
        raise ValueError("Cannot export %r: choose from %s" % (name, ", ".join(SOURCES)))
    return SOURCES[name]


def paced_pages(
    query: CursorQuery[Any],
    budget: RateBudget,
    scope: str,
    work: Optional[WorkBudget] = None,
    resume_cursor: Optional[str] = None,
    waits: Optional[WorkBudget] = None,
) -> Iterator[Tuple[List[TembaObject], Optional[str]]]:
    """Yields ``(page, cursor of the next page)``, each request paced by ``budget`` and retried after
    a 429 (the failed page is fetched again: the iterator did not move).

    :param query: a query from one of the client's ``get_*`` methods
    :param budget: the rate budget
    :param scope: the query's throttle scope
    :param work: stops (:class:`~temba_client.export.pacing.StopRequested`) before a page once spent
    :param resume_cursor: a cursor to start from
    :param waits: whose stop ends a wait for the budget (default: ``work``)
    """
    pages = query.iterfetches(retry_on_rate_exceed=False, resume_cursor=resume_cursor)
    fetch: Callable[[], Optional[List[TembaObject]]] = lambda: next(pages, None)  # noqa: E731
    while not pages.finished:  # (a spent budget must not hold back the end of a query)
        if work is not None:
            work.check(scope)
        page = budget.call(scope, fetch, waits or work)
        if page is None:
            return
        if work is not None:
            work.page_done(scope)
        yield page, pages.get_cursor()


def list_all(
    query: CursorQuery[Any], budget: RateBudget, scope: str = "v2", work: Optional[WorkBudget] = None
) -> List[Any]:
    """Every object of a (small) query, each page paced; a listing is read whole (the work
    budget's limits do not apply), but a stop asked for ends a wait at once.

    :param query: a query from one of the client's ``get_*`` methods
    :param budget: the rate budget
    :param scope: the query's throttle scope
    :param work: the run's work budget, for its stop
    """
    return [obj for page, _ in paced_pages(query, budget, scope, waits=work) for obj in page]

"""The endpoints the export engine does not read: whole reads, and newest-first walks that stop at
the previous walk's watermark.

- Whole reads (flows, fields, groups...: a few pages at most) give every object each run; their
  resources replace their tables, so objects deleted on the server disappear.
- Delta walks (tickets, flow starts by ``modified_on``; broadcasts by ``created_on``) read newest
  first, the API's order, down to the newest time the last complete walk saw (the records it saw
  at that very time are skipped by key). The walk's cursor, and the newest time seen with its keys,
  are kept in the state after each page, so a walk stopped by the work budget goes on from its
  cursor; records changed meanwhile move above the walk's start and are read by the next walk.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Dict, List, NamedTuple, Optional

from ..export import RateBudget, StopRequested, WorkBudget
from ..export.pacing import scope_of
from ..export.sources import paced_pages
from ..serialization import TembaObject
from ..utils import format_iso8601


class Delta(NamedTuple):
    """How a delta walk reads one endpoint."""

    key: str  #: the attribute that identifies a record
    time: str  #: the attribute the endpoint orders by, newest first
    server_filter: bool  #: whether the endpoint reads ``after`` on that attribute


#: The endpoints read by delta walks.
DELTAS: Dict[str, Delta] = {
    "tickets": Delta("uuid", "modified_on", False),
    "flow_starts": Delta("uuid", "modified_on", True),
    "broadcasts": Delta("id", "created_on", True),
}


def whole_pages(client: Any, name: str, budget: RateBudget) -> Iterator[List[TembaObject]]:
    """Yields every page of an endpoint, each request paced.

    :param client: the :class:`~temba_client.v2.TembaClient`
    :param name: the endpoint, e.g. ``"flows"``
    :param budget: the rate budget
    """
    query = getattr(client, "get_" + name)()
    for page, _cursor in paced_pages(query, budget, scope_of(name)):
        yield page


def workspace_pages(client: Any, budget: RateBudget) -> Iterator[List[TembaObject]]:
    """Yields the workspace (one object, not paginated) as a page of one.

    :param client: the :class:`~temba_client.v2.TembaClient`
    :param budget: the rate budget
    """
    yield [budget.call("v2", lambda: client.get_workspace(retry_on_rate_exceed=False))]


def _when(obj: TembaObject, attr: str) -> Optional[str]:
    value = getattr(obj, attr, None)
    return format_iso8601(value) if value is not None else None


def delta_pages(
    client: Any, name: str, budget: RateBudget, work: WorkBudget, state: Dict[str, Any]
) -> Iterator[List[TembaObject]]:
    """Yields what changed since the last complete walk, newest first, keeping the walk in ``state``.

    Ends at the watermark, at the end of the endpoint, or cleanly when ``work`` is spent.

    :param client: the :class:`~temba_client.v2.TembaClient`
    :param name: ``"tickets"``, ``"flow_starts"`` or ``"broadcasts"``
    :param budget: the rate budget
    :param work: the work budget
    :param state: the resource's dlt state (``dlt.current.resource_state()``)
    """
    delta = DELTAS[name]
    watermark: Optional[str] = state.get("watermark")
    seen = set(state.get("ties") or [])  # the keys of the records at the watermark, read before
    walk: Dict[str, Any] = dict(state.get("walk") or {"cursor": None, "top": None, "ties": []})
    filters = {"after": watermark} if delta.server_filter and watermark else {}
    query = getattr(client, "get_" + name)(**filters)
    pages = paced_pages(query, budget, scope_of(name), None, walk["cursor"])
    # pages are counted per walk, not per scope: a walk that is done re-reads its first page at every
    # run, which must not starve the other walks of a page budget
    counted = "%s:%s" % (scope_of(name), name)
    try:
        work.check(counted)
        for page, cursor in pages:
            work.page_done(counted)
            kept, below = [], False
            top, ties = walk["top"], list(walk["ties"])
            for obj in page:
                when, key = _when(obj, delta.time) or "", getattr(obj, delta.key)
                if watermark is not None and when < watermark:
                    below = True  # the rest is older still
                    break
                if top is None or when > top:
                    top, ties = when, []
                if when == top:
                    ties.append(key)
                if not (when == watermark and key in seen):
                    kept.append(obj)
            walk = {"cursor": cursor, "top": top, "ties": ties}
            if kept:
                yield kept
            state["walk"] = walk  # only once dlt took the page
            if below:
                break
            work.check(counted)  # before the next page is fetched
    except StopRequested:
        return
    if walk["top"] is not None:
        state["watermark"], state["ties"] = walk["top"], walk["ties"]
    state["walk"] = None

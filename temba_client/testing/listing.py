"""Listing an endpoint: filtering, ordering and cursor or limit/offset pagination."""

from __future__ import annotations

import base64
import bisect
import json
from typing import Any, List, Optional, Tuple
from urllib.parse import parse_qsl, urlencode

from .filters import Params, Predicate
from .store import ApiError, Obj, Workspace, bad_query, position_key, truthy
from .views import View

PAGE_SIZE = 250


def _encode_cursor(key: Tuple[Any, int]) -> str:
    """A cursor of the real server's form: base64 of ``p=<position>`` (Django REST framework's)."""
    return base64.b64encode(urlencode({"p": json.dumps(list(key))}).encode()).decode()


def _decode_cursor(cursor: str) -> Tuple[Any, int]:
    try:
        query = dict(parse_qsl(base64.b64decode(cursor.encode(), validate=True).decode(), strict_parsing=True))
        value, seq = json.loads(query["p"])
        return (value, int(seq))
    except (ValueError, TypeError, KeyError, UnicodeError):
        raise ApiError(404, {"detail": "Invalid cursor"}) from None


def list_objects(ws: Workspace, view: View, params: Params, url: str) -> Obj:
    """A page of an endpoint's objects, filtered, ordered and paginated as the server does it."""
    predicates: List[Predicate] = []
    given = [name for name in view.exclusive if params.get(name)]
    if len(given) > 1:
        raise bad_query("You may only specify one of the %s parameters" % ", ".join(view.exclusive))
    for name, factory in view.filters_for(ws.server_version).items():
        values = params.get(name)
        if values:
            predicates.append(factory(ws, values))
    deleted = view.kind == "contacts" and truthy(first(params, "deleted"))
    descending = not view.ascending and not (view.reversible and truthy(first(params, "reverse")))
    order = view.order
    if view.kind == "messages" and (first(params, "folder") or "").lower() == "sent":
        order = "sent_on"

    def ordered() -> List[Obj]:
        shown = [row for row in ws.rows[view.kind] if (bool(row.get("_deleted")) if deleted else view.visible(row))]
        return sorted(shown, key=lambda row: position_key(row, order), reverse=descending)

    rows: List[Obj] = ws.cached(("ordered", view.kind, order, descending, deleted), ordered)
    if predicates:
        rows = [row for row in rows if all(p(row) for p in predicates)]
    simple = {name: values[0] for name, values in params.items() if values}

    size = ws.page_size
    if view.paging == "offset":
        limit = min(int(first(params, "limit") or size), size)
        offset = int(first(params, "offset") or 0)
        page_rows = rows[offset : offset + limit]
        more = offset + limit < len(rows)
        nxt = _url(url, params, limit=str(limit), offset=str(offset + limit)) if more else None
        prev = _url(url, params, limit=str(limit), offset=str(max(0, offset - limit))) if offset else None
        return {
            "count": len(rows),
            "next": nxt,
            "previous": prev,
            "results": [ws.render(view.kind, row, simple) for row in page_rows],
        }

    start = 0
    cursor = first(params, "cursor")
    if cursor:
        after = _decode_cursor(cursor)
        if predicates:
            keys = [position_key(row, order) for row in rows]
        else:
            keys = ws.cached(
                ("keys", view.kind, order, descending, deleted), lambda: [position_key(r, order) for r in rows]
            )
        if descending:  # keys run downwards: find the first one below the cursor
            start = len(keys) - bisect.bisect_left(keys[::-1], tuple(after))
        else:
            start = bisect.bisect_right(keys, tuple(after))
    page_rows = rows[start : start + size]
    nxt = None
    if start + size < len(rows):
        nxt = _url(url, params, cursor=_encode_cursor(position_key(page_rows[-1], order)))
    prev = None
    if start:  # the page before: the one that starts a page size earlier
        before = start - size
        prev = (
            _url(url, params, cursor=_encode_cursor(position_key(rows[before - 1], order)))
            if before > 0
            else (_url(url, params))
        )

    return {"next": nxt, "previous": prev, "results": [ws.render(view.kind, row, simple) for row in page_rows]}


def first(params: Params, name: str) -> Optional[str]:
    values = params.get(name)
    return values[0] if values else None


def _url(url: str, params: Params, **replace: str) -> str:
    query = [(k, v) for k, values in params.items() if k not in replace and k not in ("cursor",) for v in values]
    query.extend(replace.items())
    return "%s?%s" % (url, urlencode(query))

"""Answering one parsed API request: :func:`handle` returns ``(status, body)`` or raises
:class:`~temba_client.testing.store.ApiError`; it knows nothing of HTTP itself.
"""

from __future__ import annotations

import datetime
from typing import Any, Dict, Tuple

from .filters import Params, check_uuid
from .listing import first, list_objects
from .store import ApiError, Obj, Workspace, bad_query, iter_rows
from .views import VIEWS, View
from .writes import ACTIONS, check_body


def not_found(view: View) -> ApiError:
    """The 404 of an update or delete naming no object."""
    return ApiError(404, {"detail": "No %s matches the given query." % (view.model or "object")})


def not_allowed(method: str) -> ApiError:
    return ApiError(405, {"detail": 'Method "%s" not allowed.' % method})


def lookup(ws: Workspace, view: View, params: Params) -> Obj:
    """The one object an update or delete URL names."""
    given = [name for name in view.lookups if params.get(name)]
    if not given:
        raise bad_query("URL must contain one of the following parameters: %s" % ", ".join(sorted(view.lookups)))
    if len(given) > 1:
        raise bad_query("URL can only contain one of the following parameters: %s" % ", ".join(sorted(view.lookups)))
    name = given[0]
    value: Any = params[name][0]
    if name == "id":
        try:
            value = int(value)
        except ValueError:
            raise bad_query("Value for id must be an integer") from None
    if name == "uuid":
        check_uuid(name, value)
    if view.kind == "contacts" and name == "urn":
        for row in iter_rows(ws.rows["contacts"]):
            if value in row["urns"]:
                return row
        raise not_found(view)
    found = ws.find(view.kind, name, value)
    if found is None or not view.visible(found):
        raise not_found(view)
    return found


def workspace_info(ws: Workspace) -> Obj:
    """The ``workspace`` (and ``org``) object."""
    info = ws.info
    return {
        "uuid": info["uuid"],
        "name": info["name"],
        "country": info.get("country") or "",
        "languages": list(info["languages"]),
        "timezone": info["timezone"],
        "date_style": info["date_style"],
        "anon": info["anon"],
        "credits": {"used": -1, "remaining": -1},
        "primary_language": info["languages"][0] if info["languages"] else None,
    }


def handle(ws: Workspace, method: str, endpoint: str, params: Params, body: Any, url: str) -> Tuple[int, Any]:
    """Answers one API request: ``(status, JSON body or None)``.

    :param ws: the workspace
    :param method: the HTTP method
    :param endpoint: e.g. ``"contacts"`` (served by this workspace's server version)
    :param params: the query params
    :param body: the parsed JSON body, or None
    :param url: the request's absolute URL without query, for ``next``/``previous`` links
    """
    if endpoint in ACTIONS:
        if method != "POST":
            raise not_allowed(method)
        result = ACTIONS[endpoint](ws, check_body(body))
        return (200, result) if result else (204, None)
    readers = {"org": workspace_info, "workspace": workspace_info}
    if endpoint in readers:
        if method != "GET":
            raise not_allowed(method)
        return 200, readers[endpoint](ws)
    if endpoint in ("definitions", "statistics"):
        if method != "GET":
            raise not_allowed(method)
        return 200, (definitions if endpoint == "definitions" else statistics)(ws, params)
    view = VIEWS[endpoint]
    if method == "GET":
        if endpoint == "media":
            raise not_allowed(method)
        return 200, list_objects(ws, view, params, url)
    if method == "POST":
        if view.lookups and any(params.get(name) for name in view.lookups):
            if view.update is None:
                raise not_allowed(method)
            row = lookup(ws, view, params)
            return 200, ws.render(endpoint, view.update(ws, check_body(body), row))
        if view.create is None:
            raise not_allowed(method)
        return 201, ws.render(endpoint, view.create(ws, check_body(body)))
    if method == "DELETE":
        if view.delete is None:
            raise not_allowed(method)
        row = lookup(ws, view, params)
        view.delete(ws, row)
        return 204, None
    raise not_allowed(method)


def _day(params: Params, name: str, default: datetime.date) -> datetime.date:
    value = first(params, name)
    if value is None:
        return default
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise bad_query("Invalid date value for '%s'." % name) from None


def statistics(ws: Workspace, params: Params) -> Obj:
    """Daily message counts per channel (``since`` inclusive, ``until`` exclusive, at most 366 days)."""
    today = datetime.datetime.now(datetime.timezone.utc).date()
    since = _day(params, "since", today - datetime.timedelta(days=90))
    until = _day(params, "until", today + datetime.timedelta(days=1))
    if (until - since).days > 366:
        raise bad_query("Date range can't be more than 366 days.")
    low, high = since.isoformat(), until.isoformat()
    days: Dict[str, Dict[str, Obj]] = {}
    for message in ws.rows["messages"]:
        day = message["created_on"][:10]
        channel = ws.find("channels", "uuid", message["channel_uuid"]) if message["channel_uuid"] else None
        if channel is None or not low <= day < high:
            continue
        kind = "voice" if message["type"] == "voice" else "text"
        counts = days.setdefault(day, {}).setdefault(channel["uuid"], {"type": channel["type"]})
        key = "%s:%s" % (kind, message["direction"])
        counts[key] = counts.get(key, 0) + 1
    return {"results": [{"date": day, "channels": days[day]} for day in sorted(days)]}


def definitions(ws: Workspace, params: Params) -> Obj:
    """The export of the flows and campaigns asked for."""
    flows = params.get("flow", [])
    campaigns = params.get("campaign", [])
    dependencies = (first(params, "dependencies") or "all").lower()
    if ws.server_version == "26.3" and dependencies not in ("all", "flows", "none"):
        raise bad_query("dependencies must be one of none, flows, all")
    if ws.server_version != "26.3":  # older servers took a boolean
        dependencies = "all" if dependencies in ("all", "true", "1", "yes", "y") else "none"
    flow_rows = [ws.find("flows", "uuid", u) for u in flows]
    campaign_rows = [ws.find("campaigns", "uuid", u) for u in campaigns]
    exported_flows = [
        {
            "uuid": f["uuid"],
            "name": f["name"],
            "type": "messaging" if f["type"] == "message" else f["type"],
            "revision": 1,
            "spec_version": "14.4.1",
            "expire_after_minutes": f["expires"],
            "language": ws.info["languages"][0] if ws.info["languages"] else "eng",
            "nodes": [],
        }
        for f in flow_rows
        if f
    ]
    exported_campaigns = [{"uuid": c["uuid"], "name": c["name"]} for c in campaign_rows if c]
    groups = []
    if dependencies == "all":
        uuids = {c["group_uuid"] for c in campaign_rows if c}
        groups = [
            {"uuid": g["uuid"], "name": g["name"], "query": g["query"]}
            for g in iter_rows(ws.rows["groups"])
            if g["uuid"] in uuids
        ]
    return {
        "version": "13",
        "site": "http://localhost",
        "flows": exported_flows,
        "campaigns": exported_campaigns,
        "triggers": [],
        "fields": [],
        "groups": groups,
    }

"""Rendering stored rows as the API objects of RapidPro 26.3 (or of an older "9" server).

Keys come in the order the recorded 26.3 server sends them. References to other objects are kept
in rows as identifiers and rendered here as ``{"uuid", "name"}`` references.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple

from .store import Obj, truthy

if TYPE_CHECKING:
    from .store import Workspace

Renderer = Callable[["Workspace", Obj, Dict[str, str]], Obj]

#: Fields a "9" server does not send (the contract marks them *26.x*), by endpoint.
NEW_IN_26: Dict[str, Tuple[str, ...]] = {
    "archives": ("type",),
    "broadcasts": ("uuid", "progress", "quick_replies"),
    "channels": ("type",),
    "contacts": ("notes",),
    "flow_starts": ("progress",),
    "messages": ("uuid", "quick_replies"),
    "users": ("uuid", "name", "team", "avatar"),
}


def render(ws: Workspace, kind: str, row: Obj, params: Dict[str, str]) -> Obj:
    """The API object of ``row``, as ``ws.server_version`` shows it.

    :param ws: the workspace the row belongs to
    :param kind: the endpoint, e.g. ``"contacts"``
    :param row: the stored row
    :param params: the request's query params (first values), for ``paths``, ``expand_urns``...
    """
    shown = RENDERERS[kind](ws, row, params)
    if ws.server_version != "26.3":
        for name in NEW_IN_26.get(kind, ()):
            shown.pop(name, None)
    return shown


def _plain(*fields: str) -> Renderer:
    """A renderer that copies the listed fields."""

    def render_plain(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
        return {name: row.get(name) for name in fields}

    return render_plain


def _refs(ws: Workspace, kind: str, keys: List[str]) -> List[Optional[Obj]]:
    return [ws.ref(kind, key) for key in keys]


def _broadcast(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    anon = ws.info["anon"]
    return {
        "uuid": row["uuid"],
        "status": row["status"],
        "progress": dict(row["progress"]),
        "urns": None if anon else list(row["urns"]),
        "contacts": _refs(ws, "contacts", row["contact_uuids"]),
        "groups": _refs(ws, "groups", row["group_uuids"]),
        "text": dict(row["text"]),
        "attachments": {lang: list(row["attachments"].get(lang, [])) for lang in row["text"]},
        "quick_replies": {lang: [dict(q) for q in row["quick_replies"].get(lang, [])] for lang in row["text"]},
        "base_language": row["base_language"],
        "created_on": row["created_on"],
        "id": row["id"],
    }


def _campaign(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    return {
        "uuid": row["uuid"],
        "name": row["name"],
        "archived": row["archived"],
        "group": ws.ref("groups", row["group_uuid"]),
        "created_on": row["created_on"],
    }


def _campaign_event(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    field = ws.find("fields", "key", row["relative_to"])
    name = field["name"] if field else row["relative_to"]
    return {
        "uuid": row["uuid"],
        "campaign": ws.ref("campaigns", row["campaign_uuid"]),
        "relative_to": {"key": row["relative_to"], "name": name, "label": name},
        "offset": row["offset"],
        "unit": row["unit"],
        "delivery_hour": row["delivery_hour"],
        "flow": ws.ref("flows", row["flow_uuid"]),
        "message": dict(row["message"]) if row["message"] is not None else None,
        "created_on": row["created_on"],
    }


def _channel_event(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    return {
        "id": row["id"],
        "type": row["type"],
        "contact": ws.ref("contacts", row["contact_uuid"]),
        "channel": ws.ref("channels", row["channel_uuid"]),
        "extra": row["extra"],
        "occurred_on": row["occurred_on"],
        "created_on": row["created_on"],
    }


def _urn(ws: Workspace, urn: str, params: Dict[str, str]) -> Any:
    if ws.info["anon"]:
        urn = urn.split(":", 1)[0] + ":********"
    if not truthy(params.get("expand_urns")):
        return urn
    channels = ws.rows["channels"]
    channel = {"uuid": channels[0]["uuid"], "name": channels[0]["name"]} if channels else None
    scheme, path = urn.split(":", 1)
    return {"channel": channel, "scheme": scheme, "path": path, "display": None}


def _contact(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    deleted = bool(row.get("_deleted"))
    shown: Obj = {"uuid": row["uuid"], "name": None if deleted else row["name"]}
    if ws.info["anon"]:
        ref = "%010d" % row["_seq"]
        shown.update(ref=ref, anon_display=ref)
    notes = [] if deleted else row.get("notes", [])[-5:]
    shown.update(
        status=None if deleted else row["status"],
        language=None if deleted else row["language"],
        urns=[] if deleted else [_urn(ws, urn, params) for urn in row["urns"]],
        groups=[] if deleted else _refs(ws, "groups", row["group_uuids"]),
        notes=[
            {"text": n["text"], "created_on": n["created_on"], "created_by": ws.user_ref(n["created_by"])}
            for n in notes
        ],
        fields={} if deleted else {f["key"]: row["fields"].get(f["key"]) for f in ws.rows["fields"]},
        flow=None if deleted else ws.ref("flows", row["flow_uuid"]),
        created_on=row["created_on"],
        modified_on=row["modified_on"],
        last_seen_on=None if deleted else row["last_seen_on"],
        blocked=None if deleted else row["status"] == "blocked",
        stopped=None if deleted else row["status"] == "stopped",
    )
    return shown


_VALUE_TYPES = {"number": "numeric"}
RUN_COUNTS = ("active", "waiting", "completed", "expired", "interrupted", "failed")


def _field(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    events = sum(1 for e in ws.rows["campaign_events"] if e["relative_to"] == row["key"] and not e.get("_deleted"))
    return {
        "key": row["key"],
        "name": row["name"],
        "type": row["type"],
        "featured": row["featured"],
        "priority": row["priority"],
        "usages": {"flows": row.get("flow_usages", 0), "groups": 0, "campaign_events": events},
        "agent_access": row["agent_access"],
        "label": row["name"],
        "value_type": _VALUE_TYPES.get(row["type"], row["type"]),
    }


def _flow(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    runs = row["runs"]
    return {
        "uuid": row["uuid"],
        "name": row["name"],
        "type": row["type"],
        "archived": row["archived"],
        "labels": [dict(label) for label in row["labels"]],
        "expires": row["expires"],
        "runs": {key: runs.get(key, 0) for key in RUN_COUNTS},
        "results": [dict(result) for result in row["results"]],
        "parent_refs": list(row["parent_refs"]),
        "created_on": row["created_on"],
        "modified_on": row["modified_on"],
    }


def _flow_start(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    return {
        "uuid": row["uuid"],
        "flow": ws.ref("flows", row["flow_uuid"]),
        "status": row["status"],
        "progress": dict(row["progress"]),
        "groups": _refs(ws, "groups", row["group_uuids"]),
        "contacts": _refs(ws, "contacts", row["contact_uuids"]),
        "params": row["params"],
        "created_on": row["created_on"],
        "modified_on": row["modified_on"],
        "id": row["id"],
        "extra": row["params"],
        "restart_participants": row["restart_participants"],
        "exclude_active": row["exclude_active"],
    }


def _group(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    return {
        "uuid": row["uuid"],
        "name": row["name"],
        "query": row["query"],
        "status": row["status"],
        "system": row["system"],
        "count": ws.counts("contacts", "group_uuids").get(row["uuid"], 0),
    }


def _label(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    count = ws.counts("messages", "label_uuids").get(row["uuid"], 0)
    return {"uuid": row["uuid"], "name": row["name"], "count": count}


def _attachment_string(attachment: Obj) -> str:
    return "%s:%s" % (attachment["content_type"], attachment["url"])


def _message(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    attachments = [dict(a) for a in row["attachments"]]
    return {
        "uuid": row["uuid"],
        "contact": ws.ref("contacts", row["contact_uuid"]),
        "urn": None if ws.info["anon"] else row["urn"],
        "channel": ws.ref("channels", row["channel_uuid"]),
        "direction": row["direction"],
        "type": row["type"],
        "status": API_STATUS.get(row["status"], row["status"]),
        "archived": row["visibility"] == "archived",
        "visibility": row["visibility"],
        "text": row["text"],
        "labels": _refs(ws, "labels", row["label_uuids"]),
        "flow": ws.ref("flows", row["flow_uuid"]),
        "attachments": attachments,
        "quick_replies": [dict(q) for q in row.get("quick_replies", [])],
        "created_on": row["created_on"],
        "sent_on": row["sent_on"],
        "modified_on": row["modified_on"],
        "media": _attachment_string(attachments[0]) if attachments else None,
        "id": row["id"],
        "broadcast": row["broadcast"],
    }


#: Stored message statuses the API shows as another one.
API_STATUS = {"initializing": "queued", "pending": "queued"}


def _run(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    contact = ws.find("contacts", "uuid", row["contact_uuid"])
    urn = contact["urns"][0] if contact and contact["urns"] else None
    run_contact: Obj = {"uuid": row["contact_uuid"], "name": contact["name"] if contact else None}
    if ws.info["anon"]:
        ref = "%010d" % contact["_seq"] if contact else None
        masked = urn.split(":", 1)[0] + ":********" if urn else None
        run_contact.update(urn=masked, urn_display=None, ref=ref, anon_display=ref)
    else:
        run_contact.update(urn=urn, urn_display=urn.split(":", 1)[1] if urn else None)
    values = {key: {k: v for k, v in value.items() if k != "input"} for key, value in row["values"].items()}
    return {
        "uuid": row["uuid"],
        "flow": ws.ref("flows", row["flow_uuid"]),
        "contact": run_contact,
        "start": {"uuid": row["start_uuid"]} if row["start_uuid"] else None,
        "responded": row["responded"],
        "path": [dict(step) for step in row["path"]] if truthy(params.get("paths", "true")) else None,
        "values": values,
        "created_on": row["created_on"],
        "modified_on": row["modified_on"],
        "exited_on": row["exited_on"],
        "exit_type": row["exit_type"],
        "id": row["id"],
    }


def _template(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    return {
        "uuid": row["uuid"],
        "name": row["name"],
        "translations": [dict(t, channel=ws.ref("channels", t["channel"])) for t in row["translations"]],
        "created_on": row["created_on"],
        "modified_on": row["modified_on"],
    }


def _ticket(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    return {
        "uuid": row["uuid"],
        "contact": ws.ref("contacts", row["contact_uuid"]),
        "status": row["status"],
        "topic": ws.ref("topics", row["topic_uuid"]),
        "body": None,
        "assignee": ws.user_ref(row["assignee"]),
        "opened_on": row["opened_on"],
        "opened_by": ws.user_ref(row["opened_by"]),
        "opened_in": ws.ref("flows", row["opened_in"]),
        "modified_on": row["modified_on"],
        "closed_on": row["closed_on"],
    }


def _topic(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    tickets = [t for t in ws.rows["tickets"] if t["topic_uuid"] == row["uuid"]]
    return {
        "uuid": row["uuid"],
        "name": row["name"],
        "counts": {
            "open": sum(1 for t in tickets if t["status"] == "open"),
            "closed": sum(1 for t in tickets if t["status"] == "closed"),
        },
        "system": row["system"],
        "created_on": row["created_on"],
    }


def _boundary(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    shown = {key: row[key] for key in ("osm_id", "name", "parent", "level", "aliases")}
    # 26.x always sends the stored geometry; older servers only with geometry=true
    sends = ws.server_version == "26.3" or truthy(params.get("geometry"))
    shown["geometry"] = row["geometry"] if sends else None
    return shown


def _user(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    team = ws.find("teams", "uuid", row["team_uuid"]) if row.get("team_uuid") else None
    return {
        "uuid": row["uuid"],
        "name": ("%s %s" % (row["first_name"], row["last_name"])).strip(),
        "email": row["email"],
        "role": row["role"],
        "team": {"uuid": team["uuid"], "name": team["name"]} if team else None,
        "created_on": row["created_on"],
        "avatar": row.get("avatar"),
        "first_name": row["first_name"],
        "last_name": row["last_name"],
    }


def _archive(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    return {
        "type": row["archive_type"],
        "start_date": row["start_date"],
        "period": row["period"],
        "record_count": row["record_count"],
        "size": row["size"],
        "hash": row["hash"],
        "download_url": ws.storage.download_url(row) if row["record_count"] else None,
        "archive_type": row["archive_type"],
    }


RENDERERS: Dict[str, Renderer] = {
    "archives": _archive,
    "boundaries": _boundary,
    "broadcasts": _broadcast,
    "campaigns": _campaign,
    "campaign_events": _campaign_event,
    "channels": _plain("uuid", "name", "address", "type", "country", "device", "last_seen", "created_on"),
    "channel_events": _channel_event,
    "classifiers": _plain("uuid", "name", "type", "intents", "created_on"),
    "contacts": _contact,
    "fields": _field,
    "flows": _flow,
    "flow_starts": _flow_start,
    "globals": _plain("key", "name", "value", "modified_on"),
    "groups": _group,
    "labels": _label,
    "media": _plain("uuid", "content_type", "url", "filename", "size"),
    "messages": _message,
    "optins": _plain("uuid", "name", "created_on"),
    "resthooks": _plain("resthook", "modified_on", "created_on"),
    "resthook_events": _plain("resthook", "data", "created_on"),
    "resthook_subscribers": _plain("id", "resthook", "target_url", "created_on"),
    "runs": _run,
    "templates": _template,
    "tickets": _ticket,
    "topics": _topic,
    "users": _user,
}

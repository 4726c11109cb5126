"""The endpoints of the local server, declared as data: filters, order, lookups and write handlers.

:func:`handle` takes a parsed request and returns ``(status, body)`` or raises
:class:`~temba_client.testing.store.ApiError`; it knows nothing of HTTP itself.
"""

from __future__ import annotations

import base64
import bisect
import json
import mimetypes
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import urlencode

from .store import (
    NOT_FOUND,
    URN_RE,
    ApiError,
    Obj,
    Workspace,
    bad_query,
    integer,
    invalid,
    iter_rows,
    key_of,
    new_uuid,
    now,
    parse_datetime,
    position_key,
    strings,
    text,
    translations,
    truthy,
)

PAGE_SIZE = 250
MEDIA_LIMIT = 25 * 1024 * 1024
ALLOWED_MEDIA = ("image/", "audio/", "video/", "application/pdf")

Params = Dict[str, List[str]]
Predicate = Callable[[Obj], bool]
FilterFactory = Callable[[Workspace, List[str]], Predicate]


# ---------------------------------------------------------------------------------------------
# Filters
# ---------------------------------------------------------------------------------------------


def exact(attr: str) -> FilterFactory:
    return lambda ws, values: lambda row: row.get(attr) == values[0]


def integer_param(attr: str, name: str) -> FilterFactory:
    def make(ws: Workspace, values: List[str]) -> Predicate:
        try:
            wanted = int(values[0])
        except ValueError:
            raise bad_query("Value for %s must be an integer" % name) from None
        return lambda row: row.get(attr) == wanted

    return make


def boolean(attr: str) -> FilterFactory:
    return lambda ws, values: lambda row: bool(row.get(attr)) == truthy(values[0])


def since(attr: str, before: bool) -> FilterFactory:
    def make(ws: Workspace, values: List[str]) -> Predicate:
        when = parse_datetime(values[0])
        if when is None:
            return lambda row: False  # the server's behaviour: an unparseable date matches nothing
        if before:
            return lambda row: (row.get(attr) or "") <= when
        return lambda row: (row.get(attr) or "") >= when

    return make


def dated(attr: str) -> Dict[str, FilterFactory]:
    return {"before": since(attr, True), "after": since(attr, False)}


def contact_group(ws: Workspace, values: List[str]) -> Predicate:
    wanted = values[0].lower()
    groups = [g for g in iter_rows(ws.rows["groups"]) if g["uuid"] == values[0] or g["name"].lower() == wanted]
    uuid = groups[0]["uuid"] if groups else None
    return lambda row: uuid in row["group_uuids"]


def contact_urn(ws: Workspace, values: List[str]) -> Predicate:
    return lambda row: values[0] in row["urns"]


def message_label(ws: Workspace, values: List[str]) -> Predicate:
    wanted = values[0].lower()
    labels = [r for r in iter_rows(ws.rows["labels"]) if r["uuid"] == values[0] or r["name"].lower() == wanted]
    uuid = labels[0]["uuid"] if labels else None
    return lambda row: uuid in row["label_uuids"] and row["visibility"] != "deleted"


FOLDERS: Dict[str, Predicate] = {
    "inbox": lambda m: m["direction"] == "in" and m["visibility"] == "visible" and m["flow_uuid"] is None,
    "flows": lambda m: m["direction"] == "in" and m["visibility"] == "visible" and m["flow_uuid"] is not None,
    "archived": lambda m: m["direction"] == "in" and m["visibility"] == "archived",
    "outbox": lambda m: m["direction"] == "out" and m["status"] in ("queued", "wired") and m["visibility"] != "deleted",
    "sent": lambda m: m["direction"] == "out" and m["status"] in ("sent", "delivered") and m["visibility"] != "deleted",
    "failed": lambda m: m["direction"] == "out" and m["status"] == "failed" and m["visibility"] != "deleted",
    "incoming": lambda m: m["direction"] == "in" and m["visibility"] != "deleted",
}


def message_folder(ws: Workspace, values: List[str]) -> Predicate:
    folder = FOLDERS.get(values[0].lower())
    return folder if folder is not None else (lambda row: False)


def same_name(ws: Workspace, values: List[str]) -> Predicate:
    return lambda row: row["name"].lower() == values[0].lower()


def any_of(attr: str) -> FilterFactory:
    return lambda ws, values: lambda row: row.get(attr) in values


# ---------------------------------------------------------------------------------------------
# Endpoint declarations
# ---------------------------------------------------------------------------------------------

Handler = Callable[[Workspace, Obj], Obj]
UpdateHandler = Callable[[Workspace, Obj, Obj], Obj]


@dataclass
class View:
    """One endpoint of the local server."""

    kind: str
    order: str = "created_on"  # the attribute it is ordered by, newest first
    reversible: bool = False  # whether reverse=true gives oldest first
    filters: Dict[str, FilterFactory] = field(default_factory=dict)
    exclusive: Tuple[str, ...] = ()  # filters of which only one may be given
    visible: Predicate = lambda row: not row.get("_deleted")
    create: Optional[Handler] = None
    update: Optional[UpdateHandler] = None
    delete: Optional[Callable[[Workspace, Obj], None]] = None
    lookups: Tuple[str, ...] = ()  # query params that identify the object to update or delete
    scope: str = "v2"
    paging: str = "cursor"  # or "offset" (archives)
    ascending: bool = False


# --- writes ---------------------------------------------------------------------------------


def unique_name(ws: Workspace, kind: str, name: str, row: Optional[Obj] = None) -> None:
    for other in iter_rows(ws.rows[kind]):
        if other is not row and other["name"].lower() == name.lower():
            raise invalid("name", "Must be unique.")


def check_body(body: Any) -> Obj:
    if not isinstance(body, dict):
        raise invalid("non_field_errors", "Invalid data. Expected a dictionary, but got %s." % type(body).__name__)
    return body


def write_group(ws: Workspace, body: Obj, row: Optional[Obj] = None) -> Obj:
    name = text(body.get("name"), "name", 64)
    assert name is not None
    unique_name(ws, "groups", name, row)
    if row is None:
        return ws.add(
            "groups",
            {"uuid": new_uuid(), "name": name, "query": None, "status": "ready", "system": False, "created_on": now()},
        )
    if row["system"]:
        raise ApiError(403, {"detail": "Cannot modify system object."})
    row["name"] = name
    return row


def delete_group(ws: Workspace, row: Obj) -> None:
    if row["system"]:
        raise ApiError(403, {"detail": "Cannot delete system object."})
    row["_deleted"] = True
    for contact in ws.rows["contacts"]:
        if row["uuid"] in contact["group_uuids"]:
            contact["group_uuids"].remove(row["uuid"])


def write_label(ws: Workspace, body: Obj, row: Optional[Obj] = None) -> Obj:
    name = text(body.get("name"), "name", 64)
    assert name is not None
    unique_name(ws, "labels", name, row)
    if row is None:
        return ws.add("labels", {"uuid": new_uuid(), "name": name, "created_on": now()})
    row["name"] = name
    return row


def delete_label(ws: Workspace, row: Obj) -> None:
    row["_deleted"] = True
    for message in ws.rows["messages"]:
        if row["uuid"] in message["label_uuids"]:
            message["label_uuids"].remove(row["uuid"])


def write_named(kind: str) -> Callable[..., Obj]:
    """Create or rename an object that has only a name (opt-ins, topics)."""

    def write(ws: Workspace, body: Obj, row: Optional[Obj] = None) -> Obj:
        name = text(body.get("name"), "name", 64)
        assert name is not None
        unique_name(ws, kind, name, row)
        if row is None:
            extra = {"system": False} if kind == "topics" else {}
            return ws.add(kind, {"uuid": new_uuid(), "name": name, "created_on": now(), **extra})
        if row.get("system"):
            raise ApiError(403, {"detail": "Cannot modify system object."})
        row["name"] = name
        return row

    return write


FIELD_TYPES = ("text", "number", "datetime", "state", "district", "ward")
LEGACY_TYPES = {"numeric": "number"}


def write_field(ws: Workspace, body: Obj, row: Optional[Obj] = None) -> Obj:
    name = text(body.get("name", body.get("label")), "name", 36)
    assert name is not None
    kind = body.get("type", body.get("value_type"))
    kind = LEGACY_TYPES.get(str(kind), kind)
    if kind not in FIELD_TYPES:
        raise invalid("type", '"%s" is not a valid choice.' % (kind,))
    unique_name(ws, "fields", name, row)
    if row is None:
        key = key_of(name)
        if ws.find("fields", "key", key):
            raise invalid("name", "Generated key for '%s' is invalid or a reserved name." % name)
        return ws.add(
            "fields",
            {
                "key": key,
                "name": name,
                "type": kind,
                "featured": False,
                "priority": 0,
                "agent_access": "view",
                "created_on": now(),
            },
        )
    row.update(name=name, type=kind)
    return row


def write_global(ws: Workspace, body: Obj, row: Optional[Obj] = None) -> Obj:
    value = text(body.get("value"), "value", 10000)
    if row is None:
        name = text(body.get("name"), "name", 36)
        assert name is not None
        unique_name(ws, "globals", name)
        return ws.add("globals", {"key": key_of(name), "name": name, "value": value, "modified_on": now()})
    row.update(value=value, modified_on=now())
    return row


def contact_urns(ws: Workspace, body: Obj, contact: Optional[Obj]) -> Optional[List[str]]:
    if "urns" not in body:
        return None
    urns = strings(body["urns"], "urns", 100)
    for index, urn in enumerate(urns):
        if not URN_RE.match(urn):
            raise ApiError(
                400, {"urns": {str(index): ["Invalid URN: %s. Ensure phone numbers contain country codes." % urn]}}
            )
        for other in iter_rows(ws.rows["contacts"]):
            if other is not contact and urn in other["urns"]:
                raise ApiError(400, {"urns": {str(index): ["URN is in use by another contact."]}})
    return urns


def write_contact(ws: Workspace, body: Obj, row: Optional[Obj] = None) -> Obj:
    changes: Obj = {}
    if "name" in body:
        changes["name"] = text(body["name"], "name", 64, required=False)
    if "language" in body:
        language = body["language"]
        if language is not None and (not isinstance(language, str) or len(language) != 3):
            raise invalid("language", "Ensure this field has exactly 3 characters.")
        changes["language"] = language
    urns = contact_urns(ws, body, row)
    if urns is not None:
        changes["urns"] = urns
    if "groups" in body:
        names = strings(body["groups"], "groups", 100)
        changes["group_uuids"] = [ws.resolve_group(g, "groups", allow_smart=False)["uuid"] for g in names]
    if "fields" in body:
        fields = body["fields"]
        if not isinstance(fields, dict) or len(fields) > 100:
            raise invalid("fields", "Must be a dict of at most 100 field values.")
        for key, value in fields.items():
            if not ws.find("fields", "key", key):
                raise invalid("fields", "Invalid contact field key: %s" % key)
            if value is not None and not isinstance(value, (str, int, float)):
                raise invalid("fields", "Invalid value for field %s." % key)
        changes["fields"] = dict(row["fields"] if row else {}, **fields)
    stamp = now()
    if row is None:
        row = ws.add(
            "contacts",
            {
                "uuid": new_uuid(),
                "name": None,
                "status": "active",
                "language": None,
                "urns": [],
                "group_uuids": [],
                "fields": {},
                "flow_uuid": None,
                "created_on": stamp,
                "last_seen_on": None,
            },
        )
    row.update(changes, modified_on=stamp)
    return row


def delete_contact(ws: Workspace, row: Obj) -> None:
    row.update(_deleted=True, urns=[], group_uuids=[], modified_on=now())


def write_campaign(ws: Workspace, body: Obj, row: Optional[Obj] = None) -> Obj:
    name = text(body.get("name"), "name", 64)
    group = ws.resolve_group(body.get("group"), "group")
    if row is None:
        return ws.add(
            "campaigns",
            {"uuid": new_uuid(), "name": name, "archived": False, "group_uuid": group["uuid"], "created_on": now()},
        )
    row.update(name=name, group_uuid=group["uuid"])
    return row


def write_campaign_event(ws: Workspace, body: Obj, row: Optional[Obj] = None) -> Obj:
    if row is None:
        campaign = ws.resolve("campaigns", body.get("campaign"), "campaign")
    elif "campaign" in body:
        raise invalid("campaign", "Cannot change the campaign of an event.")
    relative_to = ws.resolve("fields", body.get("relative_to"), "relative_to", attr="key")
    offset = integer(body.get("offset"), "offset")
    unit = body.get("unit")
    if unit not in ("minutes", "hours", "days", "weeks"):
        raise invalid("unit", '"%s" is not a valid choice.' % (unit,))
    delivery_hour = integer(body.get("delivery_hour"), "delivery_hour", -1, 23)
    message, flow = body.get("message"), body.get("flow")
    if (message is None) == (flow is None):
        raise invalid("non_field_errors", "Flow or a message text required.")
    changes = {
        "relative_to": relative_to["key"],
        "offset": offset,
        "unit": unit,
        "delivery_hour": delivery_hour,
        "message": translations(message, "message", 640, ws.info["primary_language"]) if message else None,
        "flow_uuid": ws.resolve("flows", flow, "flow")["uuid"] if flow else None,
    }
    if row is None:
        return ws.add(
            "campaign_events", dict(changes, uuid=new_uuid(), campaign_uuid=campaign["uuid"], created_on=now())
        )
    row.update(changes)
    return row


def recipients(ws: Workspace, body: Obj) -> Tuple[List[str], List[str], List[str]]:
    urns = strings(body.get("urns", []), "urns", 100)
    for urn in urns:
        if not URN_RE.match(urn):
            raise invalid("urns", "Invalid URN: %s" % urn)
    contacts = [ws.resolve_contact(c)["uuid"] for c in strings(body.get("contacts", []), "contacts", 100)]
    groups = [ws.resolve_group(g, "groups")["uuid"] for g in strings(body.get("groups", []), "groups", 100)]
    if not (urns or contacts or groups):
        raise invalid("non_field_errors", "Must provide either urns, contacts or groups.")
    return urns, contacts, groups


def media_reference(ws: Workspace, value: Any, field: str) -> str:
    for media in iter_rows(ws.rows["media"]):
        if isinstance(value, str) and media["uuid"] in value:
            return "%s:%s" % (media["content_type"], media["url"])
    raise invalid(field, "No such object: %s" % (value,))


def create_broadcast(ws: Workspace, body: Obj) -> Obj:
    urns, contacts, groups = recipients(ws, body)
    language = body.get("base_language") or ws.info["primary_language"]
    texts = translations(body["text"], "text", 640, language) if body.get("text") is not None else {}
    attachments = body.get("attachments") or {}
    if isinstance(attachments, list):
        attachments = {language: attachments}
    if not isinstance(attachments, dict):
        raise invalid("attachments", "Must be a list or a dict of lists.")
    attachments = {
        lang: [media_reference(ws, a, "attachments") for a in strings(items, "attachments", 10)]
        for lang, items in attachments.items()
    }
    if not texts and not attachments:
        raise invalid("non_field_errors", "Must provide either text or attachments.")
    if body.get("base_language") and language not in texts and language not in attachments:
        raise invalid("non_field_errors", "No text translation provided in base language.")
    broadcast = ws.add(
        "broadcasts",
        {
            "urns": urns,
            "contact_uuids": contacts,
            "group_uuids": groups,
            "text": texts,
            "attachments": attachments,
            "base_language": language,
            "status": "queued",
            "created_on": now(),
        },
    )
    # recorded, not sent: one queued outgoing message per contact given directly
    for contact_uuid in contacts:
        contact = ws.find("contacts", "uuid", contact_uuid)
        assert contact is not None
        outgoing(ws, contact, texts.get(language, ""), broadcast["id"], attachments.get(language, []))
    return broadcast


def outgoing(ws: Workspace, contact: Obj, text_value: str, broadcast: Optional[int], attachments: List[str]) -> Obj:
    stamp = now()
    channels = ws.rows["channels"]
    return ws.add(
        "messages",
        {
            "broadcast": broadcast,
            "contact_uuid": contact["uuid"],
            "urn": contact["urns"][0] if contact["urns"] else None,
            "channel_uuid": channels[0]["uuid"] if channels else None,
            "direction": "out",
            "type": "text",
            "status": "queued",
            "visibility": "visible",
            "text": text_value,
            "label_uuids": [],
            "flow_uuid": None,
            "attachments": [{"content_type": a.split(":", 1)[0], "url": a.split(":", 1)[1]} for a in attachments],
            "created_on": stamp,
            "sent_on": None,
            "modified_on": stamp,
        },
    )


def create_message(ws: Workspace, body: Obj) -> Obj:
    contact = ws.resolve_contact(body.get("contact"), "contact")
    text_value = text(body.get("text"), "text", 640, required=False)
    attachments = [
        media_reference(ws, a, "attachments") for a in strings(body.get("attachments", []), "attachments", 10)
    ]
    if not text_value and not attachments:
        raise invalid("non_field_errors", "Must provide either text or attachments.")
    if body.get("ticket") is not None:
        ws.resolve("tickets", body["ticket"], "ticket")
    return outgoing(ws, contact, text_value or "", None, attachments)


def create_flow_start(ws: Workspace, body: Obj) -> Obj:
    flow = ws.resolve("flows", body.get("flow"), "flow")
    urns, contacts, groups = recipients(ws, body)
    for urn in urns:  # URNs of unknown contacts create them, as the server does
        if not any(urn in c["urns"] for c in iter_rows(ws.rows["contacts"])):
            contacts.append(write_contact(ws, {"urns": [urn]})["uuid"])
    params = body.get("params", body.get("extra"))
    if params is not None and not isinstance(params, dict):
        raise invalid("params", "Must be a valid JSON object")
    stamp = now()
    return ws.add(
        "flow_starts",
        {
            "uuid": new_uuid(),
            "flow_uuid": flow["uuid"],
            "status": "pending",
            "group_uuids": groups,
            "contact_uuids": contacts,
            "params": params,
            "restart_participants": bool(body.get("restart_participants", True)),
            "exclude_active": bool(body.get("exclude_active", False)),
            "created_on": stamp,
            "modified_on": stamp,
        },
    )


def create_subscriber(ws: Workspace, body: Obj) -> Obj:
    resthook = ws.resolve("resthooks", body.get("resthook"), "resthook", attr="resthook")
    url = text(body.get("target_url"), "target_url", 255)
    if not url or not url.startswith(("http://", "https://")):
        raise invalid("target_url", "Enter a valid URL.")
    return ws.add("resthook_subscribers", {"resthook": resthook["resthook"], "target_url": url, "created_on": now()})


def create_media(ws: Workspace, upload: Obj) -> Obj:
    content_type = upload["content_type"] or mimetypes.guess_type(upload["filename"])[0] or ""
    if not content_type.startswith(ALLOWED_MEDIA):
        raise invalid("file", "Unsupported file type.")
    if len(upload["data"]) > MEDIA_LIMIT:
        raise invalid("file", "Limit for file uploads is 25.0 MB.")
    media_uuid = new_uuid()
    ws.media_bytes[media_uuid] = upload["data"]
    return ws.add(
        "media",
        {
            "uuid": media_uuid,
            "content_type": content_type,
            "url": "%s/media/%s/%s" % (upload["base"], media_uuid, upload["filename"]),
            "filename": upload["filename"],
            "size": len(upload["data"]),
            "created_on": now(),
        },
    )


# --- bulk actions ---------------------------------------------------------------------------


def contact_actions(ws: Workspace, body: Obj) -> Optional[Obj]:
    contacts = (
        [ws.resolve_contact(c) for c in strings(body.get("contacts"), "contacts", 100)]
        if (body.get("contacts") is not None)
        else None
    )
    if contacts is None:
        raise invalid("contacts", "This field is required.")
    action = body.get("action")
    group = None
    if action in ("add", "remove"):
        if body.get("group") is None:
            raise invalid("non_field_errors", 'For action "%s" you should also specify a group' % action)
        group = ws.resolve_group(body["group"], "group", allow_smart=False)
    elif action not in ("block", "unblock", "interrupt", "archive_messages", "archive", "delete"):
        raise invalid("action", '"%s" is not a valid choice.' % (action,))
    stamp = now()
    for contact in contacts:
        if action == "add" and group and group["uuid"] not in contact["group_uuids"]:
            contact["group_uuids"].append(group["uuid"])
        elif action == "remove" and group and group["uuid"] in contact["group_uuids"]:
            contact["group_uuids"].remove(group["uuid"])
        elif action in ("block", "archive"):
            contact.update(status="blocked" if action == "block" else "archived", group_uuids=[])
        elif action == "unblock":
            contact["status"] = "active"
        elif action == "interrupt":
            contact["flow_uuid"] = None
            for run in ws.rows["runs"]:
                if run["contact_uuid"] == contact["uuid"] and run["exit_type"] is None:
                    run.update(exit_type="interrupted", exited_on=stamp, modified_on=stamp)
        elif action == "archive_messages":
            for message in ws.rows["messages"]:
                if message["contact_uuid"] == contact["uuid"] and message["direction"] == "in":
                    message.update(visibility="archived", modified_on=stamp)
        elif action == "delete":
            delete_contact(ws, contact)
        contact["modified_on"] = stamp
    return None


def message_actions(ws: Workspace, body: Obj) -> Optional[Obj]:
    ids = body.get("messages")
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise invalid("messages", "Expected a list of message ids.")
    if len(ids) > 100:
        raise invalid("messages", "This field can only contain up to 100 items.")
    action = body.get("action")
    if action not in ("label", "unlabel", "archive", "restore", "delete"):
        raise invalid("action", '"%s" is not a valid choice.' % (action,))
    label = None
    if action in ("label", "unlabel"):
        if body.get("label") is not None:
            label = ws.resolve_label(body["label"])
        elif body.get("label_name") is not None:
            name = text(body["label_name"], "label_name", 64)
            found = [r for r in iter_rows(ws.rows["labels"]) if r["name"].lower() == str(name).lower()]
            if found:
                label = found[0]
            elif action == "label":
                label = write_label(ws, {"name": name})
        else:
            raise invalid("non_field_errors", 'For action "%s" you should also specify a label' % action)
    by_id = {m["id"]: m for m in ws.rows["messages"] if m["visibility"] != "deleted"}
    failures = [i for i in ids if i not in by_id]
    stamp = now()
    for message_id in ids:
        message = by_id.get(message_id)
        if message is None:
            continue
        if action == "label" and label and label["uuid"] not in message["label_uuids"]:
            message["label_uuids"].append(label["uuid"])
        elif action == "unlabel" and label and label["uuid"] in message["label_uuids"]:
            message["label_uuids"].remove(label["uuid"])
        elif action == "archive":
            message["visibility"] = "archived"
        elif action == "restore":
            message["visibility"] = "visible"
        elif action == "delete":
            message.update(visibility="deleted", label_uuids=[])
        message["modified_on"] = stamp
    return {"failures": failures} if failures else None


def ticket_actions(ws: Workspace, body: Obj) -> Optional[Obj]:
    if body.get("tickets") is None:
        raise invalid("tickets", "This field is required.")
    tickets = [ws.resolve("tickets", t, "tickets") for t in strings(body["tickets"], "tickets", 100)]
    action = body.get("action")
    stamp = now()
    changes: Obj = {"modified_on": stamp}
    note = None
    if action == "assign":
        assignee = body.get("assignee")
        if assignee is not None:
            ws.resolve("users", assignee, "assignee", attr="email")
        changes["assignee"] = assignee
    elif action == "add_note":
        note = text(body.get("note"), "note", 4096)
    elif action == "change_topic":
        changes["topic_uuid"] = ws.resolve("topics", body.get("topic"), "topic")["uuid"]
    elif action == "close":
        changes.update(status="closed", closed_on=stamp)
    elif action == "reopen":
        changes.update(status="open", closed_on=None)
    else:
        raise invalid("action", '"%s" is not a valid choice.' % (action,))
    for ticket in tickets:
        ticket.update(changes)
        if note is not None:
            ticket.setdefault("notes", []).append(note)
    return None


ACTIONS: Dict[str, Callable[[Workspace, Obj], Optional[Obj]]] = {
    "contact_actions": contact_actions,
    "message_actions": message_actions,
    "ticket_actions": ticket_actions,
}

VIEWS: Dict[str, View] = {
    view.kind: view
    for view in [
        View(
            "archives",
            order="start_date",
            paging="offset",
            filters={"archive_type": exact("archive_type"), "period": exact("period"), **dated("start_date")},
        ),
        View("boundaries", order="osm_id", ascending=True),
        View(
            "broadcasts",
            filters={"id": integer_param("id", "id"), **dated("created_on")},
            create=create_broadcast,
            scope="v2.broadcasts",
        ),
        View(
            "campaigns",
            filters={"uuid": exact("uuid")},
            create=write_campaign,
            update=write_campaign,
            lookups=("uuid",),
        ),
        View(
            "campaign_events",
            filters={"uuid": exact("uuid"), "campaign": exact("campaign_uuid")},
            create=write_campaign_event,
            update=write_campaign_event,
            lookups=("uuid",),
            delete=lambda ws, row: row.update(_deleted=True),
        ),
        View("channels", filters={"uuid": exact("uuid"), "address": exact("address")}),
        View(
            "channel_events",
            filters={"id": integer_param("id", "id"), "contact": exact("contact_uuid"), **dated("created_on")},
        ),
        View("classifiers", filters={"uuid": exact("uuid"), **dated("created_on")}),
        View(
            "contacts",
            order="modified_on",
            reversible=True,
            scope="v2.contacts",
            filters={"uuid": exact("uuid"), "urn": contact_urn, "group": contact_group, **dated("modified_on")},
            create=write_contact,
            update=write_contact,
            delete=delete_contact,
            lookups=("uuid", "urn"),
        ),
        View("fields", filters={"key": exact("key")}, create=write_field, update=write_field, lookups=("key",)),
        View(
            "flows",
            filters={
                "uuid": exact("uuid"),
                "type": exact("type"),
                "archived": boolean("archived"),
                **dated("modified_on"),
            },
        ),
        View(
            "flow_starts",
            order="modified_on",
            reversible=True,
            create=create_flow_start,
            filters={"id": integer_param("id", "id"), "uuid": exact("uuid"), **dated("modified_on")},
        ),
        View(
            "globals",
            order="modified_on",
            reversible=True,
            filters={"key": exact("key"), **dated("modified_on")},
            create=write_global,
            update=write_global,
            lookups=("key",),
        ),
        View(
            "groups",
            filters={"uuid": exact("uuid"), "name": same_name},
            exclusive=("uuid", "name"),
            create=write_group,
            update=write_group,
            delete=delete_group,
            lookups=("uuid",),
        ),
        View(
            "labels",
            filters={"uuid": exact("uuid"), "name": same_name},
            exclusive=("uuid", "name"),
            create=write_label,
            update=write_label,
            delete=delete_label,
            lookups=("uuid",),
        ),
        View(
            "messages",
            scope="v2.messages",
            create=create_message,
            filters={
                "id": integer_param("id", "id"),
                "broadcast": integer_param("broadcast", "broadcast"),
                "contact": exact("contact_uuid"),
                "folder": message_folder,
                "label": message_label,
                **dated("created_on"),
            },
            exclusive=("contact", "folder", "label", "broadcast"),
            visible=lambda row: row["visibility"] != "deleted",
        ),
        View("media"),  # POST only: multipart uploads, parsed by the server
        View("optins", create=write_named("optins")),
        View("resthooks", order="modified_on", reversible=True),
        View("resthook_events", filters={"resthook": exact("resthook")}),
        View(
            "resthook_subscribers",
            filters={"id": integer_param("id", "id"), "resthook": exact("resthook")},
            create=create_subscriber,
            delete=lambda ws, row: row.update(_deleted=True),
            lookups=("id",),
        ),
        View(
            "runs",
            order="modified_on",
            reversible=True,
            scope="v2.runs",
            filters={
                "id": integer_param("id", "id"),
                "uuid": exact("uuid"),
                "flow": exact("flow_uuid"),
                "contact": exact("contact_uuid"),
                "responded": boolean("responded"),
                **dated("modified_on"),
            },
            exclusive=("flow", "contact"),
        ),
        View("templates", order="modified_on", reversible=True, filters=dated("modified_on")),
        View(
            "tickets",
            order="modified_on",
            reversible=True,
            filters={"uuid": exact("uuid"), "ticket": exact("uuid"), "contact": exact("contact_uuid")},
        ),
        View("topics", create=write_named("topics"), update=write_named("topics"), lookups=("uuid",)),
        View("users", order="created_on", filters={"role": any_of("role")}),
    ]
}


# ---------------------------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------------------------


def _encode_cursor(key: Tuple[Any, int]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode()


def _decode_cursor(cursor: str) -> Tuple[Any, int]:
    try:
        value, seq = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return (value, int(seq))
    except (ValueError, TypeError):
        raise ApiError(404, {"detail": "Invalid cursor"}) from None


def list_objects(ws: Workspace, view: View, params: Params, url: str) -> Obj:
    """A page of an endpoint's objects, filtered, ordered and paginated as the server does it."""
    predicates: List[Predicate] = []
    given = [name for name in view.exclusive if params.get(name)]
    if len(given) > 1:
        raise bad_query("You may only specify one of the %s parameters" % ", ".join(view.exclusive))
    for name, factory in view.filters.items():
        values = params.get(name)
        if values:
            predicates.append(factory(ws, values))
    deleted = view.kind == "contacts" and truthy(first(params, "deleted"))
    descending = not view.ascending and not (view.reversible and truthy(first(params, "reverse")))
    order = view.order
    if view.kind == "messages" and first(params, "folder") in ("incoming",):
        order = "modified_on"
    elif view.kind == "messages" and first(params, "folder") == "sent":
        order = "sent_on"

    def ordered() -> List[Obj]:
        shown = [row for row in ws.rows[view.kind] if (bool(row.get("_deleted")) if deleted else view.visible(row))]
        return sorted(shown, key=lambda row: position_key(row, order), reverse=descending)

    rows: List[Obj] = ws.cached(("ordered", view.kind, order, descending, deleted), ordered)
    if predicates:
        rows = [row for row in rows if all(p(row) for p in predicates)]
    simple = {name: values[0] for name, values in params.items() if values}

    if view.paging == "offset":
        limit = min(int(first(params, "limit") or PAGE_SIZE), PAGE_SIZE)
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
    page_rows = rows[start : start + PAGE_SIZE]
    nxt = None
    if start + PAGE_SIZE < len(rows):
        nxt = _url(url, params, cursor=_encode_cursor(position_key(page_rows[-1], order)))
    prev = None
    if start:  # the page before: the one that starts PAGE_SIZE rows earlier
        before = start - PAGE_SIZE
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


def lookup(ws: Workspace, view: View, params: Params) -> Obj:
    """The one object an update or delete URL names."""
    given = [name for name in view.lookups if params.get(name)]
    if len(given) != 1:
        raise bad_query("URL must contain one of the following parameters: %s" % ", ".join(view.lookups))
    name = given[0]
    value: Any = params[name][0]
    if name == "id":
        try:
            value = int(value)
        except ValueError:
            raise bad_query("Value for id must be an integer") from None
    if view.kind == "contacts" and name == "urn":
        for row in iter_rows(ws.rows["contacts"]):
            if value in row["urns"]:
                return row
        raise NOT_FOUND
    found = ws.find(view.kind, name, value)
    if found is None:
        raise NOT_FOUND
    return found


def handle(ws: Workspace, method: str, endpoint: str, params: Params, body: Any, url: str) -> Tuple[int, Any]:
    """Answers one API request: ``(status, JSON body or None)``."""
    if endpoint in ACTIONS:
        if method != "POST":
            raise ApiError(405, {"detail": 'Method "%s" not allowed.' % method})
        result = ACTIONS[endpoint](ws, check_body(body))
        return (200, result) if result else (204, None)
    if endpoint in ("org", "workspace"):
        if method != "GET":
            raise ApiError(405, {"detail": 'Method "%s" not allowed.' % method})
        return 200, dict(ws.info)
    if endpoint == "definitions":
        if method != "GET":
            raise ApiError(405, {"detail": 'Method "%s" not allowed.' % method})
        return 200, definitions(ws, params)
    view = VIEWS.get(endpoint)
    if view is None:
        raise ApiError(404, {"detail": "Not found."})

    if method == "GET":
        if endpoint == "media":
            raise ApiError(405, {"detail": 'Method "GET" not allowed.'})
        return 200, list_objects(ws, view, params, url)
    if method == "POST":
        if view.lookups and any(params.get(name) for name in view.lookups):
            if view.update is None:
                raise ApiError(405, {"detail": 'Method "POST" not allowed.'})
            row = lookup(ws, view, params)
            return 200, ws.render(endpoint, view.update(ws, check_body(body), row))
        if view.create is None:
            raise ApiError(405, {"detail": 'Method "POST" not allowed.'})
        return 201, ws.render(endpoint, view.create(ws, check_body(body)))
    if method == "DELETE":
        if view.delete is None:
            raise ApiError(405, {"detail": 'Method "DELETE" not allowed.'})
        row = lookup(ws, view, params)
        view.delete(ws, row)
        return 204, None
    raise ApiError(405, {"detail": 'Method "%s" not allowed.' % method})


def definitions(ws: Workspace, params: Params) -> Obj:
    flows = params.get("flow", [])
    campaigns = params.get("campaign", [])
    dependencies = (first(params, "dependencies") or "all").lower()
    flow_rows = [ws.find("flows", "uuid", u) for u in flows]
    campaign_rows = [ws.find("campaigns", "uuid", u) for u in campaigns]
    exported_flows = [
        {"uuid": f["uuid"], "name": f["name"], "spec_version": "13.1.0", "nodes": []} for f in flow_rows if f
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

"""What the local server's writes do: create, update and delete handlers, and the bulk actions."""

from __future__ import annotations

import mimetypes
from typing import Any, Callable, Dict, List, Optional, Tuple

from .store import (
    URN_RE,
    ApiError,
    Obj,
    Workspace,
    integer,
    invalid,
    iter_rows,
    key_of,
    new_uuid,
    strings,
    text,
    translations,
)

MEDIA_LIMIT = 25 * 1024 * 1024
ALLOWED_MEDIA = ("image/", "audio/", "video/", "application/pdf")


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
            {
                "uuid": new_uuid(),
                "name": name,
                "query": None,
                "status": "ready",
                "system": False,
                "created_on": ws.stamp(),
            },
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
        return ws.add("labels", {"uuid": new_uuid(), "name": name, "created_on": ws.stamp()})
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
            return ws.add(kind, {"uuid": new_uuid(), "name": name, "created_on": ws.stamp(), **extra})
        if row.get("system"):
            raise ApiError(403, {"detail": "Cannot modify system object."})
        row["name"] = name
        return row

    return write


FIELD_TYPES = ("text", "number", "datetime", "state", "district", "ward")
LEGACY_TYPES = {"numeric": "number"}


def write_field(ws: Workspace, body: Obj, row: Optional[Obj] = None) -> Obj:
    errors: Obj = {}
    try:
        name = text(body.get("name", body.get("label")), "name", 36)
    except ApiError as error:  # the server reports every invalid field at once
        errors.update(error.body)
    kind = body.get("type", body.get("value_type"))
    kind = LEGACY_TYPES.get(str(kind), kind)
    if kind not in FIELD_TYPES:
        errors["type"] = ['"%s" is not a valid choice.' % (kind,)]
    if errors:
        raise ApiError(400, errors)
    assert name is not None
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
                "created_on": ws.stamp(),
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
        return ws.add("globals", {"key": key_of(name), "name": name, "value": value, "modified_on": ws.stamp()})
    row.update(value=value, modified_on=ws.stamp())
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
    stamp = ws.stamp()
    if "note" in body and ws.server_version == "26.3":
        note = text(body["note"], "note", 10000, required=False) or ""
        notes = list(row.get("notes", [])) if row else []
        changes["notes"] = ([*notes, {"text": note, "created_on": stamp, "created_by": _author(ws)}])[-5:]
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
                "notes": [],
                "flow_uuid": None,
                "created_on": stamp,
                "last_seen_on": None,
            },
        )
    row.update(changes, modified_on=stamp)
    return row


def _author(ws: Workspace) -> Optional[str]:
    """The user the API token belongs to: the first administrator."""
    admins = [u["email"] for u in iter_rows(ws.rows["users"]) if u["role"] == "administrator"]
    return admins[0] if admins else None


def delete_contact(ws: Workspace, row: Obj) -> None:
    ws.delete("contacts", row["uuid"])


def write_campaign(ws: Workspace, body: Obj, row: Optional[Obj] = None) -> Obj:
    name = text(body.get("name"), "name", 64)
    group = ws.resolve_group(body.get("group"), "group")
    if row is None:
        return ws.add(
            "campaigns",
            {
                "uuid": new_uuid(),
                "name": name,
                "archived": False,
                "group_uuid": group["uuid"],
                "created_on": ws.stamp(),
            },
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
        "message": translations(message, "message", 4096, ws.info["primary_language"]) if message else None,
        "flow_uuid": ws.resolve("flows", flow, "flow")["uuid"] if flow else None,
    }
    if row is None:
        return ws.add(
            "campaign_events", dict(changes, uuid=new_uuid(), campaign_uuid=campaign["uuid"], created_on=ws.stamp())
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
    texts = translations(body["text"], "text", 4096, language) if body.get("text") is not None else {}
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
    replies = body.get("quick_replies") or {}
    if isinstance(replies, list):
        replies = {language: replies}
    if not isinstance(replies, dict):
        raise invalid("quick_replies", "Must be a list or a dict of lists.")
    broadcast = ws.add(
        "broadcasts",
        {
            "uuid": new_uuid(),
            "progress": {"total": -1, "started": 0},
            "quick_replies": {lang: quick_replies(items) for lang, items in replies.items()},
            "urns": urns,
            "contact_uuids": contacts,
            "group_uuids": groups,
            "text": texts,
            "attachments": attachments,
            "base_language": language,
            "status": "pending",
            "created_on": ws.stamp(),
        },
    )
    # recorded, not sent: one queued outgoing message per contact given directly
    for contact_uuid in contacts:
        contact = ws.find("contacts", "uuid", contact_uuid)
        assert contact is not None
        outgoing(ws, contact, texts.get(language, ""), broadcast["id"], attachments.get(language, []))
    return broadcast


def quick_replies(value: Any) -> List[Obj]:
    """A body's quick replies: at most 10 objects ``{"type", "text", "extra"}`` (``type`` defaults to text)."""
    if not isinstance(value, list) or len(value) > 10:
        raise invalid("quick_replies", "Must be a list of at most 10 quick replies.")
    replies = []
    for item in value:
        if not isinstance(item, dict):
            raise invalid("quick_replies", "Must be a quick reply object.")
        kind = item.get("type", "text")
        if kind not in ("text", "form", "url", "location"):
            raise invalid("quick_replies", '"%s" is not a valid choice.' % (kind,))
        reply = {"type": kind, "text": text(item.get("text"), "quick_replies", 64)}
        if item.get("extra") is not None:
            reply["extra"] = text(item["extra"], "quick_replies", 1000)
        replies.append(reply)
    return replies


def outgoing(
    ws: Workspace,
    contact: Obj,
    text_value: str,
    broadcast: Optional[int],
    attachments: List[str],
    replies: Optional[List[Obj]] = None,
) -> Obj:
    stamp = ws.stamp()
    channels = ws.rows["channels"]
    return ws.add(
        "messages",
        {
            "uuid": new_uuid(),
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
            "quick_replies": replies or [],
            "created_on": stamp,
            "sent_on": None,
            "modified_on": stamp,
        },
    )


def create_message(ws: Workspace, body: Obj) -> Obj:
    contact = ws.resolve_contact(body.get("contact"), "contact")
    text_value = text(body.get("text"), "text", 4096, required=False)
    attachments = [
        media_reference(ws, a, "attachments") for a in strings(body.get("attachments", []), "attachments", 10)
    ]
    if not text_value and not attachments:
        raise invalid("non_field_errors", "Must provide either text or attachments.")
    replies = quick_replies(body["quick_replies"]) if body.get("quick_replies") is not None else []
    return outgoing(ws, contact, text_value or "", None, attachments, replies)


def create_flow_start(ws: Workspace, body: Obj) -> Obj:
    flow = ws.resolve("flows", body.get("flow"), "flow")
    urns, contacts, groups = recipients(ws, body)
    for urn in urns:  # URNs of unknown contacts create them, as the server does
        if not any(urn in c["urns"] for c in iter_rows(ws.rows["contacts"])):
            contacts.append(write_contact(ws, {"urns": [urn]})["uuid"])
    params = body.get("params", body.get("extra"))
    if params is not None and not isinstance(params, dict):
        raise invalid("params", "Must be a valid JSON object")
    stamp = ws.stamp()
    return ws.add(
        "flow_starts",
        {
            "uuid": new_uuid(),
            "flow_uuid": flow["uuid"],
            "status": "pending",
            "progress": {"total": -1, "started": 0},
            "group_uuids": groups,
            "contact_uuids": contacts,
            "params": params,
            "restart_participants": bool(body.get("restart_participants", True)),
            # the server records no exclusions (null) unless asked to exclude active contacts
            "exclude_active": True if body.get("exclude_active") else None,
            "created_on": stamp,
            "modified_on": stamp,
        },
    )


def create_subscriber(ws: Workspace, body: Obj) -> Obj:
    resthook = ws.resolve("resthooks", body.get("resthook"), "resthook", attr="resthook")
    url = text(body.get("target_url"), "target_url", 255)
    if not url or not url.startswith(("http://", "https://")):
        raise invalid("target_url", "Enter a valid URL.")
    return ws.add(
        "resthook_subscribers", {"resthook": resthook["resthook"], "target_url": url, "created_on": ws.stamp()}
    )


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
            "created_on": ws.stamp(),
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
    stamp = ws.stamp()
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
    stamp = ws.stamp()
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
    stamp = ws.stamp()
    changes: Obj = {"modified_on": stamp}
    note = None
    if action == "assign":
        assignee = body.get("assignee")
        if assignee is not None:
            ws.resolve("users", assignee, "assignee", attr="email")
        changes["assignee"] = assignee
    elif action == "add_note":
        note = text(body.get("note"), "note", 10000)
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

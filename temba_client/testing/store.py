"""The in-memory workspace of the local server: its objects, and what each endpoint does to them.

Objects are stored as plain dicts ("rows") holding the fields the API shows, except that references
to other objects are kept as their identifiers (``group_uuids``, ``flow_uuid``...) and rendered as
``{"uuid", "name"}`` references when an object is shown, so that renaming a group shows everywhere.
Each row has a private ``_seq``, the order of creation, used to break ties in ordering.
"""

from __future__ import annotations

import datetime
import re
import threading
import uuid as uuid_module
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

#: A rendered API object (JSON-able).
Obj = Dict[str, Any]

#: Every kind of object the store holds, by endpoint name.
KINDS = (
    "archives",
    "boundaries",
    "broadcasts",
    "campaigns",
    "campaign_events",
    "channels",
    "channel_events",
    "classifiers",
    "contacts",
    "fields",
    "flows",
    "flow_starts",
    "globals",
    "groups",
    "labels",
    "media",
    "messages",
    "optins",
    "resthooks",
    "resthook_events",
    "resthook_subscribers",
    "runs",
    "templates",
    "tickets",
    "topics",
    "users",
)


class ApiError(Exception):
    """An error answer: status and JSON body, as the real server sends them."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body


def invalid(field: str, message: str) -> ApiError:
    """A 400 validation error on one field (``non_field_errors`` for the body as a whole)."""
    return ApiError(400, {field: [message]})


def bad_query(message: str) -> ApiError:
    return ApiError(400, {"detail": message})


NOT_FOUND = ApiError(404, {"detail": "Not found."})


def now() -> str:
    return format_datetime(datetime.datetime.now(datetime.timezone.utc))


def format_datetime(value: datetime.datetime) -> str:
    return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_datetime(value: str) -> Optional[str]:
    """A filter's datetime as the store's string form, or None when it does not parse (matches nothing)."""
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return format_datetime(parsed)


def new_uuid() -> str:
    return str(uuid_module.uuid4())


def truthy(value: Optional[str]) -> bool:
    """How the server reads a boolean query parameter."""
    return (value or "").lower() in ("true", "y", "yes", "1")


URN_RE = re.compile(r"^(tel|whatsapp|telegram|twitter|twitterid|facebook|mailto|ext|viber|line|discord|slack):[^\s]+$")
LANGUAGE_RE = re.compile(r"^[a-z]{3}$")


class Workspace:
    """The objects of one workspace, and the operations of the API on them.

    All access goes through the server's single lock (``lock``), so a request sees and leaves the
    store consistent.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.rows: Dict[str, List[Obj]] = {kind: [] for kind in KINDS}
        self.info: Obj = {
            "uuid": "6a44ca78-a4c2-4862-a7d3-2932f9b3a7c3",
            "name": "Local Workspace",
            "country": "RW",
            "languages": ["eng", "fra", "kin"],
            "primary_language": "eng",
            "timezone": "Africa/Kigali",
            "date_style": "day_first",
            "anon": False,
            "credits": {"used": 0, "remaining": 1000000},
        }
        self.media_bytes: Dict[str, bytes] = {}
        self._seq = 0
        self._next_ids: Dict[str, int] = {}
        #: bumped by every change, so that indexes and sorted views are rebuilt only after changes
        self.version = 0
        self._caches: Dict[Any, Tuple[int, Any]] = {}

    def changed(self) -> None:
        """Marks the data as changed (the server calls it after every write)."""
        self.version += 1

    def cached(self, key: Any, build: Callable[[], Any]) -> Any:
        """``build()``, computed again only when the data changed since the last call with ``key``."""
        entry = self._caches.get(key)
        if entry is None or entry[0] != self.version:
            entry = (self.version, build())
            self._caches[key] = entry
        return entry[1]

    # ------------------------------------------------------------------------------------------
    # Rows
    # ------------------------------------------------------------------------------------------

    def add(self, kind: str, row: Obj) -> Obj:
        """Stores a new row (giving it an ``id`` when the kind has integer ids and none was set)."""
        self._seq += 1
        row["_seq"] = self._seq
        if kind in ID_KINDS and row.get("id") is None:
            row["id"] = self.next_id(kind)
        self.rows[kind].append(row)
        self.changed()
        return row

    def next_id(self, kind: str) -> int:
        current = self._next_ids.get(kind) or max((r["id"] for r in self.rows[kind]), default=0)
        self._next_ids[kind] = current + 1
        return current + 1

    def find(self, kind: str, attr: str, value: Any) -> Optional[Obj]:
        """The live row of ``kind`` whose ``attr`` is ``value``, or None."""
        try:
            return self.index(kind, attr).get(value)
        except TypeError:  # an unhashable value from a request body matches nothing
            return None

    def index(self, kind: str, attr: str = "uuid") -> Dict[Any, Obj]:
        """The live rows of ``kind`` by ``attr``."""

        def build() -> Dict[Any, Obj]:
            return {row[attr]: row for row in self.rows[kind] if not row.get("_deleted") and attr in row}

        return self.cached(("index", kind, attr), build)

    def counts(self, kind: str, attr: str) -> Dict[Any, int]:
        """How many live rows of ``kind`` hold each value in their list ``attr`` (e.g. contacts per group)."""

        def build() -> Dict[Any, int]:
            totals: Dict[Any, int] = {}
            for row in self.rows[kind]:
                if not row.get("_deleted") and row.get("visibility") != "deleted":
                    for value in row[attr]:
                        totals[value] = totals.get(value, 0) + 1
            return totals

        return self.cached(("counts", kind, attr), build)

    def ref(self, kind: str, key: Optional[str], attr: str = "uuid") -> Optional[Obj]:
        """A ``{"uuid", "name"}`` reference to an object, or None."""
        if key is None:
            return None
        row = self.find(kind, attr, key)
        return {attr: key, "name": row["name"] if row else None}

    def contact_ref(self, contact_uuid: Optional[str]) -> Optional[Obj]:
        return self.ref("contacts", contact_uuid)

    def user_ref(self, email: Optional[str]) -> Optional[Obj]:
        if email is None:
            return None
        user = self.find("users", "email", email)
        name = "%s %s" % (user["first_name"], user["last_name"]) if user else ""
        return {"email": email, "name": name.strip()}

    # ------------------------------------------------------------------------------------------
    # Looking up references given in bodies
    # ------------------------------------------------------------------------------------------

    def resolve_contact(self, value: Any, field: str = "contacts") -> Obj:
        """A contact by UUID or URN."""
        if isinstance(value, str):
            if ":" in value:
                for row in self.rows["contacts"]:
                    if value in row["urns"] and not row.get("_deleted"):
                        return row
            else:
                found = self.find("contacts", "uuid", value)
                if found:
                    return found
        raise invalid(field, "No such object: %s" % (value,))

    def resolve_group(self, value: Any, field: str = "group", allow_smart: bool = True) -> Obj:
        """A group by UUID or (case-insensitive) name."""
        if isinstance(value, str):
            for row in self.rows["groups"]:
                if not row.get("_deleted") and (row["uuid"] == value or row["name"].lower() == value.lower()):
                    if not allow_smart and row["query"]:
                        raise invalid(field, "Contact group must not be query based: %s" % value)
                    return row
        raise invalid(field, "No such object: %s" % (value,))

    def resolve(self, kind: str, value: Any, field: str, attr: str = "uuid") -> Obj:
        row = self.find(kind, attr, value) if isinstance(value, (str, int)) else None
        if row is None:
            raise invalid(field, "No such object: %s" % (value,))
        return row

    def resolve_label(self, value: Any, field: str = "label") -> Obj:
        if isinstance(value, str):
            for row in self.rows["labels"]:
                if not row.get("_deleted") and (row["uuid"] == value or row["name"].lower() == value.lower()):
                    return row
        raise invalid(field, "No such object: %s" % (value,))

    # ------------------------------------------------------------------------------------------
    # Rendering rows as API objects
    # ------------------------------------------------------------------------------------------

    def render(self, kind: str, row: Obj, params: Optional[Dict[str, str]] = None) -> Obj:
        return RENDERERS[kind](self, row, params or {})

    def dump(self) -> Obj:
        """The whole workspace as JSON-able data (see :meth:`load`)."""
        with self.lock:
            rows = {kind: [dict(row) for row in rows] for kind, rows in self.rows.items()}
            media = {key: value.hex() for key, value in self.media_bytes.items()}
            return {"version": 1, "workspace": dict(self.info), "rows": rows, "media": media}

    def load(self, data: Obj) -> None:
        """Replaces the workspace with data from :meth:`dump`."""
        with self.lock:
            self.info = dict(data["workspace"])
            self.rows = {kind: [dict(row) for row in data["rows"].get(kind, [])] for kind in KINDS}
            self.media_bytes = {key: bytes.fromhex(value) for key, value in data.get("media", {}).items()}
            self._seq = max((row.get("_seq", 0) for rows in self.rows.values() for row in rows), default=0)
            self._next_ids = {}
            self.changed()


#: Kinds whose objects are identified by an integer id the server assigns.
ID_KINDS = frozenset({"broadcasts", "channel_events", "flow_starts", "messages", "resthook_subscribers", "runs"})


def _plain(*fields: str) -> Callable[[Workspace, Obj, Dict[str, str]], Obj]:
    """A renderer that copies the listed fields."""

    def render(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
        return {field: row.get(field) for field in fields}

    return render


def _render_broadcast(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    return {
        "id": row["id"],
        "urns": list(row["urns"]),
        "contacts": [ws.contact_ref(u) for u in row["contact_uuids"]],
        "groups": [ws.ref("groups", u) for u in row["group_uuids"]],
        "text": dict(row["text"]),
        "attachments": {lang: list(items) for lang, items in row["attachments"].items()},
        "base_language": row["base_language"],
        "status": row["status"],
        "created_on": row["created_on"],
    }


def _render_campaign(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    return {
        "uuid": row["uuid"],
        "name": row["name"],
        "archived": row["archived"],
        "group": ws.ref("groups", row["group_uuid"]),
        "created_on": row["created_on"],
    }


def _render_campaign_event(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
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


def _render_channel_event(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    return {
        "id": row["id"],
        "type": row["type"],
        "contact": ws.contact_ref(row["contact_uuid"]),
        "channel": ws.ref("channels", row["channel_uuid"]),
        "extra": row["extra"],
        "occurred_on": row["occurred_on"],
        "created_on": row["created_on"],
    }


def _render_contact(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    if row.get("_deleted"):
        return {
            "uuid": row["uuid"],
            "name": None,
            "anon_display": None,
            "status": None,
            "language": None,
            "urns": [],
            "groups": [],
            "fields": {},
            "flow": None,
            "created_on": row["created_on"],
            "modified_on": row["modified_on"],
            "last_seen_on": None,
            "blocked": None,
            "stopped": None,
        }
    urns: List[Any] = list(row["urns"])
    if truthy(params.get("expand_urns")):
        channels = ws.rows["channels"]
        channel = {"uuid": channels[0]["uuid"], "name": channels[0]["name"]} if channels else None
        urns = [
            {"channel": channel, "scheme": urn.split(":", 1)[0], "path": urn.split(":", 1)[1], "display": None}
            for urn in urns
        ]
    anon = ws.info["anon"]
    return {
        "uuid": row["uuid"],
        "name": row["name"],
        "anon_display": "%010d" % row["_seq"] if anon else None,
        "status": row["status"],
        "language": row["language"],
        "urns": [] if anon else urns,
        "groups": [ws.ref("groups", u) for u in row["group_uuids"]],
        "fields": {field["key"]: row["fields"].get(field["key"]) for field in ws.rows["fields"]},
        "flow": ws.ref("flows", row["flow_uuid"]),
        "created_on": row["created_on"],
        "modified_on": row["modified_on"],
        "last_seen_on": row["last_seen_on"],
        "blocked": row["status"] == "blocked",
        "stopped": row["status"] == "stopped",
    }


_VALUE_TYPES = {"text": "text", "number": "numeric", "datetime": "datetime", "state": "state"}
_VALUE_TYPES.update(district="district", ward="ward")


def _render_field(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    events = sum(1 for e in ws.rows["campaign_events"] if e["relative_to"] == row["key"] and not e.get("_deleted"))
    return {
        "key": row["key"],
        "name": row["name"],
        "type": row["type"],
        "featured": row["featured"],
        "priority": row["priority"],
        "usages": {"campaign_events": events, "flows": row.get("flow_usages", 0), "groups": 0},
        "agent_access": row["agent_access"],
        "label": row["name"],
        "value_type": _VALUE_TYPES[row["type"]],
    }


def _render_flow(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    return {
        "uuid": row["uuid"],
        "name": row["name"],
        "type": row["type"],
        "archived": row["archived"],
        "labels": [dict(label) for label in row["labels"]],
        "expires": row["expires"],
        "runs": dict(row["runs"]),
        "results": [dict(result) for result in row["results"]],
        "parent_refs": list(row["parent_refs"]),
        "created_on": row["created_on"],
        "modified_on": row["modified_on"],
    }


def _render_flow_start(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    return {
        "id": row["id"],
        "uuid": row["uuid"],
        "flow": ws.ref("flows", row["flow_uuid"]),
        "status": row["status"],
        "groups": [ws.ref("groups", u) for u in row["group_uuids"]],
        "contacts": [ws.contact_ref(u) for u in row["contact_uuids"]],
        "params": row["params"],
        "created_on": row["created_on"],
        "modified_on": row["modified_on"],
        "extra": row["params"],
        "restart_participants": row["restart_participants"],
        "exclude_active": row["exclude_active"],
    }


def _render_group(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    count = ws.counts("contacts", "group_uuids").get(row["uuid"], 0)
    return {
        "uuid": row["uuid"],
        "name": row["name"],
        "query": row["query"],
        "status": row["status"],
        "system": row["system"],
        "count": count,
    }


def _render_label(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    count = ws.counts("messages", "label_uuids").get(row["uuid"], 0)
    return {"uuid": row["uuid"], "name": row["name"], "count": count}


def _render_message(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    return {
        "id": row["id"],
        "broadcast": row["broadcast"],
        "contact": ws.contact_ref(row["contact_uuid"]),
        "urn": row["urn"],
        "channel": ws.ref("channels", row["channel_uuid"]),
        "direction": row["direction"],
        "type": row["type"],
        "status": row["status"],
        "archived": row["visibility"] == "archived",
        "visibility": row["visibility"],
        "text": row["text"],
        "labels": [ws.ref("labels", u) for u in row["label_uuids"]],
        "flow": ws.ref("flows", row["flow_uuid"]),
        "attachments": [dict(a) for a in row["attachments"]],
        "created_on": row["created_on"],
        "sent_on": row["sent_on"],
        "modified_on": row["modified_on"],
        "media": None,
    }


def _render_run(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    contact = ws.find("contacts", "uuid", row["contact_uuid"])
    urn = contact["urns"][0] if contact and contact["urns"] else None
    return {
        "id": row["id"],
        "uuid": row["uuid"],
        "flow": ws.ref("flows", row["flow_uuid"]),
        "contact": {
            "uuid": row["contact_uuid"],
            "name": contact["name"] if contact else None,
            "urn": urn,
            "urn_display": urn.split(":", 1)[1] if urn else None,
        },
        "start": {"uuid": row["start_uuid"]} if row["start_uuid"] else None,
        "responded": row["responded"],
        "path": row["path"] if truthy(params.get("paths", "true")) else None,
        "values": row["values"],
        "created_on": row["created_on"],
        "modified_on": row["modified_on"],
        "exited_on": row["exited_on"],
        "exit_type": row["exit_type"],
    }


def _render_template(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    return {
        "uuid": row["uuid"],
        "name": row["name"],
        "translations": [dict(t, channel=ws.ref("channels", t["channel"])) for t in row["translations"]],
        "created_on": row["created_on"],
        "modified_on": row["modified_on"],
    }


def _render_ticket(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    return {
        "uuid": row["uuid"],
        "contact": ws.contact_ref(row["contact_uuid"]),
        "status": row["status"],
        "topic": ws.ref("topics", row["topic_uuid"]),
        "body": row["body"],
        "assignee": ws.user_ref(row["assignee"]),
        "opened_on": row["opened_on"],
        "opened_by": ws.user_ref(row["opened_by"]),
        "opened_in": ws.ref("flows", row["opened_in"]),
        "modified_on": row["modified_on"],
        "closed_on": row["closed_on"],
    }


def _render_topic(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
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


def _render_boundary(ws: Workspace, row: Obj, params: Dict[str, str]) -> Obj:
    shown = {key: row[key] for key in ("osm_id", "name", "parent", "level", "aliases")}
    shown["geometry"] = row["geometry"] if truthy(params.get("geometry")) else None
    return shown


RENDERERS: Dict[str, Callable[[Workspace, Obj, Dict[str, str]], Obj]] = {
    "archives": _plain("archive_type", "start_date", "period", "record_count", "size", "hash", "download_url"),
    "boundaries": _render_boundary,
    "broadcasts": _render_broadcast,
    "campaigns": _render_campaign,
    "campaign_events": _render_campaign_event,
    "channels": _plain("uuid", "name", "address", "country", "device", "last_seen", "created_on"),
    "channel_events": _render_channel_event,
    "classifiers": _plain("uuid", "name", "type", "intents", "created_on"),
    "contacts": _render_contact,
    "fields": _render_field,
    "flows": _render_flow,
    "flow_starts": _render_flow_start,
    "globals": _plain("key", "name", "value", "modified_on"),
    "groups": _render_group,
    "labels": _render_label,
    "media": _plain("uuid", "content_type", "url", "filename", "size"),
    "messages": _render_message,
    "optins": _plain("uuid", "name", "created_on"),
    "resthooks": _plain("resthook", "created_on", "modified_on"),
    "resthook_events": _plain("resthook", "data", "created_on"),
    "resthook_subscribers": _plain("id", "resthook", "target_url", "created_on"),
    "runs": _render_run,
    "templates": _render_template,
    "tickets": _render_ticket,
    "topics": _render_topic,
    "users": _plain("email", "first_name", "last_name", "role", "created_on"),
}


def strings(value: Any, field: str, limit: int) -> List[str]:
    """A body's list of strings, at most ``limit`` long."""
    if not isinstance(value, list) or not all(isinstance(item, (str, int)) for item in value):
        raise invalid(field, 'Expected a list of items but got type "%s".' % type(value).__name__)
    if len(value) > limit:
        raise invalid(field, "This field can only contain up to %d items." % limit)
    return [str(item) for item in value]


def text(value: Any, field: str, limit: int, required: bool = True) -> Optional[str]:
    if value is None:
        if required:
            raise invalid(field, "This field is required.")
        return None
    if not isinstance(value, str):
        raise invalid(field, "Not a valid string.")
    if required and not value.strip():
        raise invalid(field, "This field may not be blank.")
    if len(value) > limit:
        raise invalid(field, "Ensure this field has no more than %d characters." % limit)
    return value


def translations(value: Any, field: str, limit: int, default_language: str) -> Dict[str, str]:
    """A text that is a string (the default language) or a dict of translations."""
    if isinstance(value, str):
        value = {default_language: value}
    if not isinstance(value, dict) or not value:
        raise invalid(field, "Must be a string or a dict of translations.")
    for lang, item in value.items():
        if not LANGUAGE_RE.match(str(lang)):
            raise invalid(field, "Invalid language code: %s" % lang)
        text(item, field, limit)
    return dict(value)


def integer(value: Any, field: str, low: Optional[int] = None, high: Optional[int] = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(field, "A valid integer is required.")
    if (low is not None and value < low) or (high is not None and value > high):
        raise invalid(field, "Ensure this value is between %s and %s." % (low, high))
    return value


def iter_rows(rows: Iterable[Obj]) -> Iterable[Obj]:
    return (row for row in rows if not row.get("_deleted"))


def key_of(name: str) -> str:
    """The key the server derives from a field or global name."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:36] or "field"


def position_key(row: Obj, attr: str) -> Tuple[Any, int]:
    return (row.get(attr) or "", row["_seq"])

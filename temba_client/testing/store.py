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
    "teams",
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
        self.lock: threading.RLock = threading.RLock()
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
        }
        #: ``"26.3"`` or ``"9"``: which server's fields the objects show (set by the server)
        self.server_version = "26.3"
        from .archives import ArchiveStorage

        #: the archive files and their download URLs
        self.storage: ArchiveStorage = ArchiveStorage()
        self._last_stamp = ""
        #: the most objects a page holds (250, as on the real server; tests may lower it)
        self.page_size: int = 250
        self.media_bytes: Dict[str, bytes] = {}
        self._seq = 0
        self._next_ids: Dict[str, int] = {}
        #: bumped by every change, so that indexes and sorted views are rebuilt only after changes
        self.version: int = 0
        self._caches: Dict[Any, Tuple[int, Any]] = {}

    def changed(self) -> None:
        """Marks the data as changed (the server calls it after every write)."""
        self.version += 1

    def stamp(self) -> str:
        """Now, as a stored datetime, strictly later than every stamp given before (for ``modified_on``)."""
        value = now()
        if value <= self._last_stamp:
            last = datetime.datetime.strptime(self._last_stamp, "%Y-%m-%dT%H:%M:%S.%fZ")
            value = format_datetime(last.replace(tzinfo=datetime.timezone.utc) + datetime.timedelta(microseconds=1))
        self._last_stamp = value
        return value

    # ------------------------------------------------------------------------------------------
    # Helpers for tests: change the data between requests
    # ------------------------------------------------------------------------------------------

    def get(self, kind: str, key: Any) -> Obj:
        """The stored row of ``kind`` identified by ``key`` (its uuid, id, key or resthook slug).

        :param kind: the endpoint, e.g. ``"contacts"``
        :param key: the identifier
        """
        with self.lock:
            for row in self.rows[kind]:
                if key in (row.get("uuid"), row.get("id"), row.get("key"), row.get("resthook")):
                    return row
        raise KeyError("no %s %r" % (kind, key))

    def modify(self, kind: str, key: Any, **changes: Any) -> Obj:
        """Changes a stored row as an edit in RapidPro would, bumping its ``modified_on`` (if it has one).

        ::

            server.workspace.modify("contacts", contact_uuid, name="Renamed")

        :param kind: the endpoint, e.g. ``"contacts"``
        :param key: the row's uuid, id or key
        :param changes: the stored attributes to set
        :return: the row
        """
        with self.lock:
            row = self.get(kind, key)
            row.update(changes)
            if "modified_on" in row and "modified_on" not in changes:
                row["modified_on"] = self.stamp()
            self.changed()
            return row

    def delete(self, kind: str, key: Any) -> Obj:
        """Deletes a stored row as RapidPro does: contacts move to the ``deleted=true`` listing (bumping
        ``modified_on``), messages get the ``deleted`` visibility, other objects disappear.

        :param kind: the endpoint, e.g. ``"contacts"``
        :param key: the row's uuid, id or key
        :return: the row
        """
        with self.lock:
            row = self.get(kind, key)
            if kind == "contacts":
                row.update(_deleted=True, urns=[], group_uuids=[], notes=[], modified_on=self.stamp())
            elif kind == "messages":
                row.update(visibility="deleted", label_uuids=[], modified_on=self.stamp())
            else:
                row["_deleted"] = True
            self.changed()
            return row

    def archive(self, kind: str, period: str, start_date: Any) -> Obj:
        """Moves the messages (created) or runs (modified) of a day or month into a new archive file.

        :param kind: ``"message"`` or ``"run"``
        :param period: ``"daily"`` or ``"monthly"``
        :param start_date: the day, a date or ``"YYYY-MM-DD"`` (monthly: any day of the month)
        :return: the archive row
        """
        from .archives import archive

        return archive(self, kind, period, start_date)

    def rollup(self, kind: str, month: Any) -> Obj:
        """Turns the daily archives of a month into one monthly archive (the dailies are no longer listed).

        :param kind: ``"message"`` or ``"run"``
        :param month: a date, ``"YYYY-MM"`` or ``"YYYY-MM-DD"``
        :return: the monthly archive row
        """
        from .archives import rollup

        return rollup(self, kind, month)

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
        """The API object of a stored row (see :mod:`~temba_client.testing.render`).

        :param kind: the endpoint, e.g. ``"contacts"``
        :param row: the stored row
        :param params: the request's query params (first values)
        """
        from .render import render

        return render(self, kind, row, params or {})

    def dump(self) -> Obj:
        """The whole workspace as JSON-able data (see :meth:`load`)."""
        with self.lock:
            rows = {kind: [dict(row) for row in rows] for kind, rows in self.rows.items()}
            media = {key: value.hex() for key, value in self.media_bytes.items()}
            files = {key: value.hex() for key, value in self.storage.files.items()}
            return {"version": 1, "workspace": dict(self.info), "rows": rows, "media": media, "archive_files": files}

    def load(self, data: Obj) -> None:
        """Replaces the workspace with data from :meth:`dump`."""
        with self.lock:
            self.info = dict(data["workspace"])
            self.rows = {kind: [dict(row) for row in data["rows"].get(kind, [])] for kind in KINDS}
            self.media_bytes = {key: bytes.fromhex(value) for key, value in data.get("media", {}).items()}
            files = data.get("archive_files", {})
            self.storage.files = {key: bytes.fromhex(value) for key, value in files.items()}
            self._seq = max((row.get("_seq", 0) for rows in self.rows.values() for row in rows), default=0)
            self._next_ids = {}
            self.changed()


#: Kinds whose objects are identified by an integer id the server assigns.
ID_KINDS = frozenset({"broadcasts", "channel_events", "flow_starts", "messages", "resthook_subscribers", "runs"})


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

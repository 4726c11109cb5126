"""Query filters of the local server: each turns a query param's values into a predicate on rows."""

from __future__ import annotations

import uuid as uuid_module
from typing import Callable, Dict, List, Tuple

from .store import Obj, Workspace, bad_query, iter_rows, parse_datetime, truthy

Params = Dict[str, List[str]]
Predicate = Callable[[Obj], bool]
FilterFactory = Callable[[Workspace, List[str]], Predicate]


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
}


def message_folder(ws: Workspace, values: List[str]) -> Predicate:
    folder = FOLDERS.get(values[0].lower())
    return folder if folder is not None else (lambda row: False)


def same_name(ws: Workspace, values: List[str]) -> Predicate:
    return lambda row: row["name"].lower() == values[0].lower()


class ServerBug(Exception):
    """A request the real server fails on with a 500 (e.g. a malformed ``uuid`` on tickets)."""


MAX_VALUES = 100


def check_uuid(name: str, value: str) -> str:
    """``value`` if it is a UUID, else the server's 400 naming the param.

    :param name: the query param's name
    :param value: its value
    """
    try:
        uuid_module.UUID(value)
    except ValueError:
        raise bad_query("Param '%s': %s is not a valid UUID." % (name, value)) from None
    return value


def uuid_param(attr: str, name: str = "uuid") -> FilterFactory:
    """A repeatable UUID filter (at most 100 values), validated as the server does."""

    def make(ws: Workspace, values: List[str]) -> Predicate:
        if len(values) > MAX_VALUES:
            raise bad_query("Param '%s' can have a maximum of %d values." % (name, MAX_VALUES))
        wanted = {check_uuid(name, value) for value in values}
        return lambda row: row.get(attr) in wanted

    return make


def unchecked_uuid(attr: str) -> FilterFactory:
    """A UUID filter the server does not validate: a malformed value is a 500 (tickets)."""

    def make(ws: Workspace, values: List[str]) -> Predicate:
        try:
            uuid_module.UUID(values[0])
        except ValueError:
            raise ServerBug(values[0]) from None
        return lambda row: row.get(attr) == values[0]

    return make


def unchecked_integer(attr: str) -> FilterFactory:
    """An integer filter the server does not validate: a malformed value is a 500 (messages' broadcast)."""

    def make(ws: Workspace, values: List[str]) -> Predicate:
        if not values[0].lstrip("-").isdigit():
            raise ServerBug(values[0])
        wanted = int(values[0])
        return lambda row: row.get(attr) == wanted

    return make


def on_date(attr: str, before: bool) -> FilterFactory:
    """``before``/``after`` on a date attribute (archives' ``start_date``)."""

    def make(ws: Workspace, values: List[str]) -> Predicate:
        when = parse_datetime(values[0])
        if when is None:
            return lambda row: False
        day = when[:10]
        return (lambda row: row[attr] <= day) if before else (lambda row: row[attr] >= day)

    return make


def manual_only(ws: Workspace, values: List[str]) -> Predicate:
    """Groups' ``manual_only``: true keeps manual, non-system groups."""
    if not truthy(values[0]):
        return lambda row: True
    return lambda row: row["query"] is None and not row["system"]


def choice(attr: str, known: Tuple[str, ...]) -> FilterFactory:
    """A repeatable filter that drops unknown values (none known: nothing matches), as users' ``role``."""

    def make(ws: Workspace, values: List[str]) -> Predicate:
        wanted = {value for value in values if value in known}
        return lambda row: row.get(attr) in wanted

    return make


def any_of_insensitive(attr: str) -> FilterFactory:
    """A repeatable, case-insensitive filter (users' ``email``)."""

    def make(ws: Workspace, values: List[str]) -> Predicate:
        wanted = {value.lower() for value in values}
        return lambda row: str(row.get(attr)).lower() in wanted

    return make


def period(ws: Workspace, values: List[str]) -> Predicate:
    """Archives' ``period``: other values than daily and monthly are ignored."""
    if values[0] not in ("daily", "monthly"):
        return lambda row: True
    return lambda row: row["period"] == values[0]

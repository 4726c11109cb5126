"""The endpoints of the local server, declared as data: filters, order, lookups and write handlers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, Optional, Tuple

from .filters import (
    FilterFactory,
    Predicate,
    any_of_insensitive,
    boolean,
    check_uuid,
    choice,
    contact_group,
    contact_urn,
    dated,
    exact,
    integer_param,
    manual_only,
    message_folder,
    message_label,
    on_date,
    period,
    same_name,
    unchecked_integer,
    unchecked_uuid,
    uuid_param,
)
from .store import Obj, Workspace
from .writes import (
    create_broadcast,
    create_flow_start,
    create_message,
    create_subscriber,
    delete_contact,
    delete_group,
    delete_label,
    write_campaign,
    write_campaign_event,
    write_contact,
    write_field,
    write_global,
    write_group,
    write_label,
    write_named,
)

Handler = Callable[[Workspace, Obj], Obj]
UpdateHandler = Callable[[Workspace, Obj, Obj], Obj]


@dataclass
class View:
    """One endpoint of the local server."""

    kind: str
    model: str = ""  # the server's model name, for "No <Model> matches the given query."
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
    versions: Tuple[str, ...] = ("26.3", "9")  # the server versions that serve it
    only_26: Tuple[str, ...] = ()  # filters a "9" server does not read

    @property
    def allow(self) -> str:
        """The ``Allow`` header of the endpoint."""
        methods = ["GET"] if self.kind != "media" else []
        if self.create or self.update or self.kind == "media":
            methods.append("POST")
        if self.delete:
            methods.append("DELETE")
        return ", ".join([*methods, "HEAD", "OPTIONS"])

    def filters_for(self, version: str) -> Dict[str, FilterFactory]:
        """The filters a server of ``version`` reads."""
        if version == "26.3":
            return self.filters
        return {name: f for name, f in self.filters.items() if name not in self.only_26}


def _gone(ws: Workspace, row: Obj) -> None:
    row["_deleted"] = True


VIEWS: Dict[str, View] = {
    view.kind: view
    for view in [
        View(
            "archives",
            order="start_date",
            paging="offset",
            filters={
                "archive_type": exact("archive_type"),
                "type": exact("archive_type"),
                "period": period,
                "before": on_date("start_date", True),
                "after": on_date("start_date", False),
            },
            only_26=("type",),
            visible=lambda row: not row.get("rolled_up"),
        ),
        View("boundaries", order="osm_id", ascending=True),
        View(
            "broadcasts",
            filters={"uuid": uuid_param("uuid"), "id": integer_param("id", "id"), **dated("created_on")},
            only_26=("uuid",),
            create=create_broadcast,
        ),
        View(
            "campaigns",
            model="Campaign",
            filters={"uuid": uuid_param("uuid")},
            create=write_campaign,
            update=write_campaign,
            lookups=("uuid",),
        ),
        View(
            "campaign_events",
            model="CampaignEvent",
            filters={"uuid": uuid_param("uuid"), "campaign": exact("campaign_uuid")},
            create=write_campaign_event,
            update=write_campaign_event,
            lookups=("uuid",),
            delete=_gone,
        ),
        View("channels", filters={"uuid": uuid_param("uuid"), "address": exact("address")}),
        View(
            "channel_events",
            filters={"id": integer_param("id", "id"), "contact": exact("contact_uuid"), **dated("created_on")},
        ),
        View("classifiers", filters={"uuid": uuid_param("uuid"), **dated("created_on")}, versions=("9",)),
        View(
            "contacts",
            model="Contact",
            order="modified_on",
            reversible=True,
            scope="v2.contacts",
            filters={"uuid": uuid_param("uuid"), "urn": contact_urn, "group": contact_group, **dated("modified_on")},
            create=write_contact,
            update=write_contact,
            delete=delete_contact,
            lookups=("uuid", "urn"),
        ),
        View(
            "fields",
            model="ContactField",
            filters={"key": exact("key")},
            create=write_field,
            update=write_field,
            lookups=("key",),
        ),
        View(
            "flows",
            filters={
                "uuid": uuid_param("uuid"),
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
            filters={"uuid": uuid_param("uuid"), **dated("modified_on")},  # no id filter
        ),
        View(
            "globals",
            model="Global",
            order="modified_on",
            reversible=True,
            filters={"key": exact("key"), **dated("modified_on")},
            create=write_global,
            update=write_global,
            lookups=("key",),
        ),
        View(
            "groups",
            model="ContactGroup",
            filters={"uuid": uuid_param("uuid"), "name": same_name, "manual_only": manual_only},
            only_26=("manual_only",),
            exclusive=("uuid", "name"),
            create=write_group,
            update=write_group,
            delete=delete_group,
            lookups=("uuid",),
        ),
        View(
            "labels",
            model="Label",
            filters={"uuid": uuid_param("uuid"), "name": same_name},
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
                "uuid": uuid_param("uuid"),
                "id": integer_param("id", "id"),
                "broadcast": unchecked_integer("broadcast"),
                "contact": exact("contact_uuid"),
                "folder": message_folder,
                "label": message_label,
                **dated("created_on"),
            },
            only_26=("uuid",),
            exclusive=("contact", "folder", "label", "broadcast"),
            visible=lambda row: row["visibility"] != "deleted",
        ),
        View("media"),  # POST only: multipart uploads, parsed by the server
        View("optins", create=write_named("optins"), versions=("9",)),
        View("resthooks", order="modified_on", reversible=True),
        View("resthook_events", filters={"resthook": exact("resthook")}),
        View(
            "resthook_subscribers",
            model="ResthookSubscriber",
            filters={"id": integer_param("id", "id"), "resthook": exact("resthook")},
            create=create_subscriber,
            delete=_gone,
            lookups=("id",),
        ),
        View(
            "runs",
            order="modified_on",
            reversible=True,
            scope="v2.runs",
            filters={
                "id": integer_param("id", "id"),
                "uuid": uuid_param("uuid"),
                "flow": uuid_param("flow_uuid", "flow"),
                "contact": exact("contact_uuid"),
                "responded": boolean("responded"),
                **dated("modified_on"),
            },
            exclusive=("flow", "contact"),
        ),
        View("templates", order="modified_on", reversible=True, filters=dated("modified_on"), versions=("9",)),
        View(
            "tickets",
            order="modified_on",
            reversible=True,
            filters={"uuid": unchecked_uuid("uuid"), "contact": exact("contact_uuid")},
        ),
        View("topics", model="Topic", create=write_named("topics"), update=write_named("topics"), lookups=("uuid",)),
        View(
            "users",
            order="created_on",
            filters={
                "uuid": uuid_param("uuid"),
                "email": any_of_insensitive("email"),
                "role": choice("role", ("administrator", "editor", "agent")),
            },
            only_26=("uuid",),
        ),
    ]
}

#: Endpoints answered by functions rather than listings, with the versions that serve them.
SPECIAL: Dict[str, Tuple[str, ...]] = {
    "contact_actions": ("26.3", "9"),
    "message_actions": ("26.3", "9"),
    "ticket_actions": ("26.3", "9"),
    "definitions": ("26.3", "9"),
    "org": ("26.3", "9"),
    "workspace": ("26.3", "9"),
    "statistics": ("26.3",),
}


def served(endpoint: str, version: str) -> bool:
    """Whether a server of ``version`` has ``endpoint`` (else: the router's 404 page)."""
    view = VIEWS.get(endpoint)
    if view is not None:
        return version in view.versions
    return version in SPECIAL.get(endpoint, ())


def scope_of(endpoint: str, version: str) -> str:
    """The throttling scope of an endpoint (older servers had a ``v2.broadcasts`` scope)."""
    if endpoint == "broadcasts" and version != "26.3":
        return "v2.broadcasts"
    view = VIEWS.get(endpoint)
    return view.scope if view else "v2"


__all__ = ["SPECIAL", "VIEWS", "View", "check_uuid", "scope_of", "served"]

"""Declarations of the API v2 endpoints, from the server's contract (docs: API v2 contract).

Each declaration says what the server reads (filters, lookups) and enforces (required attributes,
list limits, exclusive choices); :class:`~temba_client.base.BaseClient` turns them into checks made
before anything is sent, worded as the server words the same refusal (RapidPro 26.3's serializers
and views; ``wording`` where a declaration's generic wording is not the server's).
"""

from __future__ import annotations

from ..base import MAX_ATTACHMENTS, MAX_BODY_LIST, MAX_QUICK_REPLIES, Endpoint
from . import types

ARCHIVES = Endpoint(
    "archives",
    types.Archive,
    filters=("type", "archive_type", "period", "before", "after"),
    renames={"type": "archive_type"},
)
BOUNDARIES = Endpoint("boundaries", types.Boundary, filters=("geometry",))
BROADCASTS = Endpoint(
    "broadcasts",
    types.Broadcast,
    filters=("id", "uuid", "before", "after"),
    one_of=(("text", "attachments"), ("urns", "contacts", "groups")),
    limits={
        "urns": MAX_BODY_LIST,
        "contacts": MAX_BODY_LIST,
        "groups": MAX_BODY_LIST,
        "attachments": MAX_ATTACHMENTS,
        "quick_replies": MAX_QUICK_REPLIES,
    },
)
CAMPAIGNS = Endpoint("campaigns", types.Campaign, filters=("uuid",), lookups=("uuid",), required=("name", "group"))
CAMPAIGN_EVENTS = Endpoint(
    "campaign_events",
    types.CampaignEvent,
    filters=("uuid", "campaign"),
    lookups=("uuid",),
    required=("campaign", "relative_to", "offset", "unit", "delivery_hour"),
    one_of=(("message", "flow"),),
    exclusive=(("message", "flow"),),
    wording={("message", "flow"): "Flow or a message text required."},
)
CHANNELS = Endpoint("channels", types.Channel, filters=("uuid", "address"))
CHANNEL_EVENTS = Endpoint("channel_events", types.ChannelEvent, filters=("id", "contact", "before", "after"))
CLASSIFIERS = Endpoint("classifiers", types.Classifier, filters=("uuid", "before", "after"))
CONTACTS = Endpoint(
    "contacts",
    types.Contact,
    filters=("uuid", "urn", "group", "deleted", "before", "after", "reverse", "expand_urns", "urn_order"),
    lookups=("uuid", "urn"),
    limits={"urns": MAX_BODY_LIST, "groups": MAX_BODY_LIST, "fields": MAX_BODY_LIST},
)
CONTACT_ACTIONS = Endpoint("contact_actions", required=("contacts", "action"), limits={"contacts": MAX_BODY_LIST})
DEFINITIONS = Endpoint("definitions", types.Export, filters=("flow", "campaign", "dependencies"))
FIELDS = Endpoint("fields", types.Field, filters=("key",), lookups=("key",), required=("name", "type"))
FLOWS = Endpoint("flows", types.Flow, filters=("uuid", "type", "archived", "before", "after"))
FLOW_STARTS = Endpoint(
    "flow_starts",
    types.FlowStart,
    filters=("uuid", "before", "after", "reverse"),
    required=("flow",),
    one_of=(("urns", "contacts", "groups"),),
    limits={"urns": MAX_BODY_LIST, "contacts": MAX_BODY_LIST, "groups": MAX_BODY_LIST},
    wording={("urns", "contacts", "groups"): "Must specify at least one group, contact or URN"},
)
GLOBALS = Endpoint(
    "globals", types.Global, filters=("key", "before", "after", "reverse"), lookups=("key",), required=("name", "value")
)
GROUPS = Endpoint(
    "groups",
    types.Group,
    filters=("uuid", "name", "manual_only"),
    exclusive=(("uuid", "name"),),
    lookups=("uuid",),
    required=("name",),
)
LABELS = Endpoint(
    "labels",
    types.Label,
    filters=("uuid", "name"),
    exclusive=(("uuid", "name"),),
    lookups=("uuid",),
    required=("name",),
)
MEDIA = Endpoint("media", types.Media)
MESSAGES = Endpoint(
    "messages",
    types.Message,
    filters=("id", "uuid", "broadcast", "contact", "folder", "label", "before", "after"),
    integers=("broadcast",),  # the server fails (500) on a non-integer broadcast
    exclusive=(("contact", "folder", "label", "broadcast"),),
    required=("contact",),
    one_of=(("text", "attachments"),),
    limits={"attachments": MAX_ATTACHMENTS, "quick_replies": MAX_QUICK_REPLIES},
)
MESSAGE_ACTIONS = Endpoint(
    "message_actions",
    required=("messages", "action"),
    exclusive=(("label", "label_name"),),
    limits={"messages": MAX_BODY_LIST},
    wording={("label", "label_name"): "Can't specify both label and label_name."},
)
OPTINS = Endpoint("optins", types.OptIn, required=("name",))
ORG = Endpoint("org", types.Org)
RESTHOOKS = Endpoint("resthooks", types.Resthook, filters=("reverse",))
RESTHOOK_EVENTS = Endpoint("resthook_events", types.ResthookEvent, filters=("resthook",))
RESTHOOK_SUBSCRIBERS = Endpoint(
    "resthook_subscribers",
    types.ResthookSubscriber,
    filters=("id", "resthook"),
    lookups=("id",),
    required=("resthook", "target_url"),
)
RUNS = Endpoint(
    "runs",
    types.Run,
    filters=("id", "uuid", "flow", "contact", "responded", "before", "after", "reverse", "paths"),
    exclusive=(("contact", "flow"),),  # in the server's order: its refusal names them so
)
TEMPLATES = Endpoint("templates", types.Template, filters=("before", "after"))
STATISTICS = Endpoint("statistics", types.Statistics, filters=("since", "until"), dates=("since", "until"))
TICKETS = Endpoint(
    "tickets",
    types.Ticket,
    filters=("uuid", "contact", "reverse"),
    uuids=("uuid",),  # the server fails (500) on a malformed ticket UUID
)
TICKET_ACTIONS = Endpoint("ticket_actions", required=("tickets", "action"), limits={"tickets": MAX_BODY_LIST})
TOPICS = Endpoint("topics", types.Topic, lookups=("uuid",), required=("name",))
USERS = Endpoint("users", types.User, filters=("uuid", "email", "role"))
WORKSPACE = Endpoint("workspace", types.Workspace)

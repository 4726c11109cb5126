"""The objects of the API v2, one class each, with every field the server sends.

Datetimes are timezone-aware UTC :class:`datetime.datetime` objects; references to other objects
are small nested objects (:class:`ObjectRef` and friends); a field the server did not send is None.
Deprecated fields are kept as long as servers send them.
"""

from __future__ import annotations

from typing import Any, ClassVar, Tuple

from ..serialization import (
    BooleanField,
    DatetimeField,
    IntegerField,
    ListField,
    ObjectDictField,
    ObjectField,
    ObjectListField,
    SimpleField,
    TembaObject,
)

# ---------------------------------------------------------------------------------------------
# References to other objects
# ---------------------------------------------------------------------------------------------


class ObjectRef(TembaObject):
    """A reference to another object: ``{"uuid": ..., "name": ...}``."""

    uuid = SimpleField(shared=True)
    name = SimpleField(shared=True)


class FieldRef(TembaObject):
    """A reference to a contact field: ``{"key": ..., "name": ..., "label": ...}``."""

    key = SimpleField(shared=True)
    name = SimpleField(shared=True)
    label = SimpleField(shared=True)


class UserRef(TembaObject):
    """A reference to a user: ``{"email": ..., "name": ...}``."""

    email = SimpleField(shared=True)
    name = SimpleField(shared=True)


# ---------------------------------------------------------------------------------------------
# Objects of the endpoints, in alphabetical order
# ---------------------------------------------------------------------------------------------


class Archive(TembaObject):
    """A monthly or daily archive of messages or runs (``archives``)."""

    archive_type = SimpleField()
    type = SimpleField(src="archive_type")  # rapidpro-python's name for archive_type
    start_date = DatetimeField()
    period = SimpleField()
    record_count = IntegerField()
    size = IntegerField()
    hash = SimpleField()
    download_url = SimpleField()

    _repr_attrs = ("archive_type", "period", "start_date")


class Boundary(TembaObject):
    """An administrative boundary: country, state, district or ward (``boundaries``)."""

    class BoundaryRef(TembaObject):
        osm_id = SimpleField()
        name = SimpleField()

    class Geometry(TembaObject):
        type = SimpleField()
        coordinates = SimpleField()

    osm_id = SimpleField()
    name = SimpleField()
    parent = ObjectField(item_class=BoundaryRef)
    level = IntegerField()
    aliases = ListField()
    geometry = ObjectField(item_class=Geometry)


class Broadcast(TembaObject):
    """A message sent to several URNs, contacts and groups at once (``broadcasts``).

    ``text`` is a dict of translations, e.g. ``{"eng": "Hello"}``; ``attachments`` likewise maps
    each language to a list of attachments.
    """

    id = IntegerField()
    uuid = SimpleField()  # not sent by this API version's servers: kept for rapidpro-python code
    urns = ListField()
    contacts = ObjectListField(item_class=ObjectRef)
    groups = ObjectListField(item_class=ObjectRef)
    text = SimpleField()
    attachments = SimpleField()
    base_language = SimpleField()
    status = SimpleField()
    created_on = DatetimeField()

    _identity_attrs = ("id", "uuid")


class Campaign(TembaObject):
    """A campaign: events scheduled relative to a date field of the contacts of a group (``campaigns``)."""

    uuid = SimpleField()
    name = SimpleField()
    archived = BooleanField()
    group = ObjectField(item_class=ObjectRef)
    created_on = DatetimeField()


class CampaignEvent(TembaObject):
    """A campaign event: a message or flow, ``offset`` units of ``unit`` from a date field (``campaign_events``)."""

    uuid = SimpleField()
    campaign = ObjectField(item_class=ObjectRef)
    relative_to = ObjectField(item_class=FieldRef)
    offset = IntegerField()
    unit = SimpleField()
    delivery_hour = IntegerField()
    flow = ObjectField(item_class=ObjectRef)
    message = SimpleField()
    created_on = DatetimeField()


class Channel(TembaObject):
    """A channel through which messages are sent and received (``channels``)."""

    class Device(TembaObject):
        name = SimpleField()
        power_level = IntegerField()
        power_status = SimpleField()
        power_source = SimpleField()
        network_type = SimpleField()

    uuid = SimpleField()
    name = SimpleField()
    address = SimpleField()
    type = SimpleField()  # sent by newer hosted servers only
    country = SimpleField()
    device = ObjectField(item_class=Device)
    last_seen = DatetimeField()
    created_on = DatetimeField()


class ChannelEvent(TembaObject):
    """Something that happened on a channel: a call, a referral, an opt-in... (``channel_events``)."""

    id = IntegerField()
    type = SimpleField()
    contact = ObjectField(item_class=ObjectRef)
    channel = ObjectField(item_class=ObjectRef)
    extra = SimpleField()
    occurred_on = DatetimeField()
    created_on = DatetimeField()

    _repr_attrs = ("id", "type")


class Classifier(TembaObject):
    """An NLU classifier (``classifiers``)."""

    uuid = SimpleField()
    name = SimpleField()
    type = SimpleField()
    intents = ListField()
    created_on = DatetimeField()


class _URNListField(ListField):
    """A contact's URNs: strings, or :class:`Contact.URN` objects when fetched with ``expand_urns``."""

    _skips_null = True

    def deserialize(self, value: Any) -> Any:
        if value.__class__ is list and (not value or value[0].__class__ is str):
            return value  # plain URN strings, by far the most common case
        value = super().deserialize(value)
        if value:
            return [Contact.URN.deserialize(urn) if isinstance(urn, dict) else urn for urn in value]
        return value

    def serialize(self, value: Any) -> Any:
        if value is None:
            return None
        return [urn.serialize() if isinstance(urn, TembaObject) else urn for urn in value]


class Contact(TembaObject):
    """A contact (``contacts``).

    ``urns`` holds strings such as ``"tel:+250788123123"``, or :class:`Contact.URN` objects when
    fetched with ``expand_urns=True``. ``fields`` maps field keys to their values.
    """

    class URN(TembaObject):
        """A URN in its expanded form."""

        channel = ObjectField(item_class=ObjectRef)
        scheme = SimpleField(shared=True)
        path = SimpleField()
        display = SimpleField()

        _repr_attrs = ("scheme", "path")

    uuid = SimpleField()
    name = SimpleField()
    anon_display = SimpleField()
    status = SimpleField(shared=True)
    language = SimpleField(shared=True)
    urns = _URNListField()
    groups = ObjectListField(item_class=ObjectRef)
    fields = SimpleField()
    flow = ObjectField(item_class=ObjectRef)
    created_on = DatetimeField()
    modified_on = DatetimeField()
    last_seen_on = DatetimeField()
    blocked = BooleanField()  # deprecated: status == "blocked"
    stopped = BooleanField()  # deprecated: status == "stopped"


class Export(TembaObject):
    """An export of flow and campaign definitions with their dependencies (``definitions``)."""

    version = SimpleField()
    site = SimpleField()
    flows = ListField()
    campaigns = ListField()
    triggers = ListField()
    fields = ListField()
    groups = ListField()

    _repr_attrs = ("version",)


class Field(TembaObject):
    """A contact field (``fields``)."""

    class Usages(TembaObject):
        campaign_events = IntegerField()
        flows = IntegerField()
        groups = IntegerField()

    key = SimpleField()
    name = SimpleField()
    type = SimpleField()
    featured = BooleanField()
    priority = IntegerField()
    usages = ObjectField(item_class=Usages)
    agent_access = SimpleField()
    label = SimpleField()  # deprecated: name
    value_type = SimpleField()  # deprecated: type, with "numeric" for "number"


class Flow(TembaObject):
    """A flow (``flows``)."""

    class Runs(TembaObject):
        active = IntegerField()
        waiting = IntegerField()
        completed = IntegerField()
        interrupted = IntegerField()
        expired = IntegerField()
        failed = IntegerField()

    class FlowResult(TembaObject):
        key = SimpleField()
        name = SimpleField()
        categories = SimpleField()
        node_uuids = SimpleField()

    uuid = SimpleField()
    name = SimpleField()
    type = SimpleField()
    archived = BooleanField()
    labels = ObjectListField(item_class=ObjectRef)
    expires = IntegerField()
    runs = ObjectField(item_class=Runs)
    results = ObjectListField(item_class=FlowResult)
    parent_refs = ListField()
    created_on = DatetimeField()
    modified_on = DatetimeField()


class FlowStart(TembaObject):
    """A request to start contacts in a flow (``flow_starts``)."""

    id = IntegerField()
    uuid = SimpleField()
    flow = ObjectField(item_class=ObjectRef)
    status = SimpleField()
    groups = ObjectListField(item_class=ObjectRef)
    contacts = ObjectListField(item_class=ObjectRef)
    params = SimpleField()
    extra = SimpleField()  # deprecated: params
    restart_participants = BooleanField()
    exclude_active = BooleanField()
    created_on = DatetimeField()
    modified_on = DatetimeField()


class Global(TembaObject):
    """A workspace global value (``globals``)."""

    key = SimpleField()
    name = SimpleField()
    value = SimpleField()
    modified_on = DatetimeField()


class Group(TembaObject):
    """A contact group; a smart group has a ``query`` (``groups``)."""

    uuid = SimpleField()
    name = SimpleField()
    query = SimpleField()
    status = SimpleField()
    system = BooleanField()
    count = IntegerField()


class Label(TembaObject):
    """A message label (``labels``)."""

    uuid = SimpleField()
    name = SimpleField()
    count = IntegerField()


class Media(TembaObject):
    """An uploaded media file, to attach to messages and broadcasts by its uuid (``media``)."""

    uuid = SimpleField()
    content_type = SimpleField()
    url = SimpleField()
    filename = SimpleField()
    size = IntegerField()

    _repr_attrs = ("uuid", "filename", "content_type")


class Message(TembaObject):
    """An incoming or outgoing message (``messages``)."""

    class AttachmentRef(TembaObject):
        content_type = SimpleField(shared=True)
        url = SimpleField()

    class QuickReply(TembaObject):
        text = SimpleField()
        extra = SimpleField()

    id = IntegerField()
    uuid = SimpleField()  # sent by newer hosted servers only
    broadcast = IntegerField()
    contact = ObjectField(item_class=ObjectRef)
    urn = SimpleField()
    channel = ObjectField(item_class=ObjectRef)
    direction = SimpleField(shared=True)
    type = SimpleField(shared=True)
    status = SimpleField(shared=True)
    archived = BooleanField()  # deprecated: visibility == "archived"
    visibility = SimpleField(shared=True)
    text = SimpleField()
    labels = ObjectListField(item_class=ObjectRef)
    flow = ObjectField(item_class=ObjectRef)
    attachments = ObjectListField(item_class=AttachmentRef)
    quick_replies = ObjectListField(item_class=QuickReply)  # sent by newer hosted servers only
    created_on = DatetimeField()
    sent_on = DatetimeField()
    modified_on = DatetimeField()
    media = SimpleField()  # deprecated: attachments

    # message actions take the integer id: it goes first
    _identity_attrs: ClassVar[Tuple[str, ...]] = ("id", "uuid")
    _repr_attrs = ("id", "direction", "text")


class OptIn(TembaObject):
    """An opt-in that contacts can give or withdraw on a channel (``optins``)."""

    uuid = SimpleField()
    name = SimpleField()
    created_on = DatetimeField()


class Org(TembaObject):
    """The workspace of the token (``org``, deprecated alias of ``workspace``)."""

    uuid = SimpleField()
    name = SimpleField()
    country = SimpleField()
    languages = ListField()
    primary_language = SimpleField()
    timezone = SimpleField()
    date_style = SimpleField()
    anon = BooleanField()
    credits = SimpleField()  # deprecated


class Workspace(Org):
    """The workspace of the token (``workspace``)."""


class Resthook(TembaObject):
    """A resthook: a named event that external services subscribe to (``resthooks``)."""

    resthook = SimpleField()
    created_on = DatetimeField()
    modified_on = DatetimeField()


class ResthookEvent(TembaObject):
    """An event fired on a resthook, with its payload (``resthook_events``)."""

    resthook = SimpleField()
    data = SimpleField()
    created_on = DatetimeField()

    _repr_attrs = ("resthook", "created_on")


class ResthookSubscriber(TembaObject):
    """A URL subscribed to a resthook (``resthook_subscribers``)."""

    id = IntegerField()
    resthook = SimpleField()
    target_url = SimpleField()
    created_on = DatetimeField()


class Run(TembaObject):
    """A contact's run through a flow (``runs``)."""

    class ContactRef(TembaObject):
        uuid = SimpleField(shared=True)
        name = SimpleField(shared=True)
        urn = SimpleField(shared=True)
        urn_display = SimpleField(shared=True)
        anon_display = SimpleField()

    class StartRef(TembaObject):
        uuid = SimpleField(shared=True)

    class Step(TembaObject):
        node = SimpleField(shared=True)
        time = DatetimeField()

    class Value(TembaObject):
        name = SimpleField(shared=True)
        value = SimpleField()
        category = SimpleField(shared=True)
        node = SimpleField(shared=True)
        time = DatetimeField()
        input = SimpleField()

        _repr_attrs = ("name", "value", "category")

    id = IntegerField()
    uuid = SimpleField()
    flow = ObjectField(item_class=ObjectRef)
    contact = ObjectField(item_class=ContactRef)
    start = ObjectField(item_class=StartRef)
    responded = BooleanField()
    path = ObjectListField(item_class=Step)
    values = ObjectDictField(item_class=Value)
    created_on = DatetimeField()
    modified_on = DatetimeField()
    exited_on = DatetimeField()
    exit_type = SimpleField(shared=True)


class Template(TembaObject):
    """A WhatsApp-style message template with its translations (``templates``)."""

    class Translation(TembaObject):
        language = SimpleField()
        locale = SimpleField()
        content = SimpleField()
        namespace = SimpleField()
        variable_count = IntegerField()
        status = SimpleField()
        channel = ObjectField(item_class=ObjectRef)

        _repr_attrs = ("locale", "status")

    uuid = SimpleField()
    name = SimpleField()
    translations = ObjectListField(item_class=Translation)
    created_on = DatetimeField()
    modified_on = DatetimeField()


class Ticket(TembaObject):
    """A ticket opened for a contact (``tickets``)."""

    uuid = SimpleField()
    contact = ObjectField(item_class=ObjectRef)
    status = SimpleField()
    topic = ObjectField(item_class=ObjectRef)
    body = SimpleField()
    assignee = ObjectField(item_class=UserRef)
    opened_on = DatetimeField()
    opened_by = ObjectField(item_class=UserRef)
    opened_in = ObjectField(item_class=ObjectRef)
    modified_on = DatetimeField()
    closed_on = DatetimeField()

    _repr_attrs = ("uuid", "status")


class Topic(TembaObject):
    """A ticket topic (``topics``)."""

    class Counts(TembaObject):
        open = IntegerField()
        closed = IntegerField()

    uuid = SimpleField()
    name = SimpleField()
    counts = ObjectField(item_class=Counts)
    system = BooleanField()
    created_on = DatetimeField()


class User(TembaObject):
    """A user of the workspace (``users``)."""

    email = SimpleField()
    first_name = SimpleField()
    last_name = SimpleField()
    role = SimpleField()
    created_on = DatetimeField()

    _repr_attrs = ("email", "role")

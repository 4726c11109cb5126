"""The objects of the API v2, one class each, with every field the RapidPro 26.3 server sends.

Every attribute is typed (``Run.contact`` is an ``Optional[Run.ContactRef]``, ``Run.path`` an
``Optional[List[Run.Step]]``...), so type checkers and IDEs know nested attributes. Datetimes are
timezone-aware UTC :class:`datetime.datetime` objects; references to other objects are small nested
objects (:class:`ObjectRef` and friends); a field the server did not send (an older server) is
None, and a key the server sent that the model does not declare (a newer server) is kept: readable
as an attribute and given back by ``serialize()``. Deprecated fields are kept as long as servers
send them.

Reading never fails on a value: a value of another JSON type than a field declares (a plain string
where 26.x sends translations, a datetime that does not parse, a string where an object is
expected) is kept as the server sent it, and ``serialize()`` gives it back. The annotations say
what servers send; where servers have sent several shapes over the years, they say so
(``Broadcast.text`` is a ``str`` or a ``dict[str, str]``).
"""

from __future__ import annotations

from itertools import repeat
from typing import Any, ClassVar, Dict, List, Tuple, Union

from ..serialization import (
    BooleanField,
    DateField,
    DatetimeField,
    DictField,
    IntegerField,
    ListField,
    ObjectDictField,
    ObjectField,
    ObjectListField,
    SimpleField,
    StringField,
    StringListField,
    TembaObject,
    TranslatableField,
)

#: The values servers are known to send in some shared fields (``vocabulary``: with the fast extra,
#: msgspec keeps them once in memory itself). The contract's, and what older servers and archives
#: (which hold stored statuses) send besides; any other value is kept as sent all the same.
_CONTACT_STATUSES = ("active", "blocked", "stopped", "archived")
_DIRECTIONS = ("in", "out", "incoming", "outgoing")
_MESSAGE_TYPES = ("text", "optin", "voice", "inbox", "flow", "ivr")
_MESSAGE_STATUSES = (
    "queued", "wired", "sent", "delivered", "read", "handled", "errored", "failed", "initializing", "pending", "resent",
)  # fmt: skip
_VISIBILITIES = ("visible", "archived", "deleted")
_START_STATUSES = ("pending", "queued", "started", "completed", "failed", "interrupted")

# ---------------------------------------------------------------------------------------------
# References to other objects, and small objects shared by several endpoints
# ---------------------------------------------------------------------------------------------


class ObjectRef(TembaObject):
    """A reference to another object: ``{"uuid": ..., "name": ...}``."""

    uuid: StringField = StringField(shared=True, doc="the object's UUID")
    name: StringField = StringField(shared=True, doc="the object's name")


class FieldRef(TembaObject):
    """A reference to a contact field: ``{"key": ..., "name": ..., "label": ...}``."""

    key: StringField = StringField(shared=True, doc="the field's key, e.g. ``joined``")
    name: StringField = StringField(shared=True, doc="the field's name")
    label: StringField = StringField(shared=True, doc="deprecated: the field's name")


class UserRef(TembaObject):
    """A reference to a user: ``{"email": ..., "name": ...}``."""

    email: StringField = StringField(shared=True, doc="the user's e-mail address")
    name: StringField = StringField(shared=True, doc="the user's name")


class QuickReply(TembaObject):
    """A quick reply offered with a message: ``{"type": "text", "text": "Yes"}``."""

    type: StringField = StringField(shared=True, doc="``text``, ``form``, ``url`` or ``location``")
    text: StringField = StringField(doc="the text shown to the contact")
    extra: StringField = StringField(
        omit_none=True, doc="extra text (e.g. the URL of a ``url`` reply), when there is some"
    )

    _repr_attrs = ("type", "text")


class Progress(TembaObject):
    """How far a broadcast or flow start got: ``{"total": ..., "started": ...}``."""

    total: IntegerField = IntegerField(doc="number of contacts to reach (-1 until known)")
    started: IntegerField = IntegerField(doc="number of contacts reached so far")

    _repr_attrs = ("total", "started")


# ---------------------------------------------------------------------------------------------
# Objects of the endpoints, in alphabetical order
# ---------------------------------------------------------------------------------------------


class Archive(TembaObject):
    """A monthly or daily archive of messages or runs (``archives``)."""

    type: StringField = StringField(fallback_src="archive_type", doc="``message`` or ``run``")
    archive_type: StringField = StringField(fallback_src="type", doc="``message`` or ``run`` (the older servers' name)")
    start_date: DatetimeField = DatetimeField(doc="the first day the archive covers (midnight UTC)")
    period: StringField = StringField(doc="``daily`` or ``monthly``")
    record_count: IntegerField = IntegerField(doc="number of records in the file")
    size: IntegerField = IntegerField(doc="size of the gzipped file in bytes")
    hash: StringField = StringField(doc="MD5 hex digest of the gzipped file (None for an empty archive)")
    download_url: StringField = StringField(
        doc="presigned URL of the file, valid for 24 hours (None for an empty archive)"
    )

    _repr_attrs = ("archive_type", "period", "start_date")


class Boundary(TembaObject):
    """An administrative boundary: country, state, district or ward (``boundaries``)."""

    class BoundaryRef(TembaObject):
        """A reference to a boundary."""

        osm_id: StringField = StringField(doc="the OpenStreetMap id")
        name: StringField = StringField(doc="the boundary's name")

    class Geometry(TembaObject):
        """A GeoJSON geometry."""

        type: StringField = StringField(doc="the GeoJSON type, e.g. ``MultiPolygon``")
        coordinates: ListField[Any] = ListField(doc="the GeoJSON coordinates")

    osm_id: StringField = StringField(doc="the OpenStreetMap id")
    name: StringField = StringField(doc="the boundary's name")
    parent: ObjectField[BoundaryRef] = ObjectField(item_class=BoundaryRef, doc="the boundary it lies in")
    level: IntegerField = IntegerField(doc="0 country, 1 state, 2 district, 3 ward")
    aliases: StringListField = StringListField(doc="other names of this boundary in the workspace")
    geometry: ObjectField[Geometry] = ObjectField(item_class=Geometry, doc="its shape, when stored")


class Broadcast(TembaObject):
    """A message sent to several URNs, contacts and groups at once (``broadcasts``).

    ``text`` maps languages to translations, e.g. ``{"eng": "Hello"}`` (older servers send a plain
    string, kept as it is); ``attachments`` and ``quick_replies`` likewise map each language to a list.
    """

    uuid: StringField = StringField(doc="the broadcast's UUID (26.x servers)")
    status: StringField = StringField(
        shared=True,
        vocabulary=_START_STATUSES,
        doc="``pending``, ``queued``, ``started``, ``completed``, ``failed`` or ``interrupted``",
    )
    progress: ObjectField[Progress] = ObjectField(
        item_class=Progress, doc="contacts to reach and reached (26.x servers)"
    )
    urns: StringListField = StringListField(doc="URNs it was sent to (None in anonymous workspaces)")
    contacts: ObjectListField[ObjectRef] = ObjectListField(item_class=ObjectRef, doc="contacts it was sent to")
    groups: ObjectListField[ObjectRef] = ObjectListField(item_class=ObjectRef, doc="groups it was sent to")
    text: TranslatableField = TranslatableField(doc="the text, by language (a plain string from older servers)")
    attachments: DictField[Any] = DictField(doc="attachments (``<content-type>:<url>``), by language")
    quick_replies: DictField[Any] = DictField(doc="quick replies (JSON objects), by language (26.x servers)")
    base_language: StringField = StringField(doc="the language of the base translation")
    created_on: DatetimeField = DatetimeField(doc="when it was created")
    id: IntegerField = IntegerField(doc="deprecated: the broadcast's integer id")

    _identity_attrs = ("id", "uuid")


class Campaign(TembaObject):
    """A campaign: events scheduled relative to a date field of the contacts of a group (``campaigns``)."""

    uuid: StringField = StringField(doc="the campaign's UUID")
    name: StringField = StringField(doc="the campaign's name")
    archived: BooleanField = BooleanField(
        doc="whether it is archived (always False: archived campaigns are not listed)"
    )
    group: ObjectField[ObjectRef] = ObjectField(
        item_class=ObjectRef, doc="the group whose contacts it schedules events for"
    )
    created_on: DatetimeField = DatetimeField(doc="when it was created")


class CampaignEvent(TembaObject):
    """A campaign event: a message or flow, ``offset`` units of ``unit`` from a date field (``campaign_events``)."""

    uuid: StringField = StringField(doc="the event's UUID")
    campaign: ObjectField[ObjectRef] = ObjectField(item_class=ObjectRef, doc="its campaign")
    relative_to: ObjectField[FieldRef] = ObjectField(item_class=FieldRef, doc="the date field it is scheduled from")
    offset: IntegerField = IntegerField(doc="how many units before (negative) or after the date")
    unit: StringField = StringField(doc="``minutes``, ``hours``, ``days`` or ``weeks``")
    delivery_hour: IntegerField = IntegerField(doc="hour of the day to send at (-1: the same time as the date)")
    flow: ObjectField[ObjectRef] = ObjectField(item_class=ObjectRef, doc="the flow started (None for a message event)")
    message: TranslatableField = TranslatableField(
        doc="the message, by language (a plain string from older servers; None for a flow event)"
    )
    created_on: DatetimeField = DatetimeField(doc="when it was created")


class Channel(TembaObject):
    """A channel through which messages are sent and received (``channels``)."""

    class Device(TembaObject):
        """The phone of an Android channel."""

        name: StringField = StringField(doc="the device's name")
        power_level: IntegerField = IntegerField(doc="battery level in percent (-1 if unknown)")
        power_status: StringField = StringField(doc="charging status")
        power_source: StringField = StringField(doc="power source")
        network_type: StringField = StringField(doc="network type")

    uuid: StringField = StringField(doc="the channel's UUID")
    name: StringField = StringField(doc="the channel's name")
    address: StringField = StringField(doc="its address, e.g. a phone number")
    type: StringField = StringField(doc="the channel type, e.g. ``android`` (26.x servers)")
    country: StringField = StringField(doc="two-letter country code, or None")
    device: ObjectField[Device] = ObjectField(item_class=Device, doc="the phone, for Android channels")
    last_seen: DatetimeField = DatetimeField(doc="when it was last seen")
    created_on: DatetimeField = DatetimeField(doc="when it was created")


class ChannelEvent(TembaObject):
    """Something that happened on a channel: a call, a referral, an opt-in... (``channel_events``)."""

    id: IntegerField = IntegerField(doc="the event's id")
    type: StringField = StringField(doc="e.g. ``call-in``, ``new-conversation``, ``referral``, ``optin``")
    contact: ObjectField[ObjectRef] = ObjectField(item_class=ObjectRef, doc="the contact")
    channel: ObjectField[ObjectRef] = ObjectField(item_class=ObjectRef, doc="the channel")
    extra: DictField[Any] = DictField(doc="details of the event")
    occurred_on: DatetimeField = DatetimeField(doc="when it happened")
    created_on: DatetimeField = DatetimeField(doc="when it was recorded")

    _repr_attrs = ("id", "type")


class Classifier(TembaObject):
    """An NLU classifier (``classifiers``; older servers only)."""

    uuid: StringField = StringField(doc="the classifier's UUID")
    name: StringField = StringField(doc="the classifier's name")
    type: StringField = StringField(doc="e.g. ``wit``, ``luis``, ``bothub``")
    intents: StringListField = StringListField(doc="the intents it recognises")
    created_on: DatetimeField = DatetimeField(doc="when it was created")


class _URNListField(ListField["Union[str, Contact.URN]"]):
    """A contact's URNs: strings, or :class:`Contact.URN` objects when fetched with ``expand_urns``
    (anything else kept as sent)."""

    _skips_null = True
    _type_name = "list[str | Contact.URN]"

    def deserialize(self, value: Any) -> Any:
        if value.__class__ is list and (
            (len(value) == 1 and value[0].__class__ is str) or all(map(isinstance, value, repeat(str)))
        ):
            return value  # plain URN strings, by far the most common case (checked in C)
        if isinstance(value, list):
            return [Contact.URN.deserialize(urn) if isinstance(urn, dict) else urn for urn in value]
        return value

    def serialize(self, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        return [urn.serialize() if isinstance(urn, TembaObject) else urn for urn in value]


class Contact(TembaObject):
    """A contact (``contacts``).

    ``urns`` holds strings such as ``"tel:+250788123123"``, or :class:`Contact.URN` objects when
    fetched with ``expand_urns=True``. ``fields`` maps field keys to their values (strings).
    """

    class URN(TembaObject):
        """A URN in its expanded form."""

        channel: ObjectField[ObjectRef] = ObjectField(item_class=ObjectRef, doc="the channel it is used with")
        scheme: StringField = StringField(shared=True, doc="e.g. ``tel``")
        path: StringField = StringField(doc="e.g. ``+250788123123``")
        display: StringField = StringField(doc="how it is displayed, or None")

        _repr_attrs = ("scheme",)

    class Note(TembaObject):
        """A note written on a contact."""

        text: StringField = StringField(doc="the note")
        created_on: DatetimeField = DatetimeField(doc="when it was written")
        created_by: ObjectField[UserRef] = ObjectField(item_class=UserRef, doc="who wrote it")

        _repr_attrs = ("created_on",)

    uuid: StringField = StringField(doc="the contact's UUID")
    name: StringField = StringField(doc="the contact's name, or None")
    ref: StringField = StringField(omit_none=True, doc="the contact's reference (anonymous workspaces only)")
    anon_display: StringField = StringField(omit_none=True, doc="deprecated: the same as ``ref``")
    status: StringField = StringField(
        shared=True, vocabulary=_CONTACT_STATUSES, doc="``active``, ``blocked``, ``stopped`` or ``archived``"
    )
    language: StringField = StringField(shared=True, doc="three-letter language code, or None")
    urns: _URNListField = _URNListField(doc="the contact's URNs, e.g. ``tel:+250788123123``")
    groups: ObjectListField[ObjectRef] = ObjectListField(item_class=ObjectRef, doc="the groups it belongs to")
    notes: ObjectListField[Note] = ObjectListField(
        item_class=Note, doc="notes on the contact, oldest first, at most 5 (26.x servers)"
    )
    fields: DictField[Any] = DictField(doc="values of the contact fields, by key (strings or None)")
    flow: ObjectField[ObjectRef] = ObjectField(item_class=ObjectRef, doc="the flow it is in, or None")
    created_on: DatetimeField = DatetimeField(doc="when it was created")
    modified_on: DatetimeField = DatetimeField(doc="when it was last modified")
    last_seen_on: DatetimeField = DatetimeField(doc="when it last sent a message, or None")
    blocked: BooleanField = BooleanField(doc="deprecated: ``status == 'blocked'``")
    stopped: BooleanField = BooleanField(doc="deprecated: ``status == 'stopped'``")


class Export(TembaObject):
    """An export of flow and campaign definitions with their dependencies (``definitions``)."""

    version: StringField = StringField(doc="the export format's version")
    site: StringField = StringField(doc="the server it was exported from")
    flows: ListField[Any] = ListField(doc="flow definitions (JSON)")
    campaigns: ListField[Any] = ListField(doc="campaign definitions (JSON)")
    triggers: ListField[Any] = ListField(doc="trigger definitions (JSON)")
    fields: ListField[Any] = ListField(doc="contact field definitions (JSON)")
    groups: ListField[Any] = ListField(doc="group definitions (JSON)")

    _repr_attrs = ("version",)


class Field(TembaObject):
    """A contact field (``fields``)."""

    class Usages(TembaObject):
        """Where a field is used."""

        campaign_events: IntegerField = IntegerField(doc="number of campaign events")
        flows: IntegerField = IntegerField(doc="number of flows")
        groups: IntegerField = IntegerField(doc="number of smart groups")

    key: StringField = StringField(doc="the field's key")
    name: StringField = StringField(doc="the field's name")
    type: StringField = StringField(doc="``text``, ``number``, ``datetime``, ``state``, ``district`` or ``ward``")
    featured: BooleanField = BooleanField(doc="whether it is featured")
    priority: IntegerField = IntegerField(doc="its position among featured fields")
    usages: ObjectField[Usages] = ObjectField(item_class=Usages, doc="where it is used")
    agent_access: StringField = StringField(doc="``none``, ``view`` or ``edit``")
    label: StringField = StringField(doc="deprecated: the name")
    value_type: StringField = StringField(doc="deprecated: the type, with ``numeric`` for ``number``")


class Flow(TembaObject):
    """A flow (``flows``)."""

    class Runs(TembaObject):
        """Counts of a flow's runs by state."""

        active: IntegerField = IntegerField(doc="active runs")
        waiting: IntegerField = IntegerField(doc="runs waiting for a reply")
        completed: IntegerField = IntegerField(doc="completed runs")
        interrupted: IntegerField = IntegerField(doc="interrupted runs")
        expired: IntegerField = IntegerField(doc="expired runs")
        failed: IntegerField = IntegerField(doc="failed runs")

    class FlowResult(TembaObject):
        """A result a flow saves."""

        key: StringField = StringField(doc="the result's key")
        name: StringField = StringField(doc="the result's name")
        categories: StringListField = StringListField(doc="its categories")
        node_uuids: StringListField = StringListField(doc="the nodes that save it")

    uuid: StringField = StringField(doc="the flow's UUID")
    name: StringField = StringField(doc="the flow's name")
    type: StringField = StringField(doc="``message``, ``voice``, ``background`` or ``survey``")
    archived: BooleanField = BooleanField(doc="whether it is archived")
    labels: ObjectListField[ObjectRef] = ObjectListField(item_class=ObjectRef, doc="its labels")
    expires: IntegerField = IntegerField(doc="minutes of inactivity after which a run expires")
    runs: ObjectField[Runs] = ObjectField(item_class=Runs, doc="counts of its runs")
    results: ObjectListField[FlowResult] = ObjectListField(item_class=FlowResult, doc="the results it saves")
    parent_refs: StringListField = StringListField(doc="result keys of parent flows it uses")
    created_on: DatetimeField = DatetimeField(doc="when it was created")
    modified_on: DatetimeField = DatetimeField(doc="when it was last modified")


class _BooleanOrEmptyField(SimpleField[Union[bool, Dict[str, Any], None]]):
    """A boolean that starts without exclusions record as null or ``{}`` (kept as sent: both are
    false)."""

    _type_name = "bool | dict[str, Any]"


class FlowStart(TembaObject):
    """A request to start contacts in a flow (``flow_starts``)."""

    uuid: StringField = StringField(doc="the start's UUID")
    flow: ObjectField[ObjectRef] = ObjectField(item_class=ObjectRef, doc="the flow")
    status: StringField = StringField(
        shared=True,
        vocabulary=_START_STATUSES,
        doc="``pending``, ``queued``, ``started``, ``completed``, ``failed`` or ``interrupted``",
    )
    progress: ObjectField[Progress] = ObjectField(
        item_class=Progress, doc="contacts to start and started (26.x servers)"
    )
    groups: ObjectListField[ObjectRef] = ObjectListField(item_class=ObjectRef, doc="groups started")
    contacts: ObjectListField[ObjectRef] = ObjectListField(item_class=ObjectRef, doc="contacts started")
    params: DictField[Any] = DictField(doc="parameters passed to the flow as ``@trigger.params``")
    created_on: DatetimeField = DatetimeField(doc="when it was created")
    modified_on: DatetimeField = DatetimeField(doc="when it was last modified")
    id: IntegerField = IntegerField(doc="deprecated: the start's integer id")
    extra: DictField[Any] = DictField(doc="deprecated: the same as ``params``")
    restart_participants: BooleanField = BooleanField(
        doc="deprecated: whether contacts already in the flow were restarted"
    )
    exclude_active: _BooleanOrEmptyField = _BooleanOrEmptyField(
        doc="deprecated: whether contacts active in other flows were skipped (null or ``{}``: no)"
    )


class Global(TembaObject):
    """A workspace global value (``globals``)."""

    key: StringField = StringField(doc="the global's key")
    name: StringField = StringField(doc="the global's name")
    value: StringField = StringField(doc="its value")
    modified_on: DatetimeField = DatetimeField(doc="when it was last modified")


class Group(TembaObject):
    """A contact group; a smart group has a ``query`` (``groups``)."""

    uuid: StringField = StringField(doc="the group's UUID")
    name: StringField = StringField(doc="the group's name")
    query: StringField = StringField(doc="the query of a smart group, or None")
    status: StringField = StringField(doc="``evaluating``, ``ready`` or ``invalid``")
    system: BooleanField = BooleanField(doc="whether it is a system group")
    count: IntegerField = IntegerField(doc="number of contacts in it")


class Label(TembaObject):
    """A message label (``labels``)."""

    uuid: StringField = StringField(doc="the label's UUID")
    name: StringField = StringField(doc="the label's name")
    count: IntegerField = IntegerField(doc="number of messages with it")


class Media(TembaObject):
    """An uploaded media file, to attach to messages and broadcasts by its uuid (``media``)."""

    uuid: StringField = StringField(doc="the file's UUID")
    content_type: StringField = StringField(doc="its content type")
    url: StringField = StringField(doc="its URL")
    filename: StringField = StringField(doc="its file name")
    size: IntegerField = IntegerField(doc="its size in bytes")

    _repr_attrs = ("uuid", "filename", "content_type")


class Message(TembaObject):
    """An incoming or outgoing message (``messages``)."""

    class AttachmentRef(TembaObject):
        """An attachment of a message."""

        content_type: StringField = StringField(shared=True, doc="its content type")
        url: StringField = StringField(doc="its URL")

    uuid: StringField = StringField(doc="the message's UUID (26.x servers)")
    contact: ObjectField[ObjectRef] = ObjectField(item_class=ObjectRef, doc="the contact")
    urn: StringField = StringField(doc="the URN it was sent to or from (None in anonymous workspaces)")
    channel: ObjectField[ObjectRef] = ObjectField(item_class=ObjectRef, doc="the channel, or None")
    direction: StringField = StringField(shared=True, vocabulary=_DIRECTIONS, doc="``in`` or ``out``")
    type: StringField = StringField(shared=True, vocabulary=_MESSAGE_TYPES, doc="``text``, ``optin`` or ``voice``")
    status: StringField = StringField(
        shared=True,
        vocabulary=_MESSAGE_STATUSES,
        doc="``queued``, ``wired``, ``sent``, ``delivered``, ``read``, ``handled``, ``errored`` or ``failed``",
    )
    archived: BooleanField = BooleanField(doc="deprecated: ``visibility == 'archived'``")
    visibility: StringField = StringField(shared=True, vocabulary=_VISIBILITIES, doc="``visible`` or ``archived``")
    text: StringField = StringField(doc="the text")
    labels: ObjectListField[ObjectRef] = ObjectListField(item_class=ObjectRef, doc="its labels")
    flow: ObjectField[ObjectRef] = ObjectField(item_class=ObjectRef, doc="the flow it belongs to, or None")
    attachments: ObjectListField[AttachmentRef] = ObjectListField(item_class=AttachmentRef, doc="its attachments")
    quick_replies: ObjectListField[QuickReply] = ObjectListField(
        item_class=QuickReply, doc="its quick replies (26.x servers)"
    )
    created_on: DatetimeField = DatetimeField(doc="when it was created")
    sent_on: DatetimeField = DatetimeField(doc="when it was sent, or None")
    modified_on: DatetimeField = DatetimeField(doc="when it was last modified")
    media: StringField = StringField(doc="deprecated: the first attachment as ``<content-type>:<url>``")
    id: IntegerField = IntegerField(doc="deprecated: the message's integer id (what message actions take)")
    broadcast: IntegerField = IntegerField(doc="deprecated: the id of its broadcast, or None")

    # message actions take the integer id: it goes first
    _identity_attrs: ClassVar[Tuple[str, ...]] = ("id", "uuid")
    _repr_attrs = ("id", "direction")


#: rapidpro-python's name for the quick reply model
Message.QuickReply = QuickReply  # type: ignore[attr-defined]


class OptIn(TembaObject):
    """An opt-in that contacts can give or withdraw on a channel (``optins``; older servers only)."""

    uuid: StringField = StringField(doc="the opt-in's UUID")
    name: StringField = StringField(doc="the opt-in's name")
    created_on: DatetimeField = DatetimeField(doc="when it was created")


class Org(TembaObject):
    """The workspace of the token (``org``, deprecated alias of ``workspace``)."""

    class Credits(TembaObject):
        """Deprecated credits: always -1."""

        used: IntegerField = IntegerField(doc="always -1")
        remaining: IntegerField = IntegerField(doc="always -1")

    uuid: StringField = StringField(doc="the workspace's UUID")
    name: StringField = StringField(doc="the workspace's name")
    country: StringField = StringField(doc="two-letter country code, or an empty string")
    languages: StringListField = StringListField(doc="its languages, the first being the default")
    timezone: StringField = StringField(doc="its IANA time zone")
    date_style: StringField = StringField(doc="``day_first``, ``month_first`` or ``year_first``")
    anon: BooleanField = BooleanField(doc="whether it is anonymous (URNs hidden)")
    credits: ObjectField[Credits] = ObjectField(item_class=Credits, doc="deprecated")
    primary_language: StringField = StringField(doc="deprecated: the first of ``languages``")


class Workspace(Org):
    """The workspace of the token (``workspace``)."""


class Resthook(TembaObject):
    """A resthook: a named event that external services subscribe to (``resthooks``)."""

    resthook: StringField = StringField(doc="the resthook's slug")
    created_on: DatetimeField = DatetimeField(doc="when it was created")
    modified_on: DatetimeField = DatetimeField(doc="when it was last modified")


class ResthookEvent(TembaObject):
    """An event fired on a resthook, with its payload (``resthook_events``)."""

    resthook: StringField = StringField(doc="the resthook's slug")
    data: DictField[Any] = DictField(doc="the payload")
    created_on: DatetimeField = DatetimeField(doc="when it was fired")

    _repr_attrs = ("resthook", "created_on")


class ResthookSubscriber(TembaObject):
    """A URL subscribed to a resthook (``resthook_subscribers``)."""

    id: IntegerField = IntegerField(doc="the subscriber's id")
    resthook: StringField = StringField(doc="the resthook's slug")
    target_url: StringField = StringField(doc="the URL called")
    created_on: DatetimeField = DatetimeField(doc="when it was created")

    _repr_attrs = ("id", "resthook")


class Run(TembaObject):
    """A contact's run through a flow (``runs``)."""

    class ContactRef(TembaObject):
        """The contact of a run."""

        uuid: StringField = StringField(doc="the contact's UUID")
        name: StringField = StringField(doc="the contact's name")
        urn: StringField = StringField(doc="its URN (``tel:********`` in anonymous workspaces)")
        urn_display: StringField = StringField(doc="how its URN is displayed, or None")
        ref: StringField = StringField(omit_none=True, doc="its reference (anonymous workspaces only)")
        anon_display: StringField = StringField(omit_none=True, doc="deprecated: the same as ``ref``")

    class StartRef(TembaObject):
        """The flow start that started a run."""

        uuid: StringField = StringField(doc="the start's UUID")

    class Step(TembaObject):
        """A node a run went through."""

        node: StringField = StringField(shared=True, doc="the node's UUID")
        time: DatetimeField = DatetimeField(doc="when the run got there")

        _repr_attrs = ("node", "time")

    class Value(TembaObject):
        """A result a run saved."""

        name: StringField = StringField(shared=True, doc="the result's name")
        value: StringField = StringField(doc="its value")
        category: StringField = StringField(shared=True, doc="its category")
        node: StringField = StringField(shared=True, doc="the node that saved it")
        time: DatetimeField = DatetimeField(doc="when it was saved")
        input: StringField = StringField(
            omit_none=True, doc="the input it was saved from (archive files and older servers)"
        )

        _repr_attrs = ("name", "category")

    uuid: StringField = StringField(doc="the run's UUID")
    flow: ObjectField[ObjectRef] = ObjectField(item_class=ObjectRef, doc="the flow")
    contact: ObjectField[ContactRef] = ObjectField(item_class=ContactRef, doc="the contact")
    start: ObjectField[StartRef] = ObjectField(item_class=StartRef, doc="the flow start that started it, or None")
    responded: BooleanField = BooleanField(doc="whether the contact responded")
    path: ObjectListField[Step] = ObjectListField(
        item_class=Step, doc="the nodes it went through (None when fetched with paths=False)"
    )
    values: ObjectDictField[Value] = ObjectDictField(item_class=Value, doc="the results it saved, by result key")
    created_on: DatetimeField = DatetimeField(doc="when it started")
    modified_on: DatetimeField = DatetimeField(doc="when it was last modified")
    exited_on: DatetimeField = DatetimeField(doc="when it ended, or None while active")
    exit_type: StringField = StringField(
        shared=True,
        vocabulary=("interrupted", "completed", "expired", "failed"),
        doc="``interrupted``, ``completed``, ``expired``, ``failed``, or None while active",
    )
    id: IntegerField = IntegerField(doc="deprecated: the run's integer id")


class ChannelCounts(TembaObject):
    """A channel's message counts for one day (statistics)."""

    type: StringField = StringField(shared=True, doc="the channel type, e.g. ``android``")
    text_in: IntegerField = IntegerField(src="text:in", omit_none=True, doc="text messages received (None: none)")
    text_out: IntegerField = IntegerField(src="text:out", omit_none=True, doc="text messages sent (None: none)")
    voice_in: IntegerField = IntegerField(src="voice:in", omit_none=True, doc="voice calls received (None: none)")
    voice_out: IntegerField = IntegerField(src="voice:out", omit_none=True, doc="voice calls made (None: none)")

    _repr_attrs = ("type", "text_in", "text_out")


class Statistics(TembaObject):
    """Message counts of one day, per channel (``statistics``; 26.x servers)."""

    date: DateField = DateField(doc="the day")
    channels: ObjectDictField[ChannelCounts] = ObjectDictField(
        item_class=ChannelCounts, doc="counts by channel UUID (active channels with counts)"
    )

    _repr_attrs = ("date",)


class Template(TembaObject):
    """A WhatsApp-style message template with its translations (``templates``; older servers only)."""

    class Translation(TembaObject):
        """A template's translation for one channel and locale."""

        language: StringField = StringField(doc="its language")
        locale: StringField = StringField(doc="its locale")
        content: StringField = StringField(doc="its text")
        namespace: StringField = StringField(doc="its namespace")
        variable_count: IntegerField = IntegerField(doc="how many variables it has")
        status: StringField = StringField(doc="its approval status")
        channel: ObjectField[ObjectRef] = ObjectField(item_class=ObjectRef, doc="its channel")

        _repr_attrs = ("locale", "status")

    uuid: StringField = StringField(doc="the template's UUID")
    name: StringField = StringField(doc="the template's name")
    translations: ObjectListField[Translation] = ObjectListField(item_class=Translation, doc="its translations")
    created_on: DatetimeField = DatetimeField(doc="when it was created")
    modified_on: DatetimeField = DatetimeField(doc="when it was last modified")


class Ticket(TembaObject):
    """A ticket opened for a contact (``tickets``)."""

    uuid: StringField = StringField(doc="the ticket's UUID")
    contact: ObjectField[ObjectRef] = ObjectField(item_class=ObjectRef, doc="the contact")
    status: StringField = StringField(shared=True, vocabulary=("open", "closed"), doc="``open`` or ``closed``")
    topic: ObjectField[ObjectRef] = ObjectField(item_class=ObjectRef, doc="its topic")
    body: StringField = StringField(doc="deprecated: always None")
    assignee: ObjectField[UserRef] = ObjectField(item_class=UserRef, doc="the user it is assigned to, or None")
    opened_on: DatetimeField = DatetimeField(doc="when it was opened")
    opened_by: ObjectField[UserRef] = ObjectField(item_class=UserRef, doc="the user who opened it, or None")
    opened_in: ObjectField[ObjectRef] = ObjectField(item_class=ObjectRef, doc="the flow that opened it, or None")
    modified_on: DatetimeField = DatetimeField(doc="when it was last modified")
    closed_on: DatetimeField = DatetimeField(doc="when it was closed, or None")

    _repr_attrs = ("uuid", "status")


class Topic(TembaObject):
    """A ticket topic (``topics``)."""

    class Counts(TembaObject):
        """Numbers of open and closed tickets of a topic."""

        open: IntegerField = IntegerField(doc="open tickets")
        closed: IntegerField = IntegerField(doc="closed tickets")

    uuid: StringField = StringField(doc="the topic's UUID")
    name: StringField = StringField(doc="the topic's name")
    counts: ObjectField[Counts] = ObjectField(item_class=Counts, doc="its tickets")
    system: BooleanField = BooleanField(doc="whether it is a system topic")
    created_on: DatetimeField = DatetimeField(doc="when it was created")


class User(TembaObject):
    """A user of the workspace (``users``)."""

    uuid: StringField = StringField(doc="the user's UUID (26.x servers)")
    name: StringField = StringField(doc="the user's name (26.x servers)")
    email: StringField = StringField(doc="the user's e-mail address")
    role: StringField = StringField(doc="``administrator``, ``editor`` or ``agent``")
    team: ObjectField[ObjectRef] = ObjectField(item_class=ObjectRef, doc="the user's team, or None (26.x servers)")
    created_on: DatetimeField = DatetimeField(doc="when the user joined")
    avatar: StringField = StringField(doc="URL of the user's picture, or None (26.x servers)")
    first_name: StringField = StringField(doc="deprecated: first name")
    last_name: StringField = StringField(doc="deprecated: last name")

    _repr_attrs = ("uuid", "role")


#: what a contact's ``urns`` holds
URNList = List[Union[str, Contact.URN]]

"""User code that calls every public method of TembaClient and reads nested attributes of every model.

Type-checked with ``mypy --strict`` and pyright (strict) by ``tests/typing/test_typing.py``, which
also compares each ``reveal_type(...)`` with the type written in the comment on its line, and runs
:func:`main` against the bundled local server (so the arguments are realistic ones).
"""

from __future__ import annotations

import datetime
import io
from typing import TYPE_CHECKING, Dict, List, Optional, Union

from temba_client.exceptions import TembaBadRequestError, TembaNoSuchObjectError, TembaRateExceededError
from temba_client.pagination import CursorIterator, CursorQuery
from temba_client.serialization import extra_fields
from temba_client.v2 import TembaClient
from temba_client.v2.types import (
    Broadcast,
    Contact,
    Field,
    FlowStart,
    Group,
    Label,
    Media,
    Message,
    QuickReply,
    Run,
    Statistics,
    Topic,
)

if TYPE_CHECKING:
    from typing_extensions import reveal_type
else:

    def reveal_type(value: object) -> object:
        return value


UTC = datetime.timezone.utc
SINCE = datetime.datetime(2020, 1, 1, tzinfo=UTC)


def read_runs(client: TembaClient) -> List[str]:
    """Runs and their nested objects: contact, path steps, values."""
    lines: List[str] = []
    query = client.get_runs(responded=True, after=SINCE, reverse=False)
    reveal_type(query)  # CursorQuery[Run]
    pages = query.iterfetches(retry_on_rate_exceed=True)
    reveal_type(pages)  # CursorIterator[Run]
    for page in pages:
        reveal_type(page)  # List[Run]
        for run in page:
            reveal_type(run.contact)  # Run.ContactRef | None
            reveal_type(run.flow)  # ObjectRef | None
            reveal_type(run.path)  # List[Run.Step] | None
            reveal_type(run.values)  # Dict[str, Run.Value] | None
            reveal_type(run.exited_on)  # datetime | None
            reveal_type(run.responded)  # bool | None
            if run.contact is not None:
                reveal_type(run.contact.urn)  # str | None
                lines.append("%s %s" % (run.contact.uuid, run.contact.name))
            if run.path:
                reveal_type(run.path[0].time)  # datetime | None
                reveal_type(run.path[0].node)  # str | None
            if run.values and "x" in run.values:
                reveal_type(run.values["x"].category)  # str | None
                reveal_type(run.values["x"].time)  # datetime | None
            for key, value in (run.values or {}).items():
                lines.append("%s=%s (%s)" % (key, value.value, value.category))
            if run.start is not None:
                lines.append(run.start.uuid or "")
        cursor = pages.get_cursor()
        reveal_type(cursor)  # str | None
    more: CursorIterator[Run] = client.get_runs(id=1).iterfetches(resume_cursor=None)
    lines.extend(str(run.id) for page in more for run in page)
    return lines


def read_contacts(client: TembaClient) -> Optional[Contact]:
    contact = client.get_contacts(group="Reporters", deleted=False, before=datetime.date(2100, 1, 1)).first()
    reveal_type(contact)  # Contact | None
    if contact is None:
        return None
    reveal_type(contact.groups)  # List[ObjectRef] | None
    if contact.groups:
        reveal_type(contact.groups[0].name)  # str | None
    reveal_type(contact.urns)  # List[str | Contact.URN] | None
    reveal_type(contact.fields)  # Dict[str, Any] | None
    reveal_type(contact.created_on)  # datetime | None
    if contact.notes:
        reveal_type(contact.notes[0].created_by)  # UserRef | None
    expanded = client.get_contacts(uuid=contact.uuid, expand_urns=True, urn_order="priority").first()
    for urn in (expanded.urns or []) if expanded else []:
        if isinstance(urn, Contact.URN):
            reveal_type(urn.path)  # str | None
            reveal_type(urn.channel)  # ObjectRef | None
    same: Optional[Contact] = client.get_contacts(urn="tel:+250788000001").first()
    everyone: List[Contact] = client.get_contacts(after="2020-01-01T00:00:00Z").all(retry_on_rate_exceed=True)
    assert same is None or same.uuid in {c.uuid for c in everyone}
    extra: Dict[str, object] = extra_fields(contact)
    assert isinstance(extra, dict)
    return contact


def read_everything_else(client: TembaClient) -> None:
    """Every other ``get_*`` method, and the nested attributes of its objects."""
    for archive in client.get_archives(type="message", period="daily", after=SINCE):
        reveal_type(archive.start_date)  # datetime | None
        reveal_type(archive.record_count)  # int | None
    for archive in client.get_archives(archive_type="run", before=datetime.date(2100, 1, 1)):
        assert archive.download_url is None or archive.download_url.startswith("http")
    for boundary in client.get_boundaries(geometry=True):
        reveal_type(boundary.parent)  # Boundary.BoundaryRef | None
        if boundary.geometry is not None:
            reveal_type(boundary.geometry.coordinates)  # List[Any] | None
    for broadcast in client.get_broadcasts(after=SINCE):
        reveal_type(broadcast.text)  # str | Dict[str, str] | None
        text = broadcast.text.get("eng") if isinstance(broadcast.text, dict) else broadcast.text
        assert text is None or isinstance(text, str)
        if broadcast.progress is not None:
            reveal_type(broadcast.progress.total)  # int | None
        one: Optional[Broadcast] = client.get_broadcasts(uuid=broadcast.uuid, id=broadcast.id).first()
        assert one is not None
    campaign = client.get_campaigns().first()
    if campaign is not None and campaign.group is not None:
        reveal_type(campaign.group.uuid)  # str | None
        for event in client.get_campaign_events(campaign=campaign):
            if event.relative_to is not None:
                reveal_type(event.relative_to.key)  # str | None
            reveal_type(event.message)  # str | Dict[str, str] | None
        assert client.get_campaign_events(uuid="d4e807d8-9470-49a7-b7a0-0ee9589cb97f").first() is not None
    for channel in client.get_channels(address="+250788000001"):
        if channel.device is not None:
            reveal_type(channel.device.power_level)  # int | None
        assert client.get_channels(uuid=channel).first() is not None
    for channel_event in client.get_channel_events(after=SINCE, before=datetime.datetime(2100, 1, 1)):
        reveal_type(channel_event.extra)  # Dict[str, Any] | None
        assert client.get_channel_events(id=channel_event.id, contact=channel_event.contact).first()
    export = client.get_definitions(flows=[], campaigns=(), dependencies="none")
    reveal_type(export.flows)  # List[Any] | None
    field = client.get_fields(key="age").first()
    if field is not None and field.usages is not None:
        reveal_type(field.usages.flows)  # int | None
    for flow in client.get_flows(type="message", archived=False, after=SINCE, before=datetime.datetime(2100, 1, 1)):
        if flow.runs is not None:
            reveal_type(flow.runs.completed)  # int | None
        if flow.results:
            reveal_type(flow.results[0].categories)  # List[str] | None
        assert client.get_flows(uuid=flow).first() is not None
    for start in client.get_flow_starts(after=SINCE, reverse=True):
        if start.progress is not None:
            reveal_type(start.progress.started)  # int | None
        reveal_type(start.exclude_active)  # bool | Dict[str, Any] | None
        assert client.get_flow_starts(uuid=start.uuid, before=datetime.datetime(2100, 1, 1)).first() is not None
    for glbl in client.get_globals(after=SINCE, reverse=True):
        reveal_type(glbl.value)  # str | None
        assert client.get_globals(key=glbl, before=datetime.datetime(2100, 1, 1)).first() is not None
    group: Optional[Group] = client.get_groups(name="Reporters").first()
    assert group is not None
    reveal_type(group.count)  # int | None
    assert client.get_groups(uuid=group, manual_only=True).first() is not None
    label: Optional[Label] = client.get_labels(name="Important").first()
    assert label is not None and client.get_labels(uuid=label).first() is not None
    for message in client.get_messages(folder="inbox", after=SINCE, before=datetime.datetime(2100, 1, 1)):
        if message.attachments:
            reveal_type(message.attachments[0].content_type)  # str | None
        if message.quick_replies:
            reveal_type(message.quick_replies[0].text)  # str | None
        if message.contact is not None:
            reveal_type(message.contact.name)  # str | None
        same = client.get_messages(uuid=message.uuid).first()
        assert same is not None and client.get_messages(id=message.id).first() is not None
        assert client.get_messages(contact=message.contact).first() is not None
    client.get_messages(label=label).all()
    client.get_messages(broadcast=1).all()
    org = client.get_org(retry_on_rate_exceed=True)
    if org.credits is not None:
        reveal_type(org.credits.remaining)  # int | None
    for resthook in client.get_resthooks(reverse=True):
        reveal_type(resthook.modified_on)  # datetime | None
    for resthook_event in client.get_resthook_events(resthook="new-registration"):
        reveal_type(resthook_event.data)  # Dict[str, Any] | None
    for subscriber in client.get_resthook_subscribers(resthook="new-registration"):
        reveal_type(subscriber.target_url)  # str | None
        assert client.get_resthook_subscribers(id=subscriber.id).first() is not None
    for ticket in client.get_tickets(reverse=True):
        reveal_type(ticket.assignee)  # UserRef | None
        assert client.get_tickets(uuid=ticket.uuid, contact=ticket.contact).first() is not None
    for topic in client.get_topics():
        if topic.counts is not None:
            reveal_type(topic.counts.open)  # int | None
    for user in client.get_users(role=["administrator", "editor"]):
        reveal_type(user.team)  # ObjectRef | None
        assert client.get_users(uuid=[user.uuid or ""], email=user.email).first() is not None
    statistics: List[Statistics] = client.get_statistics(since=datetime.date(2020, 1, 1), until="2020-12-31").all()
    for day in statistics:
        reveal_type(day.date)  # date | None
        for channel_uuid, counts in (day.channels or {}).items():
            reveal_type(counts.text_in)  # int | None
            assert channel_uuid and counts.type
    workspace = client.get_workspace(retry_on_rate_exceed=False)
    reveal_type(workspace.languages)  # List[str] | None


def read_older_servers(client: TembaClient) -> None:
    """Endpoints that RapidPro 26 no longer serves (the server answers 404)."""
    try:
        for classifier in client.get_classifiers(before=datetime.datetime(2100, 1, 1), after=SINCE):
            reveal_type(classifier.intents)  # List[str] | None
            assert client.get_classifiers(uuid=classifier.uuid).first() is not None
    except TembaNoSuchObjectError:
        pass
    try:
        for optin in client.get_optins():
            reveal_type(optin.name)  # str | None
        reveal_type(client.create_optin("Typed opt-in").uuid)  # str | None
    except TembaNoSuchObjectError:
        pass
    try:
        for template in client.get_templates(after=SINCE, before=datetime.datetime(2100, 1, 1)):
            if template.translations:
                reveal_type(template.translations[0].channel)  # ObjectRef | None
    except TembaNoSuchObjectError:
        pass


def write_everything(client: TembaClient, contact: Contact) -> None:
    """Every ``create_*``, ``update_*``, ``delete_*`` and ``bulk_*`` method."""
    group = client.create_group("Typed volunteers")
    reveal_type(group)  # Group
    group = client.update_group(group, name="Typed volunteers 2")
    label = client.update_label(client.create_label("Typed"), name="Typed 2")
    new = client.create_contact(
        name="Ann", language="eng", urns=["tel:+250700000042"], fields={"age": "32"}, groups=[group], note="typed"
    )
    new = client.update_contact(new, name="Ann B.", fields={"age": None}, note="")
    client.update_contact("tel:+250700000042", language="fra", urns=["tel:+250700000042"], groups=[])
    field: Field = client.create_field("Typed date", "datetime")
    field = client.update_field(field, name="Typed date 2", type="datetime")
    glbl = client.update_global(client.create_global("Typed global", "1"), value="2")
    reveal_type(glbl.key)  # str | None
    topic: Topic = client.update_topic(client.create_topic("Typed topic"), name="Typed topic 2")
    media: Media = client.create_media(io.BytesIO(b"\x89PNG\r\n"), filename="dot.png", content_type="image/png")
    replies: List[Union[str, QuickReply]] = ["Yes", QuickReply.create(type="text", text="No")]
    message: Message = client.create_message(new, "Hello Ann", attachments=[media], quick_replies=replies)
    broadcast: Broadcast = client.create_broadcast(
        {"eng": "Hello", "fra": "Bonjour"},
        urns=["tel:+250700000043"],
        contacts=[new],
        groups=[group],
        attachments={"eng": [media.uuid or ""]},
        quick_replies={"eng": ["Yes"], "fra": ["Oui"]},
        base_language="eng",
    )
    reveal_type(broadcast.status)  # str | None
    flow = client.get_flows().first()
    assert flow is not None
    start: FlowStart = client.create_flow_start(
        flow, urns=None, contacts=[new], groups=[group], restart_participants=True, exclude_active=False,
        params={"source": "typing"},
    )  # fmt: skip
    reveal_type(start.params)  # Dict[str, Any] | None
    campaign = client.create_campaign("Typed campaign", group)
    campaign = client.update_campaign(campaign, name="Typed campaign 2", group=group)
    event = client.create_campaign_event(campaign, field, 1, "days", -1, message="Hi")
    event = client.update_campaign_event(event, field, 2, "days", 9, message={"eng": "Hi"})
    subscriber = client.create_resthook_subscriber("new-registration", "https://example.com/typed")
    reveal_type(subscriber.id)  # int | None

    client.bulk_add_contacts([new, contact], group)
    client.bulk_remove_contacts([contact], group)
    client.bulk_block_contacts([new])
    client.bulk_unblock_contacts([new])
    client.bulk_interrupt_contacts([new])
    client.bulk_archive_contact_messages([new])
    missing: List[int] = client.bulk_label_messages([message], label=label)
    missing += client.bulk_unlabel_messages([message], label_name="Typed 2")
    missing += client.bulk_archive_messages([message])
    missing += client.bulk_restore_messages([message])
    missing += client.bulk_delete_messages([message])
    reveal_type(missing)  # List[int]
    tickets = client.get_tickets().all()
    users = client.get_users().all()
    client.bulk_add_ticket_note(tickets, "Called back")
    client.bulk_assign_tickets(tickets, users[0] if users else None)
    client.bulk_change_ticket_topic(tickets, topic)
    client.bulk_close_tickets(tickets)
    client.bulk_reopen_tickets(tickets)

    client.delete_campaign_event(event)
    client.delete_resthook_subscriber(subscriber)
    client.delete_label(label)
    client.bulk_archive_contacts([new])
    client.bulk_delete_contacts([new])
    client.delete_contact(client.create_contact(name="Gone"))
    client.delete_group(group)


def main(url: str, token: str) -> List[str]:
    """Runs the program against a server (the test gives it the local one)."""
    lines: List[str] = []
    with TembaClient(url, token, user_agent="typing", timeout=(5, 30), max_retries=1) as client:
        reveal_type(client)  # TembaClient
        reveal_type(client.headers)  # Dict[str, str]
        reveal_type(client.verify_ssl)  # bool | str | None
        assert client.session is not None
        query: CursorQuery[Contact] = client.get_contacts()
        lines.append(repr(query))
        lines.extend(read_runs(client))
        contact = read_contacts(client)
        read_everything_else(client)
        read_older_servers(client)
        if contact is not None:
            write_everything(client, contact)
        try:
            client.create_contact(language="not a language")
        except TembaBadRequestError as ex:
            reveal_type(ex.errors)  # Any
        except TembaRateExceededError as ex:
            reveal_type(ex.retry_after)  # int
    client.close()
    try:
        configured = TembaClient.from_env(timeout=(5, 30), max_retries=1)
    except ValueError as ex:  # RAPIDPRO_URL or RAPIDPRO_TOKEN is not set
        lines.append(str(ex))
    else:
        reveal_type(configured)  # TembaClient
        configured.close()
    return lines

"""Every client method against the local RapidPro server, over real sockets, with its effects."""

from __future__ import annotations

import datetime

import pytest

from temba_client.exceptions import (
    TembaBadRequestError,
    TembaConnectionError,
    TembaHttpError,
    TembaNoSuchObjectError,
    TembaPermissionError,
    TembaRateExceededError,
    TembaTokenError,
)
from temba_client.testing import LocalRapidProServer
from temba_client.testing.__main__ import main as cli_main
from temba_client.v2 import TembaClient
from temba_client.v2 import types as t


@pytest.fixture
def server(rapidpro_server):
    return rapidpro_server


@pytest.fixture
def client(rapidpro_client):
    return rapidpro_client


REMOVED_IN_26 = ("get_classifiers", "get_optins", "get_templates")  # served by older ("9") servers only


def test_every_read_method(client):
    for name in [n for n in dir(TembaClient) if n.startswith("get_") and n not in REMOVED_IN_26]:
        result = getattr(client, name)()
        if name == "get_statistics":  # days with messages: those of the seeded workspace
            day = client.get_messages().first().created_on.date()
            result = client.get_statistics(since=day, until=day + datetime.timedelta(days=1))
        if name in ("get_definitions", "get_org", "get_workspace"):
            assert result.__class__.__name__ in ("Export", "Org", "Workspace")
            continue
        objects = result.all()
        assert objects, name
        assert unsigned(result.first().serialize()) == unsigned(objects[0].serialize())


def unsigned(record):
    """A serialized object without the query of its presigned URL: an archive's link is signed anew
    on each request, with an expiry counted in seconds from then, so two reads a second apart differ."""
    if "download_url" in record:
        record = dict(record, download_url=record["download_url"].split("?")[0])
    return record


def test_endpoints_of_older_servers():
    with LocalRapidProServer(seed=20, server_version="9") as old:
        client = TembaClient(old.url, old.token)
        for name in REMOVED_IN_26:
            assert getattr(client, name)().all(), name
        assert client.create_optin("Alerts").name == "Alerts"


def test_reads_with_filters(client):
    contact = client.get_contacts(group="Reporters").first()
    assert "Reporters" in [g.name for g in contact.groups]
    assert client.get_contacts(uuid=contact.uuid).first().uuid == contact.uuid
    assert client.get_contacts(urn=contact.urns[0]).first().uuid == contact.uuid
    assert isinstance(client.get_contacts(expand_urns=True).first().urns[0], t.Contact.URN)
    newest = client.get_contacts().first()
    oldest = client.get_contacts(reverse=True).first()
    assert newest.modified_on >= oldest.modified_on

    message = client.get_messages(folder="inbox").first()
    assert client.get_messages(id=message.id).first().id == message.id
    # rapidpro-python 2.22 code filters by uuid: RapidPro 26 reads it (it used to be sent as ?id=, a 400)
    assert [m.id for m in client.get_messages(uuid=message.uuid).all()] == [message.id]
    assert all(m.contact.uuid == message.contact.uuid for m in client.get_messages(contact=message.contact).all())

    run = client.get_runs(responded=True).first()
    assert client.get_runs(id=run.id).first().uuid == run.uuid
    assert all(r.contact.uuid == run.contact.uuid for r in client.get_runs(contact=run.contact.uuid).all())
    assert client.get_runs(flow=run.flow.uuid, paths=False).first().path is None
    assert client.get_archives(type="run").all()[0].archive_type == "run"
    assert client.get_users(role=["agent", "viewer"]).all()
    country = next(b for b in client.get_boundaries(geometry=True).all() if b.level == 0)
    assert country.geometry.type == "MultiPolygon"
    assert client.get_boundaries().all()[0].geometry is None
    later = datetime.datetime(2030, 1, 1)
    assert client.get_contacts(after=later).all() == []


def test_pages_one_connection(server):
    with LocalRapidProServer(seed=600) as big:
        client = TembaClient(big.url, big.token)
        pages = list(client.get_contacts().iterfetches())
        assert [len(p) for p in pages] == [250, 250, 100]
        assert len({c.uuid for p in pages for c in p}) == 600
        assert big.connections == 1


def test_resume_from_cursor(server):
    with LocalRapidProServer(seed=600) as big:
        client = TembaClient(big.url, big.token)
        pages = client.get_runs().iterfetches()
        first = next(pages)
        cursor = pages.get_cursor()
        rest = [run for page in client.get_runs().iterfetches(resume_cursor=cursor) for run in page]
        assert len({r.id for r in first + rest}) == 600


def test_contacts_lifecycle(client):
    group = client.create_group("Testers")
    contact = client.create_contact("Ann", "eng", ["tel:+250700000001"], {"age": "30"}, [group])
    assert (contact.name, contact.language, contact.fields["age"], contact.groups[0].name) == (
        "Ann",
        "eng",
        "30",
        "Testers",
    )

    contact = client.update_contact(contact, name="Annie", fields={"nickname": "A"})
    assert (contact.name, contact.fields["nickname"], contact.fields["age"]) == ("Annie", "A", "30")
    contact = client.update_contact("tel:+250700000001", language="fra")
    assert contact.language == "fra"

    client.bulk_remove_contacts([contact], group)
    assert client.get_contacts(uuid=contact.uuid).first().groups == []
    client.bulk_add_contacts(["tel:+250700000001"], "testers")
    assert client.get_groups(uuid=group.uuid).first().count == 1
    client.bulk_block_contacts([contact])
    blocked = client.get_contacts(uuid=contact.uuid).first()
    assert (blocked.status, blocked.blocked) == ("blocked", True)
    client.bulk_unblock_contacts([contact])
    assert client.get_contacts(uuid=contact.uuid).first().status == "active"
    client.bulk_interrupt_contacts([contact])
    client.bulk_archive_contact_messages([contact])
    client.bulk_archive_contacts([contact])
    assert client.get_contacts(uuid=contact.uuid).first().status == "archived"

    client.delete_contact(contact)
    assert client.get_contacts(uuid=contact.uuid).first() is None
    assert client.get_contacts(deleted=True).first().uuid == contact.uuid
    with pytest.raises(TembaNoSuchObjectError):
        client.delete_contact(contact)
    other = client.create_contact(urns=["tel:+250700000002"])
    client.bulk_delete_contacts([other])
    assert client.get_contacts(uuid=other.uuid).first() is None


def test_groups_labels_fields_globals_topics_optins(client):
    group = client.update_group(client.create_group("Temp"), "Temporary")
    assert client.get_groups(name="temporary").first().uuid == group.uuid
    client.delete_group(group)
    assert client.get_groups(uuid=group.uuid).first() is None

    label = client.update_label(client.create_label("Urgent"), name="Very urgent")
    assert client.get_labels(name="Very urgent").first().uuid == label.uuid
    client.delete_label(label)

    field = client.create_field("Favourite Colour", "text")
    assert field.key == "favourite_colour"
    assert client.update_field(field, "Colour", "text").name == "Colour"
    assert client.get_fields(key="favourite_colour").first().label == "Colour"

    glbl = client.create_global("API Key", "abc")
    assert client.update_global(glbl, "def").value == "def"
    assert client.get_globals(key="api_key").first().value == "def"

    topic = client.update_topic(client.create_topic("Billing"), "Payments")
    assert topic.name == "Payments" and topic.counts.open == 0


def test_campaigns(client):
    campaign = client.create_campaign("Follow-ups", "Reporters")
    campaign = client.update_campaign(campaign, "Follow ups", "Farmers")
    assert (campaign.name, campaign.group.name) == ("Follow ups", "Farmers")
    event = client.create_campaign_event(campaign, "registration_date", 2, "days", 10, message="See you!")
    assert (event.relative_to.key, event.message) == ("registration_date", {"eng": "See you!"})
    flow = client.get_flows().first()
    event = client.update_campaign_event(event, "registration_date", 1, "weeks", -1, flow=flow)
    assert (event.unit, event.flow.uuid, event.message) == ("weeks", flow.uuid, None)
    assert client.get_campaign_events(campaign=campaign).all()[0].uuid == event.uuid
    client.delete_campaign_event(event)
    assert client.get_campaign_events(uuid=event.uuid).first() is None


def test_messages_broadcasts_starts_media(client):
    contact = client.get_contacts().first()
    media = client.create_media(b"\x89PNG...", filename="chart.png")
    assert (media.content_type, media.size) == ("image/png", 7)
    message = client.create_message(contact, "Hello", [media])
    assert (message.direction, message.status, message.attachments[0].content_type) == ("out", "queued", "image/png")
    assert client.get_messages(folder="outbox").first().id == message.id

    broadcast = client.create_broadcast({"eng": "Hi", "fra": "Salut"}, contacts=[contact], base_language="eng")
    assert broadcast.text == {"eng": "Hi", "fra": "Salut"}
    assert client.get_messages(broadcast=broadcast).first().text == "Hi"
    assert client.get_broadcasts(id=broadcast.id).first().id == broadcast.id
    assert [b.id for b in client.get_broadcasts(uuid=broadcast.uuid).all()] == [broadcast.id]

    flow = client.get_flows(type="message").first()
    start = client.create_flow_start(flow, urns=["tel:+250700000009"], groups=["Reporters"], params={"a": 1},
                                     restart_participants=False)  # fmt: skip
    assert (start.params, start.extra, start.restart_participants) == ({"a": 1}, {"a": 1}, False)
    assert client.get_flow_starts(uuid=start.uuid).first().uuid == start.uuid
    assert client.get_contacts(urn="tel:+250700000009").first() is not None  # created by the start

    with pytest.raises(TembaBadRequestError, match="Unsupported file type"):
        client.create_media(b"MZ", filename="tool.exe")


def test_message_actions(client):
    inbox = client.get_messages(folder="inbox").all()[:3]
    ids = [m.id for m in inbox]
    assert client.bulk_label_messages(inbox, label_name="Reviewed") == []
    assert all("Reviewed" in [x.name for x in m.labels] for m in client.get_messages(label="Reviewed").all())
    client.bulk_unlabel_messages(ids, label="Reviewed")
    assert client.get_messages(label="Reviewed").all() == []
    client.bulk_archive_messages(ids)
    assert {m.id for m in client.get_messages(folder="archived").all()} >= set(ids)
    client.bulk_restore_messages(ids)
    assert client.bulk_delete_messages([*ids, 999999]) == [999999]
    assert client.get_messages(id=ids[0]).first() is None


def test_ticket_actions(client):
    tickets = client.get_tickets().all()[:2]
    client.bulk_assign_tickets(tickets, "agent@example.com")
    assert {t.assignee.email for t in client.get_tickets().all()[:2]} == {"agent@example.com"}
    client.bulk_assign_tickets(tickets, None)
    client.bulk_add_ticket_note(tickets, "Called back")
    topic = client.get_topics().all()[-1]
    client.bulk_change_ticket_topic(tickets, topic)
    client.bulk_close_tickets(tickets)
    closed = client.get_tickets(uuid=tickets[0].uuid).first()
    assert (closed.status, closed.topic.uuid, closed.assignee) == ("closed", topic.uuid, None)
    client.bulk_reopen_tickets(tickets)
    assert client.get_tickets(uuid=tickets[0].uuid).first().closed_on is None


def test_resthook_subscribers(client):
    subscriber = client.create_resthook_subscriber("new-registration", "https://example.com/new")
    assert client.get_resthook_subscribers(id=subscriber.id).first().target_url == "https://example.com/new"
    client.delete_resthook_subscriber(subscriber)
    assert client.get_resthook_subscribers(id=subscriber.id).first() is None
    assert client.get_resthook_events(resthook="new-registration").first().data["flow"] == "Registration"


def test_definitions(client):
    flow = client.get_flows().first()
    campaign = client.get_campaigns().first()
    export = client.get_definitions(flows=[flow], campaigns=[campaign], dependencies=True)
    assert [f["uuid"] for f in export.flows] == [flow.uuid]
    assert export.groups  # the campaign's group comes along


# ---------------------------------------------------------------------------------------------
# Error and throttling paths
# ---------------------------------------------------------------------------------------------


def test_errors(server, client):
    with pytest.raises(TembaTokenError, match="Authentication with provided token failed"):
        TembaClient(server.url, "wrong-token").get_contacts().first()
    with pytest.raises(TembaBadRequestError) as info:
        client.create_contact(fields={"unknown_field": "x"})
    assert info.value.errors == {"fields": ["Invalid contact field key: unknown_field"]}
    with pytest.raises(TembaBadRequestError, match="Value for id must be an integer"):
        client.get_messages(id="abc").first()
    with pytest.raises(TembaNoSuchObjectError):
        client.update_label("f5901b62-ba76-4003-9c62-72fdacc1b7b7", name="Test")
    system = client.get_topics().all()[-1]
    assert system.system
    with pytest.raises(TembaPermissionError, match="Cannot modify system object."):
        client.update_topic(system, "Renamed")
    server.faults.add(502, body=b"<html>Bad gateway</html>")
    with pytest.raises(TembaHttpError, match="502"):
        client.get_contacts().first()
    server.faults.add(drop=True)
    with pytest.raises(TembaConnectionError):
        client.get_contacts().first()


def test_rate_limits(no_sleep):
    with LocalRapidProServer(seed=5, rates={"v2.contacts": "1/minute"}) as limited:
        client = TembaClient(limited.url, limited.token)
        client.get_contacts().first()
        with pytest.raises(TembaRateExceededError) as info:
            client.get_contacts().first()
        assert 1 <= info.value.retry_after <= 60
        limited.throttle.rates.clear()
        assert client.get_contacts().first(retry_on_rate_exceed=True) is not None


def test_retries_through_faults(server, no_sleep):
    client = TembaClient(server.url, server.token, max_retries=3)
    server.faults.add(503, times=2)
    server.faults.add(truncate=True)
    assert len(client.get_contacts().all()) == len(server.workspace.rows["contacts"])
    assert sum(server.faults.injected.values()) == 3


def test_command_line_dump_in_process(tmp_path, capsys):
    path = tmp_path / "dump.json"
    assert cli_main(["--seed", "3", "--dump", str(path)]) == 0
    with LocalRapidProServer(seed=None) as empty:
        import json

        empty.workspace.load(json.loads(path.read_text()))
        assert len(TembaClient(empty.url, empty.token).get_contacts().all()) == 3

"""What each client method sends: method, path, query and body, and what it returns.

One row per call: ``(call, method, endpoint, query, body)``. The stub answers every request with a
generic object or page, so each row also checks that the answer comes back as the right model.
"""

from __future__ import annotations

import datetime

import pytest

from temba_client.pagination import CursorQuery
from temba_client.v2 import TembaClient
from temba_client.v2 import types as t

from .stub_server import Reply, page

NAIVE = datetime.datetime(2014, 1, 2, 8, 4, 5, 6)
STAMP = "2014-01-02T08:04:05.000006Z"
UUID = "4f5a2b9e-2d6c-4a51-9c1e-0c3f9a7b2e10"
CONTACT = t.Contact.create(uuid="c-1")
GROUP = t.Group.create(uuid="g-1", name="Reporters")
MSG = t.Message.create(id=12, uuid=None)

# (call, HTTP method, endpoint, query sent, body sent, model of the answer)
CASES = [
    # --- reads: filters, wire names, value conversions
    (lambda c: c.get_archives(type="message", period="daily", before=NAIVE), "GET", "archives",
     {"archive_type": ["message"], "period": ["daily"], "before": [STAMP]}, None, t.Archive),
    (lambda c: c.get_archives(archive_type="run", after=NAIVE), "GET", "archives",
     {"archive_type": ["run"], "after": [STAMP]}, None, t.Archive),
    (lambda c: c.get_boundaries(geometry=True), "GET", "boundaries", {"geometry": ["1"]}, None, t.Boundary),
    (lambda c: c.get_broadcasts(uuid=UUID, after=NAIVE), "GET", "broadcasts", {"uuid": [UUID], "after": [STAMP]},
     None, t.Broadcast),
    (lambda c: c.get_broadcasts(id=6), "GET", "broadcasts", {"id": ["6"]}, None, t.Broadcast),
    (lambda c: c.get_campaigns(uuid="cp-1"), "GET", "campaigns", {"uuid": ["cp-1"]}, None, t.Campaign),
    (lambda c: c.get_campaign_events(uuid="e-1", campaign=t.Campaign.create(uuid="cp-1")), "GET",
     "campaign_events", {"uuid": ["e-1"], "campaign": ["cp-1"]}, None, t.CampaignEvent),
    (lambda c: c.get_channels(uuid="ch-1", address="+250788"), "GET", "channels",
     {"uuid": ["ch-1"], "address": ["+250788"]}, None, t.Channel),
    (lambda c: c.get_channel_events(id=3, contact=CONTACT, before=NAIVE, after=NAIVE), "GET", "channel_events",
     {"id": ["3"], "contact": ["c-1"], "before": [STAMP], "after": [STAMP]}, None, t.ChannelEvent),
    (lambda c: c.get_classifiers(uuid="cl-1", before=NAIVE), "GET", "classifiers",
     {"uuid": ["cl-1"], "before": [STAMP]}, None, t.Classifier),
    (lambda c: c.get_contacts(uuid="c-1", urn="tel:+1", group=GROUP, deleted=False, before=NAIVE, after=NAIVE,
                              reverse=True, expand_urns=True), "GET", "contacts",
     {"uuid": ["c-1"], "urn": ["tel:+1"], "group": ["g-1"], "deleted": ["0"], "before": [STAMP],
      "after": [STAMP], "reverse": ["1"], "expand_urns": ["1"]}, None, t.Contact),
    (lambda c: c.get_fields(key="age"), "GET", "fields", {"key": ["age"]}, None, t.Field),
    (lambda c: c.get_flows(uuid="f-1", type="message", archived=False, before=NAIVE, after=NAIVE), "GET", "flows",
     {"uuid": ["f-1"], "type": ["message"], "archived": ["0"], "before": [STAMP], "after": [STAMP]}, None,
     t.Flow),
    (lambda c: c.get_flow_starts(uuid="s-1", before=NAIVE, after=NAIVE, reverse=True), "GET", "flow_starts",
     {"uuid": ["s-1"], "before": [STAMP], "after": [STAMP], "reverse": ["1"]}, None, t.FlowStart),
    (lambda c: c.get_globals(key="org_name", before=NAIVE, after="2014-01-02T10:04:05.000006+02:00", reverse=True),
     "GET", "globals", {"key": ["org_name"], "before": [STAMP], "after": [STAMP], "reverse": ["1"]}, None,
     t.Global),
    (lambda c: c.get_groups(name="Reporters", manual_only=True), "GET", "groups",
     {"name": ["Reporters"], "manual_only": ["1"]}, None, t.Group),
    (lambda c: c.get_labels(uuid="l-1"), "GET", "labels", {"uuid": ["l-1"]}, None, t.Label),
    (lambda c: c.get_messages(id=12345), "GET", "messages", {"id": ["12345"]}, None, t.Message),
    (lambda c: c.get_messages(uuid=UUID, before=NAIVE), "GET", "messages", {"uuid": [UUID], "before": [STAMP]},
     None, t.Message),
    (lambda c: c.get_messages(folder="Inbox", after=NAIVE), "GET", "messages",
     {"folder": ["Inbox"], "after": [STAMP]}, None, t.Message),
    (lambda c: c.get_messages(broadcast=t.Broadcast.create(id=9)), "GET", "messages", {"broadcast": ["9"]}, None,
     t.Message),
    (lambda c: c.get_messages(contact=CONTACT), "GET", "messages", {"contact": ["c-1"]}, None, t.Message),
    (lambda c: c.get_messages(label="Spam"), "GET", "messages", {"label": ["Spam"]}, None, t.Message),
    (lambda c: c.get_optins(), "GET", "optins", {}, None, t.OptIn),
    (lambda c: c.get_resthooks(), "GET", "resthooks", {}, None, t.Resthook),
    (lambda c: c.get_resthooks(reverse=True), "GET", "resthooks", {"reverse": ["1"]}, None, t.Resthook),
    (lambda c: c.get_resthook_events(resthook="new-report"), "GET", "resthook_events",
     {"resthook": ["new-report"]}, None, t.ResthookEvent),
    (lambda c: c.get_resthook_subscribers(id=7, resthook="new-report"), "GET", "resthook_subscribers",
     {"id": ["7"], "resthook": ["new-report"]}, None, t.ResthookSubscriber),
    (lambda c: c.get_runs(uuid="r-1", flow=t.Flow.create(uuid="f-1"), responded=True, before=NAIVE, after=NAIVE,
                          reverse=False, paths=False, id=8), "GET", "runs",
     {"uuid": ["r-1"], "flow": ["f-1"], "responded": ["1"], "before": [STAMP], "after": [STAMP],
      "reverse": ["0"], "paths": ["0"], "id": ["8"]}, None, t.Run),
    (lambda c: c.get_runs(contact=CONTACT), "GET", "runs", {"contact": ["c-1"]}, None, t.Run),
    (lambda c: c.get_templates(before=NAIVE, after=NAIVE), "GET", "templates",
     {"before": [STAMP], "after": [STAMP]}, None, t.Template),
    (lambda c: c.get_tickets(uuid=UUID, contact=CONTACT, reverse=True), "GET", "tickets",
     {"uuid": [UUID], "contact": ["c-1"], "reverse": ["1"]}, None, t.Ticket),
    (lambda c: c.get_topics(), "GET", "topics", {}, None, t.Topic),
    (lambda c: c.get_users(role=["agent", "editor"]), "GET", "users", {"role": ["agent", "editor"]}, None, t.User),
    (lambda c: c.get_users(uuid=[UUID, t.User.create(uuid="u-2")], email="a@b.org"), "GET", "users",
     {"uuid": [UUID, "u-2"], "email": ["a@b.org"]}, None, t.User),
    (lambda c: c.get_statistics(since=datetime.date(2026, 1, 1), until="2026-02-01"), "GET", "statistics",
     {"since": ["2026-01-01"], "until": ["2026-02-01"]}, None, t.Statistics),
    (lambda c: c.get_contacts(expand_urns=True, urn_order="priority"), "GET", "contacts",
     {"expand_urns": ["1"], "urn_order": ["priority"]}, None, t.Contact),
    # --- single objects
    (lambda c: c.get_definitions(flows=["f-1", t.Flow.create(uuid="f-2")], campaigns="cp-1", dependencies=True),
     "GET", "definitions", {"flow": ["f-1", "f-2"], "campaign": ["cp-1"], "dependencies": ["all"]}, None, t.Export),
    (lambda c: c.get_definitions(dependencies=False), "GET", "definitions", {"dependencies": ["none"]}, None,
     t.Export),
    (lambda c: c.get_definitions(dependencies="flows"), "GET", "definitions", {"dependencies": ["flows"]}, None,
     t.Export),
    (lambda c: c.get_org(), "GET", "org", {}, None, t.Org),
    (lambda c: c.get_workspace(), "GET", "workspace", {}, None, t.Workspace),
    # --- creates
    (lambda c: c.create_broadcast("Hello", urns=["tel:+1"], contacts=[CONTACT], groups=[GROUP]), "POST",
     "broadcasts", {}, {"text": "Hello", "urns": ["tel:+1"], "contacts": ["c-1"], "groups": ["g-1"]}, t.Broadcast),
    (lambda c: c.create_broadcast({"eng": "Hi", "fra": "Salut"}, groups=["Reporters"],
                                  attachments={"eng": ["m-1"]}, base_language="eng"), "POST", "broadcasts", {},
     {"text": {"eng": "Hi", "fra": "Salut"}, "groups": ["Reporters"], "attachments": {"eng": ["m-1"]},
      "base_language": "eng"}, t.Broadcast),
    (lambda c: c.create_campaign("Reminders", GROUP), "POST", "campaigns", {},
     {"name": "Reminders", "group": "g-1"}, t.Campaign),
    (lambda c: c.create_campaign_event("cp-1", t.Field.create(key="edd"), -2, "days", 9, message="Hi"), "POST",
     "campaign_events", {},
     {"campaign": "cp-1", "relative_to": "edd", "offset": -2, "unit": "days", "delivery_hour": 9, "message": "Hi"},
     t.CampaignEvent),
    (lambda c: c.create_contact("Ann", "eng", ["tel:+1"], {"age": "32", "nick": None}, [GROUP]), "POST",
     "contacts", {},
     {"name": "Ann", "language": "eng", "urns": ["tel:+1"], "fields": {"age": "32", "nick": None},
      "groups": ["g-1"]}, t.Contact),
    (lambda c: c.create_field("Age", "number"), "POST", "fields", {}, {"name": "Age", "type": "number"}, t.Field),
    (lambda c: c.create_flow_start("f-1", urns=["tel:+1"], contacts=[CONTACT], groups=[GROUP],
                                   restart_participants=False, exclude_active=True, params={"a": 1}), "POST",
     "flow_starts", {},
     {"flow": "f-1", "urns": ["tel:+1"], "contacts": ["c-1"], "groups": ["g-1"], "restart_participants": False,
      "exclude_active": True, "params": {"a": 1}}, t.FlowStart),
    (lambda c: c.create_global("Org Name", "Nyaruka"), "POST", "globals", {},
     {"name": "Org Name", "value": "Nyaruka"}, t.Global),
    (lambda c: c.create_group("Reporters"), "POST", "groups", {}, {"name": "Reporters"}, t.Group),
    (lambda c: c.create_label("Spam"), "POST", "labels", {}, {"name": "Spam"}, t.Label),
    (lambda c: c.create_message(CONTACT, "Hi", ["m-1"], []), "POST", "messages", {},
     {"contact": "c-1", "text": "Hi", "attachments": ["m-1"]}, t.Message),
    (lambda c: c.create_message("c-1", "Hi", None, [{"text": "Yes"}]), "POST", "messages", {},
     {"contact": "c-1", "text": "Hi", "quick_replies": [{"text": "Yes"}]}, t.Message),
    # rapidpro-python 2.22 code passes plain strings: RapidPro 26 reads quick reply objects only
    (lambda c: c.create_message("c-1", "Pick", [], ["Yes", t.QuickReply.create(type="url", text="Go", extra="x")]),
     "POST", "messages", {},
     {"contact": "c-1", "text": "Pick", "attachments": [],
      "quick_replies": [{"text": "Yes"}, {"type": "url", "text": "Go", "extra": "x"}]}, t.Message),
    (lambda c: c.create_broadcast("Hi", urns=["tel:+1"], quick_replies={"eng": ["Yes", "No"]}), "POST",
     "broadcasts", {}, {"text": "Hi", "urns": ["tel:+1"], "quick_replies": {"eng": [{"text": "Yes"}, {"text": "No"}]}},
     t.Broadcast),
    (lambda c: c.update_contact("c-1", note="Called back"), "POST", "contacts", {"uuid": ["c-1"]},
     {"note": "Called back"}, t.Contact),
    (lambda c: c.create_optin("Newsletter"), "POST", "optins", {}, {"name": "Newsletter"}, t.OptIn),
    (lambda c: c.create_resthook_subscriber("new-report", "https://example.com/hook"), "POST",
     "resthook_subscribers", {}, {"resthook": "new-report", "target_url": "https://example.com/hook"},
     t.ResthookSubscriber),
    (lambda c: c.create_topic("Support"), "POST", "topics", {}, {"name": "Support"}, t.Topic),
    # --- updates: the identifier in the query, the attributes in the body
    (lambda c: c.update_campaign(t.Campaign.create(uuid="cp-1"), "New", "Reporters"), "POST", "campaigns",
     {"uuid": ["cp-1"]}, {"name": "New", "group": "Reporters"}, t.Campaign),
    (lambda c: c.update_campaign_event("e-1", "edd", 1, "weeks", -1, flow=t.Flow.create(uuid="f-1")), "POST",
     "campaign_events", {"uuid": ["e-1"]},
     {"relative_to": "edd", "offset": 1, "unit": "weeks", "delivery_hour": -1, "flow": "f-1"}, t.CampaignEvent),
    (lambda c: c.update_contact("c-1", name="Bob"), "POST", "contacts", {"uuid": ["c-1"]}, {"name": "Bob"},
     t.Contact),
    (lambda c: c.update_contact("tel:+250788123123", language="fra"), "POST", "contacts",
     {"urn": ["tel:+250788123123"]}, {"language": "fra"}, t.Contact),
    (lambda c: c.update_contact(CONTACT, fields={"age": 33}, groups=[]), "POST", "contacts", {"uuid": ["c-1"]},
     {"fields": {"age": 33}, "groups": []}, t.Contact),
    (lambda c: c.update_field(t.Field.create(key="age"), "Age", "text"), "POST", "fields", {"key": ["age"]},
     {"name": "Age", "type": "text"}, t.Field),
    (lambda c: c.update_global(t.Global.create(key="org_name"), "Acme"), "POST", "globals", {"key": ["org_name"]},
     {"value": "Acme"}, t.Global),
    (lambda c: c.update_group(GROUP, "Journalists"), "POST", "groups", {"uuid": ["g-1"]}, {"name": "Journalists"},
     t.Group),
    (lambda c: c.update_label("l-1", name="Ham"), "POST", "labels", {"uuid": ["l-1"]}, {"name": "Ham"}, t.Label),
    (lambda c: c.update_topic("tp-1", "Sales"), "POST", "topics", {"uuid": ["tp-1"]}, {"name": "Sales"}, t.Topic),
    # --- deletes
    (lambda c: c.delete_campaign_event("e-1"), "DELETE", "campaign_events", {"uuid": ["e-1"]}, None, None),
    (lambda c: c.delete_contact(CONTACT), "DELETE", "contacts", {"uuid": ["c-1"]}, None, None),
    (lambda c: c.delete_contact("tel:+1"), "DELETE", "contacts", {"urn": ["tel:+1"]}, None, None),
    (lambda c: c.delete_group(GROUP), "DELETE", "groups", {"uuid": ["g-1"]}, None, None),
    (lambda c: c.delete_label("l-1"), "DELETE", "labels", {"uuid": ["l-1"]}, None, None),
    (lambda c: c.delete_resthook_subscriber(t.ResthookSubscriber.create(id=7)), "DELETE", "resthook_subscribers",
     {"id": ["7"]}, None, None),
    # --- contact actions
    (lambda c: c.bulk_add_contacts([CONTACT, "tel:+1"], GROUP), "POST", "contact_actions", {},
     {"contacts": ["c-1", "tel:+1"], "action": "add", "group": "g-1"}, None),
    (lambda c: c.bulk_remove_contacts(["c-1"], "Reporters"), "POST", "contact_actions", {},
     {"contacts": ["c-1"], "action": "remove", "group": "Reporters"}, None),
    (lambda c: c.bulk_block_contacts(["c-1"]), "POST", "contact_actions", {},
     {"contacts": ["c-1"], "action": "block"}, None),
    (lambda c: c.bulk_unblock_contacts(["c-1"]), "POST", "contact_actions", {},
     {"contacts": ["c-1"], "action": "unblock"}, None),
    (lambda c: c.bulk_interrupt_contacts(["c-1"]), "POST", "contact_actions", {},
     {"contacts": ["c-1"], "action": "interrupt"}, None),
    (lambda c: c.bulk_archive_contact_messages(["c-1"]), "POST", "contact_actions", {},
     {"contacts": ["c-1"], "action": "archive_messages"}, None),
    (lambda c: c.bulk_archive_contacts(["c-1"]), "POST", "contact_actions", {},
     {"contacts": ["c-1"], "action": "archive"}, None),
    (lambda c: c.bulk_delete_contacts(["c-1"]), "POST", "contact_actions", {},
     {"contacts": ["c-1"], "action": "delete"}, None),
    # --- message actions: messages by id, even when the object has no uuid
    (lambda c: c.bulk_label_messages([MSG, 13], label=t.Label.create(uuid="l-1")), "POST", "message_actions", {},
     {"messages": [12, 13], "action": "label", "label": "l-1"}, None),
    (lambda c: c.bulk_label_messages([12], label_name="Important"), "POST", "message_actions", {},
     {"messages": [12], "action": "label", "label_name": "Important"}, None),
    (lambda c: c.bulk_unlabel_messages([12], label="Spam"), "POST", "message_actions", {},
     {"messages": [12], "action": "unlabel", "label": "Spam"}, None),
    (lambda c: c.bulk_archive_messages([12]), "POST", "message_actions", {},
     {"messages": [12], "action": "archive"}, None),
    (lambda c: c.bulk_restore_messages([12]), "POST", "message_actions", {},
     {"messages": [12], "action": "restore"}, None),
    (lambda c: c.bulk_delete_messages([12]), "POST", "message_actions", {},
     {"messages": [12], "action": "delete"}, None),
    # --- ticket actions
    (lambda c: c.bulk_assign_tickets(["tk-1"], t.User.create(email="a@b.org")), "POST", "ticket_actions", {},
     {"tickets": ["tk-1"], "action": "assign", "assignee": "a@b.org"}, None),
    (lambda c: c.bulk_assign_tickets(["tk-1"], None), "POST", "ticket_actions", {},
     {"tickets": ["tk-1"], "action": "assign", "assignee": None}, None),
    (lambda c: c.bulk_add_ticket_note(["tk-1"], "Called back"), "POST", "ticket_actions", {},
     {"tickets": ["tk-1"], "action": "add_note", "note": "Called back"}, None),
    (lambda c: c.bulk_change_ticket_topic(["tk-1"], "tp-1"), "POST", "ticket_actions", {},
     {"tickets": ["tk-1"], "action": "change_topic", "topic": "tp-1"}, None),
    (lambda c: c.bulk_close_tickets(["tk-1"]), "POST", "ticket_actions", {}, {"tickets": ["tk-1"], "action": "close"},
     None),
    (lambda c: c.bulk_reopen_tickets(["tk-1"]), "POST", "ticket_actions", {},
     {"tickets": ["tk-1"], "action": "reopen"}, None),
]  # fmt: skip

ANSWER = {"uuid": "x-1", "id": 1, "key": "k", "name": "N", "created_on": STAMP}


@pytest.mark.parametrize("call, method, endpoint, query, body, model", CASES)
def test_request_and_result(stub, client, call, method, endpoint, query, body, model):
    if method == "GET" and model not in (t.Export, t.Org, t.Workspace):
        stub.add_json("GET", endpoint, page([ANSWER]))
        query_object = call(client)
        assert isinstance(query_object, CursorQuery)
        assert stub.requests == []  # lazy: nothing sent yet
        result = query_object.first()
    elif model is None:
        stub.add("%s" % method, endpoint, Reply(status=204))
        result = call(client)
    else:
        stub.add_json(method, endpoint, ANSWER, status=201 if method == "POST" else 200)
        result = call(client)

    request = stub.last
    assert len(stub.requests) == 1
    assert request.method == method
    assert request.path == "/api/v2/%s.json" % endpoint
    assert request.query == query
    assert request.json == body
    if model is None:
        assert result in (None, [])
    else:
        assert type(result) is model
        if "created_on" in model._fields:
            assert result.created_on == datetime.datetime(2014, 1, 2, 8, 4, 5, 6, tzinfo=datetime.timezone.utc)


def test_every_public_method_has_a_case():
    prefixes = ("get_", "create_", "update_", "delete_", "bulk_")
    public = {name for name in dir(TembaClient) if name.startswith(prefixes)}

    class Recorder:
        def __getattr__(self, name):
            called.add(name)
            return lambda *args, **kwargs: None

    called = {"create_media"}  # multipart: tested in test_client_checks.py
    for case in CASES:
        case[0](Recorder())
    assert public - called == set()


def test_message_actions_return_failures(stub, client):
    stub.add_json("POST", "message_actions", {"failures": [13]})
    assert client.bulk_archive_messages([12, 13]) == [13]

"""Every object of the API contract, with every field it names, through its model and back.

The examples below are written from the contract's field lists (section 2 of
``rapidpro-api-v2.md``). A field that a model drops makes the walk fail, naming model and field.
"""

from __future__ import annotations

import datetime
import pickle

import pytest

from temba_client.serialization import TembaObject
from temba_client.utils import parse_iso8601
from temba_client.v2 import types as t

WHEN = "2016-01-06T15:33:00.813162Z"


def ref(prefix: str) -> dict:
    return {"uuid": "%s-5c4b-4e2a-8b8f-2d1c3b4a5f60" % prefix, "name": prefix.title()}


USER = {"email": "agent@nyaruka.com", "name": "Agnes Agent"}

EXAMPLES = {
    "archives": (t.Archive, {
        "archive_type": "message", "start_date": "2017-02-20", "period": "daily", "record_count": 1432,
        "size": 2304, "hash": "feca9988b7772c003204a28bd741d0d0", "download_url": "https://x/archive.jsonl.gz",
    }),
    "boundaries": (t.Boundary, {
        "osm_id": "1708283", "name": "Kigali City", "parent": {"osm_id": "171496", "name": "Rwanda"}, "level": 1,
        "aliases": ["Kigari"], "geometry": {"type": "MultiPolygon", "coordinates": [[[[7.5, 5.2], [7.6, 5.3]]]]},
    }),
    "broadcasts": (t.Broadcast, {
        "id": 1234, "urns": ["tel:+250788123123"], "contacts": [ref("contact")], "groups": [ref("group")],
        "text": {"eng": "Hello", "fra": "Bonjour"}, "attachments": {"eng": ["image/jpeg:https://x/a.jpg"]},
        "base_language": "eng", "status": "queued", "created_on": WHEN,
    }),
    "campaigns": (t.Campaign, {
        "uuid": "f14e4ff0-724d-43fe-a953-1d16aefd1c00", "name": "Reminders", "archived": False,
        "group": ref("group"), "created_on": WHEN,
    }),
    "campaign_events": (t.CampaignEvent, {
        "uuid": "f14e4ff0-724d-43fe-a953-1d16aefd1c01", "campaign": ref("campaign"),
        "relative_to": {"key": "registration", "name": "Registration Date", "label": "Registration Date"},
        "offset": 7, "unit": "days", "delivery_hour": 9, "flow": ref("flow"), "message": {"eng": "Hi"},
        "created_on": WHEN,
    }),
    "channels": (t.Channel, {
        "uuid": "09d23a05-47fe-11e4-bfe9-b8f6b119e9ab", "name": "Android Phone", "address": "+250788123123",
        "country": "RW",
        "device": {"name": "Nexus 5X", "power_level": 99, "power_status": "STATUS_DISCHARGING",
                   "power_source": "BATTERY", "network_type": "WIFI"},
        "last_seen": WHEN, "created_on": WHEN,
    }),
    "channel_events": (t.ChannelEvent, {
        "id": 4, "type": "call-in", "contact": ref("contact"), "channel": ref("channel"),
        "extra": {"duration": 606}, "occurred_on": WHEN, "created_on": WHEN,
    }),
    "classifiers": (t.Classifier, {
        "uuid": "9a8b001e-a913-486c-80f4-1356e23f582e", "name": "Booking", "type": "wit",
        "intents": ["book_flight", "book_hotel"], "created_on": WHEN,
    }),
    "contacts": (t.Contact, {
        "uuid": "09d23a05-47fe-11e4-bfe9-b8f6b119e9ab", "name": "Ben Haggerty",
        "status": "active", "language": "eng", "urns": ["tel:+250788123123"], "groups": [ref("group")],
        "fields": {"nickname": "Macklemore", "side_kick": None, "age": 32}, "flow": ref("flow"),
        "created_on": WHEN, "modified_on": WHEN, "last_seen_on": WHEN, "blocked": False, "stopped": False,
    }),
    "contacts?expand_urns": (t.Contact, {
        "uuid": "09d23a05-47fe-11e4-bfe9-b8f6b119e9ac", "name": None, "anon_display": "Contact 123",
        "status": "blocked", "language": None,
        "urns": [{"channel": ref("channel"), "scheme": "tel", "path": "+250788123123", "display": None}],
        "groups": [], "fields": {}, "flow": None, "created_on": WHEN, "modified_on": WHEN, "last_seen_on": None,
        "blocked": True, "stopped": False,
    }),
    "definitions": (t.Export, {
        "version": "13", "site": "https://app.rapidpro.io", "flows": [{"uuid": "f", "name": "Registration"}],
        "campaigns": [{"uuid": "c"}], "triggers": [{"keyword": "join"}], "fields": [{"key": "age"}],
        "groups": [{"uuid": "g", "name": "Reporters"}],
    }),
    "fields": (t.Field, {
        "key": "nick_name", "name": "Nick name", "type": "text", "featured": True, "priority": 10,
        "usages": {"campaign_events": 0, "flows": 1, "groups": 2}, "agent_access": "view",
        "label": "Nick name", "value_type": "text",
    }),
    "flows": (t.Flow, {
        "uuid": "5f05311e-8f81-4a67-a5b5-1501b6d6496a", "name": "Survey", "type": "message", "archived": False,
        "labels": [ref("label")], "expires": 600,
        "runs": {"active": 47, "waiting": 12, "completed": 123, "interrupted": 2, "expired": 34, "failed": 1},
        "results": [{"key": "has_water", "name": "Has Water", "categories": ["Yes", "No", "Other"],
                     "node_uuids": ["99afcda7-f928-4d4a-ad83-c91e6b56b8a5"]}],
        "parent_refs": ["a4f8b6a2-1d0c-4b9b-9a7f-4a8b2b0e7a10"], "created_on": WHEN, "modified_on": WHEN,
    }),
    "flow_starts": (t.FlowStart, {
        "id": 150051, "uuid": "09d23a05-47fe-11e4-bfe9-b8f6b119e9ab", "flow": ref("flow"), "status": "complete",
        "groups": [ref("group")], "contacts": [ref("contact")], "params": {"first_name": "Ryan"},
        "created_on": WHEN, "modified_on": WHEN, "extra": {"first_name": "Ryan"}, "restart_participants": True,
        "exclude_active": False,
    }),
    "globals": (t.Global, {"key": "org_name", "name": "Org Name", "value": "Acme Ltd", "modified_on": WHEN}),
    "groups": (t.Group, {
        "uuid": "5f05311e-8f81-4a67-a5b5-1501b6d6496a", "name": "Reporters", "query": "age > 18",
        "status": "ready", "system": False, "count": 315,
    }),
    "labels": (t.Label, {"uuid": "5f05311e-8f81-4a67-a5b5-1501b6d6496b", "name": "Screened", "count": 315}),
    "media": (t.Media, {
        "uuid": "3b6ed0c2-eb1d-4d04-a1c4-a8ffe3fe3af0", "content_type": "image/jpeg", "url": "https://x/m.jpg",
        "filename": "m.jpg", "size": 2304,
    }),
    "messages": (t.Message, {
        "id": 4105426, "broadcast": 2690007, "contact": ref("contact"), "urn": "tel:+250788123123",
        "channel": ref("channel"), "direction": "in", "type": "text", "status": "handled", "archived": False,
        "visibility": "visible", "text": "How are you?", "labels": [ref("label")], "flow": ref("flow"),
        "attachments": [{"content_type": "audio/wav", "url": "https://x/a.wav"}], "created_on": WHEN,
        "sent_on": WHEN, "modified_on": WHEN, "media": None,
    }),
    "optins": (t.OptIn, {"uuid": "9a8b001e-a913-486c-80f4-1356e23f582f", "name": "Jokes", "created_on": WHEN}),
    "org": (t.Org, {
        "uuid": "6a44ca78-a4c2-4862-a7d3-2932f9b3a7c3", "name": "Nyaruka", "country": "RW",
        "languages": ["eng", "fra"], "primary_language": "eng", "timezone": "Africa/Kigali",
        "date_style": "day_first", "anon": False, "credits": {"used": 121433, "remaining": 3452},
    }),
    "resthooks": (t.Resthook, {"resthook": "new-report", "created_on": WHEN, "modified_on": WHEN}),
    "resthook_events": (t.ResthookEvent, {
        "resthook": "new-report", "data": {"channel": 105, "flow": {"name": "Report"}}, "created_on": WHEN,
    }),
    "resthook_subscribers": (t.ResthookSubscriber, {
        "id": 10404, "resthook": "new-report", "target_url": "https://example.com/hook", "created_on": WHEN,
    }),
    "runs": (t.Run, {
        "id": 12345678, "uuid": "d973c9ba-c5b3-4c0b-9c6b-ba5a1b5e5f01", "flow": ref("flow"),
        "contact": {"uuid": "d33e9ad5-5c35-414c-abd4-e7451c69ff1d", "name": "Bob McFlow",
                    "urn": "tel:+250788123123", "urn_display": "0788 123 123"},
        "start": {"uuid": "d973c9ba-c5b3-4c0b-9c6b-ba5a1b5e5f02"}, "responded": True,
        "path": [{"node": "27a86a1b-2cc4-4ae3-a76c-d2d1d0a8b8d0", "time": WHEN}],
        "values": {"color": {"name": "Color", "value": "blue", "category": "Blue",
                             "node": "fc32aeb0-ac3e-42a8-9ea7-10248fdf52a1", "time": WHEN, "input": "it is blue"}},
        "created_on": WHEN, "modified_on": WHEN, "exited_on": WHEN, "exit_type": "completed",
    }),
    "templates": (t.Template, {
        "uuid": "3b6ed0c2-eb1d-4d04-a1c4-a8ffe3fe3af1", "name": "hello",
        "translations": [{"language": "eng", "locale": "eng-US", "content": "Hi {{1}}", "namespace": "",
                          "variable_count": 1, "status": "approved", "channel": ref("channel")}],
        "created_on": WHEN, "modified_on": WHEN,
    }),
    "tickets": (t.Ticket, {
        "uuid": "9a8b001e-a913-486c-80f4-1356e23f5830", "contact": ref("contact"), "status": "open",
        "topic": ref("topic"), "body": "Need help", "assignee": USER, "opened_on": WHEN, "opened_by": USER,
        "opened_in": ref("flow"), "modified_on": WHEN, "closed_on": None,
    }),
    "topics": (t.Topic, {
        "uuid": "9a8b001e-a913-486c-80f4-1356e23f5831", "name": "Support", "counts": {"open": 12, "closed": 3},
        "system": False, "created_on": WHEN,
    }),
    "users": (t.User, {
        "email": "bob@nyaruka.com", "first_name": "Bob", "last_name": "McFlow", "role": "agent",
        "created_on": WHEN,
    }),
    "workspace": (t.Workspace, {
        "uuid": "6a44ca78-a4c2-4862-a7d3-2932f9b3a7c3", "name": "Nyaruka", "country": "RW",
        "languages": ["eng"], "primary_language": "eng", "timezone": "Africa/Kigali",
        "date_style": "day_first", "anon": False, "credits": None,
    }),
}  # fmt: skip


def assert_kept(obj, example, where):
    """Every key of the example is an attribute of the object holding the same value."""
    assert isinstance(obj, TembaObject), where
    fields = {field.src or attr: attr for attr, field in obj._fields.items()}
    for key, value in example.items():
        assert key in fields, "%s drops the field %r" % (where, key)
        assert_value(getattr(obj, fields[key]), value, "%s.%s" % (where, key))


def assert_value(actual, expected, where):
    if isinstance(actual, TembaObject):
        assert_kept(actual, expected, where)
    elif isinstance(actual, list) and any(isinstance(item, TembaObject) for item in actual):
        assert len(actual) == len(expected), where
        for index, (item, value) in enumerate(zip(actual, expected)):
            assert_value(item, value, "%s[%d]" % (where, index))
    elif isinstance(actual, dict) and any(isinstance(item, TembaObject) for item in actual.values()):
        assert actual.keys() == expected.keys(), where
        for key in actual:
            assert_value(actual[key], expected[key], "%s[%r]" % (where, key))
    elif isinstance(actual, datetime.datetime):
        assert actual.utcoffset() == datetime.timedelta(0), where
        assert actual == parse_iso8601(expected), where
    else:
        assert actual == expected, where


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_contract_field_is_kept(name):
    model, example = EXAMPLES[name]
    assert_kept(model.deserialize(example), example, model.__name__)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_serialize_gives_back_the_contract_object(name):
    model, example = EXAMPLES[name]
    serialized = model.deserialize(example).serialize()
    for key, value in example.items():
        if key == "start_date":  # a date, given back as midnight UTC
            assert serialized[key] == "2017-02-20T00:00:00.000000Z"
        else:
            assert serialized[key] == value, key


def test_missing_walk_would_fail():
    with pytest.raises(AssertionError, match="Label drops the field 'colour'"):
        assert_kept(t.Label.deserialize({"colour": "red"}), {"colour": "red"}, "Label")


def test_compatibility_attributes():
    archive = t.Archive.deserialize(EXAMPLES["archives"][1])
    assert archive.type == archive.archive_type == "message"
    message = t.Message.deserialize(EXAMPLES["messages"][1])
    assert message.uuid is None and message.quick_replies is None
    assert t.Channel.deserialize(EXAMPLES["channels"][1]).type is None
    assert t.Broadcast.deserialize(EXAMPLES["broadcasts"][1]).uuid is None


def test_expanded_urns_are_objects():
    contact = t.Contact.deserialize(EXAMPLES["contacts?expand_urns"][1])
    (urn,) = contact.urns
    assert isinstance(urn, t.Contact.URN) and urn.scheme == "tel" and urn.channel.name == "Channel"


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_reprs_and_pickling(name):
    model, example = EXAMPLES[name]
    obj = model.deserialize(example)
    text = repr(obj)
    assert text.startswith(model.__name__ + "(")
    assert pickle.loads(pickle.dumps(obj)).serialize() == obj.serialize()

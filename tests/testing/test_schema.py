"""The local server's objects have exactly the fields and JSON types of the contract, endpoint by endpoint.

The expected shapes are written from the contract (``rapidpro-api-v2.md``, section 2), so that the
fake cannot drift from the real server unnoticed.
"""

from __future__ import annotations

import re

import pytest
import requests

from temba_client.testing import LocalRapidProServer

DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")

# type codes: s string, i integer, b boolean, d datetime, o object, r {"uuid","name"} reference,
# [x] list of x, x? also null
REF = "r"
SHAPES = {
    "archives": {"type": "s", "archive_type": "s", "start_date": "s", "period": "s", "record_count": "i",
                 "size": "i", "hash": "s?", "download_url": "s?"},
    "boundaries": {"osm_id": "s", "name": "s", "parent": "o?", "level": "i", "aliases": "[s]", "geometry": "o?"},
    "broadcasts": {"uuid": "s", "progress": "o", "quick_replies": "o", "id": "i", "urns": "[s]", "contacts": "[r]",
                   "groups": "[r]", "text": "o", "attachments": "o", "base_language": "s", "status": "s",
                   "created_on": "d"},
    "campaigns": {"uuid": "s", "name": "s", "archived": "b", "group": "r", "created_on": "d"},
    "campaign_events": {"uuid": "s", "campaign": "r", "relative_to": "o", "offset": "i", "unit": "s",
                        "delivery_hour": "i", "flow": "r?", "message": "o?", "created_on": "d"},
    "channels": {"uuid": "s", "name": "s", "address": "s", "type": "s", "country": "s?", "device": "o?",
                 "last_seen": "d?", "created_on": "d"},
    "channel_events": {"id": "i", "type": "s", "contact": "r", "channel": "r", "extra": "o?", "occurred_on": "d",
                       "created_on": "d"},
    "contacts": {"uuid": "s", "name": "s?", "notes": "[o]", "status": "s", "language": "s?", "urns": "[s]",
                 "groups": "[r]", "fields": "o", "flow": "r?", "created_on": "d", "modified_on": "d",
                 "last_seen_on": "d?", "blocked": "b", "stopped": "b"},
    "fields": {"key": "s", "name": "s", "type": "s", "featured": "b", "priority": "i", "usages": "o",
               "agent_access": "s", "label": "s", "value_type": "s"},
    "flows": {"uuid": "s", "name": "s", "type": "s", "archived": "b", "labels": "[r]", "expires": "i", "runs": "o",
              "results": "[o]", "parent_refs": "[s]", "created_on": "d", "modified_on": "d"},
    "flow_starts": {"id": "i", "uuid": "s", "progress": "o", "flow": "r", "status": "s", "groups": "[r]",
                    "contacts": "[r]", "params": "o?", "created_on": "d", "modified_on": "d", "extra": "o?",
                    "restart_participants": "b", "exclude_active": "b?"},
    "globals": {"key": "s", "name": "s", "value": "s", "modified_on": "d"},
    "groups": {"uuid": "s", "name": "s", "query": "s?", "status": "s", "system": "b", "count": "i"},
    "labels": {"uuid": "s", "name": "s", "count": "i"},
    "messages": {"uuid": "s", "quick_replies": "[o]", "id": "i", "broadcast": "i?", "contact": "r", "urn": "s",
                 "channel": "r?", "direction": "s", "type": "s", "status": "s", "archived": "b", "visibility": "s",
                 "text": "s", "labels": "[r]",
                 "flow": "r?", "attachments": "[o]", "created_on": "d", "sent_on": "d?", "modified_on": "d",
                 "media": "s?"},
    "resthooks": {"resthook": "s", "created_on": "d", "modified_on": "d"},
    "resthook_events": {"resthook": "s", "data": "o", "created_on": "d"},
    "resthook_subscribers": {"id": "i", "resthook": "s", "target_url": "s", "created_on": "d"},
    "runs": {"id": "i", "uuid": "s", "flow": "r", "contact": "o", "start": "o?", "responded": "b", "path": "[o]",
             "values": "o", "created_on": "d", "modified_on": "d", "exited_on": "d?", "exit_type": "s?"},
    "tickets": {"uuid": "s", "contact": "r", "status": "s", "topic": "r", "body": "s?", "assignee": "o?",
                "opened_on": "d", "opened_by": "o?", "opened_in": "r?", "modified_on": "d", "closed_on": "d?"},
    "topics": {"uuid": "s", "name": "s", "counts": "o", "system": "b", "created_on": "d"},
    "users": {"uuid": "s", "name": "s", "team": "o?", "avatar": "s?", "email": "s", "first_name": "s",
              "last_name": "s", "role": "s", "created_on": "d"},
}  # fmt: skip
#: endpoints that RapidPro 26.x removed, served by a "9" server
OLD_SHAPES = {
    "classifiers": {"uuid": "s", "name": "s", "type": "s", "intents": "[s]", "created_on": "d"},
    "optins": {"uuid": "s", "name": "s", "created_on": "d"},
    "templates": {"uuid": "s", "name": "s", "translations": "[o]", "created_on": "d", "modified_on": "d"},
}  # fmt: skip
NESTED = {  # shapes of nested objects, by (endpoint, field)
    ("boundaries", "parent"): {"osm_id": "s", "name": "s"},
    ("boundaries", "geometry"): {"type": "s", "coordinates": "[o]"},
    ("campaign_events", "relative_to"): {"key": "s", "name": "s", "label": "s"},
    ("channels", "device"): {"name": "s", "power_level": "i", "power_status": "s", "power_source": "s",
                             "network_type": "s"},
    ("fields", "usages"): {"campaign_events": "i", "flows": "i", "groups": "i"},
    ("flows", "runs"): {"active": "i", "waiting": "i", "completed": "i", "interrupted": "i", "expired": "i",
                        "failed": "i"},
    ("flows", "results"): {"key": "s", "name": "s", "categories": "[s]", "node_uuids": "[s]"},
    ("messages", "attachments"): {"content_type": "s", "url": "s"},
    ("messages", "quick_replies"): {"type": "s", "text": "s", "extra": "s?"},
    ("broadcasts", "progress"): {"total": "i", "started": "i"},
    ("flow_starts", "progress"): {"total": "i", "started": "i"},
    ("contacts", "notes"): {"text": "s", "created_on": "d", "created_by": "o?"},
    ("users", "team"): {"uuid": "s", "name": "s"},
    ("runs", "contact"): {"uuid": "s", "name": "s?", "urn": "s?", "urn_display": "s?"},
    ("runs", "start"): {"uuid": "s"},
    ("runs", "path"): {"node": "s", "time": "d"},
    ("templates", "translations"): {"language": "s", "locale": "s", "content": "s", "namespace": "s",
                                    "variable_count": "i", "status": "s", "channel": "r"},
    ("tickets", "assignee"): {"email": "s", "name": "s"},
    ("tickets", "opened_by"): {"email": "s", "name": "s"},
    ("topics", "counts"): {"open": "i", "closed": "i"},
}  # fmt: skip
RUN_VALUE = {"name": "s", "value": "s", "category": "s", "node": "s", "time": "d"}  # no input since 26.x
WORKSPACE = {"uuid": "s", "name": "s", "country": "s?", "languages": "[s]", "primary_language": "s",
             "timezone": "s", "date_style": "s", "anon": "b", "credits": "o?"}  # fmt: skip


def check(value, code, where):
    if code.endswith("?"):
        if value is None:
            return
        code = code[:-1]
    if code.startswith("["):
        assert isinstance(value, list), where
        for index, item in enumerate(value):
            check(item, code[1:-1], "%s[%d]" % (where, index))
        return
    expected = {"s": str, "i": int, "b": bool, "d": str, "o": (dict, list), "r": dict}[code]
    assert isinstance(value, expected) and not (code == "i" and isinstance(value, bool)), "%s: %r" % (where, value)
    if code == "d":
        assert DATETIME.match(value), "%s: %r is not the server's datetime form" % (where, value)
    if code == "r":
        assert set(value) == {"uuid", "name"}, where


def check_object(obj, shape, where, optional=frozenset()):
    assert set(shape) - optional <= set(obj) <= set(shape), "%s: fields %s, contract %s" % (
        where,
        sorted(obj),
        sorted(shape),
    )
    for key, code in shape.items():
        if key in obj:
            check(obj[key], code, "%s.%s" % (where, key))


def fetch_all(server, endpoint, **params):
    session = requests.Session()
    session.headers["Authorization"] = "Token " + server.token
    url, results = "%s/%s.json" % (server.api_url, endpoint), []
    response = session.get(url, params=params)
    while True:
        assert response.status_code == 200, response.text
        page = response.json()
        results.extend(page["results"])
        if not page["next"]:
            return results
        response = session.get(page["next"])


@pytest.fixture(scope="module")
def old_server():
    with LocalRapidProServer(seed=50, server_version="9") as server:
        yield server


@pytest.mark.parametrize("endpoint", sorted(OLD_SHAPES))
def test_objects_of_older_servers(old_server, endpoint):
    for obj in fetch_all(old_server, endpoint):
        check_object(obj, OLD_SHAPES[endpoint], endpoint)


@pytest.mark.parametrize("endpoint", sorted(SHAPES))
def test_objects_match_the_contract(seeded, endpoint):
    objects = fetch_all(seeded, endpoint)
    assert objects, "the seed has no %s" % endpoint
    for index, obj in enumerate(objects):
        where = "%s[%d]" % (endpoint, index)
        check_object(obj, SHAPES[endpoint], where)
        for (owner, field), shape in NESTED.items():
            if owner == endpoint and obj[field] is not None and field in obj:
                for item in obj[field] if isinstance(obj[field], list) else [obj[field]]:
                    optional = {"extra"} if field == "quick_replies" else set()  # a quick reply's extra is optional
                    check_object(item, shape, "%s.%s" % (where, field), optional)
        if endpoint == "runs":
            for key, value in obj["values"].items():
                check_object(value, RUN_VALUE, "%s.values.%s" % (where, key))


def test_expanded_urns(seeded):
    contact = fetch_all(seeded, "contacts", expand_urns="true")[0]
    (urn,) = contact["urns"]
    check_object(urn, {"channel": "r?", "scheme": "s", "path": "s", "display": "s?"}, "urn")


def test_workspace_and_org(seeded):
    for endpoint in ("workspace", "org"):
        response = requests.get(
            "%s/%s.json" % (seeded.api_url, endpoint), headers={"Authorization": "Token " + seeded.token}
        )
        check_object(response.json(), WORKSPACE, endpoint)


WRITE_ONLY = ("contact_actions", "message_actions", "ticket_actions", "media")


@pytest.mark.parametrize(
    "endpoint", sorted(set(SHAPES) | {"workspace", "org", "definitions", "statistics", *WRITE_ONLY})
)
def test_every_contract_endpoint_is_served(seeded, endpoint):
    response = requests.get(
        "%s/%s.json" % (seeded.api_url, endpoint), headers={"Authorization": "Token " + seeded.token}
    )
    if endpoint in WRITE_ONLY:
        assert response.status_code == 405
        assert response.json() == {"detail": 'Method "GET" not allowed.'}
    else:
        assert response.status_code == 200

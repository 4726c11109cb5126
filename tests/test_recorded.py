"""Real answers of a RapidPro 26.3 server, replayed over HTTP through the client.

``../shared/recorded/rapidpro-26.3/`` holds one file per endpoint and error case: the request the
server got, its status, headers and body. A scripted server on 127.0.0.1 answers each request
with the recorded answer; the client must send the recorded request, and:

- every object deserializes, every key the server sent is reachable on it (declared fields and the
  keys a model does not declare alike), and ``serialize()`` gives back exactly what the server
  sent (datetimes may differ in notation, never in the instant);
- every error answer becomes the exception the client documents, with the server's words.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any, Callable, Dict, Tuple

import pytest

from temba_client.exceptions import (
    TembaBadRequestError,
    TembaHttpError,
    TembaNoSuchObjectError,
    TembaRateExceededError,
    TembaTokenError,
    TembaValidationError,
)
from temba_client.serialization import TembaObject
from temba_client.utils import parse_iso8601
from temba_client.v2 import TembaClient

from .explained import notes_of
from .stub_server import Reply

RECORDED = Path(__file__).resolve().parents[2] / "shared" / "recorded" / "rapidpro-26.3"

pytestmark = pytest.mark.skipif(not RECORDED.is_dir(), reason="no recorded answers beside the checkout (../shared)")


def _load(name: str) -> Dict[str, Any]:
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


def _files(prefix_ok: Callable[[str], bool]) -> list:
    return sorted(p.name for p in RECORDED.glob("*.json") if prefix_ok(p.name)) if RECORDED.is_dir() else []


def _serve(stub, recorded: Dict[str, Any], path: str = "") -> None:
    """Queues the recorded answer for the recorded request (and for any other method on that path)."""
    headers = {k: v for k, v in recorded["headers"].items() if k.lower() != "content-length"}
    if "json" in recorded:
        reply = Reply(status=recorded["status"], json=recorded["json"], headers=headers)
        if recorded["json"] is None:
            reply = Reply(status=recorded["status"], body=b"null", headers=headers)
    else:
        reply = Reply(status=recorded["status"], body=recorded["text_start"].encode(), headers=headers)
    path = path or recorded["request"]["path"]
    for method in ("GET", "POST", "DELETE"):
        stub.add(method, path, reply)


# --- the client call that sends each recorded request ---------------------------------------------

_BOOLEAN = {"true": True, "false": False}
_WIRE_BOOLEAN = {"true": True, "1": True, "false": False, "0": False}


def _call_for(recorded: Dict[str, Any]) -> Callable[[TembaClient], Any]:
    request = recorded["request"]
    endpoint = request["path"].rsplit("/", 1)[-1][: -len(".json")]
    params = {k: _BOOLEAN.get(v, v) for k, v in (request["params"] or {}).items()}
    if endpoint == "definitions":
        flows = [params.pop("flow")] if "flow" in params else ()
        return lambda c: c.get_definitions(flows=flows, **params)
    return lambda c: getattr(c, "get_%s" % endpoint)(**params)


# --- what the client must give back --------------------------------------------------------------


def _same_json(actual: Any, expected: Any, where: str) -> None:
    """``actual`` is ``expected``, but for datetimes written another way for the same instant."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), where
        assert actual.keys() == expected.keys(), "%s: keys %s != %s" % (where, sorted(actual), sorted(expected))
        for key in expected:
            _same_json(actual[key], expected[key], "%s.%s" % (where, key))
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), where
        for index, (a, e) in enumerate(zip(actual, expected)):
            _same_json(a, e, "%s[%d]" % (where, index))
    elif isinstance(expected, str) and actual != expected and _is_time(expected):
        assert parse_iso8601(actual) == parse_iso8601(expected), where
    else:
        assert actual == expected and type(actual) is type(expected), "%s: %r != %r" % (where, actual, expected)


def _is_time(value: str) -> bool:
    try:
        return len(value) >= 10 and value[4] == "-" and parse_iso8601(value) is not None
    except (ValueError, OverflowError):
        return False


def _reachable(obj: Any, expected: Any, where: str) -> None:
    """Every key of the JSON is an attribute of the object, holding the same value."""
    if isinstance(obj, TembaObject):
        attrs = {field.src or attr: attr for attr, field in obj._fields.items()}
        for key, value in expected.items():
            attr = attrs.get(key, key)
            assert hasattr(obj, attr), "%s: the server's key %r is not reachable" % (where, key)
            _reachable(getattr(obj, attr), value, "%s.%s" % (where, attr))
    elif isinstance(obj, list):
        assert len(obj) == len(expected), where
        for index, (item, value) in enumerate(zip(obj, expected)):
            _reachable(item, value, "%s[%d]" % (where, index))
    elif isinstance(obj, dict):
        assert obj.keys() == expected.keys(), where
        for key in obj:
            _reachable(obj[key], expected[key], "%s[%r]" % (where, key))
    elif isinstance(obj, (datetime.datetime, datetime.date)):
        assert obj == (parse_iso8601(expected) if isinstance(obj, datetime.datetime) else obj.fromisoformat(expected))
    else:
        assert obj == expected, where


SUCCESSES = _files(lambda name: not name.startswith("error-") and not name.endswith("-gone.json"))


@pytest.mark.parametrize("name", SUCCESSES)
def test_recorded_answer_through_the_client(stub, client, name):
    recorded = _load(name)
    _serve(stub, recorded)

    result = _call_for(recorded)(client)
    body = recorded["json"]
    if isinstance(result, TembaObject):  # definitions, org, workspace: one object
        objects, items = [result], [body]
    else:
        objects, items = next(iter(result.iterfetches()), []), body["results"]

    # the client sent what the real server got
    sent = stub.requests[0]
    assert (sent.method, sent.path) == (recorded["request"]["method"], recorded["request"]["path"])
    # (booleans as rapidpro-python sends them, 1/0, which the server reads as it reads true/false)
    assert {k: _WIRE_BOOLEAN.get(v[0], v[0]) for k, v in sent.query.items()} == {
        k: _WIRE_BOOLEAN.get(v, v) for k, v in (recorded["request"]["params"] or {}).items()
    }

    assert len(objects) == len(items)
    for index, (obj, item) in enumerate(zip(objects, items)):
        where = "%s[%d]" % (name, index)
        _reachable(obj, item, where)
        _same_json(obj.serialize(), item, where)


REMOVED_IN_26 = {"classifiers", "templates", "optins"}


def test_every_recorded_endpoint_is_replayed():
    replayed = {_load(name)["request"]["path"] for name in SUCCESSES}
    readable = {name[len("get_") :] for name in dir(TembaClient) if name.startswith("get_")} - REMOVED_IN_26
    assert replayed == {"/api/v2/%s.json" % endpoint for endpoint in readable}


# --- errors --------------------------------------------------------------------------------------

UUID = "f5901b62-ba76-4003-9c62-72fdacc1b7b7"

# file: (the call, the exception, words of its message, the path to answer on when not the recorded one)
ERRORS: Dict[str, Tuple[Callable[[TembaClient], Any], type, str, str]] = {
    "error-bad-body.json": (lambda c: c.create_label(""), TembaBadRequestError, "This field may not be blank.", ""),
    "error-bad-fields.json": (
        lambda c: c.create_field("x" * 37, "bogus"),
        TembaBadRequestError,
        "Ensure this field has no more than 36 characters.",
        "",
    ),
    "error-bad-id-param.json": (
        lambda c: c.get_messages(id="abc").first(),
        TembaBadRequestError,
        "Value for id must be an integer",
        "",
    ),
    "error-bad-token.json": (lambda c: c.get_contacts().first(), TembaTokenError, "", ""),
    "error-no-token.json": (lambda c: c.get_contacts().first(), TembaTokenError, "", ""),
    "error-bad-uuid-param.json": (
        lambda c: c.get_contacts(uuid="not-a-uuid").first(),
        TembaBadRequestError,
        "Param 'uuid': not-a-uuid is not a valid UUID.",
        "",
    ),
    "error-delete-missing.json": (lambda c: c.delete_group(UUID), TembaNoSuchObjectError, "", ""),
    "error-missing-object.json": (lambda c: c.update_label(UUID, "Renamed"), TembaNoSuchObjectError, "", ""),
    # no method deletes runs: the same answer to a method that deletes
    "error-method-not-allowed.json": (
        lambda c: c.delete_label(UUID),
        TembaHttpError,
        "405",
        "/api/v2/labels.json",
    ),
    "error-throttled.json": (lambda c: c.get_labels().first(), TembaRateExceededError, "745 seconds", ""),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_recorded_error_through_the_client(stub, client, name):
    recorded = _load(name)
    call, exception, words, path = ERRORS[name]
    _serve(stub, recorded, path)
    with pytest.raises(exception) as caught:
        call(client)
    assert words in str(caught.value)
    if isinstance(caught.value, TembaBadRequestError):
        assert caught.value.errors == recorded["json"]
    if isinstance(caught.value, TembaRateExceededError):
        assert caught.value.retry_after == int(recorded["headers"]["Retry-After"]) == 745
    if isinstance(caught.value, (TembaTokenError, TembaNoSuchObjectError)):
        assert caught.value.detail == recorded["json"]["detail"]
    assert len(stub.requests) == 1


def test_every_recorded_error_is_replayed():
    assert set(_files(lambda name: name.startswith("error-"))) == set(ERRORS) | {
        "error-bad-before.json",
        "error-bad-folder.json",
        "error-exclusive-filters.json",
    }


def test_what_the_server_silently_ignores_is_refused_before_sending(stub, client):
    # the server answers 200 with nothing for a time it cannot read: an export would silently be empty
    assert _load("error-bad-before.json")["json"]["results"] == []
    with pytest.raises(ValueError, match="before must be an ISO 8601 time"):
        client.get_contacts(before="garbage")
    # the server answers 400 for exclusive filters: the client says so without asking
    recorded = _load("error-exclusive-filters.json")
    with pytest.raises(TembaValidationError) as caught:
        client.get_messages(**recorded["request"]["params"])
    assert isinstance(caught.value, TembaBadRequestError) and isinstance(caught.value, ValueError)
    assert caught.value.errors == recorded["json"]  # in the server's own words, as 2.22 surfaced them
    assert str(caught.value) == recorded["json"]["detail"]
    assert stub.requests == []


@pytest.mark.parametrize("name", _files(lambda name: name.endswith("-gone.json")))
def test_removed_endpoints_are_told_apart(stub, client, name):
    recorded = _load(name)
    _serve(stub, recorded)
    endpoint = recorded["request"]["path"].rsplit("/", 1)[-1][: -len(".json")]
    with pytest.raises(TembaNoSuchObjectError) as caught:
        getattr(client, "get_%s" % endpoint)().first()
    assert str(caught.value) == "No such object exists"  # rapidpro-python 2.22's
    assert caught.value.detail.startswith("%s: this server has no such endpoint" % endpoint)
    assert "RapidPro 26 removed %s" % endpoint in notes_of(caught.value)  # what a traceback shows

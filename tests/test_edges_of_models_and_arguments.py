"""Edges of the models, of argument conversion, of the 2.22 test helpers and of the local server's
command line, each the way a caller meets it."""

from __future__ import annotations

import datetime
import json
import socket
from collections import OrderedDict

import pytest

from temba_client import _json
from temba_client.base import NULL
from temba_client.exceptions import TembaSerializationException, TembaValidationError
from temba_client.serialization import (
    DateField,
    DictField,
    ObjectDictField,
    ObjectField,
    ObjectListField,
    SimpleField,
    StringField,
    TembaObject,
)
from temba_client.testing.__main__ import main as serve_main
from temba_client.tests import MockResponse, TembaTest
from temba_client.v2 import TembaClient
from temba_client.v2 import types as t

from .stub_server import Reply, page

# --- fields used on their own, as rapidpro-python code does ------------------------------------


class Tag(TembaObject):
    name = StringField()


def test_fields_on_their_own():
    assert SimpleField().deserialize({"a": 1}) == {"a": 1}
    assert DictField().deserialize({"a": 1}) == {"a": 1}
    with pytest.raises(TembaSerializationException, match="is not a dict"):
        DictField().deserialize([1])
    assert ObjectField(item_class=Tag).deserialize(None) is None
    assert ObjectField(item_class=Tag).deserialize({"name": "x"}).name == "x"
    assert ObjectListField(item_class=Tag).deserialize(None) is None
    assert ObjectDictField(item_class=Tag).deserialize(None) is None
    assert ObjectDictField(item_class=Tag).deserialize({"k": {"name": "y"}})["k"].name == "y"


def test_date_field():
    field = DateField()
    assert field.deserialize("2026-11-25") == datetime.date(2026, 11, 25)
    assert field.deserialize(None) is None and field.deserialize("") is None
    assert field.serialize(datetime.date(2026, 11, 25)) == "2026-11-25" and field.serialize(None) is None
    with pytest.raises(TembaSerializationException, match="not a date string"):
        field.deserialize(20261125)
    with pytest.raises(TembaSerializationException, match="not an ISO 8601 date"):
        field.deserialize("25/11/2026")


def test_datetimes_in_other_forms_than_the_servers():
    run = t.Run.deserialize({"created_on": "2026-11-25T10:00:00+02:00", "modified_on": "2026-11-25T08:00:00Z"})
    assert run.created_on == run.modified_on == datetime.datetime(2026, 11, 25, 8, tzinfo=datetime.timezone.utc)
    # one that does not parse is kept as sent (rapidpro-python 2.22 raised, losing the page)
    assert t.Run.deserialize({"created_on": "2026-13-45T99:00:00.000000Z"}).created_on == "2026-13-45T99:00:00.000000Z"


def test_a_mapping_that_is_not_exactly_a_dict():
    assert t.Label.deserialize(OrderedDict(uuid="l-1", name="Spam")).name == "Spam"
    with pytest.raises(TembaSerializationException, match="Expected a JSON object for Label, got list"):
        t.Label.deserialize(["l-1"])


def test_statistics_counts_absent_rather_than_zero():
    stats = t.Statistics.deserialize({"date": "2026-11-25", "channels": {"c-1": {"type": "android", "text:in": 3}}})
    counts = stats.channels["c-1"]
    assert (counts.text_in, counts.text_out) == (3, None)
    assert stats.serialize() == {"date": "2026-11-25", "channels": {"c-1": {"type": "android", "text:in": 3}}}


# --- arguments -----------------------------------------------------------------------------------


def test_unassigning_tickets_sends_null(stub, client):
    stub.add("POST", "ticket_actions", Reply(status=204))
    client.bulk_assign_tickets(["4f5a2b9e-2d6c-4a51-9c1e-0c3f9a7b2e10"], None)
    assert stub.last.json == {"tickets": ["4f5a2b9e-2d6c-4a51-9c1e-0c3f9a7b2e10"], "action": "assign", "assignee": None}
    assert repr(NULL) == "NULL"


def test_date_filters(stub, client):
    stub.add_json("GET", "statistics", {"results": []})
    client.get_statistics(since=datetime.datetime(2026, 1, 2, 23, 59), until=datetime.date(2026, 2, 1)).all()
    assert stub.last.query == {"since": ["2026-01-02"], "until": ["2026-02-01"]}
    with pytest.raises(ValueError, match="since must be a date"):
        client.get_statistics(since="last week")
    with pytest.raises(TypeError, match="since must be a date, not a int"):
        client.get_statistics(since=20260101)
    assert stub.requests[1:] == []


def test_query_value_checks(stub, client):
    # worded as the server words them (where it answers 500 instead, in its style)
    with pytest.raises(TembaValidationError, match="^Param 'uuid' can have a maximum of 100 values.$"):
        client.get_users(uuid=["u-%d" % i for i in range(101)])
    with pytest.raises(TembaValidationError, match="^Value for broadcast must be an integer$"):
        client.get_messages(broadcast="b-1")
    with pytest.raises(TembaValidationError, match="^Param 'uuid': tk-1 is not a valid UUID.$"):
        client.get_tickets(uuid="tk-1")
    assert stub.requests == []


def test_transformer_on_single_objects(stub):
    stub.add_json("GET", "workspace", {"uuid": "w-1", "name": "Org"})

    def upper(clazz, item):
        return dict(item, name=item["name"].upper())

    with TembaClient(stub.url, stub.token, transformer=upper, max_retries=0) as client:
        assert client.get_workspace().name == "ORG"


def test_the_client_as_a_context_manager(stub):
    stub.add_json("GET", "labels", page([{"uuid": "l-1", "name": "Spam", "count": 1}]))
    with TembaClient(stub.url, stub.token) as client:
        assert client.get_labels().first().count == 1


# --- JSON decoding -------------------------------------------------------------------------------


def test_json_decoding_gives_what_the_standard_library_gives():
    largest = b'{"id": 9223372036854775807, "text": "caf\\u00e9", "n": -1.5e3, "list": [true, null]}'
    assert _json.loads(largest) == json.loads(largest)  # the API's ids are 64-bit integers
    surrogate = b'{"text": "\\ud800"}'  # orjson refuses a lone surrogate; the standard library reads it
    assert _json.loads(surrogate) == json.loads(surrogate)
    with pytest.raises(ValueError):
        _json.loads(b"{not json")
    assert _json.dumps({"text": "café"}) == '{"text":"café"}'.encode()
    with pytest.raises(ValueError):
        _json.dumps({"x": float("nan")})


# --- rapidpro-python 2.22's test helpers ---------------------------------------------------------


class HelperTest(TembaTest):
    API_VERSION = 2

    def test_read_json(self):
        import os
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            os.makedirs(os.path.join(folder, "test_files", "v2"))
            with open(os.path.join(folder, "test_files", "v2", "runs.json"), "w") as handle:
                json.dump({"results": [{"id": 1}, {"id": 2}]}, handle)
            cwd = os.getcwd()
            os.chdir(folder)
            try:
                self.assertEqual(json.loads(self.read_json("runs"))["results"][1]["id"], 2)
                self.assertEqual(json.loads(self.read_json("runs", extract_result=0)), {"id": 1})
            finally:
                os.chdir(cwd)

    def test_assert_raises_with_message(self):
        from temba_client.exceptions import TembaException

        def fail():
            raise TembaValidationError("nope")

        self.assertRaisesWithMessage(TembaValidationError, "nope", fail)
        with self.assertRaises(AssertionError):
            self.assertRaisesWithMessage(TembaException, "nope", lambda: None)

    def test_mock_response(self):
        self.assertIsNone(MockResponse(200, "{}").raise_for_status())
        self.assertEqual(MockResponse(200, '{"a": 1}').json(), {"a": 1})
        for status, words in ((404, "Client Error"), (502, "Server Error")):
            with self.assertRaises(Exception) as caught:
                MockResponse(status).raise_for_status()
            self.assertIn(words, str(caught.exception))


# --- the local server's command line, in process -------------------------------------------------


def test_command_line_dump_and_load(tmp_path, capsys):
    dump = tmp_path / "workspace.json"
    assert serve_main(["--seed", "5", "--dump", str(dump)]) == 0
    assert "wrote" in capsys.readouterr().out
    data = json.loads(dump.read_text())
    assert data
    again = tmp_path / "again.json"
    assert serve_main(["--load", str(dump), "--dump", str(again)]) == 0
    assert json.loads(again.read_text()) == data


def test_command_line_port_taken(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert serve_main(["--port", str(taken.getsockname()[1]), "--seed", "1"]) == 2
    assert "cannot listen" in capsys.readouterr().err


def test_bodies_json_cannot_carry_are_refused_before_sending(stub, client):
    circular: dict = {}
    circular["self"] = circular
    deep: dict = {}
    node = deep
    for _ in range(5000):
        node["x"] = {}
        node = node["x"]
    for fields, words in ((circular, "nested too deeply"), (deep, "nested too deeply"), ({"a": "\ud800"}, "surrogate")):
        with pytest.raises(ValueError, match=words):
            client.create_contact(name="Ann", fields=fields)
    assert stub.requests == []


def test_resume_cursors_are_judged_by_the_server():
    import base64

    from temba_client.exceptions import TembaNoSuchObjectError
    from temba_client.testing import LocalRapidProServer

    with LocalRapidProServer(seed=600) as server, TembaClient(server.url, server.token) as client:
        pages = client.get_contacts().iterfetches()
        next(pages)
        cursor = pages.get_cursor()
        assert base64.b64decode(cursor).startswith(b"p=")  # the local server's cursors look like the real one's
        resumed = next(client.get_contacts().iterfetches(resume_cursor=cursor))
        assert resumed and resumed[0].uuid == next(pages)[0].uuid
        for wrong in (base64.b64encode(b'{"page": 2}').decode(), base64.b64encode(b"x=1").decode(), "not base64!"):
            resuming = client.get_contacts().iterfetches(resume_cursor=wrong)  # sent as given...
            with pytest.raises(TembaNoSuchObjectError) as info:  # ...and refused by the server, as 2.22 saw it
                next(resuming)
            assert str(info.value) == "No such object exists" and info.value.detail == "Invalid cursor"

"""Code that real projects wrote against rapidpro-python 2.22, run unchanged.

Each test is written the way the downstream code is (TracPro, dash, U-Report, CasePro, UNICEF's
rapidpro-api, rapidpro-python's own test suite), against the local server or a scripted one.
"""

from __future__ import annotations

import pytest

from temba_client.exceptions import TembaBadRequestError, TembaException
from temba_client.v2 import TembaClient

from .stub_server import page


def test_attributes_set_on_fetched_objects(rapidpro_client):
    # TracPro: contact.group_uuid = ...; generic code: vars(obj) / obj.__dict__
    contact = rapidpro_client.get_contacts().first()
    contact.group_uuid = contact.groups[0].uuid if contact.groups else None
    contact.is_new = True
    data = vars(contact)
    assert data["uuid"] == contact.uuid and data["is_new"] is True
    assert "is_new" not in contact.serialize()


def test_store_serialize_and_load_back(rapidpro_client):
    # UNICEF rapidpro-api stores obj.serialize() and rebuilds objects from it
    from temba_client.v2.types import Run

    runs = rapidpro_client.get_runs().all()
    stored = [run.serialize() for run in runs]
    assert [Run.deserialize(item).serialize() for item in stored] == stored


@pytest.mark.parametrize(
    "catch",
    [TembaBadRequestError, TembaException, ValueError],
    ids=["TembaBadRequestError", "TembaException", "ValueError"],
)
def test_a_refused_call_is_caught_as_2_22_code_catches_a_400(stub, client, catch):
    # rapidpro-python 2.22 sent exclusive filters and got a 400 (TembaBadRequestError)
    try:
        client.get_messages(contact="c-1", folder="inbox").all()
    except catch as ex:  # and str() is what 2.22 showed: the server's words for that 400
        assert str(ex) == "You may only specify one of the contact, folder, label, broadcast parameters"
    else:  # pragma: no cover - the assertion that matters
        pytest.fail("not raised")
    assert stub.requests == []


def test_2_22_names_are_importable():
    import temba_client.base
    import temba_client.clients
    import temba_client.utils
    from temba_client.clients import BaseCursorClient, CursorIterator, CursorQuery
    from temba_client.tests import MockResponse, TembaTest
    from temba_client.v2 import BaseCursorClient as V2BaseCursorClient

    assert V2BaseCursorClient is BaseCursorClient
    assert issubclass(TembaClient, BaseCursorClient)
    assert temba_client.base.MAX_RETRIES == temba_client.clients.MAX_RETRIES == 5
    assert temba_client.base.request is temba_client.clients.request is temba_client.utils.request
    assert CursorIterator and CursorQuery and TembaTest
    assert MockResponse(429, "", {"Retry-After": 1}).headers["retry-after"] == 1


def test_subclass_overriding_get_query(stub):
    # 2.22 subclasses wrapped _get_query(endpoint, params, clazz) to log or rewrite queries
    seen = []

    class LoggingClient(TembaClient):
        def _get_query(self, endpoint, params, clazz):
            seen.append((endpoint, dict(params), clazz.__name__))
            return super()._get_query(endpoint, params, clazz)

    stub.add_json("GET", "contacts", page([{"uuid": "c-1", "name": "Ann"}]))
    with LoggingClient(stub.url, stub.token, max_retries=0) as client:
        contact = client.get_contacts(group="Reporters").first()
    assert contact.name == "Ann"
    assert seen == [("contacts", {"group": "Reporters"}, "Contact")]


def test_a_ca_bundle_path_as_verify_ssl():
    # rapidpro-python 2.22: TembaClient(host, token, verify_ssl="/path/to/certfile")
    client = TembaClient("example.com", "1234567890", verify_ssl="/path/to/certfile")
    assert client.verify_ssl == "/path/to/certfile"


# rapidpro-python 2.22's own test suite, and the suites copied from it, are written like this
from unittest.mock import patch  # noqa: E402

from temba_client.exceptions import TembaRateExceededError  # noqa: E402
from temba_client.tests import MockResponse, TembaTest  # noqa: E402

RUNS_PAGE = '{"next": null, "previous": null, "results": [{"uuid": "r-1", "id": 4092373, "responded": true}]}'


@patch("temba_client.clients.request")
class RapidProPythonStyleTest(TembaTest):
    API_VERSION = 2

    def setUp(self):
        self.client = TembaClient("example.com", "1234567890", user_agent="test/0.1")

    def test_get_runs(self, mock_request):
        mock_request.return_value = MockResponse(200, RUNS_PAGE)
        runs = self.client.get_runs(responded=True).all()
        self.assertEqual(runs[0].id, 4092373)
        self.assertRequest(mock_request, "get", "runs", params={"responded": 1})

    def test_create_label(self, mock_request):
        mock_request.return_value = MockResponse(201, '{"uuid": "l-1", "name": "Spam", "count": 0}')
        label = self.client.create_label("Spam")
        self.assertEqual(label.uuid, "l-1")
        self.assertRequest(mock_request, "post", "labels", data={"name": "Spam"})

    def test_retry_on_rate_exceed(self, mock_request):
        mock_request.side_effect = [MockResponse(429, "", {"Retry-After": 1}), MockResponse(200, RUNS_PAGE)]
        with patch("time.sleep") as sleep:
            self.assertEqual(len(self.client.get_runs().all(retry_on_rate_exceed=True)), 1)
        sleep.assert_called_once_with(1)
        mock_request.side_effect = None
        mock_request.return_value = MockResponse(429, "", {"Retry-After": 1})
        self.assertRaises(TembaRateExceededError, self.client.get_runs().all, retry_on_rate_exceed=False)

    def test_headers(self, mock_request):
        self.assertEqual(
            self.client.headers,
            {
                "Content-type": "application/json",
                "Accept": "application/json",
                "Authorization": "Token 1234567890",
                "User-Agent": "test/0.1 rapidpro-python/%s" % __import__("temba_client").__version__,
            },
        )


@pytest.mark.parametrize("target", ["temba_client.base.request", "temba_client.utils.request"])
def test_the_other_patch_targets(target):
    with patch(target) as mock_request:
        mock_request.return_value = MockResponse(200, RUNS_PAGE)
        client = TembaClient("example.com", "1234567890")
        assert client.get_runs().first().id == 4092373
        assert mock_request.call_args[0] == ("get", "https://example.com/api/v2/runs.json")


def test_dash_builds_clients_with_an_empty_token(stub):
    # dash: workspaces without an API backend yet get TembaClient(host, "")
    from temba_client.exceptions import TembaTokenError

    client = TembaClient(stub.url, "")
    with pytest.raises(TembaTokenError):
        client.get_contacts().first()
    assert stub.requests == []


# ---------------------------------------------------------------------------------------------
# What 2.22 code shows of an error: str() exactly as rapidpro-python 2.22.2 words it
# ---------------------------------------------------------------------------------------------

import json  # noqa: E402
import socket  # noqa: E402
from pathlib import Path  # noqa: E402

from temba_client.exceptions import (  # noqa: E402
    TembaConnectionError,
    TembaHttpError,
    TembaNoSuchObjectError,
    TembaTokenError,
)

from .explained import notes_of  # noqa: E402
from .stub_server import Reply  # noqa: E402

RECORDED = Path(__file__).resolve().parents[2] / "shared" / "recorded" / "rapidpro-26.3"


def recorded(name):
    """A recorded answer of RapidPro 26.3, as a scripted reply."""
    answer = json.loads((RECORDED / name).read_text())
    headers = {k: v for k, v in answer["headers"].items() if k.lower() != "content-length"}
    return Reply(status=answer["status"], json=answer["json"], headers=headers)


def flash_messages(call):
    """A Flask view's pattern: ``except TembaException as ex: flash(str(ex))``."""
    flashed = []
    try:
        call()
    except TembaException as ex:
        flashed.append(str(ex))
    return flashed


def test_str_of_a_400_is_the_servers_message_alone(stub, client):
    errors = {"urns": ["URN belongs to another contact: tel:+27820001001"]}
    stub.add_json("POST", "contacts", errors, status=400)
    assert flash_messages(lambda: client.create_contact(urns=["tel:+27820001001"])) == [
        "URN belongs to another contact: tel:+27820001001"
    ]
    stub.add_json("POST", "labels", {"field1": ["Msg1", "Msg2"]}, status=400)
    assert flash_messages(lambda: client.create_label("Spam")) == ["Msg1. Msg2"]


def test_str_of_a_recorded_403_404_and_400(stub, client):
    stub.add("GET", "contacts", recorded("error-bad-token.json"))
    stub.add("POST", "labels", recorded("error-missing-object.json"))
    stub.add("GET", "messages", recorded("error-bad-id-param.json"))
    assert flash_messages(lambda: client.get_contacts().first()) == ["Authentication with provided token failed"]
    assert flash_messages(lambda: client.update_label("f5901b62-ba76-4003-9c62-72fdacc1b7b7", "Renamed")) == [
        "No such object exists"
    ]
    assert flash_messages(lambda: client.get_messages(id="abc").first()) == ["Value for id must be an integer"]


def test_str_of_a_connection_error(no_sleep):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = TembaClient("http://127.0.0.1:%d" % port, "1234567890", max_retries=1)
    assert flash_messages(lambda: client.get_contacts().first()) == ["Unable to connect to host"]


def test_str_of_other_statuses_is_what_raise_for_status_says(stub, client):
    # 2.22 called response.raise_for_status(): its text, the URL's personal data redacted
    stub.add("GET", "contacts", Reply(status=500, body=b"Server Error. Site administrators have been notified."))
    with pytest.raises(TembaHttpError) as info:
        client.get_contacts(urn="tel:+250788123123", group="Reporters").first()
    url = stub.endpoint_url("contacts") + "?urn=***&group=Reporters"
    assert str(info.value) == "500 Server Error: Internal Server Error for url: " + url
    assert str(info.value.caused_by) == str(info.value) and info.value.caused_by.response is info.value.response


def test_what_2_22_showed_nothing_of_is_in_attributes_repr_and_notes(stub, client):
    stub.add("GET", "contacts", recorded("error-bad-token.json"))
    with pytest.raises(TembaTokenError) as info:
        client.get_contacts(group="Reporters").first()
    ex = info.value
    url = stub.endpoint_url("contacts") + "?group=Reporters"
    assert (ex.status_code, ex.method, ex.url, ex.detail, ex.attempts) == (403, "GET", url, "Invalid token", 1)
    assert ex.response.status_code == 403 and ex.elapsed >= 0
    assert repr(ex) == (
        "TembaTokenError('Authentication with provided token failed', status_code=403, method='GET', "
        "url=%r, detail='Invalid token', attempts=1)" % url
    )
    assert notes_of(ex).splitlines()[0] == "403 Forbidden for GET %s: Invalid token" % url


class RapidProPythonErrorTests(TembaTest):
    """rapidpro-python 2.22.2's own ``TembaClientTest.test_errors`` and ``test_get_and_resume_cursor``,
    as its suite (and suites copied from it) wrote them."""

    API_VERSION = 2

    def setUp(self):
        self.client = TembaClient("example.com", "1234567890", user_agent="test/0.1")

    @patch("temba_client.base.request")
    def test_errors(self, mock_request):
        from requests.exceptions import ConnectionError

        from temba_client.exceptions import TembaBadRequestError, TembaHttpError

        query = self.client.get_runs()
        for content, message in [
            ("XYZ", "XYZ"),
            ('["Msg1", "Msg2"]', "Msg1. Msg2"),
            ('{"detail": "Msg"}', "Msg"),
            ('{"field1": ["Msg1", "Msg2"]}', "Msg1. Msg2"),
        ]:
            mock_request.return_value = MockResponse(400, content)
            self.assertRaisesWithMessage(TembaBadRequestError, message, query.all)
            with self.assertRaises(TembaBadRequestError):  # (assertRaisesWithMessage passes if nothing is raised)
                query.all()

        mock_request.return_value = MockResponse(403, '{"detail":"Invalid token"}')
        self.assertRaisesWithMessage(TembaTokenError, "Authentication with provided token failed", query.all)

        mock_request.return_value = MockResponse(414, "URI too long")
        self.assertRaisesWithMessage(TembaHttpError, "414 Client Error: ...", query.all)

        mock_request.return_value = MockResponse(404, {"detail": "Not found."})
        with self.assertRaises(TembaNoSuchObjectError):
            self.client.update_label("l-1", name="Spam")

        mock_request.side_effect = ConnectionError()
        self.assertRaisesWithMessage(TembaConnectionError, "Unable to connect to host", query.all)
        with self.assertRaises(TembaConnectionError):
            query.all()

    @patch("temba_client.base.request")
    def test_each_request_is_sent_once_to_a_mock(self, mock_request):
        # 2.22 never retried: a mock's list of answers is used up one call at a time, without sleeping
        from requests.exceptions import ConnectionError

        mock_request.side_effect = [ConnectionError(), MockResponse(200, RUNS_PAGE)]
        with patch("time.sleep") as sleep:
            self.assertRaises(TembaConnectionError, self.client.get_runs().all)
            self.assertEqual(len(self.client.get_runs().all()), 1)
        self.assertEqual(mock_request.call_count, 2)
        sleep.assert_not_called()

    @patch("temba_client.base.request")
    def test_get_and_resume_cursor(self, mock_request):
        page_json = json.loads(RUNS_PAGE)
        page_json["next"] = "https://example.com/api/v2/runs.json?cursor=qwerty%3D&flow=flow_uuid"
        mock_request.return_value = MockResponse(200, json.dumps(page_json))

        iterator = self.client.get_runs().iterfetches(retry_on_rate_exceed=True)
        self.assertEqual(iterator.get_cursor(), None)
        iterator.__next__()
        self.assertEqual(iterator.get_cursor(), "qwerty=")
        iterator.url = None
        self.assertEqual(iterator.get_cursor(), None)

        iterator = self.client.get_runs().iterfetches(retry_on_rate_exceed=True, resume_cursor="qwERty=")
        self.assertTrue(iterator.resume_cursor)
        self.assertEqual(iterator.get_cursor(), None)  # nothing fetched yet
        iterator.__next__()
        self.assertFalse(iterator.resume_cursor)
        self.assertEqual(iterator.url, "https://example.com/api/v2/runs.json?cursor=qwerty%3D&flow=flow_uuid")
        self.assertRequest(mock_request, "get", "runs", params={"cursor": "qwERty="})


# ---------------------------------------------------------------------------------------------
# Resuming from a cursor stored by an earlier run, another server, a fork or a test double
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cursor", ["qwERty=", "page-2", "eyJvZmZzZXQiOiAyNTB9", "12345"])
def test_resuming_from_any_cursor_string(stub, client, cursor):
    stub.add_json("GET", "runs", page([{"uuid": "r-2"}], next=stub.endpoint_url("runs") + "?cursor=Z3"))
    pages = client.get_runs(flow="f-1").iterfetches(resume_cursor=cursor)
    assert [run.uuid for run in next(pages)] == ["r-2"]
    assert stub.last.query == {"flow": ["f-1"], "cursor": [cursor]}
    assert pages.get_cursor() == "Z3"


# ---------------------------------------------------------------------------------------------
# TracPro: a client whose _get_query returns its own CursorQuery subclass, built as 2.22 built it
# ---------------------------------------------------------------------------------------------

from temba_client.clients import CursorQuery  # noqa: E402


class TracProCursorQuery(CursorQuery):
    """TracPro's query: iterating it gives every object (``all(True)`` under the hood)."""

    def __iter__(self):
        return super().all(True).__iter__()

    def all(self, retry_on_rate_exceed=False):
        return self.__iter__()


class TracProClient(TembaClient):
    def _get_query(self, endpoint, params, clazz):
        return TracProCursorQuery(self, "%s/%s.json" % (self.root_url, endpoint), params, clazz, self.transformer)


class OlderTracProClient(TembaClient):  # before rapidpro-python had transformers
    def _get_query(self, endpoint, params, clazz):
        return TracProCursorQuery(self, "%s/%s.json" % (self.root_url, endpoint), params, clazz)


@pytest.mark.parametrize("client_class", [TracProClient, OlderTracProClient])
def test_get_query_override_iterates_pages_and_resumes(stub, client_class):
    base = stub.endpoint_url("contacts")
    first = page([{"uuid": "c-1"}, {"uuid": "c-2"}], next=base + "?cursor=P2&group=Reporters")
    second = page([{"uuid": "c-3"}])
    stub.add("GET", "contacts", Reply(json=first), Reply(json=second), Reply(json=first), Reply(json=second))
    stub.add_json("GET", "runs", page([{"uuid": "r-3"}]))
    with client_class(stub.url, stub.token, max_retries=0) as tracpro:
        query = tracpro.get_contacts(group="Reporters")
        assert isinstance(query, TracProCursorQuery) and query.client is tracpro
        assert [c.uuid for c in query] == ["c-1", "c-2", "c-3"]  # iterates across pages
        pages = query.iterfetches()
        assert [c.uuid for c in next(pages)] == ["c-1", "c-2"]  # pages...
        assert pages.get_cursor() == "P2"
        assert [c.uuid for c in next(pages)] == ["c-3"]
        resumed = tracpro.get_runs().iterfetches(resume_cursor="P7")  # ...and resumes
        assert [r.uuid for r in next(resumed)] == ["r-3"]
    assert stub.last.query == {"cursor": ["P7"]}


def test_a_2_22_cursor_iterator_built_by_hand(stub, client):
    from temba_client.clients import CursorIterator
    from temba_client.v2.types import Contact

    stub.add_json("GET", "contacts", page([{"uuid": "c-5"}]))
    url = stub.endpoint_url("contacts")
    iterator = CursorIterator(client, url, {"group": "G"}, Contact, False, "C5", None)
    assert [c.uuid for c in next(iterator)] == ["c-5"]
    assert stub.last.query == {"group": ["G"], "cursor": ["C5"]}
    with pytest.raises(TypeError, match="TembaClient"):
        CursorQuery(object(), url, {}, Contact)


# ---------------------------------------------------------------------------------------------
# A broadcast page in the shape older servers sent (and rapidpro-python's own fixtures hold)
# ---------------------------------------------------------------------------------------------


def test_an_old_shape_broadcast_page(stub, client):
    old = {
        "id": 1234,
        "urns": ["tel:+250783835665"],
        "contacts": [{"uuid": "5079cb96-a1d8-4f47-8c87-d8c7bb6ddab9", "name": "Joe"}],
        "groups": [{"uuid": "04a4752b-0f49-480e-ae60-3a3f2bea485c", "name": "The A-Team"}],
        "text": "Hello",
        "status": "queued",
        "created_on": "2015-11-11T13:05:57.457742Z",
    }
    stub.add_json("GET", "broadcasts", page([old]))
    (broadcast,) = client.get_broadcasts().all()
    assert broadcast.text == "Hello" and broadcast.contacts[0].name == "Joe"

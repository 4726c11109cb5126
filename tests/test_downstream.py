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
    except catch as ex:
        assert "cannot be combined" in str(ex)
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

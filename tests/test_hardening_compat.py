"""rapidpro-python 2.22 compatibility hooks in the transport ("Fidelity"), and writes retried on 429
("Exports and sync").

Code written for 2.22.2 intercepts requests with ``unittest.mock.patch("temba_client.utils.request")``
(or ``temba_client.base.request``, ``temba_client.clients.request``) and answers with its own
``MockResponse``; these tests do exactly that.
"""

from __future__ import annotations

import importlib
import json
import sys
import types
from unittest.mock import patch

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from temba_client import CLIENT_VERSION
from temba_client.exceptions import (
    TembaBadRequestError,
    TembaConnectionError,
    TembaHttpError,
    TembaNoSuchObjectError,
    TembaRateExceededError,
    TembaTokenError,
)
from temba_client.v2 import TembaClient

from .stub_server import Reply, page


class MockResponse:
    """What rapidpro-python 2.22's tests return from a patched ``request``."""

    def __init__(self, status_code, content=None, headers=None):
        self.status_code = status_code
        self.content = content or ""
        self.headers = CaseInsensitiveDict(data=headers or {})

    def json(self, **kwargs):
        return json.loads(self.content)

    def raise_for_status(self):
        if 400 <= self.status_code < 600:
            raise requests.HTTPError()


def page_of(*uuids):
    return MockResponse(200, json.dumps(page([{"uuid": uuid, "name": uuid} for uuid in uuids])))


@pytest.fixture
def mocked():
    client = TembaClient("example.com", "1234567890", user_agent="test/0.1")
    with patch("temba_client.utils.request") as mock_request:
        yield client, mock_request


def test_headers_are_rapidpro_pythons():
    client = TembaClient("example.com", "1234567890", user_agent="test/0.1")
    assert client.headers == {
        "Content-type": "application/json",
        "Accept": "application/json",
        "Authorization": "Token 1234567890",
        "User-Agent": "test/0.1 rapidpro-python/%s" % CLIENT_VERSION,
    }
    assert TembaClient("example.com", "1")._transport.headers["User-Agent"] == "rapidpro-python/%s" % CLIENT_VERSION


def test_patched_request_receives_gets_as_222_sent_them(mocked):
    client, mock_request = mocked
    mock_request.return_value = page_of("c1", "c2")
    assert [c.uuid for c in client.get_contacts().all()] == ["c1", "c2"]
    mock_request.assert_called_once_with(
        "get", "https://example.com/api/v2/contacts.json", headers=client.headers, verify=None
    )
    mock_request.reset_mock()
    client.get_contacts(group="Reporters").first()
    mock_request.assert_called_once_with(
        "get",
        "https://example.com/api/v2/contacts.json",
        headers=client.headers,
        params={"group": "Reporters"},
        verify=None,
    )


def test_patched_request_receives_writes_as_222_sent_them(mocked):
    client, mock_request = mocked
    mock_request.return_value = MockResponse(201, json.dumps({"uuid": "c1", "name": "Ann"}))
    contact = client.create_contact(name="Ann", urns=["tel:+250788123123"])
    assert (contact.uuid, contact.name) == ("c1", "Ann")
    mock_request.assert_called_once_with(
        "post",
        "https://example.com/api/v2/contacts.json",
        headers=client.headers,
        data={"name": "Ann", "urns": ["tel:+250788123123"]},
        verify=None,
    )
    mock_request.reset_mock()
    mock_request.return_value = MockResponse(204)
    client.delete_contact("c1")
    mock_request.assert_called_once_with(
        "delete", "https://example.com/api/v2/contacts.json", headers=client.headers, params={"uuid": "c1"}, verify=None
    )


def test_patched_request_statuses_map_to_the_same_errors(mocked, no_sleep):
    client, mock_request = mocked
    cases = [
        (MockResponse(400, '{"name": ["Too long"]}'), TembaBadRequestError),
        (MockResponse(403, '{"detail": "Invalid token"}'), TembaTokenError),
        (MockResponse(404, ""), TembaNoSuchObjectError),
        (MockResponse(429, "", {"Retry-After": "9"}), TembaRateExceededError),
        (MockResponse(500, "boom"), TembaHttpError),
    ]
    for response, error in cases:
        mock_request.return_value = response
        with pytest.raises(error):
            client.create_group("G")
    mock_request.return_value = MockResponse(429, "")  # no Retry-After at all
    with pytest.raises(TembaRateExceededError) as info:
        client.get_groups().first()
    assert info.value.retry_after == 0
    assert no_sleep == []


def test_patched_request_is_sent_once_as_2_22_sent_it(no_sleep):
    # rapidpro-python 2.22 never retried a failure: a mock's list of answers is used up one request
    # at a time, and nothing sleeps; waiting out a 429 when asked to is 2.22's behaviour too
    client = TembaClient("example.com", "1234567890", max_retries=3)
    with patch("temba_client.utils.request") as mock_request:
        mock_request.side_effect = [
            MockResponse(503, "busy"),
            requests.ConnectionError("dropped"),
            MockResponse(429, "", {"Retry-After": "2"}),
            page_of("c1"),
        ]
        with pytest.raises(TembaHttpError) as info:
            client.get_contacts().all()
        assert info.value.status_code == 503 and str(info.value) == ""  # what this mock's raise_for_status says
        with pytest.raises(TembaConnectionError):
            client.get_contacts().all()
        assert [c.uuid for c in client.get_contacts().all(retry_on_rate_exceed=True)] == ["c1"]
        assert mock_request.call_count == 4 and no_sleep == [2]
        mock_request.side_effect = requests.ConnectionError("refused")
        with pytest.raises(TembaConnectionError):
            client.create_group("G")
        assert mock_request.call_count == 5  # a write whose fate is unknown is not sent again


@pytest.mark.parametrize("target", ["temba_client.base.request", "temba_client.clients.request"])
def test_other_patch_points_of_222(monkeypatch, target):
    module = target.rsplit(".", 1)[0]
    try:
        importlib.import_module(module)
    except ImportError:  # temba_client.clients, 2.22's module name, is added elsewhere
        monkeypatch.setitem(sys.modules, module, types.ModuleType(module))
    client = TembaClient("example.com", "1234567890")
    with patch(target) as mock_request:
        mock_request.return_value = page_of("c9")
        assert client.get_contacts().first().uuid == "c9"
        assert mock_request.call_args.args == ("get", "https://example.com/api/v2/contacts.json")


def test_unpatched_requests_go_to_the_server(stub, client):
    with patch("temba_client.utils.request") as mock_request:
        mock_request.return_value = page_of("mocked")
        assert client.get_contacts().first().uuid == "mocked"
    stub.add_json("GET", "contacts", page([{"uuid": "real"}]))
    assert client.get_contacts().first().uuid == "real"
    assert len(stub.requests) == 1


# ---------------------------------------------------------------------------------------------
# B. Writes answered 429 are retried when asked (the server did nothing)
# ---------------------------------------------------------------------------------------------


def test_writes_are_retried_on_429_when_asked(stub, no_sleep):
    client = TembaClient(stub.url, stub.token, retry_on_rate_exceed=True, max_retries=0)
    throttled = Reply(status=429, json={"detail": "Request was throttled."}, headers={"Retry-After": "3"})
    stub.add("POST", "contacts", throttled, Reply(status=201, json={"uuid": "c1"}))
    assert client.create_contact(name="Ann").uuid == "c1"
    assert [r.method for r in stub.requests] == ["POST", "POST"] and no_sleep == [3]
    stub.add("POST", "contact_actions", throttled)
    with pytest.raises(TembaRateExceededError):
        client.bulk_block_contacts(["c1"])
    assert len([r for r in stub.requests if r.path.endswith("contact_actions.json")]) == 6  # bounded as GETs are


def test_writes_are_not_retried_on_429_by_default(stub, client, no_sleep):
    stub.add("POST", "contacts", Reply(status=429, json={}, headers={"Retry-After": "3"}))
    with pytest.raises(TembaRateExceededError):
        client.create_contact(name="Ann")
    assert len(stub.requests) == 1 and no_sleep == []

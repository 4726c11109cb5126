"""The transport over real sockets: headers, connection reuse, timeouts, errors, retries."""

from __future__ import annotations

import logging
import socket
import warnings

import pytest
import requests

from temba_client import CLIENT_VERSION
from temba_client.exceptions import (
    TembaBadRequestError,
    TembaBadResponseError,
    TembaConnectionError,
    TembaException,
    TembaHttpError,
    TembaNoSuchObjectError,
    TembaPermissionError,
    TembaRateExceededError,
    TembaSerializationException,
    TembaTokenError,
)
from temba_client.v2 import TembaClient

from .explained import notes_of
from .stub_server import Reply, page


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# Construction and headers
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host, root",
    [
        ("rapidpro.io", "https://rapidpro.io/api/v2"),
        ("rapidpro.io/", "https://rapidpro.io/api/v2"),
        ("localhost:8000", "https://localhost:8000/api/v2"),
        ("http://localhost:8000", "http://localhost:8000/api/v2"),
        ("http://localhost:8000/", "http://localhost:8000/api/v2"),
        ("http://localhost:8000/api/v2", "http://localhost:8000/api/v2"),
        ("http://localhost:8000/api/v2/", "http://localhost:8000/api/v2"),
        ("HTTPS://example.org/rapidpro", "HTTPS://example.org/rapidpro/api/v2"),
        ("httpbin.org", "https://httpbin.org/api/v2"),
    ],
)
def test_root_url(host, root):
    assert TembaClient(host, "token").root_url == root


def test_documented_url_form_targets_single_api_prefix(stub):
    client = TembaClient(stub.url + "/api/v2", stub.token)
    stub.add_json("GET", "contacts", page([]))
    client.get_contacts().all()
    assert stub.last.path == "/api/v2/contacts.json"


def test_headers(stub):
    client = TembaClient(stub.url, stub.token, user_agent="my-app/1.2")
    stub.add_json("GET", "contacts", page([]))
    client.get_contacts().all()
    headers = stub.last.headers
    assert headers["Authorization"] == "Token %s" % stub.token
    assert headers["Accept"] == "application/json"
    assert headers["Content-type"] == "application/json"  # rapidpro-python's spelling
    assert headers["User-Agent"] == "my-app/1.2 rapidpro-python/%s" % CLIENT_VERSION


def test_default_user_agent(stub, client):
    stub.add_json("GET", "contacts", page([]))
    client.get_contacts().all()
    assert stub.last.headers["User-Agent"] == "rapidpro-python/%s" % CLIENT_VERSION


def test_bad_constructor_arguments():
    with pytest.raises(TypeError):
        TembaClient("", "token")
    with pytest.raises(TypeError):
        TembaClient("rapidpro.io", None)
    with pytest.raises(ValueError):
        TembaClient("rapidpro.io", "token", max_retries=-1)


def test_token_is_not_in_repr():
    client = TembaClient("rapidpro.io", "super-secret-token")
    assert "super-secret-token" not in repr(client)
    assert "super-secret-token" not in repr(client._transport)
    assert repr(client) == "<TembaClient https://rapidpro.io/api/v2>"


def test_disabling_tls_verification_warns():
    with pytest.warns(UserWarning, match="verification is disabled"):
        TembaClient("rapidpro.io", "token", verify_ssl=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TembaClient("rapidpro.io", "token", verify_ssl=True)


def test_one_connection_for_all_pages(stub, client):
    next_url = stub.endpoint_url("contacts") + "?cursor=%d"
    stub.add_json("GET", "contacts", page([{"uuid": "c0"}], next=next_url % 1))
    for number in range(1, 20):
        stub.add_json("GET", "contacts", page([{"uuid": "c%d" % number}], next=next_url % (number + 1)))
    stub.add_json("GET", "contacts", page([{"uuid": "last"}]))
    assert len(client.get_contacts().all()) == 21
    assert len(stub.requests) == 21
    assert stub.connections == 1


def test_own_session_is_used_and_left_open(stub):
    session = requests.Session()
    session.headers["X-Trace"] = "abc"
    with TembaClient(stub.url, stub.token, session=session) as client:
        assert client.session is session
        stub.add_json("GET", "contacts", page([]))
        client.get_contacts().all()
    assert stub.last.headers["X-Trace"] == "abc"
    assert session.adapters  # not closed: the caller owns it


def test_client_closes_its_session(stub):
    client = TembaClient(stub.url, stub.token)
    client.close()
    client.close()


def test_debug_logging_has_no_secret(stub, client, caplog):
    stub.add_json("GET", "contacts", page([]))
    with caplog.at_level(logging.DEBUG, logger="temba_client"):
        client.get_contacts(group="Reporters").all()
    text = caplog.text
    assert "GET" in text and "/api/v2/contacts.json?group=Reporters" in text and "200" in text
    assert stub.token not in text


# ---------------------------------------------------------------------------------------------
# Status codes and bodies
# ---------------------------------------------------------------------------------------------


def test_400_with_field_errors(stub, client):
    errors = {"name": ["This field is required."], "urns": ["Invalid URN: xyz", "Too long"]}
    stub.add_json("POST", "contacts", errors, status=400)
    with pytest.raises(TembaBadRequestError) as info:
        client.create_contact(urns=["xyz"])
    assert info.value.errors == errors
    assert str(info.value) == "This field is required.. Invalid URN: xyz. Too long"  # exactly 2.22's join


def test_400_with_one_message(stub, client):
    stub.add_json("GET", "messages", {"detail": "Value for id must be an integer"}, status=400)
    with pytest.raises(TembaBadRequestError) as info:
        client.get_messages(id="abc").first()
    assert str(info.value) == "Value for id must be an integer"


def test_400_with_nested_errors(stub, client):
    stub.add_json("POST", "contacts", {"urns": {"0": ["Invalid URN"]}, "non_field_errors": ["Bad"]}, status=400)
    with pytest.raises(TembaBadRequestError) as info:
        client.create_contact(urns=["xyz"])
    assert str(info.value) == "Invalid URN. Bad"  # 2.22 showed the nested key: "0. Bad"


def test_400_with_a_list(stub, client):
    stub.add_json("POST", "contacts", ["Bad thing", "Worse thing"], status=400)
    with pytest.raises(TembaBadRequestError) as info:
        client.create_contact(name="X")
    assert str(info.value) == "Bad thing. Worse thing"


def test_400_that_is_not_json(stub, client):
    stub.add("POST", "contacts", Reply(status=400, body=b"<html>Bad Request</html>"))
    with pytest.raises(TembaBadRequestError) as info:
        client.create_contact(name="X")
    assert info.value.errors == {"details": [b"<html>Bad Request</html>"]}  # the shape 2.22 gave
    assert str(info.value) == "<html>Bad Request</html>"  # where 2.22's str() failed on the bytes


@pytest.mark.parametrize(
    "status, body",
    [
        (403, {"detail": "Invalid token"}),
        (403, {"detail": "Authentication credentials were not provided."}),
        (401, {"detail": "Unauthorized"}),
        (401, None),
    ],
)
def test_token_failures(stub, client, status, body):
    stub.add_json("GET", "contacts", body, status=status)
    with pytest.raises(TembaTokenError) as info:
        client.get_contacts().first()
    assert type(info.value) is TembaTokenError
    assert str(info.value) == "Authentication with provided token failed"
    assert (info.value.status_code, info.value.method, info.value.url) == (status, "GET", stub.endpoint_url("contacts"))
    assert notes_of(info.value).startswith("%d " % status)
    assert stub.token not in str(info.value) + repr(info.value) + notes_of(info.value)


def test_permission_failure_keeps_the_servers_reason(stub, client):
    stub.add_json("DELETE", "groups", {"detail": "Cannot delete system object."}, status=403)
    with pytest.raises(TembaTokenError) as info:  # older code catches it as a token error
        client.delete_group("a-uuid")
    assert isinstance(info.value, TembaPermissionError)
    assert info.value.detail == "Cannot delete system object."
    assert str(info.value) == "Authentication with provided token failed"  # what 2.22 said of every 403
    assert "403 Forbidden for DELETE " in notes_of(info.value) and "Cannot delete system object." in repr(info.value)


def test_404(stub, client):
    stub.add_json("POST", "labels", {"detail": "Not found."}, status=404)
    with pytest.raises(TembaNoSuchObjectError) as info:
        client.update_label("missing", name="Spam")
    assert str(info.value) == "No such object exists"
    assert info.value.detail == "Not found."
    assert notes_of(info.value).startswith(
        "404 Not Found for POST %s?uuid=missing: Not found." % stub.endpoint_url("labels")
    )


def test_429_without_retry(stub, client):
    stub.add_json("GET", "contacts", {"detail": "Request was throttled."}, status=429, **{"Retry-After": "17"})
    with pytest.raises(TembaRateExceededError) as info:
        client.get_contacts().all()
    assert info.value.retry_after == 17
    assert str(info.value) == (
        "You have exceeded the number of requests allowed per org in a given time window. "
        "Please wait 17 seconds before making further requests"
    )


@pytest.mark.parametrize("header, expected", [("2.5", 3), ("", 0), ("soon", 0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0)])
def test_429_retry_after_forms(stub, client, header, expected):
    headers = {"Retry-After": header} if header else {}
    stub.add("GET", "contacts", Reply(status=429, json={}, headers=headers))
    with pytest.raises(TembaRateExceededError) as info:
        client.get_contacts().first()
    assert info.value.retry_after == expected


@pytest.mark.parametrize("status", [405, 409, 500, 502, 503, 504])
def test_other_statuses(stub, client, status):
    stub.add("POST", "groups", Reply(status=status, body=b"Server Error. Site administrators have been notified."))
    with pytest.raises(TembaHttpError) as info:
        client.create_group("Reporters")
    error = info.value
    assert error.status_code == status
    assert isinstance(error.caused_by, requests.HTTPError)
    kind = "Client" if status < 500 else "Server"
    reason = requests.status_codes._codes[status][0].replace("_", " ").title()
    # as requests' raise_for_status() words it, which is what rapidpro-python 2.22 showed
    assert str(error) == "%d %s Error: %s for url: %s" % (status, kind, reason, stub.endpoint_url("groups"))
    assert "the body began: Server Error. Site administrators" in notes_of(error)


def test_http_error_message_quotes_only_the_start_of_the_body(stub, client):
    stub.add("GET", "contacts", Reply(status=500, body=b"x" * 5000))
    with pytest.raises(TembaHttpError) as info:
        client.get_contacts().first()
    assert "x" * 200 in notes_of(info.value) and "x" * 201 not in notes_of(info.value)


@pytest.mark.parametrize("body", [b"<html><body>Welcome</body></html>", b'{"results": [', b""])
def test_success_with_a_body_that_is_not_json(stub, client, body):
    stub.add("GET", "contacts", Reply(status=200, body=body))
    with pytest.raises(TembaBadResponseError) as info:
        client.get_contacts().first()
    assert isinstance(info.value, TembaHttpError)
    assert "contacts.json" in str(info.value)


@pytest.mark.parametrize("data", [[], {"results": {}}, {"next": None}, "text", {"results": ["not an object"]}])
def test_success_with_json_of_the_wrong_shape(stub, client, data):
    stub.add_json("GET", "contacts", data)
    with pytest.raises(TembaException) as info:
        client.get_contacts().all()
    assert isinstance(info.value, (TembaBadResponseError, TembaSerializationException))


def test_empty_success_body_of_a_write(stub, client):
    stub.add("POST", "contact_actions", Reply(status=204))
    assert client.bulk_block_contacts(["c1"]) is None


# ---------------------------------------------------------------------------------------------
# Connection failures and timeouts
# ---------------------------------------------------------------------------------------------


def test_connection_refused():
    client = TembaClient("http://127.0.0.1:%d" % free_port(), "token", max_retries=0)
    with pytest.raises(TembaConnectionError) as info:
        client.get_contacts().first()
    assert str(info.value).startswith("Unable to connect to host")


def test_read_timeout(stub):
    client = TembaClient(stub.url, stub.token, timeout=0.2, max_retries=0)
    stub.add("GET", "contacts", Reply(json=page([]), delay=1.0))
    with pytest.raises(TembaConnectionError, match="timed out"):
        client.get_contacts().first()


@pytest.mark.parametrize("fault", [{"drop": True}, {"truncate": True}])
def test_dropped_connections(stub, client, fault):
    stub.add("GET", "contacts", Reply(json=page([{"uuid": "c1"}]), **fault))
    with pytest.raises(TembaConnectionError):
        client.get_contacts().first()


# ---------------------------------------------------------------------------------------------
# Retries
# ---------------------------------------------------------------------------------------------


def test_get_is_retried_after_transient_failures(stub, no_sleep):
    client = TembaClient(stub.url, stub.token, max_retries=3, timeout=5)
    stub.add(
        "GET",
        "contacts",
        Reply(status=502, body=b"<html>Bad gateway</html>"),
        Reply(drop=True),
        Reply(status=503),
        Reply(json=page([{"uuid": "c1"}])),
    )
    assert client.get_contacts().first().uuid == "c1"
    assert len(stub.requests) == 4
    assert len(no_sleep) == 3
    assert no_sleep[0] <= no_sleep[2]  # backoff grows (jitter stays within each step)


def test_get_retries_are_bounded(stub, no_sleep):
    client = TembaClient(stub.url, stub.token, max_retries=2, timeout=5)
    stub.add("GET", "contacts", Reply(status=504))
    with pytest.raises(TembaHttpError) as info:
        client.get_contacts().first()
    assert info.value.status_code == 504
    assert len(stub.requests) == 3


def test_writes_are_not_retried_once_sent(stub, no_sleep):
    client = TembaClient(stub.url, stub.token, max_retries=3, timeout=5)
    stub.add("POST", "groups", Reply(status=503), Reply(json={"uuid": "g1"}))
    with pytest.raises(TembaHttpError):
        client.create_group("Reporters")
    stub.add("POST", "labels", Reply(drop=True), Reply(json={"uuid": "l1"}))
    with pytest.raises(TembaConnectionError):
        client.create_label("Spam")
    assert [r.path for r in stub.requests] == ["/api/v2/groups.json", "/api/v2/labels.json"]


def test_refused_writes_are_retried(no_sleep):
    client = TembaClient("http://127.0.0.1:%d" % free_port(), "token", max_retries=2)
    with pytest.raises(TembaConnectionError):
        client.create_group("Reporters")
    assert len(no_sleep) == 2


def test_rate_limit_retry(stub, client, no_sleep):
    throttled = Reply(status=429, json={"detail": "Request was throttled."}, headers={"Retry-After": "7"})
    stub.add("GET", "contacts", throttled, throttled, Reply(json=page([{"uuid": "c1"}])))
    contacts = client.get_contacts().all(retry_on_rate_exceed=True)
    assert [c.uuid for c in contacts] == ["c1"]
    assert no_sleep == [7, 7]


def test_rate_limit_retry_is_bounded(stub, client, no_sleep):
    stub.add("GET", "contacts", Reply(status=429, json={}, headers={"Retry-After": "1"}))
    with pytest.raises(TembaRateExceededError):
        client.get_contacts().first(retry_on_rate_exceed=True)
    assert no_sleep == [1] * 5
    assert len(stub.requests) == 6


def test_rate_limit_total_wait_is_capped(stub, no_sleep):
    client = TembaClient(stub.url, stub.token, max_rate_limit_wait=100)
    stub.add("GET", "contacts", Reply(status=429, json={}, headers={"Retry-After": "60"}))
    with pytest.raises(TembaRateExceededError):
        client.get_contacts().first(retry_on_rate_exceed=True)
    assert no_sleep == [60]


def test_rate_limit_retry_as_client_default(stub, no_sleep):
    client = TembaClient(stub.url, stub.token, retry_on_rate_exceed=True)
    stub.add("GET", "contacts", Reply(status=429, json={}, headers={"Retry-After": "3"}), Reply(json=page([])))
    assert client.get_contacts().all() == []
    assert no_sleep == [3]
    stub.add("GET", "groups", Reply(status=429, json={}, headers={"Retry-After": "3"}))
    with pytest.raises(TembaRateExceededError):
        client.get_groups().all(retry_on_rate_exceed=False)


def test_rate_limit_retry_of_single_object_endpoints(stub, client, no_sleep):
    stub.add("GET", "org", Reply(status=429, json={}, headers={"Retry-After": "2"}), Reply(json={"name": "Nyaruka"}))
    assert client.get_org(retry_on_rate_exceed=True).name == "Nyaruka"
    assert no_sleep == [2]


def test_single_object_endpoints_follow_the_client_default(stub, no_sleep):
    client = TembaClient(stub.url, stub.token, retry_on_rate_exceed=True)
    throttled = Reply(status=429, json={}, headers={"Retry-After": "4"})
    stub.add("GET", "workspace", throttled, Reply(json={"name": "Nyaruka"}))
    assert client.get_workspace().name == "Nyaruka"
    assert no_sleep == [4]

"""The issue "Hardening", at the HTTP level: each numbered failure, reproduced against a scripted
server on 127.0.0.1, and what the client does now."""

from __future__ import annotations

import datetime
import gzip
import logging
import math
import socket
import traceback
import tracemalloc

import pytest

from temba_client.exceptions import (
    TembaBadRequestError,
    TembaBadResponseError,
    TembaConnectionError,
    TembaHttpError,
    TembaNoSuchObjectError,
    TembaRateExceededError,
    TembaTokenError,
)
from temba_client.v2 import TembaClient

from .explained import notes_of
from .stub_server import Recorded, Reply, page

SECRET = "f3a9c1d2e5b7a8c9d0e1f2a3b4c5d6e7f8a9b0c1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def everything_about(exc: BaseException) -> str:
    """The message, repr, args, notes and traceback (causes included) of an exception, as a log or a
    crash report shows them."""
    return "\n".join(
        [
            str(exc),
            repr(exc),
            repr(exc.args),
            notes_of(exc),
            "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
        ]
    )


@pytest.fixture
def secret_client(stub):
    with TembaClient(stub.url, SECRET, max_retries=0, timeout=5) as temba:
        yield temba


# ---------------------------------------------------------------------------------------------
# 1. A write that gets a redirect is never followed
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirected_create_fails_after_one_send(stub, client, status):
    location = "https://rapidpro.example.org/api/v2/contacts.json"
    stub.add("POST", "contacts", Reply(status=status, body=b"", headers={"Location": location}))
    stub.add_json("GET", "contacts", page([]))  # what following the redirect as a GET would find
    with pytest.raises(TembaHttpError) as info:
        client.create_contact(name="Ann")
    assert info.value.status_code == status
    assert "%d " % status in str(info.value) and location in str(info.value) and "POST" in str(info.value)
    assert [(r.method, r.path) for r in stub.requests] == [("POST", "/api/v2/contacts.json")]


def test_redirected_deletes_and_bulk_actions_fail_after_one_send(stub, client):
    moved = Reply(status=301, body=b"", headers={"Location": stub.url + "/elsewhere"})
    stub.add("DELETE", "contacts", moved)
    stub.add("POST", "contact_actions", moved)
    stub.add("GET", "/elsewhere", Reply(json=page([])))
    with pytest.raises(TembaHttpError, match="301"):
        client.delete_contact("c-uuid")
    with pytest.raises(TembaHttpError, match="301"):
        client.bulk_block_contacts(["c-uuid"])
    assert [r.method for r in stub.requests] == ["DELETE", "POST"]


def test_a_get_follows_redirects_within_its_origin(stub, secret_client):
    stub.add("GET", "contacts", Reply(status=301, headers={"Location": "/api/v2/contacts_moved.json?group=G"}))
    stub.add("GET", "contacts_moved", Reply(json=page([{"uuid": "c1"}])))
    assert [c.uuid for c in secret_client.get_contacts().all()] == ["c1"]
    assert stub.last.query == {"group": ["G"]}
    assert stub.last.headers["Authorization"] == "Token " + SECRET


def test_a_redirect_with_a_trickled_body_ends_at_the_total_timeout(stub):
    client = TembaClient(stub.url, SECRET, timeout=5, total_timeout=1.0, max_retries=0)
    stub.add("POST", "contacts", Reply(status=302, body=b"x" * 100, headers={"Location": "/x"}, trickle=0.1))
    with pytest.raises(TembaConnectionError, match="total limit of 1.0 seconds"):  # rather than after 10 s
        client.create_contact(name="Ann")


def test_a_redirect_with_a_huge_body_is_not_read_whole(stub):
    client = TembaClient(stub.url, SECRET, max_retries=0, max_response_size=1024 * 1024)
    stub.add("GET", "contacts", Reply(status=302, body=b"x" * (32 * 1024 * 1024), headers={"Location": "/x"}))
    tracemalloc.start()
    try:
        with pytest.raises(TembaBadResponseError, match="larger than the limit"):
            client.get_contacts().first()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024


def test_redirect_loops_end(stub, client):
    stub.add("GET", "contacts", Reply(status=302, headers={"Location": "/api/v2/contacts.json"}))
    with pytest.raises(TembaHttpError, match="more than 5 redirects"):
        client.get_contacts().first()
    assert len(stub.requests) == 6


# ---------------------------------------------------------------------------------------------
# 2. A write processed by the server is never sent again
# ---------------------------------------------------------------------------------------------


def test_a_write_redirected_to_a_refused_port_is_sent_once(stub, no_sleep):
    client = TembaClient(stub.url, SECRET, max_retries=3, timeout=5)
    refused = "http://127.0.0.1:%d/api/v2/contacts.json" % free_port()
    stub.add("POST", "contacts", Reply(status=303, body=b"", headers={"Location": refused}))
    with pytest.raises(TembaHttpError, match="303"):
        client.create_contact(name="Ann")
    assert len(stub.requests) == 1 and no_sleep == []


def test_a_write_is_retried_only_when_refused(stub, no_sleep):
    client = TembaClient(stub.url, SECRET, max_retries=3, timeout=5)
    stub.add("POST", "contacts", Reply(json={"uuid": "c1"}, truncate=True))
    with pytest.raises(TembaConnectionError, match="connection broken"):
        client.create_contact(name="Ann")
    assert len(stub.requests) == 1 and no_sleep == []
    refused = TembaClient("http://127.0.0.1:%d" % free_port(), SECRET, max_retries=2)
    with pytest.raises(TembaConnectionError, match="could not connect"):
        refused.create_contact(name="Ann")
    assert len(no_sleep) == 2


# ---------------------------------------------------------------------------------------------
# 3. The token never leaks
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "token, words",
    [
        (SECRET + "\n", "whitespace at its end (a line break read from a file"),
        (" " + SECRET, "whitespace at its start"),
        (SECRET[:10] + "\t" + SECRET[10:], "whitespace inside it"),
        (SECRET[:10] + "\x00" + SECRET[10:], "a control character"),
        (SECRET[:10] + "é" + SECRET[10:], "a non-ASCII character"),
    ],
)
def test_a_token_that_cannot_be_sent_is_refused_at_construction(stub, token, words):
    with pytest.raises(ValueError) as info:
        TembaClient(stub.url, token)
    assert words in str(info.value)
    assert SECRET[:10] not in everything_about(info.value) and SECRET[10:] not in everything_about(info.value)
    assert stub.requests == []


def test_an_empty_token_constructs_but_sends_nothing(stub):
    client = TembaClient(stub.url, "")
    assert client.headers["Authorization"] == "Token "
    with pytest.raises(TembaTokenError, match="no API token is set"):
        client.get_contacts().first()
    with pytest.raises(TembaTokenError):
        client.create_contact(name="Ann")
    assert stub.requests == []


def _echo_headers(status: int, as_json: bool = False):
    def respond(request: Recorded) -> Reply:
        echoed = "Authorization: %s" % request.headers["Authorization"]
        if as_json:
            return Reply(status=status, json={"detail": echoed, "name": ["Bad: " + echoed]})
        return Reply(status=status, body=("<html><pre>%s</pre></html>" % echoed).encode())

    return respond


@pytest.mark.parametrize(
    "status, error", [(500, TembaHttpError), (403, TembaTokenError), (404, TembaNoSuchObjectError)]
)
def test_error_pages_echoing_the_token_are_redacted(stub, secret_client, status, error):
    stub.add("GET", "contacts", _echo_headers(status))
    with pytest.raises(error) as info:
        secret_client.get_contacts().first()
    assert "Token ***" in notes_of(info.value)  # the start of the page, as the notes quote it
    assert SECRET not in everything_about(info.value)


def test_json_errors_echoing_the_token_are_redacted(stub, secret_client):
    stub.add("POST", "contacts", _echo_headers(400, as_json=True))
    stub.add("POST", "groups", _echo_headers(403, as_json=True))
    with pytest.raises(TembaBadRequestError) as info:
        secret_client.create_contact(name="Ann")
    assert SECRET not in everything_about(info.value) and SECRET not in repr(info.value.errors)
    assert "Token ***" in str(info.value)
    with pytest.raises(TembaTokenError) as info2:
        secret_client.create_group("G")
    assert SECRET not in everything_about(info2.value) and SECRET not in str(info2.value.detail)


def test_logs_and_connection_errors_hold_no_token(caplog, no_sleep):
    client = TembaClient("http://127.0.0.1:%d" % free_port(), SECRET, max_retries=2)
    with caplog.at_level(logging.DEBUG), pytest.raises(TembaConnectionError) as info:
        client.get_contacts().first()
    assert SECRET not in caplog.text and SECRET not in everything_about(info.value)
    assert caplog.text.count("failed: could not connect") == 3


# ---------------------------------------------------------------------------------------------
# 6. Nothing but the documented exceptions escapes
# ---------------------------------------------------------------------------------------------

DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize(
    "status, error", [(200, TembaBadResponseError), (400, TembaBadRequestError), (403, TembaTokenError)]
)
def test_deeply_nested_json_is_not_a_recursion_error(stub, client, status, error):
    stub.add("GET", "contacts", Reply(status=status, body=DEEP))
    with pytest.raises(error):
        client.get_contacts().first()


def test_deeply_nested_but_parseable_error_bodies(stub, client):
    nested: object = ["Too deep"]
    for _ in range(500):
        nested = {"field": nested}
    stub.add_json("POST", "contacts", nested, status=400)
    with pytest.raises(TembaBadRequestError) as info:
        client.create_contact(name="Ann")
    assert str(info.value) == "Too deep"  # 2.22 showed the first nested key ("field")


@pytest.mark.parametrize(
    "header", ["inf", "1e400", "-inf", "nan", "-5", "soon", "Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 99"]
)
@pytest.mark.parametrize("retry", [False, True])
def test_absurd_retry_after_headers(stub, client, no_sleep, header, retry):
    stub.add("GET", "contacts", Reply(status=429, json={}, headers={"Retry-After": header}))
    with pytest.raises(TembaRateExceededError) as info:
        client.get_contacts().first(retry_on_rate_exceed=retry)
    assert isinstance(info.value.retry_after, int) and info.value.retry_after >= 0
    assert all(math.isfinite(wait) for wait in no_sleep)


def test_retry_after_as_an_http_date(stub, client, no_sleep):
    when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=120)
    stub.add(
        "GET",
        "contacts",
        Reply(status=429, json={}, headers={"Retry-After": when.strftime("%a, %d %b %Y %H:%M:%S GMT")}),
    )
    with pytest.raises(TembaRateExceededError) as info:
        client.get_contacts().first()
    assert 100 <= info.value.retry_after <= 121


def test_datetimes_past_year_9999_in_utc_are_value_errors(stub, client):
    late = datetime.datetime(9999, 12, 31, 23, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=-5)))
    with pytest.raises(ValueError, match="out of range"):
        client.get_runs(after=late).first()
    assert stub.requests == []


def test_datetimes_past_year_9999_in_answers(stub, client):
    stub.add_json("GET", "contacts", page([{"uuid": "c1", "created_on": "9999-12-31T23:00:00-05:00"}]))
    # past the last datetime in UTC: kept as sent, the page is not lost (issue 21, item 5)
    assert client.get_contacts().first().created_on == "9999-12-31T23:00:00-05:00"


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_nan_and_infinity_are_refused_before_sending(stub, client, value):
    with pytest.raises(ValueError, match="JSON has no NaN or infinity|cannot be sent as JSON"):
        client.create_contact(name="Ann", fields={"age": value})
    assert stub.requests == []


# ---------------------------------------------------------------------------------------------
# 7. Options are checked at construction
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options, error",
    [
        ({"max_response_size": None}, TypeError),
        ({"max_response_size": "1MB"}, TypeError),
        ({"max_response_size": -1}, ValueError),
        ({"max_response_size": 0}, ValueError),
        ({"max_rate_limit_wait": "60"}, TypeError),
        ({"max_rate_limit_wait": math.inf}, ValueError),
        ({"max_rate_limit_wait": -1}, ValueError),
        ({"timeout": math.inf}, ValueError),
        ({"timeout": (5, math.inf)}, ValueError),
        ({"timeout": (5, 5, 5)}, ValueError),
        ({"timeout": "5"}, TypeError),
        ({"timeout": 0}, ValueError),
        ({"total_timeout": math.nan}, ValueError),
        ({"total_timeout": "60"}, TypeError),
        ({"max_retries": 1.5}, TypeError),
        ({"max_retries": True}, TypeError),
        ({"retry_on_rate_exceed": "yes"}, TypeError),
        ({"verify_ssl": 1}, TypeError),
        ({"session": object()}, TypeError),
        ({"user_agent": "my-app\r\nX-Injected: 1"}, ValueError),
        ({"user_agent": "my-app/é"}, ValueError),
        ({"user_agent": 42}, TypeError),
    ],
)
def test_options_are_checked_before_anything_is_sent(stub, options, error):
    with pytest.raises(error):
        TembaClient(stub.url, SECRET, **options)
    assert stub.requests == []


def test_valid_options_are_accepted(stub):
    client = TembaClient(stub.url, SECRET, timeout=(3, None), total_timeout=None, max_rate_limit_wait=0)
    stub.add_json("GET", "contacts", page([]))
    assert client.get_contacts().all() == []


# ---------------------------------------------------------------------------------------------
# 9. Errors say what happened
# ---------------------------------------------------------------------------------------------


def test_a_firewalls_403_page_is_quoted(stub, client):
    stub.add("GET", "contacts", Reply(status=403, body=b"<html><title>Blocked by the web application firewall</title>"))
    with pytest.raises(TembaTokenError) as info:
        client.get_contacts().first()
    assert str(info.value) == "Authentication with provided token failed"  # rapidpro-python 2.22's
    notes = notes_of(info.value)  # what a traceback shows under it
    assert notes.startswith("403 Forbidden for GET %s" % stub.endpoint_url("contacts"))
    assert "the body began: <html><title>Blocked by the web application firewall" in notes


def test_a_404_page_on_a_list_call_is_quoted(stub, client):
    stub.add("GET", "contacts", Reply(status=404, body=b"<html><h1>Not Found</h1> nginx</html>"))
    with pytest.raises(TembaNoSuchObjectError) as info:
        client.get_contacts(group="G").first()
    assert str(info.value) == "No such object exists"
    assert info.value.detail.startswith("contacts: this server has no such endpoint")
    notes = notes_of(info.value)
    assert notes.startswith("404 Not Found for GET %s?group=G: contacts: this server" % stub.endpoint_url("contacts"))
    assert "nginx" in notes


def test_the_servers_404_detail_is_kept(stub, client):
    stub.add_json("GET", "contacts", {"detail": "Invalid cursor"}, status=404)
    cursor = "cD0yMDI2LTExLTI1KzA4JTNBMTglM0E1OS45MjUxMjElMkIwMCUzQTAw"
    with pytest.raises(TembaNoSuchObjectError) as info:
        next(client.get_contacts().iterfetches(resume_cursor=cursor))
    assert str(info.value) == "No such object exists"
    assert info.value.detail == "Invalid cursor" and info.value.status_code == 404


def test_field_names_of_400_messages_are_in_the_notes(stub, client):
    errors = {"language": ["Ensure this field has exactly 3 characters."]}
    stub.add_json("POST", "contacts", errors, status=400)
    with pytest.raises(TembaBadRequestError) as info:
        client.create_contact(name="Ann", language="english")
    assert str(info.value) == "Ensure this field has exactly 3 characters."  # as 2.22
    assert info.value.errors == errors
    assert "refused: language" in notes_of(info.value)


def test_read_timeouts_and_refusals_are_told_apart(stub):
    client = TembaClient(stub.url, SECRET, timeout=0.3, max_retries=0)
    stub.add("GET", "contacts", Reply(json=page([]), delay=2.0))
    with pytest.raises(TembaConnectionError) as info:
        client.get_contacts().first()
    assert str(info.value) == "Unable to connect to host"
    assert info.value.detail.startswith("read timed out: the server accepted the connection")
    refused = TembaClient("http://127.0.0.1:%d" % free_port(), SECRET, max_retries=0)
    with pytest.raises(TembaConnectionError) as info:
        refused.get_contacts().first()
    assert str(info.value) == "Unable to connect to host"
    assert info.value.detail.startswith("could not connect:")


def test_a_host_without_scheme_on_a_plain_http_server_gets_a_hint(stub):
    client = TembaClient(stub.url.replace("http://", ""), SECRET, max_retries=0, timeout=5)
    with pytest.raises(TembaConnectionError) as info:
        client.get_contacts().first()
    assert "TLS failure" in info.value.detail and "give the host with its scheme, e.g. 'http://" in info.value.detail


# ---------------------------------------------------------------------------------------------
# 10. Logs carry no personal data
# ---------------------------------------------------------------------------------------------


def test_debug_logs_show_the_request_without_personal_data(stub, secret_client, caplog):
    stub.add_json("GET", "contacts", page([]))
    stub.add_json("GET", "messages", {"detail": "Not found."}, status=404)
    with caplog.at_level(logging.DEBUG, logger="temba_client"):
        secret_client.get_contacts(urn="tel:+250788123123", group="Reporters").all()
        with pytest.raises(TembaNoSuchObjectError) as info:
            secret_client.get_messages(contact="mailto:ann@example.com").first()
    text = caplog.text
    assert "GET /api/v2/contacts.json?urn=***&group=Reporters -> 200 (" in text
    assert "GET /api/v2/messages.json?contact=*** -> 404 (" in text
    assert "250788123123" not in text and "ann@example.com" not in text and "127.0.0.1" not in text
    shown = "\n".join([str(info.value), repr(info.value), notes_of(info.value)])
    assert "ann@example.com" not in shown and "contact=***" in notes_of(info.value)


# ---------------------------------------------------------------------------------------------
# 11. Bodies are bounded and checked whatever urllib3 is underneath
# ---------------------------------------------------------------------------------------------


def test_a_gzip_bomb_is_refused_without_inflating_it(stub):
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)  # 64 MB in about 64 KB
    stub.add("GET", "contacts", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    client = TembaClient(stub.url, SECRET, max_retries=0, max_response_size=1024 * 1024)
    tracemalloc.start()
    try:
        with pytest.raises(TembaBadResponseError, match="larger than the limit of 1048576 bytes"):
            client.get_contacts().first()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024


def test_gzip_bodies_are_decoded(stub, client):
    body = gzip.compress(b'{"next": null, "previous": null, "results": [{"uuid": "c1"}]}')
    stub.add("GET", "contacts", Reply(body=body, headers={"Content-Encoding": "gzip"}))
    assert client.get_contacts().first().uuid == "c1"


def test_a_cut_page_is_retried(stub, no_sleep):
    client = TembaClient(stub.url, SECRET, max_retries=2, timeout=5)
    stub.add("GET", "contacts", Reply(json=page([{"uuid": "c1"}]), truncate=True), Reply(json=page([{"uuid": "c2"}])))
    assert [c.uuid for c in client.get_contacts().all()] == ["c2"]
    assert len(stub.requests) == 2 and len(no_sleep) == 1


def test_a_body_shorter_than_its_content_length_is_never_taken(stub, client):
    stub.add("GET", "contacts", Reply(json=page([{"uuid": "c1"}]), truncate=True))
    with pytest.raises(TembaConnectionError, match="connection broken while reading the response"):
        client.get_contacts().first()

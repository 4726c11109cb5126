"""Errors that travel: every exception pickles and comes back with its message, attributes and
notes (for ProcessPoolExecutor, Celery result backends, multiprocessing), and the underlying
``requests`` exception stays its ``__cause__``, without the token or anybody's phone number."""

from __future__ import annotations

import concurrent.futures
import inspect
import multiprocessing
import pickle
import socket
import traceback

import pytest
import requests

import temba_client.exceptions as exceptions
from temba_client.exceptions import (
    TembaBadRequestError,
    TembaConnectionError,
    TembaException,
    TembaHttpError,
    TembaNoSuchObjectError,
    TembaPermissionError,
    TembaRateExceededError,
    TembaTokenError,
)
from temba_client.v2 import TembaClient

from .explained import notes_of
from .stub_server import Reply, page

SECRET = "f3a9c1d2e5b7a8c9d0e1f2a3b4c5d6e7f8a9b0c1"
PHONE = "250788123123"

#: what the client's errors carry beyond their message
CONTEXT = ("status_code", "method", "url", "detail", "attempts", "elapsed")


def every_exception_class():
    """Every exception class of the module, those added later included."""
    return sorted(
        (cls for cls in vars(exceptions).values() if inspect.isclass(cls) and issubclass(cls, TembaException)),
        key=lambda cls: cls.__name__,
    )


def an_instance(cls):
    """An instance built as its signature asks (a string for each required argument)."""
    known = {
        TembaRateExceededError: (17,),
        TembaHttpError: (requests.HTTPError("500 Server Error: boom for url: https://x/api/v2/runs.json"),),
        TembaBadRequestError: ({"urns": ["URN belongs to another contact: tel:+27820001001"]},),
    }
    for klass in cls.__mro__:
        if klass in known:
            return cls(*known[klass])
    required = [
        p
        for p in inspect.signature(cls.__init__).parameters.values()
        if p.name != "self" and p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    return cls(*["what went wrong"] * len(required))


def same(before, after):
    assert type(after) is type(before)
    assert str(after) == str(before) and repr(after) == repr(before)
    assert after.args == before.args if not isinstance(before, TembaHttpError) else str(after.args[0]) == str(before)
    for name in (*CONTEXT, "errors", "retry_after", "message"):
        assert getattr(after, name, None) == getattr(before, name, None), name
    assert notes_of(after) == notes_of(before)


@pytest.mark.parametrize("cls", every_exception_class(), ids=lambda cls: cls.__name__)
def test_every_exception_class_pickles(cls):
    exc = an_instance(cls)
    exceptions.add_notes(exc, ["a note"])
    same(exc, pickle.loads(pickle.dumps(exc)))


#: Workers start as fresh interpreters (the default on macOS and Windows, and the safe choice in a
#: process with threads, such as one running the stub server): the exceptions travel by pickle only.
SPAWN = multiprocessing.get_context("spawn")


def _raise_an_instance(name: str) -> None:
    """Runs in another process: raises an instance of the named class, with a note."""
    exc = an_instance(getattr(exceptions, name))
    exceptions.add_notes(exc, ["raised in a worker"])
    raise exc


def test_every_exception_class_comes_back_from_a_process_pool():
    classes = every_exception_class()
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=SPAWN) as pool:
        futures = [pool.submit(_raise_an_instance, cls.__name__) for cls in classes]
        for cls, future in zip(classes, futures):
            exc = future.exception(timeout=60)
            expected = an_instance(cls)
            exceptions.add_notes(expected, ["raised in a worker"])
            same(expected, exc)


def _raise_from_the_server(url: str, kind: str) -> None:
    """Runs in another process: makes a call that fails the way ``kind`` says."""
    with TembaClient(url, SECRET, max_retries=0, timeout=5) as client:
        if kind == "400":
            client.create_contact(urns=["tel:+" + PHONE])
        elif kind == "403":
            client.get_contacts().first()
        elif kind == "404":
            client.update_label("l-1", name="Spam")
        elif kind == "429":
            client.get_runs().first()
        else:
            client.get_messages().first()


def _serve_failures(stub):
    stub.add_json("POST", "contacts", {"urns": ["URN belongs to another contact: tel:+%s" % PHONE]}, status=400)
    stub.add_json("GET", "contacts", {"detail": "Invalid token"}, status=403)
    stub.add_json("POST", "labels", {"detail": "No Label matches the given query."}, status=404)
    stub.add("GET", "runs", Reply(status=429, json={"detail": "Throttled"}, headers={"Retry-After": "745"}))
    stub.add("GET", "messages", Reply(status=503, body=b"<html>Service Unavailable</html>"))


KINDS = {
    "400": TembaBadRequestError,
    "403": TembaTokenError,
    "404": TembaNoSuchObjectError,
    "429": TembaRateExceededError,
    "503": TembaHttpError,
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_errors_with_a_response_pickle_without_it(stub, kind):
    # the response holds the request's hooks and the connection: it does not travel, the rest does
    _serve_failures(stub)
    with pytest.raises(KINDS[kind]) as info:
        _raise_from_the_server(stub.url, kind)
    exc = info.value
    assert exc.response is not None and exc.status_code == int(kind)
    back = pickle.loads(pickle.dumps(exc))
    same(exc, back)
    assert back.response is None
    if isinstance(exc, TembaHttpError):
        assert str(back.caused_by) == str(exc.caused_by) and back.caused_by.response is None


def test_errors_come_back_from_a_process_pool(stub):
    _serve_failures(stub)
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=SPAWN) as pool:
        futures = {kind: pool.submit(_raise_from_the_server, stub.url, kind) for kind in sorted(KINDS)}
        for kind, future in futures.items():
            exc = future.exception(timeout=60)
            assert type(exc) is KINDS[kind]
            assert exc.status_code == int(kind) and exc.method in ("GET", "POST") and exc.attempts == 1
            assert notes_of(exc).startswith("%s " % kind)
    assert str(futures["400"].exception()) == "URN belongs to another contact: tel:+%s" % PHONE
    assert str(futures["403"].exception()) == "Authentication with provided token failed"
    assert futures["429"].exception().retry_after == 745


def test_a_connection_error_keeps_its_cause_without_personal_data_or_the_token():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = TembaClient("http://127.0.0.1:%d" % port, SECRET, max_retries=0)
    with pytest.raises(TembaConnectionError) as info:
        client.get_contacts(urn="tel:+" + PHONE).first()
    exc = info.value
    assert isinstance(exc.__cause__, requests.ConnectionError)  # what requests raised, for debuggers and Sentry
    assert exc.__cause__.__traceback__ is not None
    assert exc.__context__ is None or exc.__suppress_context__
    shown = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)) + notes_of(exc) + repr(exc)
    assert "Max retries exceeded with url: /api/v2/contacts.json?urn=***" in shown  # the cause's own text...
    assert PHONE not in shown and SECRET not in shown  # ...without the phone number
    back = pickle.loads(pickle.dumps(exc))
    same(exc, back)
    assert back.detail.startswith("could not connect")


def test_http_errors_are_caused_by_their_requests_error(stub, client):
    stub.add("GET", "contacts", Reply(status=500, body=b"oops"))
    with pytest.raises(TembaHttpError) as info:
        client.get_contacts().first()
    assert info.value.__cause__ is info.value.caused_by
    assert isinstance(info.value.caused_by, requests.HTTPError)


def test_a_timed_out_call_says_how_many_attempts_over_how_long(stub, no_sleep):
    # issue 19: what a web developer reads when a view gave up
    stub.add("GET", "contacts", Reply(json=page([]), delay=0.6))
    client = TembaClient(stub.url, SECRET, timeout=(1, 0.2), max_retries=2)
    with pytest.raises(TembaConnectionError) as info:
        client.get_contacts().first()
    exc = info.value
    assert str(exc) == "Unable to connect to host"  # as rapidpro-python 2.22
    assert exc.attempts == 3 and 0.6 <= exc.elapsed < 5
    notes = notes_of(exc).splitlines()
    assert notes[0].startswith("GET %s: read timed out" % stub.endpoint_url("contacts"))
    assert (
        notes[-1].startswith("3 attempts in ") and "(max_retries=2, timeout=(1, 0.2), total_timeout=600.0)" in notes[-1]
    )


def test_a_permission_error_reads_as_2_22s_token_error(stub, client):
    stub.add_json("DELETE", "groups", {"detail": "Cannot delete system object."}, status=403)
    with pytest.raises(TembaPermissionError) as info:
        client.delete_group("g-1")
    assert str(info.value) == "Authentication with provided token failed"
    assert "detail='Cannot delete system object.'" in repr(info.value)


class _Strict(Exception):
    """An exception whose constructor takes other arguments than its args (as urllib3's do)."""

    def __init__(self, pool, url):
        super().__init__("%s: %s" % (pool, url))


def test_an_unpicklable_cause_inside_an_error_is_made_portable():
    inner = _Strict("pool", "/api/v2/contacts.json")
    exc = TembaHttpError(requests.HTTPError("500 Server Error", response=None))
    exc.caused_by.inner = inner  # a state that loads only once made portable
    back = pickle.loads(pickle.dumps(exc))
    assert str(back) == "500 Server Error"
    assert str(back.caused_by.inner) == "_Strict: pool: /api/v2/contacts.json"  # its text, as a RuntimeError


def test_a_pickled_error_never_carries_the_request_nor_its_token():
    # requests' HTTPError(response=...) keeps the response's request, whose Authorization header holds
    # the token: where that request pickles (no hook of the client's attached), it must still stay home
    request = requests.Request(
        "GET", "https://rapidpro.io/api/v2/contacts.json", headers={"Authorization": "Token " + SECRET}
    ).prepare()
    response = requests.Response()
    response.status_code, response.request = 500, request
    exc = TembaHttpError(requests.HTTPError("500 Server Error", response=response))
    assert exc.caused_by.request is request
    data = pickle.dumps(exc)
    assert SECRET.encode() not in data
    back = pickle.loads(data)
    assert str(back) == str(exc) and back.caused_by.request is None and back.caused_by.response is None

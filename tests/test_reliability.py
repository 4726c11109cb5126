"""Long exports under injected faults, hostile input, concurrent use, and the security promises."""

from __future__ import annotations

import logging
import threading
import traceback

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from temba_client.exceptions import (
    TembaBadResponseError,
    TembaConnectionError,
    TembaException,
    TembaHttpError,
    TembaTokenError,
)
from temba_client.testing import LocalRapidProServer
from temba_client.v2 import TembaClient
from temba_client.v2 import types as t

from .stub_server import Reply, StubServer, page

SOAK_RECORDS = 50_000


@pytest.fixture(scope="module")
def big_server():
    with LocalRapidProServer(seed=SOAK_RECORDS) as server:
        yield server


@pytest.fixture(scope="module")
def server():
    """Enough contacts for three pages, seeded in a fraction of a second."""
    with LocalRapidProServer(seed=600) as server:
        yield server


@pytest.mark.slow
def test_fault_soak_export(big_server, no_sleep, capsys):
    """50,000 runs exported through 503s, dropped and truncated connections, timeouts and 429 bursts."""
    big_server.faults.randomly(seed=2026, status_503=0.04, drop=0.03, truncate=0.03, delay=0.02,
                               delay_seconds=0.6, rate_limit=0.04, endpoint="runs")  # fmt: skip
    try:
        client = TembaClient(big_server.url, big_server.token, timeout=(2, 0.3), max_retries=6,
                             retry_on_rate_exceed=True)  # fmt: skip
        ids = [run.id for page_ in client.get_runs(paths=False).iterfetches() for run in page_]
    finally:
        big_server.faults.clear()
    expected = {row["id"] for row in big_server.workspace.rows["runs"]}
    assert len(ids) == len(set(ids)) == SOAK_RECORDS  # no duplicates
    assert set(ids) == expected  # none missing
    survived = dict(big_server.faults.injected)
    with capsys.disabled():
        print("\nfault soak: %d runs exported, survived %d faults %s" % (len(ids), sum(survived.values()), survived))
    assert sum(survived.values()) >= 20
    assert {"503", "drop", "truncate", "delay", "429"} <= set(survived)


def test_resume_after_giving_up(server, no_sleep):
    """When retries run out mid-export, the same iterator continues exactly where it stopped."""
    client = TembaClient(server.url, server.token, max_retries=1)
    pages = client.get_contacts().iterfetches()
    seen = [c.uuid for c in next(pages)]
    server.faults.add(503, times=2, endpoint="contacts")
    with pytest.raises(TembaException):
        next(pages)
    cursor = pages.get_cursor()
    seen += [c.uuid for c in next(pages)]  # the same iterator: the same page again
    resumed = client.get_contacts().iterfetches(resume_cursor=cursor)
    assert [c.uuid for c in next(resumed)] == seen[250:]


def test_concurrent_use_of_one_client(server):
    """8 threads x 200 requests on one client."""
    client = TembaClient(server.url, server.token)
    expected = {row["uuid"]: row["name"] for row in server.workspace.rows["groups"]}
    errors, counts = [], []

    def work(number):
        done = 0
        try:
            for i in range(200):
                if i % 2:
                    groups = client.get_groups().all()
                    assert {g.uuid: g.name for g in groups} == expected
                else:
                    label = client.get_labels(name="Spam").first()
                    assert label is not None and label.name == "Spam"
                done += 1
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        counts.append(done)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(counts) == 1600


# ---------------------------------------------------------------------------------------------
# Fuzz: malformed answers and random arguments raise only the documented exceptions
# ---------------------------------------------------------------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
_bodies = st.one_of(
    st.binary(max_size=200),
    _json.map(lambda value: __import__("json").dumps(value).encode()),
    st.fixed_dictionaries({"next": st.none(), "results": st.lists(_json, max_size=3)}).map(
        lambda value: __import__("json").dumps(value).encode()
    ),
    st.fixed_dictionaries(
        {
            "next": st.none(),
            "results": st.lists(st.dictionaries(st.sampled_from(list(t.Run._fields)), _json), max_size=3),
        }
    ).map(lambda value: __import__("json").dumps(value).encode()),
)


@pytest.fixture(scope="module")
def fuzz_stub():
    server = StubServer()
    yield server
    server.stop()


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_bodies, status=st.sampled_from([200, 201, 400, 403, 404, 409, 429, 500, 502]))
def test_fuzz_malformed_answers(fuzz_stub, body, status):
    fuzz_stub.add("GET", "runs", Reply(status=status, body=body))
    client = TembaClient(fuzz_stub.url, fuzz_stub.token, max_retries=0)
    try:
        client.get_runs().all()
    except TembaException:
        pass
    finally:
        fuzz_stub._routes.clear()


_values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=10), st.floats(allow_nan=False),
    st.lists(st.text(max_size=5), max_size=3), st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
    st.builds(object), st.binary(max_size=5), st.sampled_from([t.Contact.create(uuid="c"), t.Message.create()]),
)  # fmt: skip
_methods = sorted(n for n in dir(TembaClient) if n.startswith(("get_", "create_", "update_", "delete_", "bulk_")))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(_methods), args=st.lists(_values, max_size=4))
def test_fuzz_random_arguments(fuzz_stub, name, args):
    fuzz_stub.add("GET", "/", Reply(status=404))
    client = TembaClient(fuzz_stub.url, fuzz_stub.token, max_retries=0)
    try:
        result = getattr(client, name)(*args)
        if hasattr(result, "first"):
            result.first()
    except (TypeError, ValueError, TembaException, OSError):
        pass  # OSError: create_media with a path that does not exist


# ---------------------------------------------------------------------------------------------
# Security promises
# ---------------------------------------------------------------------------------------------

SECRET = "s3cr3t-t0ken-value"


def test_token_never_in_errors_tracebacks_or_reprs(stub, caplog):
    client = TembaClient(stub.url, SECRET, max_retries=0)
    stub.add("GET", "contacts", Reply(status=403, json={"detail": "Invalid token"}))
    stub.add("GET", "groups", Reply(status=500, body=b"boom"))
    stub.add("GET", "labels", Reply(status=200, body=b"<html>"))
    texts = [repr(client), repr(client.get_contacts()), repr(client.get_contacts().iterfetches())]
    with caplog.at_level(logging.DEBUG):
        for endpoint in ("contacts", "groups", "labels"):
            try:
                getattr(client, "get_" + endpoint)().first()
            except TembaException as exc:
                texts.append(str(exc))
                texts.append(repr(exc))
                texts.append("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    texts.append(caplog.text)
    assert all(SECRET not in text for text in texts)
    assert "GET" in caplog.text and "-> 500" in caplog.text


def test_connection_failure_tracebacks_have_no_token():
    client = TembaClient("http://127.0.0.1:9", SECRET, max_retries=0)
    with pytest.raises(TembaConnectionError) as info:
        client.get_contacts().first()
    assert SECRET not in "".join(traceback.format_exception(info.type, info.value, info.tb))


def test_authorization_not_sent_to_another_host_on_redirect(stub):
    other = StubServer()
    try:
        other.add("GET", "/elsewhere", Reply(json=page([])))
        stub.add(
            "GET",
            "contacts",
            Reply(status=302, headers={"Location": other.url.replace("127.0.0.1", "localhost") + "/elsewhere"}),
        )
        client = TembaClient(stub.url, SECRET, max_retries=0)
        with pytest.raises(TembaHttpError, match="302.*redirected to http://localhost"):  # not followed at all
            client.get_contacts().all()
        assert stub.last.headers["Authorization"] == "Token " + SECRET
        assert other.requests == []
    finally:
        other.stop()


def test_tls_verification_is_on_by_default():
    client = TembaClient("rapidpro.io", SECRET)
    assert client.verify_ssl is None  # requests' default: verify
    assert client.session.verify is True


def test_huge_bodies_are_refused(stub):
    client = TembaClient(stub.url, SECRET, max_retries=0, max_response_size=1000)
    stub.add("GET", "contacts", Reply(json=page([{"uuid": "x" * 2000}])))
    with pytest.raises(TembaBadResponseError, match="larger than the limit of 1000 bytes"):
        client.get_contacts().first()
    stub.add("GET", "groups", Reply(json=page([{"uuid": "g"}])))
    assert client.get_groups().first().uuid == "g"  # the connection is still usable


def test_caller_mistakes_fail_before_sending(stub):
    client = TembaClient(stub.url, SECRET)
    with pytest.raises(TypeError, match="takes a list"):
        client.create_contact(urns="tel:+250788123123")
    with pytest.raises(TypeError):
        client.get_contacts(colour="red")  # unknown keyword
    with pytest.raises(ValueError, match="^Endpoint requires a single identifier parameter"):  # 2.22's
        client.update_group(None, "Name")
    with pytest.raises(TypeError, match="cannot send"):
        client.get_runs(after=object())
    assert stub.requests == []


def test_token_errors_are_not_retried(stub, no_sleep):
    client = TembaClient(stub.url, SECRET, max_retries=3)
    stub.add("GET", "contacts", Reply(status=403, json={"detail": "Invalid token"}))
    with pytest.raises(TembaTokenError):
        client.get_contacts().first()
    assert len(stub.requests) == 1 and no_sleep == []


def test_requests_session_failures_are_wrapped(no_sleep):
    class Exploding(requests.Session):
        def request(self, *args, **kwargs):
            raise requests.exceptions.InvalidURL("bad url")

    client = TembaClient("rapidpro.io", SECRET, session=Exploding(), max_retries=0)
    with pytest.raises(TembaConnectionError, match="bad url"):
        client.get_contacts().first()

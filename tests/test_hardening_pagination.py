"""The issue "Hardening" for exports (4, 5) and the cursors of "Developer experience" (C), against a
scripted server on 127.0.0.1: every export ends, none ends silently short."""

from __future__ import annotations

import logging

import pytest

from temba_client.exceptions import TembaBadResponseError, TembaConnectionError, TembaHttpError, TembaNoSuchObjectError
from temba_client.transport import DEFAULT_TOTAL_TIMEOUT
from temba_client.v2 import TembaClient

from .stub_server import Reply, page

CURSOR = "cD0yMDI2LTExLTI1KzA4JTNBMTglM0E1OS45MjUxMjElMkIwMCUzQTAw"  # from a recorded next link


def contacts(*uuids):
    return [{"uuid": uuid} for uuid in uuids]


# ---------------------------------------------------------------------------------------------
# 4. Exports that never end
# ---------------------------------------------------------------------------------------------


def test_a_next_link_to_itself_ends_the_export(stub, client):
    base = stub.endpoint_url("contacts")
    stub.add_json("GET", "contacts", page(contacts("a"), next=base + "?cursor=X"))
    stub.add_json("GET", "contacts", page(contacts("b"), next=base + "?cursor=X"))  # points at itself
    with pytest.raises(TembaBadResponseError, match="already fetched"):
        client.get_contacts().all()
    assert len(stub.requests) == 2


def test_a_cache_that_ignores_the_query_string_ends_the_export(stub, client):
    base = stub.endpoint_url("contacts")
    stub.add_json("GET", "contacts", page(contacts("a"), next=base + "?cursor=P2"))  # the same page, always
    with pytest.raises(TembaBadResponseError, match="already fetched"):
        client.get_contacts().all()
    assert len(stub.requests) == 2


def test_a_cycle_back_to_the_first_page_ends_the_export(stub, client):
    base = stub.endpoint_url("contacts")
    stub.add_json("GET", "contacts", page(contacts("a"), next=base + "?cursor=P2&group=G"))
    stub.add_json("GET", "contacts", page(contacts("b"), next=base + "?cursor=P3&group=G"))
    stub.add_json("GET", "contacts", page(contacts("c"), next=base + "?group=G"))  # the first page again
    with pytest.raises(TembaBadResponseError, match="already fetched"):
        client.get_contacts(group="G").all()
    assert len(stub.requests) == 3


def test_pages_already_seen_before_a_retry_are_not_a_loop(stub, client):
    base = stub.endpoint_url("contacts")
    stub.add(
        "GET",
        "contacts",
        Reply(json=page(contacts("a"), next=base + "?cursor=P2")),
        Reply(status=503),
        Reply(json=page(contacts("b"))),
    )
    pages = client.get_contacts().iterfetches()
    next(pages)
    with pytest.raises(TembaHttpError, match="503"):  # retries are off
        next(pages)
    assert [c.uuid for c in next(pages)] == ["b"]


def test_a_trickled_body_ends_at_the_total_timeout(stub):
    client = TembaClient(stub.url, stub.token, timeout=5, total_timeout=1.0, max_retries=3)
    stub.add("GET", "contacts", Reply(json=page(contacts("a", "b", "c")), trickle=0.1))  # 100+ bytes: 10+ s
    with pytest.raises(TembaConnectionError, match="total limit of 1.0 seconds"):
        client.get_contacts().first()
    assert len(stub.requests) == 1  # no time was left to retry


def test_there_is_a_total_timeout_by_default():
    assert 0 < DEFAULT_TOTAL_TIMEOUT < float("inf")
    assert TembaClient("rapidpro.io", "token")._transport.total_timeout == DEFAULT_TOTAL_TIMEOUT


# ---------------------------------------------------------------------------------------------
# 5. No silent truncation
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("next_link", [2, 2.5, {"url": "x"}, ["x"], True])
def test_a_next_link_of_the_wrong_type_is_an_error(stub, client, next_link):
    stub.add_json("GET", "contacts", {"next": next_link, "previous": None, "results": contacts("a")})
    with pytest.raises(TembaBadResponseError, match="next link that is a URL or null"):
        client.get_contacts().all()


def test_an_empty_next_link_ends_the_export(stub, client):
    stub.add_json("GET", "contacts", {"next": "", "previous": None, "results": contacts("a")})
    assert [c.uuid for c in client.get_contacts().all()] == ["a"]


# ---------------------------------------------------------------------------------------------
# C. Cursors
# ---------------------------------------------------------------------------------------------


def test_an_iterator_says_whether_it_is_finished(stub, client):
    base = stub.endpoint_url("contacts")
    stub.add_json("GET", "contacts", page(contacts("a"), next=base + "?cursor=" + CURSOR))
    stub.add_json("GET", "contacts", page(contacts("b")))
    pages = client.get_contacts().iterfetches()
    assert (pages.started, pages.finished, pages.get_cursor()) == (False, False, None)
    next(pages)
    assert (pages.started, pages.finished, pages.get_cursor()) == (True, False, CURSOR)
    next(pages)
    assert (pages.started, pages.finished, pages.get_cursor()) == (True, True, None)


def test_an_iterator_of_nothing_is_finished(stub, client):
    stub.add_json("GET", "contacts", page([]))
    pages = client.get_contacts().iterfetches()
    assert list(pages) == []
    assert pages.finished


@pytest.mark.parametrize("cursor", ["P2", "not a cursor!", "eD0x", "AAAA", "%%%%"])
def test_a_resume_cursor_is_sent_as_given(stub, client, cursor):
    # as rapidpro-python 2.22 did: other servers, forks and test doubles have cursors of other forms
    stub.add_json("GET", "contacts", page([{"uuid": "c-9"}]))
    pages = client.get_contacts(group="G").iterfetches(resume_cursor=cursor)
    assert [c.uuid for c in next(pages)] == ["c-9"]
    assert stub.last.query == {"group": ["G"], "cursor": [cursor]}


def test_a_cursor_the_server_cannot_read_is_its_404(stub, client):
    stub.add_json("GET", "contacts", {"detail": "Invalid cursor"}, status=404)
    pages = client.get_contacts().iterfetches(resume_cursor="P2")
    with pytest.raises(TembaNoSuchObjectError) as info:
        next(pages)
    assert str(info.value) == "No such object exists" and info.value.detail == "Invalid cursor"
    assert pages.get_cursor() is None and not pages.started  # as in 2.22: nothing fetched yet


def test_a_cursor_given_to_offset_pagination_is_sent_and_ignored_by_the_server(stub, client, caplog):
    # 2.22 sent it; the server pages archives by offset and ignores it: a warning says so
    stub.add_json("GET", "archives", {"count": 0, "next": None, "previous": None, "results": []})
    with caplog.at_level(logging.WARNING, logger="temba_client"):
        assert list(client.get_archives().iterfetches(resume_cursor=CURSOR)) == []
    assert stub.last.query == {"cursor": [CURSOR]}
    assert "archives are paginated by offset: the server ignores a resume cursor" in caplog.text

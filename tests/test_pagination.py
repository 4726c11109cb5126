"""Cursor queries: laziness, first/all/iteration, iterfetches, cursors and resuming."""

from __future__ import annotations

import pytest

from temba_client.exceptions import TembaConnectionError, TembaHttpError
from temba_client.pagination import CursorQuery
from temba_client.v2.types import Contact

from .stub_server import Reply, page


def contacts(*uuids):
    return [{"uuid": uuid, "name": uuid.upper()} for uuid in uuids]


@pytest.fixture
def three_pages(stub):
    base = stub.endpoint_url("contacts")
    stub.add_json("GET", "contacts", page(contacts("a", "b"), next=base + "?cursor=P2&group=Reporters"))
    stub.add_json("GET", "contacts", page(contacts("c", "d"), next=base + "?cursor=P3&group=Reporters"))
    stub.add_json("GET", "contacts", page(contacts("e")))
    return stub


def test_queries_are_lazy(stub, client):
    query = client.get_contacts(group="Reporters")
    assert isinstance(query, CursorQuery)
    assert stub.requests == []
    assert "Reporters" in repr(query)


def test_a_query_has_no_length_and_says_what_to_do_instead(three_pages, client):
    query = client.get_contacts(group="Reporters")
    with pytest.raises(TypeError, match=r"no length until .*fetched.*len\(query\.all\(\)\).*sum\(1 for _ in query\)"):
        len(query)
    assert three_pages.requests == []  # len() sends nothing
    assert bool(query) is True  # as in 2.22: a query is true even though __len__ raises
    assert [c.uuid for c in list(query)] == ["a", "b", "c", "d", "e"]  # list() does not need a length


def test_all_follows_next_links(three_pages, client):
    result = client.get_contacts(group="Reporters").all()
    assert [c.uuid for c in result] == ["a", "b", "c", "d", "e"]
    assert all(isinstance(c, Contact) for c in result)
    queries = [r.query for r in three_pages.requests]
    assert queries == [
        {"group": ["Reporters"]},
        {"cursor": ["P2"], "group": ["Reporters"]},
        {"cursor": ["P3"], "group": ["Reporters"]},
    ]


def test_first_fetches_one_page(three_pages, client):
    assert client.get_contacts(group="Reporters").first().uuid == "a"
    assert len(three_pages.requests) == 1


def test_first_of_nothing(stub, client):
    stub.add_json("GET", "contacts", page([]))
    assert client.get_contacts().first() is None


def test_iterating_yields_objects_across_pages(three_pages, client):
    iterator = iter(client.get_contacts(group="Reporters"))
    assert next(iterator).uuid == "a"
    assert len(three_pages.requests) == 1  # one page at a time
    assert [c.uuid for c in iterator] == ["b", "c", "d", "e"]
    assert len(three_pages.requests) == 3


def test_iterfetches_gives_pages_and_cursors(three_pages, client):
    pages = client.get_contacts(group="Reporters").iterfetches()
    assert iter(pages) is pages
    assert pages.get_cursor() is None  # nothing fetched yet
    assert [c.uuid for c in next(pages)] == ["a", "b"]
    assert pages.get_cursor() == "P2"
    assert [c.uuid for c in next(pages)] == ["c", "d"]
    assert pages.get_cursor() == "P3"
    assert [c.uuid for c in next(pages)] == ["e"]
    assert pages.get_cursor() is None
    with pytest.raises(StopIteration):
        next(pages)
    assert len(three_pages.requests) == 3


CURSOR = "cD0yMDI2LTExLTI1KzA4JTNBMTglM0E1OS45MjUxMjElMkIwMCUzQTAw"  # from a recorded next link


def test_resume_from_cursor(stub, client):
    stub.add_json("GET", "contacts", page(contacts("c")))
    pages = client.get_contacts(group="Reporters").iterfetches(resume_cursor=CURSOR)
    assert pages.get_cursor() is None  # as in rapidpro-python 2.22: None until a page is fetched
    assert [[c.uuid for c in p] for p in pages] == [["c"]]
    assert stub.last.query == {"group": ["Reporters"], "cursor": [CURSOR]}


def test_a_failed_page_can_be_fetched_again(stub, client):
    base = stub.endpoint_url("contacts")
    stub.add(
        "GET",
        "contacts",
        Reply(json=page(contacts("a"), next=base + "?cursor=P2")),
        Reply(drop=True),
        Reply(json=page(contacts("b"))),
    )
    pages = client.get_contacts().iterfetches()
    assert [c.uuid for c in next(pages)] == ["a"]
    with pytest.raises(TembaConnectionError):
        next(pages)
    assert pages.get_cursor() == "P2"  # still pointing at the page that failed
    assert [c.uuid for c in next(pages)] == ["b"]
    assert [r.query for r in stub.requests] == [{}, {"cursor": ["P2"]}, {"cursor": ["P2"]}]


def test_a_failed_first_page_keeps_the_filters(stub, client):
    stub.add("GET", "contacts", Reply(status=503), Reply(json=page(contacts("a"))))
    pages = client.get_contacts(group="G").iterfetches()
    with pytest.raises(TembaHttpError):
        next(pages)
    assert [c.uuid for c in next(pages)] == ["a"]
    assert stub.requests[0].query == stub.requests[1].query == {"group": ["G"]}


def test_empty_page_with_next_ends_the_iteration(stub, client):
    stub.add_json("GET", "contacts", page([], next=stub.endpoint_url("contacts") + "?cursor=X"))
    assert client.get_contacts().all() == []
    assert len(stub.requests) == 1


def test_next_link_to_another_host_keeps_our_host(stub, client):
    stub.add_json(
        "GET", "contacts", page(contacts("a"), next="http://internal-host:8000/api/v2/contacts.json?cursor=Z")
    )
    stub.add_json("GET", "contacts", page(contacts("b")))
    assert [c.uuid for c in client.get_contacts().all()] == ["a", "b"]
    assert stub.last.query == {"cursor": ["Z"]}


def test_next_link_without_query(stub, client):
    stub.add_json("GET", "contacts", page(contacts("a"), next="http://elsewhere/api/v2/contacts.json"))
    stub.add_json("GET", "contacts", page(contacts("b")))
    assert [c.uuid for c in client.get_contacts(group="G").all()] == ["a", "b"]
    assert stub.last.query == {}


def test_offset_pagination_of_archives(stub, client):
    base = stub.endpoint_url("archives")
    first = {"count": 3, "next": base + "?limit=2&offset=2", "previous": None, "results": [{"period": "daily"}] * 2}
    stub.add_json("GET", "archives", first)
    stub.add_json("GET", "archives", {"count": 3, "next": None, "previous": base, "results": [{"period": "monthly"}]})
    pages = client.get_archives().iterfetches()
    assert len(next(pages)) == 2
    assert pages.get_cursor() is None  # offset pages have no cursor
    assert [a.period for a in next(pages)] == ["monthly"]
    assert stub.last.query == {"limit": ["2"], "offset": ["2"]}


def test_transformer_is_applied_to_each_item(stub):
    from temba_client.v2 import TembaClient

    def rename(cls, item):
        assert cls is Contact
        return dict(item, name=item["name"].lower())

    client = TembaClient(stub.url, stub.token, transformer=rename)
    stub.add_json("GET", "contacts", page(contacts("a", "b")))
    assert [c.name for c in client.get_contacts().all()] == ["a", "b"]
    stub.add_json("POST", "contacts", {"uuid": "x", "name": "NEW"})
    assert client.create_contact(name="New").name == "new"

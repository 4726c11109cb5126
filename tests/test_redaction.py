"""Personal data in URLs is redacted by the parameter's name (and a value that is itself a URN or an
e-mail address), never by counting digits: ids and UUIDs stay readable in logs and errors."""

from __future__ import annotations

import logging

import pytest

from temba_client.exceptions import TembaNoSuchObjectError
from temba_client.utils import is_personal, redact_query, redact_url

from .explained import notes_of
from .stub_server import Reply


@pytest.mark.parametrize(
    "query, expected",
    [
        ("uuid=1234567890", "uuid=1234567890"),  # a UUID (or id) made only of digits is kept
        ("uuid=20260101&after=2026-01-01T00:00:00.000000Z", "uuid=20260101&after=2026-01-01T00:00:00.000000Z"),
        ("group=Cohort+2024+%28Kigali%29+0788", "group=Cohort+2024+%28Kigali%29+0788"),
        ("urn=tel%3A%2B250788123123&group=Reporters", "urn=***&group=Reporters"),
        ("urns=whatsapp%3A250788123123", "urns=***"),
        ("address=%2B250788000001", "address=***"),  # a channel's phone number
        ("email=ann%40example.com&role=agent", "email=***&role=agent"),
        ("URN=tel%3A%2B1555", "URN=***"),
        ("contact=tel%3A%2B250788123123", "contact=***"),  # a URN where a UUID was expected
        ("contact=mailto%3Aann%40example.com", "contact=***"),
        ("contact=5079cb96-a1d8-4f47-8c87-d8c7bb6ddab9", "contact=5079cb96-a1d8-4f47-8c87-d8c7bb6ddab9"),
        ("cursor=cD0yMDI2&flow=f-1", "cursor=cD0yMDI2&flow=f-1"),
        ("urn=&flag", "urn=&flag"),  # nothing to hide, and odd pairs kept as written
    ],
)
def test_queries(query, expected):
    assert redact_query(query) == expected


def test_the_rest_of_the_url_is_kept_as_written():
    url = "https://host/api/v2/contacts.json?urn=tel%3A%2B250788123123&group=A%20B&uuid=1234567890#frag"
    assert redact_url(url) == "https://host/api/v2/contacts.json?urn=***&group=A%20B&uuid=1234567890"
    assert redact_url(url, path_only=True) == "/api/v2/contacts.json?urn=***&group=A%20B&uuid=1234567890"


def test_what_is_personal():
    assert not is_personal("uuid", "1234567890")
    assert not is_personal("id", "250788123123")
    assert not is_personal("key", "phone_number")
    assert not is_personal("group", "Team: Kigali")  # a colon and a space is not a URN
    assert is_personal("phone", "0788123123") and is_personal("email", "x")
    assert is_personal("q", "ann@example.com") and is_personal("q", "tel:+250788123123")


def test_logs_and_errors_keep_ids_made_of_digits(stub, client, caplog):
    stub.add_json("GET", "labels", {"detail": "Not found."}, status=404)
    with caplog.at_level(logging.DEBUG, logger="temba_client"), pytest.raises(TembaNoSuchObjectError) as info:
        client.get_labels(uuid="1234567890").first()
    assert "GET /api/v2/labels.json?uuid=1234567890 -> 404" in caplog.text
    assert info.value.url.endswith("/api/v2/labels.json?uuid=1234567890")
    assert "labels.json?uuid=1234567890" in notes_of(info.value)
    stub.add_json("GET", "contacts", {"detail": "Not found."}, status=404)
    with caplog.at_level(logging.DEBUG, logger="temba_client"), pytest.raises(TembaNoSuchObjectError) as info:
        client.get_contacts(urn="tel:+250788123123").first()
    assert info.value.url.endswith("/api/v2/contacts.json?urn=***")
    assert "250788123123" not in caplog.text + notes_of(info.value) + repr(info.value)


def test_a_proxy_page_echoing_the_url_is_quoted_without_personal_data(stub, client):
    page = b"<html><p>The requested URL /api/v2/contacts.json?urn=tel:+250788123123 was not found</p></html>"
    stub.add("GET", "contacts", Reply(status=404, body=page))
    with pytest.raises(TembaNoSuchObjectError) as info:
        client.get_contacts(urn="tel:+250788123123").first()
    assert "contacts.json?urn=***" in notes_of(info.value)
    assert "250788123123" not in notes_of(info.value) + repr(info.value) + str(info.value)

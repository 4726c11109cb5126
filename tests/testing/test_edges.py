"""The local server's edges: archives and their storage URLs, server versions, request records,
after-request hooks, workspace helpers, the API index and 404 pages, the CLI and the fixtures."""

from __future__ import annotations

import gzip
import hashlib
import json
import socket
import subprocess
import sys

import pytest
import requests

from temba_client.testing import LocalRapidProServer
from temba_client.testing.recording import RecordedRequest

MISSING = "f5901b62-ba76-4003-9c62-72fdacc1b7b7"


def get(server, endpoint, **params):
    headers = {"Authorization": "Token " + server.token}
    return requests.get("%s/%s.json" % (server.api_url, endpoint), params=params, headers=headers, timeout=10)


# ---------------------------------------------------------------------------------------------
# Archives
# ---------------------------------------------------------------------------------------------


def download(archive):
    response = requests.get(archive["download_url"], timeout=10)
    assert response.status_code == 200, response.text
    assert hashlib.md5(response.content).hexdigest() == archive["hash"]
    assert len(response.content) == archive["size"]
    return [json.loads(line) for line in gzip.decompress(response.content).splitlines()]


def test_archiving_moves_runs_out_of_the_api_into_a_file():
    with LocalRapidProServer(seed=40) as server:
        before = {run["id"]: run for run in get(server, "runs").json()["results"]}
        archive = server.workspace.archive("run", "daily", "2024-01-06")
        assert archive["record_count"] == 40
        assert get(server, "runs").json()["results"] == []
        (listed,) = get(server, "archives", archive_type="run", period="daily", after="2024-01-06").json()["results"]
        records = download(listed)
        assert listed["record_count"] == len(records) == 40
        assert {r["id"] for r in records} == set(before)
        record = records[0]
        assert set(record) == {"id", "uuid", "flow", "contact", "responded", "path", "values", "created_on",
                               "modified_on", "exited_on", "exit_type"}  # fmt: skip
        assert record["created_on"].endswith("+00:00") and set(record["contact"]) == {"uuid", "name"}
        assert all("input" in value for value in record["values"].values())


def test_message_records_are_in_the_archive_format():
    with LocalRapidProServer(seed=40) as server:
        server.workspace.archive("message", "monthly", "2024-01-15")
        assert get(server, "messages").json()["results"] == []
        (listed,) = get(server, "archives", type="message", period="monthly", after="2024-01-01").json()["results"]
        records = download(listed)
        assert len(records) == 80
        for record in records:
            assert not {"archived", "media", "quick_replies"} & set(record)
            assert "ticket_uuid" in record and record["modified_on"].endswith("+00:00")
        labelled = next(r for r in records if r["labels"])
        assert set(labelled["labels"][0]) == {"name", "uuid"}
        attached = next(r for r in records if r["attachments"])
        assert set(attached["attachments"][0]) == {"url", "content_type"}


def test_rollup_replaces_the_dailies_with_a_monthly_archive(rapidpro_server):
    listed = get(rapidpro_server, "archives", archive_type="message").json()["results"]
    assert [(a["period"], a["start_date"]) for a in listed] == [("daily", "2024-01-02"), ("daily", "2024-01-01"),
                                                                ("monthly", "2023-12-01")]  # fmt: skip
    monthly = rapidpro_server.workspace.rollup("message", "2024-01")
    assert monthly["record_count"] == 2
    listed = get(rapidpro_server, "archives", archive_type="message").json()["results"]
    assert [(a["period"], a["start_date"]) for a in listed] == [("monthly", "2024-01-01"), ("monthly", "2023-12-01")]
    assert [r["text"] for r in download(listed[0])] == ["archived 4", "archived 5"]
    with pytest.raises(ValueError):
        rapidpro_server.workspace.archive("message", "monthly", "2024-01-01")


def test_empty_archives_have_no_file(rapidpro_server):
    (empty,) = [a for a in get(rapidpro_server, "archives").json()["results"] if not a["record_count"]]
    assert (empty["size"], empty["hash"], empty["download_url"]) == (0, None, None)


def test_download_urls_refuse_tokens_and_expire():
    with LocalRapidProServer(seed=5) as server:
        archive = get(server, "archives", period="monthly").json()["results"][0]
        url = archive["download_url"]
        assert url.startswith(server.url + "/storage/archives/") and "Signature=" in url and "Expires=" in url
        with_token = requests.get(url, headers={"Authorization": "Token " + server.token}, timeout=10)
        assert with_token.status_code == 400 and b"Only one auth mechanism allowed" in with_token.content
        forged = requests.get(url.replace("Signature=", "Signature=0"), timeout=10)
        assert forged.status_code == 403 and b"SignatureDoesNotMatch" in forged.content
        server.workspace.storage.url_ttl = 0
        expired = get(server, "archives", period="monthly").json()["results"][0]["download_url"]
        response = requests.get(expired, timeout=10)
        assert response.status_code == 403 and b"<Code>AccessDenied</Code>" in response.content
        assert b"Request has expired" in response.content
        assert response.headers["Content-Type"] == "application/xml"
        assert requests.get(url, timeout=10).status_code == 200  # the first URL is still valid


def test_archives_page_by_limit_and_offset(rapidpro_server):
    page = get(rapidpro_server, "archives", limit=3).json()
    assert page["count"] == 7 and len(page["results"]) == 3 and "offset=3" in page["next"]


# ---------------------------------------------------------------------------------------------
# Server versions and filters
# ---------------------------------------------------------------------------------------------


def test_uuid_and_id_filters_on_messages_and_broadcasts(rapidpro_server):
    for endpoint in ("messages", "broadcasts"):
        one = get(rapidpro_server, endpoint).json()["results"][0]
        assert [m["id"] for m in get(rapidpro_server, endpoint, uuid=one["uuid"]).json()["results"]] == [one["id"]]
        assert [m["uuid"] for m in get(rapidpro_server, endpoint, id=one["id"]).json()["results"]] == [one["uuid"]]
        response = get(rapidpro_server, endpoint, uuid="abc")
        assert (response.status_code, response.json()) == (400, {"detail": "Param 'uuid': abc is not a valid UUID."})
    response = get(rapidpro_server, "contacts", uuid=[MISSING] * 101)
    assert response.json() == {"detail": "Param 'uuid' can have a maximum of 100 values."}


def test_flow_starts_have_no_id_filter(rapidpro_server):
    everything = get(rapidpro_server, "flow_starts").json()["results"]
    assert get(rapidpro_server, "flow_starts", id=999).json()["results"] == everything
    assert {s["exclude_active"] for s in everything} == {None, True}


def test_server_bugs_answer_500(rapidpro_server):
    for endpoint, params in (("tickets", {"uuid": "nope"}), ("messages", {"broadcast": "x"})):
        response = get(rapidpro_server, endpoint, **params)
        assert response.status_code == 500 and response.text.startswith("Server Error")


def test_text_limit_is_4096(rapidpro_client):
    contact = rapidpro_client.get_contacts().first()
    assert len(rapidpro_client.create_message(contact, "x" * 4096, []).text) == 4096


def test_statistics(rapidpro_server):
    days = get(rapidpro_server, "statistics", since="2024-01-01", until="2024-02-01").json()["results"]
    assert days and all(set(day) == {"date", "channels"} for day in days)
    assert [d["date"] for d in days] == sorted(d["date"] for d in days)
    assert get(rapidpro_server, "statistics", since="2023-01-01", until="2024-02-01").json() == {
        "detail": "Date range can't be more than 366 days."
    }
    assert get(rapidpro_server, "statistics", since="soon").json() == {"detail": "Invalid date value for 'since'."}


def test_users_filters(rapidpro_server):
    users = get(rapidpro_server, "users").json()["results"]
    assert [u["email"] for u in get(rapidpro_server, "users", email="ADMIN@example.com").json()["results"]] == [
        "admin@example.com"
    ]
    assert get(rapidpro_server, "users", uuid=users[0]["uuid"]).json()["results"] == users[:1]
    assert get(rapidpro_server, "users", role="nobody").json()["results"] == []


def test_groups_manual_only(rapidpro_server):
    groups = get(rapidpro_server, "groups", manual_only="true").json()["results"]
    assert groups and all(g["query"] is None and not g["system"] for g in groups)


@pytest.mark.rapidpro(seed=20, server_version="9")
def test_an_older_server(rapidpro_server):
    assert get(rapidpro_server, "classifiers").status_code == 200
    assert get(rapidpro_server, "statistics").status_code == 404
    message = get(rapidpro_server, "messages").json()["results"][0]
    assert "uuid" not in message and "quick_replies" not in message
    assert "type" not in get(rapidpro_server, "channels").json()["results"][0]
    assert "notes" not in get(rapidpro_server, "contacts").json()["results"][0]
    assert set(get(rapidpro_server, "users").json()["results"][0]) == {
        "email", "first_name", "last_name", "role", "created_on"
    }  # fmt: skip
    everything = get(rapidpro_server, "messages").json()["results"]
    assert get(rapidpro_server, "messages", uuid=MISSING).json()["results"] == everything  # ignored


def test_server_version_is_checked():
    with pytest.raises(ValueError, match="server_version"):
        LocalRapidProServer(seed=None, server_version="27")
    with pytest.raises(ValueError, match="scope"):
        LocalRapidProServer(seed=None, rates={"v3": "1/minute"})
    with pytest.raises(ValueError, match="invalid rate"):
        LocalRapidProServer(seed=None, rates={"v2": "ten"})


def test_throttle_detail_and_retry_after():
    with LocalRapidProServer(seed=1, rates={"v2": "1/second"}) as server:
        assert get(server, "broadcasts").status_code == 200  # broadcasts are in v2 on 26.3
        response = get(server, "labels")
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "1"
        assert response.json() == {"detail": "Request was throttled. Expected available in 1 second."}
        assert get(server, "contacts").status_code == 200


# ---------------------------------------------------------------------------------------------
# Requests, hooks and workspace helpers
# ---------------------------------------------------------------------------------------------


def test_request_records(rapidpro_server):
    session = requests.Session()
    session.headers["Authorization"] = "Token " + rapidpro_server.token
    session.post(rapidpro_server.api_url + "/labels.json", json={"name": "New"}, timeout=10)
    record = rapidpro_server.requests[-1]
    assert isinstance(record, RecordedRequest)
    assert (record.method, record.path, record.status, record.endpoint) == ("POST", "/api/v2/labels.json", 201,
                                                                             "labels")  # fmt: skip
    assert record.json == {"name": "New"} and record.body == b'{"name": "New"}'
    assert record.headers["Authorization"] == "<redacted>"
    assert rapidpro_server.token not in repr(list(rapidpro_server.requests))


def test_request_log_is_capped():
    with LocalRapidProServer(seed=1, keep_requests=3) as server:
        for n in range(5):
            get(server, "labels", name=str(n))
        assert len(server.requests) == 3
        assert [r.query["name"] for r in server.requests] == [["2"], ["3"], ["4"]]


def test_after_request_hook_changes_data_between_pages():
    with LocalRapidProServer(seed=600) as server:
        oldest = server.workspace.rows["contacts"][0]["uuid"]
        seen = []
        server.after_request(seen.append)
        server.after_request(lambda r: server.workspace.modify("contacts", oldest, name="Late"),
                             endpoint="contacts", nth=1)  # fmt: skip
        first = get(server, "contacts").json()
        assert oldest not in [c["uuid"] for c in first["results"]]
        rest = requests.get(first["next"], headers={"Authorization": "Token " + server.token}, timeout=10).json()
        assert oldest not in [c["uuid"] for c in rest["results"]]  # it moved before the cursor
        assert get(server, "contacts", uuid=oldest).json()["results"][0]["name"] == "Late"
        assert len(seen) == 3


def test_modify_and_delete_bump_modified_on_strictly(rapidpro_server):
    ws = rapidpro_server.workspace
    uuids = [row["uuid"] for row in ws.rows["contacts"][:5]]
    stamps = [ws.modify("contacts", uuid, name="N")["modified_on"] for uuid in uuids]
    assert stamps == sorted(set(stamps))
    deleted = ws.delete("contacts", uuids[0])
    assert deleted["modified_on"] > stamps[-1]
    listed = get(rapidpro_server, "contacts", deleted="true").json()["results"]
    assert [c["uuid"] for c in listed] == [uuids[0]] and listed[0]["name"] is None
    with pytest.raises(KeyError):
        ws.modify("contacts", MISSING)


# ---------------------------------------------------------------------------------------------
# Index, 404 pages and tokens
# ---------------------------------------------------------------------------------------------


def test_api_index(rapidpro_server):
    for path in ("/api/v2", "/api/v2/"):
        index = requests.get(rapidpro_server.url + path, timeout=10).json()
        assert index["contacts"] == rapidpro_server.api_url + "/contacts.json"
        assert "statistics" in index and "classifiers" not in index


@pytest.mark.parametrize("path", ["/api/v2/nothing.json", "/api/v2/classifiers.json", "/", "/api/v2/nothing"])
def test_404_pages(rapidpro_server, path):
    response = requests.get(rapidpro_server.url + path, headers={"Authorization": "Token x"}, timeout=10)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<title>Page not found at %s</title>" % path in response.text


@pytest.mark.parametrize("endpoint", ["contacts", "workspace", "statistics", "contact_actions", "runs"])
def test_tokens_on_every_endpoint(rapidpro_server, endpoint):
    url = "%s/%s.json" % (rapidpro_server.api_url, endpoint)
    assert requests.get(url, timeout=10).json() == {"detail": "Authentication credentials were not provided."}
    assert requests.get(url, headers={"Authorization": "Token no"}, timeout=10).json() == {"detail": "Invalid token"}


def test_a_list_endpoint_without_json_gives_no_data_and_needs_a_token(rapidpro_server):
    url = "%s/contacts" % rapidpro_server.api_url
    # the contract: without .json a list endpoint answers an empty list, never data...
    with_token = requests.get(url, headers={"Authorization": "Token %s" % rapidpro_server.token}, timeout=10)
    assert with_token.json()["results"] == []
    # ...and like every API endpoint it refuses a request without a token
    without = requests.get(url, timeout=10)
    assert without.status_code == 403
    assert without.json() == {"detail": "Authentication credentials were not provided."}


# ---------------------------------------------------------------------------------------------
# Command line and fixtures
# ---------------------------------------------------------------------------------------------


def run_cli(*args):
    command = [sys.executable, "-m", "temba_client.testing", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def test_cli_port_taken():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = run_cli("--port", str(taken.getsockname()[1]), "--seed", "1")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: cannot listen on 127.0.0.1:")


def test_cli_bad_rate_and_help():
    result = run_cli("--rate", "v2.contacts=ten")
    assert result.returncode == 2 and "argument --rate: invalid rate 'ten'" in result.stderr
    assert "Traceback" not in result.stderr
    result = run_cli("--help")
    assert result.returncode == 0 and "--server-version" in result.stdout
    assert "``" not in result.stdout and "::" not in result.stdout


def test_cli_server_version(tmp_path):
    dump = tmp_path / "w.json"
    assert run_cli("--seed", "3", "--server-version", "9", "--dump", str(dump)).returncode == 0


@pytest.mark.rapidpro(seed=3, rates={"v2.contacts": "1/minute"}, token="t0ken")
def test_marker_sets_the_server(rapidpro_server, rapidpro_client):
    assert rapidpro_server.token == "t0ken" and len(rapidpro_server.workspace.rows["contacts"]) == 3
    assert get(rapidpro_server, "contacts").status_code == 200
    assert get(rapidpro_server, "contacts").status_code == 429


def test_factory(rapidpro_server_factory):
    old = rapidpro_server_factory(seed=None, server_version="9")
    new = rapidpro_server_factory()
    assert old.url != new.url and old.server_version == "9" and new.server_version == "26.3"
    assert get(old, "contacts").json()["results"] == []

"""The local server over HTTP: pagination, errors, throttling, faults, seeding, the command line."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
import requests

from temba_client.testing import LocalRapidProServer


def session_for(server: LocalRapidProServer) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = "Token " + server.token
    return session


def api(server, endpoint):
    return "%s/%s.json" % (server.api_url, endpoint)


def get_whole(session: requests.Session, url: str, **kwargs) -> requests.Response:
    """A GET whose body must be whole, as urllib3 2 checks it (1.26 takes a cut body as the answer)."""
    response = session.get(url, **kwargs)
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and "Content-Encoding" not in response.headers and len(response.content) != int(length):
        raise requests.exceptions.ChunkedEncodingError("a body shorter than its Content-Length")
    return response


# ---------------------------------------------------------------------------------------------
# Pagination and ordering
# ---------------------------------------------------------------------------------------------


def test_pages_of_250_with_absolute_links(seeded):
    session = session_for(seeded)
    first = session.get(api(seeded, "contacts"), params={"reverse": "false"}).json()
    assert len(first["results"]) == 250
    assert first["previous"] is None
    assert first["next"].startswith(api(seeded, "contacts") + "?")
    assert "reverse=false" in first["next"] and "cursor=" in first["next"]
    second = session.get(first["next"]).json()
    third = session.get(second["next"]).json()
    assert session.get(second["previous"]).json() == first
    assert session.get(third["previous"]).json()["results"] == second["results"]
    modified = [c["modified_on"] for c in first["results"] + second["results"]]
    assert modified == sorted(modified, reverse=True)


@pytest.mark.parametrize("endpoint, order", [("contacts", "modified_on"), ("runs", "modified_on"),
                                             ("messages", "created_on")])  # fmt: skip
def test_walking_every_page_sees_each_object_once(seeded, endpoint, order):
    session = session_for(seeded)
    seen, url = [], api(seeded, endpoint)
    while url:
        page = session.get(url).json()
        seen.extend(page["results"])
        url = page["next"]
    key = "uuid" if endpoint == "contacts" else "id"
    stored = [row for row in seeded.workspace.rows[endpoint] if not row.get("_deleted")]
    assert len(seen) == len({obj[key] for obj in seen}) == len(stored)


def test_reverse_order(seeded):
    session = session_for(seeded)
    oldest = session.get(api(seeded, "contacts"), params={"reverse": "true"}).json()["results"]
    modified = [c["modified_on"] for c in oldest]
    assert modified == sorted(modified)


def test_archives_page_by_offset(seeded):
    page = session_for(seeded).get(api(seeded, "archives"), params={"limit": 2}).json()
    assert page["count"] == 7 and len(page["results"]) == 2
    assert "offset=2" in page["next"]


@pytest.mark.parametrize(
    "endpoint, params, check",
    [
        ("contacts", {"group": "reporters"}, lambda c: "Reporters" in [g["name"] for g in c["groups"]]),
        ("contacts", {"before": "2024-01-02T08:30:00Z"}, lambda c: c["modified_on"] <= "2024-01-02T08:30:00.000000Z"),
        ("contacts", {"after": "2024-01-02T10:00:00.000Z"}, lambda c: c["modified_on"] >= "2024-01-02T10:00:00"),
        ("messages", {"folder": "Inbox"}, lambda m: m["direction"] == "in" and m["flow"] is None),
        ("messages", {"folder": "sent"}, lambda m: m["status"] in ("sent", "delivered")),
        ("messages", {"folder": "archived"}, lambda m: m["visibility"] == "archived"),
        ("messages", {"label": "Important"}, lambda m: "Important" in [x["name"] for x in m["labels"]]),
        ("runs", {"responded": "false"}, lambda r: r["responded"] is False),
        ("runs", {"paths": "false"}, lambda r: r["path"] is None),
        ("flows", {"type": "voice"}, lambda f: f["type"] == "voice"),
        ("users", {"role": ["agent", "editor"]}, lambda u: u["role"] in ("agent", "editor")),
        ("archives", {"archive_type": "run"}, lambda a: a["archive_type"] == "run"),
        ("boundaries", {}, lambda b: (b["geometry"] is None) == (b["level"] > 0)),  # 26.x: always sent
    ],
)
def test_filters(seeded, endpoint, params, check):
    results = session_for(seeded).get(api(seeded, endpoint), params=params).json()["results"]
    assert results and all(check(obj) for obj in results)


def test_unparseable_date_matches_nothing(seeded):
    page = session_for(seeded).get(api(seeded, "contacts"), params={"after": "yesterday"}).json()
    assert page["results"] == []


def test_without_json_suffix_no_data(seeded):
    response = session_for(seeded).get(seeded.api_url + "/contacts")
    assert response.json() == {"next": None, "previous": None, "results": []}


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


def test_token_errors(seeded):
    assert requests.get(api(seeded, "contacts")).json() == {"detail": "Authentication credentials were not provided."}
    response = requests.get(api(seeded, "contacts"), headers={"Authorization": "Token nope"})
    assert (response.status_code, response.json()) == (403, {"detail": "Invalid token"})


MISSING = "f5901b62-ba76-4003-9c62-72fdacc1b7b7"


@pytest.mark.parametrize(
    "method, endpoint, params, body, status, error",
    [
        ("GET", "messages", {"id": "abc"}, None, 400, {"detail": "Value for id must be an integer"}),
        ("GET", "messages", {"folder": "inbox", "contact": "x"}, None, 400, None),
        ("POST", "groups", {}, {}, 400, {"name": ["This field is required."]}),
        ("POST", "groups", {}, {"name": "x" * 65}, 400,
         {"name": ["Ensure this field has no more than 64 characters."]}),
        ("POST", "groups", {}, {"name": "reporters"}, 400, {"name": ["Must be unique."]}),
        ("POST", "contacts", {}, {"fields": {"nope": "1"}}, 400, {"fields": ["Invalid contact field key: nope"]}),
        ("POST", "contacts", {}, {"urns": ["tel:+1"] * 101}, 400,
         {"urns": ["This field can only contain up to 100 items."]}),
        ("POST", "broadcasts", {}, {"text": "Hi"}, 400,
         {"non_field_errors": ["Must provide either urns, contacts or groups."]}),
        ("POST", "labels", {"uuid": MISSING}, {"name": "X"}, 404, {"detail": "No Label matches the given query."}),
        ("DELETE", "groups", {"uuid": MISSING}, None, 404, {"detail": "No ContactGroup matches the given query."}),
        ("DELETE", "groups", {"uuid": "missing"}, None, 400, {"detail": "Param 'uuid': missing is not a valid UUID."}),
        ("DELETE", "groups", {}, None, 400, None),
        ("DELETE", "flows", {"uuid": "x"}, None, 405, {"detail": 'Method "DELETE" not allowed.'}),
        ("POST", "contact_actions", {}, {"contacts": ["x"], "action": "block"}, 400, None),
        ("POST", "message_actions", {}, {"messages": [1], "action": "fly"}, 400,
         {"action": ['"fly" is not a valid choice.']}),
    ],
)  # fmt: skip
def test_error_answers(seeded, method, endpoint, params, body, status, error):
    response = session_for(seeded).request(method, api(seeded, endpoint), params=params, json=body)
    assert response.status_code == status, response.text
    if error is not None:
        assert response.json() == error


def test_system_objects(rapidpro_server):
    system = next(g for g in rapidpro_server.workspace.rows["groups"] if g["system"])
    session = session_for(rapidpro_server)
    response = session.delete(api(rapidpro_server, "groups"), params={"uuid": system["uuid"]})
    assert (response.status_code, response.json()) == (403, {"detail": "Cannot delete system object."})
    response = session.post(api(rapidpro_server, "groups"), params={"uuid": system["uuid"]}, json={"name": "X"})
    assert (response.status_code, response.json()) == (403, {"detail": "Cannot modify system object."})


def test_throttling():
    with LocalRapidProServer(seed=5, rates={"v2.contacts": "2/minute"}) as server:
        session = session_for(server)
        assert [session.get(api(server, "contacts")).status_code for _ in range(2)] == [200, 200]
        response = session.get(api(server, "contacts"))
        assert response.status_code == 429
        assert 1 <= int(response.headers["Retry-After"]) <= 60
        assert response.json()["detail"].startswith("Request was throttled. Expected available in")
        assert session.get(api(server, "groups")).status_code == 200  # another scope


# ---------------------------------------------------------------------------------------------
# Faults
# ---------------------------------------------------------------------------------------------


def test_status_faults_for_the_next_requests(rapidpro_server):
    rapidpro_server.faults.add(503, times=2, endpoint="contacts")
    session = session_for(rapidpro_server)
    statuses = [session.get(api(rapidpro_server, "contacts")).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert session.get(api(rapidpro_server, "groups")).status_code == 200
    assert rapidpro_server.faults.injected["503"] == 2


def test_every_kth_request(rapidpro_server):
    rapidpro_server.faults.add(502, body=b"<html>Bad gateway</html>", every=3, times=None)
    session = session_for(rapidpro_server)
    responses = [session.get(api(rapidpro_server, "labels")) for _ in range(6)]
    assert [r.status_code for r in responses] == [200, 200, 502, 200, 200, 502]
    assert responses[2].text == "<html>Bad gateway</html>"


def test_dropped_and_truncated(rapidpro_server):
    session = session_for(rapidpro_server)
    rapidpro_server.faults.add(drop=True)
    with pytest.raises(requests.ConnectionError):
        session.get(api(rapidpro_server, "contacts"))
    rapidpro_server.faults.add(truncate=True)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        get_whole(session, api(rapidpro_server, "contacts"))
    assert session.get(api(rapidpro_server, "contacts")).status_code == 200


def test_delay_and_rate_limit_faults(rapidpro_server):
    session = session_for(rapidpro_server)
    rapidpro_server.faults.add(delay=0.3)
    start = time.monotonic()
    assert session.get(api(rapidpro_server, "labels")).status_code == 200
    assert time.monotonic() - start >= 0.3
    rapidpro_server.faults.add(429, retry_after=7)
    response = session.get(api(rapidpro_server, "labels"))
    assert (response.status_code, response.headers["Retry-After"]) == (429, "7")
    rapidpro_server.faults.add(500)
    assert session.get(api(rapidpro_server, "labels")).text == "Server Error. Site administrators have been notified."


def test_random_faults_are_reproducible():
    def run():
        with LocalRapidProServer(seed=5) as server:
            server.faults.randomly(seed=7, status_503=0.3, rate_limit=0.2)
            session = session_for(server)
            return [session.get(api(server, "labels")).status_code for _ in range(20)]

    first = run()
    assert first == run()
    assert {503, 429, 200} <= set(first)


# ---------------------------------------------------------------------------------------------
# Data: seeding, dump and load
# ---------------------------------------------------------------------------------------------


def test_seed_is_deterministic():
    with LocalRapidProServer(seed=30) as one, LocalRapidProServer(seed=30) as two:
        assert one.workspace.dump() == two.workspace.dump()
        assert len(one.workspace.rows["contacts"]) == 30
        assert len(one.workspace.rows["messages"]) == 60  # and the archived ones are in archive files
        assert len(one.workspace.rows["runs"]) == 30


def test_seed_size():
    # how fast seeding is belongs in benchmarks/, not in an assertion that a loaded machine can break
    with LocalRapidProServer(seed=1000) as big:
        assert len(big.workspace.rows["contacts"]) == 1000
    with LocalRapidProServer(seed=None) as empty:
        assert all(not rows for rows in empty.workspace.rows.values())


def test_dump_and_load_round_trip(rapidpro_server, tmp_path):
    session = session_for(rapidpro_server)
    session.post(api(rapidpro_server, "labels"), json={"name": "Saved"})
    data = json.loads(json.dumps(rapidpro_server.workspace.dump()))
    with LocalRapidProServer(seed=None) as other:
        other.workspace.load(data)
        names = [label["name"] for label in session_for(other).get(api(other, "labels")).json()["results"]]
    assert "Saved" in names
    assert other.workspace.dump() == rapidpro_server.workspace.dump()


def test_command_line(tmp_path):
    dump = tmp_path / "workspace.json"
    assert subprocess.run([sys.executable, "-m", "temba_client.testing", "--seed", "40", "--dump", str(dump)],
                          check=True, capture_output=True).returncode == 0  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "temba_client.testing", "--port", "0", "--load", str(dump), "--token", "cli-token"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split(" at ")[1].strip()
        assert process.stdout.readline().strip() == "API token: cli-token"
        page = requests.get(url + "/contacts.json", headers={"Authorization": "Token cli-token"}, timeout=5).json()
        assert len(page["results"]) == 40
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_request_log_and_connections(rapidpro_server):
    session = session_for(rapidpro_server)
    for _ in range(3):
        session.get(api(rapidpro_server, "labels"), params={"name": "Spam"})
    assert rapidpro_server.connections == 1
    assert rapidpro_server.requests[-1]["query"] == {"name": ["Spam"]}
    assert "Token" not in repr(rapidpro_server.requests)


# the error branches of every write: (method, endpoint, query, body) -> 400 unless said otherwise
BAD_WRITES = [
    ("POST", "fields", {}, {"name": "Size", "type": "colour"}),
    ("POST", "fields", {}, {"name": "Age", "type": "text"}),
    ("POST", "globals", {}, {"name": "X"}),
    ("POST", "campaigns", {}, {"name": "C", "group": "No such group"}),
    ("POST", "campaign_events", {}, {"campaign": "nope"}),
    ("POST", "campaign_events", {"uuid": "EVENT"}, {"campaign": "x", "relative_to": "age"}),
    ("POST", "campaign_events", {}, {"campaign": "CAMPAIGN", "relative_to": "age", "offset": 1, "unit": "years",
                                     "delivery_hour": 1, "message": "x"}),
    ("POST", "campaign_events", {}, {"campaign": "CAMPAIGN", "relative_to": "age", "offset": "1", "unit": "days",
                                     "delivery_hour": 1, "message": "x"}),
    ("POST", "campaign_events", {}, {"campaign": "CAMPAIGN", "relative_to": "age", "offset": 1, "unit": "days",
                                     "delivery_hour": 24, "message": "x"}),
    ("POST", "campaign_events", {}, {"campaign": "CAMPAIGN", "relative_to": "age", "offset": 1, "unit": "days",
                                     "delivery_hour": 1}),
    ("POST", "campaign_events", {}, {"campaign": "CAMPAIGN", "relative_to": "age", "offset": 1, "unit": "days",
                                     "delivery_hour": 1, "message": {"english": "x"}}),
    ("POST", "broadcasts", {}, {"urns": ["phone:123"], "text": "x"}),
    ("POST", "broadcasts", {}, {"urns": ["tel:+1"]}),
    ("POST", "broadcasts", {}, {"urns": ["tel:+1"], "text": "x", "attachments": "nope"}),
    ("POST", "broadcasts", {}, {"urns": ["tel:+1"], "text": "x", "attachments": ["not-a-media"]}),
    ("POST", "broadcasts", {}, {"urns": ["tel:+1"], "text": {"fra": "x"}, "base_language": "eng"}),
    ("POST", "broadcasts", {}, {"contacts": ["no-such-contact"], "text": "x"}),
    ("POST", "broadcasts", {}, {"urns": "tel:+1", "text": "x"}),
    ("POST", "broadcasts", {}, {"urns": ["tel:+1"], "text": 5}),
    ("POST", "messages", {}, {"contact": "CONTACT"}),
    ("POST", "messages", {}, {"contact": "CONTACT", "text": "x", "quick_replies": ["Yes"]}),
    ("POST", "flow_starts", {}, {"flow": "FLOW", "urns": ["tel:+1"], "params": [1]}),
    ("POST", "resthook_subscribers", {}, {"resthook": "new-registration", "target_url": "ftp://x"}),
    ("POST", "contacts", {}, {"language": "english"}),
    ("POST", "contacts", {}, {"urns": ["nonsense"]}),
    ("POST", "contacts", {}, {"urns": ["URN"]}),
    ("POST", "contacts", {}, {"fields": ["age"]}),
    ("POST", "contacts", {}, {"fields": {"age": {"x": 1}}}),
    ("POST", "contacts", {}, {"groups": ["Youth"]}),
    ("POST", "contacts", {}, [1, 2]),
    ("POST", "contacts", {}, b"{not json"),
    ("POST", "contact_actions", {}, {"contacts": ["CONTACT"], "action": "add"}),
    ("POST", "contact_actions", {}, {"contacts": ["CONTACT"], "action": "explode"}),
    ("POST", "contact_actions", {}, {"action": "block"}),
    ("POST", "message_actions", {}, {"messages": ["1"], "action": "archive"}),
    ("POST", "message_actions", {}, {"messages": list(range(101)), "action": "archive"}),
    ("POST", "message_actions", {}, {"messages": [1], "action": "label"}),
    ("POST", "message_actions", {}, {"messages": [1], "action": "label", "label": "No such label"}),
    ("POST", "ticket_actions", {}, {"action": "close"}),
    ("POST", "ticket_actions", {}, {"tickets": ["TICKET"], "action": "explode"}),
    ("POST", "ticket_actions", {}, {"tickets": ["TICKET"], "action": "assign", "assignee": "nobody@x.org"}),
    ("POST", "media", {}, {"file": "x"}),
    ("GET", "contacts", {"cursor": "%%%"}, None, 404),
    ("PUT", "contacts", {}, {}, 405),
    ("POST", "runs", {}, {}, 405),
    ("POST", "org", {}, {}, 405),
    ("POST", "definitions", {}, {}, 405),
    ("GET", "contact_actions", {}, None, 405),
    ("POST", "flows", {"uuid": "x"}, {}, 405),
    ("DELETE", "resthook_subscribers", {"id": "abc"}, None),
    ("DELETE", "contacts", {"urn": "tel:+999"}, None, 404),
    ("POST", "contacts", {"uuid": "a", "urn": "b"}, {}),
]  # fmt: skip


@pytest.mark.parametrize("case", BAD_WRITES, ids=lambda case: "%s-%s" % (case[0], case[1]))
def test_bad_writes(rapidpro_server, case):
    method, endpoint, query, body = case[:4]
    status = case[4] if len(case) > 4 else 400
    ws = rapidpro_server.workspace
    names = {"CONTACT": ws.rows["contacts"][0]["uuid"], "CAMPAIGN": ws.rows["campaigns"][0]["uuid"],
             "FLOW": ws.rows["flows"][0]["uuid"], "TICKET": ws.rows["tickets"][0]["uuid"],
             "EVENT": ws.rows["campaign_events"][0]["uuid"], "URN": ws.rows["contacts"][1]["urns"][0]}  # fmt: skip
    text = json.dumps(body) if not isinstance(body, bytes) else body.decode()
    for name, value in names.items():
        text = text.replace('"%s"' % name, json.dumps(value))
    query = {key: names.get(value, value) for key, value in query.items()}
    session = session_for(rapidpro_server)
    data = None if body is None else text.encode()
    response = session.request(method, api(rapidpro_server, endpoint), params=query, data=data,
                               headers={"Content-Type": "application/json"})  # fmt: skip
    assert response.status_code == status, response.text
    assert isinstance(response.json(), dict)


def test_server_lifecycle():
    server = LocalRapidProServer(seed=None, token="fixed")
    with pytest.raises(RuntimeError):
        server.url  # noqa: B018
    assert repr(server) == "<LocalRapidProServer stopped>"
    server.start()
    assert server.start() is server  # starting twice is harmless
    assert repr(server).startswith("<LocalRapidProServer http://127.0.0.1:")
    assert server.token == "fixed"
    server.stop()
    server.stop()


def test_random_fault_kinds_and_clear():
    with LocalRapidProServer(seed=3) as server:
        server.faults.randomly(seed=1, drop=0.25, truncate=0.25, delay=0.25, delay_seconds=0.01, endpoint="labels")
        outcomes = set()
        for _ in range(30):
            try:
                outcomes.add(get_whole(session_for(server), api(server, "labels"), timeout=5).status_code)
            except requests.RequestException as exc:
                outcomes.add(type(exc).__name__)
        assert {"ConnectionError", "ChunkedEncodingError", 200} <= outcomes
        assert {"drop", "truncate", "delay"} <= set(server.faults.injected)
        assert session_for(server).get(api(server, "groups")).status_code == 200  # another endpoint
        server.faults.clear()
        server.faults.add(503, endpoint="groups", times=None)
        assert [session_for(server).get(api(server, "labels")).status_code for _ in range(5)] == [200] * 5


def test_uploaded_media_is_served(rapidpro_client, rapidpro_server):
    media = rapidpro_client.create_media(b"GIF89a", filename="dot.gif")
    assert requests.get(media.url).content == b"GIF89a"
    assert requests.get(rapidpro_server.url + "/media/nope/x.gif").status_code == 404

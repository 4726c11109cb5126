"""The local server answers as the recorded RapidPro 26.3 server did (``/work/shared/recorded``).

For every recorded JSON answer, the same request to the local server gives the same keys, recursively,
with the same JSON types; recorded error answers come back with the same status and body.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Dict, Set

import pytest
import requests

from temba_client.testing import LocalRapidProServer

RECORDED = Path(os.environ.get("RAPIDPRO_RECORDED", "/work/shared/recorded/rapidpro-26.3"))
FILES = sorted(RECORDED.glob("*.json")) if RECORDED.is_dir() else []
pytestmark = pytest.mark.skipif(not FILES, reason="no recorded answers at %s" % RECORDED)

#: objects whose keys are data (languages, field keys, result keys, channel uuids...): their values are compared
MAPS = {
    "broadcasts.text", "broadcasts.attachments", "broadcasts.quick_replies", "contacts.fields", "runs.values",
    "statistics.channels", "channel_events.extra", "flow_starts.params", "flow_starts.extra",
    "campaign_events.message",
}  # fmt: skip
#: payloads whose content is the user's: only their own type is compared
OPAQUE = {"resthook_events.data", "boundaries.geometry.coordinates"}
#: keys an object may leave out (quick replies' ``extra`` is optional)
OPTIONAL = {"extra", "text:in", "text:out", "voice:in", "voice:out"}  # counts: absent when none
#: element shapes the contract gives for lists that are empty in every recording
SAMPLES: Dict[str, Any] = {
    "contacts.notes": [{"text": "", "created_on": "", "created_by": {"email": "", "name": ""}}],
    "messages.quick_replies": [{"type": "", "text": "", "extra": ""}],
    "broadcasts.quick_replies.*": [{"type": "", "text": "", "extra": ""}],
    "flows.labels": [{"uuid": "", "name": ""}],
    "flows.results": [{"key": "", "name": "", "categories": [""], "node_uuids": [""]}],
    "flows.parent_refs": [""],
    "boundaries.aliases": [""],
    "runs.values.*": {"name": "", "value": "", "category": "", "node": "", "time": ""},
    "broadcasts.urns": [""],
    "messages.attachments": [{"content_type": "", "url": ""}],
    "statistics.channels.*": {"type": "", "text:in": 0, "text:out": 0, "voice:in": 0, "voice:out": 0},
    "messages.flow": {"uuid": "", "name": ""},
    "runs.start": {"uuid": ""},
    "tickets.opened_by": {"email": "", "name": ""},
    "tickets.opened_in": {"uuid": "", "name": ""},
    "boundaries.geometry": {"type": "", "coordinates": []},
    "campaign_events.flow": {"uuid": "", "name": ""},
}
#: JSON types the contract gives where every recording has null ("X or null")
NULLABLE = {
    "channels.last_seen": str, "channels.device.name": str, "channels.device.power_status": str,
    "channels.device.power_source": str, "channels.device.network_type": str, "channels.country": str,
    "contacts.last_seen_on": str, "contacts.language": str, "runs.exited_on": str, "runs.exit_type": str,
    "runs.start": dict, "messages.sent_on": str, "messages.flow": dict, "messages.media": str,
    "messages.broadcast": int, "messages.channel": dict, "tickets.opened_by": dict, "tickets.opened_in": dict,
    "tickets.closed_on": str, "tickets.assignee": dict, "tickets.body": str, "archives.hash": str,
    "archives.download_url": str, "campaign_events.flow": dict, "campaign_events.message": dict,
    "boundaries.parent": dict, "boundaries.geometry": dict, "flow_starts.exclude_active": bool,
    "flow_starts.params": dict, "flow_starts.extra": dict, "groups.query": str, "users.team": dict,
    "users.avatar": str, "channel_events.extra": dict, "contacts.flow": dict,
}  # fmt: skip
#: params added to the recorded request so that the local data is in range (the seed's data is from 2024)
LOCAL_PARAMS = {"/api/v2/statistics.json": {"since": "2024-01-01", "until": "2024-12-31"}}
#: requests recorded with placeholders that must name an object of the local workspace
LOCAL_IDS = {"flow": ("flows", "uuid")}


def load(path: Path) -> Dict[str, Any]:
    return json.loads(path.read_text())


def type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def shape_of(values: list, path: str, types: Dict[str, Set[str]], keys: Dict[str, Set[str]]) -> None:
    """Collects, for each path, the JSON types seen and (for objects) their keys."""
    for value in values:
        types.setdefault(path, set()).add(type_name(value))
        if path in OPAQUE:
            continue
        if isinstance(value, dict):
            if path in MAPS:
                shape_of(list(value.values()), path + ".*", types, keys)
            else:
                keys.setdefault(path, set()).update(value)
                for key, item in value.items():
                    shape_of([item], "%s.%s" % (path, key), types, keys)
        elif isinstance(value, list):
            shape_of(value, path + "[]", types, keys)


def compare(recorded: Any, local: Any, root: str) -> None:
    r_types: Dict[str, Set[str]] = {}
    r_keys: Dict[str, Set[str]] = {}
    shape_of(recorded, root, r_types, r_keys)
    for sample_path, sample in SAMPLES.items():
        for path in list(r_types):
            if path == sample_path:
                shape_of([sample], path, r_types, r_keys)
    l_types: Dict[str, Set[str]] = {}
    l_keys: Dict[str, Set[str]] = {}
    shape_of(local, root, l_types, l_keys)
    for path, keys in l_keys.items():
        assert path in r_keys, "%s: the local server sends an object where the recording has %s" % (
            path,
            r_types.get(path),
        )
        missing = r_keys[path] - keys
        assert keys <= r_keys[path] and missing <= OPTIONAL, "%s: keys %s, recorded %s" % (
            path,
            sorted(keys),
            sorted(r_keys[path]),
        )
    for path, seen in l_types.items():
        allowed = set(r_types.get(path, set()))
        bare = re.sub(r"\[\]", "", path)
        if bare in NULLABLE:
            allowed |= {"null", NULLABLE[bare].__name__}
        allowed |= {"int"} if "float" in allowed else set()
        assert allowed, "%s: the recording never has this (add a sample or a contract type)" % path
        assert seen <= allowed, "%s: types %s, recorded %s" % (path, sorted(seen), sorted(allowed))
    for path in r_keys:
        assert path in l_keys or path.count(".") > 1 or path.endswith("[]"), (
            "%s: the recording has objects here, the local server never sends one (seed one)" % path
        )


@pytest.fixture(scope="module")
def local():
    with LocalRapidProServer(seed=300) as server:
        yield server


def ask(server: LocalRapidProServer, recording: Dict[str, Any], token: Any = True) -> requests.Response:
    request = recording["request"]
    params = dict(request.get("params") or {})
    for name, (kind, attr) in LOCAL_IDS.items():
        if name in params and request["method"] == "GET" and recording["status"] == 200:
            params[name] = server.workspace.rows[kind][0][attr]
    if recording["status"] == 200:
        params.update(LOCAL_PARAMS.get(request["path"], {}))
    headers = {"Authorization": "Token %s" % (server.token if token is True else token)} if token else {}
    url = server.url + request["path"]
    return requests.request(request["method"], url, params=params, json=request.get("body"), headers=headers)


READS = [p for p in FILES if load(p)["status"] == 200 and isinstance(load(p).get("json"), (dict, list))]
ERRORS = [p for p in FILES if load(p)["status"] >= 400 and "json" in load(p)]
PAGES = [p for p in FILES if "text_start" in load(p)]


@pytest.mark.parametrize("path", READS, ids=lambda p: p.stem)
def test_same_keys_and_types_as_recorded(local, path):
    recording = load(path)
    response = ask(local, recording)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json"
    recorded, answer = recording["json"], response.json()
    endpoint = Path(recording["request"]["path"]).stem
    if "results" in recorded:
        assert set(answer) == set(recorded), "page keys %s, recorded %s" % (sorted(answer), sorted(recorded))
        if recorded["results"]:
            assert answer["results"], "the seed has no %s" % endpoint
        compare(recorded["results"], answer["results"], endpoint)
    else:
        compare([recorded], [answer], endpoint)
    if "Allow" in recording["headers"]:
        assert response.headers.get("Allow") == recording["headers"]["Allow"]


@pytest.mark.parametrize("path", ERRORS, ids=lambda p: p.stem)
def test_same_errors_as_recorded(path):
    recording = load(path)
    rates = {"v2": "3/hour"} if path.stem == "error-throttled" else None
    with LocalRapidProServer(seed=20, rates=rates) as server:
        token: Any = {"error-no-token": None, "error-bad-token": "0" * 40}.get(path.stem, True)
        if rates:
            for _ in range(3):
                assert ask(server, recording).status_code == 200
        response = ask(server, recording, token)
    assert response.status_code == recording["status"], response.text
    if path.stem == "error-throttled":
        wait = int(response.headers["Retry-After"])
        assert response.json() == {"detail": "Request was throttled. Expected available in %d seconds." % wait}
    else:
        assert response.json() == recording["json"]
    assert response.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem)
def test_removed_endpoints_answer_the_404_page(local, path):
    recording = load(path)
    response = ask(local, recording)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == recording["content_type"]
    title = re.search(r"<title>.*</title>", recording["text_start"])
    assert title and title.group(0) in response.text

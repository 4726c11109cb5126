"""Archive records read into the API's dicts (``iter_records``) and into model objects
(``read_archive``): datetimes written in the API's form and nothing else touched, and the objects
msgspec builds from a line (the ``fast`` extra) the same as the ordinary ones."""

from __future__ import annotations

import copy
import gzip
import io
import json
from pathlib import Path
from typing import Any, Dict, List

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from temba_client import _typed
from temba_client.archives import _TYPES, iter_records, message_record, read_archive, run_record
from temba_client.utils import parse_iso8601

from .test_fast_path import PLAIN, snapshot

ARCHIVES = Path(__file__).resolve().parents[2] / "shared" / "recorded" / "archives"
needs_archives = pytest.mark.skipif(
    not ARCHIVES.is_dir(), reason="no recorded archives beside the checkout (../shared)"
)


def recorded(name: str) -> List[Dict[str, Any]]:
    return [json.loads(line) for line in (ARCHIVES / name).read_text().splitlines() if line.strip()]


def gzipped(records: List[Any]) -> io.BytesIO:
    return io.BytesIO(gzip.compress(b"".join(json.dumps(r).encode() + b"\n" for r in records)))


def ordinary(kind: str, records: List[Any]) -> List[Any]:
    """What read_archive gives without msgspec: Model.deserialize of each iter_records dict."""
    return [_TYPES[kind].deserialize(record) for _, record in iter_records(gzipped(records), kind)]


def assert_same_objects(kind: str, records: List[Any]) -> None:
    read = list(read_archive(gzipped(records), kind))
    assert [snapshot(obj) for obj in read] == [snapshot(obj) for obj in ordinary(kind, records)]
    assert [obj.serialize() for obj in read] == [obj.serialize() for obj in ordinary(kind, records)]


TIMES = {"run": ("created_on", "modified_on", "exited_on"), "message": ("created_on", "sent_on", "modified_on")}


@needs_archives
@pytest.mark.parametrize("name, kind", [("runs1.jsonl", "run"), ("runs2.jsonl", "run"), ("messages1.jsonl", "message"),
                                        ("messages2.jsonl", "message")])  # fmt: skip
def test_datetimes_take_the_apis_form_and_nothing_else_changes(name: str, kind: str) -> None:
    for original, (_, record) in zip(recorded(name), iter_records(gzipped(recorded(name)), kind)):
        for key in TIMES[kind]:
            if original[key] is not None:
                assert original[key].endswith("+00:00") and record[key] == original[key][:-6] + "Z"
                assert parse_iso8601(record[key]) == parse_iso8601(original[key])
        for step, before in zip(record.get("path") or (), original.get("path") or ()):
            assert step == dict(before, time=before["time"][:-6] + "Z")
        untouched = set(original) - set(TIMES[kind]) - {"path", "values", "status"}
        assert {k: record[k] for k in untouched} == {k: original[k] for k in untouched}


def test_only_the_archives_utc_form_is_rewritten_and_only_in_datetime_fields() -> None:
    record = {
        "created_on": "2017-08-12T19:11:59+00:00",  # no fraction: the API's form is …:59Z too
        "modified_on": "2017-08-12T21:11:59.890662+02:00",  # another offset: left to the models
        "exited_on": None,
        "contact": {"uuid": "c", "name": "at 10:00+00:00"},
        "values": {"when": {"value": "2017-08-12T19:11:59+00:00", "time": "2017-08-12T19:11:59.5+00:00"}},
        "path": [{"node": "n", "time": 7}, "odd"],
    }
    mapped = run_record(copy.deepcopy(record))
    assert mapped["created_on"] == "2017-08-12T19:11:59Z" and mapped["modified_on"] == record["modified_on"]
    assert mapped["contact"] == record["contact"] and mapped["path"] == record["path"] and mapped["start"] is None
    assert mapped["values"]["when"] == {"value": "2017-08-12T19:11:59+00:00", "time": "2017-08-12T19:11:59.5Z"}
    message = message_record({"text": "ends +00:00", "attachments": {"not": "a list"}, "status": "initializing"})
    assert message["text"] == "ends +00:00" and message["media"] is None and message["status"] == "queued"
    assert message["created_on"] is None and message["quick_replies"] == []


@needs_archives
@pytest.mark.parametrize("kind, names", [("run", ["runs1.jsonl", "runs2.jsonl"]),
                                         ("message", ["messages1.jsonl", "messages2.jsonl"])])  # fmt: skip
def test_the_recorded_archives_read_into_the_same_objects_both_ways(kind: str, names: List[str]) -> None:
    records = [record for name in names for record in recorded(name)]
    assert_same_objects(kind, records)
    if _typed.AVAILABLE:  # and they are msgspec's objects
        assert {type(obj) for obj in read_archive(gzipped(records), kind)} != {_TYPES[kind]}


@needs_archives
def test_messages_in_other_shapes_than_the_archivers() -> None:
    base = recorded("messages1.jsonl")[1]
    variants = [
        dict(base, status="pending", visibility="archived"),
        {k: v for k, v in base.items() if k != "ticket_uuid"},  # an older archiver
        dict(base, quick_replies=None),
        dict(base, attachments=[]),
        dict(base, attachments=None),
        dict(base, created_on="2017-08-12T21:11:59.8906621+00:00"),  # a seventh digit: truncated both ways
        dict(base, undeclared={"a": 1}),
    ]
    assert_same_objects("message", variants)


@st.composite
def archived_run(draw: Any) -> Dict[str, Any]:
    moment = st.one_of(st.none(), st.sampled_from(["2017-08-12T19:11:59.890662+00:00", "2017-08-12T19:11:59+00:00",
                                                    "2017-08-12T19:11:59.8906629+00:00"]), PLAIN)  # fmt: skip
    step = st.fixed_dictionaries({"node": st.one_of(st.text(max_size=3), PLAIN), "time": moment})
    value = st.fixed_dictionaries(
        {
            "name": st.text(max_size=3),
            "value": PLAIN,
            "category": st.text(max_size=3),
            "node": st.text(max_size=2),
            "time": moment,
            "input": PLAIN,
        }
    )
    record = {
        "id": draw(st.integers(0, 2**40)),
        "uuid": draw(st.text(max_size=4)),
        "flow": {"uuid": "f", "name": draw(st.text(max_size=4))},
        "contact": {"uuid": "c", "name": draw(st.one_of(st.none(), st.text(max_size=4)))},
        "responded": draw(st.one_of(st.booleans(), PLAIN)),
        "path": draw(st.one_of(st.lists(step, max_size=3), PLAIN)),
        "values": draw(st.one_of(st.dictionaries(st.text(max_size=3), value, max_size=2), PLAIN)),
        "created_on": draw(moment),
        "modified_on": draw(moment),
        "exited_on": draw(moment),
        "exit_type": draw(st.one_of(st.none(), st.sampled_from(["completed", "expired"]), PLAIN)),
    }
    if draw(st.booleans()):
        del record[draw(st.sampled_from(sorted(record)))]
    return record


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=st.lists(archived_run(), min_size=1, max_size=3))
def test_generated_run_records_read_into_the_same_objects_both_ways(records: List[Dict[str, Any]]) -> None:
    assert_same_objects("run", records)


@needs_archives
@pytest.mark.parametrize("kind, names", [("run", ["runs1.jsonl", "runs2.jsonl"]),
                                         ("message", ["messages1.jsonl", "messages2.jsonl"])])  # fmt: skip
def test_the_archives_datetimes_never_need_the_lenient_parser(
    kind: str, names: List[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The archives' form of a moment (2017-08-12T19:11:59.890662+00:00) is read by the generated
    code on every Python, both ways: before 3.11 the fast path sent it to dateutil's parser, one
    call per datetime (reading an archive took 0.69 s of CPU for 20,000 runs against 0.10 s)."""
    from temba_client import utils

    lenient: List[str] = []
    parse = utils.isoparse
    monkeypatch.setattr(utils, "isoparse", lambda value: lenient.append(value) or parse(value))
    records = [record for name in names for record in recorded(name)]
    read = list(read_archive(gzipped(records), kind)) + ordinary(kind, records)
    assert read and lenient == []


def test_the_strings_kept_once_stay_bounded_over_a_long_archive(monkeypatch: pytest.MonkeyPatch) -> None:
    """The objects of an archive are made one by one (no page to forget the shared strings at): a
    long export of runs, each of a flow of its own, must not keep every flow's UUID and name."""
    from temba_client import serialization

    monkeypatch.setattr(serialization, "_SHARED_STRINGS_LIMIT", 50)
    serialization._SHARED_STRINGS.clear()
    records = [{"id": n, "flow": {"uuid": "flow-%d" % n, "name": "F %d" % n}, "created_on": None} for n in range(300)]
    assert len(list(read_archive(gzipped(records), "run"))) == 300
    assert len(serialization._SHARED_STRINGS) <= 50 + 2
    for _, record in iter_records(gzipped(records), "run"):  # as the export engine reads them
        _TYPES["run"].deserialize(record)
    assert len(serialization._SHARED_STRINGS) <= 50 + 2


def test_a_line_the_fast_decoder_rejects_is_read_by_the_standard_library() -> None:
    """A lone surrogate escape (which json.loads reads) in a line: msgspec refuses it, and its
    DecodeError is no ValueError in msgspec 0.20 (what pip installs on Python 3.9), which then
    escaped instead of the line being read by json.loads."""
    record = {"id": 1, "uuid": "\ud800", "flow": {"uuid": "f", "name": "F"}, "contact": {"uuid": "c", "name": "\udfff"}}
    records = [dict(record, responded=False, path=[], values={})]
    assert [r["uuid"] for _, r in iter_records(gzipped(records), "run")] == ["\ud800"]
    assert_same_objects("run", records)

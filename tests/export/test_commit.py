"""The commit protocol, the resume checks, the run lock, stops and honest results, in process."""

from __future__ import annotations

import datetime
import json
import math
import os
import pickle
import subprocess
import sys
import threading
import time

import pytest

from temba_client.exceptions import TembaExportError, TembaLockedError, TembaStateError
from temba_client.export import RateBudget, Settings, StopRequested, WorkBudget, Writer, run_export, sync
from temba_client.export.lock import RunLock
from temba_client.export.outputs import json_line
from temba_client.export.pacing import rates_from_headers
from temba_client.export.state import StateFile, append_durably, verify_output
from temba_client.testing import LocalRapidProServer
from temba_client.v2 import TembaClient
from temba_client.v2.types import Contact

from .processes import check_exact

STREAMS = ["runs", "messages", "contacts"]


@pytest.fixture(scope="module")
def live():
    with LocalRapidProServer(seed=60, page_size=7) as server:
        yield server


@pytest.fixture
def client(live):
    with TembaClient(live.url, live.token) as temba:
        yield temba


def test_every_commit_leaves_a_state_that_the_files_prove(client, live, tmp_path):
    """At each checkpoint of any stream (threads side by side), the state on disk verifies against
    the files, and the contacts watermark is never past the last contact the file holds."""
    out = str(tmp_path)
    problems = []

    def check(name, counts):
        with open(os.path.join(out, ".rapidpro-state.json")) as stream:
            state = json.load(stream)
        for stream_name, section in state["streams"].items():
            try:
                verify_output(stream_name, os.path.join(out, stream_name + ".jsonl"), section)
            except TembaStateError as ex:
                problems.append(str(ex))
        contacts = state["streams"].get("contacts") or {}
        watermark = (contacts.get("api") or {}).get("watermark")
        if contacts.get("committed") and watermark and not contacts.get("api_done"):
            with open(os.path.join(out, "contacts.jsonl"), "rb") as stream:
                lines = stream.read(contacts["committed"]).splitlines()
            if max(json.loads(line)["modified_on"] for line in lines) < watermark:
                problems.append("contacts watermark %s is past the file" % watermark)

    results = run_export(client, STREAMS, out, Settings(lag=0), progress=check)
    assert all(result.complete for result in results.values()) and not problems, problems
    check_exact(out, live)


def test_a_stream_whose_file_cannot_be_opened_fails_and_the_export_says_so(client, tmp_path):
    os.makedirs(tmp_path / "runs.jsonl")  # a directory where the file should be
    with pytest.raises(TembaExportError) as failed:
        run_export(client, STREAMS, str(tmp_path), Settings(lag=0))
    results = failed.value.results
    assert set(results) == set(STREAMS) and isinstance(results["runs"].error, IsADirectoryError)
    assert results["contacts"].complete and results["messages"].complete
    assert str(failed.value).startswith("1 of 3 streams failed: runs: IsADirectoryError")
    again = run_export(client, STREAMS, str(tmp_path), Settings(lag=0), raise_errors=False)
    assert isinstance(again["runs"].error, IsADirectoryError) and again["contacts"].complete


def test_sync_raises_with_the_handlers_error_as_cause_and_can_return_it(client, tmp_path):
    state = str(tmp_path / "sync.json")

    def handler(page):
        raise KeyError("no table")

    with pytest.raises(TembaExportError) as failed:
        sync(client, "contacts", state, handler, Settings(lag=0))
    assert isinstance(failed.value.__cause__, KeyError) and "contacts: KeyError" in str(failed.value)
    result = sync(client, "contacts", state, handler, Settings(lag=0), raise_errors=False)
    assert isinstance(result.error, KeyError) and not result.complete


def test_the_docs_example_with_a_naive_datetime_takes_it_as_utc(client, tmp_path):
    results = run_export(client, ["contacts"], str(tmp_path), Settings(since=datetime.datetime(2024, 1, 1), lag=0))
    assert results["contacts"].complete and results["contacts"].written > 0
    settings = Settings(since=datetime.datetime(2024, 1, 1), until=datetime.datetime(2024, 2, 1, 12))
    assert settings.as_options()["since"] == "2024-01-01T00:00:00.000000Z"
    assert settings.since.tzinfo is datetime.timezone.utc
    with pytest.raises(ValueError, match="since must be before until"):
        Settings(since=datetime.datetime(2024, 3, 1), until=datetime.datetime(2024, 2, 1, tzinfo=datetime.timezone.utc))


def test_one_run_at_a_time_per_directory(client, tmp_path):
    with RunLock(str(tmp_path / ".rapidpro-lock"), str(tmp_path)), pytest.raises(TembaLockedError) as locked:
        run_export(client, ["flows"], str(tmp_path))
    assert str(locked.value) == "another export is writing to %s (pid %d)" % (tmp_path, os.getpid())
    assert locked.value.pid == os.getpid() and not (tmp_path / "flows.jsonl").exists()
    assert run_export(client, ["flows"], str(tmp_path))["flows"].complete  # released


def test_resume_refuses_a_file_that_is_not_the_one_committed(tmp_path):
    path = str(tmp_path / "contacts.jsonl")
    writer = Writer(path, "jsonl", Contact)
    writer.write(Contact.deserialize({"uuid": "u1", "name": "A"}))
    size, digest = writer.make_durable()
    section = {"committed": size, "digest": digest}
    verify_output("contacts", path, section)  # the same file
    with open(path, "ab") as stream:
        stream.write(b'{"uuid": "u2"')  # an uncommitted, torn tail: cut back, not refused
    verify_output("contacts", path, section)
    assert Writer(path, "jsonl", Contact, size).size == size and os.path.getsize(path) == size
    with open(path, "r+b") as stream:
        stream.write(b"[")  # altered
    with pytest.raises(TembaStateError, match="contacts: contacts.jsonl is not the file the state recorded"):
        verify_output("contacts", path, section)
    os.truncate(path, size - 3)
    with pytest.raises(TembaStateError, match=r"is shorter than the state records .*add --restart contacts"):
        verify_output("contacts", path, section)
    with pytest.raises(TembaStateError, match="shorter than its committed size"):
        Writer(path, "jsonl", Contact, size)  # never padded with NULs
    with open(path, "rb") as stream:
        assert b"\x00" not in stream.read()
    os.remove(path)
    with pytest.raises(TembaStateError, match="is missing"):
        verify_output("contacts", path, section)
    with open(path, "w") as stream:
        stream.write("{}\n")
    with pytest.raises(TembaStateError, match="exists but the state has no record of it"):
        verify_output("contacts", path, None)


def test_a_damaged_or_foreign_state_is_refused_unless_every_stream_is_restarted(tmp_path):
    path = str(tmp_path / "state.json")
    one = {"url": "http://a/api/v2", "workspace": "w1"}
    state = StateFile(path, {"format": "jsonl"}, one)
    state.begin(["runs"])
    with pytest.raises(TembaStateError, match="belongs to workspace w1 at http://a/api/v2, not to workspace w2"):
        StateFile(path, {"format": "jsonl"}, dict(one, workspace="w2"))
    assert StateFile(path, {"format": "jsonl"}, dict(one, workspace="w2"), restart=["runs"]).data["streams"] == {}
    with pytest.raises(TembaStateError, match=r'other options: format "jsonl" \(now "csv"\)'):
        StateFile(path, {"format": "csv"}, one)
    with open(path, "w") as stream:
        stream.write('{"version": 2, "streams": {"runs": []}}')
    with pytest.raises(TembaStateError, match="has streams of the wrong shape"):
        StateFile(path, {}, one)
    assert StateFile(path, {}, one, restart=["runs"]).data["streams"] == {}


def test_errors_pickle_and_print_on_one_line():
    failed = TembaExportError("2 of 3 streams failed:\n runs: boom", {"runs": None})
    again = pickle.loads(pickle.dumps(failed))
    assert str(again) == str(failed) == "2 of 3 streams failed: runs: boom" and again.results == {"runs": None}
    locked = pickle.loads(pickle.dumps(TembaLockedError("/data", 42)))
    assert (str(locked), locked.path, locked.pid) == ("another export is writing to /data (pid 42)", "/data", 42)


def test_json_lines_escape_the_line_breaks_that_other_readers_split_on(tmp_path):
    text = "a\u2028b\u2029c\x85d"
    line = json_line({"name": text})
    assert line.count("\n") == 1 and len(line.splitlines()) == 1 and json.loads(line) == {"name": text}
    assert "\\u2028" in line and "\u2028" not in line
    path = str(tmp_path / "c.jsonl")
    writer = Writer(path, "jsonl", Contact)
    writer.write(Contact.deserialize({"uuid": "u1", "name": text}))
    writer.commit()
    with open(path, encoding="utf-8") as stream:
        content = stream.read()
    assert len(content.splitlines()) == 1 and json.loads(content)["name"] == text


def test_the_bundled_server_states_its_rates_and_a_real_one_keeps_the_defaults(tmp_path):
    with (
        LocalRapidProServer(seed=None, rates={"v2.runs": "60/minute"}) as server,
        TembaClient(server.url, server.token) as temba,
    ):
        headers = temba.session.get(server.api_url + "/workspace.json", headers=temba.headers).headers
    assert headers["RateLimit-Policy"] == '"v2.runs";q=60;w=60'
    rates = rates_from_headers(headers)
    assert rates["v2.runs"] == 3600.0 and rates["v2"] == rates["v2.contacts"] == math.inf
    assert rates_from_headers({}) == {}  # RapidPro states nothing: RateBudget keeps its 3,600/hour
    assert rates_from_headers({"RateLimit-Policy": 'junk, "v2";q=0;w=1, "x";q=5, "v2";q=10;w=1'}) == {"v2": 36000.0}
    budget = RateBudget({"v2": math.inf}, burst=1)
    assert [budget.acquire("v2") for _ in range(1000)] == [0.0] * 1000


def test_a_stop_ends_a_paced_wait_at_once():
    work = WorkBudget()
    budget = RateBudget({"v2": 1.0}, burst=1)  # one request an hour
    budget.acquire("v2", work)
    threading.Timer(0.2, work.stop, args=("SIGTERM",)).start()
    started = time.monotonic()
    with pytest.raises(StopRequested, match="SIGTERM"):
        budget.acquire("v2", work)
    assert time.monotonic() - started < 2.0 and work.stop_reason == "SIGTERM"


def test_the_lock_of_another_process_is_refused_with_its_pid_and_dies_with_it(tmp_path):
    path = str(tmp_path / ".rapidpro-lock")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from temba_client.export.lock import RunLock; "
         "RunLock(sys.argv[1]).acquire(); print('held', flush=True); time.sleep(60)", path],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(TembaLockedError) as locked:
            RunLock(path, "DIR").acquire()
        assert str(locked.value) == "another export is writing to DIR (pid %d)" % holder.pid
    finally:
        holder.kill()  # as a kill -9: the OS releases the lock
        holder.wait()
    RunLock(path).acquire().release()


def test_write_errors_name_the_file_and_leave_no_temporary(tmp_path):
    if os.path.exists("/dev/full"):
        with pytest.raises(OSError, match="No space left on device: '/dev/full'"):
            append_durably("/dev/full", b"x" * 10)
    state = StateFile(str(tmp_path / "gone" / "state.json"), {})
    with pytest.raises(FileNotFoundError, match="state.json"):
        state.begin(["runs"])
    stale = tmp_path / ("state.json.%d.tmp" % (os.getpid() + 1))
    stale.write_text("{")  # left by a run killed mid-write
    StateFile(str(tmp_path / "state.json"), {}).begin(["runs"])
    assert sorted(os.listdir(tmp_path)) == ["state.json"]

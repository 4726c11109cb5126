"""Progress where people look: queries, tables, exports and syncs against the local server, and the
command's bars on a real terminal."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

from temba_client.export import Settings, run_export, sync
from temba_client.export.display import PageCounter
from temba_client.progress import SILENT, PlainLines
from temba_client.testing import LocalRapidProServer
from temba_client.v2 import TembaClient

Calls = List[Tuple[str, Dict[str, int]]]


@pytest.fixture(scope="module")
def server() -> Any:
    started = LocalRapidProServer(seed=600).start()
    yield started
    started.stop()


@pytest.fixture
def client(server: LocalRapidProServer) -> Any:
    with TembaClient(server.url, server.token) as temba:
        yield temba


def recorder(calls: Calls) -> Any:
    return lambda name, counts: calls.append((name, dict(counts)))


def test_all_reports_each_page(client: TembaClient) -> None:
    calls: Calls = []
    runs = client.get_runs().all(progress=recorder(calls))
    assert [name for name, _ in calls] == ["runs"] * len(calls)
    assert sum(counts["records"] for _, counts in calls) == len(runs) > 250
    assert sum(counts["pages"] for _, counts in calls) == len(calls) == -(-len(runs) // 250)


def test_no_progress_by_default(client: TembaClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.get_runs().all()
    list(client.get_contacts().iterfetches())
    assert capsys.readouterr() == ("", "")


def test_iterfetches_records_and_dataframe_report_too(client: TembaClient) -> None:
    pages: Calls = []
    fetched = list(client.get_contacts().iterfetches(progress=recorder(pages)))
    assert len(pages) == len(fetched)
    records: Calls = []
    rows = client.get_messages().to_records(progress=recorder(records))
    assert sum(counts["records"] for _, counts in records) == len(rows)
    pytest.importorskip("pandas")
    frame: Calls = []
    table = client.get_flows().to_dataframe(progress=recorder(frame))
    assert frame == [("flows", {"records": len(table), "pages": 1, "bytes": 0})]


def test_plain_lines_of_a_query_end_with_the_totals(client: TembaClient) -> None:
    out = io.StringIO()
    lines = PlainLines(out, interval=0.0)
    runs = client.get_runs().all(progress=lines)
    shown = out.getvalue().splitlines()
    assert shown[-1].startswith(f"runs: {len(runs):,} records, ")
    assert "(done)" not in out.getvalue()  # a tracker given is the caller's to close
    lines.close()


def test_an_export_shows_each_stream_with_the_runs_expected(client: TembaClient, tmp_path: Path) -> None:
    calls: Calls = []
    results = run_export(client, ["runs", "flows"], str(tmp_path), Settings(lag=0), progress=recorder(calls))
    totals = [counts["total"] for name, counts in calls if name == "runs" and "total" in counts]
    flows = client.get_flows().all()
    assert totals == [sum(sum(vars(flow.runs).values()) for flow in flows)]
    written = {name: sum(c.get("records", 0) for n, c in calls if n == name) for name in ("runs", "flows")}
    assert written == {name: result.written for name, result in results.items()}


def test_a_total_is_fetched_only_when_something_shows_it(tmp_path: Path) -> None:
    # the command's --progress off counts pages for its summary through a tracker that shows nothing:
    # the flows' run counts (one more request per fresh export of runs) are not worth fetching then
    with LocalRapidProServer(seed=600, keep_requests=None) as server, TembaClient(server.url, server.token) as client:

        def flows_listed(progress: Any, out: Path) -> int:
            before = len(server.requests)
            run_export(client, ["runs"], str(out), Settings(lag=0), progress=progress)
            return sum(request.path.endswith("/flows.json") for request in list(server.requests)[before:])

        counter = PageCounter(SILENT)
        assert flows_listed(counter, tmp_path / "off") == 0
        assert counter.pages["runs"] > 0
        assert flows_listed(PageCounter(PlainLines(io.StringIO())), tmp_path / "plain") == 1


def test_a_resumed_export_does_not_claim_a_total(client: TembaClient, tmp_path: Path) -> None:
    run_export(client, ["runs"], str(tmp_path), Settings(lag=0))
    calls: Calls = []
    run_export(client, ["runs"], str(tmp_path), Settings(lag=0), progress=recorder(calls))
    assert not [counts for _, counts in calls if "total" in counts]


def test_a_sync_reports_its_pages(client: TembaClient, tmp_path: Path) -> None:
    calls: Calls = []
    handed: List[Any] = []
    sync(client, "contacts", str(tmp_path / "state.json"), handed.extend, Settings(lag=0), progress=recorder(calls))
    assert sum(counts.get("records", 0) for _, counts in calls) == len(handed) > 0


def run_on_a_terminal(command: List[str], env: Dict[str, str]) -> str:
    """Runs a command on a pseudo-terminal of 120 columns; returns what it wrote."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    out = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # the other end closed
                break
            if not data:
                break
            out += data
        elif process.poll() is not None:
            break
    process.wait(timeout=60)
    os.close(master)
    return out.decode("utf-8", "replace")


@pytest.mark.slow
def test_the_command_draws_a_bar_per_stream_on_a_terminal(server: LocalRapidProServer, tmp_path: Path) -> None:
    pytest.importorskip("tqdm")
    command = str(Path(sys.executable).with_name("rapidpro"))
    env = dict(os.environ, RAPIDPRO_URL=server.url, RAPIDPRO_TOKEN=server.token)
    shown = run_on_a_terminal([command, "export", "runs", "contacts", "--out", str(tmp_path / "out")], env)
    lines = [line for line in shown.replace("\r", "\n").splitlines() if line.strip()]
    assert any(line.startswith("runs: ") and " rec [" in line and "pages" in line for line in lines), lines
    assert any(line.startswith("contacts: ") and " rec [" in line for line in lines), lines
    assert any(line.startswith("runs ") and line.endswith("complete") for line in lines), lines

"""The progress display: which one a ``progress`` argument picks, and what each shows."""

from __future__ import annotations

import io
import os
import sys
import threading
from typing import Any, Dict, List, Tuple

import pytest

from temba_client import progress as progress_module
from temba_client.progress import SILENT, Bars, Callback, PlainLines, tracker


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class RecordingBar:
    """A class with tqdm's interface, recording what it was told."""

    made: List[RecordingBar] = []

    def __init__(self, **options: Any) -> None:
        self.options = options
        self.total = options.get("total")
        self.n = 0
        self.postfix = ""
        self.closed = 0
        self.refreshed = 0
        RecordingBar.made.append(self)

    def update(self, n: int) -> None:
        self.n += n

    def set_postfix_str(self, text: str, refresh: bool = True) -> None:
        self.postfix = text

    def refresh(self) -> None:
        self.refreshed += 1

    def close(self) -> None:
        self.closed += 1


class MinimalBar:
    """A bar class that takes only ``desc`` and ``total`` (no tqdm options, no postfix)."""

    def __init__(self, desc: str, total: Any) -> None:
        self.desc = desc
        self.total = total
        self.n = 0
        self.closed = False

    def update(self, n: int) -> None:
        self.n += n

    def close(self) -> None:
        self.closed = True


def test_off_by_default_and_when_false() -> None:
    assert tracker(None) is SILENT
    assert tracker(False) is SILENT
    task = SILENT.task("runs")
    task.advance(250, 1, 1000)  # nothing to show, nothing raised
    task.expect(10)
    task.close()
    with SILENT:
        pass


def test_a_tracker_is_used_as_given() -> None:
    lines = PlainLines(io.StringIO())
    assert tracker(lines) is lines


def test_plain_lines_when_asked_or_when_the_output_is_not_a_terminal() -> None:
    assert isinstance(tracker("plain"), PlainLines)
    assert isinstance(tracker(True, io.StringIO()), PlainLines)


def test_a_bar_on_a_terminal_when_tqdm_is_installed() -> None:
    pytest.importorskip("tqdm")
    master, slave = os.openpty()
    with os.fdopen(slave, "w") as terminal:
        try:
            chosen = tracker(True, terminal)
            assert isinstance(chosen, Bars)
            task = chosen.task("runs", total=500)
            task.advance(250, 1, 10_000)
            task.close()
            chosen.close()
        finally:
            os.close(master)


def test_plain_lines_on_a_terminal_without_tqdm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm then raises ImportError
    master, slave = os.openpty()
    with os.fdopen(slave, "w") as terminal:
        try:
            assert isinstance(tracker(True, terminal), PlainLines)
        finally:
            os.close(master)


def test_a_class_gives_one_bar_per_task() -> None:
    RecordingBar.made = []
    bars = tracker(RecordingBar)
    assert isinstance(bars, Bars)
    runs = bars.task("runs", total=1000)
    flows = bars.task("flows")
    runs.advance(250, 1, 50_000)
    runs.advance(250, 1, 50_000)
    flows.advance(3, 1)
    runs.expect(2000)
    bars.close()
    first, second = RecordingBar.made
    assert first.options["desc"] == "runs" and first.options["total"] == 1000
    assert first.options["delay"] == progress_module.BAR_DELAY  # a short query shows no bar
    assert first.n == 500 and first.total == 2000 and first.refreshed == 1
    assert first.postfix == "2 pages, 100.0 kB"
    assert second.n == 3 and second.postfix == "1 pages"
    assert first.closed == second.closed == 1  # closed once, by the tracker


def test_a_bar_class_with_fewer_options_gets_the_essential_ones() -> None:
    bars = tracker(MinimalBar)
    task = bars.task("contacts", total=7)
    task.advance(5, 1, 100)
    task.close()
    bar = task._bar  # type: ignore[attr-defined]
    assert (bar.desc, bar.total, bar.n, bar.closed) == ("contacts", 7, 5, True)


def test_a_bar_of_bytes_counts_bytes() -> None:
    RecordingBar.made = []
    task = tracker(RecordingBar).task("runs archive 2024-01", total=4096, unit="bytes")
    task.advance(nbytes=1024)
    task.advance(nbytes=2048)
    assert RecordingBar.made[0].n == 3072
    assert RecordingBar.made[0].options["unit"] == "B"


def test_real_tqdm_bars_show_the_counts() -> None:
    tqdm = pytest.importorskip("tqdm")
    out = io.StringIO()
    bars = Bars(tqdm.tqdm, out)
    task = bars.task("runs")
    task.advance(250, 1, 1000)
    bars.close()
    assert out.getvalue() == ""  # shorter than the delay: no bar at all
    out = io.StringIO()
    bars = Bars(tqdm.tqdm, out)
    task = bars.task("runs")
    task._bar.delay = 0  # type: ignore[attr-defined]
    task.advance(250, 1, 1000)
    task.advance(250, 1, 1000)
    bars.close()
    assert "runs: 500 rec" in out.getvalue()
    assert "2 pages, 2.0 kB" in out.getvalue()


def test_a_function_gets_the_counts_of_each_call() -> None:
    calls: List[Tuple[str, Dict[str, int]]] = []
    chosen = tracker(lambda name, counts: calls.append((name, counts)))
    assert isinstance(chosen, Callback)
    task = chosen.task("runs", total=900)
    task.advance(250, 1, 4000)
    task.advance(nbytes=10)
    task.close()
    chosen.close()
    assert calls == [
        ("runs", {"total": 900}),
        ("runs", {"records": 250, "pages": 1, "bytes": 4000}),
        ("runs", {"records": 0, "pages": 0, "bytes": 10}),
    ]


@pytest.mark.parametrize("value", ["bars", "", "True"])
def test_an_unknown_string_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="progress must be"):
        tracker(value)


@pytest.mark.parametrize("value", [1, 2.5, ["plain"], object()])
def test_other_values_are_refused(value: Any) -> None:
    with pytest.raises(TypeError, match="progress must be"):
        tracker(value)


def plain_lines() -> Tuple[io.StringIO, FakeClock, PlainLines]:
    """Plain lines every 5 s into a string, on a clock the test moves."""
    out, clock = io.StringIO(), FakeClock()
    return out, clock, PlainLines(out, interval=5.0, clock=clock)


def test_plain_lines_every_few_seconds_and_a_last_one() -> None:
    out, clock, lines = plain_lines()
    runs = lines.task("runs", total=1000)
    contacts = lines.task("contacts")
    runs.advance(250, 1, 2_000_000)
    assert out.getvalue() == ""  # nothing before the first interval
    clock.now += 5.0
    contacts.advance(100, 1, 0)
    clock.now += 1.0
    runs.advance(250, 1, 2_000_000)  # within the interval: no line
    assert out.getvalue().splitlines() == [
        "runs: 250 records, 1 pages, 2.0 MB, 50/s, 25% of ~1,000, ~15s left | contacts: 100 records, 1 pages, 20/s"
    ]
    clock.now += 4.0
    runs.advance(0, 1, 0)  # a line: the interval has passed
    clock.now += 1.0
    contacts.advance(0, 1, 0)  # news since that line: the last line shows it
    runs.close()
    lines.close()
    shown = out.getvalue().splitlines()
    assert len(shown) == 3
    assert shown[1].startswith("runs: 500 records, 3 pages, 4.0 MB, 50/s, 50% of ~1,000, ~10s left | ")
    assert shown[2] == "runs: 500 records, 3 pages, 4.0 MB, 45/s, 50% of ~1,000 (done) | " + (
        "contacts: 100 records, 2 pages, 9/s (done)"
    )


def test_no_last_line_without_news() -> None:
    out, clock, lines = plain_lines()
    task = lines.task("runs")
    clock.now += 6.0
    task.advance(250, 1)
    task.close()
    lines.close()
    assert out.getvalue() == "runs: 250 records, 1 pages, 42/s\n"


def test_a_short_operation_prints_nothing() -> None:
    out, clock, lines = plain_lines()
    task = lines.task("flows")
    task.advance(12, 1, 0)
    clock.now += 1
    task.close()
    lines.close()
    assert out.getvalue() == ""


def test_plain_lines_of_bytes_and_long_durations() -> None:
    out, clock, lines = plain_lines()
    download = lines.task("runs archive", total=10_000_000_000, unit="bytes")
    clock.now += 10.0
    download.advance(nbytes=1_500_000)
    assert out.getvalue() == "runs archive: 1.5 MB, 150.0 kB/s, 0% of ~10.0 GB, ~18h30m left\n"
    slow = lines.task("runs", total=10_000)
    clock.now += 10.0
    slow.advance(100, 1)
    assert "runs: 100 records, 1 pages, 10/s, 1% of ~10,000, ~16m30s left" in out.getvalue()


def test_plain_lines_go_to_standard_error_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    clock = FakeClock()
    lines = PlainLines(interval=1.0, clock=clock)
    task = lines.task("runs")
    clock.now += 2
    task.advance(1, 1)
    assert capsys.readouterr().err.startswith("runs: 1 records")


def test_a_broken_output_never_fails_the_read() -> None:
    out = io.StringIO()
    out.close()
    clock = FakeClock()
    lines = PlainLines(out, interval=1.0, clock=clock)
    task = lines.task("runs")
    clock.now += 2
    task.advance(1, 1)  # the stream is closed: nothing shown, nothing raised


def test_threads_may_share_plain_lines() -> None:
    out = io.StringIO()
    lines = PlainLines(out, interval=0.0)
    tasks = [lines.task("stream%d" % n) for n in range(4)]

    def work(task: Any) -> None:
        for _ in range(200):
            task.advance(1, 1, 10)

    threads = [threading.Thread(target=work, args=(task,)) for task in tasks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines.close()
    last = out.getvalue().splitlines()[-1]
    assert last.count("200 records, 200 pages") == 4

"""The ``rapidpro`` command: export, sync and list archives from a shell.

::

    export RAPIDPRO_URL=https://app.rapidpro.io RAPIDPRO_TOKEN=...
    rapidpro export runs messages contacts --since 2024-01-01 --out data/
    rapidpro sync contacts --out data/          # what changed since the last export or sync
    rapidpro archives run

An interrupted export (Ctrl-C, a crash, ``--max-minutes``) continues when the same command runs
again. On a terminal a progress line is redrawn in place; otherwise plain lines are printed.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from typing import Any, Dict, List, Optional, TextIO

from ..utils import parse_iso8601
from .pacing import RateBudget, WorkBudget
from .runner import StreamResult, run_export
from .sources import SOURCES
from .streams import Settings

_REDRAW_SECONDS = 0.5
_PLAIN_SECONDS = 30.0


class ProgressDisplay:
    """Counts records, pages and bytes per stream, and shows them (in place on a terminal).

    :param stream: where to write
    :param interactive: redraw one line (a terminal) or print a line now and then
    """

    def __init__(self, stream: TextIO, interactive: bool) -> None:
        self.stream = stream
        self.interactive = interactive
        self.counts: Dict[str, Dict[str, int]] = {}
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._shown = 0.0

    def __call__(self, name: str, counts: Dict[str, int]) -> None:
        with self._lock:
            mine = self.counts.setdefault(name, {"records": 0, "pages": 0, "bytes": 0})
            for key, value in counts.items():
                mine[key] = mine.get(key, 0) + value
            moment = time.monotonic()
            if moment - self._shown >= (_REDRAW_SECONDS if self.interactive else _PLAIN_SECONDS):
                self._shown = moment
                self._show(moment)

    def line(self, moment: Optional[float] = None) -> str:
        """The current counts as one line.

        :param moment: the monotonic time to compute rates at
        """
        elapsed = max(1e-6, (moment or time.monotonic()) - self._started)
        parts = []
        for name, c in sorted(self.counts.items()):
            part = "%s %d rec, %d pages, %.1f MB, %.0f rec/s" % (
                name,
                c["records"],
                c["pages"],
                c["bytes"] / 1e6,
                c["records"] / elapsed,
            )
            if c.get("total"):
                rate = c["records"] / elapsed
                left = (c["total"] - c["records"]) / rate if rate else 0
                part += ", ~%dm left" % (left // 60)
            parts.append(part)
        return " | ".join(parts)

    def _show(self, moment: float) -> None:
        if self.interactive:
            self.stream.write("\r\x1b[K" + self.line(moment)[:200])
        else:
            self.stream.write(self.line(moment) + "\n")
        self.stream.flush()

    def finish(self) -> None:
        """Ends the in-place line."""
        if self.interactive:
            self.stream.write("\n")
            self.stream.flush()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rapidpro", description="Export and sync a RapidPro workspace.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("export", "export streams into a directory"), ("sync", "fetch what changed since last time")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("streams", nargs="+", choices=sorted(SOURCES), metavar="STREAM", help=", ".join(SOURCES))
        cmd.add_argument("--out", required=True, help="the output directory (holds the state too)")
        cmd.add_argument("--since", help="only records from this date or time (ISO 8601)")
        cmd.add_argument("--until", help="only records before this date or time (ISO 8601)")
        cmd.add_argument("--flow", help="only runs of this flow UUID")
        cmd.add_argument("--format", default="jsonl", choices=["jsonl", "jsonl.gz", "csv"])
        cmd.add_argument("--no-archives", action="store_true", help="read the API only")
        cmd.add_argument("--rate", type=float, help="requests per hour per scope (default: the server's 3600)")
        cmd.add_argument("--max-minutes", type=float, help="stop cleanly after this long (rerun to continue)")
        cmd.add_argument("--max-pages", type=int, help="stop cleanly after this many pages (rerun to continue)")
    archives = sub.add_parser("archives", help="list the archives of a type")
    archives.add_argument("type", choices=["run", "message"])
    return parser


def _when(value: Optional[str], parser: argparse.ArgumentParser) -> Any:
    if not value:
        return None
    try:
        return parse_iso8601(value)
    except ValueError:
        parser.error("not an ISO 8601 date: %r" % value)


def _client() -> Any:
    from ..v2 import TembaClient

    url, token = os.environ.get("RAPIDPRO_URL"), os.environ.get("RAPIDPRO_TOKEN")
    if not url or not token:
        raise SystemExit("rapidpro: set RAPIDPRO_URL and RAPIDPRO_TOKEN")
    return TembaClient(url, token)


def _summary(results: Dict[str, StreamResult], display: ProgressDisplay) -> List[str]:
    lines = []
    for name, result in sorted(results.items()):
        if result.error is not None:
            status = "FAILED: %s (%s); rerun the same command to continue" % (result.error, type(result.error).__name__)
        elif result.complete:
            status = "complete"
        else:
            status = "stopped; rerun the same command to continue"
        pages = display.counts.get(name, {}).get("pages", 0)
        lines.append("%-16s %9d records written, %6d pages  %s" % (name, result.written, pages, status))
    return lines


def main(argv: Optional[List[str]] = None) -> int:
    """Runs the command; returns the exit status (0: complete, 1: a stream failed, 3: stopped early).

    :param argv: the arguments (default: ``sys.argv[1:]``)
    """
    parser = _parser()
    args = parser.parse_args(argv)
    client = _client()
    if args.command == "archives":
        for archive in client.get_archives(type=args.type):
            print(
                "%s %-8s %10s records %12s bytes"
                % (archive.start_date.date(), archive.period, archive.record_count, archive.size)
            )
        return 0
    settings = Settings(
        since=_when(args.since, parser),
        until=_when(args.until, parser),
        flow=args.flow,
        fmt=args.format,
        use_archives=not args.no_archives,
    )
    rates = dict.fromkeys(("v2", "v2.runs", "v2.messages", "v2.contacts"), args.rate) if args.rate else None
    work = WorkBudget(seconds=args.max_minutes * 60 if args.max_minutes else None, pages=args.max_pages)
    display = ProgressDisplay(sys.stderr, sys.stderr.isatty())
    try:
        results = run_export(client, args.streams, args.out, settings, RateBudget(rates), work, display)
    except KeyboardInterrupt:
        display.finish()
        print("interrupted: the state is saved; rerun the same command to continue", file=sys.stderr)
        return 130
    display.finish()
    for line in _summary(results, display):
        print(line)
    if any(r.error is not None for r in results.values()):
        return 1
    return 0 if all(r.complete for r in results.values()) else 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

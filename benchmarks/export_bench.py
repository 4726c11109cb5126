"""Benchmarks of the export engine, quoted as ratios measured in one run.

::

    python benchmarks/export_bench.py            # 200,000 archived runs, pacing for ~20 s
    python benchmarks/export_bench.py --quick    # 50,000 runs, pacing for ~8 s

(a) archive ingest: reading a gzipped JSONL archive of runs into ``Run`` objects (and into API
    dicts) against a bare ``gzip`` + ``json.loads`` loop over the same file; peak memory (traced)
    for the file and for a file 4 times larger.
(b) an export of N runs of which 90% are archived, measured against the API-only path on the local
    server throttled at the same rate (requests and seconds of each), and the arithmetic for 10
    million runs (a page is 250 runs; the archives cost their listing).
(c) pacing: an export of contacts from the local server throttled per scope, paced by the
    client's budget set to the same rate: the share of the budget used and the 429s received.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any, Callable, Dict, List

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import run  # noqa: E402 - benchmarks/run.py
import workload  # noqa: E402 - benchmarks/workload.py

from temba_client.archives import iter_records, read_archive  # noqa: E402
from temba_client.export import RateBudget, Settings, run_export  # noqa: E402


def models(path: str) -> int:
    return sum(1 for _ in read_archive(path, "run"))


def dicts(path: str) -> int:
    return sum(1 for _ in iter_records(path, "run"))


def best_of(func: Callable[[str], int], path: str, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        func(path)
        times.append(time.perf_counter() - started)
    return min(times)


def peak_memory(func: Callable[[str], int], path: str) -> int:
    tracemalloc.start()
    func(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def ingest(count: int, repeats: int) -> Dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        small, large = os.path.join(tmp, "a.jsonl.gz"), os.path.join(tmp, "b.jsonl.gz")
        run.make_archive(Path(small), count)
        run.make_archive(Path(large), count * 4)
        bare = best_of(workload.bare_ingest, small, repeats)
        as_models = best_of(models, small, repeats)
        as_dicts = best_of(dicts, small, repeats)
        return {
            "records": count,
            "bare_seconds": round(bare, 3),
            "models_ratio": round(as_models / bare, 2),
            "dicts_ratio": round(as_dicts / bare, 2),
            "peak_kb": peak_memory(models, small) // 1024,
            "peak_kb_4x_file": peak_memory(models, large) // 1024,
        }


def requests_needed(total: int, archived_share: float, archives: int) -> Dict[str, Any]:
    api_only = math.ceil(total / 250)
    listing = math.ceil(archives / 250)
    with_archives = listing + math.ceil(total * (1 - archived_share) / 250)
    return {
        "runs": total,
        "api_only_requests": api_only,
        "with_archives_requests": with_archives,
        "ratio": round(with_archives / api_only, 3),
        "api_only_hours_at_3600_per_hour": round(api_only / 3600, 1),
    }


def measured_export(runs: int, archived_share: float, per_minute: int) -> Dict[str, Any]:
    """(b) measured: an export of about ``runs`` runs from the local server throttled at
    ``per_minute`` requests a minute in the runs scope, once with ``archived_share`` of the runs
    (the oldest days) in archives, once with every run in the API; requests and seconds of each."""
    from temba_client.testing import LocalRapidProServer
    from temba_client.v2 import TembaClient

    rates = {"v2": "%d/minute" % per_minute, "v2.runs": "%d/minute" % per_minute}
    budget_rates = {"v2": per_minute * 60.0, "v2.runs": per_minute * 60.0}
    measured: Dict[str, Any] = {"per_minute": per_minute}
    for label, archive in (("api_only", False), ("with_archives", True)):
        with LocalRapidProServer(seed=runs, rates=rates) as server:
            ws = server.workspace
            rows = sorted(ws.rows["runs"], key=lambda row: row["modified_on"])
            days = 20
            for n, row in enumerate(rows):  # spread the runs over 20 days, oldest first
                ws.modify("runs", row["id"], modified_on="2024-03-%02dT12:00:00.%06dZ" % (1 + n * days // len(rows), n))
            if archive:
                for day in range(1, 1 + int(days * archived_share)):
                    ws.archive("run", "daily", "2024-03-%02d" % day)
            with TembaClient(server.url, server.token) as client, tempfile.TemporaryDirectory() as out:
                started = time.monotonic()
                result = run_export(
                    client, ["runs"], out, Settings(lag=0, use_archives=archive), RateBudget(budget_rates)
                )
                elapsed = time.monotonic() - started
                assert result["runs"].complete
                with open(os.path.join(out, "runs.jsonl")) as lines:
                    written = sum(1 for _ in lines)
            api = [r for r in server.requests if r.path.startswith("/api/")]
            measured[label] = {"runs": written, "requests": len(api), "seconds": round(elapsed, 2)}
    measured["requests_ratio"] = round(measured["with_archives"]["requests"] / measured["api_only"]["requests"], 3)
    measured["time_ratio"] = round(measured["with_archives"]["seconds"] / measured["api_only"]["seconds"], 3)
    return measured


def pacing(seconds: float) -> Dict[str, Any]:
    from temba_client.testing import LocalRapidProServer
    from temba_client.v2 import TembaClient

    per_minute = 600
    pages = int(seconds * per_minute / 60)
    rates = {"v2.contacts": "%d/minute" % per_minute}
    with (
        LocalRapidProServer(seed=pages * 250, rates=rates) as server,
        TembaClient(server.url, server.token) as client,
        tempfile.TemporaryDirectory() as out,
    ):
        budget = RateBudget({"v2.contacts": per_minute * 60.0})
        started = time.monotonic()
        run_export(client, ["contacts"], out, Settings(lag=0), budget)
        elapsed = time.monotonic() - started
    sent = budget.granted.get("v2.contacts", 0)
    # the first request is free (the bucket starts full): the rate is measured over the rest
    used = (sent - 1) / (elapsed * per_minute / 60.0)
    return {
        "requests": sent,
        "seconds": round(elapsed, 2),
        "budget_used": round(used, 3),
        "throttled_429": budget.throttled.get("v2.contacts", 0),
    }


def main(argv: List[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    count, repeats, seconds = (50_000, 2, 8.0) if args.quick else (200_000, 3, 20.0)
    results = {
        "ingest": ingest(count, repeats),
        "export_measured": measured_export(2_000 if args.quick else 10_000, 0.9, 600),
        "requests": requests_needed(10_000_000, 0.9, 400),
        "pacing": pacing(seconds),
    }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])

"""Benchmark of the dlt source: rows per second into DuckDB against exporting the same records to
JSON Lines with the export engine, both from the local server (no pacing: the budget never waits).

::

    python benchmarks/dlt_bench.py             # seed 5000 (~5,000 contacts, ~10,000 messages, ~5,000 runs)
    python benchmarks/dlt_bench.py --seed 1000

Both read the same streams (contacts, messages, runs, archives included) over HTTP from the same
kind of server; the dlt figure includes dlt's extract, normalize and load into a DuckDB file.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

import dlt  # noqa: E402

from temba_client.dlt import rapidpro_source  # noqa: E402
from temba_client.export import RateBudget, Settings, run_export  # noqa: E402
from temba_client.testing import LocalRapidProServer  # noqa: E402
from temba_client.v2 import TembaClient  # noqa: E402

STREAMS = ["contacts", "messages", "runs"]
FAST = dict.fromkeys(("v2", "v2.runs", "v2.messages", "v2.contacts"), 1e9)


def settings() -> Settings:
    return Settings(lag=0, slice_hours=24 * 365 * 5)


def jsonl(client: TembaClient, out: str) -> int:
    results = run_export(client, STREAMS, out, settings(), RateBudget(FAST, burst=1e9))
    assert all(result.complete for result in results.values()), results
    return sum(result.written for result in results.values())


def duckdb(client: TembaClient, out: str) -> int:
    pipeline = dlt.pipeline(
        "bench",
        destination=dlt.destinations.duckdb(os.path.join(out, "bench.duckdb")),
        dataset_name="rapidpro_data",
        pipelines_dir=os.path.join(out, "pipelines"),
    )
    source = rapidpro_source(client=client, resources=STREAMS, settings=settings(), budget=RateBudget(FAST, burst=1e9))
    pipeline.run(source)
    with pipeline.sql_client() as sql:
        return sum(sql.execute_sql("SELECT count(*) FROM rapidpro_data.%s" % name)[0][0] for name in STREAMS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=5000)
    args = parser.parse_args()
    with LocalRapidProServer(seed=args.seed) as server, TembaClient(server.url, server.token) as client:
        for label, run in (("JSON Lines (run_export)", jsonl), ("DuckDB (dlt)", duckdb)):
            with tempfile.TemporaryDirectory() as out:
                started = time.perf_counter()
                rows = run(client, out)
                seconds = time.perf_counter() - started
            print("%-24s %7d rows in %6.2f s: %8.0f rows/s" % (label, rows, seconds, rows / seconds))


if __name__ == "__main__":
    main()

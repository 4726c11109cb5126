"""Fixtures of the dlt tests: a local server, a DuckDB pipeline under tmp_path, the server's truth.

Each test is skipped when dlt is not installed (``pip install -e ".[dlt]"``). dlt is imported by
the tests, not at collection: importing it takes longer than collecting the whole quick tier.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from typing import Any, Callable, Dict, List

import pytest
import requests

from temba_client.export import RateBudget, Settings
from temba_client.testing import LocalRapidProServer
from temba_client.v2 import TembaClient

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
#: why the tests are skipped without dlt
SKIP_REASON = "dlt is not installed: pip install -e '.[dlt]' to run the tests of temba_client.dlt"

FAST = dict.fromkeys(("v2", "v2.runs", "v2.messages", "v2.contacts"), 1e9)
DATASET = "rapidpro_data"
#: the primary key of each table, and the archive type holding older records
KEYS = {
    "contacts": "uuid",
    "messages": "id",
    "runs": "id",
    "flows": "uuid",
    "fields": "key",
    "groups": "uuid",
    "labels": "uuid",
    "campaigns": "uuid",
    "campaign_events": "uuid",
    "tickets": "uuid",
    "globals": "key",
    "channels": "uuid",
    "broadcasts": "id",
    "flow_starts": "uuid",
    "topics": "uuid",
    "users": "email",
}
ARCHIVED = {"messages": "message", "runs": "run"}


@pytest.fixture(autouse=True)
def dlt() -> Any:
    """The dlt module, imported when a test of this folder runs (each is skipped without it)."""
    return pytest.importorskip("dlt", reason=SKIP_REASON)


def rapidpro_source(**kwargs: Any) -> Any:
    """:func:`temba_client.dlt.rapidpro_source`, imported (with dlt) when a test calls it."""
    from temba_client.dlt import rapidpro_source as source

    return source(**kwargs)


def fast() -> RateBudget:
    """A rate budget that never waits (the local server does not throttle)."""
    return RateBudget(FAST, burst=1e9)


def settings() -> Settings:
    """Engine settings for tests: no lag (the server's stamps are the clock), one slice of messages."""
    return Settings(lag=0, slice_hours=24 * 365 * 5)


@pytest.fixture
def server() -> Iterator[LocalRapidProServer]:
    with LocalRapidProServer(seed=600) as local:
        yield local


@pytest.fixture
def client(server: LocalRapidProServer) -> Iterator[TembaClient]:
    with TembaClient(server.url, server.token, max_retries=0, timeout=10) as temba:
        yield temba


@pytest.fixture
def make_pipeline(tmp_path: Any, dlt: Any) -> Callable[..., Any]:
    """A DuckDB pipeline whose working directory and database live under tmp_path."""

    def make(name: str = "rp") -> Any:
        return dlt.pipeline(
            name,
            destination=dlt.destinations.duckdb(str(tmp_path / (name + ".duckdb"))),
            dataset_name=DATASET,
            pipelines_dir=str(tmp_path / "pipelines"),
        )

    return make


def query(pipeline: Any, sql: str) -> List[Any]:
    """Rows of a query on the pipeline's dataset."""
    with pipeline.sql_client() as sql_client:
        return [tuple(row) for row in sql_client.execute_sql(sql)]


def table_keys(pipeline: Any, table: str) -> List[Any]:
    """The primary keys of a table's rows, sorted (duplicates kept)."""
    key = KEYS[table]
    return sorted(row[0] for row in query(pipeline, "SELECT %s FROM %s.%s" % (key, DATASET, table)))


def archived_records(client: TembaClient, kind: str) -> List[Dict[str, Any]]:
    """Every record of the listed archives of one type."""
    records = []
    for archive in client.get_archives(type=kind):
        if archive.download_url:
            data = gzip.decompress(requests.get(archive.download_url, timeout=10).content)
            records.extend(json.loads(line) for line in data.splitlines() if line.strip())
    return records


def server_keys(client: TembaClient, table: str) -> List[Any]:
    """The keys of the server's records of a table: the API's, plus the archives' for messages and runs."""
    key = KEYS[table]
    keys = [getattr(obj, key) for obj in getattr(client, "get_" + table)()]
    if table in ARCHIVED:
        keys += [record[key] for record in archived_records(client, ARCHIVED[table])]
    return sorted(keys)

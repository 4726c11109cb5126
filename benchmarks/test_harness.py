"""Checks of the benchmark harness itself (not of any timing): the workloads against the page
server on 127.0.0.1, and the target verdicts. Run with ``python -m pytest benchmarks/test_harness.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import report  # noqa: E402
from run import make_archive, start_server  # noqa: E402

RECORDS = 600  # three pages, the last one short


@pytest.fixture(scope="module")
def root() -> Iterator[str]:
    server, url = start_server(RECORDS)
    try:
        yield url
    finally:
        server.terminate()
        server.wait()


def workload(*args: str) -> Dict[str, Any]:
    done = subprocess.run([sys.executable, str(HERE / "workload.py"), *args], capture_output=True, text=True,
                          cwd=str(HERE), check=True)  # fmt: skip
    return json.loads(done.stdout)


def connections(root: str) -> int:
    with urllib.request.urlopen(root + "/stats") as response:
        return int(json.loads(response.read())["connections"])


def reset(root: str) -> None:
    urllib.request.urlopen(root + "/reset").close()


@pytest.mark.parametrize("client", ["client", "floor-requests", "floor-httpclient"])
@pytest.mark.parametrize("kind", ["contacts", "messages", "runs"])
def test_exports_read_every_record_over_one_connection(root: str, client: str, kind: str) -> None:
    if client == "floor-httpclient":
        pytest.importorskip("orjson")
    for mode in ("all", "pages"):
        reset(root)
        result = workload(client, kind, mode, root)
        assert result["records"] == RECORDS
        assert connections(root) - 1 == 1  # less the stats request
        assert result["rss_growth_kib"] >= 0 and result["wall"] > 0


def test_archive_ingest_reads_every_record(tmp_path: Path) -> None:
    archive = tmp_path / "runs.jsonl.gz"
    make_archive(archive, 120)
    for client, mode in (("floor-ingest", "ingest"), ("client", "ingest-dicts"), ("client", "ingest-models")):
        result = workload(client, "run", mode, "-", str(archive))
        assert result["records"] == 120 and result["cpu"] > 0


def test_page_by_page_stops_at_the_limit(root: str) -> None:
    assert workload("client", "runs", "pages", root, "250")["records"] == 250


def test_deserialization_reports_its_ratio_over_json_loads(root: str, tmp_path: Path) -> None:
    page = tmp_path / "page.json"
    with urllib.request.urlopen(root + "/api/v2/messages.json") as response:
        page.write_bytes(response.read())
    result = workload("client", "messages", "deser", root, str(page))
    # the median of the batches' ratios and the ratio of the medians: close on a quiet machine, less
    # so while other tests run beside this one (pytest -n auto); a wrong ratio is off by far more
    ratio_of_medians = result["json_loads_objects_per_second"] / result["objects_per_second"]
    assert 0.5 < result["over_json_loads"] / ratio_of_medians < 2
    assert result["json_backend"] in ("json", "orjson", "msgspec")
    assert workload("floor-requests", "messages", "deser", root, str(page))["objects_per_second"] > 0


def section(
    over: float, all_ratio: float, rss_ratio: float, variants: List[str], ingest: float = 1.0
) -> Dict[str, Any]:
    """One interpreter's results where temba's measurements are the given multiples of the floor's
    and rapidpro-python's (the CPU time carries the ratio; the wall time is the floor's)."""
    runs: Dict[str, List[Dict[str, Any]]] = {}
    for kind in report.KINDS:
        runs["deser/%s/temba" % kind] = [{"objects_per_second": 1.0, "over_json_loads": over}]
        for name, cpu, rss in (("temba", all_ratio, rss_ratio), ("rapidpro", 3.0, 1.0),
                               (report.FLOOR_REQUESTS, 1.0, 2.0)):  # fmt: skip
            runs["all/%s/%s" % (kind, name)] = [{"wall": 10.0, "cpu": cpu * 10, "rss_growth_kib": rss * 10_000,
                                                 "connections": 1}]  # fmt: skip
        runs["pages/%s/temba" % kind] = [{"wall": 1.0, "rss_growth_kib": 3000, "connections": 1}]
        runs["pages-small/%s/temba" % kind] = [{"wall": 0.1, "rss_growth_kib": 2500, "connections": 1}]
    runs["ingest/run/%s" % report.INGEST_FLOOR] = [{"wall": 1.0, "cpu": 1.0}]
    runs["ingest/run/temba+msgspec dicts"] = [{"wall": 1.0, "cpu": ingest}]
    return {"runs": runs, "variants": variants}


def verdicts(rows: List[report.Target], start: str) -> List[str]:
    return [row[3] for row in rows if row[0].startswith(start)]


def test_targets_met_and_missed() -> None:
    variants = ["temba", "rapidpro", report.FLOOR_REQUESTS]
    met = report.targets(section(0.95, 1.3, 0.5, variants), 100_000, 10_000)
    assert verdicts(met, "deserialization") == ["yes"] * 3
    assert verdicts(met, ".all() contacts, temba:") == ["yes"]
    assert verdicts(met, "peak RSS") == ["yes"] * 3
    assert verdicts(met, "RSS page by page") == ["yes"] * 3
    assert verdicts(met, "TCP") == ["yes"] * 3
    assert verdicts(met, ".all() contacts, temba+msgspec") == ["skipped"]
    assert verdicts(met, "archive ingest, temba+msgspec dicts") == ["yes"]
    assert verdicts(met, "archive ingest, temba+msgspec models") == ["skipped"]
    missed = report.targets(section(1.25, 1.5, 0.8, variants, ingest=1.4), 100_000, 10_000)
    assert verdicts(missed, "deserialization") == ["NO"] * 3  # 1.25 is over 1.0, 1.1 and 1.2
    assert verdicts(missed, ".all() contacts, temba:") == ["NO"]  # 1.5 is over 1.4...
    assert verdicts(missed, ".all() runs, temba:") == ["yes"]  # ...not over 1.6
    assert verdicts(missed, "peak RSS") == ["NO"] * 3
    assert verdicts(missed, "archive ingest, temba+msgspec dicts") == ["NO"]


def test_rss_target_is_not_applicable_without_rapidpro() -> None:
    rows = report.targets(section(0.95, 1.3, 0.5, ["temba", report.FLOOR_REQUESTS]), 100_000, 10_000)
    assert verdicts(rows, "peak RSS") == ["n/a"] * 3

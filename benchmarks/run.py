"""Benchmark: this package (without extras, with orjson, with the fast extra) against
rapidpro-python 2.22.2 and two floors, and archive ingest against gzip + json.loads, on Python 3.9,
3.12 and 3.13, in one run.

    python3 benchmarks/run.py                  # 100,000 records of each kind, 5 repeats, 3.9/3.12/3.13
    python3 benchmarks/run.py --quick          # 20,000 records, 3 repeats (a few minutes per Python)
    python3 benchmarks/run.py --python 3.13    # one interpreter (repeat --python for several)
    python3 benchmarks/run.py --report benchmarks/results/latest.json   # print a saved run again

See benchmarks/README.md for what is measured and how to read the tables.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Tuple

from data import PAGE_SIZE
from envs import ALL_VARIANTS, DEFAULT_PYTHONS, HERE, REPO, Interpreter, find_interpreter, prepare
from report import report

RESULTS = HERE / "results"
ARCHIVE = RESULTS / "runs-archive.jsonl.gz"
KINDS = ("contacts", "messages", "runs")
#: The variants whose RSS page by page is compared between a short and a long export.
SMALL_RUN_VARIANTS = ("temba", "temba+orjson", "temba+msgspec")
#: Archive ingest: (name in the tables, variant whose virtualenv runs it, workload CLIENT, MODE).
INGEST = (
    ("gzip + json.loads", "temba", "floor-ingest", "ingest"),
    ("temba dicts", "temba", "client", "ingest-dicts"),
    ("temba models", "temba", "client", "ingest-models"),
    ("temba+msgspec dicts", "temba+msgspec", "client", "ingest-dicts"),
    ("temba+msgspec models", "temba+msgspec", "client", "ingest-models"),
)


def make_archive(path: Path, count: int) -> None:
    """A gzipped JSON Lines archive of ``count`` runs (varied copies of the recorded archive records
    of ``tests/export/data/runs1.jsonl``, in the archiver's form)."""
    lines = (REPO / "tests" / "export" / "data" / "runs1.jsonl").read_text().splitlines()
    templates = [json.loads(line) for line in lines if line.strip()]
    with gzip.open(path, "wt", compresslevel=6) as out:
        for n in range(count):
            record = dict(templates[n % len(templates)], id=n + 1, uuid="00000000-0000-4000-8000-%012d" % n)
            out.write(json.dumps(record) + "\n")


def start_server(records: int) -> Tuple[subprocess.Popen, str]:
    """The page server, in a process of its own (this interpreter), and its root URL."""
    server = subprocess.Popen([sys.executable, str(HERE / "page_server.py"), str(records)], stdout=subprocess.PIPE,
                              text=True, cwd=str(HERE))  # fmt: skip
    assert server.stdout is not None
    port = int(server.stdout.readline())
    return server, "http://127.0.0.1:%d" % port


def server_call(root: str, path: str) -> Dict[str, Any]:
    with urllib.request.urlopen(root + path) as response:
        return json.loads(response.read())


def measure(
    python: str, root: str, workload: str, kind: str, mode: str, extra: str = "", expect: int = 0
) -> Dict[str, Any]:
    """One run of ``workload.py`` in a fresh process; exports also count the TCP connections and
    must have read ``expect`` records."""
    if mode in ("all", "pages"):
        server_call(root, "/reset")
    args = [python, str(HERE / "workload.py"), workload, kind, mode, root] + ([extra] if extra else [])
    done = subprocess.run(args, capture_output=True, text=True, cwd=str(HERE))
    if done.returncode != 0:
        raise SystemExit("%s failed:\n%s" % (" ".join(args), done.stderr))
    result: Dict[str, Any] = json.loads(done.stdout)
    if expect and result["records"] != expect:
        raise SystemExit("%s read %d records, not %d" % (" ".join(args), result["records"], expect))
    if mode in ("all", "pages"):
        result["connections"] = server_call(root, "/stats")["connections"] - 1  # less the stats request
    return result


def run_interpreter(interpreter: Interpreter, root: str, records: int, small: int, repeat: int) -> Dict[str, Any]:
    """Every measurement on one interpreter, the variants alternating run by run.

    :param interpreter: the Python to run the variants with
    :param root: the page server's root URL
    :param records: records of each kind the server has
    :param small: records of the short page-by-page export (0: none)
    :param repeat: runs of each measurement
    """
    pythons, notes = prepare(interpreter)
    variants = [variant for variant in ALL_VARIANTS if variant.name in pythons]
    print("Python %s: %s" % (interpreter.label, ", ".join(v.name for v in variants)), flush=True)
    for note in notes:
        print("  " + note, flush=True)
    runs: Dict[str, List[Dict[str, Any]]] = {}

    def add(key: str, result: Dict[str, Any]) -> None:
        runs.setdefault(key, []).append(result)

    started = time.monotonic()
    for index in range(repeat):
        print("  repeat %d/%d" % (index + 1, repeat), flush=True)
        for kind in KINDS:
            page_file = str(RESULTS / ("page-%s.json" % kind))
            for variant in variants:
                python = pythons[variant.name]
                add("deser/%s/%s" % (kind, variant.name), measure(python, root, variant.workload, kind, "deser",
                                                                  page_file))  # fmt: skip
            for mode in ("all", "pages"):
                for variant in variants:
                    add("%s/%s/%s" % (mode, kind, variant.name),
                        measure(pythons[variant.name], root, variant.workload, kind, mode, expect=records))  # fmt: skip
            for name in SMALL_RUN_VARIANTS:
                if small and name in pythons:
                    add("pages-small/%s/%s" % (kind, name),
                        measure(pythons[name], root, "client", kind, "pages", str(small), small))  # fmt: skip
        for label, venv_of, client, mode in INGEST:
            if venv_of in pythons:
                add(
                    "ingest/run/%s" % label, measure(pythons[venv_of], root, client, "run", mode, str(ARCHIVE), records)
                )
    backends = {}
    for variant in variants:
        first = runs["all/%s/%s" % (KINDS[0], variant.name)][0]
        backends[variant.name] = first.get("json_backend", "")
    return {
        "python": interpreter.label,
        "path": interpreter.path,
        "variants": [variant.name for variant in variants],
        "json_backends": backends,
        "notes": notes,
        "seconds": round(time.monotonic() - started, 1),
        "runs": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=0, help="records of each kind (default 100,000)")
    parser.add_argument("--repeat", type=int, default=0, help="runs of each measurement (default 5)")
    parser.add_argument("--quick", action="store_true", help="20,000 records, 3 repeats")
    parser.add_argument("--python", action="append", default=[],
                        help="an interpreter for the variants: a version (3.9, 3.12.1: from ~/.pyenv/versions or "
                             "the PATH) or a path; repeat it for several (default 3.9, 3.12, 3.13)")  # fmt: skip
    parser.add_argument("--report", metavar="JSON", help="print the tables of a saved run and stop")
    args = parser.parse_args()
    if args.report:
        with open(args.report) as handle:
            report(json.load(handle))
        return
    records = args.records or (20_000 if args.quick else 100_000)
    repeat = args.repeat or (3 if args.quick else 5)
    specs = args.python or list(DEFAULT_PYTHONS)
    interpreters = []
    for spec in specs:
        interpreter = find_interpreter(spec)
        if interpreter is None:
            sys.exit("no Python %s found (give a version under ~/.pyenv/versions or a path)" % spec)
        interpreters.append(interpreter)
    # the page-by-page RSS is compared between 10,000 records (a quarter of them in a short run) and all
    small = min(10_000, records // 4) // PAGE_SIZE * PAGE_SIZE

    server, root = start_server(records)
    saved: Dict[str, Any] = {"records": records, "repeat": repeat, "small": small, "quick": args.quick,
                             "interpreters": []}  # fmt: skip
    try:
        RESULTS.mkdir(exist_ok=True)
        for kind in KINDS:  # one page of each kind, for deserialization alone
            with urllib.request.urlopen("%s/api/v2/%s.json" % (root, kind)) as response:
                (RESULTS / ("page-%s.json" % kind)).write_bytes(response.read())
        make_archive(ARCHIVE, records)
        print("%d records of each kind, %d repeats, variants alternating" % (records, repeat), flush=True)
        for interpreter in interpreters:
            saved["interpreters"].append(run_interpreter(interpreter, root, records, small, repeat))
            (RESULTS / "latest.json").write_text(json.dumps(saved, indent=1))
    finally:
        server.terminate()
        server.wait()
    report(saved)
    print("\nraw results: %s" % os.path.relpath(RESULTS / "latest.json"))


if __name__ == "__main__":
    main()

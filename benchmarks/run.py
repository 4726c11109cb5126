"""Benchmark: this package against rapidpro-python 2.22.2 and against the floor, in one run.

    python3 benchmarks/run.py            # 100,000 records of each kind, 5 repeats
    python3 benchmarks/run.py --quick    # 10,000 records, 2 repeats

See benchmarks/README.md for what is measured and how to read the table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Tuple

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
VENVS = HERE / ".venvs"
RESULTS = HERE / "results"
CLIENTS = ("temba", "rapidpro", "floor")
KINDS = ("contacts", "messages", "runs")


def find_python(requested: str) -> str:
    """An interpreter of Python 3.12 or newer (rapidpro-python 2.22 needs it); all clients use it."""
    candidates = [requested] if requested else ["python3.12", "python3.13", sys.executable]
    for candidate in candidates:
        path = shutil.which(candidate) or candidate
        try:
            out = subprocess.run([path, "-c", "import sys; print(sys.version_info >= (3, 12))"], capture_output=True,
                                 text=True, check=True).stdout  # fmt: skip
        except (OSError, subprocess.CalledProcessError):
            continue
        if out.strip() == "True":
            return path
    sys.exit("no Python 3.12+ found: rapidpro-python 2.22 needs one (give it with --python)")


def venv(name: str, python: str, packages: List[str]) -> str:
    """The interpreter of a virtualenv of the benchmark's, made (once) with ``packages``."""
    folder = VENVS / name
    interpreter = folder / "bin" / "python"
    marker = folder / "installed.json"
    if not (marker.exists() and json.loads(marker.read_text()) == packages):
        print("making the %s virtualenv..." % name, flush=True)
        subprocess.run([python, "-m", "venv", "--clear", str(folder)], check=True)
        subprocess.run([str(interpreter), "-m", "pip", "install", "--quiet", *packages], check=True)
        marker.write_text(json.dumps(packages))
    return str(interpreter)


def start_server(python: str, records: int) -> Tuple[subprocess.Popen, str]:
    server = subprocess.Popen([python, str(HERE / "page_server.py"), str(records)], stdout=subprocess.PIPE, text=True,
                              cwd=HERE)  # fmt: skip
    assert server.stdout is not None
    port = int(server.stdout.readline())
    return server, "http://127.0.0.1:%d" % port


def server_call(root: str, path: str) -> Dict[str, Any]:
    with urllib.request.urlopen(root + path) as response:
        return json.loads(response.read())


def measure(interpreter: str, root: str, client: str, kind: str, mode: str, extra: str = "") -> Dict[str, Any]:
    if mode != "deser":
        server_call(root, "/reset")
    args = [interpreter, str(HERE / "workload.py"), client, kind, mode, root] + ([extra] if extra else [])
    result = json.loads(subprocess.run(args, capture_output=True, text=True, check=True, cwd=HERE).stdout)
    if mode != "deser":
        result["connections"] = server_call(root, "/stats")["connections"] - 1  # less the stats request
    return result


def median(runs: List[Dict[str, Any]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000, help="records of each kind (default 100,000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each measurement (default 5)")
    parser.add_argument("--quick", action="store_true", help="10,000 records, 2 repeats")
    parser.add_argument("--python", default="", help="the interpreter to run every client with (3.12+)")
    args = parser.parse_args()
    if args.quick:
        args.records, args.repeat = 10_000, 2

    python = find_python(args.python)
    interpreters = {
        "temba": venv("temba", python, ["-e", str(REPO)]),
        "rapidpro": venv("rapidpro", python, ["rapidpro-python==2.22.2"]),
    }
    interpreters["floor"] = interpreters["temba"]
    version = subprocess.run([python, "--version"], capture_output=True, text=True).stdout.strip()
    print("%s, %d records of each kind, %d repeats, clients alternating" % (version, args.records, args.repeat))

    server, root = start_server(interpreters["temba"], args.records)
    results: Dict[str, List[Dict[str, Any]]] = {}
    try:
        RESULTS.mkdir(exist_ok=True)
        for kind in KINDS:  # one page of each kind, for deserialization alone
            with urllib.request.urlopen("%s/api/v2/%s.json" % (root, kind)) as response:
                (RESULTS / ("page-%s.json" % kind)).write_bytes(response.read())
        small = str(min(10_000, args.records))
        for repeat in range(args.repeat):
            print("repeat %d/%d" % (repeat + 1, args.repeat), flush=True)
            for kind in KINDS:
                for client in CLIENTS:
                    page_file = str(RESULTS / ("page-%s.json" % kind))
                    key = "deser/%s/%s" % (kind, client)
                    results.setdefault(key, []).append(measure(interpreters[client], root, client, kind, "deser",
                                                               page_file))  # fmt: skip
                for mode in ("all", "pages"):
                    for client in CLIENTS:
                        key = "%s/%s/%s" % (mode, kind, client)
                        results.setdefault(key, []).append(measure(interpreters[client], root, client, kind, mode))
                key = "pages-small/%s/temba" % kind
                results.setdefault(key, []).append(measure(interpreters["temba"], root, "temba", kind, "pages", small))
    finally:
        server.terminate()
        server.wait()

    (RESULTS / "latest.json").write_text(json.dumps({"records": args.records, "python": version,
                                                     "runs": results}, indent=1))  # fmt: skip
    report(results, args.records, int(small))


def report(results: Dict[str, List[Dict[str, Any]]], records: int, small: int) -> None:
    print("\nDeserialization alone (objects/s, fields read; floor = json.loads of the same bytes)")
    print(
        "%-9s %12s %12s %12s %10s %14s" % ("kind", "temba", "rapidpro", "json.loads", "x rapidpro", "time/json.loads")
    )
    for kind in KINDS:
        rate = {c: median(results["deser/%s/%s" % (kind, c)], "objects_per_second") for c in CLIENTS}
        print("%-9s %12.0f %12.0f %12.0f %9.1fx %14.2f" % (kind, rate["temba"], rate["rapidpro"], rate["floor"],
                                                          rate["temba"] / rate["rapidpro"],
                                                          rate["floor"] / rate["temba"]))  # fmt: skip

    for mode, title in (("all", ".all()"), ("pages", "page by page (iterfetches)")):
        print("\n%s over %d records (medians)" % (title, records))
        print("%-9s %-9s %8s %8s %10s %11s %6s" % ("kind", "client", "wall s", "cpu s", "records/s", "RSS +MiB", "TCP"))
        for kind in KINDS:
            runs = {c: results["%s/%s/%s" % (mode, kind, c)] for c in CLIENTS}
            for client in CLIENTS:
                wall = median(runs[client], "wall")
                print("%-9s %-9s %8.2f %8.2f %10.0f %11.1f %6d" % (
                    kind, client, wall, median(runs[client], "cpu"), records / wall,
                    median(runs[client], "rss_growth_kib") / 1024, median(runs[client], "connections"),
                ))  # fmt: skip
            wall = {c: median(runs[c], "wall") for c in CLIENTS}
            growth = {c: median(runs[c], "rss_growth_kib") for c in CLIENTS}
            print("%-9s ratios: wall temba/floor %.2f, temba/rapidpro %.2f; RSS growth temba/rapidpro %.2f" % (
                kind, wall["temba"] / wall["floor"], wall["temba"] / wall["rapidpro"],
                growth["temba"] / max(growth["rapidpro"], 1),
            ))  # fmt: skip

    print("\nRSS growth of this package page by page: %d vs %d records" % (small, records))
    for kind in KINDS:
        few = median(results["pages-small/%s/temba" % kind], "rss_growth_kib") / 1024
        many = median(results["pages/%s/temba" % kind], "rss_growth_kib") / 1024
        print("%-9s %6.1f MiB vs %6.1f MiB" % (kind, few, many))
    print("\nraw results: %s" % os.path.relpath(RESULTS / "latest.json"))


if __name__ == "__main__":
    main()

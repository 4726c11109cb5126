"""One measured run, in a fresh process: ``python workload.py CLIENT KIND MODE ROOT [LIMIT | PAGE_FILE]``.

CLIENT is one of:

- ``client``: ``temba_client`` as installed in this interpreter's virtualenv (this package, with or
  without orjson, or rapidpro-python 2.22.2: both import as ``temba_client``);
- ``floor-requests``: a bare ``requests.Session`` loop that only ``json.loads`` each page and follows
  ``next``;
- ``floor-httpclient``: a persistent ``http.client.HTTPConnection`` that only ``orjson.loads`` each
  page and follows ``next`` (the lowest cost a Python client can reach per page).

MODE is ``all`` (``.all()``), ``pages`` (``iterfetches()``, page by page, up to LIMIT records) or
``deser`` (turning one decoded page into objects, repeatedly; the floors time decoding the page's
bytes instead: ``json.loads`` for ``floor-requests``, ``orjson.loads`` for ``floor-httpclient``).
Every object's fields are read inside the timed window. ``.all()`` also counts the objects the
cyclic garbage collector tracks, per record kept (outside the timed window); exports count the
collector's runs during the timed window.

Archive ingest: ``python workload.py CLIENT run ingest-dicts|ingest-models - ARCHIVE`` reads a
gzipped JSON Lines archive of runs with ``iter_records`` (API-shaped dicts) or ``read_archive``
(``Run`` objects); CLIENT ``floor-ingest`` is the bare ``gzip`` + ``json.loads`` loop.

Prints one JSON line of measurements.
"""

from __future__ import annotations

import gc
import http.client
import json
import os
import statistics
import sys
import time
from typing import Any, Callable, Dict, List
from urllib.parse import urlsplit

#: Sent by every client, as the package sends it.
HEADERS = {"Authorization": "Token benchmark-token", "Accept": "application/json"}
#: What an export that keeps its records (``.all()``) keeps, until the tracked objects are counted.
KEPT: List[Any] = []
#: ``deser`` times batches of passes over the page, and keeps the median batch.
DESER_BATCHES = 11
DESER_PASSES = 8


def memory() -> Dict[str, int]:
    """Current and peak resident memory of this process, in KiB."""
    values = {}
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                name, amount = line.split(":")
                values[name] = int(amount.split()[0])
    return values


def collections() -> int:
    """How many times the cyclic garbage collector ran so far in this process (every generation)."""
    return sum(generation["collections"] for generation in gc.get_stats())


def touch_objects(objects: List[Any], names: List[str]) -> int:
    """Reads every named attribute of every object; returns how many objects."""
    for obj in objects:
        for name in names:
            getattr(obj, name)
    return len(objects)


def touch_dicts(items: List[Dict[str, Any]]) -> int:
    """Reads every key of every dict; returns how many dicts."""
    for item in items:
        for key in item:
            item[key]
    return len(items)


def model_class(kind: str) -> Any:
    from temba_client.v2 import types

    return {"contacts": types.Contact, "messages": types.Message, "runs": types.Run}[kind]


def field_names(cls: Any) -> List[str]:
    return list(cls._get_fields())


def json_backend() -> str:
    """What the installed ``temba_client`` decodes pages with: ``msgspec`` when its typed page
    decoding is on (``temba_client._typed``), else ``temba_client._json.BACKEND`` (empty for
    rapidpro-python)."""
    try:
        from temba_client import _json
    except ImportError:
        return ""
    try:
        from temba_client import _typed

        if _typed.AVAILABLE:
            return "msgspec"
    except ImportError:
        pass
    return str(getattr(_json, "BACKEND", ""))


def floor_requests(root: str, kind: str, keep: bool, limit: int) -> int:
    """The requests + json floor: one session, ``json.loads`` of each page, ``next`` followed."""
    import requests

    session = requests.Session()
    session.headers.update(HEADERS)
    count = 0
    kept = KEPT
    url = "%s/api/v2/%s.json" % (root, kind)
    while url and count < limit:
        page = json.loads(session.get(url).content)
        touch_dicts(page["results"])
        count += len(page["results"])
        if keep:
            kept.extend(page["results"])
        url = page["next"]
    return count


def floor_httpclient(root: str, kind: str, keep: bool, limit: int) -> int:
    """The http.client + orjson floor: one persistent connection, ``orjson.loads`` of each page."""
    import orjson

    parts = urlsplit(root)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)
    count = 0
    kept = KEPT
    path = "%s/api/v2/%s.json" % (parts.path, kind)
    while path and count < limit:
        connection.request("GET", path, headers=HEADERS)
        response = connection.getresponse()
        if response.status != 200:
            raise RuntimeError("the page server answered %d" % response.status)
        page = orjson.loads(response.read())
        touch_dicts(page["results"])
        count += len(page["results"])
        if keep:
            kept.extend(page["results"])
        link = urlsplit(page["next"]) if page["next"] else None
        if link is not None and link.netloc != parts.netloc:
            raise RuntimeError("next leads to another server")
        path = "%s?%s" % (link.path, link.query) if link is not None else ""
    connection.close()
    return count


def client_export(root: str, kind: str, keep: bool, limit: int) -> Callable[[], int]:
    """The installed ``temba_client``: set up outside the timed window, then the export to time."""
    from temba_client.v2 import TembaClient

    client = TembaClient(root, "benchmark-token")
    names = field_names(model_class(kind))
    query = getattr(client, "get_" + kind)()

    def run() -> int:
        if keep:
            kept = query.all()
            touch_objects(kept, names)
            KEPT.extend(kept)  # (outside the loop: one list operation, kept for the count below)
            return len(kept)
        count = 0
        for page_objects in query.iterfetches():
            touch_objects(page_objects, names)
            count += len(page_objects)
            if count >= limit:
                break
        return count

    return run


def export(client_name: str, kind: str, mode: str, root: str, limit: int) -> Dict[str, Any]:
    """Times one export (``.all()`` when ``mode`` is ``all``, else page by page up to ``limit``)."""
    keep = mode == "all"
    if client_name == "client":
        run = client_export(root, kind, keep, limit)
    elif client_name == "floor-requests":
        import requests  # noqa: F401 - imported outside the timed window, as the clients' is

        def run() -> int:
            return floor_requests(root, kind, keep, limit)
    elif client_name == "floor-httpclient":
        import orjson  # noqa: F401 - imported outside the timed window

        def run() -> int:
            return floor_httpclient(root, kind, keep, limit)
    else:
        raise SystemExit("unknown client %r" % client_name)
    tracked_before = len(gc.get_objects())
    collections_before = collections()
    before = memory()
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    count = run()
    wall, cpu = time.perf_counter() - start_wall, time.process_time() - start_cpu
    after = memory()
    collected = collections() - collections_before
    result = {
        "records": count,
        "wall": wall,
        "cpu": cpu,
        "rss_before_kib": before["VmRSS"],
        "rss_peak_kib": after["VmHWM"],
        "rss_growth_kib": after["VmHWM"] - before["VmRSS"],
        "gc_collections": collected,
    }
    if keep and count:
        result["tracked_per_record"] = (len(gc.get_objects()) - tracked_before) / count
    KEPT.clear()
    return result


def bare_ingest(path: str) -> int:
    """The archive ingest floor: ``gzip`` and ``json.loads`` of each line, nothing else."""
    import gzip

    count = 0
    with gzip.open(path, "rb") as stream:
        for line in stream:
            json.loads(line)
            count += 1
    return count


def ingest(client_name: str, mode: str, path: str) -> Dict[str, Any]:
    """Times reading an archive of runs: the bare gzip + json.loads loop (``floor-ingest``), or the
    package's ``iter_records`` (``ingest-dicts``) or ``read_archive`` (``ingest-models``)."""
    if client_name == "floor-ingest":

        def run() -> int:
            return bare_ingest(path)
    else:
        from temba_client.archives import iter_records, read_archive

        def run() -> int:
            if mode == "ingest-dicts":
                return sum(1 for _ in iter_records(path, "run"))
            return sum(1 for _ in read_archive(path, "run"))

    start_wall, start_cpu = time.perf_counter(), time.process_time()
    count = run()
    return {"records": count, "wall": time.perf_counter() - start_wall, "cpu": time.process_time() - start_cpu}


def batch_seconds(step: Callable[[], Any]) -> float:
    """Seconds :data:`DESER_PASSES` calls of ``step`` take."""
    start = time.perf_counter()
    for _ in range(DESER_PASSES):
        step()
    return time.perf_counter() - start


def deserialize(client_name: str, kind: str, page_file: str) -> Dict[str, Any]:
    """Objects per second handling one page, the median of :data:`DESER_BATCHES` batches of
    :data:`DESER_PASSES` passes (after one pass not timed).

    The floors decode the page's bytes (``json.loads``, or ``orjson.loads`` for ``floor-httpclient``).
    The client turns the decoded page into objects and reads their fields (``objects_per_second``),
    and does the same from the bytes with its own decoder, ``temba_client._json.loads`` where there
    is one (``from_bytes_objects_per_second``). Each of its batches alternates with a batch of
    ``json.loads`` of the same bytes in the same process, so that the ratios of time per object over
    ``json.loads``' (``over_json_loads``, ``from_bytes_over_json_loads``: medians of the batches'
    ratios) do not depend on what else the machine is doing between processes.
    """
    with open(page_file, "rb") as handle:
        raw = handle.read()
    objects = len(json.loads(raw)["results"])
    steps: Dict[str, Callable[[], Any]] = {"json_loads": lambda: json.loads(raw)}
    if client_name == "floor-httpclient":
        import orjson

        steps = {"orjson_loads": lambda: orjson.loads(raw)}
    elif client_name == "client":
        cls = model_class(kind)
        names = field_names(cls)
        results = json.loads(raw)["results"]
        try:
            from temba_client import _json

            loads: Callable[[bytes], Any] = _json.loads
        except ImportError:  # rapidpro-python decodes with requests' .json(), that is json.loads
            loads = json.loads
        steps["deser"] = lambda: touch_objects(cls.deserialize_list(results), names)
        steps["from_bytes"] = lambda: touch_objects(cls.deserialize_list(loads(raw)["results"]), names)
    times: Dict[str, List[float]] = {name: [] for name in steps}
    for step in steps.values():
        step()
    gc.collect()
    for _ in range(DESER_BATCHES):
        for name, step in steps.items():
            times[name].append(batch_seconds(step))
    rate = {name: DESER_PASSES * objects / statistics.median(values) for name, values in times.items()}
    if client_name != "client":
        return {"objects_per_second": rate.popitem()[1]}
    loads_times = times["json_loads"]
    return {
        "objects_per_second": rate["deser"],
        "from_bytes_objects_per_second": rate["from_bytes"],
        "json_loads_objects_per_second": rate["json_loads"],
        "over_json_loads": statistics.median(a / b for a, b in zip(times["deser"], loads_times)),
        "from_bytes_over_json_loads": statistics.median(a / b for a, b in zip(times["from_bytes"], loads_times)),
    }


def main() -> None:
    client_name, kind, mode, root = sys.argv[1:5]
    if mode == "deser":
        result = deserialize(client_name, kind, sys.argv[5])
    elif mode.startswith("ingest"):
        result = ingest(client_name, mode, sys.argv[5])
    else:
        result = export(client_name, kind, mode, root, int(sys.argv[5]) if len(sys.argv) > 5 else 10**12)
    result["pid"] = os.getpid()
    result["json_backend"] = json_backend() if client_name in ("client",) else ""
    result["python"] = "%d.%d.%d" % sys.version_info[:3]
    print(json.dumps(result))


if __name__ == "__main__":
    main()

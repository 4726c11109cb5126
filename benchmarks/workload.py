"""One measured run, in a fresh process: ``python workload.py CLIENT KIND MODE ROOT [LIMIT | PAGE_FILE]``.

CLIENT is ``temba`` (this package) or ``rapidpro`` (rapidpro-python; both import as ``temba_client``,
so each runs in its own virtualenv) or ``floor`` (a bare ``requests.Session`` loop with ``json.loads``).
MODE is ``all`` (``.all()``), ``pages`` (``iterfetches()``, page by page) or ``deser`` (turning one
decoded page into objects, repeatedly; the floor times ``json.loads`` of the page's bytes instead).
Every object's fields are read inside the timed window. Prints one JSON line of measurements.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any, Dict, List


def memory() -> Dict[str, int]:
    """Current and peak resident memory of this process, in KiB."""
    values = {}
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                name, amount = line.split(":")
                values[name] = int(amount.split()[0])
    return values


def touch_objects(objects: List[Any], names: List[str]) -> int:
    read = 0
    for obj in objects:
        for name in names:
            getattr(obj, name)
            read += 1
    return read


def touch_dicts(items: List[Dict[str, Any]]) -> int:
    read = 0
    for item in items:
        for key in item:
            item[key]
            read += 1
    return read


def model_class(kind: str) -> Any:
    from temba_client.v2 import types

    return {"contacts": types.Contact, "messages": types.Message, "runs": types.Run}[kind]


def field_names(cls: Any) -> List[str]:
    return list(cls._get_fields())


def export(client_name: str, kind: str, mode: str, root: str, limit: int) -> Dict[str, Any]:
    import requests

    count = 0
    if client_name == "floor":
        session = requests.Session()
        before = memory()
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        url = "%s/api/v2/%s.json" % (root, kind)
        kept: List[Any] = []
        while url and count < limit:
            page = json.loads(session.get(url).content)
            touch_dicts(page["results"])
            count += len(page["results"])
            if mode == "all":
                kept.extend(page["results"])
            url = page["next"]
    else:
        from temba_client.v2 import TembaClient

        client = TembaClient(root, "benchmark-token")
        names = field_names(model_class(kind))
        query = getattr(client, "get_" + kind)()
        before = memory()
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        if mode == "all":
            kept = query.all()
            touch_objects(kept, names)
            count = len(kept)
        else:
            for page_objects in query.iterfetches():
                touch_objects(page_objects, names)
                count += len(page_objects)
                if count >= limit:
                    break
    wall, cpu = time.perf_counter() - start_wall, time.process_time() - start_cpu
    after = memory()
    return {
        "records": count,
        "wall": wall,
        "cpu": cpu,
        "rss_before_kib": before["VmRSS"],
        "rss_peak_kib": after["VmHWM"],
        "rss_growth_kib": after["VmHWM"] - before["VmRSS"],
    }


def deserialize(client_name: str, kind: str, page_file: str) -> Dict[str, Any]:
    with open(page_file, "rb") as handle:
        raw = handle.read()
    repeats = 40
    if client_name == "floor":
        start = time.perf_counter()
        for _ in range(repeats):
            results = json.loads(raw)["results"]
        elapsed = time.perf_counter() - start
    else:
        cls = model_class(kind)
        names = field_names(cls)
        results = json.loads(raw)["results"]
        start = time.perf_counter()
        for _ in range(repeats):
            touch_objects(cls.deserialize_list(results), names)
        elapsed = time.perf_counter() - start
    return {"objects_per_second": repeats * len(results) / elapsed}


def main() -> None:
    client_name, kind, mode, root = sys.argv[1:5]
    if mode == "deser":
        result = deserialize(client_name, kind, sys.argv[5])
    else:
        result = export(client_name, kind, mode, root, int(sys.argv[5]) if len(sys.argv) > 5 else 10**12)
    result["pid"] = os.getpid()
    print(json.dumps(result))


if __name__ == "__main__":
    main()

"""Archive files and listings built from the recorded archive records, served by the stub server."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any, Dict, List, Optional

from ..stub_server import Reply, StubServer

#: copies of the real archive records in ``recorded/archives`` (RapidPro 26.3)
RECORDED = Path(__file__).parent / "data"


def recorded_lines(name: str) -> List[Dict[str, Any]]:
    """The records of one recorded archive file (``runs1``, ``messages2``...)."""
    return [json.loads(line) for line in (RECORDED / (name + ".jsonl")).read_text().splitlines() if line.strip()]


def gzipped(records: List[Dict[str, Any]]) -> bytes:
    return gzip.compress("".join(json.dumps(r) + "\n" for r in records).encode())


def serve_archive(
    stub: StubServer,
    records: List[Dict[str, Any]],
    kind: str,
    start: str,
    period: str = "daily",
    name: Optional[str] = None,
    body: Optional[bytes] = None,
) -> Dict[str, Any]:
    """Puts a gzipped file on the stub's storage path and returns its listing entry."""
    data = gzipped(records)
    path = "/storage/%s" % (name or "%s-%s-%s.jsonl.gz" % (kind, period, start))
    stub.add("GET", path, Reply(body=body if body is not None else data, headers={"Content-Type": "application/gzip"}))
    return {
        "type": kind,
        "archive_type": kind,
        "start_date": start,
        "period": period,
        "record_count": len(records),
        "size": len(data),
        "hash": hashlib.md5(data).hexdigest(),
        "download_url": stub.url + path + "?X-Amz-Signature=abc",
    }


def listing(entries: List[Dict[str, Any]]) -> Dict[str, Any]:
    """An archives page (limit/offset pagination), newest first."""
    ordered = sorted(entries, key=lambda e: e["start_date"], reverse=True)
    return {"count": len(ordered), "next": None, "previous": None, "results": ordered}

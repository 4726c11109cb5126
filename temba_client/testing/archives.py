"""Archives as the real archiver makes them: gzipped JSONL files of message or run records, served at
presigned-style storage URLs on the same server.

``workspace.archive("run", "daily", "2024-01-06")`` moves the runs modified that day (messages:
created that day) out of the API listing into a new archive; ``workspace.rollup("run", "2024-01")``
turns the daily archives of a month into one monthly archive (the dailies are no longer listed).
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import hmac
import json
import secrets
import time
import uuid
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple, Union
from urllib.parse import urlencode

from .store import Obj, format_datetime

if TYPE_CHECKING:
    from .store import Workspace

#: How long a download URL is valid by default, in seconds (as on the real server: 24 hours).
DEFAULT_URL_TTL = 24 * 3600
#: The archived table of each archive type, and the datetime that puts a record in a period.
SOURCES = {"message": ("messages", "created_on"), "run": ("runs", "modified_on")}

_S3_ERROR = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code><Message>%s</Message>'
    "<RequestId>LOCAL</RequestId></Error>"
)
ONE_AUTH_ONLY = (
    "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string "
    "parameter or the Authorization header should be specified"
)


class ArchiveStorage:
    """The archive files and their signed download URLs.

    :param url_ttl: seconds a download URL stays valid (default 24 hours; 0: expired at once)
    """

    def __init__(self, url_ttl: float = DEFAULT_URL_TTL) -> None:
        self.files: Dict[str, bytes] = {}
        self.url_ttl = url_ttl
        #: the server's base URL, set when it starts
        self.base_url = "http://127.0.0.1"
        #: the clock URLs expire by (seconds since the epoch)
        self.clock: Callable[[], float] = time.time
        self._key = secrets.token_bytes(16)

    def download_url(self, archive: Obj) -> str:
        """A fresh presigned URL of an archive's file.

        :param archive: the archive row
        """
        name = "%s.jsonl.gz" % archive["uuid"]
        expires = str(int(self.clock() + self.url_ttl))
        query = urlencode({"AWSAccessKeyId": "LOCAL", "Signature": self._sign(name, expires), "Expires": expires})
        return "%s/storage/archives/%s?%s" % (self.base_url, name, query)

    def _sign(self, name: str, expires: str) -> str:
        return hmac.new(self._key, ("%s\n%s" % (name, expires)).encode(), hashlib.sha256).hexdigest()[:40]

    def fetch(self, name: str, query: Dict[str, List[str]], authorization: Optional[str]) -> Tuple[int, bytes, str]:
        """Answers a GET of ``/storage/archives/<name>`` as S3 does: ``(status, body, content type)``.

        :param name: the file name, ``<archive uuid>.jsonl.gz``
        :param query: the URL's query params
        :param authorization: the request's Authorization header, if any (refused: the URL is its own auth)
        """
        if authorization:
            return _error(400, "InvalidArgument", ONE_AUTH_ONLY)
        expires, signature = (query.get(key, [""])[0] for key in ("Expires", "Signature"))
        if not expires or not signature:
            return _error(403, "AccessDenied", "Query-string authentication requires the Signature and Expires")
        if not hmac.compare_digest(signature, self._sign(name, expires)):
            return _error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match")
        if not expires.isdigit() or self.clock() >= int(expires):
            return _error(403, "AccessDenied", "Request has expired")
        data = self.files.get(name)
        if data is None:
            return _error(404, "NoSuchKey", "The specified key does not exist.")
        return 200, data, "application/octet-stream"


def _error(status: int, code: str, message: str) -> Tuple[int, bytes, str]:
    return status, (_S3_ERROR % (code, message)).encode(), "application/xml"


# ---------------------------------------------------------------------------------------------
# Records in the archiver's format
# ---------------------------------------------------------------------------------------------


def _when(value: Optional[str]) -> Optional[str]:
    """The store's ``...Z`` datetime as the archiver writes it (``+00:00``)."""
    return value[:-1] + "+00:00" if value and value.endswith("Z") else value


def message_record(ws: Workspace, row: Obj) -> Obj:
    """A message as an archive file holds it.

    :param ws: the workspace
    :param row: the stored message
    """
    labels = [ws.ref("labels", u) for u in row["label_uuids"]]
    return {
        "uuid": row["uuid"],
        "id": row["id"],
        "broadcast": row["broadcast"],
        "contact": ws.ref("contacts", row["contact_uuid"]),
        "urn": row["urn"],
        "channel": ws.ref("channels", row["channel_uuid"]),
        "flow": ws.ref("flows", row["flow_uuid"]),
        "ticket_uuid": row.get("ticket_uuid"),
        "direction": row["direction"],
        "type": row["type"],
        "status": row["status"],
        "visibility": row["visibility"],
        "text": row["text"],
        "attachments": [{"url": a["url"], "content_type": a["content_type"]} for a in row["attachments"]],
        "labels": [{"name": label["name"], "uuid": label["uuid"]} for label in labels if label],
        "created_on": _when(row["created_on"]),
        "sent_on": _when(row["sent_on"]),
        "modified_on": _when(row["modified_on"]),
    }


def run_record(ws: Workspace, row: Obj) -> Obj:
    """A run as an archive file holds it (values keep their ``input``; no ``start``).

    :param ws: the workspace
    :param row: the stored run
    """
    values = {
        key: {
            "name": v["name"],
            "node": v["node"],
            "time": _when(v["time"]),
            "input": v.get("input"),
            "value": v["value"],
            "category": v["category"],
        }
        for key, v in row["values"].items()
    }
    return {
        "id": row["id"],
        "uuid": row["uuid"],
        "flow": ws.ref("flows", row["flow_uuid"]),
        "contact": ws.ref("contacts", row["contact_uuid"]),
        "responded": row["responded"],
        "path": [{"node": step["node"], "time": _when(step["time"])} for step in row["path"]],
        "values": values,
        "created_on": _when(row["created_on"]),
        "modified_on": _when(row["modified_on"]),
        "exited_on": _when(row["exited_on"]),
        "exit_type": row["exit_type"],
    }


RECORDS = {"message": message_record, "run": run_record}


# ---------------------------------------------------------------------------------------------
# Archiving
# ---------------------------------------------------------------------------------------------


def _period(period: str, start: Union[str, datetime.date]) -> Tuple[datetime.date, datetime.date]:
    day = start if isinstance(start, datetime.date) else datetime.date.fromisoformat(str(start)[:10])
    if period == "daily":
        return day, day + datetime.timedelta(days=1)
    if period == "monthly":
        first = day.replace(day=1)
        return first, (first + datetime.timedelta(days=32)).replace(day=1)
    raise ValueError("period must be 'daily' or 'monthly', not %r" % (period,))


def _bound(day: datetime.date) -> str:
    return format_datetime(datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc))


def _store(ws: Workspace, kind: str, period: str, start: datetime.date, records: List[Any]) -> Obj:
    """Writes an archive file (none when empty) and lists the archive."""
    for other in ws.rows["archives"]:
        if (other["archive_type"], other["period"], other["start_date"]) == (kind, period, start.isoformat()):
            raise ValueError("there is already a %s %s archive from %s" % (period, kind, start))
    # the same archive of the same workspace always gets the same uuid (the name of its file)
    archive_uuid = str(uuid.uuid5(uuid.UUID(ws.info["uuid"]), "%s/%s/%s" % (kind, period, start.isoformat())))
    size, digest = 0, None
    if records:
        data = "".join(json.dumps(record) + "\n" for record in records).encode()
        packed = gzip.compress(data, mtime=0)
        ws.storage.files["%s.jsonl.gz" % archive_uuid] = packed
        size, digest = len(packed), hashlib.md5(packed).hexdigest()
    return ws.add(
        "archives",
        {
            "uuid": archive_uuid,
            "archive_type": kind,
            "start_date": start.isoformat(),
            "period": period,
            "record_count": len(records),
            "size": size,
            "hash": digest,
            "rolled_up": False,
        },
    )


def archive(ws: Workspace, kind: str, period: str, start_date: Union[str, datetime.date]) -> Obj:
    """Moves the messages or runs of one day or month out of the API into a new archive.

    :param ws: the workspace
    :param kind: ``"message"`` or ``"run"``
    :param period: ``"daily"`` or ``"monthly"`` (then ``start_date`` may be any day of the month)
    :param start_date: the day (a date or ``"YYYY-MM-DD"``)
    :return: the archive row
    """
    if kind not in SOURCES:
        raise ValueError("kind must be 'message' or 'run', not %r" % (kind,))
    start, end = _period(period, start_date)
    table, attr = SOURCES[kind]
    low, high = _bound(start), _bound(end)
    with ws.lock:
        moved = [row for row in ws.rows[table] if low <= (row.get(attr) or "") < high]
        moved.sort(key=lambda row: row["id"])
        result = _store(ws, kind, period, start, [RECORDS[kind](ws, row) for row in moved])
        gone = {id(row) for row in moved}
        ws.rows[table] = [row for row in ws.rows[table] if id(row) not in gone]
        ws.changed()
        return result


def rollup(ws: Workspace, kind: str, month: Union[str, datetime.date]) -> Obj:
    """Turns the daily archives of a month into one monthly archive; the dailies are no longer listed.

    :param ws: the workspace
    :param kind: ``"message"`` or ``"run"``
    :param month: any day of the month (a date, ``"YYYY-MM-DD"`` or ``"YYYY-MM"``)
    :return: the monthly archive row
    """
    text = month.isoformat() if isinstance(month, datetime.date) else str(month)
    start, end = _period("monthly", text if len(text) > 7 else text + "-01")
    with ws.lock:
        dailies = sorted(
            (
                row
                for row in ws.rows["archives"]
                if row["archive_type"] == kind
                and row["period"] == "daily"
                and not row["rolled_up"]
                and start.isoformat() <= row["start_date"] < end.isoformat()
            ),
            key=lambda row: row["start_date"],
        )
        records: List[Any] = []
        for daily in dailies:
            packed = ws.storage.files.get("%s.jsonl.gz" % daily["uuid"])
            if packed:
                records.extend(json.loads(line) for line in gzip.decompress(packed).decode().splitlines())
        monthly = _store(ws, kind, "monthly", start, records)
        for daily in dailies:
            daily["rolled_up"] = True
        ws.changed()
        return monthly

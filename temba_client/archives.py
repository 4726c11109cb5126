"""Archive files: download, check and read the gzipped JSON Lines files the archives endpoint lists.

Older messages and runs are not in the API once archived; they sit in files on object storage
whose presigned ``download_url`` the ``archives`` endpoint gives (valid 24 hours, with the MD5
and size of the gzipped bytes)::

    from temba_client.archives import ArchiveDownloader, read_archive

    downloader = ArchiveDownloader()
    for archive in client.get_archives(type="run"):
        path = downloader.download(archive, "/tmp/archives", relist=client)
        for run in read_archive(path, "run"):     # temba_client.v2.types.Run objects
            ...

The download goes through a session of its own (never the client's: the API token must not reach
the storage host), streams to disk in chunks, and checks size and MD5 before the file is used.
Reading is line by line, so memory stays flat whatever the file's size.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import json
import os
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any, Callable, Dict, Optional, Tuple, Type, Union

import requests

from .exceptions import TembaArchiveError, TembaArchiveExpiredError
from .serialization import TembaObject
from .v2.types import Archive, Message, Run

if TYPE_CHECKING:  # pragma: no cover
    from .v2.client import TembaClient

#: Seconds to wait for the storage host to connect, and for each read.
DOWNLOAD_TIMEOUT: Tuple[float, float] = (10.0, 120.0)
_CHUNK = 1 << 16
#: Archive statuses the archiver stores where the API says ``queued``.
_QUEUED_STATUSES = frozenset({"initializing", "pending"})
_TYPES: Dict[str, Type[TembaObject]] = {"message": Message, "run": Run}


def archive_key(archive: Archive) -> str:
    """A stable name for an archive: ``run-daily-2024-01-05``.

    :param archive: an archive from ``client.get_archives()``
    """
    start = archive.start_date.date().isoformat() if archive.start_date else "unknown"
    return "%s-%s-%s" % (archive_type(archive), archive.period, start)


def archive_type(archive: Archive) -> str:
    """``"message"`` or ``"run"``, from ``type`` or (older servers) ``archive_type``.

    :param archive: an archive from ``client.get_archives()``
    """
    return str(getattr(archive, "type", None) or archive.archive_type)


def archive_end(archive: Archive) -> datetime.datetime:
    """The first moment after the period an archive covers (a day, or a calendar month).

    :param archive: an archive from ``client.get_archives()``
    """
    start = archive.start_date
    if start is None:
        raise TembaArchiveError("An archive without a start_date")
    if archive.period == "monthly":
        year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
        return start.replace(year=year, month=month, day=1)
    return start + datetime.timedelta(days=1)


def relist(client: TembaClient, archive: Archive) -> Optional[Archive]:
    """The same archive listed again (with a fresh ``download_url``), or None if it is no longer
    listed (a daily archive rolled up into a monthly one).

    :param client: the client that listed it
    :param archive: the archive whose URL expired
    """
    day = archive.start_date
    for candidate in client.get_archives(type=archive_type(archive), period=archive.period, after=day, before=day):
        if candidate.start_date == archive.start_date and candidate.period == archive.period:
            return candidate
    return None


class ArchiveDownloader:
    """Downloads archive files through a session that never carries the API token.

    :param session: a :class:`requests.Session` for the storage host (by default one of its own,
        which ignores ``.netrc`` credentials but keeps proxy settings)
    :param timeout: seconds, or a ``(connect, read)`` pair
    """

    def __init__(self, session: Optional[requests.Session] = None, timeout: Any = DOWNLOAD_TIMEOUT) -> None:
        if session is None:
            session = requests.Session()
            session.trust_env = False  # no .netrc Authorization; proxies are added per request below
        self.session = session
        self.timeout = timeout

    def download(
        self,
        archive: Archive,
        directory: str,
        relist: Optional[TembaClient] = None,
        on_bytes: Optional[Callable[[int], None]] = None,
    ) -> str:
        """Downloads an archive's file into ``directory``, checks its size and MD5, and returns its
        path (``<directory>/<archive_key>.jsonl.gz``). A file already there and correct is kept.

        :param archive: an archive from ``client.get_archives()``
        :param directory: where to put the file
        :param relist: a client to list the archive again with, when its URL expired
        :param on_bytes: called with the number of bytes of each chunk received (for progress)
        :raises TembaArchiveError: the file is not the archive's (size or MD5), or cannot be had
        :raises TembaArchiveExpiredError: the URL expired and no ``relist`` client was given
        """
        path = os.path.join(directory, archive_key(archive) + ".jsonl.gz")
        if os.path.exists(path) and _file_matches(path, archive):
            return path
        os.makedirs(directory, exist_ok=True)
        try:
            self._fetch(archive, path, on_bytes)
        except TembaArchiveExpiredError:
            if relist is None:
                raise
            fresh = _relist(relist, archive)
            self._fetch(fresh, path, on_bytes)
        return path

    def _fetch(self, archive: Archive, path: str, on_bytes: Optional[Callable[[int], None]]) -> None:
        url = archive.download_url
        if not url:
            raise TembaArchiveError("Archive %s has no download URL (it holds no records)" % archive_key(archive))
        proxies = requests.utils.get_environ_proxies(url)
        partial = path + ".part"
        digest = hashlib.md5()
        size = 0
        try:
            with self.session.get(url, stream=True, timeout=self.timeout, proxies=proxies) as response:
                if response.status_code in (400, 401, 403):
                    raise TembaArchiveExpiredError(
                        "The storage host refused archive %s (HTTP %d): its URL has expired"
                        % (archive_key(archive), response.status_code)
                    )
                if response.status_code != 200:
                    raise TembaArchiveError(
                        "The storage host answered HTTP %d for archive %s"
                        % (response.status_code, archive_key(archive))
                    )
                with open(partial, "wb") as out:
                    for chunk in response.iter_content(_CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                        if on_bytes is not None:
                            on_bytes(len(chunk))
        except requests.RequestException as ex:
            _remove(partial)
            raise TembaArchiveError("Download of archive %s failed: %s" % (archive_key(archive), type(ex).__name__))
        problem = _mismatch(archive, size, digest.hexdigest())
        if problem:
            _remove(partial)
            raise TembaArchiveError(problem)
        os.replace(partial, path)


def _relist(client: TembaClient, archive: Archive) -> Archive:
    fresh = relist(client, archive)
    if fresh is None:
        raise TembaArchiveError("Archive %s is no longer listed (rolled up into a monthly one?)" % archive_key(archive))
    return fresh


def _mismatch(archive: Archive, size: int, md5: str) -> Optional[str]:
    if archive.size is not None and size != archive.size:
        return "Archive %s: got %d bytes, the server announced %d" % (archive_key(archive), size, archive.size)
    if archive.hash and md5 != archive.hash.lower():
        return "Archive %s: MD5 %s does not match the server's %s" % (archive_key(archive), md5, archive.hash)
    return None


def _file_matches(path: str, archive: Archive) -> bool:
    digest = hashlib.md5()
    size = 0
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(_CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    return _mismatch(archive, size, digest.hexdigest()) is None


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


# ------------------------------------------------------------------------------------------------
# Reading: archive records -> API-shaped dicts -> model objects
# ------------------------------------------------------------------------------------------------


def _api_time(value: Any) -> Any:
    """``2017-08-12T21:11:59.890662+00:00`` -> ``2017-08-12T21:11:59.890662Z`` (the form the models
    parse fastest); anything else is left for the models' lenient parser."""
    if value.__class__ is str and len(value) == 32 and value.endswith("+00:00"):
        return value[:26] + "Z"
    return value


def message_record(record: Dict[str, Any]) -> Dict[str, Any]:
    """Turns an archived message record into the API's message JSON, in place.

    Adds ``archived`` and ``media`` (derived, as the API does) and ``quick_replies`` (not archived:
    an empty list); maps stored statuses ``initializing``/``pending`` to ``queued``; keeps the
    archive-only ``ticket_uuid``.

    :param record: one parsed line of a message archive
    """
    for key in ("created_on", "sent_on", "modified_on"):
        record[key] = _api_time(record.get(key))
    if record.get("status") in _QUEUED_STATUSES:
        record["status"] = "queued"
    record["archived"] = record.get("visibility") == "archived"
    attachments = record.get("attachments") or []
    first = attachments[0] if attachments else None
    record["media"] = "%s:%s" % (first.get("content_type"), first.get("url")) if isinstance(first, dict) else None
    record.setdefault("quick_replies", [])
    return record


def run_record(record: Dict[str, Any]) -> Dict[str, Any]:
    """Turns an archived run record into the API's run JSON, in place.

    Adds ``start`` (not archived: null); the contact has no ``urn``; values keep the archive-only
    ``input``.

    :param record: one parsed line of a run archive
    """
    for key in ("created_on", "modified_on", "exited_on"):
        record[key] = _api_time(record.get(key))
    record.setdefault("start", None)
    for step in record.get("path") or ():
        step["time"] = _api_time(step.get("time"))
    values = record.get("values")
    if isinstance(values, dict):
        for value in values.values():
            if isinstance(value, dict):
                value["time"] = _api_time(value.get("time"))
    return record


_MAPPERS: Dict[str, Callable[[Dict[str, Any]], Dict[str, Any]]] = {"message": message_record, "run": run_record}


def _check_type(kind: str) -> None:
    if kind not in _MAPPERS:
        raise ValueError("Archive type must be 'message' or 'run', not %r" % (kind,))


def _open(source: Union[str, IO[bytes]]) -> IO[bytes]:
    if isinstance(source, (str, os.PathLike)):
        return gzip.open(source, "rb")  # type: ignore[return-value]
    return gzip.GzipFile(fileobj=source, mode="rb")  # type: ignore[return-value]


def iter_records(source: Union[str, IO[bytes]], kind: str, start_line: int = 0) -> Iterator[Tuple[int, Dict[str, Any]]]:
    """Yields ``(line number, API-shaped dict)`` for each record of an archive file, from
    ``start_line`` (0-based) on, reading line by line.

    :param source: the path of a downloaded ``.jsonl.gz`` file, or a binary file object of one
    :param kind: ``"message"`` or ``"run"``
    :param start_line: the number of lines to skip (a checkpoint)
    :raises TembaArchiveError: the file is not gzip, or a line is not a JSON object
    """
    _check_type(kind)
    mapper = _MAPPERS[kind]
    loads = json.loads
    number = -1
    try:
        with _open(source) as stream:
            for number, line in enumerate(stream):
                if number < start_line or not line.strip():
                    continue
                record = loads(line)
                if record.__class__ is not dict:
                    raise TembaArchiveError("Line %d of the archive is not a JSON object" % (number + 1))
                yield number, mapper(record)
    except (OSError, EOFError, ValueError) as ex:  # gzip.BadGzipFile is an OSError; JSONDecodeError a ValueError
        raise TembaArchiveError("Archive file unreadable at line %d: %s" % (number + 2, type(ex).__name__))


def read_archive(source: Union[str, IO[bytes]], kind: str, start_line: int = 0) -> Iterator[TembaObject]:
    """Yields the records of an archive file as the API's objects (:class:`~temba_client.v2.types.Run`
    or :class:`~temba_client.v2.types.Message`), line by line.

    :param source: the path of a downloaded ``.jsonl.gz`` file, or a binary file object of one
    :param kind: ``"message"`` or ``"run"``
    :param start_line: the number of lines to skip (a checkpoint)
    """
    _check_type(kind)
    deserialize = _TYPES[kind].deserialize
    for _, record in iter_records(source, kind, start_line):
        yield deserialize(record)

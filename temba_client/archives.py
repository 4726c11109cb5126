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
import os
from collections.abc import Iterator
from itertools import islice
from typing import IO, TYPE_CHECKING, Any, Callable, Dict, Optional, Tuple, Type, Union

import requests

from . import _typed
from ._json import loads
from .exceptions import TembaArchiveError, TembaArchiveExpiredError
from .serialization import TembaObject, _trim_shared
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


#: What an archive's datetimes end with where the API's end with ``Z`` (the same moments).
_ARCHIVE_UTC = "+00:00"
_MESSAGE_TIMES = ("created_on", "sent_on", "modified_on")
_RUN_TIMES = ("created_on", "modified_on", "exited_on")


def message_record(record: Dict[str, Any]) -> Dict[str, Any]:
    """Turns an archived message record into the API's message JSON, in place.

    Writes datetimes in the API's form (``…+00:00`` becomes ``…Z``, the only difference between the
    two forms); adds ``archived`` and ``media`` (derived, as the API does) and ``quick_replies`` (not
    archived: an empty list); maps stored statuses ``initializing``/``pending`` to ``queued``; keeps
    the archive-only ``ticket_uuid``.

    :param record: one parsed line of a message archive
    """
    get = record.get
    for key in _MESSAGE_TIMES:
        value = get(key)
        record[key] = value[:-6] + "Z" if value.__class__ is str and value.endswith(_ARCHIVE_UTC) else value
    if get("status") in _QUEUED_STATUSES:
        record["status"] = "queued"
    record["archived"] = get("visibility") == "archived"
    attachments = get("attachments")
    first = attachments[0] if attachments and isinstance(attachments, list) else None
    record["media"] = "%s:%s" % (first.get("content_type"), first.get("url")) if isinstance(first, dict) else None
    if "quick_replies" not in record:
        record["quick_replies"] = []
    return record


def run_record(record: Dict[str, Any]) -> Dict[str, Any]:
    """Turns an archived run record into the API's run JSON, in place.

    Writes datetimes in the API's form (``…+00:00`` becomes ``…Z``, the only difference between the
    two forms, in the run's, its steps' and its values' datetimes); adds ``start`` (not archived:
    null); the contact has no ``urn``; values keep the archive-only ``input``.

    :param record: one parsed line of a run archive
    """
    get = record.get
    for key in _RUN_TIMES:
        value = get(key)
        record[key] = value[:-6] + "Z" if value.__class__ is str and value.endswith(_ARCHIVE_UTC) else value
    if "start" not in record:
        record["start"] = None
    path = get("path")
    if path.__class__ is list:
        for step in path:
            if step.__class__ is dict:
                value = step.get("time")
                if value.__class__ is str and value.endswith(_ARCHIVE_UTC):
                    step["time"] = value[:-6] + "Z"
    values = get("values")
    if values.__class__ is dict:
        for result in values.values():
            if result.__class__ is dict:
                value = result.get("time")
                if value.__class__ is str and value.endswith(_ARCHIVE_UTC):
                    result["time"] = value[:-6] + "Z"
    return record


_MAPPERS: Dict[str, Callable[[Dict[str, Any]], Dict[str, Any]]] = {"message": message_record, "run": run_record}


def _check_type(kind: str) -> None:
    if kind not in _MAPPERS:
        raise ValueError("Archive type must be 'message' or 'run', not %r" % (kind,))


def _open(source: Union[str, IO[bytes]]) -> IO[bytes]:
    if isinstance(source, (str, os.PathLike)):
        return gzip.open(source, "rb")  # type: ignore[return-value]
    return gzip.GzipFile(fileobj=source, mode="rb")  # type: ignore[return-value]


def _lines(source: Union[str, IO[bytes]], start_line: int) -> Iterator[Tuple[int, bytes]]:
    """``(line number, line)`` for each line of an archive file that is not blank, from
    ``start_line`` (0-based) on."""
    number = start_line - 1
    try:
        with _open(source) as stream:
            for number, line in enumerate(islice(stream, start_line, None), start_line):
                if not line.isspace():
                    _trim_shared()  # (the records' objects are made one by one: no page to trim at)
                    yield number, line
    except (OSError, EOFError, ValueError) as ex:  # gzip.BadGzipFile is an OSError
        raise TembaArchiveError("Archive file unreadable at line %d: %s" % (number + 2, type(ex).__name__))


def _parse(line: bytes, number: int) -> Dict[str, Any]:
    """The JSON object of a line."""
    try:
        record = loads(line)
    except ValueError as ex:  # JSONDecodeError, orjson's too
        raise TembaArchiveError("Archive file unreadable at line %d: %s" % (number + 1, type(ex).__name__))
    if record.__class__ is not dict:
        raise TembaArchiveError("Line %d of the archive is not a JSON object" % (number + 1))
    return record


def iter_records(source: Union[str, IO[bytes]], kind: str, start_line: int = 0) -> Iterator[Tuple[int, Dict[str, Any]]]:
    """Yields ``(line number, API-shaped dict)`` for each record of an archive file, from
    ``start_line`` (0-based) on, reading line by line.

    Lines are decoded by :func:`temba_client._json.loads` (orjson with the ``fast`` extra), then
    written in the API's form (:func:`run_record`, :func:`message_record`).

    :param source: the path of a downloaded ``.jsonl.gz`` file, or a binary file object of one
    :param kind: ``"message"`` or ``"run"``
    :param start_line: the number of lines to skip (a checkpoint)
    :raises TembaArchiveError: the file is not gzip, or a line is not a JSON object
    """
    _check_type(kind)
    mapper = _MAPPERS[kind]
    for number, line in _lines(source, start_line):
        yield number, mapper(_parse(line, number))


def read_archive(source: Union[str, IO[bytes]], kind: str, start_line: int = 0) -> Iterator[TembaObject]:
    """Yields the records of an archive file as the API's objects (:class:`~temba_client.v2.types.Run`
    or :class:`~temba_client.v2.types.Message`), line by line.

    With the ``fast`` extra, msgspec decodes each line straight into the object (see
    :mod:`temba_client._typed`), the same object ``Model.deserialize`` makes of the line's
    :func:`iter_records` dict; a line it would not decode exactly so goes that way.

    :param source: the path of a downloaded ``.jsonl.gz`` file, or a binary file object of one
    :param kind: ``"message"`` or ``"run"``
    :param start_line: the number of lines to skip (a checkpoint)
    :raises TembaArchiveError: the file is not gzip, or a line is not a JSON object
    """
    _check_type(kind)
    mapper, deserialize = _MAPPERS[kind], _TYPES[kind].deserialize
    typed = _typed_reader(kind)
    for number, line in _lines(source, start_line):
        obj = typed(line) if typed is not None else None
        yield obj if obj is not None else deserialize(mapper(_parse(line, number)))


def _typed_reader(kind: str) -> Optional[Callable[[bytes], Optional[TembaObject]]]:
    """The function that decodes a line of an archive of ``kind`` straight into its object as
    :func:`read_archive` gives it, or None (msgspec is not installed); the function returns None
    for a line to read the ordinary way."""
    if kind == "run":
        # a run record is the API's run but for its datetimes' form (the same moments), the absent
        # start (None either way) and the values' input (declared by the model)
        return _typed.record_decoder(Run)
    decode = _typed.record_decoder(Message, ("ticket_uuid",))
    if decode is None:
        return None

    def read_message(line: bytes) -> Optional[TembaObject]:
        if b'"quick_replies"' in line or b'"ticket_uuid"' not in line:
            return None  # (not the archiver's shape: the ordinary way says what it becomes)
        message: Any = decode(line)
        if message is None:
            return None
        # what message_record adds to the record, on the object
        if message.status in _QUEUED_STATUSES:
            message.status = "queued"
        message.archived = message.visibility == "archived"
        first = message.attachments[0] if message.attachments else None
        message.media = "%s:%s" % (first.content_type, first.url) if first is not None else None
        message.quick_replies = []
        message._extra = {"ticket_uuid": message.ticket_uuid}
        return message

    return read_message

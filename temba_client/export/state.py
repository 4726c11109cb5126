"""The state of an export or a sync, and the one commit protocol that moves it on.

Invariant (owned by :func:`commit` and :meth:`StateFile.publish`; nothing else writes a state):
**the state on disk never records a byte, a watermark, a tie id, a cursor or an archive line that
is not durable in the output; a stream's progress becomes visible to a state save only in the step
that made its bytes durable.**

How it holds:

- each stream works on a private working copy of its section (:meth:`StateFile.section`), which
  no other thread sees;
- :func:`commit` is the only way to publish it: (a) the stream's sink makes its pending bytes
  durable (written, flushed, fsynced) and returns the committed size and a digest of the last
  committed bytes; (b) a deep copy of the working state, with that size and digest, becomes the
  stream's published section; (c) the whole published state is written through a temporary file
  unique to this process, fsynced, renamed over the state file, and the directory fsynced. A save
  by another stream's thread writes only published sections, so it never carries this stream's
  uncommitted progress;
- the messages spool (a separate file) follows the same rule: its bytes are fsynced before the
  working state counts them;
- a resume trusts a section only after :func:`verify_output` proved the file on disk is the one
  committed (at least ``size`` bytes, and the digest of the bytes before ``size`` matches); a
  longer file is the uncommitted tail of a killed run and is cut back (downward only: a shorter
  file is never padded). A missing, shorter or altered file, or a state of another workspace or
  server, is refused with one line naming the stream and the way out (``--restart STREAM``).

The digest is SHA-256 of the last :data:`TAIL` bytes before ``size`` (fewer for a small file): it
is computed from bytes already in memory at each commit and read back once, :data:`TAIL` bytes at
most, on resume, so verifying costs the same for a 10 GB file as for a small one (a running CRC of
every byte would catch an edit in the middle of a file too, but would make each resume read the
whole file). Swapped, replaced, cut or regrown files all change the bytes before ``size``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import threading
from collections.abc import Collection, Iterable
from typing import Any, Callable, Dict, List, Optional, Protocol, Tuple

from ..exceptions import TembaStateError

STATE_VERSION = 2
#: How many bytes before the committed size the digest covers.
TAIL = 64 * 1024

# Every publish of this process goes through this lock: a second signal takes it before exiting
# at once (see exit_now), so no state write is under way when the process ends.
_PUBLISH_LOCK = threading.RLock()


class Sink(Protocol):
    """Where a stream's pages go (a file writer, or a handler)."""

    def make_durable(self) -> Tuple[int, Optional[str]]:
        """Makes the pending page durable; returns the committed size and the digest of its tail."""

    def published(self) -> None:
        """Called once the state records the size: a pending cut of the file may happen now."""


def commit(sink: Sink, working: Dict[str, Any], publish: Callable[[Dict[str, Any]], None]) -> None:
    """The only way a stream's progress reaches its state (see the module's invariant).

    :param sink: the stream's output, whose pending bytes are made durable first
    :param working: the stream's private working state (it gets the committed size and digest)
    :param publish: takes a deep copy of the working state as the stream's published section
    """
    size, digest = sink.make_durable()  # (a) the bytes are durable before anything records them
    working["committed"], working["digest"] = size, digest
    publish(copy.deepcopy(working))  # (b) + (c)
    sink.published()


def append_durably(path: str, data: bytes, fresh: bool = False) -> None:
    """Appends ``data`` to a file and syncs it; an error names the file (a full disk...).

    :param path: the file
    :param data: the bytes
    :param fresh: write a new file (replacing any) rather than append
    """
    try:
        with open(path, "wb" if fresh else "ab") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except OSError as ex:
        if ex.filename is None:
            raise OSError(ex.errno, ex.strerror, path) from ex
        raise


def digest_of(tail: bytes) -> str:
    """The digest the state keeps of the bytes before a committed size.

    :param tail: the last :data:`TAIL` (or fewer) bytes
    """
    return hashlib.sha256(tail[-TAIL:]).hexdigest()


def read_tail(path: str, size: int) -> bytes:
    """The :data:`TAIL` bytes before ``size`` in a file (fewer if the file is shorter).

    :param path: the file
    :param size: where the tail ends
    """
    start = max(0, size - TAIL)
    with open(path, "rb") as stream:
        stream.seek(start)
        return stream.read(size - start)


def verify_output(name: str, path: str, section: Optional[Dict[str, Any]]) -> None:
    """Refuses to resume a stream whose output is not the one its state committed.

    :param name: the stream (named in the message, with the way out)
    :param path: its output file
    :param section: its published state (None: the state does not know the stream)
    :raises TembaStateError: the file is missing, shorter or altered, or unknown to the state
    """
    exists = os.path.isfile(path)  # (a directory in its place fails when the stream opens it)
    shown = os.path.basename(path)
    way_out = "to export %s again from the start, add --restart %s (restart=[%r] in Python)" % (name, name, name)
    if section is None or not section.get("committed"):
        if section is None and exists and os.path.getsize(path) > 0:
            raise TembaStateError("%s: %s exists but the state has no record of it; %s" % (name, path, way_out))
        return
    size, digest = int(section["committed"]), section.get("digest")
    if not exists:
        raise TembaStateError("%s: %s is missing (the state records %d bytes of it); %s" % (name, path, size, way_out))
    actual = os.path.getsize(path)
    if actual < size:
        raise TembaStateError(
            "%s: %s is shorter than the state records (%d < %d bytes): it was cut or replaced; %s"
            % (name, shown, actual, size, way_out)
        )
    if digest is not None and digest_of(read_tail(path, size)) != digest:
        raise TembaStateError(
            "%s: %s is not the file the state recorded (its bytes before %d differ): it was altered or "
            "replaced; %s" % (name, shown, size, way_out)
        )


def exit_now(code: int) -> None:  # pragma: no cover - ends the process (tested as a real process)
    """Ends the process at once with ``code``, after any state write under way (a second signal).

    :param code: the exit status
    """
    _PUBLISH_LOCK.acquire(timeout=10)
    os._exit(code)


class StateFile:
    """A JSON state on disk: the export's options and identity, and one section per stream.

    :param path: the file (created by :meth:`begin`); None keeps the state in memory only
    :param options: what the export was asked (types, dates, flow...): a state made with other
        options is refused unless every stream it holds is restarted
    :param identity: the server URL and workspace UUID (``{"url": ..., "workspace": ...}``): a state
        of another workspace or server is refused unless every stream it holds is restarted
    :param restart: streams whose section is discarded (their files are the caller's)
    :raises TembaStateError: the state is damaged, of another version, export or workspace
    """

    def __init__(
        self,
        path: Optional[str],
        options: Optional[Dict[str, Any]] = None,
        identity: Optional[Dict[str, Any]] = None,
        restart: Collection[str] = (),
    ) -> None:
        self.path = path
        self.restart = set(restart)
        self.data: Dict[str, Any] = {"version": STATE_VERSION, "options": options or {}, "streams": {}}
        if identity is not None:
            self.data["identity"] = identity
        if path and os.path.exists(path):
            loaded = self._load(path)
            if loaded is not None:
                self._check(path, loaded, options, identity)
                self.data = loaded
                self.data["streams"] = {k: v for k, v in loaded["streams"].items() if k not in self.restart}
                if not self.data["streams"]:  # every stream restarted: the new options and identity
                    self.data.update(options=options or {}, identity=identity)

    def _everything_restarted(self, loaded: Dict[str, Any]) -> bool:
        return set(loaded["streams"]) <= self.restart

    def _load(self, path: str) -> Optional[Dict[str, Any]]:
        """The state on disk, or None when it is damaged and every stream asked is restarted."""
        problem = None
        try:
            with open(path, encoding="utf-8") as stream:
                data = json.load(stream)
        except (ValueError, UnicodeDecodeError):
            data, problem = None, "is not valid JSON"
        if problem is None and (not isinstance(data, dict) or data.get("version") != STATE_VERSION):
            problem = "is not a state of this version (%d)" % STATE_VERSION
        streams = data.get("streams") if isinstance(data, dict) else None
        if problem is None and (
            not isinstance(streams, dict) or not all(isinstance(section, dict) for section in streams.values())
        ):
            problem = "has streams of the wrong shape"
        if problem is None:
            return data
        if self.restart:
            return None
        raise TembaStateError(
            "state %s %s: to start over, add --restart for each stream it holds (e.g. --restart runs)" % (path, problem)
        )

    def _check(
        self, path: str, loaded: Dict[str, Any], options: Optional[Dict[str, Any]], identity: Optional[Dict[str, Any]]
    ) -> None:
        if self._everything_restarted(loaded):
            return
        held = ", ".join(sorted(loaded["streams"]))
        restart_all = " ".join("--restart %s" % name for name in sorted(loaded["streams"]))
        known = loaded.get("identity")
        if identity is not None and known is not None and known != identity:
            raise TembaStateError(
                "state %s belongs to workspace %s at %s, not to workspace %s at %s: use another output "
                "directory, or start every stream it holds (%s) over with %s"
                % (path, known.get("workspace"), known.get("url"), identity.get("workspace"), identity.get("url"),
                   held, restart_all)
            )  # fmt: skip
        if options is not None and loaded.get("options") != options:
            before = loaded.get("options") or {}
            differ = ", ".join(
                "%s %s (now %s)" % (key, _shown(before.get(key)), _shown(options.get(key)))
                for key in sorted(set(before) | set(options))
                if before.get(key) != options.get(key)
            )
            raise TembaStateError(
                "state %s belongs to an export with other options: %s; run the same options again (rapidpro "
                "sync reuses them), use another output directory, or start every stream it holds (%s) over "
                "with %s" % (path, differ, held, restart_all)
            )

    def section(self, name: str) -> Dict[str, Any]:
        """A private working copy of one stream's published state (empty the first time).

        :param name: the stream's name, e.g. ``"runs"``
        """
        with _PUBLISH_LOCK:
            return copy.deepcopy(self.data["streams"].get(name) or {})

    def published(self, name: str) -> Optional[Dict[str, Any]]:
        """The published section of a stream (None if the state does not know it).

        :param name: the stream's name
        """
        section: Optional[Dict[str, Any]] = self.data["streams"].get(name)
        return section

    def begin(self, names: Iterable[str]) -> None:
        """Records the streams of this run that the state does not know yet, and writes the state:
        a stream's section exists on disk before its output file is created.

        :param names: the streams of this run
        """
        with _PUBLISH_LOCK:
            for name in names:
                self.data["streams"].setdefault(name, {})
            self._write()
            self._remove_stale_temporaries()

    def publish(self, name: str, section: Dict[str, Any]) -> None:
        """Makes ``section`` the stream's published state and writes the whole state (called by
        :func:`commit` only).

        :param name: the stream's name
        :param section: a copy of its working state, whose bytes are durable
        """
        with _PUBLISH_LOCK:
            self.data["streams"][name] = section
            self._write()

    def _write(self) -> None:
        if not self.path:
            return
        text = json.dumps(self.data, sort_keys=True, default=str)
        partial = "%s.%d.tmp" % (self.path, os.getpid())
        try:
            append_durably(partial, text.encode("utf-8"), fresh=True)
            os.replace(partial, self.path)
        except BaseException:
            _remove(partial)
            raise
        sync_directory(os.path.dirname(os.path.abspath(self.path)))

    def _remove_stale_temporaries(self) -> None:
        """Removes the temporary files of runs killed mid-write (no other run holds the lock)."""
        if not self.path:
            return
        directory, base = os.path.split(os.path.abspath(self.path))
        for entry in os.listdir(directory):
            if entry.startswith(base + ".") and entry.endswith(".tmp"):
                try:
                    os.remove(os.path.join(directory, entry))
                except OSError:  # pragma: no cover
                    pass


def sync_directory(directory: str) -> None:
    """Makes a rename in ``directory`` durable (nothing where the OS cannot: Windows).

    :param directory: the directory
    """
    if os.name == "nt":  # pragma: no cover
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - a file system without directory fsync
        pass
    finally:
        os.close(fd)


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


def _shown(value: Any) -> str:
    return "none" if value is None else json.dumps(value)


def differing_options(stored: Dict[str, Any], given: Dict[str, Any]) -> List[str]:
    """The options given that contradict the stored ones, as ``"name stored (given)"`` texts.

    :param stored: the state's options
    :param given: the options given (None values: not given)
    """
    return [
        "%s %s (given %s)" % (key, _shown(stored.get(key)), _shown(value))
        for key, value in sorted(given.items())
        if value is not None and stored.get(key) != value
    ]

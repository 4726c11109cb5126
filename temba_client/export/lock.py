"""One run at a time per output directory (or per sync state file).

Invariant: while a run holds a :class:`RunLock`, no other run (in this process or another) writes
to the same directory or state file. The lock is an OS lock (``fcntl.flock`` on POSIX,
``msvcrt.locking`` on Windows) on a small file that also holds the holder's pid for the message:
the OS releases it when the process ends, however it ends, so a ``kill -9`` never leaves a stale
lock behind (the file itself stays; only the OS lock counts).
"""

from __future__ import annotations

import os
import threading
from typing import Any, Optional, Set

from ..exceptions import TembaLockedError

try:  # POSIX
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

except ImportError:  # pragma: no cover - Windows
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True


#: The lock file of an output directory.
LOCK_FILE = ".rapidpro-lock"
#: Where the pid starts in the lock file (Windows locks byte 0, which then cannot be read).
_PID_OFFSET = 1

# flock locks belong to an open file, so a second open of the same file in this process would be
# granted the lock too: the paths this process holds are refused here first.
_held: Set[str] = set()
_held_lock = threading.Lock()


class RunLock:
    """Holds the lock of ``path`` from :meth:`acquire` (or ``with``) to :meth:`release`.

    :param path: the lock file (``DIR/.rapidpro-lock``, or ``<state file>.lock``)
    :param shown: what the message names (the directory or the state file)
    """

    def __init__(self, path: str, shown: Optional[str] = None) -> None:
        self.path = os.path.abspath(path)
        self.shown = shown or path
        self._fd: Optional[int] = None

    def acquire(self) -> RunLock:
        """Takes the lock, or raises at once.

        :raises TembaLockedError: another run holds it (the message names its pid)
        :raises OSError: the lock file cannot be created (a read-only directory...)
        """
        with _held_lock:
            if self.path in _held:
                raise TembaLockedError(self.shown, os.getpid())
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            if not _try_lock(fd):
                pid = _read_pid(fd)
                os.close(fd)
                raise TembaLockedError(self.shown, pid)
            _held.add(self.path)
        self._fd = fd
        text = b"\n" + str(os.getpid()).encode() + b"\n"
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, text)
        os.ftruncate(fd, len(text))
        return self

    def release(self) -> None:
        """Lets the next run in (closing the file releases the OS lock)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with _held_lock:
            _held.discard(self.path)
        os.close(fd)

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc_info: Any) -> None:
        self.release()


def _read_pid(fd: int) -> Optional[int]:
    try:
        os.lseek(fd, _PID_OFFSET, os.SEEK_SET)
        text = os.read(fd, 32).decode("ascii", "replace").strip()
    except OSError:  # pragma: no cover - Windows: the locked byte range
        return None
    return int(text) if text.isdigit() else None

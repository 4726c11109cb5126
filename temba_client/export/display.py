"""What the ``rapidpro`` command shows while it runs and when it ends: the only display code of the
command (a progress bar can replace :class:`ProgressDisplay` without touching the rest).

The command gives a display to the export as its ``progress(stream, counts)`` callback, calls
:meth:`ProgressDisplay.finish` when the export ends, and prints :func:`summary`'s lines.
"""

from __future__ import annotations

import threading
import time
from typing import Dict, List, Optional, TextIO

from .runner import StreamResult

_REDRAW_SECONDS = 0.5
_PLAIN_SECONDS = 30.0
#: What a stopped stream's line says.
CONTINUE = "run the same command again to continue"


class ProgressDisplay:
    """Counts records, pages and bytes per stream, and shows them (in place on a terminal).

    :param stream: where to write
    :param interactive: redraw one line (a terminal) or print a line now and then
    """

    def __init__(self, stream: TextIO, interactive: bool) -> None:
        self.stream = stream
        self.interactive = interactive
        self.counts: Dict[str, Dict[str, int]] = {}
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._shown = 0.0

    def __call__(self, name: str, counts: Dict[str, int]) -> None:
        with self._lock:
            mine = self.counts.setdefault(name, {"records": 0, "pages": 0, "bytes": 0})
            for key, value in counts.items():
                mine[key] = mine.get(key, 0) + value
            moment = time.monotonic()
            if moment - self._shown >= (_REDRAW_SECONDS if self.interactive else _PLAIN_SECONDS):
                self._shown = moment
                self._show(moment)

    def line(self, moment: Optional[float] = None) -> str:
        """The current counts as one line.

        :param moment: the monotonic time to compute rates at
        """
        elapsed = max(1e-6, (moment or time.monotonic()) - self._started)
        parts = []
        for name, c in sorted(self.counts.items()):
            part = "%s %d rec, %d pages, %.1f MB, %.0f rec/s" % (
                name,
                c["records"],
                c["pages"],
                c["bytes"] / 1e6,
                c["records"] / elapsed,
            )
            if c.get("total"):
                rate = c["records"] / elapsed
                left = (c["total"] - c["records"]) / rate if rate else 0
                part += ", ~%dm left" % (left // 60)
            parts.append(part)
        return " | ".join(parts)

    def _show(self, moment: float) -> None:
        if self.interactive:
            self.stream.write("\r\x1b[K" + self.line(moment)[:200])
        else:
            self.stream.write(self.line(moment) + "\n")
        self.stream.flush()

    def finish(self) -> None:
        """Ends the in-place line."""
        if self.interactive:
            self.stream.write("\n")
            self.stream.flush()


def explained(error: BaseException) -> str:
    """One line for an error: its message (rapidpro-python's words) and, when the client knows more,
    what went wrong underneath (e.g. ``Unable to connect to host: could not connect: ...``).

    :param error: the exception
    """
    text = " ".join(str(error).split())
    detail = getattr(error, "detail", None)
    if detail and str(detail) not in text:
        text = "%s: %s" % (text, " ".join(str(detail).split())) if text else " ".join(str(detail).split())
    return text


def summary(results: Dict[str, StreamResult], display: ProgressDisplay) -> List[str]:
    """One line per stream: records written, pages, and how it ended.

    :param results: every stream's result
    :param display: the counts shown while running
    """
    lines = []
    for name, result in results.items():
        if result.error is not None:
            error = explained(result.error)
            status = "FAILED: %s (%s); %s" % (error, type(result.error).__name__, CONTINUE)
        elif result.complete:
            status = "complete"
        else:
            status = "stopped; " + CONTINUE
        pages = display.counts.get(name, {}).get("pages", 0)
        lines.append("%-16s %9d records written, %6d pages  %s" % (name, result.written, pages, status))
    return lines

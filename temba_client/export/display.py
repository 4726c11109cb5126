"""What the ``rapidpro`` command shows while it runs and when it ends.

While it runs: the progress of each stream, by :mod:`temba_client.progress` (a tqdm bar per stream
on a terminal when tqdm is installed, else a plain line every few seconds), through a
:class:`PageCounter` that also counts each stream's pages for the summary. When it ends: one line
per stream (:func:`summary`).
"""

from __future__ import annotations

import threading
from typing import Dict, List, Optional

from ..progress import Task, Tracker
from .runner import StreamResult

#: What a stopped stream's line says.
CONTINUE = "run the same command again to continue"


class PageCounter(Tracker):
    """A tracker that shows through another one and counts each task's pages.

    :param shown: the tracker that shows the progress
    """

    def __init__(self, shown: Tracker) -> None:
        self.shown = shown
        #: pages fetched, by stream
        self.pages: Dict[str, int] = {}
        self._lock = threading.Lock()

    @property
    def shows(self) -> bool:  # type: ignore[override]
        """Whether the tracker it shows through shows anything."""
        return self.shown.shows

    def task(self, name: str, total: Optional[int] = None, unit: str = "records") -> Task:
        """Starts showing a stream, counting its pages.

        :param name: the stream
        :param total: the records expected, if known
        :param unit: what the main count counts
        """
        with self._lock:
            self.pages.setdefault(name, 0)
        return _CountedTask(self, name, self.shown.task(name, total, unit))

    def close(self) -> None:
        """Ends the display."""
        self.shown.close()


class _CountedTask(Task):
    def __init__(self, counter: PageCounter, name: str, shown: Task) -> None:
        self._counter = counter
        self._name = name
        self._shown = shown

    def advance(self, records: int = 0, pages: int = 0, nbytes: int = 0) -> None:
        if pages:
            with self._counter._lock:
                self._counter.pages[self._name] += pages
        self._shown.advance(records, pages, nbytes)

    def expect(self, total: int) -> None:
        self._shown.expect(total)

    def close(self) -> None:
        self._shown.close()


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


def summary(results: Dict[str, StreamResult], counter: PageCounter) -> List[str]:
    """One line per stream: records written, pages, and how it ended.

    :param results: every stream's result
    :param counter: the pages counted while running
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
        pages = counter.pages.get(name, 0)
        lines.append("%-16s %9d records written, %6d pages  %s" % (name, result.written, pages, status))
    return lines

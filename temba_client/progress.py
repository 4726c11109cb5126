"""Progress of long reads, shown where people look: a bar in a notebook or a terminal (tqdm's, when
the ``progress`` extra is installed), a plain line every few seconds anywhere else (a log file, a
cron mail, a CI job).

Every long operation takes a ``progress`` argument::

    runs = client.get_runs(flow=flow).all(progress=True)
    frame = client.get_contacts().to_dataframe(progress=True)
    run_export(client, ["runs", "messages"], "out/", progress=True)

Its value is one of:

- ``None`` or ``False``: nothing is shown (the default of every library call);
- ``True``: chosen for where the output goes: tqdm's widget in a Jupyter notebook, tqdm's bar on a
  terminal, and a plain line on standard error every few seconds otherwise (or when tqdm is not
  installed);
- ``"plain"``: plain lines on standard error every few seconds, even on a terminal;
- a class with tqdm's interface (``tqdm.tqdm``, ``tqdm.notebook.tqdm``, ``tqdm.rich.tqdm``, a
  subclass of your own): one bar per task, made with tqdm's keyword arguments (``desc``,
  ``total``, ``unit``...);
- a :class:`Tracker` (e.g. :class:`PlainLines` with options of your own), used as given and left
  open for the caller to close;
- any other callable: called as ``progress(task, counts)`` after each page, ``task`` naming what
  is read (``"runs"``) and ``counts`` what was done since the previous call (``records``,
  ``pages``, ``bytes``) or, once known, what is expected (``total``: records).

This module never imports tqdm until a bar is asked for, and needs nothing else.
"""

from __future__ import annotations

import importlib
import sys
import threading
import time
import warnings
from typing import IO, Any, Callable, Dict, List, Optional, Union

#: Seconds between two plain lines.
PLAIN_INTERVAL = 5.0
#: Seconds before a bar appears: a short query shows none.
BAR_DELAY = 1.0


class Task:
    """The progress of one task (a query, an export's stream, an archive download): counts what
    was done and shows it. Made by :meth:`Tracker.task`; does nothing when progress is off."""

    def advance(self, records: int = 0, pages: int = 0, nbytes: int = 0) -> None:
        """Counts work done since the previous call.

        :param records: records read or written
        :param pages: pages (requests) fetched
        :param nbytes: bytes received or written
        """

    def expect(self, total: int) -> None:
        """Sets the number of records the task is expected to reach (when the server tells).

        :param total: the expected number of records
        """

    def close(self) -> None:
        """Ends the task's display (its bar stays, with the final counts)."""


class Tracker:
    """The display of one operation's tasks (a bar each, or one plain line for all).

    Use :func:`tracker` to make one from a ``progress`` argument.
    """

    #: Whether anything is shown (False for :data:`SILENT`): what is only ever shown, such as a
    #: total that takes a request, is worth fetching only then.
    shows = True

    def task(self, name: str, total: Optional[int] = None, unit: str = "records") -> Task:
        """Starts showing a task.

        :param name: what is read, e.g. ``"runs"`` (no personal data)
        :param total: the records expected, if known
        :param unit: what the main count counts (``"records"`` or ``"bytes"``)
        """
        return _SILENT_TASK

    def close(self) -> None:
        """Ends every task's display."""

    def __enter__(self) -> Tracker:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


#: What a ``progress`` argument may be (see the module's notes; a :class:`Tracker` is used as given).
ProgressOption = Union[None, bool, str, Tracker, Callable[..., Any]]

_SILENT_TASK = Task()


class _Silent(Tracker):
    shows = False


#: The tracker of ``progress=None``: shows nothing, costs a method call per page.
SILENT: Tracker = _Silent()


def tracker(progress: ProgressOption, stream: Optional[IO[str]] = None, *, delay: float = BAR_DELAY) -> Tracker:
    """The tracker a ``progress`` argument asks for (see the module's notes).

    :param progress: None, a bool, ``"plain"``, a tqdm-like class, a tracker or a callable
    :param stream: where plain lines and bars go (default: standard error)
    :param delay: seconds before a bar appears (a short read shows none)
    :raises TypeError: for any other value
    :raises ValueError: for another string
    """
    if isinstance(progress, Tracker):
        return progress
    if progress is None or progress is False:
        return SILENT
    if progress is True:
        return _automatic(stream, delay)
    if isinstance(progress, str):
        if progress == "plain":
            return PlainLines(stream)
        raise ValueError("progress must be True, False, None, 'plain', a tqdm class or a function, not %r" % progress)
    if isinstance(progress, type):
        return Bars(progress, stream, delay)
    if callable(progress):
        return Callback(progress)
    raise TypeError("progress must be True, False, None, 'plain', a tqdm class or a function, not %r" % (progress,))


def _automatic(stream: Optional[IO[str]], delay: float) -> Tracker:
    """A notebook's widget, a terminal's bar, or plain lines, for where the output goes."""
    notebook = _in_notebook()
    if notebook or _is_terminal(stream if stream is not None else sys.stderr):
        bar = _tqdm_class(notebook)
        if bar is not None:
            return Bars(bar, stream, delay)
    return PlainLines(stream)


def _in_notebook() -> bool:
    """Whether this runs in a Jupyter kernel (notebook, lab, VS Code, Colab), not a console."""
    shell = sys.modules.get("IPython")
    if shell is None or "ipykernel" not in sys.modules:
        return False
    try:
        name = type(shell.get_ipython()).__name__
    except Exception:  # an IPython without get_ipython(): not a kernel
        return False
    return name == "ZMQInteractiveShell"


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # a closed or exotic stream
        return False


def _tqdm_class(notebook: bool) -> Optional[type]:
    """tqdm's notebook class in a notebook (when ipywidgets is installed), its terminal class
    otherwise; None when tqdm is not installed."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tqdm warns when ipywidgets is missing: text bars then
            module = importlib.import_module("tqdm.autonotebook" if notebook else "tqdm")
    except ImportError:
        return None
    bar: type = module.tqdm
    return bar


def _size(nbytes: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if nbytes < 1000 or unit == "GB":
            return ("%.0f %s" if unit == "B" else "%.1f %s") % (nbytes, unit)
        nbytes /= 1000.0
    raise AssertionError("unreachable")  # pragma: no cover


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return "%ds" % seconds
    if seconds < 3600:
        return "%dm%02ds" % divmod(seconds, 60)
    hours, rest = divmod(seconds, 3600)
    return "%dh%02dm" % (hours, rest // 60)


class _Counts:
    """What one task has done: records, pages, bytes, and the records expected."""

    __slots__ = ("bytes", "closed", "name", "pages", "records", "started", "total", "unit")

    def __init__(self, name: str, total: Optional[int], unit: str, started: float) -> None:
        self.name = name
        self.total = total
        self.unit = unit
        self.records = 0
        self.pages = 0
        self.bytes = 0
        self.started = started
        self.closed = False

    def add(self, records: int, pages: int, nbytes: int) -> None:
        self.records += records
        self.pages += pages
        self.bytes += nbytes

    def describe(self, now: float) -> str:
        """e.g. ``runs: 12,500 records, 50 pages, 3.1 MB, 2,480/s, 31% of ~40,000, ~11s left``."""
        done = self.bytes if self.unit == "bytes" else self.records
        elapsed = max(now - self.started, 1e-9)
        rate = done / elapsed
        if self.unit == "bytes":
            parts = [_size(self.bytes), "%s/s" % _size(rate)]
        else:
            parts = [f"{self.records:,} records"]
            if self.pages:
                parts.append(f"{self.pages:,} pages")
            if self.bytes:
                parts.append(_size(self.bytes))
            parts.append(f"{rate:,.0f}/s")
        if self.total:
            expected = _size(self.total) if self.unit == "bytes" else f"{self.total:,}"
            parts.append(f"{min(done / self.total, 1.0):.0%} of ~{expected}")
            if rate > 0 and done < self.total and not self.closed:
                parts.append("~%s left" % _duration((self.total - done) / rate))
        text = "%s: %s" % (self.name, ", ".join(parts))
        return text + " (done)" if self.closed else text


class PlainLines(Tracker):
    """One line for all tasks, on standard error, every few seconds: for logs and cron mail.

    Nothing is printed for an operation shorter than the interval; after the first line, a last
    one is printed when the operation ends (unless nothing changed since the line before).

    :param stream: where to write (default: standard error, looked up at each line)
    :param interval: seconds between two lines
    :param clock: a monotonic clock, in seconds
    """

    def __init__(
        self,
        stream: Optional[IO[str]] = None,
        interval: float = PLAIN_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self._interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._tasks: List[_Counts] = []
        self._shown: Optional[float] = None  # when the last line was written
        self._changes = False  # counts changed since the last line
        self._started = clock()

    def task(self, name: str, total: Optional[int] = None, unit: str = "records") -> Task:
        """Starts counting a task, shown in the next line.

        :param name: what is read, e.g. ``"runs"``
        :param total: the records expected, if known
        :param unit: ``"records"`` or ``"bytes"``
        """
        counts = _Counts(name, total, unit, self._clock())
        with self._lock:
            self._tasks.append(counts)
        return _PlainTask(self, counts)

    def _changed(self, force: bool = False) -> None:
        with self._lock:
            self._changes = self._changes or not force
            now = self._clock()
            last = self._started if self._shown is None else self._shown
            if force:  # the last line: only after a first one, and only if there is news
                if self._shown is None or not self._changes:
                    return
            elif now - last < self._interval:
                return
            self._shown, self._changes = now, False
            line = " | ".join(counts.describe(now) for counts in self._tasks)
        out = self._stream if self._stream is not None else sys.stderr
        try:
            out.write(line + "\n")
            out.flush()
        except (OSError, ValueError):  # a closed or broken stream: progress is never worth an error
            pass

    def close(self) -> None:
        """Writes the final counts, if a line was written before."""
        with self._lock:
            for counts in self._tasks:
                counts.closed = True
        self._changed(force=True)


class _PlainTask(Task):
    def __init__(self, lines: PlainLines, counts: _Counts) -> None:
        self._lines = lines
        self._counts = counts

    def advance(self, records: int = 0, pages: int = 0, nbytes: int = 0) -> None:
        self._counts.add(records, pages, nbytes)
        self._lines._changed()

    def expect(self, total: int) -> None:
        self._counts.total = total

    def close(self) -> None:
        self._counts.closed = True


class Bars(Tracker):
    """One tqdm bar (or a bar of any class with tqdm's interface) per task.

    :param factory: the bar class, e.g. ``tqdm.tqdm`` or ``tqdm.notebook.tqdm``
    :param stream: where terminal bars go (default: the class's own default, standard error)
    :param delay: seconds before a bar appears (a short read shows none)
    """

    def __init__(self, factory: Callable[..., Any], stream: Optional[IO[str]] = None, delay: float = BAR_DELAY) -> None:
        self._factory = factory
        self._stream = stream
        self._delay = delay
        self._lock = threading.Lock()
        self._bars: List[_BarTask] = []

    def task(self, name: str, total: Optional[int] = None, unit: str = "records") -> Task:
        """Starts a bar.

        :param name: what is read, e.g. ``"runs"``
        :param total: the records expected, if known
        :param unit: ``"records"`` or ``"bytes"``
        """
        options: Dict[str, Any] = {
            "desc": name,
            "total": total,
            "unit": " rec" if unit == "records" else "B",
            "unit_scale": True,
            "dynamic_ncols": True,
            "delay": self._delay,
            "leave": True,
        }
        if self._stream is not None:
            options["file"] = self._stream
        try:
            bar = self._factory(**options)
        except TypeError:  # a class with fewer of tqdm's options: the essential ones only
            bar = self._factory(desc=name, total=total)
        task = _BarTask(bar, unit)
        with self._lock:
            self._bars.append(task)
        return task

    def close(self) -> None:
        """Closes every bar still open."""
        with self._lock:
            bars, self._bars = self._bars, []
        for task in bars:
            task.close()


class _BarTask(Task):
    def __init__(self, bar: Any, unit: str) -> None:
        self._bar = bar
        self._unit = unit
        self._pages = 0
        self._bytes = 0
        self._closed = False

    def advance(self, records: int = 0, pages: int = 0, nbytes: int = 0) -> None:
        self._pages += pages
        self._bytes += nbytes
        if self._unit != "bytes" and (pages or nbytes) and hasattr(self._bar, "set_postfix_str"):
            extra = [f"{self._pages:,} pages"] if self._pages else []
            if self._bytes:
                extra.append(_size(self._bytes))
            self._bar.set_postfix_str(", ".join(extra), refresh=False)
        done = nbytes if self._unit == "bytes" else records
        if done or pages:
            self._bar.update(done)

    def expect(self, total: int) -> None:
        self._bar.total = total
        if hasattr(self._bar, "refresh"):
            self._bar.refresh()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._bar.close()


class Callback(Tracker):
    """Hands the counts to a function: ``function(task, counts)`` (see the module's notes).

    :param function: called with the task's name and a dict of counts
    """

    def __init__(self, function: Callable[[str, Dict[str, int]], Any]) -> None:
        self._function = function

    def task(self, name: str, total: Optional[int] = None, unit: str = "records") -> Task:
        """Starts a task: its counts go to the function.

        :param name: what is read, e.g. ``"runs"``
        :param total: the records expected, if known (handed over at once as ``{"total": n}``)
        :param unit: unused: every count is given by name
        """
        task = _CallbackTask(self._function, name)
        if total is not None:
            task.expect(total)
        return task


class _CallbackTask(Task):
    def __init__(self, function: Callable[[str, Dict[str, int]], Any], name: str) -> None:
        self._function = function
        self._name = name

    def advance(self, records: int = 0, pages: int = 0, nbytes: int = 0) -> None:
        self._function(self._name, {"records": records, "pages": pages, "bytes": nbytes})

    def expect(self, total: int) -> None:
        self._function(self._name, {"total": total})

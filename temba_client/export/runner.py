"""Runs several streams of an export or a sync: one thread per throttle scope, one shared state.

::

    from temba_client.export import Settings, run_export

    results = run_export(client, ["runs", "messages", "contacts", "flows"], "out/", Settings(since=...))

Run it again with the same arguments to continue after a crash, a Ctrl-C or a spent work budget;
run it again after it completed to fetch what changed since (a sync).
"""

from __future__ import annotations

import datetime
import functools
import os
import threading
from typing import Any, Callable, Collection, Dict, List, NamedTuple, Optional, Sequence

from ..archives import ArchiveDownloader
from ..exceptions import TembaExportError
from ..progress import SILENT, ProgressOption, Task, Tracker, tracker
from ..serialization import TembaObject
from ..v2.types import Flow
from .lock import LOCK_FILE, RunLock
from .pacing import RateBudget, StopRequested, WorkBudget
from .sources import list_all, source
from .state import StateFile, verify_output
from .streams import EXTENSIONS, Progress, Settings, StreamRunner
from .workspace import probe

STATE_FILE = ".rapidpro-state.json"


class StreamResult(NamedTuple):
    """How one stream ended."""

    written: int  #: records written by this run
    complete: bool  #: whether the stream reached the end of its window
    error: Optional[BaseException]  #: what stopped it, if it failed


def check_directory(path: str) -> None:
    """Refuses an output directory that is a file or lies under a file, before anything is sent.

    :param path: the directory (it may not exist yet)
    :raises NotADirectoryError: it cannot be a directory
    """
    probe_path = os.path.abspath(path)
    while True:
        if os.path.exists(probe_path):
            if not os.path.isdir(probe_path):
                raise NotADirectoryError("%s is a file, not a directory" % probe_path)
            return
        parent = os.path.dirname(probe_path)
        if parent == probe_path:  # pragma: no cover - the root always exists
            return
        probe_path = parent


def run_export(
    client: Any,
    streams: Sequence[str],
    out_dir: str,
    settings: Optional[Settings] = None,
    budget: Optional[RateBudget] = None,
    work: Optional[WorkBudget] = None,
    progress: ProgressOption = None,
    downloader: Optional[ArchiveDownloader] = None,
    now: Optional[Callable[[], datetime.datetime]] = None,
    concurrent: bool = True,
    *,
    restart: Collection[str] = (),
    raise_errors: bool = True,
) -> Dict[str, StreamResult]:
    """Exports (or, run again, syncs) streams into ``out_dir``, one file per stream.

    ``workspace.json`` is read first: a wrong token or URL fails before any file is created, the
    workspace's UUID goes into the state (a state of another workspace is refused), and the rates
    the server states (if any) pace the run. Only one run at a time writes to a directory.

    :param client: a :class:`~temba_client.v2.TembaClient`
    :param streams: ``"runs"``, ``"messages"``, ``"contacts"`` and small endpoints (``"flows"``...)
    :param out_dir: the output directory (holds the state file too)
    :param settings: the period, flow, format... (default: everything, JSON Lines)
    :param budget: the rate budget (default: the rates the server states, else RapidPro's defaults)
    :param work: stops cleanly once spent, or when its ``stop()`` is called (default: no limit)
    :param progress: show the progress of each stream (see :mod:`temba_client.progress`): True for
        a bar per stream in a notebook or on a terminal and a plain line every few seconds
        elsewhere, a tqdm class, or a function called with ``(stream, counts)`` after each
        checkpoint; None (the default) shows nothing
    :param downloader: downloads archive files
    :param now: the current time (tests give their own)
    :param concurrent: run the throttle scopes in parallel threads
    :param restart: streams to start over: their state and files are discarded first (the way out
        of a refused state); a state of another workspace or with other options is accepted when
        every stream it holds is restarted
    :param raise_errors: raise :class:`~temba_client.exceptions.TembaExportError` when a stream
        failed (False: return the results, failures in their ``error``)
    :returns: every stream's :class:`StreamResult`
    :raises ValueError: an unknown stream name
    :raises NotADirectoryError: ``out_dir`` is a file or under one
    :raises TembaTokenError: the token is refused (nothing is written)
    :raises TembaConnectionError: the server cannot be reached (nothing is written)
    :raises TembaLockedError: another run is writing to ``out_dir``
    :raises TembaStateError: the state or an output file is not what was committed, or belongs to
        another workspace or export: the message names the stream and the way out
    :raises TembaExportError: a stream failed (``.results`` holds every stream's result)
    """
    names = list(dict.fromkeys(streams))
    for name in [*names, *restart]:
        source(name)
    settings = settings or Settings()
    check_directory(out_dir)
    info = probe(client)
    budget = budget or RateBudget(info.rates)
    work = work or WorkBudget()
    os.makedirs(out_dir, exist_ok=True)
    with RunLock(os.path.join(out_dir, LOCK_FILE), out_dir):
        state = StateFile(os.path.join(out_dir, STATE_FILE), settings.as_options(), info.identity, restart)
        for name in names:
            if name not in restart:
                verify_output(name, output_path(out_dir, name, settings.fmt), state.published(name))
        state.begin(names)
        for name in restart:
            _remove_files(out_dir, name)

        with _Shown(progress) as shown:
            if shown.shows:
                for name in names:
                    if not (state.published(name) or {}).get("committed"):  # a fresh stream
                        shown.totals[name] = _expected(client, name, settings, budget, work)

            def runner(name: str) -> StreamRunner:
                section, publish = state.section(name), functools.partial(state.publish, name)
                return StreamRunner(
                    client, name, section, publish, settings, out_dir, budget, work, downloader, shown.report, now
                )

            results = _run_streams(names, runner, work, concurrent)
    return _checked(results, raise_errors)


class _Shown:
    """A run's progress display, handed to the engine as its ``progress(stream, counts)`` callback
    (None when nothing is shown); a task per stream, started in the stream's own thread with its
    first report (a progress function that raises fails that stream only), closed when the run ends.

    :param progress: the ``progress`` argument of :func:`run_export` or :func:`sync`
    """

    def __init__(self, progress: ProgressOption) -> None:
        self._tracker = tracker(progress)
        self._owned = not isinstance(progress, Tracker)  # a tracker given is the caller's to close
        self._tasks: Dict[str, Task] = {}
        self._lock = threading.Lock()
        #: whether anything is shown (a total is fetched only then)
        self.shows = self._tracker.shows
        #: the records a stream is expected to hold, where known, by stream
        self.totals: Dict[str, Optional[int]] = {}
        #: the engine's callback (None: nothing to show, nothing to count)
        self.report: Optional[Progress] = self._report if self._tracker is not SILENT else None

    def _report(self, name: str, counts: Dict[str, int]) -> None:
        with self._lock:
            task = self._tasks.get(name)
            if task is None:
                task = self._tasks[name] = self._tracker.task(name, self.totals.get(name))
        task.advance(counts.get("records", 0), counts.get("pages", 0), counts.get("bytes", 0))

    def __enter__(self) -> _Shown:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        for task in self._tasks.values():
            task.close()
        if self._owned:
            self._tracker.close()


def _expected(client: Any, name: str, settings: Settings, budget: RateBudget, work: WorkBudget) -> Optional[int]:
    """The records a whole stream is expected to hold, where the server tells (only shown, never
    relied on): the runs its flows count, for an export of every run (one request)."""
    if name != "runs" or settings.since is not None or settings.until is not None:
        return None
    try:
        flows = list_all(
            client.get_flows(uuid=settings.flow) if settings.flow else client.get_flows(), budget, work=work
        )
    except Exception:  # a total is only ever shown: its failure is not the export's
        return None
    statuses = Flow.Runs._fields
    counts = [getattr(flow.runs, status, None) for flow in flows if flow.runs is not None for status in statuses]
    return sum(count for count in counts if isinstance(count, int)) or None


def output_path(out_dir: str, name: str, fmt: str) -> str:
    """The output file of a stream.

    :param out_dir: the output directory
    :param name: the stream
    :param fmt: the format
    """
    return os.path.join(out_dir, name + EXTENSIONS[fmt])


def _remove_files(out_dir: str, name: str) -> None:
    """Removes a restarted stream's outputs (every format) and spool."""
    for path in [output_path(out_dir, name, fmt) for fmt in EXTENSIONS] + [os.path.join(out_dir, ".%s.spool" % name)]:
        try:
            os.remove(path)
        except FileNotFoundError:
            pass


def _run_one(make: Callable[[], StreamRunner]) -> StreamResult:
    """Builds and runs one stream; any failure, building included, becomes its result."""
    runner: Optional[StreamRunner] = None
    try:
        runner = make()
        runner.run()
        return StreamResult(runner.written, True, None)
    except StopRequested:
        return StreamResult(runner.written if runner else 0, False, None)
    except Exception as ex:  # reported in the result: the other streams go on
        return StreamResult(runner.written if runner else 0, False, ex)


def _run_streams(
    names: List[str], runner: Callable[[str], StreamRunner], work: WorkBudget, concurrent: bool
) -> Dict[str, StreamResult]:
    """Runs the streams, one thread per throttle scope (streams of a scope one after the other)."""
    results: Dict[str, StreamResult] = {}
    lock = threading.Lock()

    def run_group(group: List[str]) -> None:
        for name in group:
            result = StreamResult(0, False, None) if work.stopped else _run_one(functools.partial(runner, name))
            with lock:
                results[name] = result
            if result.error is None and not result.complete:  # stopped: the rest of the scope waits too
                for rest in group[group.index(name) + 1 :]:
                    results[rest] = StreamResult(0, False, None)
                return

    groups: Dict[str, List[str]] = {}
    for name in names:
        groups.setdefault(source(name).scope, []).append(name)
    if not concurrent:
        for group in groups.values():
            run_group(group)
        return results
    threads = [threading.Thread(target=run_group, args=(group,), daemon=True) for group in groups.values()]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(0.2)
    except KeyboardInterrupt:
        work.stop("interrupted")  # every stream stops at its next checkpoint, every wait ends
        for thread in threads:
            thread.join()
        raise
    return {name: results[name] for name in names}


def _checked(results: Dict[str, StreamResult], raise_errors: bool) -> Dict[str, StreamResult]:
    failed = {name: result.error for name, result in results.items() if result.error is not None}
    if failed and raise_errors:
        message = "%d of %d stream%s failed: %s" % (
            len(failed),
            len(results),
            "" if len(results) == 1 else "s",
            "; ".join("%s: %s: %s" % (name, type(error).__name__, error) for name, error in failed.items()),
        )
        raise TembaExportError(message, results) from next(iter(failed.values()))
    return results


def sync(
    client: Any,
    stream: str,
    state_path: str,
    handler: Callable[[List[TembaObject]], None],
    settings: Optional[Settings] = None,
    budget: Optional[RateBudget] = None,
    work: Optional[WorkBudget] = None,
    now: Optional[Callable[[], datetime.datetime]] = None,
    *,
    restart: bool = False,
    raise_errors: bool = True,
    progress: ProgressOption = None,
) -> StreamResult:
    """Hands what changed in one stream since the last sync to ``handler``, page by page, oldest
    first; the state moves on only after the handler returned, so a failed handler sees its page
    again on the next sync. Contacts get a pass over deleted contacts too (handed over as contacts
    whose ``status`` is None).

    The first sync starts at ``settings.since`` (or reads everything, archives included). Only one
    sync at a time uses a state file (a second one raises ``TembaLockedError`` at once).

    :param client: a :class:`~temba_client.v2.TembaClient`
    :param stream: ``"contacts"``, ``"runs"``, ``"messages"`` or a small endpoint
    :param state_path: the JSON state file of this sync
    :param handler: called with each page of changed objects
    :param settings: the period, flow... (format is unused)
    :param budget: the rate budget (default: the rates the server states, else RapidPro's defaults)
    :param work: stops cleanly once spent, or when its ``stop()`` is called
    :param now: the current time (tests give their own)
    :param restart: discard the state first and hand everything over again
    :param raise_errors: raise :class:`~temba_client.exceptions.TembaExportError` when the sync
        failed, the handler's exception as its cause (False: return the result, the failure in
        its ``error``)
    :param progress: show the progress (see :mod:`temba_client.progress`), as :func:`run_export` does
    :raises TembaTokenError: the token is refused (no state is written)
    :raises TembaLockedError: another sync uses ``state_path``
    :raises TembaStateError: the state is damaged, or of another workspace or settings
    :raises TembaExportError: the sync failed (a handler that raised, the server...)
    """
    source(stream)
    settings = settings or Settings()
    info = probe(client)
    budget = budget or RateBudget(info.rates)
    work = work or WorkBudget()
    directory = os.path.dirname(os.path.abspath(state_path))
    os.makedirs(directory, exist_ok=True)
    with RunLock(state_path + ".lock", state_path):
        state = StateFile(state_path, settings.as_options(), info.identity, [stream] if restart else ())
        state.begin([stream])

        with _Shown(progress) as shown:

            def runner() -> StreamRunner:
                section, publish = state.section(stream), functools.partial(state.publish, stream)
                return StreamRunner(
                    client,
                    stream,
                    section,
                    publish,
                    settings,
                    directory,
                    budget,
                    work,
                    progress=shown.report,
                    now=now,
                    handler=handler,
                )

            result = _run_one(runner)
    return _checked({stream: result}, raise_errors)[stream]

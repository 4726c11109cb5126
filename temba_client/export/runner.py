"""Runs several streams of an export or a sync: one thread per throttle scope, one shared state.

::

    from temba_client.export import Settings, run_export

    results = run_export(client, ["runs", "messages", "contacts", "flows"], "out/", Settings(since=...))

Run it again with the same arguments to continue after a crash, a Ctrl-C or a spent work budget;
run it again after it completed to fetch what changed since (a sync).
"""

from __future__ import annotations

import datetime
import os
import threading
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Sequence

from ..archives import ArchiveDownloader
from ..serialization import TembaObject
from .pacing import RateBudget, StopRequested, WorkBudget
from .sources import source
from .state import StateFile
from .streams import Progress, Settings, StreamRunner

STATE_FILE = ".rapidpro-state.json"


class StreamResult(NamedTuple):
    """How one stream ended."""

    written: int  #: records written by this run
    complete: bool  #: whether the stream reached the end of its window
    error: Optional[BaseException]  #: what stopped it, if it failed


def run_export(
    client: Any,
    streams: Sequence[str],
    out_dir: str,
    settings: Optional[Settings] = None,
    budget: Optional[RateBudget] = None,
    work: Optional[WorkBudget] = None,
    progress: Optional[Progress] = None,
    downloader: Optional[ArchiveDownloader] = None,
    now: Optional[Callable[[], datetime.datetime]] = None,
    concurrent: bool = True,
) -> Dict[str, StreamResult]:
    """Exports (or, run again, syncs) streams into ``out_dir``, one file per stream.

    :param client: a :class:`~temba_client.v2.TembaClient`
    :param streams: ``"runs"``, ``"messages"``, ``"contacts"`` and small endpoints (``"flows"``...)
    :param out_dir: the output directory (holds the state file too)
    :param settings: the period, flow, format... (default: everything, JSON Lines)
    :param budget: the rate budget (default: the server's default rates)
    :param work: stops cleanly once spent (default: no limit)
    :param progress: called with counts after each checkpoint
    :param downloader: downloads archive files
    :param now: the current time (tests give their own)
    :param concurrent: run the throttle scopes in parallel threads
    :raises ValueError: an unknown stream name, or bad settings
    """
    for name in streams:
        source(name)
    settings = settings or Settings()
    budget = budget or RateBudget()
    work = work or WorkBudget()
    os.makedirs(out_dir, exist_ok=True)
    state = StateFile(os.path.join(out_dir, STATE_FILE), settings.as_options())
    results: Dict[str, StreamResult] = {}
    lock = threading.Lock()

    def run_group(names: List[str]) -> None:
        for name in names:
            runner = StreamRunner(
                client,
                name,
                state.stream(name),
                state.save,
                settings,
                out_dir,
                budget,
                work,
                downloader,
                progress,
                now,
            )
            try:
                runner.run()
                result = StreamResult(runner.written, True, None)
            except StopRequested:
                result = StreamResult(runner.written, False, None)
            except Exception as ex:  # reported in the result: the other streams go on
                result = StreamResult(runner.written, False, ex)
            with lock:
                results[name] = result
            if result.error is not None or not result.complete:
                return

    groups: Dict[str, List[str]] = {}
    for name in dict.fromkeys(streams):
        groups.setdefault(source(name).scope, []).append(name)
    if not concurrent:
        for names in groups.values():
            run_group(names)
        return results
    threads = [threading.Thread(target=run_group, args=(names,), daemon=True) for names in groups.values()]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(0.2)
    except KeyboardInterrupt:
        work.stop()  # every stream stops at its next checkpoint
        for thread in threads:
            thread.join()
        raise
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
) -> StreamResult:
    """Hands what changed in one stream since the last sync to ``handler``, page by page, oldest
    first; the state moves on only after the handler returned, so a failed handler sees its page
    again on the next sync. Contacts get a pass over deleted contacts too (handed over as contacts
    whose ``status`` is None).

    The first sync starts at ``settings.since`` (or reads everything, archives included).

    :param client: a :class:`~temba_client.v2.TembaClient`
    :param stream: ``"contacts"``, ``"runs"``, ``"messages"`` or a small endpoint
    :param state_path: the JSON state file of this sync
    :param handler: called with each page of changed objects
    :param settings: the period, flow... (format is unused)
    :param budget: the rate budget
    :param work: stops cleanly once spent
    :param now: the current time (tests give their own)
    """
    settings = settings or Settings()
    state = StateFile(state_path, settings.as_options())
    runner = StreamRunner(
        client,
        stream,
        state.stream(stream),
        state.save,
        settings,
        os.path.dirname(os.path.abspath(state_path)),
        budget or RateBudget(),
        work or WorkBudget(),
        now=now,
        handler=handler,
    )
    try:
        runner.run()
    except StopRequested:
        return StreamResult(runner.written, False, None)
    return StreamResult(runner.written, True, None)

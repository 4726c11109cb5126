"""The export engine's big streams (contacts, messages, runs) as a generator of pages, with the
engine's checkpoints kept in a dict that dlt commits with the load.

The engine (:class:`~temba_client.export.streams.StreamRunner`) pushes pages to a handler and, through
its one commit step (:func:`~temba_client.export.state.commit`), publishes a copy of its state
after each page was handed over; a dlt resource pulls. The engine runs in a thread that hands
each page, then a copy of its state, through a queue of one: the generator yields the page, then
stores the copy in the resource's state. The state dlt commits therefore never runs ahead of the
pages dlt was given:

- when the extract completes (the stream reached its end, or the work budget ran out and the engine
  stopped at a checkpoint), dlt commits the pages and the state together, and a later run goes on
  from there;
- when the extract fails (the server, the network), dlt keeps neither, and the next run reads the
  same pages again from the last committed state: the resources merge on their primary keys, so a
  page loaded twice leaves one row per record;
- when the load fails after a complete extract, dlt loads the pending package on its next run
  before extracting anything new.

Messages are read newest first in slices, each spooled to a file and written oldest first; the
spool lives in ``workdir`` (the pipeline's working directory), so a run stopped mid-slice goes on
with it. A state whose slice does not match the spool on disk (a failed extract rolled the state
back past it, or the working directory is new) reads that slice again from its start.
"""

from __future__ import annotations

import copy
import json
import os
import queue
import threading
from collections.abc import Iterator
from typing import Any, Dict, List, Optional, Tuple

from ..exceptions import TembaStateError
from ..export import RateBudget, Settings, StopRequested, WorkBudget
from ..export.streams import StreamRunner
from ..serialization import TembaObject

#: The streams the engine reads (archives plus the API, by modification or creation).
ENGINE_STREAMS = ("contacts", "messages", "runs")
#: Seconds to wait for the engine's thread when the generator is closed early (it stops at its next
#: page anyway; a rate-limit pause can be longer than this).
_JOIN_SECONDS = 5.0
_POLL_SECONDS = 0.1


class _Closed(Exception):
    """The generator was closed: the engine's thread stops at its next page."""


def _spool_paths(workdir: str) -> Tuple[str, str]:
    """The engine's spool of messages in ``workdir``, and the file naming the slice it holds."""
    return os.path.join(workdir, ".messages.spool"), os.path.join(workdir, "slice.json")


def _slice_of(state: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    current: Optional[Dict[str, Any]] = (state.get("api") or {}).get("slice")
    return current


def _check_spool(state: Dict[str, Any], workdir: str) -> None:
    """Sets a messages slice in progress back to its start unless the spool on disk holds it."""
    current = _slice_of(state)
    if not current or not current.get("spool"):
        return
    spool, marker = _spool_paths(workdir)
    try:
        with open(marker, encoding="utf-8") as stream:
            held = json.load(stream)
        size = os.path.getsize(spool)
    except (OSError, ValueError):
        held, size = None, 0
    if held != [current["after"], current["before"]] or size < current["spool"]:
        current.update(cursor=None, spool=0)


def _mark_spool(state: Dict[str, Any], workdir: str) -> None:
    """Names the slice the spool holds (called at each save, before the engine spools a new slice)."""
    current = _slice_of(state)
    if current:
        _spool, marker = _spool_paths(workdir)
        with open(marker + ".tmp", "w", encoding="utf-8") as stream:
            json.dump([current["after"], current["before"]], stream)
        os.replace(marker + ".tmp", marker)


def check_options(state: Dict[str, Any], settings: Settings) -> None:
    """Records the settings in a resource's state, or refuses a state made with other settings.

    :param state: the resource's dlt state
    :param settings: the settings of this run
    :raises TembaStateError: the state belongs to a load with another ``since``, ``until``, ``flow``...
    """
    options = settings.as_options()
    if state.get("options", options) != options:
        raise TembaStateError(
            "This pipeline's state was made with other settings (since, until, flow, archives): use another "
            "pipeline name, or drop the resource's state (dlt pipeline <name> drop <resource>)"
        )
    state["options"] = options


class _Channel:
    """A queue of one between the engine's thread and the generator, closable from the generator."""

    def __init__(self) -> None:
        self.items: queue.Queue[Tuple[str, Any]] = queue.Queue(maxsize=1)
        self.closed = threading.Event()

    def put(self, kind: str, item: Any) -> None:
        while not self.closed.is_set():
            try:
                self.items.put((kind, item), timeout=_POLL_SECONDS)
                return
            except queue.Full:
                continue
        raise _Closed()


def engine_pages(
    client: Any,
    name: str,
    settings: Settings,
    budget: RateBudget,
    work: WorkBudget,
    state: Dict[str, Any],
    workdir: str,
) -> Iterator[List[TembaObject]]:
    """Yields the pages of one engine stream, oldest first, keeping the engine's checkpoints in ``state``.

    Ends when the stream reached the end of its window, or cleanly when ``work`` is spent.

    :param client: the :class:`~temba_client.v2.TembaClient`
    :param name: ``"contacts"``, ``"messages"`` or ``"runs"``
    :param settings: the period, flow, lag...
    :param budget: the rate budget shared by the source's streams
    :param work: the work budget shared by the source's streams
    :param state: the resource's dlt state (``dlt.current.resource_state()``)
    :param workdir: a directory kept between runs of the pipeline, for this stream only (spooled
        messages, archives being read)
    :raises TembaStateError: the state was made with other settings
    """
    if name not in ENGINE_STREAMS:
        raise ValueError("The engine reads %s, not %r" % (", ".join(ENGINE_STREAMS), name))
    check_options(state, settings)
    private: Dict[str, Any] = copy.deepcopy(state.get("engine") or {})
    os.makedirs(workdir, exist_ok=True)
    _check_spool(private, workdir)
    channel = _Channel()

    def save(snapshot: Dict[str, Any]) -> None:  # a copy whose pages were handed over already
        _mark_spool(snapshot, workdir)
        channel.put("state", snapshot)

    def produce() -> None:
        end: Tuple[str, Any] = ("end", None)
        try:
            runner = StreamRunner(
                client,
                name,
                private,
                save,
                settings,
                workdir,
                budget,
                work,
                handler=lambda page: channel.put("page", page),
            )
            runner.run()
        except StopRequested:
            pass
        except _Closed:
            return
        except BaseException as ex:  # handed to the generator, which raises it in dlt's thread
            end = ("error", ex)
        try:
            channel.put(*end)
        except _Closed:
            pass

    thread = threading.Thread(target=produce, name="rapidpro-dlt-" + name, daemon=True)
    thread.start()
    error: Optional[BaseException] = None
    try:
        while True:
            kind, item = channel.items.get()
            if kind == "page":
                yield item
            elif kind == "state":
                state["engine"] = item
            elif kind == "error":
                error = item
                break
            else:
                break
    finally:
        channel.closed.set()
        thread.join(_JOIN_SECONDS)
    if error is not None:
        raise error

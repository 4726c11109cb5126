"""The engine of one stream: archives first, then the API, with a checkpoint after every page.

A stream works on a private copy of its state and publishes it only through
:func:`~temba_client.export.state.commit` (a page is written and synced, then the state records
the file's new size with the archive line, watermark, cursor reached). A rerun checks the file,
cuts it back to the recorded size and continues from the recorded position, so a crash loses at
most one page and writes nothing twice.

- Archives (runs, messages): read oldest first, each line kept if it falls in the export's period;
  a daily archive rolled up into a monthly one mid-export is undone back to its start and the
  monthly one read without the days already written.
- Modified endpoints (runs, contacts): passes oldest first (``reverse``) over a window frozen at the
  start of the pass (``after`` = the watermark, ``before`` = now minus a lag). The watermark is the
  ``modified_on`` of the last record written, never the clock; records at the watermark already
  written are skipped by id. A record modified during a pass leaves the window and comes back in
  the next pass (the next sync), with its new state.
- Messages: ordered by ``created_on`` newest first only, so a pass walks its window in slices,
  spools each slice's pages to disk and writes the slice reversed (oldest first).
- Small endpoints (flows, fields...): read whole each run, replacing the previous file.
"""

from __future__ import annotations

import copy
import datetime
import json
import os
from typing import Any, Callable, Dict, List, Optional, Set, Type, Union

from ..archives import ArchiveDownloader, iter_records, relist
from ..exceptions import TembaArchiveError
from ..serialization import TembaObject
from ..utils import format_iso8601, parse_iso8601
from ..v2 import types
from .outputs import CallbackSink, Writer
from .pacing import RateBudget, WorkBudget
from .plan import MEMBERSHIP, days_of, keep_record, plan_archives
from .sources import Source, list_all, paced_pages, source
from .state import append_durably, commit, digest_of, read_tail

#: Archive lines read between checkpoints (no requests are spent on them, so re-reading is cheap).
ARCHIVE_CHECKPOINT_LINES = 5000
#: API pages between two looks for archives made mid-export (one ``v2`` request per look).
RELIST_PAGES = 10
#: Pages of messages above which the next slice is made shorter.
MAX_SLICE_PAGES = 40
_LONGEST_SLICE_HOURS = 24.0 * 366 * 20
#: No RapidPro workspace has messages older than this.
EPOCH = datetime.datetime(2010, 1, 1, tzinfo=datetime.timezone.utc)
EXTENSIONS = {"jsonl": ".jsonl", "jsonl.gz": ".jsonl.gz", "csv": ".csv"}
_MODELS: Dict[str, Type[TembaObject]] = {
    "runs": types.Run,
    "messages": types.Message,
    "contacts": types.Contact,
    "flows": types.Flow,
    "fields": types.Field,
    "groups": types.Group,
    "labels": types.Label,
    "globals": types.Global,
    "campaigns": types.Campaign,
    "campaign_events": types.CampaignEvent,
    "channels": types.Channel,
    "topics": types.Topic,
    "users": types.User,
    "resthooks": types.Resthook,
}

#: ``progress(stream, counts)``: counts of ``records``, ``pages``, ``bytes`` since the last call,
#: and ``total`` (records expected, when known).
Progress = Callable[[str, Dict[str, int]], None]


class ArchiveGone(Exception):
    """The archive being read is no longer listed (rolled up): plan again."""


def _next_step(hours: float, pages: int) -> float:
    """The length of the next messages slice: longer after an empty or one-page slice (a quiet
    period costs a few requests, not one per slice), shorter after a long one (the spool, read
    whole to be reversed, stays small)."""
    if pages == 0:
        return min(hours * 4, _LONGEST_SLICE_HOURS)
    if pages == 1:
        return min(hours * 2, _LONGEST_SLICE_HOURS)
    if pages > MAX_SLICE_PAGES:
        return max(hours / 2, 1.0 / 60)
    return hours


def _iso(value: Optional[datetime.datetime]) -> Optional[str]:
    return format_iso8601(value) if value is not None else None


def _utc(value: Optional[datetime.datetime], name: str) -> Optional[datetime.datetime]:
    """A datetime with a time zone: a naive one is taken as UTC, as the client does elsewhere."""
    if value is None:
        return None
    if not isinstance(value, datetime.datetime):
        raise TypeError("%s must be a datetime, not %s" % (name, type(value).__name__))
    return value if value.tzinfo is not None else value.replace(tzinfo=datetime.timezone.utc)


class Settings:
    """What an export asks for, shared by its streams.

    :param since: only records at or after this moment (None: from the beginning); a naive datetime
        is taken as UTC
    :param until: only records before this moment (None: up to now minus ``lag``); naive: UTC
    :param flow: only runs of this flow UUID
    :param fmt: ``"jsonl"``, ``"jsonl.gz"`` or ``"csv"``
    :param lag: seconds left out at the end of each window, for records still being written
    :param slice_hours: hours of the first slice when walking messages (newest first) to write them
        oldest first (then longer after quiet slices, shorter after busy ones)
    :param use_archives: read the archives for older runs and messages
    :param archive_checkpoint: archive lines read between checkpoints
    :param relist_pages: API pages of runs or messages between two looks at the archives (for
        records archived, so gone from the API, while the export runs)
    """

    def __init__(
        self,
        since: Optional[datetime.datetime] = None,
        until: Optional[datetime.datetime] = None,
        flow: Optional[str] = None,
        fmt: str = "jsonl",
        lag: float = 10.0,
        slice_hours: float = 24.0,
        use_archives: bool = True,
        archive_checkpoint: int = ARCHIVE_CHECKPOINT_LINES,
        relist_pages: int = RELIST_PAGES,
    ) -> None:
        if fmt not in EXTENSIONS:
            raise ValueError("Output format must be one of %s, not %r" % (", ".join(EXTENSIONS), fmt))
        since, until = _utc(since, "since"), _utc(until, "until")
        if since and until and since >= until:
            raise ValueError("since must be before until")
        self.since = since
        self.until = until
        self.flow = flow
        self.fmt = fmt
        self.lag = lag
        self.slice_hours = slice_hours
        self.use_archives = use_archives
        self.archive_checkpoint = archive_checkpoint
        self.relist_pages = relist_pages

    def as_options(self) -> Dict[str, Any]:
        """The settings that must not change between a run and its resumption (kept in the state)."""
        return {
            "since": _iso(self.since),
            "until": _iso(self.until),
            "flow": self.flow,
            "format": self.fmt,
            "archives": self.use_archives,
        }


class StreamRunner:
    """Runs one stream to the end of its window (or until the work budget is spent).

    :param client: the :class:`~temba_client.v2.TembaClient`
    :param name: the stream, e.g. ``"runs"``
    :param state: this stream's published state (the runner works on a private copy of it)
    :param save: publishes a copy of the stream's state, called by
        :func:`~temba_client.export.state.commit` once the bytes it counts are durable
    :param settings: the export's settings
    :param out_dir: the output directory
    :param budget: the rate budget shared by every stream
    :param work: the work budget shared by every stream
    :param downloader: downloads archive files
    :param progress: called after each checkpoint with the counts done
    :param now: the current time (tests give their own)
    :param handler: give each page to this function instead of writing a file (see
        :class:`~temba_client.export.outputs.CallbackSink`)
    """

    def __init__(
        self,
        client: Any,
        name: str,
        state: Dict[str, Any],
        save: Callable[[Dict[str, Any]], None],
        settings: Settings,
        out_dir: str,
        budget: RateBudget,
        work: WorkBudget,
        downloader: Optional[ArchiveDownloader] = None,
        progress: Optional[Progress] = None,
        now: Optional[Callable[[], datetime.datetime]] = None,
        handler: Optional[Callable[[List[TembaObject]], None]] = None,
    ) -> None:
        self.client = client
        self.source: Source = source(name)
        self.st: Dict[str, Any] = copy.deepcopy(state)  # private: published only by commit()
        self._publish = save
        self.settings = settings
        self.out_dir = out_dir
        self.budget = budget
        self.work = work
        self.downloader: ArchiveDownloader = downloader or ArchiveDownloader()
        self.progress = progress
        self.now: Callable[[], datetime.datetime] = now or (lambda: datetime.datetime.now(datetime.timezone.utc))
        self.model: Type[TembaObject] = _MODELS[name]
        self.handler = handler
        self.path: str = os.path.join(out_dir, name + EXTENSIONS[settings.fmt])
        self.writer: Union[Writer, CallbackSink] = self._sink(state.get("committed"))
        self.written: int = 0

    # -- checkpoints ------------------------------------------------------------------------------

    def _write(self, objects: List[TembaObject]) -> None:
        for obj in objects:
            self.writer.write(obj)
        self.written += len(objects)

    def _save(self, **updates: Any) -> None:
        """Makes the written page durable, then publishes the state with ``updates``."""
        self.st.update(updates)
        commit(self.writer, self.st, self._publish)
        self.writer.records = 0

    def _checkpoint(self, pages: int = 1, **updates: Any) -> None:
        """:meth:`_save`, then reports the page to ``progress``."""
        before = self.writer.size
        records = self.writer.records
        self._save(**updates)
        if self.progress is not None:
            grown = max(0, self.writer.size - before)
            self.progress(self.source.name, {"records": records, "pages": pages, "bytes": grown})

    def _sink(self, committed: Optional[int]) -> Union[Writer, CallbackSink]:
        if self.handler is not None:
            return CallbackSink(self.handler, committed)
        return Writer(self.path, self.settings.fmt, self.model, committed)

    def _rewind(self, size: int) -> None:
        """Goes back to ``size`` (a partial archive that was rolled up; a handler has had those
        records already and gets them again from the monthly archive); the caller saves next, and
        the file is cut once the state records the smaller size."""
        self.writer.rewind(size)

    # -- the stream -------------------------------------------------------------------------------

    def run(self) -> int:
        """Runs the stream; returns the number of records written by this run.

        :raises StopRequested: the work budget ran out (the state is saved: rerun to continue)
        """
        order = self.source.order
        if order == "all":
            self._read_whole()
        else:
            if self.source.archive and self.settings.use_archives and not self.st.get("archives_done"):
                self._read_archives()
            self.st.setdefault("api_start", _iso(self.settings.since))
            if order == "modified":
                # a run stopped in the pass over deleted contacts goes on with it, rather than
                # starting a new pass over the others (a small budget would never get there)
                if not self.st.get("api_done"):
                    self._modified_pass("api", {})
                if self.source.name == "contacts":
                    self.st["api_done"] = True
                    self._save()
                    self._modified_pass("deleted", {"deleted": True})
                    self.st["api_done"] = False
                    self._save()
            else:
                self._created_pass()
        return self.written

    # -- archives ---------------------------------------------------------------------------------

    def _read_archives(self) -> None:
        """The archive phase: every archive listed, oldest first, each line kept if in the period."""
        self._archive_round(None)
        self._checkpoint(pages=0, archives_done=True)

    def _archive_round(self, accept: Optional[Callable[[Dict[str, Any]], bool]], start: Optional[str] = None) -> None:
        """Lists the archives and reads those not read yet (each to its end, checkpointed); a daily
        archive rolled up while being read is undone and its monthly archive read instead.

        :param accept: which records to keep beyond the period (None: all)
        :param start: list only archives starting on or after this ISO date (None: all)
        """
        kind = self.source.archive
        assert kind is not None
        while True:
            self.work.check_stop()
            listed = list_all(self.client.get_archives(type=kind, after=start), self.budget, work=self.work)
            current = self.st.get("current")
            keys = {a.key for a in plan_archives(listed, [], [])}
            if current and current["key"] not in keys:  # rolled up while we read it: undo it
                self._rewind(current["start"])
                self.st["current"] = None
                self._checkpoint(pages=0)
            plan = plan_archives(
                listed, self.st.get("done", []), self.st.get("done_days", []), self.settings.since, self.settings.until
            )
            current = self.st.get("current")
            if current:  # the archive a stopped run was reading goes on first, from its line
                plan.sort(key=lambda item: item.key != current["key"])
            try:
                for item in plan:
                    self._read_archive(item.key, item.archive, item.skip_days, accept)
            except ArchiveGone:
                continue
            return

    def _late_archives(self, ps: Dict[str, Any], pending: Optional[Set[Any]] = None) -> None:
        """Reads the archives made since the last look (records that left the API mid-export).

        Every record older than ``ps["safe"]`` (the watermark at the last look, when these archives
        did not exist) was still in the API when the pass read past it, so it is written already;
        of the newer ones, those written since that look (``ps["recent"]``) or about to be
        (``pending``) are skipped. Then the watermark becomes the new ``safe``.

        :param ps: the pass state (``watermark``, ``ties``, ``safe``, ``recent``)
        :param pending: ids read from the API but not written yet (a spooled messages slice)
        """
        if not (self.source.archive and self.settings.use_archives):
            return
        safe = ps.get("safe") or ""
        skip = set(ps.get("recent") or []) | (pending or set())
        field = MEMBERSHIP[self.source.archive]
        key = self.source.key

        def accept(record: Dict[str, Any]) -> bool:
            return (record.get(field) or "") >= safe and record.get(key) not in skip

        # only archives of safe's month or later can hold such records (a rollup starts on the 1st)
        self._archive_round(accept, safe[:8] + "01" if safe else None)
        ps["safe"], ps["recent"], ps["since_look"] = ps.get("watermark"), list(ps.get("ties") or []), 0
        self._save()

    def _read_archive(
        self, key: str, archive: Any, skip_days: Set[str], accept: Optional[Callable[[Dict[str, Any]], bool]] = None
    ) -> None:
        kind = self.source.archive
        assert kind is not None
        current = self.st.get("current")
        if not current or current["key"] != key:
            current = {"key": key, "line": 0, "start": self.st.get("committed", 0)}
            self.st["current"] = current
        directory = os.path.join(self.out_dir, ".archives")
        progress = self.progress

        def on_bytes(count: int) -> None:  # a stop ends a download at its next chunk
            self.work.check_stop()
            if progress is not None:
                progress(self.source.name, {"bytes": count})

        try:
            path = self.downloader.download(archive, directory, relist=None, on_bytes=on_bytes)
        except TembaArchiveError:
            fresh = relist(self.client, archive)
            if fresh is None:
                raise ArchiveGone(key)
            path = self.downloader.download(fresh, directory, on_bytes=on_bytes)
        field = MEMBERSHIP[kind]
        since, until = _iso(self.settings.since), _iso(self.settings.until)
        deserialize = self.model.deserialize
        line = current["line"]
        for line, record in iter_records(path, kind, current["line"]):
            if keep_record(record, field, skip_days, self.settings.flow, since, until) and (
                accept is None or accept(record)
            ):
                self.writer.write(deserialize(record))
                self.written += 1
            if (line + 1) % self.settings.archive_checkpoint == 0:
                current["line"] = line + 1
                self._checkpoint(pages=0)
                self.work.check(self.source.scope)
        done_days = sorted(set(self.st.get("done_days", [])) | set(days_of(archive)))
        self._checkpoint(pages=0, current=None, done=[*self.st.get("done", []), key], done_days=done_days)
        try:
            os.remove(path)
        except OSError:  # pragma: no cover
            pass

    # -- modified endpoints -----------------------------------------------------------------------

    def _window_end(self) -> str:
        end = self.now() - datetime.timedelta(seconds=self.settings.lag)
        if self.settings.until is not None:
            end = min(end, self.settings.until)
        return format_iso8601(end)

    def _modified_pass(self, name: str, filters: Dict[str, Any]) -> None:
        src = self.source
        ps: Dict[str, Any] = self.st.setdefault(name, {})
        if not ps.get("before"):
            ps["before"] = self._window_end()
            if "watermark" not in ps:
                first = self.st.get("api_start")  # deleted contacts too: from the start
                ps.update(watermark=first, ties=[], safe=first, recent=[])
            self._save()
        archived = name == "api" and self.source.archive is not None and self.settings.use_archives
        if archived:  # a rerun finishes an archive it was reading first; new archives are read too
            self._late_archives(ps)
        ties: Set[Any] = set(ps.get("ties") or [])
        watermark: Optional[str] = ps.get("watermark")
        getter = getattr(self.client, "get_" + src.name)
        extra = {"flow": self.settings.flow} if src.name == "runs" and self.settings.flow else {}
        query = getter(after=watermark, before=ps["before"], reverse=True, **filters, **extra)
        for page, _cursor in paced_pages(query, self.budget, src.scope, self.work):
            kept = []
            for obj in page:
                when = _iso(getattr(obj, src.time))  # type: ignore[arg-type]
                ident = getattr(obj, src.key)
                if when == watermark and ident in ties:
                    continue
                if when != watermark:
                    watermark, ties = when, set()
                ties.add(ident)
                kept.append(obj)
            self._write(kept)
            ps["watermark"], ps["ties"] = watermark, sorted(ties, key=str)
            if archived:
                ps["recent"] = [*ps.get("recent", []), *(getattr(obj, src.key) for obj in kept)]
                ps["since_look"] = ps.get("since_look", 0) + 1
            self._checkpoint()
            if archived and ps["since_look"] >= self.settings.relist_pages:
                self._late_archives(ps)
        if archived:
            self._late_archives(ps)
        ps["before"] = None
        self._save()

    # -- messages ---------------------------------------------------------------------------------

    def _created_pass(self) -> None:
        src = self.source
        ps: Dict[str, Any] = self.st.setdefault("api", {})
        if not ps.get("before"):
            ps["before"] = self._window_end()
            if "watermark" not in ps:
                start = self.st.get("api_start")
                ps.update(watermark=start, ties=[], safe=start, recent=[])
            self._save()
        end = parse_iso8601(ps["before"])
        assert end is not None
        spool_path = os.path.join(self.out_dir, ".%s.spool" % src.name)
        self._check_spool(ps, spool_path)
        # a rerun finishes an archive it was reading first; new archives are read too
        self._late_archives(ps, self._spooled_ids(ps, spool_path))
        while True:
            current = ps.get("slice")
            if not current:
                start = parse_iso8601(ps.get("watermark")) if ps.get("watermark") else None
                if start is not None and start >= end:
                    break
                first = self._first_created(end) if start is None else start
                if first is None:
                    break
                step = datetime.timedelta(hours=ps.get("step_hours") or self.settings.slice_hours)
                current = {"after": _iso(first), "before": _iso(min(first + step, end)), "cursor": None, "spool": 0}
                ps["slice"] = current
                self._save()
            self._spool_slice(current, spool_path)
            self._late_archives(ps, self._spooled_ids(ps, spool_path))
            ps["step_hours"] = _next_step(ps.get("step_hours") or self.settings.slice_hours, current.get("pages", 0))
            self._write_slice(ps, spool_path)
            if current["before"] == ps["before"]:
                break
            ps["watermark"] = max(ps.get("watermark") or "", current["before"])
            self._save()
        ps["before"] = None
        self._save()

    def _first_created(self, end: datetime.datetime) -> Optional[datetime.datetime]:
        """Where a messages pass with nothing to start from begins: the hour of the oldest message,
        found by bisection (a request per probe, about 17) rather than by walking every page."""

        def any_before(moment: datetime.datetime) -> bool:
            query = self.client.get_messages(before=moment)
            first = lambda: query.first(retry_on_rate_exceed=False)  # noqa: E731
            return bool(self.budget.call(self.source.scope, first, self.work))

        if not any_before(end):
            return None
        low, high = EPOCH, end  # no message before low; some at or before high
        while high - low > datetime.timedelta(hours=1):
            middle = low + (high - low) / 2
            if any_before(middle):
                high = middle
            else:
                low = middle
        return low

    def _check_spool(self, ps: Dict[str, Any], spool_path: str) -> None:
        """Sets a slice in progress back to its start unless the spool on disk is the one its state
        counted (the spool only caches pages not written yet: reading them again loses nothing)."""
        current = ps.get("slice")
        if not current or not current.get("spool"):
            return
        size, digest = current["spool"], current.get("spool_digest")
        try:
            held = os.path.getsize(spool_path) >= size and (
                digest is None or digest_of(read_tail(spool_path, size)) == digest
            )
        except OSError:
            held = False
        if not held:
            current.update(cursor=None, spool=0, pages=0, spooled=False, spool_digest=None)

    def _spooled_ids(self, ps: Dict[str, Any], spool_path: str) -> Set[Any]:
        """The ids in the slice spooled so far (read from the API, not written yet)."""
        current = ps.get("slice")
        if not current or not current["spool"]:
            return set()
        with open(spool_path, "rb") as spool:
            return {json.loads(line)[self.source.key] for line in spool.read(current["spool"]).splitlines()}

    def _spool_slice(self, current: Dict[str, Any], spool_path: str) -> None:
        if current.get("spooled"):  # a rerun after the last page: walking it again would spool it twice
            return
        with open(spool_path, "ab") as spool:  # the pages of a killed run after the last commit go
            if os.fstat(spool.fileno()).st_size > current["spool"]:  # (never cut upward: see _check_spool)
                spool.truncate(current["spool"])
        query = self.client.get_messages(after=current["after"], before=current["before"])
        pages = paced_pages(query, self.budget, self.source.scope, self.work, resume_cursor=current["cursor"])
        for page, cursor in pages:
            data = "".join(json.dumps(obj.serialize()) + "\n" for obj in page).encode("utf-8")
            append_durably(spool_path, data)  # durable before the state counts it
            current["cursor"] = cursor
            current["spool"] += len(data)
            current["spool_digest"] = digest_of(read_tail(spool_path, current["spool"]))
            current["pages"] = current.get("pages", 0) + (1 if page else 0)
            if cursor is None:
                current["spooled"] = True
            self._save()
            if self.progress is not None:
                self.progress(self.source.name, {"pages": 1})
            if cursor is None:
                break

    def _write_slice(self, ps: Dict[str, Any], spool_path: str) -> None:
        current = ps["slice"]
        with open(spool_path, "rb") as spool:
            lines = spool.read(current["spool"]).splitlines()
        watermark: Optional[str] = ps.get("watermark")
        ties: Set[Any] = set(ps.get("ties") or [])
        kept = []
        for line in reversed(lines):
            obj = self.model.deserialize(json.loads(line))
            when = _iso(getattr(obj, self.source.time or "created_on"))
            ident = getattr(obj, self.source.key)
            if (when == watermark and ident in ties) or (watermark and when and when < watermark):
                continue
            if when != watermark:
                watermark, ties = when, set()
            ties.add(ident)
            kept.append(obj)
        self._write(kept)
        if self.source.archive and self.settings.use_archives:  # written since the last look
            ps["recent"] = [*ps.get("recent", []), *(getattr(obj, self.source.key) for obj in kept)]
        ps["watermark"], ps["ties"], ps["slice"] = watermark, sorted(ties, key=str), None
        self._checkpoint(pages=0)
        os.remove(spool_path)

    # -- small endpoints --------------------------------------------------------------------------

    def _read_whole(self) -> None:
        ps: Dict[str, Any] = self.st.setdefault("all", {})
        if not ps.get("active"):
            self._rewind(0)
            ps.update(active=True, cursor=None)
            self._save()
        query = getattr(self.client, "get_" + self.source.name)()
        for page, cursor in paced_pages(query, self.budget, self.source.scope, self.work, ps.get("cursor")):
            self._write(page)
            ps["cursor"] = cursor
            self._checkpoint()
        ps.update(active=False, cursor=None)
        self._save()

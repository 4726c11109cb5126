"""The seeded scenario harness: an export or a sync against the local server while things go wrong.

Each scenario (a seed) builds a small workspace whose runs and messages spread over a week (some
days archived, one left as a gap), with small pages so that a stream takes several pages and many
checkpoints, then runs the export (or a sync) to completion through:

- crashes: a work budget of a few pages (a clean stop) or a progress hook / sync handler that raises
  at a random checkpoint, then reruns with the same arguments;
- changes between two requests (``after_request``): runs and contacts modified, contacts deleted;
- injected faults: 503s, dropped connections, 429s (a fake clock: no real waiting);
- archiving the next day of runs or messages, or rolling a month up, while the export runs.

What "equals the server's" means (:func:`compare`): after the export completes and one more run (a
sync, with no more faults or changes), for every id the server has (API listing, deleted contacts
and every listed archive) the LAST line of that id in the output equals the server's current record
(0 missing, 0 stale); no line has an id the server does not have; and no version of a record (an id
at one ``modified_on``; for messages, an id) is written twice (0 duplicated). A sync is judged the
same way on the union of what its handler received. Runs compare on what both the API and the
archive files carry (not ``start``, the contact's URN, nor the values' ``input``).
"""

from __future__ import annotations

import json
import os
import random
import tempfile
from collections import Counter
from typing import Any, Callable, Dict, List, Optional, Tuple

from temba_client.archives import read_archive
from temba_client.exceptions import TembaException, TembaExportError
from temba_client.export import RateBudget, Settings, WorkBudget, run_export, sync
from temba_client.testing import LocalRapidProServer
from temba_client.v2 import TembaClient

STREAMS = ("runs", "messages", "contacts")
KEYS = {"runs": "id", "messages": "id", "contacts": "uuid"}
DAYS = ["2024-01-%02d" % day for day in range(3, 10)]


class FakeTime:
    """A clock that only moves when slept on (a 429's pause costs nothing)."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class Crash(Exception):
    """A crash injected by a hook."""


def project(kind: str, record: Dict[str, Any]) -> Any:
    """What is compared of a serialized record (see the module's docstring)."""
    if kind == "contacts":
        return record
    if kind == "runs":
        values = {k: (v.get("value"), v.get("category")) for k, v in (record.get("values") or {}).items()}
        keys = ("id", "uuid", "responded", "exit_type", "created_on", "modified_on", "exited_on")
        return dict({k: record.get(k) for k in keys}, flow=record["flow"]["uuid"], contact=record["contact"]["uuid"],
                    values=values)  # fmt: skip
    keys = ("id", "uuid", "direction", "type", "status", "visibility", "text", "created_on")
    labels = sorted(label["uuid"] for label in record.get("labels") or [])
    return dict({k: record.get(k) for k in keys}, contact=record["contact"]["uuid"], labels=labels)


def server_state(client: TembaClient, kind: str) -> Dict[Any, Any]:
    """The server's current records of a stream, by id: the API's, and (runs, messages) the archives'."""
    key = KEYS[kind]
    objects = list(getattr(client, "get_" + kind)().all())
    if kind == "contacts":
        objects += client.get_contacts(deleted=True).all()
    else:
        from temba_client.archives import ArchiveDownloader

        downloader = ArchiveDownloader()
        archive_kind = kind[:-1]
        with tempfile.TemporaryDirectory() as directory:  # one per call: tests may run side by side
            for archive in client.get_archives(type=archive_kind).all():
                if archive.download_url:
                    path = downloader.download(archive, directory)
                    objects += list(read_archive(path, archive_kind))
                    os.remove(path)
    found = {}
    for obj in objects:
        record = obj.serialize()
        found[record[key]] = project(kind, record)
    return found


def compare(kind: str, lines: List[Dict[str, Any]], expected: Dict[Any, Any]) -> Dict[str, int]:
    """Counts ``missing``, ``stale``, ``extra`` ids and ``duplicated`` versions (see the docstring)."""
    key = KEYS[kind]
    last: Dict[Any, Any] = {}
    versions: Counter = Counter()
    for record in lines:
        last[record[key]] = project(kind, record)
        versions[(record[key], record.get("modified_on") if kind != "messages" else None)] += 1
    return {
        "missing": sum(1 for ident in expected if ident not in last),
        "stale": sum(1 for ident, record in expected.items() if ident in last and last[ident] != record),
        "extra": sum(1 for ident in last if ident not in expected),
        "duplicated": sum(count - 1 for count in versions.values() if count > 1),
    }


def read_lines(path: str) -> List[Dict[str, Any]]:
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as stream:
        return [json.loads(line) for line in stream]


class Scenario:
    """One seeded scenario (see the module's docstring).

    :param seed: the seed: the same seed always plays the same scenario
    :param out: a fresh directory
    """

    def __init__(self, seed: int, out: str) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.out = out
        self.mode = self.rng.choice(["export", "export", "sync"])
        self.streams = list(STREAMS) if self.mode == "export" else [self.rng.choice(STREAMS)]
        self.events: List[str] = []
        self.live = True  # changes and faults happen only while live
        self.time = FakeTime()

    # -- the workspace ----------------------------------------------------------------------------

    def build(self) -> LocalRapidProServer:
        rng = self.rng
        server = LocalRapidProServer(seed=rng.choice([8, 12, 16]), page_size=rng.choice([2, 3, 5, 8]))
        ws = server.workspace
        for table, attr in (("runs", "modified_on"), ("messages", "created_on")):
            for row in list(ws.rows[table]):
                stamp = "%sT%02d:00:00.000000Z" % (rng.choice(DAYS), rng.choice([6, 6, 12, 18]))  # ties too
                changes = {"created_on": stamp, "modified_on": stamp} if table == "messages" else {attr: stamp}
                if table == "runs":
                    changes.update(created_on=min(row["created_on"], stamp), exited_on=stamp)
                ws.modify(table, row["id"], **changes)
        # archived before the export: the first days, leaving a gap (a day never archived)
        self.archived = {"run": set(), "message": set()}
        for kind in ("run", "message"):
            for day in DAYS[:3]:
                if day != DAYS[1] or rng.random() < 0.5:
                    ws.archive(kind, "daily", day)
                    self.archived[kind].add(day)
        return server

    # -- what goes wrong --------------------------------------------------------------------------

    def plan_trouble(self, server: LocalRapidProServer) -> None:
        rng = self.rng
        ws = server.workspace
        endpoints = list(self.streams) + (["archives"] if rng.random() < 0.3 else [])

        def when_live(action: Callable[[], None], name: str) -> Callable[[Any], None]:
            def callback(request: Any) -> None:
                if self.live:
                    action()
                    self.events.append(name)

            return callback

        def modify_run() -> None:
            if ws.rows["runs"]:
                row = rng.choice(ws.rows["runs"])
                ws.modify("runs", row["id"], exit_type=rng.choice(["expired", "interrupted", "completed"]))

        def modify_contact() -> None:
            live = [row for row in ws.rows["contacts"] if not row.get("_deleted")]
            if live:
                ws.modify("contacts", rng.choice(live)["uuid"], name="Changed %d" % rng.randrange(1000))

        def delete_contact() -> None:
            live = [row for row in ws.rows["contacts"] if not row.get("_deleted")]
            if live:
                ws.delete("contacts", rng.choice(live)["uuid"])

        def archive_next(kind: str) -> Callable[[], None]:
            def action() -> None:
                left = [day for day in DAYS[:-1] if day not in self.archived[kind]]
                if left:
                    day = left[0] if rng.random() < 0.7 else rng.choice(left)
                    ws.archive(kind, "daily", day)
                    self.archived[kind].add(day)

            return action

        def rollup(kind: str) -> Callable[[], None]:
            def action() -> None:
                if not any(a["archive_type"] == kind and a["period"] == "monthly" for a in ws.rows["archives"]
                           if a["start_date"] == "2024-01-01"):  # fmt: skip
                    ws.rollup(kind, "2024-01")
                    self.archived[kind] = set(DAYS)  # nothing more of January is archived after it

            return action

        actions: List[Tuple[str, Callable[[], None]]] = [
            ("modify run", modify_run),
            ("modify contact", modify_contact),
            ("delete contact", delete_contact),
            ("archive runs", archive_next("run")),
            ("archive messages", archive_next("message")),
            ("rollup runs", rollup("run")),
            ("rollup messages", rollup("message")),
        ]
        for _ in range(rng.randint(1, 5)):
            name, action = rng.choice(actions)
            server.after_request(when_live(action, name), endpoint=rng.choice(endpoints), nth=rng.randint(1, 6))
        if rng.random() < 0.5:
            server.faults.randomly(
                seed=rng.randrange(10**6), status_503=rng.choice([0, 0.05, 0.1]), drop=rng.choice([0, 0.03]),
                rate_limit=rng.choice([0, 0.05]),
            )  # fmt: skip
            self.events.append("faults")

    # -- running ----------------------------------------------------------------------------------

    def budget(self) -> RateBudget:
        fast = dict.fromkeys(("v2", "v2.runs", "v2.messages", "v2.contacts"), 1e9)
        return RateBudget(fast, burst=1e9, clock=self.time.clock, sleep=self.time.sleep)

    def run(self) -> Dict[str, Dict[str, int]]:
        """Plays the scenario; returns the comparison counts per stream."""
        with self.build() as server:
            self.plan_trouble(server)
            with TembaClient(server.url, server.token, max_retries=0) as client:
                settings = Settings(lag=0, slice_hours=self.rng.choice([6, 24, 72]), archive_checkpoint=3,
                                    relist_pages=self.rng.choice([1, 2, 4]))  # fmt: skip
                received: Dict[str, List[Dict[str, Any]]] = {name: [] for name in self.streams}
                self._until_complete(client, settings, received, troubled=True)
                self.live = False
                server.faults.clear()
                self._until_complete(client, settings, received, troubled=False)  # one more sync run
                result = {}
                for name in self.streams:
                    lines = (
                        received[name] if self.mode == "sync" else read_lines(os.path.join(self.out, name + ".jsonl"))
                    )
                    result[name] = compare(name, lines, server_state(client, name))
                return result

    def _until_complete(
        self, client: TembaClient, settings: Settings, received: Dict[str, List[Dict[str, Any]]], troubled: bool
    ) -> None:
        rng = self.rng
        for attempt in range(300):
            pages = rng.choice([None, 1, 2, 3]) if troubled else None
            hook = Crasher(rng.randint(1, 8) if troubled and rng.random() < 0.3 else None)
            work = WorkBudget(pages=pages, clock=self.time.clock)
            if self.mode == "sync":
                name = self.streams[0]
                try:
                    state = os.path.join(self.out, "sync.json")
                    complete = sync(
                        client, name, state, hook.handler(received[name]), settings, self.budget(), work
                    ).complete
                except Exception:  # a crash, or a fault that went through
                    complete = False
            else:
                try:
                    results = run_export(client, self.streams, self.out, settings, self.budget(), work,
                                         progress=hook, concurrent=rng.random() < 0.5)  # fmt: skip
                    complete = set(results) == set(self.streams) and all(r.complete for r in results.values())
                except TembaExportError as ex:  # a crash: every stream's result is in the error
                    assert set(ex.results) == set(self.streams)
                    complete = False
                except TembaException:  # a fault while reading workspace.json, before any stream
                    complete = False
            if complete and (not troubled or attempt > 0):
                return
        raise AssertionError("scenario %d never completed" % self.seed)


class Crasher:
    """A progress hook (or sync handler) that raises :class:`Crash` at its n-th call.

    :param crash_at: the call that raises (None: never)
    """

    def __init__(self, crash_at: Optional[int]) -> None:
        self.crash_at = crash_at
        self.calls = 0

    def __call__(self, *args: Any) -> None:
        self.calls += 1
        if self.calls == self.crash_at:
            raise Crash("crash at checkpoint %d" % self.calls)

    def handler(self, received: List[Dict[str, Any]]) -> Callable[[List[Any]], None]:
        """A sync handler that keeps what it is given (after the crash check)."""

        def handle(page: List[Any]) -> None:
            self()
            received.extend(obj.serialize() for obj in page)

        return handle


def play(seed: int, out: str) -> Tuple[Scenario, Dict[str, Dict[str, int]]]:
    """Plays one scenario in ``out``; returns it and its comparison counts."""
    scenario = Scenario(seed, out)
    return scenario, scenario.run()


def failures(result: Dict[str, Dict[str, int]]) -> Dict[str, Dict[str, int]]:
    """The streams whose counts are not all 0."""
    return {name: counts for name, counts in result.items() if any(counts.values())}

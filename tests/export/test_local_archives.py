"""The engine against the local server's real archives: gzipped files on presigned storage URLs,
daily and monthly archives, rollups, expiring URLs, and records archived while the export runs."""

from __future__ import annotations

from temba_client.export import RateBudget, Settings, run_export
from temba_client.testing import LocalRapidProServer
from temba_client.v2 import TembaClient

from .scenarios import DAYS, Crasher, compare, read_lines, server_state

FAST = dict.fromkeys(("v2", "v2.runs", "v2.messages", "v2.contacts"), 1e9)


def fast() -> RateBudget:
    return RateBudget(FAST, burst=1e9)


def spread(server: LocalRapidProServer) -> None:
    """Runs modified and messages created over a week, a few per day (the seed puts them on one day)."""
    ws = server.workspace
    for table, attr in (("runs", "modified_on"), ("messages", "created_on")):
        for n, row in enumerate(list(ws.rows[table])):
            ws.modify(table, row["id"], **{attr: "%sT%02d:00:00.000000Z" % (DAYS[n % len(DAYS)], 6 + n % 3)})


def export(server, out, **settings):
    with TembaClient(server.url, server.token, max_retries=0) as client:
        results = run_export(client, ["runs", "messages"], str(out), Settings(lag=0, **settings), fast())
        expected = {kind: server_state(client, kind) for kind in ("runs", "messages")}
    return results, expected


def check(out, expected):
    for kind in ("runs", "messages"):
        counts = compare(kind, read_lines(str(out / (kind + ".jsonl"))), expected[kind])
        assert counts == {"missing": 0, "stale": 0, "extra": 0, "duplicated": 0}, kind


def test_archives_then_the_api_oldest_first_without_the_token_at_storage(tmp_path):
    with LocalRapidProServer(seed=30, page_size=4) as server:
        spread(server)
        server.workspace.archive("run", "daily", DAYS[0])
        results, expected = export(server, tmp_path)
        assert all(r.complete for r in results.values()), results
        check(tmp_path, expected)
        runs = read_lines(str(tmp_path / "runs.jsonl"))
        messages = read_lines(str(tmp_path / "messages.jsonl"))
        # oldest first: archive by archive (a file is in id order), then the API in time order
        assert [r["modified_on"][:10] for r in runs] == sorted(r["modified_on"][:10] for r in runs)
        assert [m["created_on"][:10] for m in messages] == sorted(m["created_on"][:10] for m in messages)
        api = [r["modified_on"] for r in runs if r["modified_on"] >= DAYS[1]]
        assert api and api == sorted(api)
        # the seed's monthly (December) and daily (January) archives, then ours, then the API
        assert runs[0]["created_on"].startswith("2023-12") and runs[-1]["modified_on"] > DAYS[0]
        storage = [r for r in server.requests if r.path.startswith("/storage/")]
        assert len(storage) >= 4 and all(r.status == 200 for r in storage)
        assert all("Authorization" not in r.headers for r in storage)
        assert len([r for r in server.requests if r.path == "/api/v2/runs.json"]) > 3  # several pages


def test_runs_of_a_day_never_archived_between_two_archived_days_are_exported(tmp_path):
    with LocalRapidProServer(seed=30, page_size=4) as server:
        spread(server)
        for day in (DAYS[0], DAYS[2]):  # DAYS[1] stays in the API: older than the last archive
            server.workspace.archive("run", "daily", day)
        gap = {r["id"] for r in server.workspace.rows["runs"] if r["modified_on"].startswith(DAYS[1])}
        assert gap
        _, expected = export(server, tmp_path)
        assert gap <= {r["id"] for r in read_lines(str(tmp_path / "runs.jsonl"))}
        check(tmp_path, expected)


def test_a_rollup_between_two_runs_writes_nothing_twice(tmp_path):
    with LocalRapidProServer(seed=30, page_size=4) as server:
        spread(server)
        for day in DAYS[:3]:
            server.workspace.archive("run", "daily", day)
        with TembaClient(server.url, server.token, max_retries=0) as client:
            settings = Settings(lag=0, archive_checkpoint=1)
            first = run_export(
                client, ["runs"], str(tmp_path), settings, fast(), progress=Crasher(6), raise_errors=False
            )
            assert first["runs"].error is not None  # crashed in the January dailies
            server.workspace.rollup("run", "2024-01")
            assert run_export(client, ["runs"], str(tmp_path), settings, fast())["runs"].complete
            expected = server_state(client, "runs")
        assert compare("runs", read_lines(str(tmp_path / "runs.jsonl")), expected) == dict.fromkeys(
            ("missing", "stale", "extra", "duplicated"), 0
        )


def test_an_expired_download_url_is_listed_again(tmp_path):
    with LocalRapidProServer(seed=30, page_size=4, archive_url_ttl=3600) as server:
        storage = server.workspace.storage
        # the first listing's URLs expire before they are used; later listings give fresh ones
        server.after_request(lambda request: setattr(storage, "clock", lambda: 1e10), endpoint="archives", nth=1)
        results, expected = export(server, tmp_path)
        assert all(r.complete for r in results.values()), results
        refused = [r for r in server.requests if r.path.startswith("/storage/") and r.status == 403]
        assert refused
        check(tmp_path, expected)


def test_records_archived_mid_export_are_read_from_their_archive_once(tmp_path):
    with LocalRapidProServer(seed=30, page_size=3) as server:
        spread(server)
        ws = server.workspace
        # after the first page of the API (oldest first), the next two days leave the API for archives
        server.after_request(
            lambda request: [ws.archive("run", "daily", day) for day in DAYS[:2]], endpoint="runs", nth=1
        )
        results, expected = export(server, tmp_path, relist_pages=1)
        assert results["runs"].complete
        assert {a["start_date"] for a in ws.rows["archives"] if a["archive_type"] == "run"} >= set(DAYS[:2])
        check(tmp_path, expected)


def test_the_local_server_pages_by_page_size():  # (a local server option these tests need)
    with LocalRapidProServer(seed=30, page_size=7) as server, TembaClient(server.url, server.token) as client:
        pages = list(client.get_contacts().iterfetches())
        assert [len(page) for page in pages] == [7, 7, 7, 7, 2]


def test_a_crash_after_a_messages_slice_was_spooled_loses_nothing(tmp_path):
    # scenario 162 found it: a rerun walked a finished slice again and spooled it twice; with the
    # oldest day archived meanwhile the second copy stopped short, the first copy's oldest records
    # looked older than the watermark and were dropped (this test passes on that code too: the
    # scenario, with a second crash mid-walk, is the reproducer)
    for crash_at in range(1, 8):
        with LocalRapidProServer(seed=10, page_size=3) as server, TembaClient(server.url, server.token) as client:
            spread(server)
            out = tmp_path / str(crash_at)
            settings = Settings(lag=0, slice_hours=24 * 365 * 5)
            run_export(client, ["messages"], str(out), settings, fast(), progress=Crasher(crash_at), raise_errors=False)
            server.workspace.archive("message", "daily", DAYS[0])
            assert run_export(client, ["messages"], str(out), settings, fast())["messages"].complete
            counts = compare("messages", read_lines(str(out / "messages.jsonl")), server_state(client, "messages"))
            assert counts == dict.fromkeys(("missing", "stale", "extra", "duplicated"), 0), crash_at


def test_an_archive_stopped_half_read_is_finished_first_when_an_older_one_appears(tmp_path):
    # scenario 847: a run stopped inside a late archive (its first lines committed); the next run
    # found an older archive made meanwhile, read it first, then read the half-read one from line 0
    import json

    from temba_client.export import WorkBudget

    with LocalRapidProServer(seed=30, page_size=4) as server:
        spread(server)
        ws = server.workspace
        with TembaClient(server.url, server.token, max_retries=0) as client:
            settings = Settings(lag=0, slice_hours=24, archive_checkpoint=1)

            def api_state():
                path = tmp_path / ".rapidpro-state.json"
                if not path.exists():
                    return {}
                with open(path) as handle:
                    return json.load(handle)["streams"]["messages"]

            def step(pages):
                return run_export(client, ["messages"], str(tmp_path), settings, fast(), WorkBudget(pages=pages))

            while (api_state().get("api", {}).get("watermark") or "") < DAYS[1]:
                step(1)
            assert (api_state()["api"]["watermark"] or "") < DAYS[2]
            ws.archive("message", "daily", DAYS[3])  # newer than the watermark: read from the archive
            assert not step(0)["messages"].complete  # stopped at its first checkpoint inside it
            assert api_state()["current"]["key"].endswith(DAYS[3]) and api_state()["current"]["line"] == 1
            ws.archive("message", "daily", DAYS[2])  # older, listed before it from now on
            while not step(None)["messages"].complete:
                pass
            expected = server_state(client, "messages")
    counts = compare("messages", read_lines(str(tmp_path / "messages.jsonl")), expected)
    assert counts == {"missing": 0, "stale": 0, "extra": 0, "duplicated": 0}

from __future__ import annotations

import json
import os
import random

import pytest

from temba_client.exceptions import TembaArchiveError, TembaExportError, TembaStateError
from temba_client.export import RateBudget, Settings, WorkBudget, run_export, sync
from temba_client.testing import LocalRapidProServer
from temba_client.v2 import TembaClient

from ..stub_server import page
from .helpers import listing, recorded_lines, serve_archive

FAST = dict.fromkeys(("v2", "v2.runs", "v2.messages", "v2.contacts"), 1000000000.0)


def fast() -> RateBudget:
    return RateBudget(FAST, burst=1e9)


def lines(path):
    with open(path) as stream:
        return [json.loads(line) for line in stream]


def api_run(run_id, modified_on):
    record = dict(recorded_lines("runs1")[0], id=run_id, uuid="00000000-0000-4000-8000-%012d" % run_id)
    record.update(created_on=modified_on, modified_on=modified_on, exited_on=modified_on)
    return record


def test_runs_come_from_archives_oldest_first_then_from_the_whole_api(stub, client, tmp_path):
    runs1, runs2 = recorded_lines("runs1"), recorded_lines("runs2")
    stub.add_json(
        "GET",
        "archives",
        listing([serve_archive(stub, runs1, "run", "2017-08-12"), serve_archive(stub, runs2, "run", "2017-08-10")]),
    )
    stub.add_json("GET", "runs", page([api_run(100, "2017-08-20T10:00:00.000000Z")]))
    results = run_export(client, ["runs"], str(tmp_path), Settings(lag=0), budget=fast())
    assert results["runs"].complete and results["runs"].written == len(runs1) + len(runs2) + 1
    ids = [r["id"] for r in lines(tmp_path / "runs.jsonl")]
    assert ids == [r["id"] for r in runs2] + [r["id"] for r in runs1] + [100]
    (api,) = [r for r in stub.requests if r.path == "/api/v2/runs.json"]
    # the API is read from the beginning: archived runs left it, runs never archived are still there
    assert api.param("after") is None and api.param("reverse") in ("1", "true", "True")
    assert not (tmp_path / ".archives").exists() or not os.listdir(tmp_path / ".archives")


def test_a_rollup_between_two_runs_writes_no_record_twice(stub, client, tmp_path):
    runs1, runs2 = recorded_lines("runs1"), recorded_lines("runs2")
    older = serve_archive(stub, runs2, "run", "2017-08-10")
    newer = serve_archive(stub, runs1, "run", "2017-08-12", body=b"broken")
    stub.add_json("GET", "archives", listing([older, newer]))
    with pytest.raises(TembaExportError) as failed:  # the second archive could not be read
        run_export(client, ["runs"], str(tmp_path), Settings(lag=0, archive_checkpoint=1), budget=fast())
    assert failed.value.results["runs"].error is failed.value.__cause__
    assert isinstance(failed.value.__cause__, TembaArchiveError) and "runs: TembaArchiveError" in str(failed.value)
    assert [r["id"] for r in lines(tmp_path / "runs.jsonl")] == [r["id"] for r in runs2]

    # the dailies are rolled up into a monthly archive holding both days
    stub.add_json("GET", "archives", listing([serve_archive(stub, runs2 + runs1, "run", "2017-08-01", "monthly")]))
    stub.add_json("GET", "runs", page([]))
    second = run_export(client, ["runs"], str(tmp_path), Settings(lag=0, archive_checkpoint=1), budget=fast())
    assert second["runs"].complete, second
    ids = [r["id"] for r in lines(tmp_path / "runs.jsonl")]
    assert sorted(ids) == sorted(r["id"] for r in runs1 + runs2) and len(ids) == len(set(ids))


def test_a_flow_and_a_period_filter_archived_runs(stub, client, tmp_path):
    runs = recorded_lines("runs1") + recorded_lines("runs2")
    flow = runs[0]["flow"]["uuid"]
    stub.add_json("GET", "archives", listing([serve_archive(stub, runs, "run", "2017-08-01", "monthly")]))
    stub.add_json("GET", "runs", page([]))
    run_export(client, ["runs"], str(tmp_path), Settings(lag=0, flow=flow), budget=fast())
    written = lines(tmp_path / "runs.jsonl")
    assert written and {r["flow"]["uuid"] for r in written} == {flow}
    (api,) = [r for r in stub.requests if r.path == "/api/v2/runs.json"]
    assert api.param("flow") == flow


def test_a_rerun_with_other_options_is_refused(stub, client, tmp_path):
    stub.add_json("GET", "flows", page([]))
    run_export(client, ["flows"], str(tmp_path), Settings(fmt="jsonl"), budget=fast())
    with pytest.raises(TembaStateError):
        run_export(client, ["flows"], str(tmp_path), Settings(fmt="csv"), budget=fast())


@pytest.fixture
def server():
    with LocalRapidProServer(seed=1000) as local:
        yield local


def exported_ids(path, key):
    return [r[key] for r in lines(path)]


def test_a_stop_at_any_page_then_reruns_export_everything_once(server, tmp_path):
    streams = ["contacts", "runs", "messages", "flows"]
    settings = Settings(lag=0, use_archives=False, slice_hours=24 * 30)
    with TembaClient(server.url, server.token) as client:
        expected = {
            "contacts": sorted(c.uuid for c in client.get_contacts()),
            "runs": sorted(r.id for r in client.get_runs()),
            "messages": sorted(m.id for m in client.get_messages()),
        }
        for budget_pages in (1, 3, 7):
            out = tmp_path / str(budget_pages)
            # the budget is shared by the streams' threads (a stream done in one run fetches again in
            # the next, for what is new): rerun until each has been complete once
            done: set = set()
            runs = 0
            while done != set(streams) and runs < 400:
                results = run_export(client, streams, str(out), settings, fast(), WorkBudget(pages=budget_pages))
                done |= {name for name, result in results.items() if result.complete}
                runs += 1
            assert done == set(streams) and runs > 1, budget_pages
            for name, key in (("contacts", "uuid"), ("runs", "id"), ("messages", "id")):
                ids = exported_ids(out / (name + ".jsonl"), key)
                assert sorted(ids) == expected[name], (name, budget_pages)
            times = [r["created_on"] for r in lines(out / "messages.jsonl")]
            assert times == sorted(times)  # oldest first
            modified = [r["modified_on"] for r in lines(out / "runs.jsonl")]
            assert modified == sorted(modified)


def test_failing_requests_then_reruns_lose_nothing(server, tmp_path):
    rng = random.Random(7)
    with TembaClient(server.url, server.token, max_retries=0) as client:
        expected = sorted(c.uuid for c in client.get_contacts())
        server.faults.randomly(seed=rng.randrange(1000), status_503=0.3)
        for _ in range(60):
            results = run_export(client, ["contacts"], str(tmp_path), Settings(lag=0), fast(), raise_errors=False)
            if results["contacts"].complete:
                break
        assert sorted(exported_ids(tmp_path / "contacts.jsonl", "uuid")) == expected


def test_sync_hands_over_what_changed_including_mid_sync_changes_and_deletions(server, tmp_path):
    state = str(tmp_path / "sync.json")
    with TembaClient(server.url, server.token) as client:
        contacts = client.get_contacts(reverse=True).all()
        seen = {}
        changed_during = []

        def handler(page):
            if not changed_during:  # while the first sync runs: change one delivered, one not yet
                for contact in (page[0], contacts[-1]):
                    changed_during.append(client.update_contact(contact, name="Changed %s" % contact.uuid[:4]))
            for contact in page:
                seen[contact.uuid] = contact

        sync(client, "contacts", state, handler, Settings(lag=0), fast())
        # the contact changed before its turn left the frozen window: it comes with the next sync
        assert set(seen) == {c.uuid for c in contacts[:-1]}

        later = []
        client.update_contact(contacts[5], name="Renamed")
        client.delete_contact(contacts[6])
        sync(client, "contacts", state, later.extend, Settings(lag=0), fast())
        got = {c.uuid: c for c in later}
        assert {contacts[5].uuid, contacts[6].uuid} | {c.uuid for c in changed_during} <= set(got)
        assert got[contacts[5].uuid].name == "Renamed"
        assert got[contacts[6].uuid].status is None  # the deletion
        for contact in changed_during:
            assert got[contact.uuid].name == contact.name  # the latest state, not a stale one

        again = []
        sync(client, "contacts", state, again.extend, Settings(lag=0), fast())
        assert again == []

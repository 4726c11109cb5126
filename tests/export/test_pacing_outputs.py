from __future__ import annotations

import datetime
import gzip

import pytest

from temba_client.exceptions import TembaRateExceededError
from temba_client.export import RateBudget, StopRequested, WorkBudget, Writer, flatten_run, to_records
from temba_client.export.sources import paced_pages
from temba_client.v2.types import Contact, Run

from ..stub_server import Reply, page
from .helpers import recorded_lines


class FakeTime:
    def __init__(self):
        self.now = 0.0
        self.slept = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def test_a_budget_hands_out_requests_at_the_scope_rate():
    fake = FakeTime()
    budget = RateBudget({"v2.runs": 3600}, burst=1, headroom=1.0, clock=fake.clock, sleep=fake.sleep)
    for _ in range(11):
        budget.acquire("v2.runs")
    assert fake.now == pytest.approx(10.0)  # one a second after the first
    budget.acquire("v2.contacts")  # another scope has its own budget
    assert fake.now == pytest.approx(10.0)
    assert budget.granted == {"v2.runs": 11, "v2.contacts": 1}


def test_a_429_pauses_the_scope_lowers_its_rate_and_the_page_is_fetched_again(stub, client):
    fake = FakeTime()
    budget = RateBudget({"v2.runs": 3600}, clock=fake.clock, sleep=fake.sleep)
    run = recorded_lines("runs1")[0]
    stub.add(
        "GET",
        "runs",
        Reply(status=429, json={"detail": "throttled"}, headers={"Retry-After": "30"}),
        Reply(json=page([run])),
    )
    pages = list(paced_pages(client.get_runs(), budget, "v2.runs"))
    assert [[r.id for r in p] for p, _ in pages] == [[run["id"]]]
    assert budget.throttled == {"v2.runs": 1} and budget.rate("v2.runs") < 3600
    assert sum(fake.slept) >= 30


def test_writes_retry_after_a_429():
    fake = FakeTime()
    budget = RateBudget(clock=fake.clock, sleep=fake.sleep)
    calls = []

    def write():
        calls.append(1)
        if len(calls) < 3:
            raise TembaRateExceededError(2)
        return "done"

    assert budget.call("v2", write) == "done" and len(calls) == 3


def test_a_work_budget_stops_after_its_pages_or_time():
    fake = FakeTime()
    work = WorkBudget(seconds=5, pages=2, clock=fake.clock)
    work.check()
    work.page_done()
    work.page_done()
    with pytest.raises(StopRequested):
        work.check()
    timed = WorkBudget(seconds=5, clock=fake.clock)
    fake.now += 6
    with pytest.raises(StopRequested):
        timed.check()


def runs():
    return [Run.deserialize(dict(r)) for r in recorded_lines("runs2") + recorded_lines("runs1")]


@pytest.mark.parametrize("fmt", ["jsonl", "jsonl.gz", "csv"])
def test_a_writer_cut_back_to_its_checkpoint_writes_no_page_twice(tmp_path, fmt):
    path = str(tmp_path / ("runs." + fmt))
    first, second = runs()[:2], runs()[2:]
    writer = Writer(path, fmt, Run)
    for run in first:
        writer.write(run)
    committed = writer.commit()
    for run in second:
        writer.write(run)
    writer.commit()  # written, but the state never recorded it (a crash)
    writer = Writer(path, fmt, Run, committed)
    for run in second:
        writer.write(run)
    writer.commit()
    opener = gzip.open if fmt.endswith("gz") else open
    with opener(path, "rt") as stream:
        text = stream.read().splitlines()
    expected_lines = len(first) + len(second) + (1 if fmt == "csv" else 0)
    assert len(text) == expected_lines
    if fmt == "csv":
        assert text[0].startswith("uuid,flow,contact")


def test_records_keep_native_values_and_runs_flatten_to_result_columns():
    run = runs()[0]
    (record,) = to_records([run])
    assert isinstance(record["created_on"], datetime.datetime)
    assert record["values"]["agree"]["category"] == "Strongly agree"
    row = flatten_run(run)
    assert row["agree_value"] == "A" and row["agree_category"] == "Strongly agree"
    assert isinstance(row["agree_time"], datetime.datetime)
    assert row["flow_uuid"] == run.flow.uuid


def test_bad_settings_are_refused_before_anything_happens(tmp_path):
    from temba_client.export import Settings, run_export

    with pytest.raises(ValueError):
        Writer(str(tmp_path / "x"), "xml", Contact)
    with pytest.raises(ValueError):
        Settings(fmt="xml")
    with pytest.raises(ValueError):
        run_export(None, ["nothing"], str(tmp_path))
    with pytest.raises(ValueError):
        RateBudget({"v2": 0})


def test_a_dataframe_of_flattened_runs():
    pandas = pytest.importorskip("pandas")
    from temba_client.export import to_dataframe

    frame = to_dataframe(runs(), flatten=True)
    assert isinstance(frame, pandas.DataFrame) and len(frame) == len(runs())
    assert "agree_category" in frame.columns


def test_queries_give_records_and_dataframes(rapidpro_client):
    records = rapidpro_client.get_runs().to_records()
    runs = rapidpro_client.get_runs().all()
    assert [r["uuid"] for r in records] == [run.uuid for run in runs]
    assert records[0]["created_on"] == runs[0].created_on  # datetimes stay datetimes
    assert isinstance(records[0]["flow"], dict)


def test_queries_give_dataframes(rapidpro_client):
    pytest.importorskip("pandas")
    frame = rapidpro_client.get_runs().to_dataframe(flatten=True)
    assert len(frame) == len(rapidpro_client.get_runs().all())


def test_an_archive_listed_twice_is_planned_once():
    # offset pages: an archive made between two pages pushes the last one of a page onto the next
    from temba_client.export.plan import plan_archives
    from temba_client.v2.types import Archive

    record = {"type": "run", "archive_type": "run", "start_date": "2024-01-02", "period": "daily",
              "record_count": 3, "size": 10, "hash": "x", "download_url": "http://127.0.0.1/a"}  # fmt: skip
    listed = [Archive.deserialize(record), Archive.deserialize(dict(record))]
    assert [p.key for p in plan_archives(listed, [], [])] == ["run-daily-2024-01-02"]

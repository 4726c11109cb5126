from __future__ import annotations

import datetime
import gzip
import io

import pytest

from temba_client.archives import (
    ArchiveDownloader,
    TembaArchiveError,
    TembaArchiveExpiredError,
    archive_end,
    read_archive,
)
from temba_client.v2.types import Archive, Message, Run

from ..stub_server import Reply
from .helpers import gzipped, listing, recorded_lines, serve_archive

UTC = datetime.timezone.utc


def test_run_records_become_api_runs_with_archive_only_keys_mapped():
    records = recorded_lines("runs1") + recorded_lines("runs2")
    runs = list(read_archive(io.BytesIO(gzipped(records)), "run"))
    assert [r.id for r in runs] == [r["id"] for r in records]
    assert all(isinstance(r, Run) for r in runs)
    second = runs[1]
    assert second.created_on == datetime.datetime(2017, 8, 12, 19, 11, 59, 890662, tzinfo=UTC)
    assert second.path[0].time.tzinfo is not None
    value = second.values["agree"]
    assert (value.value, value.category, value.input) == ("A", "Strongly agree", "A")
    assert value.time == datetime.datetime(2017, 5, 3, 12, 25, 21, 714339, tzinfo=UTC)
    assert second.start is None and second.contact.urn is None


def test_message_records_become_api_messages():
    records = recorded_lines("messages1")
    messages = list(read_archive(io.BytesIO(gzipped(records)), "message"))
    assert all(isinstance(m, Message) for m in messages)
    with_attachments = next(m for m in messages if m.attachments)
    assert with_attachments.media == "image/png:https://foo.bar/image1.png"
    assert with_attachments.attachments[1].url == "https://foo.bar/image2.png"
    labelled = messages[0]
    assert [lb.name for lb in labelled.labels] == ["Label 1", "Label 2"]
    assert labelled.archived is False and labelled.quick_replies == []
    assert labelled.sent_on == datetime.datetime(2017, 8, 12, 21, 11, 59, 890662, tzinfo=UTC)


def test_stored_statuses_read_as_the_api_says_them():
    record = dict(recorded_lines("messages1")[0], status="pending", visibility="archived")
    (message,) = read_archive(io.BytesIO(gzipped([record])), "message")
    assert message.status == "queued" and message.archived is True


def test_reading_resumes_at_a_line_and_rejects_bad_files(tmp_path):
    records = recorded_lines("runs1")
    path = tmp_path / "a.jsonl.gz"
    path.write_bytes(gzipped(records))
    assert [r.id for r in read_archive(str(path), "run", start_line=2)] == [r["id"] for r in records[2:]]
    with pytest.raises(TembaArchiveError):
        list(read_archive(io.BytesIO(b"not gzip at all"), "run"))
    with pytest.raises(TembaArchiveError, match="Line 2"):
        list(read_archive(io.BytesIO(gzip.compress(b'{"id": 1}\n[1, 2]\n')), "run"))
    with pytest.raises(ValueError):
        list(read_archive(str(path), "contact"))


def _archive(entry):
    return Archive.deserialize(entry)


def test_download_checks_size_and_md5_and_sends_no_token(stub, client, tmp_path):
    entry = serve_archive(stub, recorded_lines("runs1"), "run", "2017-08-12")
    path = ArchiveDownloader().download(_archive(entry), str(tmp_path))
    assert [r.id for r in read_archive(path, "run")] == [r["id"] for r in recorded_lines("runs1")]
    (request,) = [r for r in stub.requests if r.path.startswith("/storage/")]
    assert "Authorization" not in request.headers and stub.token not in str(request.headers)


def test_download_of_a_corrupt_file_raises_and_leaves_nothing(stub, tmp_path):
    records = recorded_lines("runs1")
    good = gzipped(records)
    corrupt = good[:-5] + b"xxxxx"
    entry = serve_archive(stub, records, "run", "2017-08-12", body=corrupt)
    with pytest.raises(TembaArchiveError, match="MD5"):
        ArchiveDownloader().download(_archive(entry), str(tmp_path))
    entry = serve_archive(stub, records, "run", "2017-08-13", body=good[:-10])
    with pytest.raises(TembaArchiveError, match="bytes"):
        ArchiveDownloader().download(_archive(entry), str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_an_expired_url_is_refreshed_by_listing_again(stub, client, tmp_path):
    records = recorded_lines("messages1")
    fresh = serve_archive(stub, records, "message", "2017-08-12", name="fresh.jsonl.gz")
    expired = dict(fresh, download_url=stub.url + "/storage/expired.jsonl.gz")
    stub.add("GET", "/storage/expired.jsonl.gz", Reply(status=403, body=b"<Error>Request has expired</Error>"))
    stub.add_json("GET", "archives", listing([fresh]))
    with pytest.raises(TembaArchiveExpiredError):
        ArchiveDownloader().download(_archive(expired), str(tmp_path))
    path = ArchiveDownloader().download(_archive(expired), str(tmp_path), relist=client)
    assert len(list(read_archive(path, "message"))) == len(records)
    relisted = [r for r in stub.requests if r.path == "/api/v2/archives.json"]
    assert relisted and "message" in (relisted[0].param("archive_type"), relisted[0].param("type"))


def test_archive_periods_end_where_the_next_begins():
    daily = Archive.deserialize({"archive_type": "run", "start_date": "2024-02-28", "period": "daily"})
    monthly = Archive.deserialize({"archive_type": "run", "start_date": "2023-12-01", "period": "monthly"})
    assert archive_end(daily) == datetime.datetime(2024, 2, 29, tzinfo=UTC)
    assert archive_end(monthly) == datetime.datetime(2024, 1, 1, tzinfo=UTC)

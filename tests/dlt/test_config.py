"""The source's arguments, its configuration, its state checks, and the core's independence from dlt."""

from __future__ import annotations

import datetime
import subprocess
import sys

import pytest

from temba_client.export import Settings

from .conftest import DATASET, fast, query, rapidpro_source, settings


def test_the_core_never_imports_dlt():
    code = (
        "import sys, temba_client, temba_client.v2, temba_client.export, temba_client.export.command, "
        "temba_client.testing, temba_client.archives; assert 'dlt' not in sys.modules, 'dlt imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_url_and_token_come_from_the_environment(server, make_pipeline, monkeypatch):
    monkeypatch.setenv("RAPIDPRO_URL", server.url)
    monkeypatch.setenv("RAPIDPRO_TOKEN", server.token)
    pipeline = make_pipeline()
    pipeline.run(rapidpro_source(resources=["workspace", "flows"], budget=fast()))
    assert query(pipeline, "SELECT name FROM %s.workspace" % DATASET) == [("Local Workspace",)]
    assert set(pipeline.default_schema.tables) >= {"workspace", "flows"}
    assert "contacts" not in pipeline.default_schema.tables


def test_dlt_secrets_win_over_the_environment(server, make_pipeline, monkeypatch):
    monkeypatch.setenv("RAPIDPRO_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("RAPIDPRO_TOKEN", "wrong")
    monkeypatch.setenv("SOURCES__RAPIDPRO__URL", server.url)
    monkeypatch.setenv("SOURCES__RAPIDPRO__TOKEN", server.token)
    pipeline = make_pipeline()
    pipeline.run(rapidpro_source(resources=["workspace"], budget=fast()))
    assert query(pipeline, "SELECT count(*) FROM %s.workspace" % DATASET) == [(1,)]


def test_a_missing_token_is_a_clear_error_without_secrets(monkeypatch):
    monkeypatch.delenv("RAPIDPRO_TOKEN", raising=False)
    monkeypatch.delenv("SOURCES__RAPIDPRO__TOKEN", raising=False)
    with pytest.raises(ValueError, match="No RapidPro token: .*RAPIDPRO_TOKEN"):
        rapidpro_source(url="http://127.0.0.1:9")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"resources": ["contacts", "nope"]}, ValueError, "Unknown resources nope"),
        ({"resources": "contacts"}, TypeError, "list of endpoint names"),
        ({"since": 20240101}, TypeError, "since must be a datetime"),
        ({"since": "2024-01-01", "settings": Settings()}, ValueError, "not both"),
        ({"settings": {"lag": 0}}, TypeError, "settings must be"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_sent(server, client, kwargs, error, message):
    with pytest.raises(error, match=message):
        rapidpro_source(client=client, **kwargs)
    assert server.requests == []


def test_every_resource_is_declared_once():
    from temba_client.dlt import RESOURCES

    names = [resource.name for resource in RESOURCES]
    assert len(names) == len(set(names)) == 17


def test_since_limits_the_records_and_cannot_change_for_a_pipeline(server, client, make_pipeline):
    since = datetime.datetime(2024, 1, 5, tzinfo=datetime.timezone.utc)
    pipeline = make_pipeline()
    pipeline.run(rapidpro_source(client=client, since=since.isoformat(), resources=["runs"], budget=fast()))
    expected = sorted(run.id for run in client.get_runs(after=since))
    assert sorted(row[0] for row in query(pipeline, "SELECT id FROM %s.runs" % DATASET)) == expected
    with pytest.raises(Exception, match="other settings"):
        pipeline.run(rapidpro_source(client=client, resources=["runs"], settings=settings(), budget=fast()))

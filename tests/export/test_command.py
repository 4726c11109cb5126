from __future__ import annotations

import json

import pytest

from temba_client.export.command import main
from temba_client.testing import LocalRapidProServer


@pytest.fixture
def env(monkeypatch):
    with LocalRapidProServer(seed=300) as server:
        monkeypatch.setenv("RAPIDPRO_URL", server.url)
        monkeypatch.setenv("RAPIDPRO_TOKEN", server.token)
        yield server


def test_export_then_rerun_continues_and_summarises(env, tmp_path, capsys):
    out = str(tmp_path)
    args = ["export", "contacts", "flows", "--out", out, "--no-archives", "--max-pages", "1"]
    assert main(args) == 3  # stopped after one page
    assert "run the same command again" in capsys.readouterr().out
    assert main(args[:-2]) == 0
    output = capsys.readouterr()
    assert "contacts" in output.out and "complete" in output.out
    assert env.token not in output.out + output.err
    with open(tmp_path / "contacts.jsonl") as stream:
        uuids = [json.loads(line)["uuid"] for line in stream]
    assert len(uuids) == len(set(uuids)) == 300


def test_missing_settings_and_bad_dates_are_refused(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("RAPIDPRO_URL", raising=False)
    assert main(["export", "runs", "--out", str(tmp_path)]) == 2
    assert "RAPIDPRO_URL" in capsys.readouterr().err
    monkeypatch.setenv("RAPIDPRO_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("RAPIDPRO_TOKEN", "x")
    assert main(["export", "runs", "--out", str(tmp_path), "--since", "yesterday-ish"]) == 2
    assert "not an ISO 8601 date" in capsys.readouterr().err

from __future__ import annotations

import json
import os
import signal
import threading
import time

import pytest

from temba_client.export.command import main
from temba_client.export.lock import RunLock
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


def test_every_subcommand_explains_its_environment_exit_codes_and_arguments(capsys):
    for command in ([], ["export"], ["sync"], ["archives"]):
        with pytest.raises(SystemExit) as done:
            main([*command, "--help"])
        assert done.value.code == 0
        text = capsys.readouterr().out
        for words in ("RAPIDPRO_URL", "RAPIDPRO_TOKEN", "exit status", "130", "143", "  4 "):
            assert words in text, (command, words)
        if command:
            assert "--url" in text and "--token-file" in text and "shows in `ps`" in text
    with pytest.raises(SystemExit):
        main(["archives", "--help"])
    assert "which archives: run or message" in capsys.readouterr().out
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and "(rapidpro-python) 3." in capsys.readouterr().out


def test_the_url_and_token_file_options_replace_the_environment(env, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("RAPIDPRO_URL")
    monkeypatch.delenv("RAPIDPRO_TOKEN")
    token_file = tmp_path / "token"
    token_file.write_text(env.token + "\n")
    out = str(tmp_path / "out")
    args = ["export", "flows", "--out", out, "--url", env.url, "--token-file", str(token_file)]
    assert main(args) == 0
    assert "flows" in capsys.readouterr().out
    assert main(["export", "flows", "--out", out, "--url", env.url, "--token-file", str(tmp_path / "none")]) == 2
    assert "cannot read the token file" in capsys.readouterr().err
    assert main(["export", "flows", "--out", out, "--url", env.url, "--token", "a b"]) == 2
    err = capsys.readouterr().err
    assert "usage: rapidpro export" in err and "Traceback" not in err


def test_sync_takes_the_options_kept_in_the_directory(env, tmp_path, capsys):
    out = str(tmp_path)
    assert main(["export", "contacts", "--out", out, "--since", "2024-01-01", "--format", "csv"]) == 0
    assert main(["sync", "contacts", "--out", out]) == 0  # csv and the date come from the state
    assert "complete" in capsys.readouterr().out and not (tmp_path / "contacts.jsonl").exists()
    assert main(["sync", "contacts", "--out", out, "--format", "jsonl", "--flow", "f"]) == 2
    err = capsys.readouterr().err
    assert 'flow none (given "f"), format "csv" (given "jsonl")' in err


def test_each_setup_failure_is_one_line_with_its_exit_status(env, tmp_path, capsys):
    out = str(tmp_path / "out")
    assert main(["export", "flows", "--out", out, "--token", "wrong"]) == 4
    assert "refused the token" in capsys.readouterr().err and not os.path.exists(out)
    assert main(["export", "flows", "--out", out, "--url", env.url + "/nothing/here"]) == 4
    assert "no RapidPro workspace API at" in capsys.readouterr().err and not os.path.exists(out)
    env.faults.add(500, endpoint="workspace", times=2)
    assert main(["export", "flows", "--out", out, "--debug"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and err.strip().splitlines()[-1].endswith("(TembaHttpError)")
    assert main(["export", "flows", "--out", out]) == 0
    with RunLock(os.path.join(out, ".rapidpro-lock"), out):
        assert main(["export", "flows", "--out", out]) == 4
    assert capsys.readouterr().err.strip().endswith("another export is writing to %s (pid %d)" % (out, os.getpid()))
    with open(os.path.join(out, ".rapidpro-state.json"), "w") as stream:
        stream.write("{")
    assert main(["export", "flows", "--out", out]) == 4
    assert "is not valid JSON" in capsys.readouterr().err
    assert main(["export", "flows", "--out", out, "--restart", "flows"]) == 0
    assert main(["archives", "run"]) == 0
    assert "records" in capsys.readouterr().out
    with pytest.raises(SystemExit) as usage:
        main(["export", "flows", "--out", out, "--rate", "nan"])
    assert usage.value.code == 2 and "must be more than 0" in capsys.readouterr().err


def test_sigterm_stops_a_paced_export_at_once(env, tmp_path, capsys):
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    started = time.monotonic()
    assert main(["export", "runs", "messages", "contacts", "--out", str(tmp_path), "--rate", "240"]) == 143
    assert time.monotonic() - started < 5
    output = capsys.readouterr()
    assert output.err.strip().endswith("stopped: run the same command again to continue") and "stopped;" in output.out
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the command's handlers are gone

"""The export as an operator runs it: real ``rapidpro`` processes against the bundled server,
killed, signalled, run twice at once, given a damaged directory or a full disk; after each, a final
rerun must leave exactly the server's records (:func:`~.processes.check_exact`).

Two representative cases run in the quick tier; the trials are marked slow.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from temba_client.export.runner import STATE_FILE

from .processes import (
    STREAMS,
    TOKEN,
    check_exact,
    export_args,
    finish,
    killed_after,
    killed_mid_export,
    read_output,
    run,
    server,
    start,
)

CONTINUE = "stopped: run the same command again to continue"
EXACT_STATUS = 0


def rerun_until_complete(out, live, extra=()):
    """The final rerun: one run of the same command, which must complete."""
    done = run(export_args(out, STREAMS, *extra), live.url)
    assert done.code == EXACT_STATUS, done
    check_exact(out, live)
    return done


# -- quick: one kill, the failures that write nothing ------------------------------------------------


def test_a_kill_9_mid_export_then_a_rerun_leaves_exactly_the_servers_records(tmp_path):
    out = str(tmp_path / "out")
    with server(seed=100) as live:
        killed = killed_mid_export(export_args(out), live.url, out)
        assert killed.code == -signal.SIGKILL, killed
        rerun_until_complete(out, live)


def test_mistakes_end_with_one_line_an_exit_status_and_no_file(tmp_path):
    out = tmp_path / "out"
    with server(seed=10) as live:
        wrong = run(export_args(str(out)), live.url, token="not-the-token")
        assert wrong.code == 4 and "refused the token" in wrong.one_line_error and "RAPIDPRO_TOKEN" in wrong.err
        assert not out.exists()  # a failure a rerun cannot fix leaves nothing behind
        for args, words in (
            (["--rate", "0"], "must be more than 0"),
            (["--since", "2024-02-01", "--until", "2024-01-01"], "since must be before until"),
        ):
            bad = run(export_args(str(out), STREAMS, *args), live.url)
            assert bad.code == 2 and words in bad.one_line_error and "usage: rapidpro export" in bad.err, bad
        (tmp_path / "file").write_text("x")
        under = run(export_args(str(tmp_path / "file" / "out")), live.url)
        assert under.code == 2 and "is a file, not a directory" in under.one_line_error, under
        assert not out.exists()


# -- slow: the trials ---------------------------------------------------------------------------------


def committed_part(out: str, name: str) -> None:
    """Asserts the part of a stream's file that the state on disk records is whole: at least that
    many bytes, ending at a line's end, every line a JSON object, no NUL byte."""
    try:
        with open(os.path.join(out, STATE_FILE), encoding="utf-8") as stream:
            committed = (json.load(stream)["streams"].get(name) or {}).get("committed") or 0
    except FileNotFoundError:  # killed before the state was first written
        return
    path = os.path.join(out, name + ".jsonl")
    if not os.path.exists(path):
        assert committed == 0, (name, committed)
        return
    with open(path, "rb") as stream:
        data = stream.read()
    assert len(data) >= committed, (name, len(data), committed)
    part = os.path.join(out, name + ".committed")
    with open(part, "wb") as stream:
        stream.write(data[:committed])
    read_output(part)
    os.remove(part)


@pytest.mark.slow
@pytest.mark.parametrize("trial", range(24))
def test_kill_9_at_random_moments_then_a_rerun_is_exact(tmp_path, trial):
    """SIGKILL at a seeded random moment (every third trial twice), then the same command again:
    half the trials after a random time, half once the files hold a random share of the export."""
    rng = random.Random(trial)
    out = str(tmp_path / "out")
    with server(seed=300) as live:
        for _ in range(2 if trial % 3 == 0 else 1):
            if trial % 2:
                killed = killed_after(export_args(out), live.url, rng.uniform(0.3, 2.0))
            else:  # the three files hold about 850 kB at the end
                killed = killed_mid_export(export_args(out), live.url, out, rng.randrange(1, 800000))
            assert killed.code in (-signal.SIGKILL, 0), killed
            if killed.code == -signal.SIGKILL:
                for name in STREAMS:  # whatever the moment, the state never runs ahead of the files
                    committed_part(out, name)  # (a page torn by the kill lies after it: cut on rerun)
        rerun_until_complete(out, live)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_signal_stops_at_the_next_commit_and_a_rerun_is_exact(tmp_path, sig):
    out = str(tmp_path / "out")
    with server(seed=300) as live:
        for delay in (0.6, 1.2):
            stopped = killed_after(export_args(out), live.url, delay, sig)
            if stopped.code == 0:
                continue  # it finished first
            assert stopped.code == 128 + sig, stopped
            assert stopped.one_line_error == CONTINUE and "stopped; run the same command again" in stopped.out
        rerun_until_complete(out, live)


@pytest.mark.slow
def test_a_second_signal_exits_at_once_and_a_rerun_is_exact(tmp_path):
    out = str(tmp_path / "out")
    with server(seed=300) as live:
        done = killed_after(export_args(out), live.url, 0.8, signal.SIGINT, signal.SIGINT)
        assert done.code in (130, 0), done
        rerun_until_complete(out, live)


@pytest.mark.slow
def test_ctrl_c_while_paced_exits_within_seconds(tmp_path):
    out = str(tmp_path / "out")
    with server(seed=300) as live:
        # after 2 s the scopes have spent their burst: every thread waits ~15 s for its next request
        done = killed_after(export_args(out, STREAMS, "--rate", "240"), live.url, 2.0, signal.SIGINT)
        assert done.code == 130 and done.one_line_error == CONTINUE, done
        assert done.seconds - 2.0 < 5.0, done
        rerun_until_complete(out, live)


@pytest.mark.slow
def test_two_runs_at_once_into_one_directory(tmp_path):
    out = str(tmp_path / "out")
    with server(seed=300) as live:
        started = time.monotonic()
        first, second = start(export_args(out), live.url), start(export_args(out), live.url)
        done = [finish(first, started), finish(second, started)]
        codes = sorted(d.code for d in done)
        assert codes == [0, 4], done
        winner, loser = (done[0], done[1]) if done[0].code == 0 else (done[1], done[0])
        pid = (first if winner is done[0] else second).pid
        assert loser.one_line_error == "rapidpro: error: another export is writing to %s (pid %d)" % (out, pid)
        check_exact(out, live)
        rerun_until_complete(out, live)


def _shorten(out, name):
    path = os.path.join(out, name + ".jsonl")
    subprocess.run("head -n 10 %s > %s.tmp && mv %s.tmp %s" % (path, path, path, path), shell=True, check=True)


def _swap_data(out, name):
    shutil.copyfile(os.path.join(out, "contacts.jsonl"), os.path.join(out, name + ".jsonl"))


@pytest.mark.slow
@pytest.mark.parametrize(
    "damage, name",
    [
        (lambda out, name: os.remove(os.path.join(out, name + ".jsonl")), "runs"),
        (_shorten, "contacts"),
        (_swap_data, "messages"),
    ],
    ids=["removed", "shortened", "swapped"],
)
def test_a_damaged_file_is_refused_naming_the_way_out_then_restart_is_exact(tmp_path, damage, name):
    out = str(tmp_path / "out")
    with server(seed=100) as live:
        assert run(export_args(out), live.url).code == 0
        damage(out, name)
        refused = run(export_args(out), live.url)
        line = refused.one_line_error
        assert refused.code == 4 and line.startswith("rapidpro: error: %s: " % name), refused
        assert "add --restart %s" % name in line and len(refused.err.strip().splitlines()) == 1
        assert b"\x00" not in Path(out, "contacts.jsonl").read_bytes()
        rerun_until_complete(out, live, ("--restart", name))


@pytest.mark.slow
def test_a_state_swapped_in_from_another_export_is_refused_or_proven(tmp_path):
    """A state copied from a partial export of the same workspace: the files are longer and their
    bytes before each committed size are the same, so they are cut back and the export goes on; a
    complete export's state copied onto a partial one finds shorter files and is refused."""
    partial, whole = str(tmp_path / "partial"), str(tmp_path / "whole")
    with server(seed=100) as live:
        assert run(export_args(partial, STREAMS, "--max-pages", "2"), live.url).code == 3
        assert run(export_args(whole), live.url).code == 0
        state = ".rapidpro-state.json"
        saved = os.path.join(str(tmp_path), state)
        shutil.copyfile(os.path.join(partial, state), saved)
        shutil.copyfile(os.path.join(whole, state), os.path.join(partial, state))
        refused = run(export_args(partial), live.url)
        assert refused.code == 4 and "is shorter than the state records" in refused.one_line_error, refused
        shutil.copyfile(saved, os.path.join(whole, state))  # the partial state on the whole files
        rerun_until_complete(whole, live)


@pytest.mark.slow
def test_a_directory_of_another_workspace_is_refused_then_restart_is_exact(tmp_path):
    out = str(tmp_path / "out")
    with server(seed=100) as first:
        assert run(export_args(out), first.url).code == 0
    with server(seed=120) as second:
        refused = run(export_args(out), second.url)
        assert refused.code == 4 and "belongs to workspace" in refused.one_line_error, refused
        assert "--restart contacts --restart messages --restart runs" in refused.err
        restart = [word for name in STREAMS for word in ("--restart", name)]
        rerun_until_complete(out, second, restart)


def _mount_tmpfs(path, size):
    os.makedirs(path, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s" % size, "tmpfs", path], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here: %s" % mounted.stderr.decode(errors="replace").strip())


@pytest.mark.slow
def test_a_full_disk_fails_with_one_line_per_stream_then_a_rerun_is_exact(tmp_path):
    out = str(tmp_path / "disk")
    _mount_tmpfs(out, "400k")
    try:
        with server(seed=300) as live:
            full = run(export_args(out), live.url)
            assert full.code == 1 and "Traceback" not in full.err, full
            assert "No space left on device" in full.out and out in full.out, full
            subprocess.run(["mount", "-o", "remount,size=64m", out], check=True)
            rerun_until_complete(out, live)
    finally:
        subprocess.run(["umount", "-l", out])


@pytest.mark.slow
def test_a_read_only_directory_fails_with_one_line(tmp_path):
    out = str(tmp_path / "ro")
    _mount_tmpfs(out, "1m")
    try:
        subprocess.run(["mount", "-o", "remount,ro", out], check=True)
        with server(seed=10) as live:
            done = run(export_args(out), live.url)
            assert done.code == 1 and "Read-only file system" in done.one_line_error, done
    finally:
        subprocess.run(["umount", "-l", out])


@pytest.mark.slow
def test_an_unreachable_server_and_archives_errors_end_with_one_line(tmp_path):
    out = tmp_path / "out"
    with server(seed=10) as live:
        url = live.url
        archives = run(["archives", "run"], url, token="wrong")
        assert archives.code == 4 and "refused the token" in archives.one_line_error, archives
        listed = run(["archives", "run"], url)
        assert listed.code == 0 and "records" in listed.out, listed
    closed = run(export_args(str(out)), url)  # the server is gone: nothing listens on its port
    assert closed.code == 4 and "cannot reach" in closed.one_line_error and "RAPIDPRO_URL" in closed.err, closed
    assert not out.exists()
    archives = run(["archives", "message"], url)
    assert archives.code == 4 and "cannot reach" in archives.one_line_error, archives
    newline = run(export_args(str(out)), url, token="abc\ndef")
    assert newline.code == 2 and TOKEN not in newline.err and "abc" not in newline.err, newline


@pytest.mark.slow
def test_sync_reuses_the_exports_options_and_refuses_contradictions(tmp_path):
    out = str(tmp_path / "out")
    with server(seed=100) as live:
        assert run(export_args(out, STREAMS, "--since", "2023-12-01", "--format", "jsonl"), live.url).code == 0
        synced = run(["sync", *STREAMS, "--out", out], live.url)
        assert synced.code == 0 and synced.out.count("complete") == 3, synced
        other = run(["sync", "runs", "--out", out, "--since", "2024-01-01"], live.url)
        assert other.code == 2 and '"2023-12-01T00:00:00.000000Z" (given "2024-01-01T00:00:00.000000Z")' in other.err
        again = run(export_args(out, STREAMS, "--since", "2024-01-01"), live.url)
        assert again.code == 4 and "other options: since" in again.one_line_error, again

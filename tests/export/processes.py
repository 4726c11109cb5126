"""Real ``rapidpro`` processes against the bundled server, and the checker of what they leave.

The command is the one installed beside the interpreter running the tests (``.venv/bin/rapidpro``),
started with ``subprocess`` and stopped the way an operator's world stops it (SIGKILL at a random
moment, SIGINT, SIGTERM, two at once). The server runs in the test process, so the tests know the
exact records the output must hold.

:func:`check_exact` is the one judge: every output file holds the server's records (API listing,
deleted contacts, every listed archive), none missing, none duplicated, none stale (the last line of
an id is the record's latest version), none extra, no NUL byte, no torn line (every line is a whole
JSON object ending with a newline).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from typing import Any, Dict, List, Optional, Sequence

from temba_client.testing import LocalRapidProServer
from temba_client.v2 import TembaClient

from .scenarios import compare, server_state

TOKEN = "process-token"
STREAMS = ("runs", "messages", "contacts")
#: The installed command (the console script of this environment).
COMMAND = os.path.join(os.path.dirname(sys.executable), "rapidpro")


def server(seed: int = 300, page_size: int = 10, **kwargs: Any) -> LocalRapidProServer:
    """A started local server: seed 300 with pages of 10 takes about 2 s to export (120 pages)."""
    return LocalRapidProServer(seed=seed, page_size=page_size, token=TOKEN, **kwargs).start()


def environment(url: Optional[str], token: Optional[str] = TOKEN) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPIDPRO_")}
    if url is not None:
        env["RAPIDPRO_URL"] = url
    if token is not None:
        env["RAPIDPRO_TOKEN"] = token
    return env


def start(args: Sequence[str], url: Optional[str], token: Optional[str] = TOKEN) -> subprocess.Popen:
    """Starts ``rapidpro ARGS`` (its output captured)."""
    return subprocess.Popen(
        [COMMAND, *args],
        env=environment(url, token),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


class Done:
    """A finished process: its status and output."""

    def __init__(self, code: int, out: str, err: str, seconds: float) -> None:
        self.code, self.out, self.err, self.seconds = code, out, err, seconds

    def __repr__(self) -> str:
        return "<exit %d after %.1fs\nstdout: %s\nstderr: %s>" % (self.code, self.seconds, self.out, self.err)

    @property
    def one_line_error(self) -> str:
        """The error line (asserting it is one line, with no traceback)."""
        assert "Traceback" not in self.err, self
        lines = [line for line in self.err.splitlines() if line.strip()]
        assert lines, self
        return lines[-1]


def finish(process: subprocess.Popen, started: float, timeout: float = 120) -> Done:
    out, err = process.communicate(timeout=timeout)
    return Done(process.returncode, out, err, time.monotonic() - started)


def run(args: Sequence[str], url: Optional[str], token: Optional[str] = TOKEN, timeout: float = 120) -> Done:
    """Runs ``rapidpro ARGS`` to its end."""
    started = time.monotonic()
    return finish(start(args, url, token), started, timeout)


def export_args(out: str, streams: Sequence[str] = STREAMS, *extra: str) -> List[str]:
    return ["export", *streams, "--out", out, *extra]


def killed_after(args: Sequence[str], url: str, delay: float, *signals: int) -> Done:
    """Starts ``rapidpro ARGS`` and sends ``signals`` (default SIGKILL), one after the other, after
    ``delay`` seconds (unless it ended first)."""
    started = time.monotonic()
    process = start(args, url)
    try:
        process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        for sig in signals or (signal.SIGKILL,):
            process.send_signal(sig)
    return finish(process, started)


def killed_mid_export(args: Sequence[str], url: str, out: str, after_bytes: int = 1, sig: int = signal.SIGKILL) -> Done:
    """Starts ``rapidpro ARGS`` and sends ``sig`` (SIGKILL) as soon as its files hold
    ``after_bytes`` bytes together (polled every few milliseconds), unless it ended first."""
    started = time.monotonic()
    process = start(args, url)
    files = [os.path.join(out, name + ".jsonl") for name in STREAMS]
    while process.poll() is None and time.monotonic() - started < 60:
        if sum(os.path.getsize(path) for path in files if os.path.exists(path)) >= after_bytes:
            process.send_signal(sig)
            break
        time.sleep(0.003)
    return finish(process, started)


def read_output(path: str) -> List[Dict[str, Any]]:
    """The records of a JSON Lines file, asserting it has no NUL byte and no torn line."""
    if not os.path.exists(path):
        return []
    with open(path, "rb") as stream:
        data = stream.read()
    assert b"\x00" not in data, "%s has NUL bytes" % path
    assert not data or data.endswith(b"\n"), "%s ends with a torn line" % path
    records = []
    for number, line in enumerate(data.split(b"\n")[:-1], 1):
        try:
            records.append(json.loads(line))
        except ValueError:
            raise AssertionError("%s: line %d is not a JSON object: %r" % (path, number, line[:80])) from None
    return records


def check_exact(out: str, live: LocalRapidProServer, streams: Sequence[str] = STREAMS) -> None:
    """Asserts each stream's output holds exactly the server's records (see the module's notes)."""
    with TembaClient(live.url, live.token) as client:
        for name in streams:
            counts = compare(name, read_output(os.path.join(out, name + ".jsonl")), server_state(client, name))
            assert counts == dict.fromkeys(("missing", "stale", "extra", "duplicated"), 0), (name, counts)

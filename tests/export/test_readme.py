"""The README's "Exporting a workspace" commands, run as written (a free port instead of 8000)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from temba_client.v2 import TembaClient

from .processes import COMMAND
from .scenarios import compare, read_lines, server_state

TOKEN = "local-token"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow  # a server of 1,000 contacts started as its own process, and every record checked: ~4 s
def test_the_readme_exports_the_local_server(tmp_path):
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "README.md"), encoding="utf-8") as stream:
        readme = stream.read()
    assert "python -m temba_client.testing --port 8000 --seed 1000 --token local-token &" in readme
    assert "rapidpro export runs messages contacts --since 2023-12-01 --out export/" in readme
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "temba_client.testing", "--port", str(port), "--seed", "1000", "--token", TOKEN],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None and "Local RapidPro API" in server.stdout.readline()
        url = "http://127.0.0.1:%d" % port
        env = dict(os.environ, RAPIDPRO_URL=url, RAPIDPRO_TOKEN=TOKEN)
        args = ["export", "runs", "messages", "contacts", "--since", "2023-12-01", "--out", str(tmp_path / "export")]
        done = subprocess.run([COMMAND, *args], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        assert TOKEN not in done.stdout + done.stderr
        with TembaClient(url, TOKEN) as client:
            for kind in ("runs", "messages", "contacts"):
                lines = read_lines(str(tmp_path / "export" / (kind + ".jsonl")))
                assert lines and compare(kind, lines, server_state(client, kind)) == dict.fromkeys(
                    ("missing", "stale", "extra", "duplicated"), 0
                ), kind
        assert json.loads((tmp_path / "export" / ".rapidpro-state.json").read_text())["streams"]
    finally:
        server.terminate()
        server.wait(timeout=30)

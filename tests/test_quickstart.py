"""The README's main job, examples/quickstart.py: runs against the local server it starts, shows a
real rate limit, and writes nothing to a real server unless asked with --write."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

from temba_client.testing import LocalRapidProServer

SCRIPT = Path(__file__).resolve().parent.parent / "examples" / "quickstart.py"


def run(args: List[str], extra_env: Dict[str, str]) -> str:
    env = {key: value for key, value in os.environ.items() if not key.startswith("RAPIDPRO_")}
    env.update(extra_env)
    result = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_quickstart_runs_against_the_local_server():
    out = run([], {})
    expected = [
        "using a local RapidPro server",
        "200 contacts in Reporters",
        "resumed from the cursor: 350",
        "== Creating and updating",
        "bad request: Invalid contact field key: no_such_field",
        "token error:",
        "connection error:",
        "request 3: ok",
        "request 4: rate limited, retry after 60 seconds",
        "more than max_rate_limit_wait: raised instead",
        "Done.",
    ]
    for line in expected:
        assert line in out, out


def test_quickstart_only_reads_a_real_server_unless_asked():
    with LocalRapidProServer(seed=30) as server:
        env = {"RAPIDPRO_URL": server.url, "RAPIDPRO_TOKEN": server.token}
        out = run([], env)
        assert "reads only" in out and "== Creating and updating" not in out
        assert {request.method for request in server.requests} == {"GET"}
        out = run(["--write"], env)
        assert "== Creating and updating" in out
        assert {"POST", "DELETE"} <= {request.method for request in server.requests}

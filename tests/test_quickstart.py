"""The README's main job, examples/quickstart.py, runs against the local server it starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "examples" / "quickstart.py"


def test_quickstart_runs_against_the_local_server():
    env = {key: value for key, value in os.environ.items() if not key.startswith("RAPIDPRO_")}
    result = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    expected = [
        "using a local RapidPro server",
        "200 contacts in Reporters",
        "resumed from the cursor: 350",
        "bad request: fields: Invalid contact field key",
        "token error:",
        "connection error:",
        "Done.",
    ]
    for line in expected:
        assert line in out, out

"""The README's export demo, timed: pacing stated by the bundled server against RapidPro's defaults.

::

    python benchmarks/readme_demo_bench.py

Starts ``python -m temba_client.testing --seed 1000`` as the README does, then runs the installed
``rapidpro export runs messages contacts --since 2023-12-01`` into a fresh directory and once more
(a sync with nothing new), each way:

- baseline: ``--rate 3600``, RapidPro's documented limit for every scope (what the export did
  against the bundled server before the server stated its rates);
- default: no flag, the rates the server states on ``workspace.json`` (the bundled server: none).

Prints seconds of each and the ratios, measured in the same run.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from typing import List

COMMAND = os.path.join(os.path.dirname(sys.executable), "rapidpro")
TOKEN = "local-token"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _timed(args: List[str], env: dict) -> float:
    started = time.perf_counter()
    done = subprocess.run([COMMAND, *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit("rapidpro failed (%d): %s" % (done.returncode, done.stderr))
    return time.perf_counter() - started


def main() -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "temba_client.testing", "--port", str(port), "--seed", "1000", "--token", TOKEN],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None and "Local RapidPro API" in server.stdout.readline()
        env = dict(os.environ, RAPIDPRO_URL="http://127.0.0.1:%d" % port, RAPIDPRO_TOKEN=TOKEN)
        seconds = {}
        for name, extra in (("baseline --rate 3600", ["--rate", "3600"]), ("default (server-stated)", [])):
            with tempfile.TemporaryDirectory() as out:
                args = ["export", "runs", "messages", "contacts", "--since", "2023-12-01", "--out", out, *extra]
                seconds[name] = (_timed(args, env), _timed(args, env))
        base, new = seconds["baseline --rate 3600"], seconds["default (server-stated)"]
        print("README demo (4,012 records), seconds: export, then a sync with nothing new")
        for name, (export, again) in seconds.items():
            print("  %-26s %6.2f s   %6.2f s" % (name, export, again))
        print("  ratio baseline / default   %6.1fx    %6.1fx" % (base[0] / new[0], base[1] / new[1]))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()

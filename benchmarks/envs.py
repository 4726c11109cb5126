"""The interpreters and virtualenvs the benchmark runs its variants in.

Every variant runs in a virtualenv of its own under ``benchmarks/.venvs/<python>/`` (this package
and rapidpro-python both install the import name ``temba_client``):

- ``temba``: this checkout (editable), no extras; also runs the requests + json floor;
- ``temba-orjson``: the same checkout with ``orjson``, which the client then decodes with (see
  ``temba_client/_json.py``); also runs the http.client + orjson floor;
- ``temba-msgspec``: the same checkout with ``orjson`` and ``msgspec``, made only when the package
  has a msgspec path (its source names msgspec), and measured only when, with msgspec installed,
  the client decodes pages with it (``temba_client._typed.AVAILABLE``);
- ``rapidpro``: ``rapidpro-python==2.22.2``, on Python 3.12 or newer only (it requires it).
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
VENVS = HERE / ".venvs"
PYENV = Path(os.path.expanduser("~/.pyenv/versions"))
#: The interpreters quoted by default.
DEFAULT_PYTHONS = ("3.9", "3.12", "3.13")
RAPIDPRO = "rapidpro-python==2.22.2"


@dataclass(frozen=True)
class Interpreter:
    """A Python to run the variants with."""

    path: str
    version: Tuple[int, int, int]

    @property
    def label(self) -> str:
        return "%d.%d.%d" % self.version

    @property
    def short(self) -> str:
        return "%d.%d" % self.version[:2]


@dataclass(frozen=True)
class Variant:
    """One column of the tables: what runs (``workload.py``'s CLIENT) in which virtualenv."""

    name: str
    venv: str
    workload: str
    #: the JSON backend ``temba_client._json.BACKEND`` must report ("" for no check)
    backend: str = ""

    @property
    def is_floor(self) -> bool:
        return self.workload.startswith("floor")


TEMBA = Variant("temba", "temba", "client", backend="json")
TEMBA_ORJSON = Variant("temba+orjson", "temba-orjson", "client", backend="orjson")
TEMBA_MSGSPEC = Variant("temba+msgspec", "temba-msgspec", "client", backend="msgspec")
RAPIDPRO_2_22 = Variant("rapidpro", "rapidpro", "client")
FLOOR_REQUESTS = Variant("floor requests+json", "temba", "floor-requests")
FLOOR_HTTPCLIENT = Variant("floor http.client+orjson", "temba-orjson", "floor-httpclient")
#: Every variant, in the order they run and are printed.
ALL_VARIANTS = (TEMBA, TEMBA_ORJSON, TEMBA_MSGSPEC, RAPIDPRO_2_22, FLOOR_REQUESTS, FLOOR_HTTPCLIENT)
#: What each virtualenv has installed besides pip.
PACKAGES: Dict[str, List[str]] = {
    "temba": ["-e", str(REPO)],
    "temba-orjson": ["-e", str(REPO), "orjson"],
    "temba-msgspec": ["-e", str(REPO), "orjson", "msgspec"],
    "rapidpro": [RAPIDPRO],
}


def _version_of(path: str) -> Optional[Tuple[int, int, int]]:
    try:
        out = subprocess.run([path, "-c", "import sys; print('%d %d %d' % sys.version_info[:3])"],
                             capture_output=True, text=True, check=True, timeout=30).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    major, minor, micro = (int(part) for part in out.split())
    return major, minor, micro


def find_interpreter(spec: str) -> Optional[Interpreter]:
    """The interpreter ``spec`` names: a version (``3.12``: the newest under ``~/.pyenv/versions``,
    else ``python3.12`` on the PATH) or a path to a python executable; None if there is none.

    :param spec: a version such as ``3.12`` or ``3.12.1``, or a path
    """
    candidates: List[str] = []
    if spec[:1].isdigit():
        found = [
            *glob.glob(str(PYENV / spec / "bin" / "python")),
            *glob.glob(str(PYENV / (spec + ".*") / "bin/python")),
        ]
        candidates.extend(sorted(found, key=lambda path: [int(p) for p in Path(path).parts[-3].split(".")]))
        candidates.reverse()
        candidates.append(shutil.which("python" + spec) or "")
    else:
        candidates.append(shutil.which(spec) or spec)
    for candidate in candidates:
        version = _version_of(candidate) if candidate else None
        if version is not None:
            return Interpreter(candidate, version)
    return None


def _fingerprint(packages: List[str]) -> str:
    """Changes when the packages or this checkout's setup.py (its dependencies) change."""
    setup = (REPO / "setup.py").read_bytes() if (REPO / "setup.py").exists() else b""
    return hashlib.sha256(json.dumps(packages).encode() + setup).hexdigest()


def venv(interpreter: Interpreter, name: str) -> str:
    """The python of the virtualenv ``name`` for ``interpreter``, made (once) with its packages.

    :param interpreter: the Python the virtualenv is made with
    :param name: a key of :data:`PACKAGES`
    """
    folder = VENVS / ("py" + interpreter.short) / name
    python = folder / "bin" / "python"
    marker = folder / "installed.json"
    fingerprint = _fingerprint(PACKAGES[name])
    if not (marker.exists() and json.loads(marker.read_text()).get("fingerprint") == fingerprint):
        print("making the %s virtualenv for Python %s..." % (name, interpreter.label), flush=True)
        subprocess.run([interpreter.path, "-m", "venv", "--clear", str(folder)], check=True)
        done = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                               *PACKAGES[name]], capture_output=True, text=True)  # fmt: skip
        if done.returncode != 0:
            raise SystemExit("pip could not install %s:\n%s" % (" ".join(PACKAGES[name]), done.stdout + done.stderr))
        marker.write_text(json.dumps({"packages": PACKAGES[name], "fingerprint": fingerprint}))
    return str(python)


def json_backend(python: str) -> str:
    """What ``temba_client`` decodes pages with in a virtualenv (``workload.json_backend``: ``msgspec``
    when its typed page decoding is on, else ``temba_client._json.BACKEND``; "" for neither).

    :param python: the virtualenv's python
    """
    code = "import workload; print(workload.json_backend())"
    done = subprocess.run([python, "-c", code], capture_output=True, text=True, cwd=str(HERE))
    return done.stdout.strip() if done.returncode == 0 else ""


def has_msgspec_path() -> bool:
    """Whether this checkout's package source or setup.py names msgspec at all."""
    sources = [*(REPO / "temba_client").rglob("*.py"), REPO / "setup.py"]
    return any(path.is_file() and "msgspec" in path.read_text(encoding="utf-8") for path in sources)


def prepare(interpreter: Interpreter) -> Tuple[Dict[str, str], List[str]]:
    """The variants that can run on ``interpreter`` (name to the python of their virtualenv), making
    the virtualenvs they need, and notes on the variants left out or not as expected.

    :param interpreter: the Python to run the variants with
    """
    pythons: Dict[str, str] = {}
    notes: List[str] = []
    for variant in ALL_VARIANTS:
        if variant is TEMBA_MSGSPEC and not has_msgspec_path():
            notes.append("temba+msgspec: skipped, temba_client has no msgspec path")
            continue
        if variant is RAPIDPRO_2_22 and interpreter.version < (3, 12):
            notes.append("rapidpro: absent, rapidpro-python 2.22.2 needs Python 3.12+")
            continue
        python = venv(interpreter, variant.venv)
        if variant.backend and not variant.is_floor:
            backend = json_backend(python)
            if variant is TEMBA_MSGSPEC and backend != variant.backend:
                notes.append("temba+msgspec: skipped, the client decodes pages with %r with msgspec" % backend)
                continue
            if backend != variant.backend:
                notes.append("%s: WARNING, the client decodes pages with %r, not %r" % (
                    variant.name, backend, variant.backend))  # fmt: skip
        pythons[variant.name] = python
    return pythons, notes

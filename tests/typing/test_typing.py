"""What a user's type checker sees: ``program.py`` is clean under ``mypy --strict`` and pyright
(strict), and the types they reveal for nested attributes are the ones written beside them."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict

import pytest

from temba_client.testing import LocalRapidProServer
from temba_client.v2 import TembaClient

from . import program

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PROGRAM = HERE / "program.py"

#: ``reveal_type(expr)  # expected type`` lines of the program, by line number
_REVEAL = re.compile(r"reveal_type\((.+)\)\s*#\s*(.+?)\s*$")


def expected_types() -> Dict[int, str]:
    lines = PROGRAM.read_text().splitlines()
    return {n: match.group(2) for n, line in enumerate(lines, 1) if (match := _REVEAL.search(line))}


def normalize(type_text: str) -> str:
    """One spelling for both checkers and every Python: no module or outer-class prefixes
    (``temba_client.v2.types.Run.Step`` and ``Run.Step`` become ``Step``), ``List``/``Dict`` for
    ``list``/``dict``, ``A | None`` for ``Union[A, None]`` and ``Optional[A]`` (mypy on Python 3.9)."""
    text = re.sub(r"\b(?:\w+\.)+(\w+)", r"\1", pipes(type_text))
    return re.sub(r"\b(list|dict)\[", lambda m: m.group(1).capitalize() + "[", text)


def pipes(text: str) -> str:
    """``Union[A, B]`` as ``A | B`` and ``Optional[A]`` as ``A | None``, at any depth."""
    while match := re.search(r"\b(Union|Optional)\[", text):
        depth, start, members = 0, match.end(), []
        for end in range(match.end(), len(text)):
            if text[end] == "[":
                depth += 1
            elif text[end] == "]" and depth:
                depth -= 1
            elif text[end] == "]" or (text[end] == "," and not depth):
                members.append(text[start:end].strip())
                start = end + 1
                if text[end] == "]":
                    break
        else:
            raise ValueError("unbalanced brackets in %r" % text)
        members += ["None"] if match.group(1) == "Optional" else []
        text = text[: match.start()] + " | ".join(members) + text[end + 1 :]
    return text


def test_program_calls_every_public_method_of_the_client():
    called = {node.attr for node in ast.walk(ast.parse(PROGRAM.read_text())) if isinstance(node, ast.Attribute)}
    public = {name for name in dir(TembaClient) if not name.startswith("_")}
    assert public - called == set()
    assert len(expected_types()) >= 60


def test_program_runs_against_the_local_server():
    with LocalRapidProServer(seed=20) as server:
        lines = program.main(server.url, server.token)
        endpoints = {r.endpoint for r in server.requests}
    assert len(lines) > 20
    assert {"runs", "contacts", "statistics", "ticket_actions", "message_actions", "media"} <= endpoints


def test_normalize():
    assert normalize("list[temba_client.v2.types.Run.Step] | None") == "List[Step] | None"
    assert normalize("dict[str, Run.Value] | None") == normalize("Dict[str, Value] | None")
    assert normalize("datetime.datetime | None") == "datetime | None"
    # mypy on Python 3.9
    assert normalize("Union[builtins.str, None]") == "str | None"
    assert normalize("Union[builtins.bool, builtins.str, None]") == "bool | str | None"
    assert (
        normalize("Union[builtins.list[Union[builtins.str, temba_client.v2.types.Contact.URN]], None]")
        == "List[str | URN] | None"
    )
    assert normalize("Union[builtins.dict[builtins.str, Any], None]") == "Dict[str, Any] | None"
    assert normalize("Optional[builtins.list[builtins.int]]") == normalize("list[int] | None")


@pytest.mark.slow
def test_mypy_strict():
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(HERE / "mypy.ini"), "--no-incremental", str(PROGRAM)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    revealed = {}
    for line in result.stdout.splitlines():
        match = re.match(r".*program\.py:(\d+): note: Revealed type is \"(.+)\"$", line)
        if match:
            revealed[int(match.group(1))] = normalize(match.group(2))
        else:
            assert line.startswith("Success: no issues found"), line
    assert revealed == {n: normalize(t) for n, t in expected_types().items()}


@pytest.mark.slow
def test_pyright_strict():
    if importlib.util.find_spec("pyright") is None:
        pytest.skip("pyright is not installed (pip install -e '.[test]' installs it, with node.js, from PyPI)")
    env = {**os.environ, "PYRIGHT_PYTHON_IGNORE_WARNINGS": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "pyright", "--outputjson", "-p", str(HERE / "pyrightconfig.json"),
         "--pythonpath", sys.executable],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    report = json.loads(result.stdout)
    problems = [d for d in report["generalDiagnostics"] if d["severity"] != "information"]
    assert problems == [] and result.returncode == 0, json.dumps(problems, indent=1) + result.stderr
    revealed = {}
    for diagnostic in report["generalDiagnostics"]:
        match = re.match(r'Type of ".+" is "(.+)"$', diagnostic["message"], re.S)
        assert match, diagnostic
        revealed[diagnostic["range"]["start"]["line"] + 1] = normalize(match.group(1))
    assert revealed == {n: normalize(t) for n, t in expected_types().items()}

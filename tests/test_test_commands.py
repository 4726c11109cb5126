"""The README's two test commands are the ones CI (.ci/run) and tox run, and a plain ``pytest`` runs
the quick tier, as the README says."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path
from typing import List

from .conftest import QUICK_TIER

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PYTEST = ".venv/bin/python -m pytest "


def readme_command(after: str) -> List[str]:
    """The pytest arguments of the first README command after the given text."""
    tail = README[README.index(after) :]
    line = next(line for line in tail.splitlines() if PYTEST in line)
    return shlex.split(line.split(PYTEST, 1)[1].split("  #", 1)[0])


def ci_array(name: str) -> List[str]:
    match = re.search(r"^%s=\((.*)\)$" % name, (ROOT / ".ci" / "run").read_text(), re.M)
    assert match, name
    return shlex.split(match.group(1))


def test_ci_runs_the_readmes_commands():
    quick = readme_command("Run the tests on a fresh machine")
    slow = readme_command("and then, if you like, the slow tier")
    assert quick == ci_array("QUICK") and "--cov-fail-under=95" in quick and "-m" not in quick
    assert slow == ci_array("SLOW") and slow[slow.index("-m") + 1] == "slow"
    tox = configparser.ConfigParser(interpolation=None)
    tox.read(ROOT / "tox.ini")
    assert shlex.split(tox["testenv"]["commands"]) == ["python", "-m", "pytest", *quick, "{posargs}"]
    assert shlex.split(tox["testenv:slow"]["commands"]) == ["python", "-m", "pytest", *slow, "{posargs}"]


def test_a_plain_pytest_runs_the_quick_tier():
    addopts = re.search(r'^addopts = "(.*)"$', (ROOT / "pyproject.toml").read_text(), re.M)
    assert addopts
    args = shlex.split(addopts.group(1))
    assert args[args.index("-m") + 1] == QUICK_TIER == "not slow"

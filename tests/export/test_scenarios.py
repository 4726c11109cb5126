"""The seeded scenarios (see ``scenarios.py`` for what each plays and what "equal" means): a quick
subset in the default run, the full 1,000 marked slow."""

from __future__ import annotations

import pytest

from .scenarios import failures, play

QUICK = 30
FULL = 1000


def check(seed, tmp_path):
    scenario, result = play(seed, str(tmp_path))
    assert set(result) == set(scenario.streams)
    assert not failures(result), (seed, scenario.mode, scenario.events, result)


@pytest.mark.parametrize("seed", range(QUICK))
def test_scenario(seed, tmp_path):
    check(seed, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(QUICK, FULL))
def test_scenario_full(seed, tmp_path):
    check(seed, tmp_path)

"""The pytest plugin costs nothing until used: its import loads neither the local server nor the
client, its fixtures load them when a test asks for one; the entry point names it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path

import pytest

import temba_client.pytest_plugin as plugin

ROOT = Path(__file__).resolve().parents[2]


def run_python(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_importing_the_plugin_loads_neither_the_server_nor_the_client():
    code = textwrap.dedent("""
        import sys
        import pytest
        before = set(sys.modules)
        import temba_client.pytest_plugin
        print(" ".join(sorted(set(sys.modules) - before)))
    """)
    result = run_python("-c", code)
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) == {"temba_client", "temba_client.pytest_plugin"}


def test_the_fixtures_load_the_server_only_for_the_tests_that_ask(tmp_path):
    (tmp_path / "test_user.py").write_text(
        textwrap.dedent("""
            import sys

            import pytest


            def test_without_the_fixtures():
                assert not any(name.startswith(("temba_client.testing", "requests")) for name in sys.modules)


            @pytest.mark.rapidpro(seed=3, server_version="9")
            def test_with_the_client(rapidpro_client, rapidpro_server):
                assert "temba_client.testing.server" in sys.modules
                assert rapidpro_client.get_org().name == "Local Workspace"
                assert rapidpro_server.server_version == "9"
        """)
    )
    # the plugin as a user's conftest would name it (the entry point is checked below)
    result = run_python(
        "-m", "pytest", "-p", "no:temba_client", "-p", "temba_client.pytest_plugin", "-p", "no:cacheprovider",
        "--strict-markers", "-q", "test_user.py", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_the_entry_point_names_the_lazy_module():
    try:
        points = [p for p in metadata.distribution("rapidpro-python").entry_points if p.group == "pytest11"]
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a checkout without installing
        pytest.skip("rapidpro-python is not installed")
    assert [(p.name, p.value) for p in points] == [("temba_client", "temba_client.pytest_plugin")]


def test_the_old_path_still_gives_the_fixtures():
    from temba_client.testing import pytest_plugin as old

    assert old.rapidpro_client is plugin.rapidpro_client
    assert old.rapidpro_server_factory is plugin.rapidpro_server_factory
    assert set(old.__all__) == set(plugin.__all__)

from __future__ import annotations

from collections.abc import Iterator

import pytest

from temba_client.v2 import TembaClient

from .stub_server import StubServer

pytest_plugins = ["temba_client.pytest_plugin"]

#: the tier a plain ``pytest`` runs (pyproject.toml's addopts)
QUICK_TIER = "not slow"


def pytest_configure(config: pytest.Config) -> None:
    """Tests named by their ids (``pytest tests/test_x.py::test_y``) run even if they are slow: the
    quick tier's ``-m "not slow"`` comes from addopts, and a test asked for by name should not be
    deselected. An ``-m`` given on the command line is kept."""
    given_m = any(str(arg).startswith("-m") for arg in config.invocation_params.args)
    if config.option.markexpr == QUICK_TIER and not given_m and all("::" in arg for arg in config.args):
        config.option.markexpr = ""


@pytest.fixture
def stub() -> Iterator[StubServer]:
    """A scripted HTTP server on 127.0.0.1."""
    server = StubServer()
    yield server
    server.stop()


@pytest.fixture
def client(stub: StubServer) -> Iterator[TembaClient]:
    """A client of the stub server, with retries off so that each scripted answer is seen once."""
    with TembaClient(stub.url, stub.token, max_retries=0, timeout=5) as temba:
        yield temba


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list:
    """Replaces time.sleep with a recorder of the requested delays."""
    delays: list = []
    monkeypatch.setattr("time.sleep", delays.append)
    return delays

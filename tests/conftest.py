from __future__ import annotations

from collections.abc import Iterator

import pytest

from temba_client.v2 import TembaClient

from .stub_server import StubServer

pytest_plugins = ["temba_client.pytest_plugin"]


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

"""The export reads ``workspace.json`` first: the scripted stub answers it as a 26.3 server does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..stub_server import StubServer

RECORDED = Path(__file__).resolve().parents[3] / "shared" / "recorded" / "rapidpro-26.3" / "workspace.json"
#: the workspace answer of the recorded 26.3 server (a copy, if the recordings are not beside the repository)
WORKSPACE = (
    json.loads(RECORDED.read_text())["json"]
    if RECORDED.exists()
    else {"uuid": "a0e16dac-c20e-4768-bb68-f1f2eeb41cac", "name": "Org 1", "country": "RW", "languages": ["eng"],
          "timezone": "America/Los_Angeles", "date_style": "month_first", "anon": False,
          "credits": {"used": -1, "remaining": -1}, "primary_language": "eng"}
)  # fmt: skip


@pytest.fixture
def stub() -> Iterator[StubServer]:
    """The scripted server, answering ``workspace.json`` (without rate headers, as RapidPro)."""
    server = StubServer()
    server.add_json("GET", "workspace", WORKSPACE)
    yield server
    server.stop()

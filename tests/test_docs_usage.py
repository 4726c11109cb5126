"""Every Python example of ``docs/usage.rst`` runs, in order, against the local server.

The examples address ``rapidpro.io`` (or ``localhost:8000``) with ``"your-api-token"`` and name
objects by placeholder UUIDs and ids; the test points them at a local server and at objects that
server holds, and changes nothing else.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any, Dict, List

import pytest

from temba_client.testing import LocalRapidProServer

from .testing.test_docs import python_blocks

DOC = Path(__file__).resolve().parents[1] / "docs" / "usage.rst"
BLOCKS = python_blocks(DOC.read_text())

#: placeholders of the guide, and which object of the local server stands for each
PLACEHOLDERS = {
    "cc276708-7752-4b52-a4ea-d3264847220e": ("contacts", "uuid", 0),
    "f5901b62-ba76-4003-9c62-72fdacc1b7b7": ("flows", "uuid", 0),
    "9c6fb05d-5b3d-4b4f-8bb5-6bd6a41e2f4a": ("groups", "uuid", -1),
    "12345": ("messages", "id", 0),
    "12346": ("messages", "id", 1),
}


def identifiers(server: LocalRapidProServer) -> Dict[str, str]:
    """What each placeholder stands for on the freshly seeded server."""
    rows = server.workspace.rows
    found = {}
    for placeholder, (endpoint, key, index) in PLACEHOLDERS.items():
        usable = [row for row in rows[endpoint] if not row.get("system")]
        found[placeholder] = str(usable[index][key])
    return found


def localize(block: str, server: LocalRapidProServer, found: Dict[str, str]) -> str:
    """The block with the server's address and token, and the local objects' identifiers."""
    block = re.sub(r'"(?:rapidpro\.io|http://localhost:8000(?:/api/v2)?)"', repr(server.url), block)
    block = block.replace('"your-api-token"', repr(server.token))
    for placeholder, identifier in found.items():
        block = block.replace(placeholder, identifier)
    return block


def test_the_guide_has_examples():
    assert len(BLOCKS) >= 25


def test_every_example_runs_in_order(tmp_path, monkeypatch, no_sleep):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 a tiny jpeg")
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4 a tiny pdf")
    ran: List[str] = []
    skipped: List[str] = []
    with LocalRapidProServer(seed=300) as server:
        found = identifiers(server)
        namespace: Dict[str, Any] = {"save": lambda runs: None, "checkpoint": lambda cursor: None}
        for number, block in enumerate(BLOCKS, 1):
            code = localize(block, server, found)
            try:
                exec(compile(code, "%s, example %d" % (DOC.name, number), "exec"), namespace)
            except ImportError as exc:
                # an example of an optional library (pandas) where it is not installed (tox's mindeps
                # environments): the client's own message, and only where the library is truly missing
                needed = re.search(r"needs (\w+): pip install 'rapidpro-python\[\w+\]'", str(exc))
                if needed is None or importlib.util.find_spec(needed.group(1)) is not None:
                    pytest.fail("example %d of usage.rst failed: %r\n%s" % (number, exc, block))
                skipped.append(block)
            except Exception as exc:  # pragma: no cover - the failure message
                pytest.fail("example %d of usage.rst failed: %r\n%s" % (number, exc, block))
            ran.append(block)
        requests = len(server.requests)
    assert ran == BLOCKS and len(skipped) <= 2
    assert requests > 50

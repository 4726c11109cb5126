"""Every Python example of ``docs/testing.rst`` runs as written, against the local server."""

from __future__ import annotations

import inspect
import re
import textwrap
from pathlib import Path
from typing import Any, Dict, List

import pytest

from temba_client.testing import LocalRapidProServer
from temba_client.v2 import TembaClient

DOC = Path(__file__).resolve().parents[2] / "docs" / "testing.rst"


def python_blocks(text: str) -> List[str]:
    """The literal blocks introduced by ``::`` (``.. code-block:: sh`` blocks are left out)."""
    blocks, lines = [], text.splitlines()
    for index, line in enumerate(lines):
        if not line.rstrip().endswith("::") or line.strip().startswith(".. code-block::"):
            continue
        body = []
        for following in lines[index + 1 :]:
            if following.strip() and not following.startswith((" ", "\t")):
                break
            body.append(following)
        blocks.append(textwrap.dedent("\n".join(body)).strip("\n"))
    return [block for block in blocks if block]


def signup(client: TembaClient, name: str, phone: str) -> None:
    """The "your code" of the docs: looks the contact up, then creates it in Reporters."""
    urn = "tel:" + phone
    if client.get_contacts(urn=urn).first() is None:
        client.create_contact(name=name, urns=[urn], groups=["Reporters"])


BLOCKS = python_blocks(DOC.read_text())


def test_the_docs_have_examples():
    assert len(BLOCKS) >= 5


def run_tests_of(namespace: Dict[str, Any]) -> int:
    """Calls the ``test_*`` functions a block defines, with the package's fixtures made by hand."""
    ran = 0
    for name, function in list(namespace.items()):
        if not name.startswith("test_") or not callable(function):
            continue
        kwargs: Dict[str, Any] = {}
        for marker in getattr(function, "pytestmark", []):
            if marker.name == "rapidpro":
                kwargs.update(marker.kwargs)
        with (
            LocalRapidProServer(**{"seed": 20, **kwargs}) as server,
            TembaClient(server.url, server.token, timeout=10, max_retries=0) as client,
        ):
            fixtures = {"rapidpro_server": server, "rapidpro_client": client}
            function(**{p: fixtures[p] for p in inspect.signature(function).parameters})
        ran += 1
    return ran


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: re.sub(r"\W+", "_", b.splitlines()[0])[:40])
def test_example_runs(block):
    with LocalRapidProServer(seed=20) as server:
        namespace: Dict[str, Any] = {"signup": signup, "server": server}
        exec(compile(block, str(DOC), "exec"), namespace)
        assert run_tests_of(namespace) == block.count("\ndef test_") + block.startswith("def test_")

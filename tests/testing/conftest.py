from __future__ import annotations

from typing import Iterator

import pytest

from temba_client.testing import LocalRapidProServer


@pytest.fixture(scope="module")
def seeded() -> Iterator[LocalRapidProServer]:
    """A larger workspace shared by the read-only tests of a module."""
    with LocalRapidProServer(seed=600) as server:
        yield server

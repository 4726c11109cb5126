"""pytest fixtures of the local server, available to every project that installs temba_client.

``rapidpro_server`` is a started :class:`~temba_client.testing.LocalRapidProServer` with a small
seeded workspace, new for each test; ``rapidpro_client`` is a
:class:`~temba_client.v2.TembaClient` connected to it::

    def test_registration(rapidpro_client):
        contact = rapidpro_client.create_contact(name="Ann", urns=["tel:+250788000001"])
        assert rapidpro_client.get_contacts(uuid=contact.uuid).first().name == "Ann"
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from .server import LocalRapidProServer


@pytest.fixture
def rapidpro_server() -> Iterator[LocalRapidProServer]:
    """A local RapidPro API v2 server with a small seeded workspace."""
    with LocalRapidProServer(seed=20) as server:
        yield server


@pytest.fixture
def rapidpro_client(rapidpro_server: LocalRapidProServer) -> Iterator[Any]:
    """A TembaClient of the local server (retries off, short timeout)."""
    from temba_client.v2 import TembaClient

    with TembaClient(rapidpro_server.url, rapidpro_server.token, timeout=10, max_retries=0) as client:
        yield client

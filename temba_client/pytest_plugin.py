"""pytest fixtures of the local server, available to every project that installs temba_client.

``rapidpro_server`` is a started :class:`~temba_client.testing.LocalRapidProServer` with a small
seeded workspace, new for each test; ``rapidpro_client`` is a
:class:`~temba_client.v2.TembaClient` connected to it (retries off, so that each injected fault is
seen); ``rapidpro_server_factory`` starts more servers. A test chooses the server's arguments with
the ``rapidpro`` marker::

    @pytest.mark.rapidpro(seed=200, rates={"v2.runs": "60/minute"}, server_version="9")
    def test_registration(rapidpro_client):
        contact = rapidpro_client.create_contact(name="Ann", urns=["tel:+250788000001"])
        assert rapidpro_client.get_contacts(uuid=contact.uuid).first().name == "Ann"

The package's ``pytest11`` entry point loads this module into every pytest run of the environment
it is installed in, so it must cost nothing there. Invariant: importing this module imports
nothing but ``pytest`` (already loaded) and the standard library; the local server
(``temba_client.testing``, thousands of lines) and the client (``requests``) are imported inside
the fixtures, when a test asks for one. ``tests/testing/test_plugin.py`` checks it in a subprocess.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List

import pytest

if TYPE_CHECKING:
    from temba_client.testing import LocalRapidProServer
    from temba_client.v2 import TembaClient

__all__ = ["DEFAULTS", "pytest_configure", "rapidpro_client", "rapidpro_server", "rapidpro_server_factory"]

#: The arguments of the ``rapidpro_server`` fixture when no marker says otherwise.
DEFAULTS: Dict[str, Any] = {"seed": 20}


def pytest_configure(config: pytest.Config) -> None:
    """Registers the ``rapidpro`` marker."""
    config.addinivalue_line(
        "markers",
        "rapidpro(**kwargs): arguments of the rapidpro_server fixture's LocalRapidProServer "
        "(seed, rates, server_version, token, keep_requests, archive_url_ttl)",
    )


@pytest.fixture
def rapidpro_server_factory() -> Iterator[Callable[..., LocalRapidProServer]]:
    """Starts local servers with the given arguments (those of
    :class:`~temba_client.testing.LocalRapidProServer`); all are stopped after the test::

        def test_migration(rapidpro_server_factory):
            old = rapidpro_server_factory(seed=50, server_version="9")
            new = rapidpro_server_factory(seed=None)
    """
    from temba_client.testing import LocalRapidProServer

    started: List[LocalRapidProServer] = []

    def start(**kwargs: Any) -> LocalRapidProServer:
        server = LocalRapidProServer(**{**DEFAULTS, **kwargs}).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def rapidpro_server(
    request: pytest.FixtureRequest, rapidpro_server_factory: Callable[..., LocalRapidProServer]
) -> LocalRapidProServer:
    """A local RapidPro API v2 server with a small seeded workspace (see the ``rapidpro`` marker)."""
    marker = request.node.get_closest_marker("rapidpro")
    kwargs: Dict[str, Any] = dict(marker.kwargs) if marker else {}
    return rapidpro_server_factory(**kwargs)


@pytest.fixture
def rapidpro_client(rapidpro_server: LocalRapidProServer) -> Iterator[TembaClient]:
    """A TembaClient of the local server (retries off, so that each injected fault is seen; 10 s timeout)."""
    from temba_client.v2 import TembaClient

    with TembaClient(rapidpro_server.url, rapidpro_server.token, timeout=10, max_retries=0) as client:
        yield client

"""A local RapidPro API v2 server, to test code that uses the client without a RapidPro account.

::

    from temba_client.testing import LocalRapidProServer
    from temba_client.v2 import TembaClient

    with LocalRapidProServer(seed=100) as server:
        client = TembaClient(server.url, server.token)
        client.create_contact(name="Ann", urns=["tel:+250788000001"])

It is a real HTTP server on 127.0.0.1, with in-memory data, that answers as the contract of the
real server (RapidPro 26.3, or an older "9" with ``server_version="9"``) says: filters, ordering,
cursor pagination, writes, bulk actions, errors, throttling, and archives as gzipped JSONL files at
presigned-style URLs. ``server.faults`` makes chosen requests fail; ``server.workspace`` holds the
data (``archive``, ``rollup``, ``modify``, ``delete``); ``server.requests`` records the requests and
``server.after_request`` runs code between them. With pytest, the fixtures ``rapidpro_server``,
``rapidpro_client`` and ``rapidpro_server_factory`` and the ``rapidpro`` marker come with the
package. From a shell::

    python -m temba_client.testing --port 8000 --seed 1000
"""

from .faults import Fault, FaultInjector
from .recording import RecordedRequest
from .server import LocalRapidProServer
from .store import Workspace

__all__ = ["Fault", "FaultInjector", "LocalRapidProServer", "RecordedRequest", "Workspace"]

"""The old path of the pytest plugin, kept importable (``pytest_plugins = ["temba_client.testing.pytest_plugin"]``
in a conftest goes on working).

The plugin is :mod:`temba_client.pytest_plugin`: the ``pytest11`` entry point names that module,
which imports the local server only when a test asks for one of its fixtures. Importing this one
imports ``temba_client.testing`` (the server) first, as it always did.
"""

from __future__ import annotations

from ..pytest_plugin import (
    DEFAULTS,
    pytest_configure,
    rapidpro_client,
    rapidpro_server,
    rapidpro_server_factory,
)

__all__ = ["DEFAULTS", "pytest_configure", "rapidpro_client", "rapidpro_server", "rapidpro_server_factory"]

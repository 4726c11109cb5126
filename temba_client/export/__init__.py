"""Exports and syncs at scale: archives plus the API, paced, checkpointed, deduplicated.

::

    from temba_client.export import Settings, run_export, sync

    run_export(client, ["runs", "messages", "contacts"], "out/", Settings(since=datetime(2024, 1, 1)))  # UTC
    sync(client, "contacts", "contacts-sync.json", handler=upsert_contacts)

See ``docs/exporting.rst`` and the ``rapidpro`` command (:mod:`temba_client.export.command`).
"""

from ..exceptions import TembaExportError, TembaLockedError
from .outputs import CallbackSink, Writer, flatten_run, flatten_runs, to_dataframe, to_records, write_parquet
from .pacing import DEFAULT_RATES, RateBudget, StopRequested, WorkBudget
from .runner import StreamResult, run_export, sync
from .state import StateFile, TembaStateError
from .streams import Settings

__all__ = [
    "DEFAULT_RATES",
    "CallbackSink",
    "RateBudget",
    "Settings",
    "StateFile",
    "StopRequested",
    "StreamResult",
    "TembaExportError",
    "TembaLockedError",
    "TembaStateError",
    "WorkBudget",
    "Writer",
    "flatten_run",
    "flatten_runs",
    "run_export",
    "sync",
    "to_dataframe",
    "to_records",
    "write_parquet",
]

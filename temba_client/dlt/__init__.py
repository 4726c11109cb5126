"""A `dlt <https://dlthub.com>`_ source for a RapidPro workspace: load it into DuckDB, Postgres,
BigQuery, Snowflake, Parquet files... with incremental loading (needs the ``dlt`` extra)::

    import dlt
    from temba_client.dlt import rapidpro_source

    pipeline = dlt.pipeline("rapidpro", destination="duckdb", dataset_name="rapidpro")
    pipeline.run(rapidpro_source())  # RAPIDPRO_URL, RAPIDPRO_TOKEN (or dlt's secrets)

Run it again to load what changed since. ``contacts``, ``messages`` and ``runs`` are read by the
export engine (:mod:`temba_client.export`: archives for history, then the API, paced by the rate
budget of each throttle scope); ``tickets``, ``flow_starts`` and ``broadcasts`` by walks that stop
where the previous one began; the small endpoints whole. See ``docs/dlt.rst``.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Union

try:
    import dlt
    from dlt.sources import DltSource
except ImportError:  # pragma: no cover - depends on the environment
    raise ImportError("temba_client.dlt needs dlt: pip install 'rapidpro-python[dlt]'") from None

from ..export import RateBudget, Settings, WorkBudget
from ..serialization import TembaObject
from ..utils import parse_iso8601
from ..v2 import TembaClient, endpoints
from .engine import engine_pages
from .records import columns_of, to_rows
from .walks import DELTAS, delta_pages, whole_pages, workspace_pages

__all__ = ["RESOURCES", "Resource", "rapidpro_source"]


class Resource(NamedTuple):
    """How one endpoint is loaded."""

    name: str  #: the endpoint, and the table
    key: str  #: the primary key
    disposition: str  #: ``"merge"`` (records change) or ``"replace"`` (read whole each run)
    read: str  #: ``"engine"``, ``"delta"``, ``"whole"`` or ``"one"`` (see the module's notes)


RESOURCES = (
    Resource("contacts", "uuid", "merge", "engine"),
    Resource("messages", "id", "merge", "engine"),
    Resource("runs", "id", "merge", "engine"),
    Resource("flows", "uuid", "replace", "whole"),
    Resource("fields", "key", "replace", "whole"),
    Resource("groups", "uuid", "replace", "whole"),
    Resource("labels", "uuid", "replace", "whole"),
    Resource("campaigns", "uuid", "replace", "whole"),
    Resource("campaign_events", "uuid", "replace", "whole"),
    Resource("tickets", "uuid", "merge", "delta"),
    Resource("globals", "key", "replace", "whole"),
    Resource("channels", "uuid", "replace", "whole"),
    Resource("broadcasts", "id", "merge", "delta"),
    Resource("flow_starts", "uuid", "merge", "delta"),
    Resource("topics", "uuid", "replace", "whole"),
    Resource("users", "email", "replace", "whole"),
    Resource("workspace", "uuid", "replace", "one"),
)
_BY_NAME = {resource.name: resource for resource in RESOURCES}
assert set(DELTAS) == {r.name for r in RESOURCES if r.read == "delta"}


class _Context(NamedTuple):
    client: Any
    settings: Settings
    budget: RateBudget
    work: WorkBudget


def _configured(value: Optional[str], key: str, env: str) -> str:
    """An explicit value, else dlt's ``sources.rapidpro.<key>`` (secrets.toml, config.toml,
    ``SOURCES__RAPIDPRO__<KEY>``), else the environment variable ``env``."""
    if value:
        return value
    accessor = dlt.secrets if key == "token" else dlt.config
    found: Any = accessor.get("sources.rapidpro." + key) or os.environ.get(env)
    if not found:
        raise ValueError(
            "No RapidPro %s: pass %s=, set %s, or put %s under [sources.rapidpro] in dlt's %s"
            % (key, key, env, key, "secrets.toml" if key == "token" else "config.toml")
        )
    return str(found)


def _names(resources: Optional[Sequence[str]]) -> List[str]:
    if resources is None:
        return [resource.name for resource in RESOURCES]
    if isinstance(resources, str) or not all(isinstance(name, str) for name in resources):
        raise TypeError("resources must be a list of endpoint names, e.g. ['contacts', 'runs']")
    unknown = [name for name in resources if name not in _BY_NAME]
    if unknown:
        raise ValueError("Unknown resources %s: choose from %s" % (", ".join(unknown), ", ".join(_BY_NAME)))
    return list(dict.fromkeys(resources))


def _since(since: Union[str, datetime.datetime, None]) -> Optional[datetime.datetime]:
    if since is None or isinstance(since, datetime.datetime):
        return since
    if isinstance(since, str):
        parsed = parse_iso8601(since)
        if parsed is None:
            raise ValueError("since must be an ISO 8601 datetime, not an empty string")
        return parsed
    raise TypeError("since must be a datetime or an ISO 8601 string, not %s" % type(since).__name__)


def _pages(ctx: _Context, resource: Resource) -> Iterator[List[TembaObject]]:
    if resource.read == "engine":
        state = dlt.current.resource_state()
        workdir = os.path.join(dlt.current.pipeline().working_dir, "rapidpro", resource.name)
        return engine_pages(ctx.client, resource.name, ctx.settings, ctx.budget, ctx.work, state, workdir)
    if resource.read == "delta":
        return delta_pages(ctx.client, resource.name, ctx.budget, ctx.work, dlt.current.resource_state())
    if resource.read == "one":
        return workspace_pages(ctx.client, ctx.budget)
    return whole_pages(ctx.client, resource.name, ctx.budget)


def _rows(ctx: _Context, resource: Resource) -> Iterator[List[Dict[str, Any]]]:
    for page in _pages(ctx, resource):
        yield to_rows(resource.name, page)


def _resource(ctx: _Context, resource: Resource) -> Any:
    model = getattr(endpoints, resource.name.upper()).obj_class
    hints: Dict[str, Any] = {
        "name": resource.name,
        "primary_key": resource.key,
        "write_disposition": resource.disposition,
        "columns": columns_of(resource.name, model),
    }
    return dlt.resource(_rows(ctx, resource), **hints)


def rapidpro_source(
    url: Optional[str] = None,
    token: Optional[str] = None,
    since: Union[str, datetime.datetime, None] = None,
    resources: Optional[Sequence[str]] = None,
    client: Optional[Any] = None,
    *,
    settings: Optional[Settings] = None,
    budget: Optional[RateBudget] = None,
    work: Optional[WorkBudget] = None,
) -> DltSource:
    """A dlt source of a RapidPro workspace, one resource (table) per endpoint: ``contacts``,
    ``messages``, ``runs`` (with the child tables ``runs__values`` and ``runs__path``), ``flows``,
    ``fields``, ``groups``, ``labels``, ``campaigns``, ``campaign_events``, ``tickets``,
    ``globals``, ``channels``, ``broadcasts``, ``flow_starts``, ``topics``, ``users`` and
    ``workspace``. A source is run once; make a new one for each run of the pipeline.

    :param url: the server, e.g. ``"https://app.rapidpro.io"`` (default: dlt's
        ``sources.rapidpro.url``, else ``RAPIDPRO_URL``)
    :param token: the API token (default: dlt's secret ``sources.rapidpro.token``, else ``RAPIDPRO_TOKEN``)
    :param since: only contacts, messages and runs at or after this moment (a datetime or ISO 8601);
        it cannot change during the life of a pipeline
    :param resources: the endpoints to load (default: all)
    :param client: a :class:`~temba_client.v2.TembaClient` to use instead of ``url`` and ``token``
    :param settings: the export engine's settings (``lag``, ``slice_hours``, ``use_archives``,
        ``flow``...; give ``since`` here or as ``since``, not both)
    :param budget: the rate budget (default: the server's default rate per throttle scope)
    :param work: stop cleanly once spent (a time or a page budget); the next run goes on
    :raises ValueError: an unknown resource, no URL or token, or ``since`` given twice
    :raises TypeError: a ``since``, ``resources`` or ``settings`` of the wrong type
    """
    names = _names(resources)
    when = _since(since)
    if settings is None:
        settings = Settings(since=when)
    elif not isinstance(settings, Settings):
        raise TypeError("settings must be a temba_client.export.Settings, not %s" % type(settings).__name__)
    elif when is not None:
        raise ValueError("Give since either as since= or in settings, not both")
    if client is None:
        client = TembaClient(_configured(url, "url", "RAPIDPRO_URL"), _configured(token, "token", "RAPIDPRO_TOKEN"))
    ctx = _Context(client, settings, budget or RateBudget(), work or WorkBudget())

    @dlt.source(name="rapidpro", section="rapidpro")
    def rapidpro() -> Any:
        return [_resource(ctx, _BY_NAME[name]) for name in names]

    source: DltSource = rapidpro()
    return source

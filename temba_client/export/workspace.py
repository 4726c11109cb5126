"""What an export learns from the server before it writes anything: ``workspace.json``.

One request tells three things: the token and the URL work (a wrong token, an unknown host or a
server without this API fails here, before any file is created, with the client's usual
exception), which workspace this is (its UUID goes into the state: a state of another workspace
is refused), and what rates the server states, if any (see :func:`~temba_client.export.pacing.
rates_from_headers`: the bundled local server says it does not throttle; a real RapidPro says
nothing, and its documented defaults apply).
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, NamedTuple, Optional, Tuple

import requests

from .pacing import rates_from_headers


class ServerInfo(NamedTuple):
    """What ``workspace.json`` said."""

    identity: Dict[str, Any]  #: ``{"url": the API root, "workspace": the workspace UUID}``
    rates: Dict[str, float]  #: the rates the server states, by scope (empty: none stated)


def probe(client: Any) -> ServerInfo:
    """Reads ``workspace.json``: the workspace's identity and the rates the server states.

    :param client: a :class:`~temba_client.v2.TembaClient`
    :raises TembaTokenError: the token is refused
    :raises TembaConnectionError: the server cannot be reached
    :raises TembaException: any other failure of ``get_workspace()``
    """
    answer = _plain_get(client)
    if answer is not None:
        data, headers = answer
        return ServerInfo({"url": client.root_url, "workspace": data["uuid"]}, rates_from_headers(headers))
    workspace = client.get_workspace()  # the client's own checks, retries and exceptions
    return ServerInfo({"url": client.root_url, "workspace": workspace.uuid}, {})


def _plain_get(client: Any) -> Optional[Tuple[Dict[str, Any], Mapping[str, str]]]:
    """``workspace.json`` with its headers (which the client's methods do not give), or None for
    anything but a plain success: the caller then asks through the client, which explains it."""
    session = getattr(client, "session", None)
    if not isinstance(session, requests.Session):
        return None
    verify = client.verify_ssl if client.verify_ssl is not None else True
    try:
        response = session.get(
            client.root_url + "/workspace.json",
            headers=client.headers,
            timeout=(10, 30),
            allow_redirects=False,
            verify=verify,
        )
        data = response.json() if response.status_code == 200 else None
    except (requests.RequestException, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("uuid"), str):
        return None
    return data, response.headers

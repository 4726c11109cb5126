"""The API v2 client: one method per endpoint and operation."""

from __future__ import annotations

from typing import Optional, Union

import requests

from ..serialization import Transformer
from ..transport import (
    DEFAULT_MAX_RATE_LIMIT_WAIT,
    DEFAULT_MAX_RESPONSE_SIZE,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT,
    Timeout,
)
from .actions import ActionsMixin
from .args import QuickReplyArg, Ref, When
from .reads import ReadsMixin
from .writes import WritesMixin

__all__ = ["QuickReplyArg", "Ref", "TembaClient", "When"]


class TembaClient(ReadsMixin, WritesMixin, ActionsMixin):
    """Client for the RapidPro API v2.

    ::

        client = TembaClient("rapidpro.io", "your-api-token")
        client = TembaClient("http://localhost:8000/api/v2", "your-api-token", timeout=30)

    :param host: a host name (``"rapidpro.io"``: HTTPS) or the URL of the server, with or without
        the ``/api/v2`` suffix
    :param token: the workspace's API token
    :param user_agent: text put before ``rapidpro-python/<version>`` in the ``User-Agent`` header
    :param verify_ssl: whether to verify TLS certificates (None means yes; False warns)
    :param transformer: a function ``(model_class, item_dict) -> item_dict`` applied to each object
        before it is deserialized
    :param timeout: seconds, or a ``(connect, read)`` pair, before a request fails (default 10s to
        connect, 60s for each read); None waits forever
    :param total_timeout: the longest, in seconds, that one call may take, retries and their backoff
        included (default 600; None for no limit)
    :param session: a :class:`requests.Session` of your own to send every request through
    :param max_retries: how many times a GET is retried after a connection error, timeout or
        502/503/504 (default 3; 0 turns retries off)
    :param retry_on_rate_exceed: the default ``retry_on_rate_exceed`` of every query
    :param max_rate_limit_wait: cap, in seconds, on the total sleep of one request waiting out 429s
    :param max_response_size: the largest response body accepted, in bytes (default 100 MB); a larger
        one raises :class:`~temba_client.exceptions.TembaBadResponseError`
    :param pool_maxsize: how many connections the client keeps for reuse (default 10, ``requests``'
        default): give at least the number of threads that share the client (a web app's worker
        threads), or urllib3 logs "Connection pool is full, discarding connection". Not with
        ``session`` (mount adapters of that size on your session instead)
    """

    def __init__(
        self,
        host: str,
        token: str,
        user_agent: Optional[str] = None,
        verify_ssl: Optional[Union[bool, str]] = None,
        transformer: Optional[Transformer] = None,
        *,
        timeout: Timeout = DEFAULT_TIMEOUT,
        total_timeout: Optional[float] = DEFAULT_TOTAL_TIMEOUT,
        session: Optional[requests.Session] = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry_on_rate_exceed: bool = False,
        max_rate_limit_wait: float = DEFAULT_MAX_RATE_LIMIT_WAIT,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        pool_maxsize: Optional[int] = None,
    ) -> None:
        super().__init__(
            host,
            token,
            2,
            user_agent,
            verify_ssl,
            transformer,
            timeout=timeout,
            total_timeout=total_timeout,
            session=session,
            max_retries=max_retries,
            retry_on_rate_exceed=retry_on_rate_exceed,
            max_rate_limit_wait=max_rate_limit_wait,
            max_response_size=max_response_size,
            pool_maxsize=pool_maxsize,
        )

    def __enter__(self) -> TembaClient:
        """Returns the client itself, for ``with TembaClient(...) as client:``; the client is closed on exit."""
        return self

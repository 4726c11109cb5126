"""The API v2 client: one method per endpoint and operation."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Optional, Type, TypedDict, TypeVar, Union

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

if TYPE_CHECKING:  # pragma: no cover - type checkers all know typing_extensions; it need not be installed
    from typing_extensions import Unpack


class ClientOptions(TypedDict, total=False):
    """The keyword arguments of :class:`TembaClient` after ``host`` and ``token``, as
    :meth:`TembaClient.from_env` takes them (a test keeps the two lists the same)."""

    user_agent: Optional[str]
    verify_ssl: Optional[Union[bool, str]]
    transformer: Optional[Transformer]
    timeout: Timeout
    total_timeout: Optional[float]
    session: Optional[requests.Session]
    max_retries: int
    retry_on_rate_exceed: bool
    max_rate_limit_wait: float
    max_response_size: int
    pool_maxsize: Optional[int]


__all__ = ["ClientOptions", "QuickReplyArg", "Ref", "TembaClient", "When"]

#: The environment variables of :meth:`TembaClient.from_env` (and of the ``rapidpro`` command),
#: with what each holds.
ENVIRONMENT = {"RAPIDPRO_URL": "the server, e.g. https://app.rapidpro.io", "RAPIDPRO_TOKEN": "the API token"}

_Client = TypeVar("_Client", bound="TembaClient")


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

    @classmethod
    def from_env(cls: Type[_Client], **kwargs: Unpack[ClientOptions]) -> _Client:
        """A client of the server and token named by the environment variables ``RAPIDPRO_URL`` and
        ``RAPIDPRO_TOKEN`` (the same as the ``rapidpro`` command's)::

            # export RAPIDPRO_URL=https://app.rapidpro.io RAPIDPRO_TOKEN=...
            client = TembaClient.from_env(timeout=30)

        :param kwargs: any other argument of the constructor (``timeout``, ``max_retries``...)
        :raises ValueError: naming the variables that are not set (or empty); the token's value is
            never shown
        """
        values = {name: os.environ.get(name, "").strip() for name in ENVIRONMENT}
        missing = [name for name, value in values.items() if not value]
        if missing:
            raise ValueError(
                "TembaClient.from_env() needs the environment variable%s %s, not set"
                % ("s" if len(missing) > 1 else "", " and ".join("%s (%s)" % (n, ENVIRONMENT[n]) for n in missing))
            )
        return cls(values["RAPIDPRO_URL"], values["RAPIDPRO_TOKEN"], **kwargs)

    def __enter__(self) -> TembaClient:
        """Returns the client itself, for ``with TembaClient(...) as client:``; the client is closed on exit."""
        return self

"""HTTP transport: the one place where requests are sent, retried, timed out and their errors mapped.

A :class:`Transport` owns one :class:`requests.Session`, so every request of a client (every page
of a long export) reuses the same keep-alive connection. :meth:`Transport.request` sends a request,
retries what is safe to retry, and turns the response into parsed JSON or a ``Temba*`` exception.
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
import random
import time
import warnings
from collections.abc import Mapping
from typing import Any, Dict, Optional, Tuple, Union

import requests

from . import CLIENT_NAME, CLIENT_VERSION
from .exceptions import (
    TembaBadRequestError,
    TembaBadResponseError,
    TembaConnectionError,
    TembaHttpError,
    TembaNoSuchObjectError,
    TembaPermissionError,
    TembaRateExceededError,
    TembaTokenError,
)

logger = logging.getLogger("temba_client")

#: Seconds to wait for a connection, and for each read of the response.
DEFAULT_TIMEOUT: Tuple[float, float] = (10.0, 60.0)
#: How many times a GET is retried after a connection error, a timeout or a 502/503/504.
DEFAULT_MAX_RETRIES = 3
#: How many times a request is retried after a 429 when ``retry_on_rate_exceed`` is on.
MAX_RATE_LIMIT_RETRIES = 5
#: The longest total time, in seconds, that one request sleeps waiting out rate limits.
DEFAULT_MAX_RATE_LIMIT_WAIT = 3600.0

#: The largest response body accepted, in bytes (a page of 250 runs with paths is a few MB).
DEFAULT_MAX_RESPONSE_SIZE = 100 * 1024 * 1024

_RETRYABLE_STATUSES = frozenset({502, 503, 504})
_BACKOFF_BASE = 0.5  # seconds before the first retry; doubles each time, plus jitter
_BACKOFF_CAP = 30.0
_ERROR_BODY_PREVIEW = 200  # characters of an error body quoted in exception messages

Timeout = Union[None, float, Tuple[float, float]]


class Transport:
    """Sends authenticated JSON requests to a RapidPro server.

    :param token: the API token, sent as ``Authorization: Token <token>`` and shown nowhere else
    :param user_agent: prefixed to the ``User-Agent`` header
    :param verify_ssl: whether to verify TLS certificates (None means yes); False warns
    :param timeout: seconds (or a ``(connect, read)`` pair) before a request fails; None waits forever
    :param session: a :class:`requests.Session` to send through, e.g. one with proxies or adapters
        of your own; by default the transport creates and owns one
    :param max_retries: how many times a GET is retried after a connection error, a timeout or a
        502/503/504 answer (0 turns retries off)
    :param max_rate_limit_wait: cap, in seconds, on the total sleep of one request waiting out 429s
    :param max_response_size: the largest response body accepted, in bytes
    """

    def __init__(
        self,
        token: str,
        user_agent: Optional[str] = None,
        verify_ssl: Optional[bool] = None,
        *,
        timeout: Timeout = DEFAULT_TIMEOUT,
        session: Optional[requests.Session] = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_rate_limit_wait: float = DEFAULT_MAX_RATE_LIMIT_WAIT,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
    ) -> None:
        if not isinstance(token, str) or not token:
            raise TypeError("token must be a non-empty string")
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        if verify_ssl is False:
            warnings.warn(
                "TLS certificate verification is disabled (verify_ssl=False): the API token can be "
                "intercepted by anyone between this machine and the server",
                stacklevel=3,
            )

        agent = "%s/%s" % (CLIENT_NAME, CLIENT_VERSION)
        self.headers: Dict[str, str] = {
            "Accept": "application/json",
            "Content-Type": "application/json",
            "Authorization": "Token %s" % token,
            "User-Agent": "%s %s" % (user_agent, agent) if user_agent else agent,
        }
        self.verify_ssl = verify_ssl
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_rate_limit_wait = max_rate_limit_wait
        self.max_response_size = max_response_size
        self._owns_session = session is None
        self.session = session if session is not None else requests.Session()
        self._random = random.Random()

    def __repr__(self) -> str:
        return "<%s timeout=%r max_retries=%d>" % (type(self).__name__, self.timeout, self.max_retries)

    def close(self) -> None:
        """Closes the connections of the session this transport created (not of one it was given)."""
        if self._owns_session:
            self.session.close()

    def request(
        self,
        method: str,
        url: str,
        params: Optional[Mapping[str, Any]] = None,
        body: Any = None,
        files: Optional[Mapping[str, Any]] = None,
        retry_on_rate_exceed: bool = False,
    ) -> Any:
        """Sends a request and returns its parsed JSON body (None for an empty body).

        :param method: ``GET``, ``POST`` or ``DELETE``
        :param url: the absolute URL
        :param params: query parameters (a list value is sent as a repeated parameter)
        :param body: a JSON-able value sent as the body
        :param files: multipart parts, as ``requests`` takes them (instead of ``body``)
        :param retry_on_rate_exceed: on a 429, sleep for its ``Retry-After`` and try again
        :raises TembaException: a subclass for each kind of failure
        """
        method = method.upper()
        headers = self.headers
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
        if files is not None:  # requests writes the multipart Content-Type with its boundary
            headers = {name: value for name, value in headers.items() if name != "Content-Type"}

        failures = 0  # connection errors, timeouts and 502/503/504 so far
        rate_limited = 0
        rate_limit_wait = 0.0
        while True:
            start = time.monotonic()
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    data=data,
                    files=files,
                    headers=headers,
                    timeout=self.timeout,
                    verify=self.verify_ssl,
                    stream=True,
                )
                _read_body(response, self.max_response_size)
            except _BodyTooLarge as exc:
                raise TembaBadResponseError("%s (%s %s)" % (exc, method, url)) from None
            except requests.RequestException as exc:
                error = TembaConnectionError(_describe_failure(exc, self.timeout))
                logger.debug("%s %s failed: %s", method, url, error.detail)
                if failures < self.max_retries and (method == "GET" or _never_sent(exc)):
                    failures += 1
                    self._backoff(failures)
                    continue
                raise error from None

            status = response.status_code
            logger.debug("%s %s -> %d (%.3fs)", method, response.url, status, time.monotonic() - start)

            if status in _RETRYABLE_STATUSES and method == "GET" and failures < self.max_retries:
                failures += 1
                self._backoff(failures)
                continue

            if status == 429 and retry_on_rate_exceed and rate_limited < MAX_RATE_LIMIT_RETRIES:
                wait = max(_retry_after(response), 1)
                if rate_limit_wait + wait <= self.max_rate_limit_wait:
                    rate_limited += 1
                    rate_limit_wait += wait
                    logger.info("Rate limit exceeded: sleeping %d seconds before retrying", wait)
                    time.sleep(wait)
                    continue

            return _parse_response(method, url, response)

    def _backoff(self, attempt: int) -> None:
        """Sleeps before retry number ``attempt``: exponential, capped, with full jitter."""
        ceiling = min(_BACKOFF_CAP, _BACKOFF_BASE * 2 ** (attempt - 1))
        time.sleep(ceiling / 2 + self._random.uniform(0, ceiling / 2))


class _BodyTooLarge(requests.RequestException):
    """A response body over the transport's size limit."""


def _read_body(response: requests.Response, limit: int) -> None:
    """Reads the whole body (so the connection goes back to the pool), refusing more than ``limit``
    bytes: a proxy's endless stream or a runaway page must not exhaust memory."""
    chunks = []
    size = 0
    try:
        for chunk in response.iter_content(chunk_size=256 * 1024):
            size += len(chunk)
            if size > limit:
                raise _BodyTooLarge("the response body is larger than the limit of %d bytes" % limit)
            chunks.append(chunk)
    finally:
        response.close()
    response._content = b"".join(chunks)


def _parse_response(method: str, url: str, response: requests.Response) -> Any:
    """Returns the JSON of a successful response, or raises the exception its status calls for."""
    status = response.status_code
    if 200 <= status < 300:
        if not response.content:
            return None
        try:
            return json.loads(response.content)
        except ValueError:
            raise TembaBadResponseError(
                _http_error("Invalid JSON in the response to %s %s" % (method, url), response)
            ) from None

    detail = _error_detail(response)
    if status == 400:
        raise TembaBadRequestError(_error_body(response))
    if status in (401, 403):
        if status == 403 and not TembaTokenError.is_token_failure(detail):
            raise TembaPermissionError(detail)
        raise TembaTokenError(detail)
    if status == 404:
        raise TembaNoSuchObjectError(detail)
    if status == 429:
        raise TembaRateExceededError(_retry_after(response))
    raise TembaHttpError(_http_error("%s %s" % (method, url), response))


def _http_error(context: str, response: requests.Response) -> requests.HTTPError:
    """A :class:`requests.HTTPError` whose message names the status, the request and the body."""
    preview = response.text[:_ERROR_BODY_PREVIEW].strip()
    message = "%d %s for %s: %s" % (response.status_code, response.reason or "", context, preview or "(empty body)")
    return requests.HTTPError(message, response=response)


def _error_body(response: requests.Response) -> Any:
    """The parsed JSON of an error response, or its raw text when it is not JSON."""
    try:
        return json.loads(response.content)
    except ValueError:
        return response.text


def _error_detail(response: requests.Response) -> Optional[str]:
    """The ``detail`` message of a DRF error body, if it has one."""
    body = _error_body(response)
    detail = body.get("detail") if isinstance(body, dict) else None
    return str(detail) if detail is not None else None


def _retry_after(response: requests.Response) -> int:
    """Seconds to wait, from a ``Retry-After`` header of seconds or of an HTTP date (0 if absent)."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return 0
    try:
        return max(0, math.ceil(float(value)))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 0
    return max(0, math.ceil(when.timestamp() - time.time()))


def _describe_failure(exc: requests.RequestException, timeout: Timeout) -> str:
    """A short description of a connection failure (URLs at most: the token is in a header)."""
    if isinstance(exc, requests.ConnectTimeout):
        return "connection timed out (timeout=%s)" % (timeout,)
    if isinstance(exc, requests.Timeout):
        return "read timed out (timeout=%s)" % (timeout,)
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "connection broken while reading the response: %s" % (exc,)
    return str(exc) or type(exc).__name__


def _never_sent(exc: requests.RequestException) -> bool:
    """Whether the request certainly never reached the server, so that even a write can be retried."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError) and not isinstance(exc, requests.ReadTimeout):
        text = repr(exc.args)
        return "NewConnectionError" in text or "Connection refused" in text
    return False

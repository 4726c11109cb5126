"""HTTP transport: the one place where requests are sent, retried, timed out and their errors mapped.

A :class:`Transport` owns one :class:`requests.Session`, so every request of a client (every page
of a long export) reuses the same keep-alive connection. :meth:`Transport.request` sends a request,
retries what is safe to retry, and turns the answer into parsed JSON or a ``Temba*`` exception
(see :mod:`temba_client.responses`).

What it promises:

- a write (POST, DELETE) is sent once: never re-sent after a redirect, a timeout or a dropped
  connection; only a write that provably never left the machine (the connection was refused or
  timed out while connecting) or that the server refused with a 429 is sent again;
- a GET follows redirects within its origin only, and is retried after a connection failure, a
  timeout, a cut body or a 502/503/504, with exponential backoff;
- every call ends: each read waits at most ``timeout``, the whole call at most ``total_timeout``;
- no body larger than ``max_response_size`` is held in memory (compressed or not);
- the token never appears in a message, a repr or a log line, and URNs, phone numbers and e-mail
  addresses in query strings are shown as ``***``.

Code written for rapidpro-python 2.22 that replaces ``temba_client.utils.request`` (or
``temba_client.base.request``, ``temba_client.clients.request``) with ``unittest.mock.patch`` keeps
working: while such a patch is in place, requests go through the replacement, called as 2.22 did.
"""

from __future__ import annotations

import logging
import math
import random
import sys
import time
import warnings
from collections.abc import Mapping
from typing import Any, Callable, Dict, Optional, Tuple, Union
from urllib.parse import urlencode, urljoin, urlsplit

import requests
import urllib3

from . import CLIENT_NAME, CLIENT_VERSION, _json, utils
from .exceptions import TembaBadResponseError, TembaConnectionError, TembaHttpError, TembaTokenError
from .responses import Answer, Redactor, describe_failure, is_new_connection_error, parse_answer, retry_after
from .utils import redact_url

logger: logging.Logger = logging.getLogger("temba_client")

#: Seconds to wait for a connection, and for each read of the response.
DEFAULT_TIMEOUT: Tuple[float, float] = (10.0, 60.0)
#: The longest, in seconds, that one call may take: sends, retries and their backoff, and the
#: reading of every body (waits for rate limits excepted: ``max_rate_limit_wait`` bounds those).
DEFAULT_TOTAL_TIMEOUT = 600.0
#: How many times a GET is retried after a connection error, a timeout or a 502/503/504.
DEFAULT_MAX_RETRIES = 3
#: How many times a request is retried after a 429 when ``retry_on_rate_exceed`` is on.
MAX_RATE_LIMIT_RETRIES = 5
#: The longest total time, in seconds, that one request sleeps waiting out rate limits.
DEFAULT_MAX_RATE_LIMIT_WAIT = 3600.0
#: How many redirects within its origin a GET follows.
MAX_REDIRECTS = 5

#: The largest response body accepted, in bytes (a page of 250 runs with paths is a few MB).
DEFAULT_MAX_RESPONSE_SIZE = 100 * 1024 * 1024

_RETRYABLE_STATUSES = frozenset({502, 503, 504})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_BACKOFF_BASE = 0.5  # seconds before the first retry; doubles each time, plus jitter
_BACKOFF_CAP = 30.0
_READ_SIZE = 64 * 1024  # bytes asked of each read (decompressed: a gzip bomb is read 64 KB at a time)

#: The function rapidpro-python's code patches, and the modules it patches it in.
_ORIGINAL_REQUEST = utils.request
_HOOK_MODULES = ("temba_client.utils", "temba_client.base", "temba_client.clients")

Timeout = Union[None, float, Tuple[Optional[float], Optional[float]]]


class Transport:
    """Sends authenticated JSON requests to a RapidPro server.

    Every option is checked here, before anything is sent: a wrong type raises :class:`TypeError`,
    a wrong value :class:`ValueError` (whose message never quotes the token).

    :param token: the API token, sent as ``Authorization: Token <token>`` and shown nowhere else;
        it may not hold whitespace (e.g. the newline of a file it was read from), control or
        non-ASCII characters. An empty token is accepted, as rapidpro-python accepted it, but
        every request then raises :class:`~temba_client.exceptions.TembaTokenError` unsent.
    :param user_agent: prefixed to the ``User-Agent`` header (printable ASCII)
    :param verify_ssl: whether to verify TLS certificates (None means yes; False warns), or the path
        of a CA bundle to verify them with
    :param timeout: seconds (or a ``(connect, read)`` pair) to wait for a connection and for each
        read of the answer; None waits as long as ``total_timeout`` allows
    :param total_timeout: the longest, in seconds, that one call may take, retries included (a
        server trickling its answer byte by byte cannot hold a call longer); None for no limit
    :param session: a :class:`requests.Session` to send through, e.g. one with proxies or adapters
        of your own; by default the transport creates and owns one
    :param max_retries: how many times a GET is retried after a connection error, a timeout, a cut
        body or a 502/503/504 answer (0 turns retries off)
    :param retry_on_rate_exceed: the default of :meth:`request`'s ``retry_on_rate_exceed``
    :param max_rate_limit_wait: cap, in seconds, on the total sleep of one request waiting out 429s
    :param max_response_size: the largest response body accepted, in bytes (after decompression)
    """

    def __init__(
        self,
        token: str,
        user_agent: Optional[str] = None,
        verify_ssl: Optional[Union[bool, str]] = None,
        *,
        timeout: Timeout = DEFAULT_TIMEOUT,
        total_timeout: Optional[float] = DEFAULT_TOTAL_TIMEOUT,
        session: Optional[requests.Session] = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry_on_rate_exceed: bool = False,
        max_rate_limit_wait: float = DEFAULT_MAX_RATE_LIMIT_WAIT,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
    ) -> None:
        _check_token(token)
        _check_user_agent(user_agent)
        if verify_ssl is not None and not isinstance(verify_ssl, (bool, str)):
            raise TypeError("verify_ssl must be None, True, False or the path of a CA bundle")
        self.timeout: Timeout = _check_timeout(timeout)
        self.total_timeout: Optional[float] = _positive("total_timeout", total_timeout, allow_none=True)
        if session is not None and not isinstance(session, requests.Session):
            raise TypeError("session must be a requests.Session")
        self.max_retries: int = _count("max_retries", max_retries)
        if not isinstance(retry_on_rate_exceed, bool):
            raise TypeError("retry_on_rate_exceed must be True or False")
        self.max_rate_limit_wait: float = _positive("max_rate_limit_wait", max_rate_limit_wait, allow_zero=True)
        self.max_response_size: int = _count("max_response_size", max_response_size, minimum=1)
        if verify_ssl is False:
            warnings.warn(
                "TLS certificate verification is disabled (verify_ssl=False): the API token can be "
                "intercepted by anyone between this machine and the server",
                stacklevel=3,
            )

        agent = "%s/%s" % (CLIENT_NAME, CLIENT_VERSION)
        #: the headers of every request, exactly rapidpro-python 2.22's (``Content-type`` included)
        self.headers: Dict[str, str] = {
            "Content-type": "application/json",
            "Accept": "application/json",
            "Authorization": "Token %s" % token,
            "User-Agent": "%s %s" % (user_agent, agent) if user_agent else agent,
        }
        self.verify_ssl: Optional[Union[bool, str]] = verify_ssl
        self.retry_on_rate_exceed: bool = retry_on_rate_exceed
        self._redactor = Redactor(token)
        self._owns_session = session is None
        self.session: requests.Session = session if session is not None else requests.Session()
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
        retry_on_rate_exceed: Optional[bool] = None,
        decode: Optional[Callable[[bytes], Any]] = None,
    ) -> Any:
        """Sends a request and returns its parsed JSON body (None for an empty body).

        :param method: ``GET``, ``POST`` or ``DELETE``
        :param url: the absolute URL
        :param params: query parameters (a list value is sent as a repeated parameter)
        :param body: a JSON-able value sent as the body (NaN and infinities are refused)
        :param files: multipart parts, as ``requests`` takes them (instead of ``body``)
        :param retry_on_rate_exceed: on a 429, sleep for its ``Retry-After`` and try again (None:
            the transport's default)
        :param decode: a function given the body of a successful answer first (e.g. a typed page
            decoder, see :mod:`temba_client._typed`): what it returns is returned, unless None, in
            which case the body is parsed as JSON as usual
        :raises ValueError: if the body cannot be sent as JSON (nothing was sent)
        :raises TembaException: a subclass for each kind of failure
        """
        method = method.upper()
        where = "%s %s" % (method, self._shown(url, params))
        if not self._redactor.token:
            raise TembaTokenError("no API token is set: give the workspace's API token to the client", where)
        data = _encode_body(body)
        retry_rate = self.retry_on_rate_exceed if retry_on_rate_exceed is None else retry_on_rate_exceed
        deadline = None if self.total_timeout is None else time.monotonic() + self.total_timeout

        failures = 0  # connection errors, timeouts and 502/503/504 so far
        rate_limited = 0
        rate_limit_wait = 0.0
        redirects = 0
        while True:
            start = time.monotonic()
            try:
                answer = self._send(method, url, params, body, data, files, deadline)
            except _BodyTooLarge as exc:
                raise TembaBadResponseError("%s (%s)" % (exc, where)) from None
            except requests.RequestException as exc:
                detail = self._redactor.text(describe_failure(exc, self.timeout, self.total_timeout, url))
                logger.debug("%s failed: %s", _path_only(where), detail)
                if _retryable(exc) and (method == "GET" or _never_sent(exc)) and self._may_retry(failures, deadline):
                    failures += 1
                    self._backoff(failures)
                    continue
                raise TembaConnectionError(detail, where) from None

            status = answer.status
            logger.debug("%s -> %d (%.3fs)", _path_only(where), status, time.monotonic() - start)

            if status in _REDIRECT_STATUSES:
                location = self._redirect(method, url, params, answer, redirects)
                if location is not None:
                    url, params, redirects = location, None, redirects + 1
                    where = "%s %s" % (method, self._shown(url, params))
                    continue

            if status in _RETRYABLE_STATUSES and method == "GET" and self._may_retry(failures, deadline):
                failures += 1
                self._backoff(failures)
                continue

            if status == 429 and retry_rate and rate_limited < MAX_RATE_LIMIT_RETRIES:
                wait = max(retry_after(answer.headers), 1)
                if rate_limit_wait + wait <= self.max_rate_limit_wait:
                    rate_limited += 1
                    rate_limit_wait += wait
                    logger.info("Rate limit exceeded: sleeping %d seconds before retrying", wait)
                    time.sleep(wait)
                    if deadline is not None:  # waits for rate limits are bounded by max_rate_limit_wait
                        deadline += wait
                    continue

            return parse_answer(where, answer, self._redactor, decode)

    # ------------------------------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        url: str,
        params: Optional[Mapping[str, Any]],
        body: Any,
        data: Optional[bytes],
        files: Optional[Mapping[str, Any]],
        deadline: Optional[float],
    ) -> Answer:
        """One exchange with the server, through a patched ``request`` function if there is one."""
        patched = _patched_request()
        if patched is not None:
            return self._send_patched(patched, method, url, params, body, files)

        headers = self.headers
        if files is not None:  # requests writes the multipart Content-Type with its boundary
            headers = {name: value for name, value in headers.items() if name.lower() != "content-type"}
        response = self.session.request(
            method,
            url,
            params=params,
            data=data,
            files=files,
            headers=headers,
            timeout=self._attempt_timeout(deadline),
            verify=self.verify_ssl,
            stream=True,
            allow_redirects=False,
            hooks={"response": self._body_reader(deadline)},
        )
        content = _read_body(response, self.max_response_size, deadline, self.total_timeout)
        return Answer(response.status_code, response.reason or "", response.headers, content, response)

    def _body_reader(self, deadline: Optional[float]) -> Callable[..., requests.Response]:
        """A response hook that reads the body within the limits, before requests itself reads the
        body of a redirect (which it does, unbounded, even when it does not follow it)."""

        def read(response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
            response._content = _read_body(response, self.max_response_size, deadline, self.total_timeout)
            response._content_consumed = True  # type: ignore[attr-defined]
            return response

        return read

    def _send_patched(
        self,
        patched: Callable[..., Any],
        method: str,
        url: str,
        params: Optional[Mapping[str, Any]],
        body: Any,
        files: Optional[Mapping[str, Any]],
    ) -> Answer:
        """Calls a patched ``request`` as rapidpro-python 2.22 did, and reads what it returned."""
        kwargs: Dict[str, Any] = {"headers": self.headers}
        if body is not None:
            kwargs["data"] = body
        if files is not None:
            kwargs["files"] = files
        if params:
            kwargs["params"] = params
        kwargs["verify"] = self.verify_ssl
        response = patched(method.lower(), url, **kwargs)
        return Answer.of(response, self.max_response_size)

    def _attempt_timeout(self, deadline: Optional[float]) -> Timeout:
        """The timeout of one send: the configured one, shortened to what is left of the deadline."""
        if deadline is None:
            return self.timeout
        left = max(deadline - time.monotonic(), 0.001)
        connect, read = self.timeout if isinstance(self.timeout, tuple) else (self.timeout, self.timeout)
        return (left if connect is None else min(connect, left), left if read is None else min(read, left))

    def _redirect(
        self, method: str, url: str, params: Optional[Mapping[str, Any]], answer: Answer, redirects: int
    ) -> Optional[str]:
        """Where a GET's redirect leads within the same origin; raises for any other redirect."""
        location = answer.headers.get("Location")
        if not location:
            return None  # a 3xx without a Location: reported as an error status
        target = urljoin(url, location)
        shown = self._redactor.text(redact_url(target))
        if method != "GET":
            why = "a %s is never re-sent to another address: nothing was followed" % method
        elif not _same_origin(url, target):
            why = "a redirect to another scheme, host or port is not followed (give that URL as the host?)"
        elif redirects >= MAX_REDIRECTS:
            why = "more than %d redirects" % MAX_REDIRECTS
        else:
            return target
        message = "%d %s for %s %s: redirected to %s; %s" % (
            answer.status,
            answer.reason,
            method,
            self._shown(url, params),
            shown,
            why,
        )
        raise TembaHttpError(requests.HTTPError(message, response=answer.response))

    def _may_retry(self, failures: int, deadline: Optional[float]) -> bool:
        return failures < self.max_retries and (deadline is None or time.monotonic() < deadline)

    def _backoff(self, attempt: int) -> None:
        """Sleeps before retry number ``attempt``: exponential, capped, with full jitter."""
        ceiling = min(_BACKOFF_CAP, _BACKOFF_BASE * 2 ** (attempt - 1))
        time.sleep(ceiling / 2 + self._random.uniform(0, ceiling / 2))

    def _shown(self, url: str, params: Optional[Mapping[str, Any]]) -> str:
        """The URL as messages show it: parameters included, token and personal data redacted."""
        if params:
            url += ("&" if urlsplit(url).query else "?") + urlencode(params, doseq=True)
        return self._redactor.text(redact_url(url))


def _path_only(where: str) -> str:
    """``GET https://host/api/v2/contacts.json?urn=***`` → ``GET /api/v2/contacts.json?urn=***``, as logs show it."""
    method, _, url = where.partition(" ")
    parts = urlsplit(url)
    return "%s %s%s" % (method, parts.path, "?" + parts.query if parts.query else "")


# ---------------------------------------------------------------------------------------------
# Reading the body
# ---------------------------------------------------------------------------------------------


class _BodyTooLarge(requests.RequestException):
    """A response body over the transport's size limit."""


class _TooSlow(requests.exceptions.ReadTimeout):
    """The answer did not arrive in full within the transport's ``total_timeout``."""


def _read_body(response: requests.Response, limit: int, deadline: Optional[float], total: Optional[float]) -> bytes:
    """Reads the whole body (so the connection goes back to the pool), refusing more than ``limit``
    bytes once decompressed, or taking longer than the deadline: a proxy's endless stream, a gzip
    bomb or a server trickling its answer must not exhaust memory or hold the call forever."""
    if response._content_consumed:  # type: ignore[attr-defined]  # requests read a redirect's body itself
        content = response.content or b""
        if len(content) > limit:
            raise _BodyTooLarge("the response body is larger than the limit of %d bytes" % limit)
        return content
    chunks = []
    size = 0
    try:
        for chunk in _chunks(response):
            size += len(chunk)
            if size > limit:
                raise _BodyTooLarge("the response body is larger than the limit of %d bytes" % limit)
            chunks.append(chunk)
            if deadline is not None and time.monotonic() > deadline:
                raise _TooSlow("the answer took longer than the total limit of %s seconds (total_timeout)" % total)
    finally:
        response.close()
    content = b"".join(chunks)
    _check_length(response, len(content))
    return content


def _chunks(response: requests.Response) -> Any:
    """The body's decoded chunks, each as soon as it arrives (``read1``: a trickle is seen byte by
    byte, so the deadline is checked between them), falling back on ``iter_content`` for a
    session whose adapter does not give urllib3 responses."""
    raw = response.raw
    if not isinstance(raw, urllib3.response.BaseHTTPResponse) or not hasattr(raw, "read1"):
        yield from response.iter_content(chunk_size=_READ_SIZE)
        return
    while True:
        try:
            chunk = raw.read1(_READ_SIZE, decode_content=True)
        except urllib3.exceptions.ReadTimeoutError as exc:
            raise requests.exceptions.ReadTimeout(str(exc)) from None
        except urllib3.exceptions.DecodeError as exc:
            raise requests.exceptions.ContentDecodingError(str(exc)) from None
        except urllib3.exceptions.SSLError as exc:
            raise requests.exceptions.SSLError(str(exc)) from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise requests.exceptions.ChunkedEncodingError(str(exc)) from None
        if not chunk:
            return
        yield chunk


def _check_length(response: requests.Response, size: int) -> None:
    """A body shorter (or longer) than its ``Content-Length`` was cut: never taken as the answer,
    whatever the version of urllib3 underneath."""
    length = response.headers.get("Content-Length", "")
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if length.isdigit() and encoding in ("", "identity") and int(length) != size:
        raise requests.exceptions.ChunkedEncodingError(
            "the body has %d bytes where its Content-Length announced %s" % (size, length)
        )


# ---------------------------------------------------------------------------------------------
# Checking options and bodies
# ---------------------------------------------------------------------------------------------


def _check_token(token: Any) -> None:
    if not isinstance(token, str):
        raise TypeError("token must be a string (the workspace's API token)")
    for position, char in enumerate(token):
        if char.isspace() or not (" " < char < "\x7f"):
            where = "at its end" if position == len(token) - 1 else "at its start" if position == 0 else "inside it"
            kind = "whitespace" if char.isspace() else "a control character" if char < " " else "a non-ASCII character"
            hint = " (a line break read from a file? strip() it)" if char in "\r\n" else ""
            raise ValueError("the token has %s %s%s: it cannot be sent in a header" % (kind, where, hint))


def _check_user_agent(user_agent: Any) -> None:
    if user_agent is None:
        return
    if not isinstance(user_agent, str):
        raise TypeError("user_agent must be a string")
    if any(not (" " <= char < "\x7f") for char in user_agent):
        raise ValueError("user_agent must be printable ASCII (no line breaks or control characters): %r" % user_agent)


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError("%s must be a number of seconds, not %s" % (name, type(value).__name__))
    if not math.isfinite(value):
        raise ValueError("%s must be a finite number of seconds, not %r" % (name, value))
    return value


def _positive(name: str, value: Any, allow_none: bool = False, allow_zero: bool = False) -> Any:
    if value is None and allow_none:
        return None
    number = _number(name, value)
    if number < 0 or (number == 0 and not allow_zero):
        raise ValueError("%s must be %s, not %r" % (name, "0 or more" if allow_zero else "more than 0", value))
    return number


def _count(name: str, value: Any, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("%s must be an int, not %s" % (name, type(value).__name__))
    if value < minimum:
        raise ValueError("%s must be %d or more, not %d" % (name, minimum, value))
    return value


def _check_timeout(timeout: Any) -> Timeout:
    if timeout is None:
        return None
    if isinstance(timeout, (tuple, list)):
        if len(timeout) != 2:
            raise ValueError("timeout must be seconds or a (connect, read) pair")
        connect, read = (_positive("timeout", part, allow_none=True) for part in timeout)
        return (connect, read)
    return _positive("timeout", timeout)


def _encode_body(body: Any) -> Optional[bytes]:
    """The body as JSON bytes; anything JSON cannot carry exactly raises ValueError before sending."""
    if body is None:
        return None
    try:
        return _json.dumps(body)
    except ValueError as exc:  # NaN or an infinity, a circular reference
        raise ValueError("the request body cannot be sent as JSON: %s" % exc) from None
    except RecursionError:
        raise ValueError("the request body cannot be sent as JSON: it is nested too deeply") from None
    except UnicodeError:
        raise ValueError("the request body cannot be sent as JSON: it holds an unpaired surrogate") from None


# ---------------------------------------------------------------------------------------------
# Retries, redirects and rapidpro-python's patch points
# ---------------------------------------------------------------------------------------------


def _retryable(exc: requests.RequestException) -> bool:
    """Whether a failure may pass if tried again: not a TLS failure, a bad URL or a bad header."""
    if isinstance(exc, requests.exceptions.SSLError):
        return False
    return isinstance(exc, (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError))


def _never_sent(exc: requests.RequestException) -> bool:
    """Whether the request provably never left the machine, so that even a write can be retried:
    the connection was refused, its name did not resolve, or connecting timed out."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if not isinstance(exc, requests.ConnectionError) or isinstance(exc, requests.exceptions.SSLError):
        return False
    return is_new_connection_error(exc)


def _same_origin(url: str, target: str) -> bool:
    """Whether two URLs have the same scheme, host and port."""
    a, b = urlsplit(url), urlsplit(target)
    defaults = {"http": 80, "https": 443}
    try:
        ports = (a.port or defaults.get(a.scheme.lower()), b.port or defaults.get(b.scheme.lower()))
    except ValueError:  # a port that is not a number
        return False
    return a.scheme.lower() == b.scheme.lower() and a.hostname == b.hostname and ports[0] == ports[1]


def _patched_request() -> Optional[Callable[..., Any]]:
    """The replacement of ``request`` that rapidpro-python-era code patched in, if any."""
    for name in _HOOK_MODULES:
        module = sys.modules.get(name)
        function = getattr(module, "request", _ORIGINAL_REQUEST) if module is not None else _ORIGINAL_REQUEST
        if function is not _ORIGINAL_REQUEST:
            return function
    return None

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
- no body larger than ``max_response_size`` is held in memory (compressed or not), whichever urllib3
  is installed (see :mod:`temba_client.bodies`);
- every failure raises a ``Temba*`` exception whose ``str()`` is rapidpro-python 2.22's, described
  by :func:`temba_client.responses.fail` (attributes, notes: how many attempts over how long);
- the token never appears in a message, a repr, a note, a cause or a log line, and URNs, phone
  numbers and e-mail addresses in query strings are shown as ``***``.

Code written for rapidpro-python 2.22 that replaces ``temba_client.utils.request`` (or
``temba_client.base.request``, ``temba_client.clients.request``) with ``unittest.mock.patch`` keeps
working: while such a patch is in place, requests go through the replacement, called as 2.22 did,
once per request (a 429 is waited out when asked, as 2.22 did; nothing else is retried).
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

from . import CLIENT_NAME, CLIENT_VERSION, _json, utils
from .bodies import ACCEPT_ENCODING, BodyTooLarge, read_body
from .exceptions import TembaBadResponseError, TembaConnectionError, TembaException, TembaHttpError, TembaTokenError
from .responses import (
    Answer,
    Call,
    Redactor,
    describe_failure,
    fail,
    is_new_connection_error,
    parse_answer,
    retry_after,
)
from .utils import redact_text, redact_url, redacted_exception

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
    :param pool_maxsize: how many connections to the server the transport's session keeps for
        reuse (``requests``' default: 10); give at least the number of threads sharing the client,
        or urllib3 logs "Connection pool is full, discarding connection" and opens new ones. Not
        with ``session`` (mount your own adapters there)
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
        pool_maxsize: Optional[int] = None,
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
        if pool_maxsize is not None:
            _count("pool_maxsize", pool_maxsize, minimum=1)
            if session is not None:
                raise ValueError("pool_maxsize sizes the client's own session: with session=, mount adapters on it")
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
        self.session: requests.Session = session if session is not None else _new_session(pool_maxsize)
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
        call = Call(method.upper(), self._shown(url, params))
        try:
            return self._call(call, url, params, body, files, retry_on_rate_exceed, decode)
        except TembaException as exc:
            if exc.method is None:  # not described where it was raised
                fail(exc, call)
            raise

    def _call(
        self,
        call: Call,
        url: str,
        params: Optional[Mapping[str, Any]],
        body: Any,
        files: Optional[Mapping[str, Any]],
        retry_on_rate_exceed: Optional[bool],
        decode: Optional[Callable[[bytes], Any]],
    ) -> Any:
        method = call.method
        if not self._redactor.token:
            detail = "no API token is set: give the workspace's API token to the client"
            raise fail(TembaTokenError(), call, detail=detail)
        data = _encode_body(body)
        retry_rate = self.retry_on_rate_exceed if retry_on_rate_exceed is None else retry_on_rate_exceed
        deadline = None if self.total_timeout is None else time.monotonic() + self.total_timeout

        failures = 0  # connection errors, timeouts and 502/503/504 so far
        rate_limited = 0
        rate_limit_wait = 0.0
        redirects = 0
        while True:
            start = time.monotonic()
            call.attempts += 1
            failure: Optional[requests.RequestException] = None
            try:
                answer = self._send(method, url, params, body, data, files, deadline)
            except BodyTooLarge as exc:
                too_large = requests.HTTPError("%s (%s)" % (exc, call.where))
                raise fail(TembaBadResponseError(too_large), call) from exc
            except requests.RequestException as exc:
                failure = exc
            if failure is not None:  # out of the except block: the unredacted error is not chained
                detail = self._redact(describe_failure(failure, self.timeout, self.total_timeout, url))
                logger.debug("%s failed: %s", _path_only(call.where), detail)
                if (
                    _retryable(failure)
                    and (method == "GET" or _never_sent(failure))
                    and self._may_retry(failures, deadline)
                ):
                    failures += 1
                    self._backoff(failures)
                    continue
                limits = "max_retries=%d, timeout=%s, total_timeout=%s" % (
                    self.max_retries,
                    self.timeout,
                    self.total_timeout,
                )
                unreachable = fail(TembaConnectionError(), call, limits, detail=detail)
                raise unreachable from redacted_exception(failure, self._redact)

            status = answer.status
            logger.debug("%s -> %d (%.3fs)", _path_only(call.where), status, time.monotonic() - start)

            if status in _REDIRECT_STATUSES:
                location = self._redirect(call, url, answer, redirects)
                if location is not None:
                    url, params, redirects = location, None, redirects + 1
                    call.url = self._shown(url, params)
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

            return parse_answer(call, answer, self._redactor, decode)

    def _redact(self, text: str) -> str:
        """A text without the token and without the personal data of the URLs it quotes."""
        return self._redactor.text(redact_text(text))

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

        # the client decodes bodies itself, bounded (temba_client.bodies): it asks for what it decodes
        headers = {**self.headers, "Accept-Encoding": ACCEPT_ENCODING}
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
        content = read_body(response, self.max_response_size, deadline, self.total_timeout)
        return Answer(response.status_code, response.reason or "", response.headers, content, response)

    def _body_reader(self, deadline: Optional[float]) -> Callable[..., requests.Response]:
        """A response hook that reads the body within the limits, before requests itself reads the
        body of a redirect (which it does, unbounded, even when it does not follow it)."""

        def read(response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
            response._content = read_body(response, self.max_response_size, deadline, self.total_timeout)
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

    def _redirect(self, call: Call, url: str, answer: Answer, redirects: int) -> Optional[str]:
        """Where a GET's redirect leads within the same origin; raises for any other redirect."""
        location = answer.headers.get("Location")
        if not location:
            return None  # a 3xx without a Location: reported as an error status
        target = urljoin(url, location)
        shown = self._redactor.text(redact_url(target))
        if call.method != "GET":
            why = "a %s is never re-sent to another address: nothing was followed" % call.method
        elif not _same_origin(url, target):
            why = "a redirect to another scheme, host or port is not followed (give that URL as the host?)"
        elif redirects >= MAX_REDIRECTS:
            why = "more than %d redirects" % MAX_REDIRECTS
        else:
            return target
        message = "%d %s for %s: redirected to %s; %s" % (answer.status, answer.reason, call.where, shown, why)
        error = TembaHttpError(requests.HTTPError(message, response=answer.response))
        raise fail(error, call, status_code=answer.status, reason=answer.reason, response=answer.response)

    def _may_retry(self, failures: int, deadline: Optional[float]) -> bool:
        """Whether a failed GET may be sent again: not past the retries or the deadline, and not while
        a test patches ``request`` (rapidpro-python 2.22 sent each request once: a mock's list of
        answers is used up as it expects)."""
        if failures >= self.max_retries or _patched_request() is not None:
            return False
        return deadline is None or time.monotonic() < deadline

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


def _new_session(pool_maxsize: Optional[int]) -> requests.Session:
    """The transport's own session, with connection pools of ``pool_maxsize`` if given."""
    session = requests.Session()
    if pool_maxsize is not None:
        adapter = requests.adapters.HTTPAdapter(pool_maxsize=pool_maxsize)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
    return session


def _patched_request() -> Optional[Callable[..., Any]]:
    """The replacement of ``request`` that rapidpro-python-era code patched in, if any."""
    for name in _HOOK_MODULES:
        module = sys.modules.get(name)
        function = getattr(module, "request", _ORIGINAL_REQUEST) if module is not None else _ORIGINAL_REQUEST
        if function is not _ORIGINAL_REQUEST:
            return function
    return None

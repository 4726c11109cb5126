"""What the server answered, and what it means: parsed JSON, or the ``Temba*`` exception its status
calls for, with a message that says what happened and never holds the token or personal data.

Used by :mod:`temba_client.transport`; nothing here sends anything.
"""

from __future__ import annotations

import email.utils
import json
import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable, Optional, Tuple, Union

import requests
import urllib3

from . import _json
from .exceptions import (
    TembaBadRequestError,
    TembaBadResponseError,
    TembaHttpError,
    TembaNoSuchObjectError,
    TembaPermissionError,
    TembaRateExceededError,
    TembaTokenError,
)
from .utils import REDACTED, redact_query

_ERROR_BODY_PREVIEW = 200  # characters of an error body quoted in exception messages
_QUERY = re.compile(r"\?([^\s'\")]+)")  # a query string inside a message from requests or urllib3
_NOISE = re.compile(r"<[\w.]+ object at 0x[0-9a-f]+>: |\b\w*Connection(Pool)?\([^)]*\): ", re.IGNORECASE)


@dataclass
class Answer:
    """One answer of the server, however it was obtained.

    :param status: the HTTP status
    :param reason: the status's reason phrase (may be empty)
    :param headers: the headers (case-insensitive)
    :param content: the whole body
    :param response: the :class:`requests.Response` (or what a patched ``request`` returned)
    """

    status: int
    reason: str
    headers: Mapping[str, str]
    content: bytes
    response: Any

    @classmethod
    def of(cls, response: Any, limit: int) -> Answer:
        """The answer held by a response object that a patched ``request`` returned (a
        :class:`requests.Response`, or rapidpro-python's ``MockResponse``).

        :param response: the object, with ``status_code``, ``content`` and ``headers``
        :param limit: the largest body accepted, in bytes
        """
        status = getattr(response, "status_code", None)
        if isinstance(status, bool) or not isinstance(status, int):
            raise TembaBadResponseError(requests.HTTPError("the patched request() returned no status_code"))
        content = getattr(response, "content", b"") or b""
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogatepass")
        if not isinstance(content, (bytes, bytearray)):
            raise TembaBadResponseError(requests.HTTPError("the patched request() returned content of a wrong type"))
        if len(content) > limit:
            raise TembaBadResponseError(
                requests.HTTPError("the response body is larger than the limit of %d bytes" % limit)
            )
        headers = getattr(response, "headers", None)
        headers = headers if isinstance(headers, Mapping) else {}
        if not isinstance(headers, requests.structures.CaseInsensitiveDict):
            headers = requests.structures.CaseInsensitiveDict(headers)
        return cls(status, str(getattr(response, "reason", "") or ""), headers, bytes(content), response)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


class Redactor:
    """Removes the token from text the library builds or the server echoes back.

    :param token: the API token
    """

    def __init__(self, token: str) -> None:
        self.token = token
        # a short token would garble every message; real tokens are 40 characters
        escaped = json.dumps(token)[1:-1]
        self._forms = tuple(sorted({token, escaped}, key=len, reverse=True)) if len(token) >= 6 else ()

    def text(self, text: str) -> str:
        """The text with ``Token <token>`` and the token alone replaced by ``***``.

        :param text: any text
        """
        for form in self._forms:
            if form in text:
                text = text.replace(form, REDACTED)
        return text


def parse_answer(
    where: str, answer: Answer, redactor: Redactor, decode: Optional[Callable[[bytes], Any]] = None
) -> Any:
    """Returns the JSON of a successful answer, or raises the exception its status calls for.

    :param where: the request as messages name it, e.g. ``"GET https://host/api/v2/contacts.json?urn=***"``
    :param answer: the server's answer
    :param redactor: removes the token from what the messages quote
    :param decode: given a successful answer's body first (a typed page decoder, see
        :mod:`temba_client._typed`): what it returns is returned, unless None, in which case the
        body is parsed as JSON
    """
    status = answer.status
    if 200 <= status < 300:
        if not answer.content:
            return None
        if decode is not None:
            decoded = decode(answer.content)
            if decoded is not None:
                return decoded
        parsed, ok = _loads(answer.content)
        if not ok:
            raise TembaBadResponseError(_http_error("Invalid JSON in the response to %s" % where, answer, redactor))
        return parsed

    body, is_json = _error_body(answer, redactor)
    detail = body.get("detail") if is_json and isinstance(body, dict) else None
    detail = str(detail) if detail is not None and not isinstance(detail, (dict, list)) else None
    context = "%d %s for %s" % (status, answer.reason, where) if answer.reason else "%d for %s" % (status, where)
    if detail is None:  # not the API's own answer (a proxy's page?): quote it
        context += ": %s" % _preview(answer, redactor)
    if status == 400:
        raise TembaBadRequestError(body)
    if status in (401, 403):
        if status == 403 and not TembaTokenError.is_token_failure(detail):
            raise TembaPermissionError(detail, context)
        raise TembaTokenError(detail, context)
    if status == 404:
        if not is_json:  # the URL router's page, not the API's answer: the endpoint itself is missing
            detail = _missing_endpoint(where)
        raise TembaNoSuchObjectError(detail, context)
    if status == 429:
        raise TembaRateExceededError(retry_after(answer.headers))
    raise TembaHttpError(_http_error(where, answer, redactor))


def retry_after(headers: Mapping[str, str]) -> int:
    """Seconds to wait, from a ``Retry-After`` header of seconds or of an HTTP date: 0 when it is
    absent, past, negative, infinite or neither a number nor a date.

    :param headers: the answer's headers
    """
    value = str(headers.get("Retry-After", "") or "").strip()
    if not value:
        return 0
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
            seconds = when.timestamp() - time.time()
        except (TypeError, ValueError, OverflowError, IndexError):
            return 0
    if not math.isfinite(seconds) or seconds <= 0:
        return 0
    return math.ceil(seconds)


def describe_failure(exc: requests.RequestException, timeout: Any, total: Optional[float], url: str) -> str:
    """A short description of a failure to get an answer, without URLs' personal data.

    :param exc: what requests raised
    :param timeout: the transport's timeout, quoted in the message
    :param total: the transport's total timeout
    :param url: the URL asked (for the hint about a missing ``http://``)
    """
    if isinstance(exc, requests.ConnectTimeout):
        return "could not connect: connecting timed out (timeout=%s)" % (timeout,)
    if isinstance(exc, requests.Timeout):
        text = str(exc.args[0]) if exc.args and isinstance(exc.args[0], str) else ""
        if "total_timeout" in text:
            return text
        return "read timed out: the server accepted the connection but did not answer in time (timeout=%s)" % (timeout,)
    if isinstance(exc, requests.exceptions.SSLError):
        hint = ""
        if url.lower().startswith("https://"):
            hint = (
                "; if the server speaks plain HTTP (a local one?), give the host with its scheme, "
                "e.g. 'http://127.0.0.1:8000'"
            )
        return "TLS failure: %s%s" % (_reason(exc), hint)
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "connection broken while reading the response: %s" % _reason(exc)
    if isinstance(exc, requests.ConnectionError) and is_new_connection_error(exc):
        return "could not connect: %s" % _reason(exc)
    if isinstance(exc, requests.ConnectionError):
        return "connection failed: %s" % _reason(exc)
    return _reason(exc)


# ---------------------------------------------------------------------------------------------


def _loads(content: Union[bytes, str]) -> Tuple[Any, bool]:
    """The parsed JSON and True, or None and False: invalid, too deeply nested or too large numbers."""
    try:
        return _json.loads(content), True
    except (ValueError, RecursionError, OverflowError, UnicodeError, TypeError):
        return None, False


#: endpoints that RapidPro 26 removed (older servers still have them)
_REMOVED_IN_26 = ("classifiers", "templates", "optins")


def _missing_endpoint(where: str) -> str:
    """What a 404 page (not JSON) on an API URL means: the server has no such endpoint."""
    match = re.search(r"/([A-Za-z_]+)\.json", where)
    endpoint = match.group(1) if match else "this endpoint"
    detail = "%s: this server has no such endpoint (it answered with a 404 page, not the API's JSON)" % endpoint
    if endpoint in _REMOVED_IN_26:
        detail += "; RapidPro 26 removed %s (older servers still have it)" % endpoint
    return detail


def _error_body(answer: Answer, redactor: Redactor) -> Tuple[Any, bool]:
    """The parsed JSON of an error answer (and True), or its raw text (and False), token removed."""
    text = redactor.text(answer.text)
    parsed, ok = _loads(text)
    return (parsed, True) if ok else (text, False)


def _preview(answer: Answer, redactor: Redactor) -> str:
    preview = redactor.text(answer.text)[:_ERROR_BODY_PREVIEW].strip()
    return redactor.text(preview) or "(empty body)"


def _http_error(context: str, answer: Answer, redactor: Redactor) -> requests.HTTPError:
    """A :class:`requests.HTTPError` whose message names the status, the request and the body."""
    reason = " %s" % answer.reason if answer.reason else ""
    message = "%d%s for %s: %s" % (answer.status, reason, context, _preview(answer, redactor))
    return requests.HTTPError(message, response=answer.response)


def is_new_connection_error(exc: requests.RequestException) -> bool:
    """Whether requests failed to open a connection at all (refused, unresolvable host): then the
    request provably never left the machine.

    :param exc: what requests raised
    """
    cause = exc.args[0] if exc.args else None
    return isinstance(getattr(cause, "reason", cause), urllib3.exceptions.NewConnectionError)


def _reason(exc: BaseException) -> str:
    """The innermost useful text of a requests/urllib3 error, its query strings redacted."""
    cause = exc.args[0] if exc.args else None
    reason = getattr(cause, "reason", None)
    text = str(reason) if reason is not None else str(exc) or type(exc).__name__
    text = _NOISE.sub("", text)
    return _QUERY.sub(lambda match: "?" + redact_query(match.group(1)), text)

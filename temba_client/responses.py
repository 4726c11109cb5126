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
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional, Tuple, TypeVar, Union

import requests
import urllib3

from . import _json
from .bodies import has_body
from .exceptions import (
    TembaBadRequestError,
    TembaBadResponseError,
    TembaException,
    TembaHttpError,
    TembaNoSuchObjectError,
    TembaPermissionError,
    TembaRateExceededError,
    TembaTokenError,
    describe,
)
from .utils import REDACTED, redact_text, redact_url

_ERROR_BODY_PREVIEW = 200  # characters of an error body quoted in exception notes
_NOISE = re.compile(r"<[\w.]+ object at 0x[0-9a-f]+>: |\b\w*Connection(Pool)?\([^)]*\): ", re.IGNORECASE)
#: keys of a DRF error body whose messages are about the whole request, not one field
_UNNAMED_KEYS = frozenset({"detail", "non_field_errors"})

E = TypeVar("E", bound=TembaException)


@dataclass
class Call:
    """One call of :meth:`Transport.request <temba_client.transport.Transport.request>`: the
    request as messages show it, and how it went so far.

    :param method: the method, upper case
    :param url: the URL with its parameters, token and personal data redacted
    """

    method: str
    url: str
    started: float = field(default_factory=time.monotonic)
    attempts: int = 0

    @property
    def where(self) -> str:
        """``"GET https://host/api/v2/contacts.json?urn=***"``"""
        return "%s %s" % (self.method, self.url)


def fail(exc: E, call: Call, limits: Optional[str] = None, **context: Any) -> E:
    """Describes an exception with what the client knows of the call that failed (see
    :func:`~temba_client.exceptions.describe`), including how many attempts it made over how long.

    :param exc: the exception
    :param call: the call
    :param limits: the transport's limits, quoted after the attempts (e.g. ``max_retries=3``)
    :param context: passed to :func:`~temba_client.exceptions.describe`
    """
    elapsed = time.monotonic() - call.started
    attempts = "%d attempt%s in %.2f s" % (call.attempts, "" if call.attempts == 1 else "s", elapsed)
    notes: Iterable[str] = [*context.pop("notes", ()), "%s (%s)" % (attempts, limits) if limits else attempts]
    return describe(
        exc, call.method, call.url, attempts=call.attempts, elapsed=round(elapsed, 3), notes=notes, **context
    )


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
        if isinstance(content, (dict, list)):  # rapidpro-python's own tests give MockResponse(404, {...})
            content = json.dumps(content)
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
    call: Call, answer: Answer, redactor: Redactor, decode: Optional[Callable[[bytes], Any]] = None
) -> Any:
    """Returns the JSON of a successful answer, or raises the exception its status calls for, with
    rapidpro-python 2.22's message and the rest in its attributes and notes.

    :param call: the call, as messages name it
    :param answer: the server's answer
    :param redactor: removes the token from what the messages quote
    :param decode: given a successful answer's body first (a typed page decoder, see
        :mod:`temba_client._typed`): what it returns is returned, unless None, in which case the
        body is parsed as JSON
    """
    status = answer.status
    if 200 <= status < 300:
        if not answer.content or not has_body(status, call.method):  # a 204 ends at its headers
            return None
        if decode is not None:
            decoded = decode(answer.content)
            if decoded is not None:
                return decoded
        parsed, ok = _loads(answer.content)
        if not ok:
            error = requests.HTTPError("Invalid JSON in the response to %s" % call.where, response=answer.response)
            raise fail(
                TembaBadResponseError(error),
                call,
                status_code=status,
                reason=answer.reason,
                body=_preview(answer, redactor),
            )
        return parsed

    body, is_json = _error_body(answer, redactor)
    detail = body.get("detail") if is_json and isinstance(body, dict) else None
    detail = str(detail) if detail is not None and not isinstance(detail, (dict, list)) else None
    preview = None if is_json else _preview(answer, redactor)
    notes = []
    exc: TembaException
    if status == 400:
        exc = TembaBadRequestError(body if is_json else {"details": [body.encode("utf-8", "replace")]})
        fields = [str(key) for key in body if key not in _UNNAMED_KEYS] if is_json and isinstance(body, dict) else []
        if fields:
            notes.append("refused: %s" % ", ".join(fields))
    elif status in (401, 403):  # the server answers 403; a proxy may answer 401
        token = status == 401 or TembaTokenError.is_token_failure(detail)
        exc = TembaTokenError() if token else TembaPermissionError()
    elif status == 404:
        if not is_json:  # the URL router's page, not the API's answer: the endpoint itself is missing
            detail = _missing_endpoint(call.where)
        exc = TembaNoSuchObjectError()
    elif status == 429:
        exc = TembaRateExceededError(retry_after(answer.headers))
    else:
        exc = TembaHttpError(_status_error(call, answer, redactor))
    raise fail(
        exc,
        call,
        status_code=status,
        reason=answer.reason,
        detail=detail,
        response=answer.response,
        body=preview,
        notes=notes,
    )


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
    """The start of a body that is not the API's JSON (a proxy's page), as notes quote it: without
    the token, and without the personal data of the URLs it may echo."""
    return redact_text(redactor.text(answer.text)[:_ERROR_BODY_PREVIEW].strip()) or "(empty body)"


def _status_error(call: Call, answer: Answer, redactor: Redactor) -> requests.HTTPError:
    """The :class:`requests.HTTPError` of an error status, worded as ``raise_for_status()`` words it
    (what rapidpro-python 2.22 showed), its URL redacted; a 2.22 ``MockResponse`` words its own."""
    response = answer.response
    if not isinstance(response, requests.Response) and callable(getattr(response, "raise_for_status", None)):
        try:
            response.raise_for_status()
        except requests.HTTPError as error:
            return error
    url = getattr(response, "url", None) if isinstance(response, requests.Response) else None
    shown = redactor.text(redact_url(url)) if isinstance(url, str) and url else call.url
    # (a status requests would not raise for, a 304 nobody asked for or a 600, is an "Error")
    kind = "Client Error" if 400 <= answer.status < 500 else "Server Error" if 500 <= answer.status < 600 else "Error"
    message = "%d %s: %s for url: %s" % (answer.status, kind, answer.reason, shown)
    return requests.HTTPError(message, response=response)


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
    return redact_text(_NOISE.sub("", text))

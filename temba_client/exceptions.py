"""Exceptions raised by the client.

Every error the client raises on purpose is a :class:`TembaException`::

    try:
        client.update_label(label, name="Spam")
    except TembaBadRequestError as ex:   # 400: ex.errors holds the server's messages
        ...
    except TembaNoSuchObjectError:      # 404
        ...
    except TembaException:              # everything else from the client
        ...

Names, constructors, attributes and ``str()`` are rapidpro-python 2.22's: ``str(ex)`` is exactly
what 2.22 gave for the same answer of the server (``"Authentication with provided token failed"``,
``"No such object exists"``, ``"Unable to connect to host"``, the server's own messages for a 400).
The extra classes (:class:`TembaPermissionError`, :class:`TembaBadResponseError`,
:class:`TembaValidationError`) subclass the ones older code already catches, with the same text.

What this client knows beyond that is kept where 2.22 had nothing:

- attributes on every error about a request: :attr:`~TembaException.status_code`,
  :attr:`~TembaException.method`, :attr:`~TembaException.url` (token and personal data redacted),
  :attr:`~TembaException.detail` (the server's ``detail``, or what failed underneath),
  :attr:`~TembaException.response`, :attr:`~TembaException.attempts`,
  :attr:`~TembaException.elapsed` (None where they do not apply);
- ``repr()``, which names them;
- exception notes (``add_note()`` on Python 3.11+, the ``__notes__`` list before), which
  tracebacks show under the message: the status, the request, the server's detail, the start of a
  body that was not the API's JSON, and how many attempts over how long;
- ``__cause__``: the underlying ``requests`` exception (for a connection error, a copy of it and
  of its own causes whose texts are redacted).

Every exception pickles (for ``ProcessPoolExecutor``, Celery result backends...) with its message,
attributes and notes; the ``response`` is not carried (it is None once unpickled). The mechanism is
:meth:`TembaException.__reduce__`, so subclasses added later pickle the same way.
"""

from __future__ import annotations

import pickle
import sys
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Type, TypeVar

#: ``detail`` texts with which the server (or a proxy) rejects the token itself.
_TOKEN_FAILURE_WORDS = ("token", "credentials", "authenticat", "inactive or deleted")
#: characters of a non-JSON body quoted in ``str()`` of a 400 (rapidpro-python 2.22 crashed there)
_BODY_TEXT = 200

E = TypeVar("E", bound="TembaException")


class TembaException(Exception):
    """Base class of every error raised by this library.

    The attributes below are None unless the error concerns a request (they are set by the
    transport, see :func:`describe`).
    """

    message = ""

    #: the HTTP status of the server's answer (None when there was none)
    status_code: Optional[int] = None
    #: the request's method, e.g. ``"GET"``
    method: Optional[str] = None
    #: the request's URL, with the token and personal data (URNs, phone numbers, e-mails) as ``***``
    url: Optional[str] = None
    #: what went wrong underneath: the server's ``detail`` text, or the connection failure
    detail: Optional[str] = None
    #: the server's answer (a :class:`requests.Response`); None once unpickled
    response: Any = None
    #: how many times the request was sent
    attempts: Optional[int] = None
    #: seconds the call took, retries and their backoff included
    elapsed: Optional[float] = None

    def __str__(self) -> str:
        return self.message or super().__str__()

    def __repr__(self) -> str:
        shown = [repr(str(self))]
        for name in ("status_code", "method", "url", "detail", "attempts"):
            value = getattr(self, name, None)
            if value is not None:
                shown.append("%s=%r" % (name, value))
        return "%s(%s)" % (type(self).__name__, ", ".join(shown))

    def __reduce__(self) -> Tuple[Any, ...]:
        # Invariant: what comes out of pickle.loads has the same class, str(), repr(), attributes
        # and notes as what went in, minus what cannot travel (the response, objects that do not
        # pickle); the constructor is not called again, so any subclass's signature works.
        memo: Dict[int, Any] = {}
        return (_rebuild, (type(self), _portable(self.args, memo)), _portable(dict(vars(self)), memo))


def _rebuild(cls: Type[BaseException], args: Tuple[Any, ...]) -> BaseException:
    """An exception of ``cls`` with ``args``, made without calling its ``__init__`` (pickle then
    restores its attributes)."""
    exc = cls.__new__(cls)  # (an OSError, as requests' errors are, needs its own __new__)
    exc.args = args
    return exc


def _portable(value: Any, memo: Dict[int, Any], depth: int = 0) -> Any:
    """The value, or a copy of it that pickles: a response or a request (it holds the token) is
    dropped, an exception that does not pickle is copied with portable arguments and attributes,
    anything else that does not pickle becomes its ``repr()``."""
    key = id(value)
    if key in memo:
        return memo[key]
    if value is None or isinstance(value, (str, bytes, int, float, bool)):
        return value
    if _is_exchange(value) or depth > 20:
        return None
    if isinstance(value, BaseException) and not isinstance(value, TembaException):
        copy = _rebuild(type(value), ())
        memo[key] = copy
        copy.args = _portable(value.args, memo, depth + 1)
        vars(copy).update(_portable(dict(vars(value)), memo, depth + 1))
        return copy if _pickles(copy) else RuntimeError("%s: %s" % (type(value).__name__, value))
    if isinstance(value, tuple):  # a named tuple (an export's StreamResult) keeps its class
        items = [_portable(item, memo, depth + 1) for item in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, list):
        return [_portable(item, memo, depth + 1) for item in value]
    if isinstance(value, dict):
        return {name: _portable(item, memo, depth + 1) for name, item in value.items()}
    return value if _pickles(value) else repr(value)


def _is_exchange(value: Any) -> bool:
    """Whether a value is a server's answer (a requests.Response or a 2.22 ``MockResponse``) or a
    request (a ``requests`` PreparedRequest or Request: its Authorization header holds the token)."""
    if hasattr(value, "status_code"):
        return hasattr(value, "raw") or hasattr(value, "raise_for_status")
    return hasattr(value, "method") and hasattr(value, "url") and hasattr(value, "headers")


def _pickles(value: Any) -> bool:
    """Whether a value survives pickling both ways (an exception whose constructor takes other
    arguments than its ``args`` pickles, then fails to load)."""
    try:
        pickle.loads(pickle.dumps(value))
    except Exception:
        return False
    return True


def describe(
    exc: E,
    method: Optional[str] = None,
    url: Optional[str] = None,
    *,
    status_code: Optional[int] = None,
    reason: Optional[str] = None,
    detail: Optional[str] = None,
    response: Any = None,
    body: Optional[str] = None,
    attempts: Optional[int] = None,
    elapsed: Optional[float] = None,
    notes: Iterable[str] = (),
) -> E:
    """Sets what the client knows about a failed request on its exception, and writes the notes
    that tracebacks show; returns the exception. Every text given must already be redacted.

    :param exc: the exception
    :param method: the request's method
    :param url: the request's URL, redacted
    :param status_code: the status of the answer, if there was one
    :param reason: the status's reason phrase
    :param detail: the server's ``detail``, or what failed underneath
    :param response: the server's answer
    :param body: the start of a body that was not the API's JSON
    :param attempts: how many times the request was sent
    :param elapsed: seconds the call took
    :param notes: further notes
    """
    for name, value in (
        ("method", method),
        ("url", url),
        ("status_code", status_code),
        ("detail", detail),
        ("response", response),
        ("attempts", attempts),
        ("elapsed", elapsed),
    ):
        if value is not None:
            setattr(exc, name, value)
    lines: List[str] = []
    request = "%s %s" % (method, url) if method and url else None
    if status_code is not None:
        status = "%d %s" % (status_code, reason) if reason else str(status_code)
        lines.append("%s for %s" % (status, request) if request else status)
    elif request:
        lines.append(request)
    if detail and lines:
        lines[-1] += ": %s" % detail
    elif detail:
        lines.append(detail)
    if body is not None:
        lines.append("the body began: %s" % (body or "(empty body)"))
    lines.extend(notes)
    add_notes(exc, lines)
    return exc


def add_notes(exc: BaseException, notes: Sequence[str]) -> None:
    """Adds notes to an exception: ``add_note()`` on Python 3.11+, the ``__notes__`` list before
    (which pytest, IPython and error trackers show).

    :param exc: the exception
    :param notes: the notes, in order
    """
    for note in notes:
        if sys.version_info >= (3, 11):
            exc.add_note(note)
        else:  # pragma: no cover - Python 3.9 and 3.10
            existing = getattr(exc, "__notes__", None)
            exc.__notes__ = [*(existing or []), note]  # type: ignore[attr-defined]


class TembaConnectionError(TembaException):
    """The server could not be reached, or did not answer in time (connection refused or dropped,
    DNS failure, TLS failure, timeout). ``str()`` is ``"Unable to connect to host"``.

    :attr:`detail` tells which: ``"could not connect: ..."``, ``"read timed out: ..."`` (the server
    accepted the connection but did not answer in time), ``"the answer took longer than ..."``
    (the transport's ``total_timeout``), ``"connection broken while reading the response"``, or a
    TLS failure (with a hint when the host was given without ``http://``); :attr:`attempts` and
    :attr:`elapsed` say how many times the request was sent, over how long.
    """

    message = "Unable to connect to host"


class TembaBadRequestError(TembaException):
    """The server rejected the request as invalid (400).

    :attr:`errors` is the server's parsed JSON: ``{"field": ["message", ...]}``,
    ``{"detail": "message"}`` or a list of messages (a body that is not JSON gives
    ``{"details": [<the body as bytes>]}``, as in rapidpro-python 2.22). ``str()`` joins the
    messages, without their fields' names, as 2.22 did: ``{"urns": ["URN belongs to another
    contact: tel:+27820001001"]}`` gives ``"URN belongs to another contact: tel:+27820001001"``, two
    messages ``"Msg1. Msg2"``. Where 2.22 failed or gave nonsense (messages nested in dicts, which it
    showed as their keys; numbers; a body that is not JSON) the messages themselves are given.

    :param errors: the server's error messages
    """

    def __init__(self, errors: Any) -> None:
        super().__init__(errors)
        #: the server's error messages: ``{"field": ["message", ...]}``, ``{"detail": ...}``, a list
        self.errors = errors

    def __str__(self) -> str:
        messages = _error_messages(self.errors)
        return ". ".join(messages)


class TembaValidationError(TembaBadRequestError, ValueError):
    """A call the server would reject with 400, refused before anything was sent (exclusive
    filters combined, a required attribute missing, a list over its limit...).

    ``except TembaBadRequestError``, ``except TembaException`` and ``except ValueError`` all catch
    it. Its message is the server's own for the same refusal (``"You may only specify one of the
    uuid, name parameters"``), and :attr:`errors` is shaped as the server's answer would be.

    :param message: the server's words for the refusal
    :param field: the attribute the server would name (``"non_field_errors"`` for the whole body);
        None for a refusal of the query (``{"detail": message}``)
    """

    def __init__(self, message: str, field: Optional[str] = None) -> None:
        super().__init__({"detail": message} if field is None else {field: [message]})


def _error_messages(errors: Any) -> List[str]:
    """The messages of a DRF error body, in order: rapidpro-python 2.22's for a dict of strings or
    lists of strings and for a list of strings; the texts inside anything else (iteratively: a
    hostile body cannot exhaust the stack)."""
    groups: List[Any] = list(errors.values()) if isinstance(errors, dict) else [errors]
    messages: List[str] = []
    for group in groups:
        stack = [group]
        while stack:
            value = stack.pop()
            if isinstance(value, dict):
                stack.extend(reversed(list(value.values())))
            elif isinstance(value, (list, tuple)):
                stack.extend(reversed(value))
            elif isinstance(value, (bytes, bytearray)):
                messages.append(bytes(value).decode("utf-8", "replace").strip()[:_BODY_TEXT])
            elif isinstance(value, str):
                messages.append(value if errors is not value else value.strip()[:_BODY_TEXT])
            elif value is not None:
                messages.append(str(value))
    return messages


class TembaTokenError(TembaException):
    """The server refused the token (403, or a 401 from a proxy): usually an invalid or inactive
    API token. ``str()`` is ``"Authentication with provided token failed"``; :attr:`detail` is the
    server's text, e.g. ``"Invalid token"``.

    Also raised before anything is sent when the client was given an empty token. The server also
    answers 403 for permission problems unrelated to the token; those are raised as the subclass
    :class:`TembaPermissionError`, with the server's reason in :attr:`detail`.
    """

    message = "Authentication with provided token failed"

    @staticmethod
    def is_token_failure(detail: Optional[str]) -> bool:
        """Whether a 403 ``detail`` text is about the token rather than about permissions.

        :param detail: the server's ``detail``
        """
        return detail is None or any(word in detail.lower() for word in _TOKEN_FAILURE_WORDS)


class TembaPermissionError(TembaTokenError):
    """The token is valid but the server refused the operation (403), e.g. ``"Cannot modify system
    object."`` or ``"You do not have permission to perform this action."``, in :attr:`detail`.
    ``str()`` is rapidpro-python's for every 403, ``"Authentication with provided token failed"``."""


class TembaNoSuchObjectError(TembaException):
    """The object to update or delete does not exist (404), or the server answered 404 for another
    reason given in :attr:`detail` (e.g. ``"Invalid cursor"`` for a resume cursor it cannot read,
    or an endpoint the server does not have). ``str()`` is ``"No such object exists"``.
    """

    message = "No such object exists"


class TembaRateExceededError(TembaException):
    """The workspace made too many requests (429); wait :attr:`retry_after` seconds.

    :param retry_after: seconds to wait
    """

    message = (
        "You have exceeded the number of requests allowed per org in a given time window. "
        "Please wait %d seconds before making further requests"
    )

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        #: seconds to wait before the next request, from the ``Retry-After`` header: always an int
        #: (0 when absent, in the past, or absurd: negative, infinite, not a number or a date)
        self.retry_after = retry_after

    def __str__(self) -> str:
        return self.message % self.retry_after


class TembaHttpError(TembaException):
    """Any other error status (405, 409, 5xx...), and a redirect the client does not follow: any
    redirect of a write (POST, DELETE: it is sent once and never re-sent elsewhere), or a redirect
    of a GET to another origin (scheme, host or port); the message then names the ``Location``.

    :attr:`caused_by` is the underlying :class:`requests.HTTPError`, whose ``response`` is the
    server's answer; ``str()`` is its message, worded as ``requests`` words ``raise_for_status()``
    (``"500 Server Error: Internal Server Error for url: https://..."``), with the URL's personal
    data redacted.

    :param caused_by: the underlying error
    """

    def __init__(self, caused_by: Any) -> None:
        super().__init__(caused_by)
        #: the underlying :class:`requests.HTTPError` (its ``response`` is the server's answer)
        self.caused_by = caused_by
        if isinstance(caused_by, BaseException):  # what tracebacks, debuggers and Sentry show under it
            self.__cause__ = caused_by
        response = getattr(caused_by, "response", None)
        if response is not None:
            self.response = response
            status = getattr(response, "status_code", None)
            if isinstance(status, int):
                self.status_code = status

    def __str__(self) -> str:
        return str(self.caused_by)


class TembaBadResponseError(TembaHttpError):
    """The server answered with a success status but a body that is not what the API sends
    (an HTML page from a proxy, invalid or truncated JSON, JSON of the wrong shape, a body over
    the size limit). rapidpro-python 2.22 let a ``ValueError`` or ``KeyError`` through there."""


class TembaSerializationException(TembaException):
    """A value could not be converted to or from its model field (e.g. a string where the API
    sends a list).

    :param message: what went wrong
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TembaArchiveError(TembaException):
    """An archive file could not be used: wrong size or MD5, not gzip, a line that is not a JSON
    object, or the storage host refused it.

    :param message: what went wrong
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TembaArchiveExpiredError(TembaArchiveError):
    """The storage host refused the presigned URL (it expired): list the archive again for a new one."""


class TembaStateError(TembaException):
    """An export's or sync's state file cannot be used (not JSON, another version, another export's
    options).

    :param message: what went wrong
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class TembaExportError(TembaException):
    """One or more streams of an export or a sync failed (the others ran to their end or their stop).

    :attr:`results` maps every stream asked for to its
    :class:`~temba_client.export.StreamResult` (``written``, ``complete``, ``error``); the first
    failure is also the exception's ``__cause__``. What was committed before a failure is kept: run
    the same export again to continue.

    :param message: one line naming the failed streams and their errors
    :param results: every stream's result
    """

    def __init__(self, message: str, results: Optional[Any] = None) -> None:
        super().__init__(message)
        self.message = _one_line(message)
        #: every stream's :class:`~temba_client.export.StreamResult`, by stream name
        self.results = dict(results or {})


class TembaLockedError(TembaException):
    """Another export or sync (this or another process) is writing to the same directory or state
    file: two at once would interleave their pages, so the second stops before touching anything.

    :param path: the directory (or state file) that is in use
    :param pid: the process that holds it, when it could be read
    """

    def __init__(self, path: str, pid: Optional[int] = None) -> None:
        super().__init__(path, pid)
        #: the directory or state file in use
        self.path = path
        #: the process id of the run that holds it (None if unknown)
        self.pid = pid
        self.message = "another export is writing to %s%s" % (path, " (pid %d)" % pid if pid else "")

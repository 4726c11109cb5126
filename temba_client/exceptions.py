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

Names, attributes and messages are those of rapidpro-python; the extra classes
(:class:`TembaPermissionError`, :class:`TembaBadResponseError`) subclass the ones older code
already catches.

Messages keep rapidpro-python's wording (code matches on it) and add what happened after it: the
server's ``detail``, then the status, method and URL of the request, and the start of the body
when it was not the API's own JSON. The token and personal data in query strings are redacted
(``Token ***``, ``urn=***``) from everything the library builds.
"""

from __future__ import annotations

from typing import Any, List, Optional, Tuple

#: ``detail`` texts with which the server (or a proxy) rejects the token itself.
_TOKEN_FAILURE_WORDS = ("token", "credentials", "authenticat", "inactive or deleted")


class TembaException(Exception):
    """Base class of every error raised by this library."""

    message = ""

    def __str__(self) -> str:
        return self.message


class _Explained(TembaException):
    """An error whose message is rapidpro-python's, followed by ``: <detail> (<context>)``.

    :param detail: what went wrong, in a few words (the server's ``detail``, "read timed out"...)
    :param context: the request and answer, e.g. ``"404 Not Found for GET https://host/api/v2/contacts.json"``
    """

    def __init__(self, detail: Optional[str] = None, context: Optional[str] = None) -> None:
        super().__init__(*([detail] if detail is not None else []))
        #: what went wrong underneath, e.g. the server's ``detail`` (never holds the token)
        self.detail = detail
        #: the status, method and URL (redacted), and the start of a body that was not the API's JSON
        self.context = context

    def _headline(self) -> str:
        return "%s: %s" % (self.message, self.detail) if self.detail else self.message

    def __str__(self) -> str:
        headline = self._headline()
        return "%s (%s)" % (headline, self.context) if self.context else headline


class TembaConnectionError(_Explained):
    """The server could not be reached, or did not answer in time (connection refused or dropped,
    DNS failure, TLS failure, timeout).

    :attr:`detail` tells which: ``"could not connect: ..."``, ``"read timed out: ..."`` (the server
    accepted the connection but did not answer in time), ``"the response took longer than ..."``
    (the transport's ``total_timeout``), ``"connection broken while reading the response"``, or a
    TLS failure (with a hint when the host was given without ``http://``).
    """

    message = "Unable to connect to host"


class TembaBadRequestError(TembaException):
    """The server rejected the request as invalid (400).

    :attr:`errors` is the server's parsed JSON: ``{"field": ["message", ...]}``,
    ``{"detail": "message"}`` or a list of messages; or the raw text when the body was not JSON.
    ``str()`` gives each message after the name of its field, e.g.
    ``"language: Ensure this field has exactly 3 characters."`` (``detail`` and
    ``non_field_errors`` messages stand alone), joined into sentences:
    ``{"name": ["Required."], "urns": ["Bad.", "Too long."]}`` gives
    ``"name: Required. urns: Bad. Too long."``.
    """

    def __init__(self, errors: Any) -> None:
        super().__init__(errors)
        #: the server's error messages: ``{"field": ["message", ...]}``, ``{"detail": ...}``, a list, or raw text
        self.errors = errors

    def __str__(self) -> str:
        text = ""
        for message in _error_messages(self.errors):
            text += message if not text else (" " if text.endswith(".") else ". ") + message
        return text


class TembaValidationError(TembaBadRequestError, ValueError):
    """A call the server would reject with 400, refused before anything was sent (exclusive
    filters combined, a required attribute missing, a list over its limit...).

    ``except TembaBadRequestError``, ``except TembaException`` and ``except ValueError`` all catch
    it; :attr:`errors` is ``{"detail": message}``, as the server words such a refusal.
    """

    def __init__(self, message: str) -> None:
        super().__init__({"detail": message})


#: keys of a DRF error body whose messages are about the whole request, not one field
_UNNAMED_KEYS = frozenset({"detail", "non_field_errors"})


def _error_messages(errors: Any) -> List[str]:
    """The messages of a DRF error body, each after the name of its field (``urns[0]: Invalid URN``),
    however deeply the server nested them (iteratively: a hostile body cannot exhaust the stack)."""
    messages: List[str] = []
    previous = ""
    stack: List[Tuple[str, Any]] = [("", errors)]
    while stack:
        label, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((_field_label(label, str(key)), item) for key, item in reversed(list(value.items())))
        elif isinstance(value, (list, tuple)):
            stack.extend((label, item) for item in reversed(value))
        elif value is not None:  # a field's name comes before its first message only
            messages.append("%s: %s" % (label, value) if label and label != previous else str(value))
            previous = label
    return messages


def _field_label(parent: str, key: str) -> str:
    """``urns`` + ``0`` → ``urns[0]``; ``fields`` + ``age`` → ``fields.age``; detail keys add nothing."""
    if key in _UNNAMED_KEYS:
        return parent
    if key.isdigit() and parent:
        return "%s[%s]" % (parent, key)
    return "%s.%s" % (parent, key) if parent else key


class TembaTokenError(_Explained):
    """The server refused the request (401 or 403): usually an invalid or inactive API token.

    Also raised before anything is sent when the client was given an empty token. :attr:`detail`
    is the server's ``detail`` text, e.g. ``"Invalid token"`` (None when it sent none: then the
    message quotes the start of the body, e.g. a firewall's page).

    The server also answers 403 for permission problems unrelated to the token; those are raised
    as the subclass :class:`TembaPermissionError`, with the server's reason in :attr:`detail`.
    """

    message = "Authentication with provided token failed"

    @staticmethod
    def is_token_failure(detail: Optional[str]) -> bool:
        """Whether a 403 ``detail`` text is about the token rather than about permissions."""
        return detail is None or any(word in detail.lower() for word in _TOKEN_FAILURE_WORDS)


class TembaPermissionError(TembaTokenError):
    """The token is valid but the server refused the operation (403), e.g. ``"Cannot modify system
    object."`` or ``"You do not have permission to perform this action."``."""

    def _headline(self) -> str:
        return "Permission denied: %s" % self.detail


class TembaNoSuchObjectError(_Explained):
    """The object to update or delete does not exist (404), or the server answered 404 for another
    reason given in :attr:`detail` (e.g. ``"Invalid cursor"`` for a resume cursor it cannot read).
    """

    message = "No such object exists"


class TembaRateExceededError(TembaException):
    """The workspace made too many requests (429); wait :attr:`retry_after` seconds."""

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
    server's answer; the message names the status, the request and the start of the body.
    """

    def __init__(self, caused_by: Any) -> None:
        super().__init__(caused_by)
        #: the underlying :class:`requests.HTTPError` (its ``response`` is the server's answer)
        self.caused_by = caused_by

    @property
    def response(self) -> Any:
        """The :class:`requests.Response`, when there was one."""
        return getattr(self.caused_by, "response", None)

    @property
    def status_code(self) -> Optional[int]:
        """The HTTP status of the response, when there was one."""
        response = self.response
        return response.status_code if response is not None else None

    def __str__(self) -> str:
        return str(self.caused_by)


class TembaBadResponseError(TembaHttpError):
    """The server answered with a success status but a body that is not what the API sends
    (an HTML page from a proxy, invalid or truncated JSON, JSON of the wrong shape)."""


class TembaSerializationException(TembaException):
    """A value could not be converted to or from its model field (e.g. a string where the API
    sends a list)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TembaArchiveError(TembaException):
    """An archive file could not be used: wrong size or MD5, not gzip, a line that is not a JSON
    object, or the storage host refused it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TembaArchiveExpiredError(TembaArchiveError):
    """The storage host refused the presigned URL (it expired): list the archive again for a new one."""


class TembaStateError(TembaException):
    """An export's or sync's state file cannot be used (not JSON, another version, another export's
    options)."""

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

    def __reduce__(self) -> Any:
        return (type(self), (self.message, self.results))


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

    def __reduce__(self) -> Any:
        return (type(self), (self.path, self.pid))

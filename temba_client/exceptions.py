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
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Optional

#: ``detail`` texts with which the server (or a proxy) rejects the token itself.
_TOKEN_FAILURE_WORDS = ("token", "credentials", "authenticat", "inactive or deleted")


class TembaException(Exception):
    """Base class of every error raised by this library."""

    message = ""

    def __str__(self) -> str:
        return self.message


class TembaConnectionError(TembaException):
    """The server could not be reached, or did not answer in time (connection refused or dropped,
    DNS failure, TLS failure, timeout)."""

    message = "Unable to connect to host"

    def __init__(self, detail: Optional[str] = None) -> None:
        super().__init__(*([detail] if detail is not None else []))
        #: what went wrong underneath, e.g. ``"read timed out (timeout=(10.0, 60.0))"`` (never holds the token)
        self.detail = detail

    def __str__(self) -> str:
        return "%s: %s" % (self.message, self.detail) if self.detail else self.message


class TembaBadRequestError(TembaException):
    """The server rejected the request as invalid (400).

    :attr:`errors` is the server's parsed JSON: ``{"field": ["message", ...]}``,
    ``{"detail": "message"}`` or a list of messages; or the raw text when the body was not JSON.
    """

    def __init__(self, errors: Any) -> None:
        super().__init__(errors)
        #: the server's error messages: ``{"field": ["message", ...]}``, ``{"detail": ...}``, a list, or raw text
        self.errors = errors

    def __str__(self) -> str:
        msgs = list(_error_messages(self.errors))
        return msgs[0] if len(msgs) == 1 else ". ".join(msgs)


class TembaValidationError(TembaBadRequestError, ValueError):
    """A call the server would reject with 400, refused before anything was sent (exclusive
    filters combined, a required attribute missing, a list over its limit...).

    ``except TembaBadRequestError``, ``except TembaException`` and ``except ValueError`` all catch
    it; :attr:`errors` is ``{"detail": message}``, as the server words such a refusal.
    """

    def __init__(self, message: str) -> None:
        super().__init__({"detail": message})


def _error_messages(errors: Any) -> Iterator[str]:
    """Yields the messages of a DRF error body, however deeply the server nested them."""
    if isinstance(errors, dict):
        for value in errors.values():
            yield from _error_messages(value)
    elif isinstance(errors, (list, tuple)):
        for value in errors:
            yield from _error_messages(value)
    elif errors is not None:
        yield str(errors)


class TembaTokenError(TembaException):
    """The server refused the request (401 or 403): usually an invalid or inactive API token.

    The server also answers 403 for permission problems unrelated to the token; those are raised
    as the subclass :class:`TembaPermissionError`, with the server's reason in :attr:`detail`.
    """

    message = "Authentication with provided token failed"

    def __init__(self, detail: Optional[str] = None) -> None:
        super().__init__(*([detail] if detail is not None else []))
        #: the server's ``detail`` text, e.g. ``"Invalid token"`` (None when it sent none)
        self.detail = detail

    @staticmethod
    def is_token_failure(detail: Optional[str]) -> bool:
        """Whether a 403 ``detail`` text is about the token rather than about permissions."""
        return detail is None or any(word in detail.lower() for word in _TOKEN_FAILURE_WORDS)


class TembaPermissionError(TembaTokenError):
    """The token is valid but the server refused the operation (403), e.g. ``"Cannot modify system
    object."`` or ``"You do not have permission to perform this action."``."""

    def __str__(self) -> str:
        return "Permission denied: %s" % self.detail


class TembaNoSuchObjectError(TembaException):
    """The object to update or delete does not exist (404)."""

    message = "No such object exists"

    def __init__(self, detail: Optional[str] = None) -> None:
        super().__init__(*([detail] if detail is not None else []))
        self.detail = detail


class TembaRateExceededError(TembaException):
    """The workspace made too many requests (429); wait :attr:`retry_after` seconds."""

    message = (
        "You have exceeded the number of requests allowed per org in a given time window. "
        "Please wait %d seconds before making further requests"
    )

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        #: seconds to wait before the next request, from the ``Retry-After`` header (0 if absent)
        self.retry_after = retry_after

    def __str__(self) -> str:
        return self.message % self.retry_after


class TembaHttpError(TembaException):
    """Any other error status (405, 409, 5xx...).

    :attr:`caused_by` is the underlying :class:`requests.HTTPError`, whose ``response`` is the
    server's answer; the message names the status and the start of the body.
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

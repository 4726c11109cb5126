"""Helpers shared by the models, the request builder and the transport: datetimes, and the
redaction of personal data from the URLs that messages and logs show."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any, Callable, Optional, overload
from urllib.parse import unquote_plus, urlsplit, urlunsplit

import requests
from dateutil.parser import isoparse

_UTC = datetime.timezone.utc


def parse_iso8601(value: Optional[str]) -> Optional[datetime.datetime]:
    """Parses an ISO 8601 datetime (or date) into a timezone-aware UTC datetime.

    None or an empty string gives None; no offset means UTC; a date alone means midnight UTC::

        >>> parse_iso8601("2016-01-06T15:33:00.813162Z")
        datetime.datetime(2016, 1, 6, 15, 33, 0, 813162, tzinfo=datetime.timezone.utc)

    :param value: the string to parse
    :raises ValueError: if the string is not ISO 8601
    """
    if not value:
        return None

    # The server's own form, 2016-01-06T15:33:00.813162Z, is by far the most common: the standard
    # library parses it once the Z is gone, several times faster than dateutil.
    if len(value) == 27 and value[26] == "Z" and value[10] == "T":
        try:
            return datetime.datetime.fromisoformat(value[:26]).replace(tzinfo=_UTC)
        except ValueError:
            pass  # fall through to the lenient parser, which raises a clear error if it fails too

    parsed = isoparse(value)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=_UTC)
    try:
        return parsed.astimezone(_UTC)
    except OverflowError:  # e.g. 9999-12-31T23:00:00-05:00 is past the last representable datetime
        raise ValueError("datetime out of range: %r" % value) from None


@overload
def format_iso8601(value: None) -> None: ...
@overload
def format_iso8601(value: datetime.date) -> str: ...
def format_iso8601(value: Optional[datetime.date]) -> Optional[str]:
    """Formats a datetime as the server's ISO 8601 UTC form, e.g. ``2014-01-02T08:04:05.000006Z``.

    A naive datetime is taken as UTC (rapidpro-python took it as the machine's local time);
    a date without a time is midnight UTC. None gives None.

    :param value: the datetime to format
    """
    if value is None:
        return None
    if not isinstance(value, datetime.datetime):  # a plain date
        value = datetime.datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=_UTC)
    try:
        value = value.astimezone(_UTC)
    except OverflowError:  # e.g. 9999-12-31 23:00 at UTC-5 is past the last representable datetime
        raise ValueError("datetime out of range in UTC: %s" % value.isoformat()) from None
    # (not strftime, whose %Y does not pad years before 1000 to four digits on every platform)
    return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def request(method: str, url: str, **kwargs: Any) -> requests.Response:
    """Kept for code written against rapidpro-python, which mocks this function in its tests.

    The client sends every request through one :class:`requests.Session` (see
    :mod:`temba_client.transport`) unless this function, or ``temba_client.base.request`` or
    ``temba_client.clients.request``, has been replaced (``unittest.mock.patch``): then it calls
    the replacement exactly as rapidpro-python 2.22 did. Like the original, it JSON-encodes ``data``.

    :param method: the HTTP method, e.g. ``"get"``
    :param url: the absolute URL
    :param kwargs: passed on to :func:`requests.request`
    """
    if "data" in kwargs:
        kwargs["data"] = json.dumps(kwargs["data"])
    return requests.request(method, url, **kwargs)


# ---------------------------------------------------------------------------------------------
# Personal data in URLs and error texts
# ---------------------------------------------------------------------------------------------

#: Query parameters whose values are personal data: URNs, and the phone numbers and e-mail
#: addresses inside them (``address`` is a channel's phone number or handle).
PERSONAL_PARAMS = frozenset({"urn", "urns", "address", "phone", "phones", "email", "emails", "contact_urn"})
#: A value that is itself a URN (``tel:+250...``, ``whatsapp:...``, ``mailto:...``) or an e-mail
#: address is personal whatever its parameter is called (``contact=tel:+250...``).
_URN = re.compile(r"^[a-z][a-z0-9]{1,19}:[^\s/]", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
REDACTED = "***"


def is_personal(name: str, value: str) -> bool:
    """Whether a query parameter's value may identify a person: any value of ``urn``, ``urns``,
    ``address``, ``phone``, ``email`` (and their plurals), and a value that is a URN or an e-mail
    address whatever the parameter. Decided by the parameter's name and the value's form, never by
    counting digits: ids, UUIDs (even one made only of digits), dates and names are kept.

    :param name: the parameter's name
    :param value: its value (decoded)
    """
    return name.lower() in PERSONAL_PARAMS or bool(_URN.match(value) or _EMAIL.match(value))


def redact_query(query: str) -> str:
    """A query string with the values that may identify a person replaced by ``***``; everything
    else is kept exactly as it was written (same order, same encoding).

    :param query: the query string, e.g. ``"urn=tel%3A%2B250788123123&group=Reporters"``
    """
    pairs = []
    for pair in query.split("&"):
        name, sep, value = pair.partition("=")
        if sep and value and is_personal(unquote_plus(name), unquote_plus(value)):
            pair = "%s=%s" % (name, REDACTED)
        pairs.append(pair)
    return "&".join(pairs)


def redact_url(url: str, path_only: bool = False) -> str:
    """A URL with the query values that may identify a person replaced by ``***`` (the rest is
    kept as written; a fragment is dropped).

    :param url: the URL
    :param path_only: give only the path and query (``/api/v2/contacts.json?urn=***``), as logs do
    """
    parts = urlsplit(url)
    query = redact_query(parts.query) if parts.query else ""
    if path_only:
        return "%s?%s" % (parts.path, query) if query else parts.path
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


#: a query string inside a message from requests or urllib3
_QUERY_IN_TEXT = re.compile(r"\?([^\s'\")]+)")


def redact_text(text: str) -> str:
    """A message (e.g. from requests or urllib3) with the personal data of the query strings it
    quotes replaced by ``***``.

    :param text: the message
    """
    return _QUERY_IN_TEXT.sub(lambda match: "?" + redact_query(match.group(1)), text)


def redacted_exception(exc: BaseException, redact: Callable[[str], str], _depth: int = 0) -> BaseException:
    """A copy of an exception whose texts, and those of the exceptions that caused it, went through
    ``redact``; the original's traceback is kept, the request objects (they hold the token in a
    header) are not. Raised as the ``__cause__`` of the client's own exceptions, it tells debuggers
    and error trackers what failed underneath without anybody's phone number or the token.

    :param exc: the exception
    :param redact: removes the token and personal data from a text
    """

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return redact(value)
        if isinstance(value, BaseException):
            return redacted_exception(value, redact, _depth + 1) if _depth < 8 else None
        if isinstance(value, tuple):
            return tuple(clean(item) for item in value)
        if isinstance(value, (requests.PreparedRequest, requests.Request)):
            return None
        return value

    args = clean(exc.args)
    try:  # as the class itself builds it (an OSError reads its errno from its arguments)...
        copy = type(exc)(*args)
    except Exception:  # ...or, for a class whose constructor takes other arguments, as pickle would
        copy = type(exc).__new__(type(exc))
        copy.args = args
    vars(copy).update({name: clean(value) for name, value in vars(exc).items()})
    copy.__traceback__ = exc.__traceback__
    cause = exc.__cause__ if exc.__cause__ is not None else (None if exc.__suppress_context__ else exc.__context__)
    if cause is not None and _depth < 8:
        copy.__cause__ = redacted_exception(cause, redact, _depth + 1)
    return copy

"""Helpers shared by the models, the request builder and the transport: datetimes, and the
redaction of personal data from the URLs that messages and logs show."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any, Optional, overload
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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
# Personal data in URLs
# ---------------------------------------------------------------------------------------------

#: Query parameters whose values are always personal data.
_PERSONAL_PARAMS = frozenset({"urn", "urns", "address", "phone", "email"})
_URN = re.compile(r"^[a-z][a-z0-9+.-]{1,24}:", re.IGNORECASE)  # tel:, whatsapp:, mailto:, ext:...
_PHONE = re.compile(r"^\+?[\d\s().-]{7,}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
REDACTED = "***"


def is_personal(name: str, value: str) -> bool:
    """Whether a query parameter's value may identify a person: a URN, a phone number, an e-mail
    address, or any value of ``urn`` and the like (ids, UUIDs, dates and names of groups are kept).

    :param name: the parameter's name
    :param value: its value
    """
    if name.lower() in _PERSONAL_PARAMS or "@" in value or _URN.match(value):
        return True
    if name == "id" or _DATE.match(value) or not _PHONE.match(value):
        return False
    return sum(char.isdigit() for char in value) >= 7


def redact_query(query: str) -> str:
    """A query string with the values that may identify a person replaced by ``***``.

    :param query: the query string, e.g. ``"urn=tel%3A%2B250788123123&group=Reporters"``
    """
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(name, REDACTED if is_personal(name, value) else value) for name, value in pairs], safe="*:/")


def redact_url(url: str, path_only: bool = False) -> str:
    """A URL with the query values that may identify a person replaced by ``***``.

    :param url: the URL
    :param path_only: give only the path and query (``/api/v2/contacts.json?urn=***``), as logs do
    """
    parts = urlsplit(url)
    query = redact_query(parts.query) if parts.query else ""
    if path_only:
        return "%s?%s" % (parts.path, query) if query else parts.path
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))

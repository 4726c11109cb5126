"""Datetime helpers shared by the models and the request builder."""

from __future__ import annotations

import datetime
import json
from typing import Any, Optional, overload

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
    return parsed.astimezone(_UTC)


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
    return value.astimezone(_UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def request(method: str, url: str, **kwargs: Any) -> requests.Response:
    """Kept for code written against rapidpro-python, which mocked this function in its tests.

    The client no longer calls it: it sends every request through one :class:`requests.Session`
    (see :mod:`temba_client.transport`). Like the original, it JSON-encodes ``data``.
    """
    if "data" in kwargs:
        kwargs["data"] = json.dumps(kwargs["data"])
    return requests.request(method, url, **kwargs)

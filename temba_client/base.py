"""What every API client shares: the API root URL, endpoint declarations, and the generic read,
create, update, delete and bulk-action operations that the public methods are written with.

An endpoint is declared once, as data (:class:`Endpoint`): its path, its model, the filters the
server reads, how its objects are looked up, which body attributes are required, and the limits the
server enforces. The generic operations validate a call against that declaration before anything
is sent, and turn Python values (model objects, datetimes, booleans, lists) into what the server
reads.
"""

from __future__ import annotations

import datetime
import math
import re
import uuid as _uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple, Type, TypeVar, Union

import requests

from .exceptions import TembaValidationError
from .pagination import CursorIterator, CursorQuery
from .serialization import TembaObject, Transformer
from .transport import (
    DEFAULT_MAX_RATE_LIMIT_WAIT,
    DEFAULT_MAX_RESPONSE_SIZE,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT,
    Timeout,
    Transport,
)
from .utils import format_iso8601, parse_iso8601, request

__all__ = ["MAX_RETRIES", "BaseClient", "BaseCursorClient", "CursorIterator", "CursorQuery", "Endpoint", "request"]

#: rapidpro-python's constant: how many times a rate-limited request is retried
MAX_RETRIES = 5

T = TypeVar("T", bound=TembaObject)


class _Null:
    """Sent as JSON null, where None would mean "leave out" (e.g. to unassign tickets)."""

    def __repr__(self) -> str:
        return "NULL"


#: Pass this as a body attribute to send an explicit JSON null.
NULL: Any = _Null()

#: Most list attributes of a request body (URNs, contacts, groups, messages, tickets) take at most this many items.
MAX_BODY_LIST = 100
#: A message, or a broadcast's translation, has at most this many attachments...
MAX_ATTACHMENTS = 10
#: ...and this many quick replies.
MAX_QUICK_REPLIES = 10
#: A repeatable query parameter (e.g. ``uuid``) takes at most this many values.
MAX_QUERY_VALUES = 100
#: Filters compared with a record's time: a string given for them must be ISO 8601.
_DATETIME_FILTERS = ("before", "after")


@dataclass(frozen=True)
class Endpoint:
    """The declaration of one API endpoint.

    :param path: the endpoint's name in the URL, e.g. ``"contacts"`` for ``/api/v2/contacts.json``
    :param obj_class: the model its responses hold (None for bulk actions)
    :param filters: the query parameters the server reads on GET
    :param renames: Python parameter names that the server reads under another name
    :param lookups: the query parameters that identify one object to update or delete
    :param required: body attributes that must be given on create
    :param one_of: groups of body attributes of which at least one must be given
    :param exclusive: groups of filters or body attributes of which at most one may be given
    :param limits: the most items each list attribute of a body may have
    :param dates: filters the server reads as dates (``YYYY-MM-DD``) rather than datetimes
    :param integers: filters that must be integers (the server fails on others instead of saying so)
    :param uuids: filters that must be UUIDs (likewise)
    :param wording: the server's own words for refusing a ``one_of`` or body ``exclusive`` group
        (a refusal before sending says what the server would have said)
    """

    path: str
    obj_class: Optional[Type[TembaObject]] = None
    filters: Tuple[str, ...] = ()
    renames: Mapping[str, str] = field(default_factory=dict)
    lookups: Tuple[str, ...] = ()
    required: Tuple[str, ...] = ()
    one_of: Tuple[Tuple[str, ...], ...] = ()
    exclusive: Tuple[Tuple[str, ...], ...] = ()
    limits: Mapping[str, int] = field(default_factory=dict)
    dates: Tuple[str, ...] = ()
    integers: Tuple[str, ...] = ()
    uuids: Tuple[str, ...] = ()
    wording: Mapping[Tuple[str, ...], str] = field(default_factory=dict)


class BaseClient:
    """The parts of a client that do not depend on the API version.

    :param host: a host name (``"rapidpro.io"``, which means ``https://rapidpro.io/api/v<N>``) or a
        URL (``"http://localhost:8000"`` or ``"http://localhost:8000/api/v2"``), used as given
    :param token: the workspace's API token (no whitespace, control or non-ASCII characters:
        ``ValueError``); an empty one is accepted but every request raises ``TembaTokenError``
    :param api_version: the API version number, appended to the URL unless it ends with it already
    :param user_agent: text put before this library's name in the ``User-Agent`` header
    :param verify_ssl: whether to verify TLS certificates (None means yes; False warns)
    :param transformer: a function ``(model_class, item_dict) -> item_dict`` applied to each object
        of a page before it becomes a model object
    :param timeout: seconds, or a ``(connect, read)`` pair, to wait for a connection and for each read
    :param total_timeout: the longest, in seconds, that one call may take, retries included
        (default 600; None for no limit): a server trickling its answer cannot hold a call forever
    :param session: a :class:`requests.Session` of your own to send requests through
    :param max_retries: how many times a GET is retried after a connection error, timeout or 502/503/504
    :param retry_on_rate_exceed: the default of every query's ``retry_on_rate_exceed``, and whether
        writes answered 429 (which the server did not carry out) are sent again after the wait
    :param max_rate_limit_wait: cap, in seconds, on the total sleep of one request waiting out 429s
    :param max_response_size: the largest response body accepted, in bytes (default 100 MB); a larger
        one raises :class:`~temba_client.exceptions.TembaBadResponseError`
    :param pool_maxsize: connections kept for reuse (default 10, as ``requests``): at least the
        number of threads sharing the client (not with ``session``)
    """

    def __init__(
        self,
        host: str,
        token: str,
        api_version: int,
        user_agent: Optional[str] = None,
        verify_ssl: Optional[Union[bool, str]] = None,
        transformer: Optional[Transformer] = None,
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
        if not isinstance(host, str) or not host.strip():
            raise TypeError("host must be a host name or a URL")
        self.root_url: str = _root_url(host, api_version)
        self.transformer = transformer
        self.retry_on_rate_exceed = retry_on_rate_exceed
        self._transport = Transport(
            token,
            user_agent,
            verify_ssl,
            timeout=timeout,
            total_timeout=total_timeout,
            session=session,
            max_retries=max_retries,
            retry_on_rate_exceed=retry_on_rate_exceed,
            max_rate_limit_wait=max_rate_limit_wait,
            max_response_size=max_response_size,
            pool_maxsize=pool_maxsize,
        )

    def __repr__(self) -> str:
        return "<%s %s>" % (type(self).__name__, self.root_url)

    def __enter__(self: Any) -> Any:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def close(self) -> None:
        """Closes the client's connections (those of a session you passed in stay open)."""
        self._transport.close()

    @property
    def headers(self) -> Dict[str, str]:
        """The headers sent with every request (a copy), as rapidpro-python 2.22 had them:
        ``Content-type``, ``Accept``, ``Authorization`` and ``User-Agent``."""
        return dict(self._transport.headers)

    @property
    def verify_ssl(self) -> Optional[Union[bool, str]]:
        """Whether TLS certificates are verified (None: yes, as requests does by default)."""
        return self._transport.verify_ssl

    @property
    def session(self) -> requests.Session:
        """The :class:`requests.Session` that every request of this client goes through."""
        return self._transport.session

    # ------------------------------------------------------------------------------------------
    # Generic operations, driven by endpoint declarations
    # ------------------------------------------------------------------------------------------

    def _url(self, endpoint: Endpoint) -> str:
        return "%s/%s.json" % (self.root_url, endpoint.path)

    def _query(self, endpoint: Endpoint, **filters: Any) -> CursorQuery[Any]:
        """A lazy query of an endpoint's objects matching the given filters, checked and converted
        to what the server reads, made by :meth:`_get_query`."""
        params = self._query_params(endpoint, filters)
        assert endpoint.obj_class is not None
        return self._get_query(endpoint.path, params, endpoint.obj_class)

    def _get_query(self, endpoint: str, params: Dict[str, Any], clazz: Type[T]) -> CursorQuery[T]:
        """A lazy query of an endpoint (rapidpro-python's hook, with its arguments: a subclass that
        overrides it sees every query).

        :param endpoint: the endpoint's name, e.g. ``"contacts"``
        :param params: the query parameters, as sent
        :param clazz: the model of its objects
        """
        return CursorQuery(self, "%s/%s.json" % (self.root_url, endpoint), params, clazz, self.transformer)

    def _get_one(
        self, endpoint: Endpoint, clazz: Type[T], retry_on_rate_exceed: Optional[bool] = None, **filters: Any
    ) -> T:
        """Fetches an endpoint that answers one object rather than a page (e.g. ``workspace``)."""
        params = self._query_params(endpoint, filters)
        retry = self.retry_on_rate_exceed if retry_on_rate_exceed is None else retry_on_rate_exceed
        item = self._transport.request("GET", self._url(endpoint), params=params, retry_on_rate_exceed=retry)
        if self.transformer is not None:
            item = self.transformer(clazz, item)
        return clazz.deserialize(item)

    def _create(self, endpoint: Endpoint, **attrs: Any) -> Any:
        """Creates an object and returns it as the server answered."""
        self._check_required(endpoint, attrs)
        body = self._body(endpoint, attrs)
        return self._deserialize(endpoint, self._transport.request("POST", self._url(endpoint), body=body))

    def _update(self, endpoint: Endpoint, lookup: str, lookup_value: Any, /, **attrs: Any) -> Any:
        """Updates the object that ``lookup=lookup_value`` identifies and returns it as the server answered."""
        params = self._lookup_params(endpoint, lookup, lookup_value)
        body = self._body(endpoint, attrs)
        response = self._transport.request("POST", self._url(endpoint), params=params, body=body)
        return self._deserialize(endpoint, response)

    def _delete(self, endpoint: Endpoint, lookup: str, lookup_value: Any) -> None:
        """Deletes the object that ``lookup=lookup_value`` identifies."""
        params = self._lookup_params(endpoint, lookup, lookup_value)
        self._transport.request("DELETE", self._url(endpoint), params=params)

    def _post_action(self, endpoint: Endpoint, **attrs: Any) -> Any:
        """Posts a bulk action and returns the server's answer (usually None: an empty 204)."""
        self._check_required(endpoint, attrs)
        return self._transport.request("POST", self._url(endpoint), body=self._body(endpoint, attrs))

    def _upload(self, endpoint: Endpoint, files: Mapping[str, Any]) -> Any:
        """Posts a multipart upload and returns the created object."""
        return self._deserialize(endpoint, self._transport.request("POST", self._url(endpoint), files=files))

    # ------------------------------------------------------------------------------------------
    # Validation and conversion of arguments
    # ------------------------------------------------------------------------------------------

    def _query_params(self, endpoint: Endpoint, filters: Mapping[str, Any]) -> Dict[str, Any]:
        params: Dict[str, Any] = {}
        named: Dict[str, str] = {}  # the filter each parameter was given as
        given = {name: value for name, value in filters.items() if value is not None}
        for name, value in given.items():
            if name not in endpoint.filters:
                raise TypeError("%s does not take the filter %r" % (endpoint.path, name))
            wire = endpoint.renames.get(name, name)
            if wire in named:  # e.g. type= and archive_type=: one parameter of the server's
                raise TembaValidationError(_only_one_of((named[wire], name)))
            named[wire] = name
            if name in endpoint.dates:
                params[wire] = _date_value(endpoint, name, value)
            elif name in _DATETIME_FILTERS and isinstance(value, str):
                params[wire] = _datetime_string(endpoint, name, value)
            else:
                params[wire] = _query_value(value)
            _check_query_value(endpoint, name, params[wire])
        _check_exclusive(endpoint, given)
        return params

    def _lookup_params(self, endpoint: Endpoint, lookup: str, value: Any) -> Dict[str, Any]:
        if lookup not in endpoint.lookups:  # pragma: no cover - a mistake in an endpoint declaration
            raise TypeError("%s objects are not looked up by %r" % (endpoint.path, lookup))
        if value is None or value == "":  # rapidpro-python 2.22's own refusal, a ValueError
            raise TembaValidationError("Endpoint requires a single identifier parameter")
        if isinstance(value, (list, tuple, set, frozenset, dict)):
            raise TypeError("%s: give one object to change, not a %s" % (endpoint.path, type(value).__name__))
        return {lookup: _query_value(value)}

    @staticmethod
    def _check_required(endpoint: Endpoint, attrs: Mapping[str, Any]) -> None:
        for name in endpoint.required:
            if attrs.get(name) is None:
                raise TembaValidationError("This field is required.", name)

    @staticmethod
    def _body(endpoint: Endpoint, attrs: Mapping[str, Any]) -> Dict[str, Any]:
        given = {name: value for name, value in attrs.items() if value is not None}
        for group in endpoint.one_of:
            if not any(name in given for name in group):
                raise TembaValidationError(endpoint.wording.get(group, _one_of(group)), "non_field_errors")
        _check_exclusive(endpoint, given, body=True)
        for name, limit in endpoint.limits.items():
            value = given.get(name)
            if isinstance(value, (str, bytes)):
                raise TypeError(
                    "%s: %s takes a list (or dict), not a single %s" % (endpoint.path, name, type(value).__name__)
                )
            if isinstance(value, (list, tuple, set, frozenset)) and len(value) > limit:
                raise TembaValidationError("Ensure this field has no more than %d elements." % limit, name)
        try:
            return {name: _json_value(value) for name, value in given.items()}
        except RecursionError:  # a value that contains itself, or nested beyond reason
            raise ValueError("%s: the request body is nested too deeply (or contains itself)" % endpoint.path) from None

    def _deserialize(self, endpoint: Endpoint, item: Any) -> Any:
        assert endpoint.obj_class is not None
        if self.transformer is not None:
            item = self.transformer(endpoint.obj_class, item)
        return endpoint.obj_class.deserialize(item)


#: rapidpro-python's name for the client base with cursor queries; they are one class here.
BaseCursorClient = BaseClient


def _root_url(host: str, api_version: int) -> str:
    """``rapidpro.io`` → ``https://rapidpro.io/api/v2``; a URL is kept, with ``/api/v2`` added if missing."""
    host = host.strip()
    url = host.rstrip("/") if re.match(r"^https?://", host, re.IGNORECASE) else "https://%s" % host.strip("/")
    suffix = "/api/v%d" % api_version
    return url if url.endswith(suffix) else url + suffix


def _check_exclusive(endpoint: Endpoint, given: Mapping[str, Any], body: bool = False) -> None:
    """Refuses two of a group of filters (or body attributes) that exclude each other, as the server
    words it: for filters, naming the whole group in its order."""
    for group in endpoint.exclusive:
        present = [name for name in group if name in given]
        if len(present) > 1:
            if body:
                raise TembaValidationError(endpoint.wording.get(group, _only_one_of(group)), "non_field_errors")
            raise TembaValidationError(_only_one_of(group))


def _only_one_of(group: Tuple[str, ...]) -> str:
    """The server's refusal of exclusive query parameters (``check_query`` of its API views)."""
    return "You may only specify one of the %s parameters" % ", ".join(group)


def _one_of(group: Tuple[str, ...]) -> str:
    """A refusal of a body without any of a group of attributes, in the server's style."""
    return "Must provide either %s or %s." % (", ".join(group[:-1]), group[-1])


def _reference(obj: TembaObject) -> Any:
    """The identifier the API expects in place of a model object: its uuid, id, key..."""
    for attr in obj._identity_attrs:
        value = getattr(obj, attr, None)
        if value is not None:
            return value
    raise ValueError("%r has no identifier (uuid, id or key) to send" % (obj,))


def _date_value(endpoint: Endpoint, name: str, value: Any) -> str:
    """A date filter as the server reads it: ``YYYY-MM-DD``."""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip()[:10]).isoformat()
        except ValueError:
            pass
        raise ValueError("%s: %s must be a date (YYYY-MM-DD), not %r" % (endpoint.path, name, value))
    raise TypeError("%s: %s must be a date, not a %s" % (endpoint.path, name, type(value).__name__))


def _datetime_string(endpoint: Endpoint, name: str, value: str) -> str:
    """A time given as a string, checked and normalised: the server silently matches nothing for
    a time it cannot read (``after="yesterday"`` would return an empty export)."""
    try:
        parsed = parse_iso8601(value.strip())
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None:
        raise ValueError(
            "%s: %s must be an ISO 8601 time such as 2024-01-31T12:00:00Z, not %r" % (endpoint.path, name, value)
        )
    return format_iso8601(parsed)


def _check_query_value(endpoint: Endpoint, name: str, value: Any) -> None:
    """Checks what the server would fail on (a 500, not a 400) or limits, before anything is sent."""
    values = value if isinstance(value, list) else [value]
    wire = endpoint.renames.get(name, name)
    if len(values) > MAX_QUERY_VALUES:
        raise TembaValidationError("Param '%s' can have a maximum of %d values." % (wire, MAX_QUERY_VALUES))
    for item in values:
        if name in endpoint.integers and not _is_integer(item):
            raise TembaValidationError("Value for %s must be an integer" % wire)
        if name in endpoint.uuids and not _is_uuid(item):
            raise TembaValidationError("Param '%s': %s is not a valid UUID." % (wire, item))


def _is_integer(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, str) and value.strip().lstrip("-").isdigit()
    )


def _is_uuid(value: Any) -> bool:
    try:
        _uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _query_value(value: Any) -> Any:
    """A Python value as the server reads it in a query string (lists become repeated params)."""
    if isinstance(value, bool):  # as rapidpro-python sent them; the server reads 1/0 and true/false alike
        return 1 if value else 0
    if isinstance(value, (str, int, float)):
        return value
    if isinstance(value, (datetime.date, datetime.datetime)):
        return format_iso8601(value)
    if isinstance(value, TembaObject):
        return _reference(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_query_value(item) for item in value]
    raise TypeError("cannot send a %s as a query parameter: %r" % (type(value).__name__, value))


def _json_value(value: Any) -> Any:
    """A Python value as JSON for a request body."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("cannot send %r in a request body: JSON has no NaN or infinity" % value)
        return value
    if value is NULL:
        return None
    if isinstance(value, (datetime.date, datetime.datetime)):
        return format_iso8601(value)
    if isinstance(value, TembaObject):
        return _reference(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _json_value(item) for key, item in value.items()}
    raise TypeError("cannot send a %s in a request body: %r" % (type(value).__name__, value))

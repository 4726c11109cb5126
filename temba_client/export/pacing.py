"""Pacing: spend each throttle scope's request budget evenly instead of running into 429s.

The server allows, per workspace and per scope, a number of requests per hour (3,600 for
``v2.contacts``, ``v2.messages``, ``v2.runs`` and ``v2`` by default), over a sliding window. A
:class:`RateBudget` hands out requests at that rate (a token bucket per scope, with a small
burst), waits when a scope is spent, and, when a 429 comes anyway (another program shares the
token), pauses that scope for ``Retry-After`` and lowers its rate. A :class:`WorkBudget` stops a
run cleanly after a time or a number of pages, so a periodic task can resume on its next run, and
carries the stop event: every wait of an export (a spent scope, a pause after a 429) waits on it,
so a stop asked for (Ctrl-C, SIGTERM) ends a paced run within a second, not after its sleep.

Which rates: a server may state them on ``workspace.json`` (the export reads it first), with the
IETF draft header ``RateLimit-Policy: "v2.runs";q=60;w=60`` (q requests per w seconds) for the
scopes it throttles and ``X-RapidPro-Unthrottled: v2, v2.runs`` for those it does not (the
bundled local server does); a scope the server says nothing of keeps RapidPro's default,
3,600 requests an hour (real RapidPro servers send neither header).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Mapping
from typing import Callable, Dict, Optional, TypeVar

from ..exceptions import TembaRateExceededError

R = TypeVar("R")

#: The server's default rates, in requests per hour, per throttle scope.
DEFAULT_RATES: Dict[str, float] = {"v2": 3600.0, "v2.contacts": 3600.0, "v2.messages": 3600.0, "v2.runs": 3600.0}
#: The throttle scope of each endpoint that has its own; every other endpoint is in ``v2``.
ENDPOINT_SCOPES: Dict[str, str] = {"contacts": "v2.contacts", "messages": "v2.messages", "runs": "v2.runs"}
#: The share of a scope's rate actually used: a little under the server's limit, so that clock
#: differences never tip a sliding window over it.
HEADROOM = 0.98
#: How far a 429 lowers a scope's rate (the rest of the budget is someone else's).
_BACKOFF_FACTOR = 0.9
_MAX_ATTEMPTS = 10


def scope_of(endpoint: str) -> str:
    """The throttle scope of an endpoint: ``"runs"`` -> ``"v2.runs"``, ``"flows"`` -> ``"v2"``.

    :param endpoint: the endpoint's name
    """
    return ENDPOINT_SCOPES.get(endpoint, "v2")


#: The header naming the scopes a server does not throttle (the bundled local server sends it).
UNTHROTTLED_HEADER = "X-RapidPro-Unthrottled"
POLICY_HEADER = "RateLimit-Policy"


def rates_from_headers(headers: Mapping[str, str]) -> Dict[str, float]:
    """The rates (requests per hour, ``math.inf`` for none) a server states in its headers; the
    scopes it does not name are left out (the caller keeps the defaults for them).

    :param headers: a response's headers (case-insensitive mapping)
    """
    rates: Dict[str, float] = {}
    for item in (headers.get(POLICY_HEADER) or "").split(","):
        name, *params = (part.strip() for part in item.split(";"))
        values = dict(param.partition("=")[::2] for param in params)
        try:
            quota, window = int(values["q"]), int(values["w"])
        except (KeyError, ValueError):
            continue
        if name.strip('"') and quota > 0 and window > 0:
            rates[name.strip('"')] = quota * 3600.0 / window
    for name in (headers.get(UNTHROTTLED_HEADER) or "").split(","):
        if name.strip():
            rates[name.strip()] = math.inf
    return rates


class StopRequested(Exception):
    """The work budget (time or pages) is spent, or a stop was asked for: stop after the current
    checkpoint."""


class RateBudget:
    """Hands out requests per scope at a steady rate, thread-safe.

    :param rates: requests per hour per scope (default: the server's); a scope not listed uses
        ``v2``'s; ``math.inf`` for a scope the server does not throttle
    :param burst: how many requests a scope may have in hand: 2 lets a page that took longer than
        the interval be made up for by the next one, so slow pages do not waste the budget; over any
        window the client sends at most ``burst`` more than ``headroom`` of the rate allows, which
        stays under the server's limit while ``burst`` is at most ``(1 - headroom)`` of the
        requests in its window (72 of RapidPro's 3,600 an hour)
    :param headroom: the share of each rate to use
    :param clock: a monotonic clock, in seconds (tests give their own)
    :param sleep: how to wait, in seconds (tests give their own; by default a wait is cut short by
        a stop: see :meth:`acquire`)
    """

    def __init__(
        self,
        rates: Optional[Dict[str, float]] = None,
        burst: float = 2.0,
        headroom: float = HEADROOM,
        clock: Callable[[], float] = time.monotonic,
        sleep: Optional[Callable[[float], None]] = None,
    ) -> None:
        self.rates: Dict[str, float] = dict(DEFAULT_RATES)
        self.rates.update(rates or {})
        for scope, rate in self.rates.items():
            if not (isinstance(rate, (int, float)) and rate > 0):  # NaN is not > 0 either
                raise ValueError("Rate of scope %s must be positive, not %r" % (scope, rate))
        self.burst = burst
        self.headroom = headroom
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens: Dict[str, float] = {}
        self._updated: Dict[str, float] = {}
        self._paused_until: Dict[str, float] = {}
        #: requests handed out, and 429s received, per scope
        self.granted: Dict[str, int] = {}
        self.throttled: Dict[str, int] = {}

    def rate(self, scope: str) -> float:
        """Requests per hour allowed in a scope.

        :param scope: e.g. ``"v2.runs"``
        """
        return self.rates.get(scope, self.rates["v2"])

    def _wait_needed(self, scope: str) -> float:
        """Seconds to wait before a request in ``scope``; 0 means it was granted (and counted)."""
        now = self._clock()
        per_second = self.rate(scope) * self.headroom / 3600.0
        paused = self._paused_until.get(scope, 0.0) - now
        if paused > 0:
            return paused
        if per_second == math.inf:  # a scope the server does not throttle
            self.granted[scope] = self.granted.get(scope, 0) + 1
            return 0.0
        tokens = self._tokens.get(scope, self.burst)
        tokens = min(self.burst, tokens + (now - self._updated.get(scope, now)) * per_second)
        self._updated[scope] = now
        if tokens >= 1.0:
            self._tokens[scope] = tokens - 1.0
            self.granted[scope] = self.granted.get(scope, 0) + 1
            return 0.0
        self._tokens[scope] = tokens
        return (1.0 - tokens) / per_second

    def acquire(self, scope: str, work: Optional[WorkBudget] = None) -> float:
        """Waits until a request in ``scope`` may go, and returns the seconds waited.

        :param scope: e.g. ``"v2.runs"``
        :param work: the run's work budget: a stop asked for ends the wait at once
        :raises StopRequested: a stop was asked for while waiting
        """
        waited = 0.0
        while True:
            with self._lock:
                wait = self._wait_needed(scope)
            if wait <= 0:
                return waited
            if self._sleep is not None:
                self._sleep(wait)
                if work is not None:
                    work.check_stop()
            elif work is not None:
                work.wait(wait)
            else:
                time.sleep(wait)
            waited += wait

    def throttled_by_server(self, scope: str, retry_after: float) -> None:
        """Records a 429: the scope pauses ``retry_after`` seconds and its rate is lowered.

        :param scope: the scope that got the 429
        :param retry_after: the server's ``Retry-After``, in seconds
        """
        with self._lock:
            self.throttled[scope] = self.throttled.get(scope, 0) + 1
            self.rates[scope] = self.rate(scope) * _BACKOFF_FACTOR
            self._paused_until[scope] = self._clock() + max(1.0, float(retry_after))
            self._tokens[scope] = 0.0

    def call(self, scope: str, func: Callable[[], R], work: Optional[WorkBudget] = None) -> R:
        """Calls ``func`` (one request) within the budget, retrying it after each 429: a 429 means
        the server did nothing, so retrying a write is safe too.

        :param scope: the request's scope
        :param func: sends the request
        :param work: the run's work budget: a stop asked for ends a wait at once
        :raises TembaRateExceededError: still refused after several pauses
        :raises StopRequested: a stop was asked for while waiting
        """
        for attempt in range(_MAX_ATTEMPTS):
            self.acquire(scope, work)
            try:
                return func()
            except TembaRateExceededError as ex:
                if attempt == _MAX_ATTEMPTS - 1:
                    raise
                self.throttled_by_server(scope, ex.retry_after)
        raise AssertionError("unreachable")  # pragma: no cover


class WorkBudget:
    """How much a run may do before it stops at a checkpoint: seconds and/or pages.

    The page budget is counted per throttle scope: the scopes run side by side, and a stream that
    finished in an earlier run (and now only fetches what is new) must not starve the others.

    :param seconds: stop once this many seconds have passed (None: no limit)
    :param pages: stop a scope once this many of its pages were fetched (None: no limit)
    :param clock: a monotonic clock, in seconds
    """

    def __init__(
        self, seconds: Optional[float] = None, pages: Optional[int] = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds = seconds
        self.pages = pages
        self._clock = clock
        self._started = clock()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self.pages_done: int = 0  #: pages fetched, all scopes together
        self._scope_pages: Dict[str, int] = {}
        #: why :meth:`stop` was called (e.g. ``"SIGTERM"``), None while not stopped
        self.stop_reason: Optional[str] = None

    def stop(self, reason: str = "stop requested") -> None:
        """Asks every stream to stop at its next checkpoint and every wait to end now (e.g. on
        Ctrl-C); safe to call from a signal handler or another thread.

        :param reason: what asked for it, kept in :attr:`stop_reason`
        """
        if self.stop_reason is None:
            self.stop_reason = reason
        self._stopped.set()

    @property
    def stopped(self) -> bool:
        """Whether :meth:`stop` was called."""
        return self._stopped.is_set()

    def check_stop(self) -> None:
        """Raises :class:`StopRequested` if :meth:`stop` was called (the budget is not looked at)."""
        if self._stopped.is_set():
            raise StopRequested(self.stop_reason or "stop requested")

    def wait(self, seconds: float) -> None:
        """Waits ``seconds``, or less when :meth:`stop` is called meanwhile.

        :param seconds: how long
        :raises StopRequested: a stop was asked for
        """
        if self._stopped.wait(max(0.0, seconds)):
            raise StopRequested(self.stop_reason or "stop requested")

    def page_done(self, scope: str = "") -> None:
        """Counts one page fetched.

        :param scope: the throttle scope it was fetched in
        """
        with self._lock:
            self.pages_done += 1
            self._scope_pages[scope] = self._scope_pages.get(scope, 0) + 1

    def check(self, scope: str = "") -> None:
        """Raises :class:`StopRequested` once the budget is spent or :meth:`stop` was called.

        :param scope: the throttle scope about to fetch a page
        """
        self.check_stop()
        if self.pages is not None and self._scope_pages.get(scope, 0) >= self.pages:
            raise StopRequested("page budget of %d spent" % self.pages)
        if self.seconds is not None and self._clock() - self._started >= self.seconds:
            raise StopRequested("time budget of %gs spent" % self.seconds)

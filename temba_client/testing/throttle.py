"""Throttling as the server does it: requests per scope in a sliding window, ``Retry-After`` in whole seconds."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from typing import Deque, Dict, Optional, Tuple

PERIODS = {"second": 1, "sec": 1, "s": 1, "minute": 60, "min": 60, "m": 60, "hour": 3600, "h": 3600, "day": 86400}
#: The scopes of RapidPro 26.3 (older servers also had ``v2.broadcasts``).
SCOPES = ("v2", "v2.contacts", "v2.messages", "v2.runs", "v2.broadcasts")


def parse_rate(rate: str) -> Tuple[int, int]:
    """``"2500/hour"`` → ``(2500, 3600)``; a clear ValueError for anything else.

    :param rate: ``<count>/<period>``, the period one of second, minute, hour, day (or s, m, h)
    """
    count, _, period = str(rate).partition("/")
    try:
        limit, seconds = int(count), PERIODS[period.strip().lower()]
    except (ValueError, KeyError):
        raise ValueError("invalid rate %r: expected <count>/<second|minute|hour|day>, e.g. 60/minute" % rate) from None
    if limit < 1:
        raise ValueError("invalid rate %r: the count must be at least 1" % rate)
    return limit, seconds


def throttled_detail(wait: int) -> str:
    """The 429 body's ``detail`` text."""
    return "Request was throttled. Expected available in %d second%s." % (wait, "" if wait == 1 else "s")


class Throttle:
    """Requests allowed per scope in a sliding window.

    :param rates: by scope, e.g. ``{"v2.runs": "60/minute"}``
    """

    def __init__(self, rates: Optional[Dict[str, str]] = None) -> None:
        for scope in rates or {}:
            if scope not in SCOPES:
                raise ValueError("unknown throttle scope %r (scopes: %s)" % (scope, ", ".join(SCOPES)))
        self.rates: Dict[str, Tuple[int, int]] = {scope: parse_rate(rate) for scope, rate in (rates or {}).items()}
        self._history: Dict[str, Deque[float]] = {}
        self._lock = threading.Lock()

    def policy_headers(self) -> Dict[str, str]:
        """The headers that state this server's rates (sent on ``workspace.json``): the IETF draft's
        ``RateLimit-Policy`` for the throttled scopes (``"v2.runs";q=60;w=60``: 60 requests per 60
        seconds), ``X-RapidPro-Unthrottled`` for the others. A real RapidPro sends neither, and
        the export then paces at its documented defaults."""
        headers: Dict[str, str] = {}
        if self.rates:
            headers["RateLimit-Policy"] = ", ".join(
                '"%s";q=%d;w=%d' % (scope, limit, period) for scope, (limit, period) in sorted(self.rates.items())
            )
        free = [scope for scope in SCOPES if scope not in self.rates]
        if free:
            headers["X-RapidPro-Unthrottled"] = ", ".join(free)
        return headers

    def wait_needed(self, scope: str) -> int:
        """0 if a request in ``scope`` may go ahead now (and counts it), else the whole seconds to wait.

        :param scope: e.g. ``"v2.contacts"``
        """
        if scope not in self.rates:
            return 0
        limit, period = self.rates[scope]
        with self._lock:
            history = self._history.setdefault(scope, deque())
            moment = time.monotonic()
            while history and history[0] <= moment - period:
                history.popleft()
            if len(history) >= limit:
                return max(1, math.ceil(history[0] + period - moment))
            history.append(moment)
            return 0

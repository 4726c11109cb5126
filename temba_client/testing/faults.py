"""Fault injection: make chosen requests fail the way real networks and proxies fail.

::

    server.faults.add(status=503, times=3)                  # the next 3 requests answer 503
    server.faults.add(drop=True, every=10)                   # every 10th request loses its connection
    server.faults.add(delay=2.0, endpoint="runs", times=1)   # the next runs request answers 2 s late
    server.faults.add(body=b"<html>Bad gateway</html>", status=502, times=1)
    server.faults.add(truncate=True, times=1)                # a body cut short, then the connection closes
    server.faults.randomly(seed=42, status_503=0.02, drop=0.01, delay=0.01, rate_limit=0.01)
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Dict, List, Optional


@dataclass
class Fault:
    """What to do instead of (or on top of) answering a request."""

    status: Optional[int] = None  # answer this status (with ``body``, or a JSON error body)
    body: Optional[bytes] = None  # answer these raw bytes
    delay: float = 0.0  # seconds to wait before answering
    drop: bool = False  # close the connection without answering
    truncate: bool = False  # send the headers and part of the body, then close
    retry_after: Optional[int] = None  # with status 429: the Retry-After header

    @property
    def kind(self) -> str:
        if self.drop:
            return "drop"
        if self.truncate:
            return "truncate"
        if self.status is not None:
            return str(self.status)
        if self.body is not None:
            return "body"
        return "delay"


@dataclass
class _Rule:
    fault: Fault
    times: Optional[int]  # how many more requests it applies to (None: forever)
    every: int  # applies to every n-th matching request
    endpoint: Optional[str]
    seen: int = 0


class FaultInjector:
    """The faults the server injects; thread-safe. ``injected`` counts the faults by kind."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: List[_Rule] = []
        self._random: Optional[random.Random] = None
        self._probabilities: Dict[str, float] = {}
        self._random_endpoint: Optional[str] = None
        self.injected: Counter[str] = Counter()

    def add(
        self,
        status: Optional[int] = None,
        *,
        body: Optional[bytes] = None,
        delay: float = 0.0,
        drop: bool = False,
        truncate: bool = False,
        retry_after: Optional[int] = None,
        times: Optional[int] = 1,
        every: int = 1,
        endpoint: Optional[str] = None,
    ) -> None:
        """Adds a fault for the next ``times`` matching requests (None: all of them), or for every
        ``every``-th one, of ``endpoint`` (e.g. ``"contacts"``) or of any endpoint."""
        fault = Fault(status, body, delay, drop, truncate, retry_after)
        with self._lock:
            self._rules.append(_Rule(fault, times, max(1, every), endpoint))

    def randomly(
        self,
        seed: int,
        *,
        status_503: float = 0.0,
        drop: float = 0.0,
        truncate: float = 0.0,
        delay: float = 0.0,
        delay_seconds: float = 2.0,
        rate_limit: float = 0.0,
        endpoint: Optional[str] = None,
    ) -> None:
        """Injects faults at random, with these probabilities per request, reproducibly from ``seed``."""
        with self._lock:
            self._random = random.Random(seed)
            self._probabilities = {
                "503": status_503,
                "drop": drop,
                "truncate": truncate,
                "delay": delay,
                "429": rate_limit,
            }
            self._delay_seconds = delay_seconds
            self._random_endpoint = endpoint

    def clear(self) -> None:
        """Removes every fault (the counts stay)."""
        with self._lock:
            self._rules.clear()
            self._random = None

    def next_fault(self, endpoint: str) -> Optional[Fault]:
        """The fault for a request to ``endpoint``, if any (and counts it)."""
        with self._lock:
            fault = self._from_rules(endpoint) or self._from_random(endpoint)
            if fault is not None:
                self.injected[fault.kind] += 1
            return fault

    def _from_rules(self, endpoint: str) -> Optional[Fault]:
        for rule in list(self._rules):
            if rule.endpoint is not None and rule.endpoint != endpoint:
                continue
            rule.seen += 1
            if rule.seen % rule.every:
                continue
            if rule.times is not None:
                rule.times -= 1
                if rule.times <= 0:
                    self._rules.remove(rule)
            return rule.fault
        return None

    def _from_random(self, endpoint: str) -> Optional[Fault]:
        if self._random is None or (self._random_endpoint and self._random_endpoint != endpoint):
            return None
        roll = self._random.random()
        for kind, probability in self._probabilities.items():
            if roll < probability:
                if kind == "503":
                    return Fault(status=503, body=b"<html><body><h1>503 Service Unavailable</h1></body></html>")
                if kind == "429":
                    return Fault(status=429, retry_after=1)
                if kind == "delay":
                    return Fault(delay=self._delay_seconds)
                return Fault(drop=kind == "drop", truncate=kind == "truncate")
            roll -= probability
        return None

"""What the local server records of each request (``server.requests``), and the hooks run after them."""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Deque, Dict, Iterator, List, Optional, Union

#: How many requests ``server.requests`` keeps by default (the most recent ones).
DEFAULT_KEEP = 1000


@dataclass
class RecordedRequest:
    """One request the server received.

    ``headers`` has the Authorization header's value replaced by ``"<redacted>"``, so that a
    recorded request never shows the token. ``status`` is the answer's status (None until answered,
    0 when a fault dropped the connection).
    """

    method: str
    path: str
    query: Dict[str, List[str]]
    headers: Dict[str, str]
    body: bytes
    status: Optional[int] = None
    endpoint: Optional[str] = None

    @property
    def json(self) -> Any:
        """The body parsed as JSON (None when empty)."""
        return json.loads(self.body) if self.body else None

    def __getitem__(self, name: str) -> Any:
        """``request["query"]``: the attributes by name too, for code written for the older dict records."""
        return getattr(self, name)


class RequestLog:
    """The most recent requests, oldest first: a sequence that keeps at most ``keep`` of them.

    :param keep: how many to keep (None: all, which grows without bound)
    """

    def __init__(self, keep: Optional[int] = DEFAULT_KEEP) -> None:
        self._items: Deque[RecordedRequest] = deque(maxlen=keep)
        self._lock = threading.Lock()

    def append(self, request: RecordedRequest) -> None:
        """Records a request (dropping the oldest beyond the cap).

        :param request: the request
        """
        with self._lock:
            self._items.append(request)

    def clear(self) -> None:
        """Forgets every recorded request."""
        with self._lock:
            self._items.clear()

    def __getitem__(self, index: Union[int, slice]) -> Any:
        with self._lock:
            items = list(self._items)
        return items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[RecordedRequest]:
        with self._lock:
            return iter(list(self._items))

    def __eq__(self, other: object) -> bool:
        return list(self) == other if isinstance(other, list) else NotImplemented

    def __repr__(self) -> str:
        return "<RequestLog of %d requests>" % len(self)


Callback = Callable[[RecordedRequest], None]


@dataclass
class _Hook:
    callback: Callback
    endpoint: Optional[str]
    nth: Optional[int]
    seen: int = 0
    done: bool = False


@dataclass
class Hooks:
    """Callbacks run after a request is answered (while no other request is being answered)."""

    _hooks: List[_Hook] = field(default_factory=list)

    def add(self, callback: Callback, endpoint: Optional[str] = None, nth: Optional[int] = None) -> None:
        """Runs ``callback(request)`` after every request (of ``endpoint``), or only after the ``nth`` one.

        :param callback: called with the :class:`RecordedRequest`
        :param endpoint: e.g. ``"runs"``; None: any endpoint
        :param nth: only after the n-th matching request (1 = the first); None: after every one
        """
        self._hooks.append(_Hook(callback, endpoint, nth))

    def run(self, request: RecordedRequest) -> None:
        """Runs the hooks matching ``request``.

        :param request: the answered request
        """
        for hook in list(self._hooks):
            if hook.done or (hook.endpoint is not None and hook.endpoint != request.endpoint):
                continue
            hook.seen += 1
            if hook.nth is None:
                hook.callback(request)
            elif hook.seen == hook.nth:
                hook.done = True
                hook.callback(request)

"""Deterministic API pages of contacts, messages and runs, in the shapes the server sends (the keys
of ``recorded/rapidpro-26.3/{contacts,messages,runs}.json``, the values made up)."""

from __future__ import annotations

import datetime
import json
import random
from typing import Any, Callable, Dict, List

PAGE_SIZE = 250
BASE = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)


def _stamp(rng: random.Random, minutes: float) -> str:
    moment = BASE + datetime.timedelta(minutes=minutes, microseconds=rng.randrange(1_000_000))
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _uuid(rng: random.Random) -> str:
    return "%08x-%04x-4%03x-a%03x-%012x" % (
        rng.getrandbits(32),
        rng.getrandbits(16),
        rng.getrandbits(12),
        rng.getrandbits(12),
        rng.getrandbits(48),
    )


_POOL = random.Random("pool")
#: The same group, flow, channel and label appear in many objects, with the same UUID each time.
_UUIDS: Dict[str, str] = {}
#: A flow has a limited set of nodes, which every run's path goes through.
NODES = [_uuid(_POOL) for _ in range(24)]


def _ref(rng: random.Random, name: str) -> Dict[str, str]:
    if name not in _UUIDS:
        _UUIDS[name] = _uuid(_POOL)
    return {"uuid": _UUIDS[name], "name": name}


def contact(rng: random.Random, n: int) -> Dict[str, Any]:
    return {
        "uuid": _uuid(rng),
        "name": "Contact %d" % n,
        "status": "active",
        "language": "eng",
        "urns": ["tel:+2507%08d" % n],
        "groups": [_ref(rng, "Reporters"), _ref(rng, "Farmers")],
        "notes": [],
        "fields": {
            "age": str(18 + n % 50),
            "gender": "female",
            "district": "Gasabo",
            "joined": _stamp(rng, n),
            "score": n % 7,
        },
        "flow": _ref(rng, "Registration") if n % 5 == 0 else None,
        "created_on": _stamp(rng, n),
        "modified_on": _stamp(rng, n + 5),
        "last_seen_on": _stamp(rng, n + 3),
        "blocked": False,
        "stopped": False,
    }


def message(rng: random.Random, n: int) -> Dict[str, Any]:
    return {
        "uuid": _uuid(rng),
        "id": n + 1,
        "broadcast": None,
        "contact": _ref(rng, "Contact %d" % n),
        "urn": "tel:+2507%08d" % n,
        "channel": _ref(rng, "Android Phone"),
        "direction": "in" if n % 2 else "out",
        "type": "text",
        "status": "handled" if n % 2 else "delivered",
        "archived": False,
        "visibility": "visible",
        "text": "Message number %d, with a few words in it" % n,
        "labels": [_ref(rng, "Important")] if n % 4 == 0 else [],
        "flow": _ref(rng, "Survey") if n % 3 == 0 else None,
        "attachments": [{"content_type": "image/jpeg", "url": "https://example.com/%d.jpg" % n}] if n % 10 == 0 else [],
        "created_on": _stamp(rng, n),
        "sent_on": _stamp(rng, n + 1) if n % 2 == 0 else None,
        "modified_on": _stamp(rng, n + 2),
        "media": None,
        "quick_replies": [],
    }


def run(rng: random.Random, n: int) -> Dict[str, Any]:
    steps = 3 + n % 5
    return {
        "id": n + 1,
        "uuid": _uuid(rng),
        "flow": _ref(rng, "Survey"),
        "contact": {
            "uuid": _uuid(rng),
            "name": "Contact %d" % n,
            "urn": "tel:+2507%08d" % n,
            "urn_display": "07%08d" % n,
        },
        "start": {"uuid": _uuid(rng)} if n % 4 == 0 else None,
        "responded": n % 3 != 0,
        "path": [{"node": NODES[(n + k) % len(NODES)], "time": _stamp(rng, n + k)} for k in range(steps)],
        "values": {
            key: {
                "name": key.title(),
                "value": "answer %d" % n,
                "category": "Other",
                "node": NODES[n % len(NODES)],
                "time": _stamp(rng, n + 1),
                "input": "answer %d" % n,
            }
            for key in ("age", "district", "water")[: 1 + n % 3]
        },
        "created_on": _stamp(rng, n),
        "modified_on": _stamp(rng, n + 9),
        "exited_on": _stamp(rng, n + 9) if n % 6 else None,
        "exit_type": "completed" if n % 6 else None,
    }


KINDS: Dict[str, Callable[[random.Random, int], Dict[str, Any]]] = {
    "contacts": contact,
    "messages": message,
    "runs": run,
}


def pages(kind: str, records: int, next_url: Callable[[int], str]) -> List[bytes]:
    """The encoded pages of ``records`` objects of ``kind``; page i links to ``next_url(i + 1)``."""
    rng = random.Random(kind)
    count = (records + PAGE_SIZE - 1) // PAGE_SIZE
    encoded = []
    for index in range(count):
        results = [KINDS[kind](rng, n) for n in range(index * PAGE_SIZE, min(records, (index + 1) * PAGE_SIZE))]
        link = next_url(index + 1) if index + 1 < count else None
        encoded.append(json.dumps({"next": link, "previous": None, "results": results}).encode())
    return encoded

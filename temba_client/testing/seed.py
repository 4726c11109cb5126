"""A deterministic, realistic workspace of a chosen size: the same size always gives the same data."""

from __future__ import annotations

import datetime
import random
import uuid
from typing import List

from .store import Obj, Workspace, format_datetime

BASE = datetime.datetime(2024, 1, 1, 8, 0, tzinfo=datetime.timezone.utc)
FIRST_NAMES = [
    "Ann",
    "Ben",
    "Chloe",
    "David",
    "Esther",
    "Felix",
    "Grace",
    "Hassan",
    "Ines",
    "Jean",
    "Kemi",
    "Luc",
    "Mariam",
    "Noah",
    "Olive",
    "Paul",
]
LAST_NAMES = ["Uwase", "Mugisha", "Okafor", "Mensah", "Habimana", "Ndayishimiye", "Keita", "Diallo", "Banda", "Mwangi"]
TEXTS_IN = ["Yes", "No", "STOP", "join", "How do I register?", "32", "Kigali", "Thanks!", "help"]
TEXTS_OUT = ["Welcome to the program!", "What is your age?", "Thank you for registering.", "Reminder: clinic visit"]


class _Ids:
    """UUIDs drawn from the seeded random generator, so that they are the same every run."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def __call__(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


def _when(minutes: float) -> str:
    return format_datetime(BASE + datetime.timedelta(minutes=minutes))


def populate(ws: Workspace, size: int) -> None:
    """Fills ``ws`` with about ``size`` contacts and proportionate messages, runs and the rest."""
    rng = random.Random(size)
    new_id = _Ids(rng)
    size = max(0, size)

    team = ws.add("teams", {"uuid": new_id(), "name": "All Topics", "created_on": _when(0)})
    users = [
        ("admin@example.com", "Ada", "Admin", "administrator"),
        ("editor@example.com", "Eddie", "Editor", "editor"),
        ("agent@example.com", "Agnes", "", "agent"),
    ]
    for n, (email, first, last, role) in enumerate(users):
        ws.add(
            "users",
            {
                "uuid": new_id(),
                "email": email,
                "first_name": first,
                "last_name": last,
                "role": role,
                "team_uuid": team["uuid"] if role == "agent" else None,
                "avatar": "https://example.com/avatars/%d.png" % n if n == 0 else None,
                "created_on": _when(n),
            },
        )

    android = ws.add(
        "channels",
        {
            "uuid": new_id(),
            "name": "Android Phone",
            "type": "android",
            "address": "+250788000001",
            "country": "RW",
            "device": {
                "name": "Pixel 7",
                "power_level": 87,
                "power_status": "STATUS_DISCHARGING",
                "power_source": "BATTERY",
                "network_type": "WIFI",
            },
            "last_seen": _when(60 * 24 * 30),
            "created_on": _when(1),
        },
    )
    whatsapp = ws.add(
        "channels",
        {
            "uuid": new_id(),
            "name": "WhatsApp",
            "type": "whatsapp",
            "address": "+250788000002",
            "country": None,
            "device": None,
            "last_seen": _when(60),
            "created_on": _when(2),
        },
    )

    fields = [
        ("Age", "number"),
        ("Gender", "text"),
        ("District", "district"),
        ("Registration Date", "datetime"),
        ("Nickname", "text"),
    ]
    for n, (name, kind) in enumerate(fields):
        ws.add(
            "fields",
            {
                "key": name.lower().replace(" ", "_"),
                "name": name,
                "type": kind,
                "featured": n < 2,
                "priority": 10 - n,
                "agent_access": "view",
                "created_on": _when(3 + n),
            },
        )

    groups = [
        ws.add(
            "groups",
            {
                "uuid": new_id(),
                "name": name,
                "query": query,
                "status": "ready",
                "system": system,
                "created_on": _when(10 + n),
            },
        )
        for n, (name, query, system) in enumerate(
            [
                ("Reporters", None, False),
                ("Farmers", None, False),
                ("Youth", "age < 25", False),
                ("Open Tickets", "tickets > 0", True),
            ]
        )
    ]
    labels = [
        ws.add("labels", {"uuid": new_id(), "name": name, "created_on": _when(20 + n)})
        for n, name in enumerate(["Important", "Spam", "Follow up"])
    ]

    flows: List[Obj] = []
    for n, (name, kind) in enumerate([("Registration", "message"), ("Survey", "message"), ("IVR Check-in", "voice")]):
        flows.append(
            ws.add(
                "flows",
                {
                    "uuid": new_id(),
                    "name": name,
                    "type": kind,
                    "archived": False,
                    "labels": [{"uuid": labels[0]["uuid"], "name": labels[0]["name"]}] if n == 0 else [],
                    "expires": 10080,
                    "runs": {"active": 0, "waiting": 0, "completed": 0, "interrupted": 0, "expired": 0, "failed": 0},
                    "results": [
                        {
                            "key": "age",
                            "name": "Age",
                            "categories": ["Adult", "Child", "Other"],
                            "node_uuids": [new_id()],
                        },
                        {
                            "key": "district",
                            "name": "District",
                            "categories": ["Known", "Other"],
                            "node_uuids": [new_id()],
                        },
                    ],
                    "parent_refs": [],
                    "created_on": _when(30 + n),
                    "modified_on": _when(40 + n),
                },
            )
        )

    # contacts: one a minute from day 2
    contacts: List[Obj] = []
    for n in range(size):
        created = 60 * 24 + n
        status = "blocked" if n % 97 == 5 else "stopped" if n % 101 == 7 else "active"
        member = [g["uuid"] for i, g in enumerate(groups[:2]) if (n + i) % 3 == 0]
        age = 15 + (n * 7) % 50
        if age < 25:
            member.append(groups[2]["uuid"])
        scheme = "whatsapp:2507" if n % 4 == 0 else "tel:+2507"
        contacts.append(
            ws.add(
                "contacts",
                {
                    "uuid": new_id(),
                    "name": "%s %s" % (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)),
                    "status": status,
                    "language": rng.choice(["eng", "fra", "kin", None]),
                    "urns": ["%s%08d" % (scheme, 10000000 + n)],
                    "group_uuids": member,
                    "fields": {
                        "age": str(age),
                        "gender": rng.choice(["female", "male"]),
                        "district": rng.choice(["Gasabo", "Kicukiro", "Nyarugenge"]),
                        "registration_date": _when(created),
                        "nickname": None,
                    },
                    "notes": [
                        {"text": "Called back", "created_on": _when(created + 4), "created_by": "agent@example.com"}
                    ]
                    if n % 10 == 3
                    else [],
                    "flow_uuid": flows[0]["uuid"] if n % 13 == 0 else None,
                    "created_on": _when(created),
                    "modified_on": _when(created + 5 + n % 11),
                    "last_seen_on": _when(created + 3) if n % 2 else None,
                },
            )
        )

    broadcasts = []
    for n in range(max(1, size // 200)):
        broadcasts.append(
            ws.add(
                "broadcasts",
                {
                    "uuid": new_id(),
                    "urns": [],
                    "contact_uuids": [],
                    "group_uuids": [groups[n % 2]["uuid"]],
                    "text": {"eng": TEXTS_OUT[n % 4], "fra": "Bonjour"} if n == 0 else {"eng": TEXTS_OUT[n % 4]},
                    "attachments": {"eng": ["image/jpeg:https://example.com/media/b%d.jpg" % n]} if n == 0 else {},
                    "quick_replies": {"eng": [{"type": "text", "text": "Yes"}, {"type": "text", "text": "No"}]},
                    "progress": {"total": size // 3, "started": size // 3},
                    "base_language": "eng",
                    "status": "completed",
                    "created_on": _when(60 * 24 * 3 + n),
                },
            )
        )

    folders = [
        ("in", "handled", "visible", False),
        ("in", "handled", "visible", True),
        ("in", "handled", "archived", False),
        ("out", "queued", "visible", False),
        ("out", "sent", "visible", False),
        ("out", "delivered", "visible", False),
        ("out", "failed", "visible", False),
    ]
    for n in range(size * 2):
        contact = contacts[n % size] if size else None
        if contact is None:
            break
        direction, status, visibility, in_flow = folders[n % len(folders)]
        sent_at = 60 * 24 * 2 + n * 0.5
        ws.add(
            "messages",
            {
                "uuid": new_id(),
                "broadcast": broadcasts[n % len(broadcasts)]["id"] if direction == "out" and n % 5 == 0 else None,
                "contact_uuid": contact["uuid"],
                "urn": contact["urns"][0],
                "channel_uuid": (whatsapp if contact["urns"][0].startswith("whatsapp") else android)["uuid"],
                "direction": direction,
                "type": "voice" if n % 37 == 4 else "text",
                "status": status,
                "visibility": visibility,
                "text": rng.choice(TEXTS_IN if direction == "in" else TEXTS_OUT),
                "label_uuids": [labels[n % 3]["uuid"]] if direction == "in" and n % 4 == 0 else [],
                "flow_uuid": flows[0]["uuid"] if in_flow or (direction == "out" and n % 3 == 0) else None,
                "attachments": [{"content_type": "image/jpeg", "url": "https://example.com/media/%d.jpg" % n}]
                if n % 50 == 1
                else [],
                "quick_replies": [{"type": "text", "text": "Yes"}, {"type": "text", "text": "No", "extra": "no"}]
                if direction == "out" and n % 6 == 3
                else [],
                "created_on": _when(sent_at),
                "sent_on": _when(sent_at + 0.1) if status in ("sent", "delivered") else None,
                "modified_on": _when(sent_at + 1),
            },
        )

    starts = [
        ws.add(
            "flow_starts",
            {
                "uuid": new_id(),
                "flow_uuid": flows[n % 2]["uuid"],
                "status": "completed",
                "progress": {"total": 10 + n, "started": 10 + n},
                "group_uuids": [groups[n % 2]["uuid"]],
                "contact_uuids": [],
                "params": {"source": "seed"} if n else None,
                "restart_participants": True,
                "exclude_active": True if n == 1 else None,
                "created_on": _when(60 * 24 * 4 + n),
                "modified_on": _when(60 * 24 * 4 + n + 2),
            },
        )
        for n in range(3)
    ]

    exits = ["completed", "completed", "interrupted", "expired", None, "failed"]
    for n in range(size):
        contact = contacts[n]
        flow = flows[n % 2]
        created = 60 * 24 * 5 + n
        exit_type = exits[n % len(exits)]
        path = [{"node": new_id(), "time": _when(created + k)} for k in range(1 + n % 5)]
        values = {
            "age": {
                "name": "Age",
                "value": contact["fields"]["age"],
                "category": "Adult",
                "node": path[0]["node"],
                "time": _when(created + 1),
                "input": contact["fields"]["age"],
            },
        }
        if n % 2:
            values["district"] = {
                "name": "District",
                "value": contact["fields"]["district"],
                "category": "Known",
                "node": path[-1]["node"],
                "time": _when(created + 2),
                "input": "kigali",
            }
        ws.add(
            "runs",
            {
                "uuid": new_id(),
                "flow_uuid": flow["uuid"],
                "contact_uuid": contact["uuid"],
                "start_uuid": starts[n % 3]["uuid"] if n % 4 == 0 else None,
                "responded": n % 3 != 0,
                "path": path,
                "values": values,
                "created_on": _when(created),
                "modified_on": _when(created + 6),
                "exited_on": _when(created + 6) if exit_type else None,
                "exit_type": exit_type,
            },
        )
        counts = flow["runs"]
        counts["active" if exit_type is None else exit_type] += 1

    campaign = ws.add(
        "campaigns",
        {
            "uuid": new_id(),
            "name": "Reminders",
            "archived": False,
            "group_uuid": groups[0]["uuid"],
            "created_on": _when(50),
        },
    )
    ws.add(
        "campaign_events",
        {
            "uuid": new_id(),
            "campaign_uuid": campaign["uuid"],
            "relative_to": "registration_date",
            "offset": 7,
            "unit": "days",
            "delivery_hour": 9,
            "flow_uuid": None,
            "message": {"eng": "Time for your check-up!"},
            "created_on": _when(51),
        },
    )
    ws.add(
        "campaign_events",
        {
            "uuid": new_id(),
            "campaign_uuid": campaign["uuid"],
            "relative_to": "registration_date",
            "offset": 1,
            "unit": "weeks",
            "delivery_hour": -1,
            "flow_uuid": flows[1]["uuid"],
            "message": None,
            "created_on": _when(52),
        },
    )

    for n, (key, name, value) in enumerate([("org_name", "Org Name", "Local Health"), ("hotline", "Hotline", "114")]):
        ws.add("globals", {"key": key, "name": name, "value": value, "modified_on": _when(55 + n)})

    topics = [
        ws.add("topics", {"uuid": new_id(), "name": name, "system": n == 0, "created_on": _when(56 + n)})
        for n, name in enumerate(["General", "Support", "Sales"])
    ]
    for n in range(max(1, size // 50)):
        if not contacts:
            break
        closed = n % 3 == 2
        ws.add(
            "tickets",
            {
                "uuid": new_id(),
                "contact_uuid": contacts[n * 7 % size]["uuid"],
                "status": "closed" if closed else "open",
                "topic_uuid": topics[n % 3]["uuid"],
                "body": "Need help with registration" if n % 2 else None,
                "assignee": "agent@example.com" if n % 2 else None,
                "opened_on": _when(60 * 24 * 6 + n),
                "opened_by": "admin@example.com" if n % 5 == 1 else None,
                "opened_in": flows[0]["uuid"] if n % 4 == 0 else None,
                "modified_on": _when(60 * 24 * 6 + n + 1),
                "closed_on": _when(60 * 24 * 6 + n + 1) if closed else None,
            },
        )

    for n in range(max(1, size // 100)):
        if not contacts:
            break
        ws.add(
            "channel_events",
            {
                "type": ["call-in", "call-out-missed", "new-conversation", "referral"][n % 4],
                "contact_uuid": contacts[n % size]["uuid"],
                "channel_uuid": android["uuid"],
                "extra": {"duration": 30 + n} if n % 4 == 0 else None,
                "occurred_on": _when(60 * 24 * 7 + n),
                "created_on": _when(60 * 24 * 7 + n),
            },
        )

    ws.add(
        "classifiers",
        {
            "uuid": new_id(),
            "name": "Booking",
            "type": "wit",
            "intents": ["book_flight", "cancel"],
            "created_on": _when(60),
        },
    )
    ws.add("optins", {"uuid": new_id(), "name": "Newsletter", "created_on": _when(61)})
    ws.add(
        "templates",
        {
            "uuid": new_id(),
            "name": "welcome",
            "created_on": _when(62),
            "modified_on": _when(63),
            "translations": [
                {
                    "language": "eng",
                    "locale": "eng-US",
                    "content": "Hello {{1}}",
                    "namespace": "",
                    "variable_count": 1,
                    "status": "approved",
                    "channel": whatsapp["uuid"],
                }
            ],
        },
    )
    ws.add("resthooks", {"resthook": "new-registration", "created_on": _when(64), "modified_on": _when(64)})
    ws.add(
        "resthook_events",
        {"resthook": "new-registration", "data": {"contact": "seed", "flow": "Registration"}, "created_on": _when(65)},
    )
    ws.add(
        "resthook_subscribers",
        {"resthook": "new-registration", "target_url": "https://example.com/hooks/reg", "created_on": _when(66)},
    )

    rwanda: Obj = {
        "osm_id": "171496",
        "name": "Rwanda",
        "parent": None,
        "level": 0,
        "aliases": [],
        "geometry": {"type": "MultiPolygon", "coordinates": [[[[29.0, -1.0], [30.9, -1.0], [30.9, -2.8]]]]},
    }
    ws.add("boundaries", rwanda)
    for n, name in enumerate(["Kigali City", "Eastern Province"]):
        ws.add(
            "boundaries",
            {
                "osm_id": "17082%02d" % n,
                "name": name,
                "parent": {"osm_id": "171496", "name": "Rwanda"},
                "level": 1,
                "aliases": [name.split()[0]],
                "geometry": None,
            },
        )

    _seed_archives(ws, contacts, flows, android, new_id)


def _seed_archives(ws: Workspace, contacts: List[Obj], flows: List[Obj], channel: Obj, new_id: _Ids) -> None:
    """Real archives of records from before the live data: daily ones rolled up into December 2023,
    daily ones of January 2024 (from the 1st to the 3rd, before the first contact), and an empty one."""
    if not contacts:
        return
    for n in range(6):
        day = BASE - datetime.timedelta(days=7 - n) if n < 4 else BASE.replace(hour=1) + datetime.timedelta(days=n - 4)
        when = format_datetime(day)
        ws.add(
            "messages",
            {
                "uuid": new_id(),
                "broadcast": None,
                "contact_uuid": contacts[n % len(contacts)]["uuid"],
                "urn": contacts[n % len(contacts)]["urns"][0],
                "channel_uuid": channel["uuid"],
                "direction": "in",
                "type": "text",
                "status": "handled",
                "visibility": "visible",
                "text": "archived %d" % n,
                "label_uuids": [],
                "flow_uuid": None,
                "attachments": [{"content_type": "image/png", "url": "https://example.com/a%d.png" % n}]
                if n == 0
                else [],
                "quick_replies": [],
                "created_on": when,
                "sent_on": None,
                "modified_on": when,
            },
        )
        node = new_id()
        ws.add(
            "runs",
            {
                "uuid": new_id(),
                "flow_uuid": flows[0]["uuid"],
                "contact_uuid": contacts[n % len(contacts)]["uuid"],
                "start_uuid": None,
                "responded": True,
                "path": [{"node": node, "time": when}],
                "values": {
                    "age": {
                        "name": "Age",
                        "value": "30",
                        "category": "Adult",
                        "node": node,
                        "time": when,
                        "input": "thirty",
                    }
                },
                "created_on": when,
                "modified_on": when,
                "exited_on": when,
                "exit_type": "completed",
            },
        )
        for kind in ("message", "run"):
            ws.archive(kind, "daily", day.date())
    for kind in ("message", "run"):
        ws.rollup(kind, "2023-12")
    ws.archive("run", "daily", "2023-11-15")  # nothing that day: an empty archive

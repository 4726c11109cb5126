"""The generated deserializers' fast path (an object with exactly the declared keys, read by
subscripts) gives what the careful path gives, for every shape and value.

The careful path is the oracle: an object that is not exactly a ``dict`` (here a dict subclass, at
every depth) always takes it. Each case deserializes the same JSON both ways and compares the
results attribute by attribute (types, values, time zones, kept keys), or the errors.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any, Dict, List, Type

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from temba_client.serialization import (
    DatetimeField,
    ObjectDictField,
    ObjectField,
    ObjectListField,
    SimpleField,
    TembaObject,
    extra_fields,
)
from temba_client.v2 import types

RECORDED = Path(__file__).resolve().parents[2] / "shared" / "recorded" / "rapidpro-26.3"
needs_recorded = pytest.mark.skipif(not RECORDED.is_dir(), reason="no recorded answers beside the checkout (../shared)")


class Careful(dict):
    """A JSON object the generated code cannot take for a plain dict: it takes the careful path."""


def careful(value: Any) -> Any:
    if isinstance(value, dict):
        return Careful({key: careful(item) for key, item in value.items()})
    if isinstance(value, list):
        return [careful(item) for item in value]
    return value


def snapshot(value: Any) -> Any:
    """Everything observable about a deserialized value, comparable with ``==``: for a model object,
    its model, the values of its fields, the keys kept that the model does not declare, and the
    attributes set by other code (the same whether msgspec built it or not)."""
    if isinstance(value, TembaObject):
        fields = {attr: snapshot(getattr(value, attr)) for attr in value._fields}
        own = {k: snapshot(v) for k, v in vars(value).items() if k not in value._fields and k != "_extra"}
        return (type(value)._model, fields, snapshot(extra_fields(value)), own)
    if isinstance(value, datetime.datetime):
        return ("datetime", value, type(value.tzinfo), value.utcoffset())
    if isinstance(value, dict):
        return ("dict", {key: snapshot(item) for key, item in value.items()})
    if isinstance(value, list):
        return ("list", [snapshot(item) for item in value])
    return (type(value), value)


def outcome(cls: Type[TembaObject], item: Any) -> Any:
    try:
        return snapshot(cls.deserialize(item))
    except Exception as error:  # the error itself is what is compared
        return ("error", type(error), str(error))


def assert_same_both_ways(cls: Type[TembaObject], item: Any) -> None:
    fast, slow = outcome(cls, item), outcome(cls, careful(item))
    assert fast == slow
    if fast[0] != "error":  # and no key is lost
        declared = set(fields_of(cls)) | {f.fallback_src for f in cls._fields.values() if f.fallback_src}
        assert set(extra_fields(cls.deserialize(item))) == set(item) - declared


# ------------------------------------------------------------------------------------------------
# values

DATETIMES = st.one_of(
    st.datetimes(
        min_value=datetime.datetime(1, 1, 2), max_value=datetime.datetime(9999, 12, 30), timezones=st.none()
    ).map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")),
    st.sampled_from(
        [
            "2016-01-06T15:33:00.813162Z",
            "2016-01-06T15:33:00Z",
            "2016-01-06T15:33:00.813Z",
            "2016-01-06T15:33:00.813162+02:00",
            "2016-01-06T15:33:00.813162-00:00",
            "2016-01-06T15:33:00.813162+00:00",
            "2016-01-06T15:33:00.813162",
            "2016-01-06",
            "2016-01-06T24:00:00Z",
            "2016-13-06T15:33:00.813162Z",
            "2016-01-06X15:33:00.813162Z",
            "9999-12-31T23:00:00-05:00",
            "",
            "Z",
            "not a datetime at all, 27Z",
        ]
    ),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=6),
    st.sampled_from(["active", "eng", "tel:+250788123123"]),
    DATETIMES,
)
PLAIN = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)),
    max_leaves=6,
)


def fields_of(cls: Type[TembaObject]) -> Dict[str, Any]:
    return {field.src or attr: field for attr, field in cls._fields.items()}


@st.composite
def json_object(draw: Any, cls: Type[TembaObject], depth: int = 0) -> Dict[str, Any]:
    """An object for ``cls``: usually exactly its keys (all, or all but those the server leaves
    out), sometimes a key renamed, dropped or added."""
    item: Dict[str, Any] = {}
    leave_out = draw(st.booleans())
    for key, field in fields_of(cls).items():
        if field.omit_none and leave_out:
            continue
        item[key] = draw(value_for(field, depth))
    shape = draw(st.sampled_from(["exact"] * 6 + ["renamed", "dropped", "added"]))
    if shape != "exact" and item:
        key = draw(st.sampled_from(sorted(item)))
        if shape in ("renamed", "dropped"):
            value = item.pop(key)
            if shape == "renamed":
                item["new_" + key] = value
        else:
            item["added_" + key] = draw(PLAIN)
    return item


def value_for(field: Any, depth: int) -> Any:
    if isinstance(field, (ObjectField, ObjectListField, ObjectDictField)) and depth < 2:
        child = json_object(field.item_class, depth + 1)
        options = [st.none(), PLAIN]
        if isinstance(field, ObjectListField):
            options.append(st.lists(child, max_size=3))
        elif isinstance(field, ObjectDictField):
            options.append(st.dictionaries(st.text(max_size=4), child, max_size=3))
        else:
            options.append(child)
        return st.one_of(*options[::-1])  # the well-formed value first: hypothesis shrinks towards it
    if isinstance(field, DatetimeField):
        return st.one_of(DATETIMES, SCALARS)
    return PLAIN


MODELS = [
    types.Contact,
    types.Message,
    types.Run,
    types.Broadcast,
    types.Ticket,
    types.FlowStart,
    types.Archive,
    types.Statistics,
    types.Channel,
    types.Flow,
]


@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: cls.__name__)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fast_path_gives_what_the_careful_path_gives(cls: Type[TembaObject], data: Any) -> None:
    item = data.draw(json_object(cls))
    assert_same_both_ways(cls, item)


@pytest.mark.slow
@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: cls.__name__)
@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fast_path_gives_what_the_careful_path_gives_many_more(cls: Type[TembaObject], data: Any) -> None:
    item = data.draw(json_object(cls))
    assert_same_both_ways(cls, item)


@needs_recorded
@pytest.mark.parametrize("name", ["contacts", "messages", "runs", "broadcasts", "tickets", "flow_starts"])
def test_recorded_objects_take_the_fast_path_to_the_same_objects(name: str) -> None:
    results = json.loads((RECORDED / ("%s.json" % name)).read_text())["json"]["results"]
    cls = {
        "contacts": types.Contact,
        "messages": types.Message,
        "runs": types.Run,
        "broadcasts": types.Broadcast,
        "tickets": types.Ticket,
        "flow_starts": types.FlowStart,
    }[name]
    assert results
    fast = [snapshot(obj) for obj in cls.deserialize_list(results)]
    assert fast == [snapshot(obj) for obj in cls.deserialize_list(careful(results))]
    for obj, item in zip(cls.deserialize_list(results), results):
        assert obj.serialize() == item or extra_fields(obj) == {}


def older_contact(n: int) -> Dict[str, Any]:
    """A contact as a 9.x server sends it: ``anon_display`` but no ``notes`` (the same number of
    keys as a 26.3 contact, other keys)."""
    return {
        "uuid": "c-%d" % n,
        "name": "Contact %d" % n,
        "anon_display": None,
        "status": "active",
        "language": "eng",
        "urns": ["tel:+2507%08d" % n],
        "groups": [],
        "fields": {},
        "flow": None,
        "created_on": "2024-01-01T00:00:00.000001Z",
        "modified_on": "2024-01-01T00:00:00.000002Z",
        "last_seen_on": None,
        "blocked": False,
        "stopped": False,
        "undeclared": n,
    }


@needs_recorded
def test_objects_of_the_declared_length_with_other_keys_keep_every_key() -> None:
    """An object that has the right number of keys but not the right keys misses the fast path;
    the objects after it (which skip the fast path for a while, then try it again) are all right."""
    recorded = json.loads((RECORDED / "contacts.json").read_text())["json"]["results"]
    items: List[Dict[str, Any]] = []
    for n in range(300):
        if n % 3 == 0:
            item = older_contact(n)
            del item["undeclared"]
        elif n % 3 == 1:
            item = older_contact(n)
            del item["anon_display"]  # 14 keys again, one of them undeclared
        else:
            item = dict(recorded[n % len(recorded)])
        items.append(item)
    contacts = types.Contact.deserialize_list(items)
    for item, contact in zip(items, contacts):
        assert contact.serialize() == dict({"notes": None}, **item) or "ref" not in item
        assert extra_fields(contact) == ({"undeclared": item["undeclared"]} if "undeclared" in item else {})
        assert contact.notes == item.get("notes")
        assert contact.uuid == item["uuid"]
    assert [snapshot(c) for c in contacts] == [snapshot(c) for c in types.Contact.deserialize_list(careful(items))]


@needs_recorded
def test_contacts_with_and_without_the_keys_the_server_leaves_out() -> None:
    base = json.loads((RECORDED / "contacts.json").read_text())["json"]["results"][0]
    anonymous = dict(base, ref="0001", anon_display="0001")  # 16 keys: all declared
    half = dict(base, ref="0001")  # 15 keys
    for item in (base, anonymous, half):
        contact = types.Contact.deserialize(item)
        assert (contact.ref, contact.anon_display) == (item.get("ref"), item.get("anon_display"))
        assert contact.serialize() == item
        assert_same_both_ways(types.Contact, item)


def test_a_field_class_of_its_own_is_called_once_per_value_even_when_the_fast_path_would_miss() -> None:
    calls: List[Any] = []

    class Counting(SimpleField):
        def deserialize(self, value: Any) -> Any:
            calls.append(value)
            return value

    class Model(TembaObject):
        a = Counting()
        b = SimpleField()

    obj = Model.deserialize({"a": 1, "c": 2})  # two keys, as declared, but not the declared ones
    assert (obj.a, obj.b, extra_fields(obj), calls) == (1, None, {"c": 2}, [1])


def test_the_generated_source_shows_both_paths() -> None:
    source = types.Run.Step._deserialize_source
    assert "item['node']" in source and "get('node')" in source

"""Reading never fails on a value whose JSON type differs from the model's declaration.

rapidpro-python 2.22 declared most fields plain (``SimpleField``: any value kept as sent); this
client declares structures (translations, lists, nested objects, datetimes). Servers have sent
other shapes over the years (a broadcast's ``text`` as a plain string, what rapidpro-python's own
test data holds), and one such value must not cost the page: a value of another shape is kept as
sent, and a value of the declared shape converts exactly as the field converts it.

The pages rapidpro-python's own tests read (``tests/data/rapidpro_python_v2``, copies of its
``test_files/v2``) go through the client over HTTP; every model then takes generated objects with
any JSON value in any field.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any, Dict, List, Type

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from temba_client import _typed
from temba_client.exceptions import TembaSerializationException
from temba_client.serialization import (
    DateField,
    DatetimeField,
    ObjectDictField,
    ObjectField,
    ObjectListField,
    TembaField,
    TembaObject,
    extra_fields,
)
from temba_client.utils import parse_iso8601
from temba_client.v2 import types

from .test_fast_path import PLAIN, fields_of, snapshot

OLD = Path(__file__).resolve().parent / "data" / "rapidpro_python_v2"

#: fixture file: (client method, model)
PAGES = {
    "archives": ("get_archives", types.Archive),
    "boundaries": ("get_boundaries", types.Boundary),
    "broadcasts": ("get_broadcasts", types.Broadcast),
    "campaign_events": ("get_campaign_events", types.CampaignEvent),
    "campaigns": ("get_campaigns", types.Campaign),
    "channel_events": ("get_channel_events", types.ChannelEvent),
    "channels": ("get_channels", types.Channel),
    "classifiers": ("get_classifiers", types.Classifier),
    "contacts": ("get_contacts", types.Contact),
    "fields": ("get_fields", types.Field),
    "flow_starts": ("get_flow_starts", types.FlowStart),
    "flows": ("get_flows", types.Flow),
    "globals": ("get_globals", types.Global),
    "groups": ("get_groups", types.Group),
    "messages": ("get_messages", types.Message),
    "resthook_events": ("get_resthook_events", types.ResthookEvent),
    "runs": ("get_runs", types.Run),
}


def old_page(name: str) -> Dict[str, Any]:
    return json.loads((OLD / ("%s.json" % name)).read_text())


def same_as_sent(obj: Any, sent: Any, where: str) -> None:
    """What rapidpro-python 2.22 read from ``sent``: plain values as they are, datetimes parsed,
    nested objects field by field."""
    if isinstance(obj, TembaObject):
        assert isinstance(sent, dict), where
        declared = {field.src or attr: attr for attr, field in obj._fields.items()}
        for key, value in sent.items():
            if key in declared:
                same_as_sent(getattr(obj, declared[key]), value, "%s.%s" % (where, key))
            elif key != (obj._fields.get("type") and obj._fields["type"].fallback_src):
                assert extra_fields(obj)[key] == value, where
    elif isinstance(obj, datetime.datetime):
        assert obj == parse_iso8601(sent), where
    elif isinstance(obj, list):
        assert isinstance(sent, list) and len(obj) == len(sent), where
        for index, (item, value) in enumerate(zip(obj, sent)):
            same_as_sent(item, value, "%s[%d]" % (where, index))
    elif isinstance(obj, dict):
        assert isinstance(sent, dict) and obj.keys() == sent.keys(), where
        for key in obj:
            same_as_sent(obj[key], sent[key], "%s[%r]" % (where, key))
    else:
        assert obj == sent and type(obj) is type(sent), "%s: %r != %r" % (where, obj, sent)


def gives_back(serialized: Any, sent: Any, where: str) -> None:
    """``serialize()`` gives back every key as sent (datetimes in the server's own form; a key the
    server did not send is there as None, as with rapidpro-python)."""
    if isinstance(sent, dict):
        assert isinstance(serialized, dict), where
        for key in serialized.keys() - sent.keys():  # (an archive's type is filled from archive_type)
            assert serialized[key] in (None, sent.get("archive_type")), "%s.%s" % (where, key)
        for key, value in sent.items():
            gives_back(serialized[key], value, "%s.%s" % (where, key))
    elif isinstance(sent, list):
        assert isinstance(serialized, list) and len(serialized) == len(sent), where
        for index, (a, b) in enumerate(zip(serialized, sent)):
            gives_back(a, b, "%s[%d]" % (where, index))
    elif isinstance(sent, str) and serialized != sent:
        assert parse_iso8601(serialized) == parse_iso8601(sent), where
    else:
        assert serialized == sent and type(serialized) is type(sent), where


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_pages_rapidpro_pythons_tests_read_are_read_whole(stub: Any, client: Any, name: str) -> None:
    method, model = PAGES[name]
    page = old_page(name)
    stub.add_json("GET", name, page)
    objects = getattr(client, method)().all()
    assert [type(obj)._model for obj in objects] == [model] * len(page["results"])
    assert all(isinstance(obj, model) for obj in objects)
    for index, (obj, item) in enumerate(zip(objects, page["results"])):
        same_as_sent(obj, item, "%s[%d]" % (name, index))
        gives_back(obj.serialize(), item, "%s[%d]" % (name, index))


def test_a_broadcast_whose_text_is_a_plain_string(stub: Any, client: Any) -> None:
    # rapidpro-python 2.22's own fixture; this client raised "Value 'Hello' field is not a dict"
    stub.add_json("GET", "broadcasts", old_page("broadcasts"))
    broadcasts = client.get_broadcasts().all()
    assert [b.text for b in broadcasts] == ["Hello", "Goodbye"]
    assert [b.id for b in broadcasts] == [1234, 2345]
    assert broadcasts[0].contacts[0].name == "Joe"
    assert broadcasts[0].serialize()["text"] == "Hello"


def test_a_campaign_event_whose_message_is_a_plain_string(stub: Any, client: Any) -> None:
    stub.add_json("GET", "campaign_events", old_page("campaign_events"))
    events = client.get_campaign_events().all()
    assert [e.message for e in events] == [None, "Don't forget to brush"]


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_typed_decoder_gives_the_same_objects_or_declines(name: str) -> None:
    model = PAGES[name][1]
    decode = _typed.page_decoder(model)
    if decode is None:
        return
    content = (OLD / ("%s.json" % name)).read_bytes()
    typed = decode(content)
    if typed is not None:
        ordinary = model.deserialize_list(json.loads(content)["results"])
        assert [snapshot(obj) for obj in typed.objects] == [snapshot(obj) for obj in ordinary]


# ------------------------------------------------------------------------------------------------
# any JSON value in any field


def every_model() -> List[Type[TembaObject]]:
    """Every model class of ``temba_client.v2.types``, nested ones included."""
    found: List[Type[TembaObject]] = []

    def visit(namespace: Dict[str, Any]) -> None:
        for value in namespace.values():
            model = isinstance(value, type) and issubclass(value, TembaObject)
            if model and value not in found and value.__module__ == types.__name__:
                found.append(value)
                visit(vars(value))

    visit(vars(types))
    return found


MODELS = every_model()


def expected(field: TembaField[Any], value: Any) -> Any:
    """What a model holds for ``value`` (not None): what the field converts it to when it is of the
    declared shape (the field's own ``deserialize``, which checks), else the value as sent."""
    if isinstance(field, ObjectListField):
        if not isinstance(value, list):
            return ("as sent", value)
        return [expected_object(field.item_class, x) if isinstance(x, dict) else ("as sent", x) for x in value]
    if isinstance(field, ObjectDictField):
        if not isinstance(value, dict):
            return ("as sent", value)
        return {
            k: expected_object(field.item_class, x) if isinstance(x, dict) else ("as sent", x) for k, x in value.items()
        }
    if isinstance(field, ObjectField):
        return expected_object(field.item_class, value) if isinstance(value, dict) else ("as sent", value)
    if isinstance(field, (DatetimeField, DateField)):
        try:
            converted = field.deserialize(value)  # ("" is None)
            return None if converted is None else snapshot(converted)
        except TembaSerializationException:
            return ("as sent", value)
    if isinstance(field, types._URNListField) and isinstance(value, list):
        return [expected_object(types.Contact.URN, x) if isinstance(x, dict) else ("as sent", x) for x in value]
    return ("as sent", value)


def expected_object(cls: Type[TembaObject], item: Dict[str, Any]) -> Any:
    result = {}
    for key, field in fields_of(cls).items():
        value = item.get(key)
        if value is None and field.fallback_src:
            value = item.get(field.fallback_src)
        result[key] = None if value is None else expected(field, value)
    return (cls, result)


def held(cls: Type[TembaObject], obj: Any) -> Any:
    """What ``obj`` holds, in the form of :func:`expected_object`."""
    result = {}
    for key, field in fields_of(cls).items():
        attr = next(a for a, f in cls._fields.items() if f is field)
        result[key] = held_value(field, getattr(obj, attr))
    return (type(obj), result)


def held_value(field: TembaField[Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, TembaObject):
        return held(type(value), value)
    listed = isinstance(value, list) and isinstance(field, (ObjectListField, types._URNListField))
    if listed or (isinstance(value, dict) and isinstance(field, ObjectDictField)):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        converted = {k: held(type(x), x) if isinstance(x, TembaObject) else ("as sent", x) for k, x in items}
        return converted if isinstance(value, dict) else list(converted.values())
    if isinstance(value, (datetime.datetime, datetime.date)):
        return snapshot(value)
    return ("as sent", value)


@st.composite
def any_values(draw: Any, cls: Type[TembaObject], depth: int = 0) -> Dict[str, Any]:
    """An object of ``cls`` with every declared key: in each field, either any JSON value or (one
    time in two) a value of the declared shape, nested objects drawn the same way."""
    item: Dict[str, Any] = {}
    for key, field in fields_of(cls).items():
        if isinstance(field, ObjectField) and depth < 2 and draw(st.booleans()):
            child = any_values(field.item_class, depth + 1)
            if isinstance(field, ObjectListField):
                item[key] = draw(st.lists(st.one_of(child, PLAIN), max_size=3))
            elif isinstance(field, ObjectDictField):
                item[key] = draw(st.dictionaries(st.text(max_size=3), st.one_of(child, PLAIN), max_size=3))
            else:
                item[key] = draw(child)
        elif isinstance(field, DatetimeField) and draw(st.booleans()):
            item[key] = draw(
                st.sampled_from(["2016-01-06T15:33:00.813162Z", "2016-01-06T17:33:00+02:00", "2016-01-06"])
            )
        else:
            item[key] = draw(PLAIN)
    return item


@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: cls.__qualname__)
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_json_value_in_any_field_never_loses_the_page(cls: Type[TembaObject], data: Any) -> None:
    check_any_values(cls, data)


@pytest.mark.slow
@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: cls.__qualname__)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_json_value_in_any_field_never_loses_the_page_many_more(cls: Type[TembaObject], data: Any) -> None:
    check_any_values(cls, data)


def check_any_values(cls: Type[TembaObject], data: Any) -> None:
    items = data.draw(st.lists(any_values(cls), min_size=1, max_size=3))
    objects = cls.deserialize_list(items)  # never raises
    assert len(objects) == len(items)
    for obj, item in zip(objects, items):
        assert held(cls, obj) == expected_object(cls, item)
        again = cls.deserialize(obj.serialize())  # and what is kept as sent is given back as sent
        assert held(cls, again) == held(cls, obj)
    if _typed.page_decoder(cls) is not None:  # the fast path: the same objects, or the page declined
        content = json.dumps({"next": None, "results": items}).encode()
        typed = _typed.page_decoder(cls)(content)  # type: ignore[misc]
        if typed is not None:
            assert [snapshot(obj) for obj in typed.objects] == [snapshot(obj) for obj in objects]


def test_every_model_is_covered() -> None:
    names = {cls.__qualname__ for cls in MODELS}
    assert {"Broadcast", "Run", "Run.Value", "Contact.URN", "Statistics", "ChannelCounts", "FlowStart"} <= names
    assert len(MODELS) >= 40

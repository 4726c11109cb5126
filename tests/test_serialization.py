"""Models, fields and the datetime helpers."""

from __future__ import annotations

import datetime
import pickle
from zoneinfo import ZoneInfo

import pytest

from temba_client.exceptions import TembaSerializationException
from temba_client.serialization import (
    BooleanField,
    DatetimeField,
    IntegerField,
    ListField,
    ObjectDictField,
    ObjectField,
    ObjectListField,
    SimpleField,
    TembaObject,
    extra_fields,
)
from temba_client.utils import format_iso8601, parse_iso8601, request

UTC = datetime.timezone.utc


class Careful(dict):
    """A JSON object the generated code cannot take for a plain dict: it takes the careful path."""


class Tag(TembaObject):
    uuid = SimpleField()
    name = SimpleField()


class Item(TembaObject):
    uuid = SimpleField()
    title = SimpleField(src="name")
    active = BooleanField()
    count = IntegerField()
    tags = ListField()
    created_on = DatetimeField()
    owner = ObjectField(item_class=Tag)
    labels = ObjectListField(item_class=Tag)
    by_key = ObjectDictField(item_class=Tag)


class SpecialItem(Item):
    extra = SimpleField()


class Upper(SimpleField):
    def deserialize(self, value):
        return value.upper() if value else value


class Shouting(TembaObject):
    word = Upper()


JSON = {
    "uuid": "i-1",
    "name": "First",
    "active": True,
    "count": 3,
    "tags": ["a", "b"],
    "created_on": "2016-01-06T15:33:00.813162Z",
    "owner": {"uuid": "t-1", "name": "Owner"},
    "labels": [{"uuid": "t-2", "name": "L2"}],
    "by_key": {"k": {"uuid": "t-3", "name": "K"}},
}


def test_deserialize():
    item = Item.deserialize(dict(JSON, unknown="ignored"))
    assert item.uuid == "i-1"
    assert item.title == "First"
    assert item.active is True and item.count == 3 and item.tags == ["a", "b"]
    assert item.created_on == datetime.datetime(2016, 1, 6, 15, 33, 0, 813162, tzinfo=UTC)
    assert isinstance(item.owner, Tag) and item.owner.name == "Owner"
    assert [t.uuid for t in item.labels] == ["t-2"]
    assert item.by_key["k"].name == "K"


def test_serialize_round_trip():
    assert Item.deserialize(JSON).serialize() == JSON


def test_missing_fields_are_none():
    item = Item.deserialize({})
    assert all(getattr(item, name) is None for name in Item._get_fields())
    assert item.serialize()["labels"] is None


def test_create():
    item = Item.create(uuid="x", count=2)
    assert item.uuid == "x" and item.count == 2 and item.title is None
    with pytest.raises(ValueError, match="Class Item has no attribute 'nope'"):
        Item.create(nope=1)


def test_inherited_fields():
    item = SpecialItem.deserialize(dict(JSON, extra=5))
    assert item.extra == 5 and item.uuid == "i-1"
    assert set(SpecialItem._get_fields()) == set(Item._get_fields()) | {"extra"}


def test_instances_take_attributes_of_their_own_and_pickle():
    # TracPro sets attributes on fetched contacts; generic code calls vars() (rapidpro-python 2.22 allowed both)
    item = Item.deserialize(JSON)
    item.group_uuid = "g-1"
    assert item.group_uuid == "g-1"
    assert vars(item)["uuid"] == "i-1" and vars(item)["group_uuid"] == "g-1"
    assert "group_uuid" not in item.serialize()  # only what the server sent is serialized
    copy = pickle.loads(pickle.dumps(item))
    assert copy.serialize() == item.serialize() and copy.group_uuid == "g-1"


def test_keys_the_model_does_not_declare_are_kept_and_given_back():
    newer = dict(JSON, colour="red", **{"text:in": 3, "nested": {"a": [1, 2]}})
    item = Item.deserialize(newer)
    assert item.colour == "red" and getattr(item, "text:in") == 3 and item.nested == {"a": [1, 2]}
    assert extra_fields(item) == {"colour": "red", "text:in": 3, "nested": {"a": [1, 2]}}
    assert "colour" in dir(item)
    assert item.serialize()["colour"] == "red" and item.serialize()["text:in"] == 3
    with pytest.raises(AttributeError, match="'Item' object has no attribute 'flavour'"):
        item.flavour  # noqa: B018
    # an older server: a declared key missing and an undeclared one present, same number of keys
    fewer = {key: value for key, value in JSON.items() if key != "tags"}
    fewer["colour"] = "blue"
    assert Item.deserialize(fewer).colour == "blue"
    assert extra_fields(Item.deserialize(JSON)) == {}


def test_server_key_named_like_a_method_does_not_hide_it():
    item = Tag.deserialize({"uuid": "t", "serialize": "oops", "create": 1})
    assert item.serialize() == {"uuid": "t", "name": None, "serialize": "oops", "create": 1}


def test_generated_deserializer_is_readable_and_in_tracebacks():
    assert "obj.title = get('name')" in Item._deserialize_source
    with pytest.raises(AttributeError) as caught:  # a field class of the caller's own fails
        Shouting.deserialize({"word": 5})
    frames = [frame.name for frame in caught.traceback]
    assert "deserialize" in frames
    assert any("Shouting.deserialize" in str(frame.path) for frame in caught.traceback)


def test_subclass_overriding_deserialize_and_super():
    class Counted(Item):
        @classmethod
        def deserialize(cls, item):
            obj = super().deserialize(item)
            obj.seen = True
            return obj

    items = Counted.deserialize_list([JSON, JSON])
    assert all(type(item) is Counted and item.seen and item.uuid == "i-1" for item in items)

    class Holder(TembaObject):
        counted = ObjectField(item_class=Counted)

    assert Holder.deserialize({"counted": JSON}).counted.seen is True


def test_custom_field_subclass_is_called():
    assert Shouting.deserialize({"word": "hi"}).word == "HI"


def test_repr():
    assert repr(Tag.create(uuid="t", name="N")) == "Tag(uuid='t', name='N')"
    assert "Item(uuid='i-1'" in repr(Item.deserialize(JSON))

    class Bare(TembaObject):
        a = SimpleField()

    assert repr(Bare.create(a=1)) == "Bare(a=1)"


@pytest.mark.parametrize(
    "key, value",
    [
        ("active", "yes"),
        ("count", "3"),
        ("count", 2.5),
        ("tags", "a,b"),
        ("created_on", 12),
        ("created_on", "not a date"),
        ("created_on", "2016-13-06T15:33:00.813162Z"),
        ("created_on", {"at": "noon"}),
        ("owner", "t-1"),
        ("owner", ["t-1"]),
        ("labels", {"uuid": "t"}),
        ("labels", "t-2"),
        ("by_key", ["x"]),
        ("by_key", 7),
    ],
)
def test_a_value_of_another_type_is_kept_as_sent_and_given_back(key, value):
    # rapidpro-python 2.22 raised here for its checked fields, losing the whole page
    sent = dict(JSON, **{key: value})
    attr = "title" if key == "name" else key
    for item in (sent, Careful(sent)):  # both paths of the generated code
        obj = Item.deserialize(item)
        assert getattr(obj, attr) == value and type(getattr(obj, attr)) is type(value)
        assert obj.serialize() == sent
        assert obj.uuid == "i-1" and obj.owner is not None  # the other fields as usual


@pytest.mark.parametrize(
    "key, value, expected",
    [
        ("labels", [{"uuid": "t-2", "name": "L2"}, "t-3", None], ["Tag", "t-3", None]),
        ("by_key", {"k": {"uuid": "t-3", "name": "K"}, "j": "t-4"}, {"k": "Tag", "j": "t-4"}),
    ],
)
def test_nested_items_of_another_type_are_kept_beside_the_objects(key, value, expected):
    sent = dict(JSON, **{key: value})
    for item in (sent, Careful(sent)):
        got = getattr(Item.deserialize(item), key)
        shown = (
            [type(x).__name__ if isinstance(x, TembaObject) else x for x in got]
            if isinstance(got, list)
            else {k: type(x).__name__ if isinstance(x, TembaObject) else x for k, x in got.items()}
        )
        assert shown == expected
        assert Item.deserialize(item).serialize() == sent


def test_fields_on_their_own_still_check_as_rapidpro_python_did():
    with pytest.raises(TembaSerializationException, match="Value 'yes' field is not an boolean"):
        BooleanField().deserialize("yes")
    with pytest.raises(TembaSerializationException, match="Value '3' field is not an integer"):
        IntegerField().deserialize("3")
    with pytest.raises(TembaSerializationException, match="field is not a list"):
        ObjectListField(item_class=Tag).deserialize("x")


def test_not_an_object():
    with pytest.raises(TembaSerializationException, match="Expected a JSON object for Item, got list"):
        Item.deserialize([1])
    with pytest.raises(TembaSerializationException):
        Item.deserialize_list({"a": 1})


def test_values_of_another_type_are_serialized_as_they_are():
    assert Item.create(labels="x").serialize()["labels"] == "x"
    assert Item.create(by_key=["x"]).serialize()["by_key"] == ["x"]
    assert Item.create(owner="t-1", created_on="soon").serialize()["owner"] == "t-1"
    assert Item.create(created_on="soon").serialize()["created_on"] == "soon"


def test_deserialize_list_with_transformer():
    items = Tag.deserialize_list([{"uuid": "a"}], transformer=lambda cls, item: dict(item, name=cls.__name__))
    assert items[0].name == "Tag"


def test_empty_datetime_is_none():
    assert Item.deserialize({"created_on": ""}).created_on is None


# ---------------------------------------------------------------------------------------------
# parse_iso8601 / format_iso8601
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2016-01-06T15:33:00.813162Z", datetime.datetime(2016, 1, 6, 15, 33, 0, 813162, tzinfo=UTC)),
        ("2016-01-06T15:33:00Z", datetime.datetime(2016, 1, 6, 15, 33, tzinfo=UTC)),
        ("2016-01-06T15:33:00.8Z", datetime.datetime(2016, 1, 6, 15, 33, 0, 800000, tzinfo=UTC)),
        ("2016-01-06T15:33:00.813", datetime.datetime(2016, 1, 6, 15, 33, 0, 813000, tzinfo=UTC)),
        ("2016-01-06T17:33:00+02:00", datetime.datetime(2016, 1, 6, 15, 33, tzinfo=UTC)),
        ("2016-01-06T15:33:00.123456789Z", datetime.datetime(2016, 1, 6, 15, 33, 0, 123456, tzinfo=UTC)),
        ("2017-02-20", datetime.datetime(2017, 2, 20, tzinfo=UTC)),
        ("", None),
        (None, None),
    ],
)
def test_parse_iso8601(text, expected):
    parsed = parse_iso8601(text)
    assert parsed == expected
    if parsed is not None:
        assert parsed.utcoffset() == datetime.timedelta(0)


def test_parse_iso8601_rejects_garbage():
    with pytest.raises(ValueError):
        parse_iso8601("yesterday")
    with pytest.raises(ValueError):
        parse_iso8601("2016-13-06T15:33:00.813162Z")  # the fast path falls back, and fails clearly


@pytest.mark.parametrize(
    "value, expected",
    [
        (datetime.datetime(2014, 1, 2, 8, 4, 5, 6, tzinfo=UTC), "2014-01-02T08:04:05.000006Z"),
        (datetime.datetime(2014, 1, 2, 8, 4, 5, 6), "2014-01-02T08:04:05.000006Z"),  # naive is UTC
        (datetime.datetime(2014, 1, 2, 10, 4, 5, tzinfo=ZoneInfo("Africa/Kigali")), "2014-01-02T08:04:05.000000Z"),
        (datetime.date(2014, 1, 2), "2014-01-02T00:00:00.000000Z"),
        (None, None),
    ],
)
def test_format_iso8601(value, expected):
    assert format_iso8601(value) == expected


def test_utils_request_is_kept_for_compatibility(stub):
    from .stub_server import Reply

    stub.add("POST", "echo", Reply(json={"ok": True}))
    response = request("post", stub.endpoint_url("echo"), data={"a": 1})
    assert response.json() == {"ok": True}
    assert stub.last.json == {"a": 1}


def test_shared_strings_are_kept_once():
    class Ref(TembaObject):
        uuid = SimpleField(shared=True)
        name = SimpleField()

    import json

    refs = Ref.deserialize_list(
        json.loads('[{"uuid": "abc-123", "name": "not shared"}, {"uuid": "abc-123", "name": "not shared"}]')
    )
    assert refs[0].uuid is refs[1].uuid  # one string in memory
    assert refs[0].name == refs[1].name and refs[0].name is not refs[1].name
    assert Ref.deserialize({"uuid": 5}).uuid == 5  # only strings are shared

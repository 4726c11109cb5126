"""The objects msgspec builds (``temba_client._typed``, the ``fast`` extra) behave as the model's
ordinary objects for everything code relies on: class, attributes, ``serialize()``, ``repr()``,
attributes of its own, ``vars()``, pickling and copies, identity; and they cost the garbage
collector nothing where they hold only atomic values."""

from __future__ import annotations

import copy
import gc
import json
import pickle
import weakref
from typing import Any, List

import pytest

from temba_client import _typed
from temba_client.serialization import SimpleField, TembaObject, extra_fields
from temba_client.v2 import TembaClient, types

from .test_fast_path import RECORDED, needs_recorded, snapshot

pytestmark = [pytest.mark.skipif(not _typed.AVAILABLE, reason="msgspec is not installed (or is turned off)")]


def both_ways(cls: Any, results: List[Any]) -> Any:
    """The objects msgspec builds from a page of ``results``, and the ordinary ones."""
    page = _typed.page_decoder(cls)(json.dumps({"next": None, "results": results}).encode())  # type: ignore[misc]
    assert page is not None
    return page.objects, cls.deserialize_list(results)


@pytest.fixture
def runs() -> Any:
    if not RECORDED.is_dir():
        pytest.skip("no recorded answers beside the checkout (../shared)")
    return both_ways(types.Run, json.loads((RECORDED / "runs.json").read_text())["json"]["results"])


@needs_recorded
def test_they_are_the_models_objects(runs: Any) -> None:
    typed, ordinary = runs
    for fast, slow in zip(typed, ordinary):
        assert isinstance(fast, types.Run) and type(fast)._model is types.Run
        assert isinstance(fast.contact, types.Run.ContactRef) and isinstance(fast.path[0], types.Run.Step)
        assert snapshot(fast) == snapshot(slow)
        assert fast.serialize() == slow.serialize() and repr(fast) == repr(slow)
        assert extra_fields(fast) == {} and fast.created_on.tzinfo is slow.created_on.tzinfo
        # all but the ABC's internals, copyreg's cache and the hook that reads undeclared keys (they have none)
        left_out = {"__getattr__", "_abc_impl", "__abstractmethods__", "__slotnames__"}
        assert set(dir(slow)) - left_out <= set(dir(fast))


@needs_recorded
def test_attributes_of_their_own_and_vars(runs: Any) -> None:
    run = runs[0][0]
    run.tag = "mine"
    assert run.tag == "mine" and "tag" not in run.serialize()
    attrs = vars(run)
    assert attrs["uuid"] == run.uuid and attrs["tag"] == "mine" and set(types.Run._fields) <= set(attrs)
    attrs["tag"] = "changed"  # written through, as into an ordinary object's __dict__
    attrs.update(other=1)
    del attrs["other"]
    assert run.tag == "changed" and not hasattr(run, "other")
    run.__dict__.update(exit_type="expired")
    assert run.exit_type == "expired"
    assert attrs.setdefault("tag", "x") == "changed" and attrs.pop("tag") == "changed" and not hasattr(run, "tag")
    assert attrs.pop("missing", None) is None


@needs_recorded
def test_pickles_and_copies_as_ordinary_objects(runs: Any) -> None:
    run = runs[0][1]
    run.tag = "mine"
    for other in (pickle.loads(pickle.dumps(run)), copy.copy(run), copy.deepcopy(run)):
        assert type(other) is types.Run  # an ordinary object: unpickles where msgspec is not installed
        assert snapshot(other) == snapshot(run) and other.tag == "mine"
    assert copy.copy(run).path is run.path and copy.deepcopy(run).path is not run.path


@needs_recorded
def test_equality_and_hashing_by_identity_as_ordinary_objects(runs: Any) -> None:
    first, again = runs[0][0], both_ways(types.Run, [runs[1][0].serialize()])[0][0]
    assert first != again and first == first and len({first, again, first}) == 2
    assert snapshot(first) == snapshot(again)


def test_class_methods_of_their_type_make_ordinary_objects() -> None:
    refs, _ = both_ways(types.ObjectRef, [{"uuid": "u", "name": "n"}])
    made = type(refs[0]).deserialize({"uuid": "v", "name": "m"})
    assert type(made) is types.ObjectRef and made.uuid == "v"
    assert type(type(refs[0]).create(uuid="w")) is types.ObjectRef
    assert [type(x) for x in type(refs[0]).deserialize_list([{"uuid": "x"}])] == [types.ObjectRef]


def test_objects_holding_only_atomic_values_are_not_tracked_by_the_garbage_collector() -> None:
    typed, ordinary = both_ways(
        types.Run,
        [{"uuid": "r", "flow": {"uuid": "f", "name": "F"}, "path": [{"node": "n", "time": "2026-01-01T00:00:00Z"}]}],
    )
    run = typed[0]
    assert not gc.is_tracked(run.flow) and not gc.is_tracked(run.path[0])  # the ordinary ones are
    assert gc.is_tracked(ordinary[0].flow) and gc.is_tracked(ordinary[0].path[0])
    assert gc.is_tracked(run)  # it holds a list


def test_a_cycle_made_through_their_attributes_is_still_collected() -> None:
    refs, _ = both_ways(types.ObjectRef, [{"uuid": "u", "name": "n"}])
    ref = refs[0]
    assert not gc.is_tracked(ref)
    ref.me = [ref]  # a container: the object is tracked from now on
    assert gc.is_tracked(ref)
    gone = weakref.ref(ref)
    del ref, refs
    gc.collect()
    assert gone() is None


def test_subclasses_of_the_callers_own() -> None:
    class MyContact(types.Contact):
        def first_urn(self) -> Any:
            return self.urns[0] if self.urns else None

    class Guarded(types.Contact):
        def __setattr__(self, name: str, value: Any) -> None:
            object.__setattr__(self, name, value)

    contacts, _ = both_ways(MyContact, [{"uuid": "c", "urns": ["tel:+250788000001"]}])
    assert isinstance(contacts[0], MyContact) and contacts[0].first_urn() == "tel:+250788000001"
    assert _typed.page_decoder(Guarded) is None  # it handles its attributes itself: the ordinary way


def test_a_model_with_a_field_class_of_the_callers_own_takes_the_ordinary_way() -> None:
    class Upper(SimpleField):
        def deserialize(self, value: Any) -> Any:
            return value.upper()

    class Shouting(TembaObject):
        word = Upper()

    class Holder(TembaObject):
        shouting = SimpleField()

    assert _typed.page_decoder(Shouting) is None and _typed.struct_of(Shouting) is None
    assert _typed.struct_of(Holder) is not None


def test_a_transformer_takes_the_ordinary_way(rapidpro_server: Any) -> None:
    seen: List[str] = []

    def transformer(cls: Any, item: Any) -> Any:
        seen.append(cls.__name__)
        return item

    with TembaClient(rapidpro_server.url, rapidpro_server.token, transformer=transformer) as client:
        contacts = client.get_contacts().all()
        plain = TembaClient(rapidpro_server.url, rapidpro_server.token).get_contacts().all()
    assert contacts and seen == ["Contact"] * len(contacts)
    assert {type(c) for c in contacts} == {types.Contact}
    assert {type(c)._model for c in plain} == {types.Contact} and {type(c) for c in plain} != {types.Contact}


# Objects only ever nested in others (references, path steps, result values...): slim Structs
# outside the garbage collector, which take no attributes of the caller's own (the lead's trade).

#: every model class of the library whose objects are only ever a field of another object
NESTED = [
    types.ObjectRef, types.FieldRef, types.UserRef, types.QuickReply, types.Progress, types.Boundary.BoundaryRef,
    types.Boundary.Geometry, types.Channel.Device, types.Contact.URN, types.Contact.Note, types.Field.Usages,
    types.Flow.Runs, types.Flow.FlowResult, types.Message.AttachmentRef, types.Org.Credits, types.Run.ContactRef,
    types.Run.StartRef, types.Run.Step, types.Run.Value, types.ChannelCounts, types.Template.Translation,
    types.Topic.Counts,
]  # fmt: skip


def test_which_classes_are_only_ever_nested() -> None:
    from temba_client import _structs  # (only where msgspec is installed)

    declared = {
        klass
        for klass in vars(types).values()
        if isinstance(klass, type) and issubclass(klass, TembaObject) and klass.__module__ == types.__name__
    }
    declared |= {inner for klass in list(declared) for inner in vars(klass).values() if isinstance(inner, type)
                 and issubclass(inner, TembaObject)}  # fmt: skip
    assert {klass for klass in declared if _structs.nested_only(klass)} == set(NESTED)
    assert not _structs.nested_only(types.Contact) and not _structs.nested_only(types.Org)  # (Workspace's base)

    class MyRef(types.ObjectRef):
        pass

    assert not _structs.nested_only(MyRef)  # a class of the caller's own keeps an instance dict


@needs_recorded
def test_nested_objects_are_the_models_and_take_no_attributes_of_their_own(runs: Any) -> None:
    run = next(run for run in runs[0] if run.values and run.path)
    value = next(iter(run.values.values()))
    pairs = [(run.flow, types.ObjectRef), (run.contact, types.Run.ContactRef), (run.path[0], types.Run.Step)]
    for nested, model in [*pairs, (value, types.Run.Value)]:
        assert isinstance(nested, model) and isinstance(nested, TembaObject) and type(nested)._model is model
        assert issubclass(type(nested), model) and type(nested).__name__ == model.__name__
        before = snapshot(nested)
        with pytest.raises(AttributeError, match="object has no attribute 'tag'"):
            nested.tag = "mine"
        with pytest.raises(AttributeError, match="object has no attribute 'tag'"):
            vars(nested)["tag"] = "mine"  # vars() writes through, and so refuses the same
        assert snapshot(nested) == before and not hasattr(nested, "tag")
        field = next(iter(model._fields))
        setattr(nested, field, "changed")  # its fields are set as on any object
        assert getattr(nested, field) == "changed" and vars(nested)[field] == "changed"
        vars(nested)[field] = "again"
        assert getattr(nested, field) == "again" and nested.serialize()[field] == "again"
        for other in (pickle.loads(pickle.dumps(nested)), copy.copy(nested), copy.deepcopy(nested)):
            assert type(other) is model and snapshot(other) == snapshot(nested)
            other.tag = "mine"  # an ordinary object again
        with pytest.raises(AttributeError, match="object has no attribute 'missing'"):
            nested.missing  # noqa: B018 - the message an ordinary object gives
    run.tag = "mine"  # the object the query returned still takes them
    assert run.tag == "mine" and vars(run)["tag"] == "mine"


def test_nested_objects_cost_the_garbage_collector_nothing() -> None:
    """They are not tracked, and are not even counted towards the collector's next collection:
    a page of runs allocates about one tracked object per run (the run itself) instead of
    one per step, reference and value besides."""
    runs = [
        {
            "uuid": "r%d" % n,
            "flow": {"uuid": "f", "name": "F"},
            "contact": {"uuid": "c%d" % n, "name": "C", "urn": "tel:+1", "urn_display": "1"},
            "path": [{"node": "n%d" % k, "time": "2026-01-01T00:00:00.000001Z"} for k in range(6)],
            "values": {"v": {"name": "V", "value": "x", "category": "X", "node": "n", "time": None, "input": "x"}},
        }
        for n in range(200)
    ]
    content = json.dumps({"next": None, "results": runs}).encode()
    decode = _typed.page_decoder(types.Run)
    assert decode is not None
    decode(content)  # (classes made, caches warm)
    gc.collect()
    gc.disable()
    try:
        before = gc.get_count()[0]
        page = decode(content)
        allocated = gc.get_count()[0] - before
    finally:
        gc.enable()
    assert page is not None and len(page.objects) == 200
    assert allocated < 4 * 200  # the run, its path list and values dict: 10 per run before
    run = page.objects[0]
    assert not any(gc.is_tracked(obj) for obj in (run.flow, run.contact, *run.path, *run.values.values()))


def test_a_cycle_through_a_nested_object_that_holds_containers_is_collected() -> None:
    boundaries, _ = both_ways(types.Boundary, [{"osm_id": "1", "geometry": {"type": "Point", "coordinates": [1, 2]}}])
    geometry = boundaries[0].geometry
    assert isinstance(geometry, types.Boundary.Geometry)
    geometry.coordinates.append(geometry)  # a cycle through a list it holds: it stays in the collector's sight
    gone = weakref.ref(boundaries[0])
    del geometry, boundaries
    gc.collect()
    assert gone() is None

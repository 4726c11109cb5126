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
        # all but the ABC's internals and the hook that reads undeclared keys (they have none)
        assert set(dir(slow)) - {"__getattr__", "_abc_impl", "__abstractmethods__"} <= set(dir(fast))


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

"""Pages decoded with msgspec (``temba_client._typed``, the ``fast`` extra) give exactly what
``json.loads`` and ``deserialize_list`` give, or hand the page back to that ordinary way.

Every case decodes the same bytes both ways and compares the objects attribute by attribute (types,
values, time zones, kept keys). Where the ordinary way raises, the typed decoder must decline.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Type

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from temba_client import _typed
from temba_client.serialization import (
    BooleanField,
    DateField,
    DatetimeField,
    DictField,
    IntegerField,
    ListField,
    ObjectDictField,
    ObjectField,
    ObjectListField,
    SimpleField,
    TembaObject,
)
from temba_client.v2 import TembaClient, types

from .test_fast_path import MODELS, RECORDED, fields_of, json_object, needs_recorded, snapshot

pytestmark = pytest.mark.skipif(not _typed.AVAILABLE, reason="msgspec is not installed (or is turned off)")

ROOT = Path(__file__).resolve().parents[1]


def ordinary(cls: Type[TembaObject], content: bytes) -> Any:
    try:
        page = json.loads(content)
        return ("objects", [snapshot(obj) for obj in cls.deserialize_list(page["results"])], page.get("next"))
    except Exception as error:  # the error itself is what is compared
        return ("error", type(error))


def assert_typed_is_exact(cls: Type[TembaObject], content: bytes) -> bool:
    """Checks the typed decoder against the ordinary way; returns whether it decoded the page."""
    decode = _typed.page_decoder(cls)
    assert decode is not None
    typed = decode(content)
    expected = ordinary(cls, content)
    if typed is None:
        return False
    assert expected[0] == "objects", "the typed decoder decoded a page the ordinary way refuses"
    assert ("objects", [snapshot(obj) for obj in typed.objects], typed.next) == expected
    return True


#: datetimes in the server's form
SERVER_DATETIMES = st.datetimes(
    min_value=datetime.datetime(1000, 1, 1), max_value=datetime.datetime(9999, 12, 31), timezones=st.none()
).map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
TEXT = st.one_of(st.none(), st.text(max_size=5), st.sampled_from(["active", "eng"]))


@st.composite
def valid_object(draw: Any, cls: Type[TembaObject], depth: int = 0) -> Any:
    """An object for ``cls`` with the declared keys (those the server may leave out, maybe not) and
    values of the declared JSON types: what a server sends, which the typed decoder must decode."""
    item = {}
    for key, field in fields_of(cls).items():
        if field.omit_none and draw(st.booleans()):
            continue
        if isinstance(field, ObjectListField):
            value = st.lists(valid_object(field.item_class, depth + 1), max_size=2) if depth < 2 else st.none()
        elif isinstance(field, ObjectDictField):
            value = st.dictionaries(st.text(max_size=3), valid_object(field.item_class, depth + 1), max_size=2)
        elif isinstance(field, ObjectField):
            value = valid_object(field.item_class, depth + 1) if depth < 2 else st.none()
        elif isinstance(field, DatetimeField):
            value = SERVER_DATETIMES
        elif isinstance(field, DateField):
            value = st.dates(min_value=datetime.date(1000, 1, 1)).map(datetime.date.isoformat)
        elif isinstance(field, BooleanField):
            value = st.booleans()
        elif isinstance(field, IntegerField):
            value = st.integers(min_value=-(2**63), max_value=2**63)
        elif isinstance(field, ListField):
            value = st.lists(st.text(max_size=4), max_size=2)
        elif isinstance(field, DictField):
            value = st.dictionaries(st.text(max_size=4), TEXT, max_size=2)
        else:
            value = TEXT
        item[key] = draw(st.one_of(st.none(), value) if not isinstance(field, ObjectDictField) else value)
    return item


@pytest.mark.parametrize("cls", [m for m in MODELS if m is not types.Archive], ids=lambda cls: cls.__name__)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_what_a_server_sends_is_decoded_typed_and_exact(cls: Type[TembaObject], data: Any) -> None:
    results = data.draw(st.lists(valid_object(cls), max_size=3))
    content = json.dumps({"next": None, "results": results}).encode()
    decoded = assert_typed_is_exact(cls, content)
    assert decoded, "declined a well-formed page"


@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: cls.__name__)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_typed_pages_are_exact_or_declined(cls: Type[TembaObject], data: Any) -> None:
    results = data.draw(st.lists(json_object(cls), max_size=3))
    next_link = data.draw(st.sampled_from([None, "https://x/api/v2/a.json?cursor=b", 3]))
    content = json.dumps({"next": next_link, "previous": None, "results": results}).encode()
    if _typed.page_decoder(cls) is None:
        assert cls is types.Archive  # the one with a fallback_src
        return
    assert_typed_is_exact(cls, content)


@pytest.mark.slow
@pytest.mark.parametrize("cls", [types.Contact, types.Message, types.Run], ids=lambda cls: cls.__name__)
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_typed_pages_are_exact_or_declined_many_more(cls: Type[TembaObject], data: Any) -> None:
    results = data.draw(st.lists(json_object(cls), max_size=4))
    assert_typed_is_exact(cls, json.dumps({"next": None, "results": results}).encode())


@needs_recorded
@pytest.mark.parametrize("name, cls", [("contacts", types.Contact), ("messages", types.Message), ("runs", types.Run)])
def test_recorded_pages_are_decoded_typed(name: str, cls: Type[TembaObject]) -> None:
    content = json.dumps(json.loads((RECORDED / ("%s.json" % name)).read_text())["json"]).encode()
    assert assert_typed_is_exact(cls, content)


@pytest.mark.parametrize(
    "content",
    [
        b'{"next": null, "results": [{"uuid": "a", "name": "b", "color": "red"}]}',  # an undeclared key
        b'{"next": null, "results": [{"uuid": NaN}]}',  # NaN: the standard library reads it
        b'{"next": null, "results": [{"uuid": "\\ud800"}]}',  # a lone surrogate: likewise
        b'{"next": null, "results": [{"uuid": 1e400}]}',  # out of range: inf for the standard library
        b'{"next": null, "results": {"uuid": "a"}}',  # not a list: the ordinary way raises
        b'{"next": null}',
        b"[]",
        b"not json",
    ],
)
def test_what_msgspec_does_not_decode_exactly_goes_the_ordinary_way(content: bytes) -> None:
    assert _typed.page_decoder(types.ObjectRef)(content) is None  # type: ignore[misc]


@pytest.mark.parametrize(
    "moment, expected",
    [
        ("2016-01-06T15:33:00.813162Z", datetime.datetime(2016, 1, 6, 15, 33, 0, 813162)),
        ("2016-01-06T15:33:00Z", datetime.datetime(2016, 1, 6, 15, 33)),
        ("2016-01-06T15:33:00.8+00:00", datetime.datetime(2016, 1, 6, 15, 33, 0, 800000)),
        ("2016-01-06T15:33:00-00:00", datetime.datetime(2016, 1, 6, 15, 33)),
        # msgspec's own parsing would round to …123457 and …000000 of the next second: truncated
        ("2016-01-06T15:33:00.1234567Z", datetime.datetime(2016, 1, 6, 15, 33, 0, 123456)),
        ("2016-01-06T15:33:00.9999999Z", datetime.datetime(2016, 1, 6, 15, 33, 0, 999999)),
        # msgspec's own parsing would keep the offset: in UTC
        ("2016-01-06T17:33:00.5+02:00", datetime.datetime(2016, 1, 6, 15, 33, 0, 500000)),
        ("2016-01-06T17:33:00-0330", datetime.datetime(2016, 1, 6, 21, 3)),
        ("2016-01-06T15:33:00", datetime.datetime(2016, 1, 6, 15, 33)),  # naive: UTC
        ("2016-01-06", datetime.datetime(2016, 1, 6)),
        ("yesterday", "yesterday"),  # kept as sent, as the ordinary way keeps it
    ],
)
def test_datetimes_are_decoded_as_the_ordinary_way_decodes_them(moment: str, expected: Any) -> None:
    content = json.dumps({"next": None, "results": [{"node": "n", "time": moment}]}).encode()
    assert assert_typed_is_exact(types.Run.Step, content)
    page = _typed.page_decoder(types.Run.Step)(content)  # type: ignore[misc]
    time = page.objects[0].time  # type: ignore[union-attr]
    if isinstance(expected, datetime.datetime):
        assert time == expected.replace(tzinfo=datetime.timezone.utc) and time.tzinfo is datetime.timezone.utc
    else:
        assert time == expected


@settings(max_examples=200, deadline=None)
@given(
    moment=st.datetimes(
        timezones=st.sampled_from([datetime.timezone.utc, datetime.timezone(datetime.timedelta(hours=-3))])
    ),
    form=st.sampled_from(
        ["%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S.%f0"]
    ),
    offset=st.sampled_from(["Z", "z", "+00:00", "-00:00", "%z", ""]),
)
def test_datetimes_in_many_forms(moment: datetime.datetime, form: str, offset: str) -> None:
    text = moment.strftime(form + offset)
    assert_typed_is_exact(types.Run.Step, json.dumps({"next": None, "results": [{"time": text}]}).encode())


def test_models_that_decode_their_own_way_have_no_typed_decoder() -> None:
    class Own(TembaObject):
        a = SimpleField()

        @classmethod
        def deserialize(cls, item: Any) -> Any:
            return super().deserialize(item)

    class Holder(TembaObject):
        own = SimpleField()

    assert _typed.page_decoder(Own) is None
    assert _typed.page_decoder(types.Archive) is None  # a field with a fallback_src
    assert _typed.page_decoder(Holder) is not None
    assert _typed.struct_of(Holder) is not None


@pytest.mark.parametrize(
    "endpoint, cls", [("contacts", types.Contact), ("messages", types.Message), ("runs", types.Run)]
)
def test_the_client_decodes_pages_typed_over_http(rapidpro_server: Any, endpoint: str, cls: Any) -> None:
    with TembaClient(rapidpro_server.url, rapidpro_server.token) as client:
        fetched = getattr(client, "get_" + endpoint)().all()
        answer = client.session.get(
            "%s/%s.json" % (rapidpro_server.api_url, endpoint),
            headers={"Authorization": "Token %s" % rapidpro_server.token},
        )
    assert fetched and answer.json()["next"] is None  # one page: compared whole
    assert assert_typed_is_exact(cls, answer.content)
    assert [snapshot(obj) for obj in fetched] == ordinary(cls, answer.content)[1]


@pytest.mark.slow
def test_the_quick_suite_passes_with_msgspec_turned_off() -> None:
    env = dict(os.environ, TEMBA_CLIENT_NO_MSGSPEC="1")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-m", "not slow", "-p", "no:cacheprovider", "-x", "tests"],
        cwd=str(ROOT),
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert " passed" in done.stdout


def message_page(status: str) -> bytes:
    """A page of two messages with this status (the recorded shape)."""
    base = {"uuid": "m", "direction": "in", "type": "text", "status": status, "visibility": "visible"}
    return json.dumps({"next": None, "results": [dict(base, id=1), dict(base, id=2)]}).encode()


def test_known_values_are_decoded_as_the_vocabularys_own_strings() -> None:
    """Values of a field's vocabulary cost no sharing per object: msgspec gives the vocabulary's
    own string objects; the objects are what the ordinary way makes all the same."""
    from temba_client import _structs  # (only where msgspec is installed)

    decode = _typed._make_page_decoder(types.Message)  # (a decoder of its own: it learns from misses)
    assert decode is not None
    content = message_page("handled")
    page = decode(content)
    assert page is not None and assert_typed_is_exact(types.Message, content)
    assert {type(message) for message in page.objects} == {_structs.struct(types.Message, True)}
    vocabulary = types.Message._fields["status"].vocabulary  # type: ignore[attr-defined]
    assert all(message.status is vocabulary[vocabulary.index("handled")] for message in page.objects)


def test_a_value_outside_the_vocabulary_is_decoded_typed_all_the_same() -> None:
    from temba_client import _structs  # (only where msgspec is installed)

    decode = _typed._make_page_decoder(types.Message)
    assert decode is not None
    literal, plain = _structs.struct(types.Message, True), _structs.struct(types.Message, False)
    assert literal is not plain
    content = message_page("snoozed")  # a newer server's status
    page = decode(content)
    assert page is not None and [message.status for message in page.objects] == ["snoozed"] * 2
    assert type(page.objects[0]) is plain and page.objects[0].status is page.objects[1].status  # kept once
    assert assert_typed_is_exact(types.Message, content)
    for _ in range(_typed.SKIP_AFTER_MISS):  # the next pages skip the vocabularies (no failed attempt each)
        page = decode(message_page("handled"))
        assert page is not None and page.objects[0].status == "handled" and type(page.objects[0]) is plain
    page = decode(message_page("handled"))  # then they are tried again
    assert page is not None and type(page.objects[0]) is literal

"""Media uploads, and the checks made before any request is sent."""

from __future__ import annotations

import email
import io

import pytest

from temba_client.exceptions import TembaBadRequestError, TembaValidationError
from temba_client.v2 import types as t

from .stub_server import Reply

MEDIA = {"uuid": "m-1", "content_type": "image/png", "url": "https://x/m-1.png", "filename": "pic.png", "size": 4}


def multipart_file(request):
    """The single part of a multipart/form-data body: (name, filename, content type, bytes)."""
    raw = b"Content-Type: " + request.headers["Content-Type"].encode() + b"\r\n\r\n" + request.body
    message = email.message_from_bytes(raw)
    parts = message.get_payload()
    assert len(parts) == 1
    part = parts[0]
    return (
        part.get_param("name", header="content-disposition"),
        part.get_filename(),
        part.get_content_type(),
        (part.get_payload(decode=True)),
    )


def test_upload_from_a_path(stub, client, tmp_path):
    path = tmp_path / "pic.png"
    path.write_bytes(b"\x89PNG")
    stub.add_json("POST", "media", MEDIA, status=201)
    media = client.create_media(str(path))
    assert isinstance(media, t.Media) and media.uuid == "m-1" and media.size == 4
    assert multipart_file(stub.last) == ("file", "pic.png", "image/png", b"\x89PNG")
    assert stub.last.headers["Content-Type"].startswith("multipart/form-data; boundary=")


def test_upload_bytes_and_file_objects(stub, client, tmp_path):
    stub.add_json("POST", "media", MEDIA, status=201)
    client.create_media(b"%PDF-1.4", filename="report.pdf")
    assert multipart_file(stub.last) == ("file", "report.pdf", "application/pdf", b"%PDF-1.4")

    client.create_media(io.BytesIO(b"abc"), content_type="audio/mp4")
    assert multipart_file(stub.last) == ("file", "upload", "audio/mp4", b"abc")

    path = tmp_path / "clip.mp4"
    path.write_bytes(b"mp4")
    with open(path, "rb") as handle:
        client.create_media(handle)
    assert multipart_file(stub.last) == ("file", "clip.mp4", "video/mp4", b"mp4")


def test_upload_checks(stub, client):
    with pytest.raises(TypeError):
        client.create_media(12345)
    with pytest.raises(TypeError, match="binary mode"):
        client.create_media(io.StringIO("text"))
    # found by the fuzz test: a non-string name or type failed inside urllib3 with an AttributeError
    with pytest.raises(TypeError, match="^filename must be a string, not bool$"):
        client.create_media(b"", True, True)
    for kwargs in ({"filename": b"x.png"}, {"content_type": True}, {"filename": True, "content_type": "image/png"}):
        with pytest.raises(TypeError, match="^%s must be a string, not " % next(iter(kwargs))):
            client.create_media(b"", **kwargs)
    assert stub.requests == []


def test_upload_rejected_by_the_server(stub, client):
    from temba_client.exceptions import TembaBadRequestError

    stub.add_json("POST", "media", {"file": ["Unsupported file type."]}, status=400)
    with pytest.raises(TembaBadRequestError, match="Unsupported file type."):
        client.create_media(b"MZ", filename="x.exe")


URNS_101 = ["tel:+%d" % n for n in range(101)]
MAX_100 = "Ensure this field has no more than 100 elements."
REQUIRED = "This field is required."


# A refusal before sending says what RapidPro 26.3 says for the same request (its serializers and
# views), and its errors are shaped as the server's 400 body would be.
@pytest.mark.parametrize(
    "call, errors",
    [
        (lambda c: c.create_broadcast("Hi", urns=URNS_101), {"urns": [MAX_100]}),
        (lambda c: c.create_broadcast("Hi", contacts=URNS_101), {"contacts": [MAX_100]}),
        (lambda c: c.create_broadcast("Hi", groups=URNS_101), {"groups": [MAX_100]}),
        (
            lambda c: c.create_broadcast("Hi", urns=["tel:+1"], attachments=["m"] * 11),
            {"attachments": ["Ensure this field has no more than 10 elements."]},
        ),
        (
            lambda c: c.create_broadcast(urns=["tel:+1"]),
            {"non_field_errors": ["Must provide either text or attachments."]},
        ),
        (lambda c: c.create_broadcast("Hi"), {"non_field_errors": ["Must provide either urns, contacts or groups."]}),
        (lambda c: c.create_flow_start("f", urns=URNS_101), {"urns": [MAX_100]}),
        (
            lambda c: c.create_flow_start("f"),
            {"non_field_errors": ["Must specify at least one group, contact or URN"]},
        ),
        (lambda c: c.create_flow_start(None, urns=["tel:+1"]), {"flow": [REQUIRED]}),
        (lambda c: c.create_contact(urns=URNS_101), {"urns": [MAX_100]}),
        (lambda c: c.create_message("c-1"), {"non_field_errors": ["Must provide either text or attachments."]}),
        (
            lambda c: c.create_campaign_event("cp", "edd", 1, "days", -1),
            {"non_field_errors": ["Flow or a message text required."]},
        ),
        (
            lambda c: c.create_campaign_event("cp", "edd", 1, "days", -1, "Hi", "f-1"),
            {"non_field_errors": ["Flow or a message text required."]},
        ),
        (
            lambda c: c.update_campaign_event("e", "edd", 1, "days", -1, "Hi", "f-1"),
            {"non_field_errors": ["Flow or a message text required."]},
        ),
        (lambda c: c.create_group(None), {"name": [REQUIRED]}),
        (lambda c: c.bulk_block_contacts(URNS_101), {"contacts": [MAX_100]}),
        (
            lambda c: c.bulk_add_contacts(["c-1"], None),
            {"non_field_errors": ['For action "add" you should also specify a group']},
        ),
        (lambda c: c.bulk_archive_messages(list(range(101))), {"messages": [MAX_100]}),
        (
            lambda c: c.bulk_label_messages([1]),
            {"non_field_errors": ['For action "label" you should also specify a label']},
        ),
        (
            lambda c: c.bulk_label_messages([1], label="A", label_name="B"),
            {"non_field_errors": ["Can't specify both label and label_name."]},
        ),
        (lambda c: c.bulk_close_tickets(URNS_101), {"tickets": [MAX_100]}),
        (
            lambda c: c.bulk_add_ticket_note(["t"], None),
            {"non_field_errors": ['For action "add_note" you must specify the note']},
        ),
        (
            lambda c: c.bulk_change_ticket_topic(["t"], None),
            {"non_field_errors": ['For action "change_topic" you must specify the topic']},
        ),
        # rapidpro-python 2.22 refused these itself, with this ValueError
        (lambda c: c.update_contact(None, name="X"), {"detail": "Endpoint requires a single identifier parameter"}),
        (lambda c: c.delete_group(""), {"detail": "Endpoint requires a single identifier parameter"}),
        (
            lambda c: c.get_messages(folder="inbox", contact="c-1"),
            {"detail": "You may only specify one of the contact, folder, label, broadcast parameters"},
        ),
        (
            lambda c: c.get_runs(flow="f", contact="c"),
            {"detail": "You may only specify one of the contact, flow parameters"},
        ),
        (
            lambda c: c.get_groups(uuid="g", name="G"),
            {"detail": "You may only specify one of the uuid, name parameters"},
        ),
        (
            lambda c: c.get_archives(type="run", archive_type="run"),
            {"detail": "You may only specify one of the type, archive_type parameters"},
        ),
        (
            lambda c: c.create_media(b"x" * (25 * 1024 * 1024 + 1), filename="big.bin"),
            {"file": ["Limit for file uploads is 25.0 MB."]},
        ),
    ],
)
def test_refusals_before_sending_use_the_servers_words(stub, client, call, errors):
    with pytest.raises(TembaValidationError) as info:
        call(client)
    assert info.value.errors == errors
    (message,) = [value if isinstance(value, str) else value[0] for value in errors.values()]
    assert str(info.value) == message
    assert isinstance(info.value, ValueError) and isinstance(info.value, TembaBadRequestError)
    assert stub.requests == []


def test_an_object_without_identifier_is_refused(stub, client):
    with pytest.raises(ValueError, match="no identifier"):
        client.bulk_label_messages([t.Message.create()], label="A")
    assert stub.requests == []


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.get_contacts(group=object()),
        lambda c: c.create_contact(fields={"when": object()}),
        lambda c: c.get_contacts(after=1.5j),
    ],
)
def test_type_errors_before_any_request(stub, client, call):
    with pytest.raises(TypeError, match="cannot send"):
        call(client)
    assert stub.requests == []


def test_model_objects_and_datetimes_in_bodies(stub, client):
    import datetime

    stub.add("POST", "contacts", Reply(json={"uuid": "c-1"}))
    when = datetime.datetime(2020, 5, 1, 12, 0, tzinfo=datetime.timezone.utc)
    client.create_contact(fields={"joined": when}, groups={t.Group.create(uuid="g-1")})
    assert stub.last.json == {"fields": {"joined": "2020-05-01T12:00:00.000000Z"}, "groups": ["g-1"]}

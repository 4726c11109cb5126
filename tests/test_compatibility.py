"""rapidpro-python 2.22 code runs unchanged: its public names and signatures, and its usage guide."""

from __future__ import annotations

import inspect

import pytest

import temba_client.base
import temba_client.exceptions
import temba_client.serialization
import temba_client.utils
import temba_client.v2.types
from temba_client.v2 import TembaClient

from .stub_server import page

# rapidpro-python 2.22.2's methods and their parameters, in order (the contract's section 4)
SIGNATURES_2_22 = {
    "bulk_add_contacts": "contacts, group",
    "bulk_archive_contact_messages": "contacts",
    "bulk_archive_messages": "messages",
    "bulk_block_contacts": "contacts",
    "bulk_delete_contacts": "contacts",
    "bulk_delete_messages": "messages",
    "bulk_interrupt_contacts": "contacts",
    "bulk_label_messages": "messages, label=None, label_name=None",
    "bulk_remove_contacts": "contacts, group",
    "bulk_restore_messages": "messages",
    "bulk_unblock_contacts": "contacts",
    "bulk_unlabel_messages": "messages, label=None, label_name=None",
    "create_broadcast": "text, urns=None, contacts=None, groups=None",
    "create_campaign": "name, group",
    "create_campaign_event": "campaign, relative_to, offset, unit, delivery_hour, message=None, flow=None",
    "create_contact": "name=None, language=None, urns=None, fields=None, groups=None",
    "create_field": "name, type",
    "create_flow_start": "flow, urns=None, contacts=None, groups=None, restart_participants=None, "
    "exclude_active=None, params=None",
    "create_global": "name, value",
    "create_group": "name",
    "create_label": "name",
    "create_message": "contact, text, attachments, quick_replies=[]",
    "create_resthook_subscriber": "resthook, target_url",
    "delete_campaign_event": "event",
    "delete_contact": "contact",
    "delete_group": "group",
    "delete_label": "label",
    "delete_resthook_subscriber": "subscriber",
    "get_archives": "type=None, period=None, before=None, after=None",
    "get_boundaries": "geometry=None",
    "get_broadcasts": "uuid=None, before=None, after=None",
    "get_campaign_events": "uuid=None, campaign=None",
    "get_campaigns": "uuid=None",
    "get_channels": "uuid=None, address=None",
    "get_classifiers": "uuid=None",
    "get_contacts": "uuid=None, urn=None, group=None, deleted=None, before=None, after=None, reverse=None",
    "get_definitions": "flows=(), campaigns=(), dependencies=None",
    "get_fields": "key=None",
    "get_flow_starts": "uuid=None",
    "get_flows": "uuid=None, type=None, archived=None",
    "get_globals": "key=None",
    "get_groups": "uuid=None, name=None",
    "get_labels": "uuid=None, name=None",
    "get_messages": "uuid=None, folder=None, before=None, after=None",
    "get_org": "retry_on_rate_exceed=False",
    "get_resthook_events": "resthook=None",
    "get_resthook_subscribers": "id=None, resthook=None",
    "get_resthooks": "",
    "get_runs": "uuid=None, flow=None, responded=None, before=None, after=None, reverse=None, paths=None",
    "update_campaign": "campaign, name, group",
    "update_campaign_event": "event, relative_to, offset, unit, delivery_hour, message=None, flow=None",
    "update_contact": "contact, name=None, language=None, urns=None, fields=None, groups=None",
    "update_field": "field, name, type",
    "update_global": "glbl, value",
    "update_group": "group, name",
    "update_label": "label, name",
}


def parse(signature: str):
    params = []
    for part in filter(None, (p.strip() for p in signature.split(","))):
        name, _, default = part.partition("=")
        params.append((name, default or None))
    return params


@pytest.mark.parametrize("name", sorted(SIGNATURES_2_22))
def test_old_calls_still_bind(name):
    """Every old parameter is still there, in the same position, and never newly required."""
    params = list(inspect.signature(getattr(TembaClient, name)).parameters.values())[1:]  # after self
    for position, (old_name, old_default) in enumerate(parse(SIGNATURES_2_22[name])):
        param = params[position]
        assert param.name == old_name, "%s: parameter %d is %s, was %s" % (name, position, param.name, old_name)
        assert param.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        if old_default is not None:
            assert param.default is not inspect.Parameter.empty, "%s: %s became required" % (name, old_name)
    for param in params[len(parse(SIGNATURES_2_22[name])) :]:
        assert param.default is not inspect.Parameter.empty, "%s: new parameter %s is required" % (name, param.name)


def test_constructor_signature():
    params = list(inspect.signature(TembaClient).parameters)
    assert params[:5] == ["host", "token", "user_agent", "verify_ssl", "transformer"]


@pytest.mark.parametrize(
    "module, names",
    [
        (temba_client.exceptions, "TembaBadRequestError TembaConnectionError TembaException TembaHttpError "
         "TembaNoSuchObjectError TembaRateExceededError TembaSerializationException TembaTokenError"),
        (temba_client.serialization, "BooleanField DatetimeField IntegerField ListField ObjectDictField ObjectField "
         "ObjectListField SimpleField TembaField TembaObject"),
        (temba_client.utils, "parse_iso8601 format_iso8601 request"),
        (temba_client.base, "BaseClient BaseCursorClient CursorIterator CursorQuery"),
        (temba_client.v2.types, "Archive Boundary Broadcast Campaign CampaignEvent Channel Classifier Contact Export "
         "Field FieldRef Flow FlowStart Global Group Label Message ObjectRef Org Resthook ResthookEvent "
         "ResthookSubscriber Run"),
    ],
)  # fmt: skip
def test_public_names(module, names):
    for name in names.split():
        assert hasattr(module, name), "%s.%s is missing" % (module.__name__, name)


def test_nested_type_names():
    t = temba_client.v2.types
    for owner, nested in [
        (t.Boundary, "BoundaryRef Geometry"),
        (t.Channel, "Device"),
        (t.Flow, "Runs FlowResult"),
        (t.Message, "AttachmentRef QuickReply"),
        (t.Run, "StartRef Step Value"),
    ]:
        for name in nested.split():
            assert issubclass(getattr(owner, name), temba_client.serialization.TembaObject)


def test_exception_messages():
    e = temba_client.exceptions
    assert str(e.TembaConnectionError()) == "Unable to connect to host"
    assert str(e.TembaTokenError()) == "Authentication with provided token failed"
    assert str(e.TembaNoSuchObjectError()) == "No such object exists"
    assert str(e.TembaRateExceededError(5)).endswith("Please wait 5 seconds before making further requests")
    assert str(e.TembaBadRequestError({"detail": "Msg"})) == "Msg"
    assert str(e.TembaBadRequestError({"field1": ["Msg1", "Msg2"]})) == "Msg1. Msg2"  # as 2.22: no field names
    assert str(e.TembaBadRequestError(["Msg1", "Msg2"])) == "Msg1. Msg2"
    assert str(e.TembaSerializationException("bad")) == "bad"
    assert str(e.TembaHttpError(ValueError("boom"))) == "boom"


# ---------------------------------------------------------------------------------------------
# The original usage guide, verbatim (in Python 3 spelling), against a local server
# ---------------------------------------------------------------------------------------------


def test_usage_guide_examples(stub):
    from temba_client.exceptions import TembaBadRequestError

    contact_json = {"uuid": "cc276708-7752-4b52-a4ea-d3264847220e", "name": "Ann", "urns": ["tel:+1"]}
    stub.add_json("GET", "contacts", page([contact_json]))
    stub.add_json("GET", "messages", page([{"id": 12345, "text": "Hi", "direction": "in"}]))
    stub.add_json("GET", "fields", page([{"key": "age", "name": "Age", "type": "number"}]))
    stub.add_json("POST", "labels", {"name": ["This field is required."]}, status=400)

    client = TembaClient(stub.url + "/api/v2", stub.token)

    contact = client.get_contacts(uuid="cc276708-7752-4b52-a4ea-d3264847220e").first()
    message = client.get_messages(id=12345).first()
    field = client.get_fields(key="age").first()
    assert (contact.name, message.id, field.key) == ("Ann", 12345, "age")

    contacts = client.get_contacts(group="Reporters").all()
    messages = client.get_messages(folder="Inbox").all()
    fields = client.get_fields().all()
    assert (len(contacts), len(messages), len(fields)) == (1, 1, 1)

    seen = []
    for contact_batch in client.get_contacts(group="Reporters").iterfetches():
        for contact in contact_batch:
            seen.append(contact.uuid)
    assert seen == ["cc276708-7752-4b52-a4ea-d3264847220e"]

    contacts = client.get_contacts(group="Reporters").all(retry_on_rate_exceed=True)
    assert len(contacts) == 1

    reported = []
    try:
        client.update_label("invalid-uuid", name="Test")
    except TembaBadRequestError as ex:
        for field, field_errors in ex.errors.items():
            for field_error in field_errors:
                reported.append((field, field_error))
    assert reported == [("name", "This field is required.")]

    paths = {(r.method, r.path) for r in stub.requests}
    assert paths == {
        ("GET", "/api/v2/contacts.json"),
        ("GET", "/api/v2/messages.json"),
        ("GET", "/api/v2/fields.json"),
        ("POST", "/api/v2/labels.json"),
    }

"""The client's writes: ``create_*``, ``update_*`` and ``delete_*``, one method per endpoint and operation."""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Sequence
from typing import Any, BinaryIO, Dict, Optional, Union

from ..base import BaseClient
from ..exceptions import TembaValidationError
from . import endpoints as ep
from .args import QuickReplyArg, Ref, quick_replies_body
from .types import (
    Broadcast,
    Campaign,
    CampaignEvent,
    Contact,
    Field,
    FlowStart,
    Global,
    Group,
    Label,
    Media,
    Message,
    OptIn,
    ResthookSubscriber,
    Topic,
)

_MEDIA_MAX_BYTES = 25 * 1024 * 1024


class WritesMixin(BaseClient):
    """The ``create_*``, ``update_*`` and ``delete_*`` methods of :class:`~temba_client.v2.TembaClient`."""

    # ==========================================================================================
    # Creating objects
    # ==========================================================================================

    def create_broadcast(
        self,
        text: Optional[Union[str, Dict[str, str]]] = None,
        urns: Optional[Sequence[str]] = None,
        contacts: Optional[Sequence[Ref]] = None,
        groups: Optional[Sequence[Ref]] = None,
        *,
        attachments: Optional[Union[Sequence[Ref], Dict[str, Sequence[Ref]]]] = None,
        quick_replies: Optional[Union[Sequence[QuickReplyArg], Dict[str, Sequence[QuickReplyArg]]]] = None,
        base_language: Optional[str] = None,
    ) -> Broadcast:
        """Creates and sends a broadcast (``POST /api/v2/broadcasts.json``).

        :param text: the message, or its translations as ``{"eng": "Hello", "fra": "Bonjour"}``
        :param urns: URNs to send to (at most 100)
        :param contacts: contacts to send to (objects, UUIDs or URNs; at most 100)
        :param groups: groups to send to (objects, UUIDs or names; at most 100)
        :param attachments: uploaded media (objects or UUIDs; at most 10), or ``{lang: [...]}``
        :param quick_replies: quick replies (texts, :class:`~temba_client.v2.types.QuickReply`
            objects or their dicts; at most 10), or ``{lang: [...]}`` (RapidPro 26 servers)
        :param base_language: the language of ``text`` to fall back on, e.g. ``"eng"``
        :raises TembaValidationError: without text or attachments, without recipients, or over a limit
        """
        return self._create(
            ep.BROADCASTS,
            text=text,
            urns=urns,
            contacts=contacts,
            groups=groups,
            attachments=attachments,
            quick_replies=quick_replies_body(quick_replies),
            base_language=base_language,
        )

    def create_campaign(self, name: str, group: Ref) -> Campaign:
        """Creates a campaign (``POST /api/v2/campaigns.json``).

        :param name: the campaign's name
        :param group: the group whose contacts it schedules (object, UUID or name)
        """
        return self._create(ep.CAMPAIGNS, name=name, group=group)

    def create_campaign_event(
        self,
        campaign: Ref,
        relative_to: Ref,
        offset: int,
        unit: str,
        delivery_hour: int,
        message: Optional[Union[str, Dict[str, str]]] = None,
        flow: Optional[Ref] = None,
    ) -> CampaignEvent:
        """Creates a campaign event (``POST /api/v2/campaign_events.json``).

        :param campaign: the campaign (object or UUID)
        :param relative_to: the date field it is scheduled from (object or key)
        :param offset: how many units of ``unit`` after the date (negative: before)
        :param unit: ``"minutes"``, ``"hours"``, ``"days"`` or ``"weeks"``
        :param delivery_hour: the hour of day to send at (0-23), or -1 for the same time as the date
        :param message: the message to send, or its translations (not with ``flow``)
        :param flow: the flow to start (object or UUID; not with ``message``)
        """
        return self._create(
            ep.CAMPAIGN_EVENTS,
            campaign=campaign,
            relative_to=relative_to,
            offset=offset,
            unit=unit,
            delivery_hour=delivery_hour,
            message=message,
            flow=flow,
        )

    def create_contact(
        self,
        name: Optional[str] = None,
        language: Optional[str] = None,
        urns: Optional[Sequence[str]] = None,
        fields: Optional[Dict[str, Any]] = None,
        groups: Optional[Sequence[Ref]] = None,
        *,
        note: Optional[str] = None,
    ) -> Contact:
        """Creates a contact (``POST /api/v2/contacts.json``).

        :param name: the contact's name
        :param language: a 3-letter language code, e.g. ``"eng"``
        :param urns: URNs, e.g. ``["tel:+250788123123"]`` (at most 100)
        :param fields: field values by field key
        :param groups: groups to add the contact to (objects, UUIDs or names)
        :param note: a note on the contact (RapidPro 26 servers)
        """
        return self._create(
            ep.CONTACTS, name=name, language=language, urns=urns, fields=fields, groups=groups, note=note
        )

    def create_field(self, name: str, type: str) -> Field:
        """Creates a contact field (``POST /api/v2/fields.json``).

        :param name: the field's name (its key is derived from it)
        :param type: ``"text"``, ``"number"``, ``"datetime"``, ``"state"``, ``"district"`` or ``"ward"``
        """
        return self._create(ep.FIELDS, name=name, type=type)

    def create_flow_start(
        self,
        flow: Ref,
        urns: Optional[Sequence[str]] = None,
        contacts: Optional[Sequence[Ref]] = None,
        groups: Optional[Sequence[Ref]] = None,
        restart_participants: Optional[bool] = None,
        exclude_active: Optional[bool] = None,
        params: Optional[Dict[str, Any]] = None,
    ) -> FlowStart:
        """Starts contacts in a flow (``POST /api/v2/flow_starts.json``).

        :param flow: the flow (object or UUID)
        :param urns: URNs to start (at most 100)
        :param contacts: contacts to start (objects or UUIDs; at most 100)
        :param groups: groups to start (objects or UUIDs; at most 100)
        :param restart_participants: whether to restart contacts already in the flow (server default: True)
        :param exclude_active: whether to skip contacts active in other flows (server default: False)
        :param params: values the flow can read as ``@trigger.params``
        """
        return self._create(
            ep.FLOW_STARTS,
            flow=flow,
            urns=urns,
            contacts=contacts,
            groups=groups,
            restart_participants=restart_participants,
            exclude_active=exclude_active,
            params=params,
        )

    def create_global(self, name: str, value: str) -> Global:
        """Creates a global (``POST /api/v2/globals.json``).

        :param name: the global's name (its key is derived from it)
        :param value: its value
        """
        return self._create(ep.GLOBALS, name=name, value=value)

    def create_group(self, name: str) -> Group:
        """Creates a contact group (``POST /api/v2/groups.json``).

        :param name: the group's name
        """
        return self._create(ep.GROUPS, name=name)

    def create_label(self, name: str) -> Label:
        """Creates a message label (``POST /api/v2/labels.json``).

        :param name: the label's name
        """
        return self._create(ep.LABELS, name=name)

    def create_media(
        self,
        file: Union[str, os.PathLike[str], bytes, BinaryIO],
        filename: Optional[str] = None,
        content_type: Optional[str] = None,
    ) -> Media:
        """Uploads a media file, to attach to messages and broadcasts (``POST /api/v2/media.json``).

        :param file: a path, the file's bytes, or a binary file object
        :param filename: the name to upload it under (default: the path's or file object's name)
        :param content_type: its media type, e.g. ``"image/jpeg"`` (default: guessed from the name)
        :raises TembaValidationError: for a file over the server's limit of 25 MB (a ``ValueError``)
        :raises TypeError: for a ``filename`` or ``content_type`` that is not a string
        """
        for name, value in (("filename", filename), ("content_type", content_type)):
            if value is not None and not isinstance(value, str):  # requests/urllib3 would fail mid-encoding
                raise TypeError("%s must be a string, not %s" % (name, type(value).__name__))
        if isinstance(file, (str, os.PathLike)):
            with open(file, "rb") as handle:
                data = handle.read(_MEDIA_MAX_BYTES + 1)
            filename = filename or os.path.basename(os.fspath(file))
        elif isinstance(file, (bytes, bytearray)):
            data = bytes(file)
        elif hasattr(file, "read"):
            data = file.read(_MEDIA_MAX_BYTES + 1)
            if not isinstance(data, bytes):
                raise TypeError("the file object must be opened in binary mode")
            filename = filename or os.path.basename(str(getattr(file, "name", "") or ""))
        else:
            raise TypeError("file must be a path, bytes or a binary file object, not %s" % type(file).__name__)
        if len(data) > _MEDIA_MAX_BYTES:
            raise TembaValidationError("Limit for file uploads is 25.0 MB.", "file")  # the server's words

        filename = filename or "upload"
        content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        return self._upload(ep.MEDIA, {"file": (filename, data, content_type)})

    def create_message(
        self,
        contact: Ref,
        text: Optional[str] = None,
        attachments: Optional[Sequence[Ref]] = None,
        quick_replies: Optional[Sequence[QuickReplyArg]] = None,
    ) -> Message:
        """Sends a message to a contact (``POST /api/v2/messages.json``).

        :param contact: the contact (object, UUID or URN)
        :param text: the message (at most 4096 characters)
        :param attachments: uploaded media (objects or UUIDs; at most 10)
        :param quick_replies: quick replies (texts, :class:`~temba_client.v2.types.QuickReply`
            objects or their dicts; at most 10); sent only when some are given
        """
        return self._create(
            ep.MESSAGES,
            contact=contact,
            text=text,
            attachments=attachments,
            quick_replies=quick_replies_body(quick_replies),
        )

    def create_optin(self, name: str) -> OptIn:
        """Creates an opt-in (``POST /api/v2/optins.json``).

        :param name: the opt-in's name
        """
        return self._create(ep.OPTINS, name=name)

    def create_resthook_subscriber(self, resthook: str, target_url: str) -> ResthookSubscriber:
        """Subscribes a URL to a resthook (``POST /api/v2/resthook_subscribers.json``).

        :param resthook: the resthook's slug
        :param target_url: the URL to call when the resthook fires
        """
        return self._create(ep.RESTHOOK_SUBSCRIBERS, resthook=resthook, target_url=target_url)

    def create_topic(self, name: str) -> Topic:
        """Creates a ticket topic (``POST /api/v2/topics.json``).

        :param name: the topic's name
        """
        return self._create(ep.TOPICS, name=name)

    # ==========================================================================================
    # Updating objects
    # ==========================================================================================

    def update_campaign(self, campaign: Ref, name: str, group: Ref) -> Campaign:
        """Updates a campaign (``POST /api/v2/campaigns.json?uuid=...``).

        :param campaign: the campaign (object or UUID)
        :param name: its new name
        :param group: its new group (object, UUID or name)
        """
        return self._update(ep.CAMPAIGNS, "uuid", campaign, name=name, group=group)

    def update_campaign_event(
        self,
        event: Ref,
        relative_to: Ref,
        offset: int,
        unit: str,
        delivery_hour: int,
        message: Optional[Union[str, Dict[str, str]]] = None,
        flow: Optional[Ref] = None,
    ) -> CampaignEvent:
        """Updates a campaign event (``POST /api/v2/campaign_events.json?uuid=...``).

        :param event: the event (object or UUID)
        :param relative_to: the date field it is scheduled from (object or key)
        :param offset: how many units of ``unit`` after the date (negative: before)
        :param unit: ``"minutes"``, ``"hours"``, ``"days"`` or ``"weeks"``
        :param delivery_hour: the hour of day to send at (0-23), or -1 for the same time as the date
        :param message: the message to send, or its translations (not with ``flow``)
        :param flow: the flow to start (object or UUID; not with ``message``)
        """
        return self._update(
            ep.CAMPAIGN_EVENTS,
            "uuid",
            event,
            relative_to=relative_to,
            offset=offset,
            unit=unit,
            delivery_hour=delivery_hour,
            message=message,
            flow=flow,
        )

    def update_contact(
        self,
        contact: Ref,
        name: Optional[str] = None,
        language: Optional[str] = None,
        urns: Optional[Sequence[str]] = None,
        fields: Optional[Dict[str, Any]] = None,
        groups: Optional[Sequence[Ref]] = None,
        *,
        note: Optional[str] = None,
    ) -> Contact:
        """Updates a contact; attributes left as None are not changed (``POST /api/v2/contacts.json?uuid=...``).

        :param contact: the contact (object, UUID, or URN such as ``"tel:+250788123123"``)
        :param name: its new name
        :param language: its new 3-letter language code
        :param urns: its new URNs (replacing the old ones; at most 100)
        :param fields: field values to set, by field key (None as a value clears it)
        :param groups: its new groups (replacing the old ones)
        :param note: its note (RapidPro 26 servers; an empty string clears it)
        """
        lookup = "urn" if isinstance(contact, str) and ":" in contact else "uuid"
        return self._update(
            ep.CONTACTS,
            lookup,
            contact,
            name=name,
            language=language,
            urns=urns,
            fields=fields,
            groups=groups,
            note=note,
        )

    def update_field(self, field: Ref, name: str, type: str) -> Field:
        """Updates a contact field (``POST /api/v2/fields.json?key=...``).

        :param field: the field (object or key)
        :param name: its new name
        :param type: its new type
        """
        return self._update(ep.FIELDS, "key", field, name=name, type=type)

    def update_global(self, glbl: Ref, value: str) -> Global:
        """Updates the value of a global (``POST /api/v2/globals.json?key=...``).

        :param glbl: the global (object or key)
        :param value: its new value
        """
        return self._update(ep.GLOBALS, "key", glbl, value=value)

    def update_group(self, group: Ref, name: str) -> Group:
        """Renames a contact group (``POST /api/v2/groups.json?uuid=...``).

        :param group: the group (object or UUID)
        :param name: its new name
        """
        return self._update(ep.GROUPS, "uuid", group, name=name)

    def update_label(self, label: Ref, name: str) -> Label:
        """Renames a message label (``POST /api/v2/labels.json?uuid=...``).

        :param label: the label (object or UUID)
        :param name: its new name
        """
        return self._update(ep.LABELS, "uuid", label, name=name)

    def update_topic(self, topic: Ref, name: str) -> Topic:
        """Renames a ticket topic (``POST /api/v2/topics.json?uuid=...``).

        :param topic: the topic (object or UUID)
        :param name: its new name
        """
        return self._update(ep.TOPICS, "uuid", topic, name=name)

    # ==========================================================================================
    # Deleting objects
    # ==========================================================================================

    def delete_campaign_event(self, event: Ref) -> None:
        """Deletes a campaign event (``DELETE /api/v2/campaign_events.json?uuid=...``).

        :param event: the event (object or UUID)
        """
        self._delete(ep.CAMPAIGN_EVENTS, "uuid", event)

    def delete_contact(self, contact: Ref) -> None:
        """Deletes a contact (``DELETE /api/v2/contacts.json?uuid=...``).

        :param contact: the contact (object, UUID or URN)
        """
        lookup = "urn" if isinstance(contact, str) and ":" in contact else "uuid"
        self._delete(ep.CONTACTS, lookup, contact)

    def delete_group(self, group: Ref) -> None:
        """Deletes a contact group (``DELETE /api/v2/groups.json?uuid=...``).

        :param group: the group (object or UUID)
        """
        self._delete(ep.GROUPS, "uuid", group)

    def delete_label(self, label: Ref) -> None:
        """Deletes a message label (``DELETE /api/v2/labels.json?uuid=...``).

        :param label: the label (object or UUID)
        """
        self._delete(ep.LABELS, "uuid", label)

    def delete_resthook_subscriber(self, subscriber: Union[int, str, ResthookSubscriber]) -> None:
        """Unsubscribes a URL from a resthook (``DELETE /api/v2/resthook_subscribers.json?id=...``).

        :param subscriber: the subscriber (object or id)
        """
        self._delete(ep.RESTHOOK_SUBSCRIBERS, "id", subscriber)

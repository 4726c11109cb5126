"""The API v2 client: one method per endpoint and operation."""

from __future__ import annotations

import datetime
import mimetypes
import os
from collections.abc import Iterable, Sequence
from typing import Any, BinaryIO, Dict, List, Optional, Union

import requests

from ..base import NULL, BaseClient
from ..pagination import CursorQuery
from ..serialization import TembaObject, Transformer
from ..transport import (
    DEFAULT_MAX_RATE_LIMIT_WAIT,
    DEFAULT_MAX_RESPONSE_SIZE,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT,
    Timeout,
)
from . import endpoints as ep
from .types import (
    Archive,
    Boundary,
    Broadcast,
    Campaign,
    CampaignEvent,
    Channel,
    ChannelEvent,
    Classifier,
    Contact,
    Export,
    Field,
    Flow,
    FlowStart,
    Global,
    Group,
    Label,
    Media,
    Message,
    OptIn,
    Org,
    Resthook,
    ResthookEvent,
    ResthookSubscriber,
    Run,
    Template,
    Ticket,
    Topic,
    User,
    Workspace,
)

#: An object, or its identifier (a UUID, a name where the API accepts one, an id, a key, a URN...).
Ref = Union[str, int, TembaObject]
#: A datetime (naive means UTC) or an ISO 8601 string.
When = Union[datetime.datetime, datetime.date, str]

_MEDIA_MAX_BYTES = 25 * 1024 * 1024


class TembaClient(BaseClient):
    """Client for the RapidPro API v2.

    ::

        client = TembaClient("rapidpro.io", "your-api-token")
        client = TembaClient("http://localhost:8000/api/v2", "your-api-token", timeout=30)

    :param host: a host name (``"rapidpro.io"``: HTTPS) or the URL of the server, with or without
        the ``/api/v2`` suffix
    :param token: the workspace's API token
    :param user_agent: text put before ``rapidpro-python/<version>`` in the ``User-Agent`` header
    :param verify_ssl: whether to verify TLS certificates (None means yes; False warns)
    :param transformer: a function ``(model_class, item_dict) -> item_dict`` applied to each object
        before it is deserialized
    :param timeout: seconds, or a ``(connect, read)`` pair, before a request fails (default 10s to
        connect, 60s for each read); None waits forever
    :param session: a :class:`requests.Session` of your own to send every request through
    :param max_retries: how many times a GET is retried after a connection error, timeout or
        502/503/504 (default 3; 0 turns retries off)
    :param retry_on_rate_exceed: the default ``retry_on_rate_exceed`` of every query
    :param max_rate_limit_wait: cap, in seconds, on the total sleep of one request waiting out 429s
    :param max_response_size: the largest response body accepted, in bytes (default 100 MB); a larger
        one raises :class:`~temba_client.exceptions.TembaBadResponseError`
    """

    def __init__(
        self,
        host: str,
        token: str,
        user_agent: Optional[str] = None,
        verify_ssl: Optional[bool] = None,
        transformer: Optional[Transformer] = None,
        *,
        timeout: Timeout = DEFAULT_TIMEOUT,
        total_timeout: Optional[float] = DEFAULT_TOTAL_TIMEOUT,
        session: Optional[requests.Session] = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry_on_rate_exceed: bool = False,
        max_rate_limit_wait: float = DEFAULT_MAX_RATE_LIMIT_WAIT,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
    ) -> None:
        super().__init__(
            host,
            token,
            2,
            user_agent,
            verify_ssl,
            transformer,
            timeout=timeout,
            total_timeout=total_timeout,
            session=session,
            max_retries=max_retries,
            retry_on_rate_exceed=retry_on_rate_exceed,
            max_rate_limit_wait=max_rate_limit_wait,
            max_response_size=max_response_size,
        )

    # ==========================================================================================
    # Fetching objects
    # ==========================================================================================

    def get_archives(
        self,
        type: Optional[str] = None,
        period: Optional[str] = None,
        before: Optional[When] = None,
        after: Optional[When] = None,
        *,
        archive_type: Optional[str] = None,
    ) -> CursorQuery[Archive]:
        """Gets archives of messages or runs (``GET /api/v2/archives.json``).

        :param type: ``"message"`` or ``"run"`` (sent as ``archive_type``)
        :param period: ``"daily"`` or ``"monthly"``
        :param before: only archives that start before this date
        :param after: only archives that start after this date
        :param archive_type: the same as ``type``, under the server's name
        """
        return self._get_query(
            ep.ARCHIVES, type=type, archive_type=archive_type, period=period, before=before, after=after
        )

    def get_boundaries(self, geometry: Optional[bool] = None) -> CursorQuery[Boundary]:
        """Gets the administrative boundaries of the workspace's country (``GET /api/v2/boundaries.json``).

        :param geometry: whether to include each boundary's GeoJSON geometry
        """
        return self._get_query(ep.BOUNDARIES, geometry=geometry)

    def get_broadcasts(
        self,
        uuid: Optional[Union[int, str]] = None,
        before: Optional[When] = None,
        after: Optional[When] = None,
        *,
        id: Optional[Union[int, str]] = None,
    ) -> CursorQuery[Broadcast]:
        """Gets broadcasts, newest first (``GET /api/v2/broadcasts.json``).

        :param uuid: rapidpro-python's name for ``id``: the server filters broadcasts by id
        :param before: only broadcasts created before this time
        :param after: only broadcasts created after this time
        :param id: the broadcast's id
        """
        return self._get_query(ep.BROADCASTS, uuid=uuid, id=id, before=before, after=after)

    def get_campaigns(self, uuid: Optional[Ref] = None) -> CursorQuery[Campaign]:
        """Gets campaigns (``GET /api/v2/campaigns.json``).

        :param uuid: the campaign's UUID
        """
        return self._get_query(ep.CAMPAIGNS, uuid=uuid)

    def get_campaign_events(
        self, uuid: Optional[Ref] = None, campaign: Optional[Ref] = None
    ) -> CursorQuery[CampaignEvent]:
        """Gets campaign events (``GET /api/v2/campaign_events.json``).

        :param uuid: the event's UUID
        :param campaign: only events of this campaign (object or UUID)
        """
        return self._get_query(ep.CAMPAIGN_EVENTS, uuid=uuid, campaign=campaign)

    def get_channels(self, uuid: Optional[Ref] = None, address: Optional[str] = None) -> CursorQuery[Channel]:
        """Gets channels (``GET /api/v2/channels.json``).

        :param uuid: the channel's UUID
        :param address: the channel's address, e.g. a phone number
        """
        return self._get_query(ep.CHANNELS, uuid=uuid, address=address)

    def get_channel_events(
        self,
        id: Optional[Union[int, str]] = None,
        contact: Optional[Ref] = None,
        before: Optional[When] = None,
        after: Optional[When] = None,
    ) -> CursorQuery[ChannelEvent]:
        """Gets channel events: calls, referrals, opt-ins... newest first (``GET /api/v2/channel_events.json``).

        :param id: the event's id
        :param contact: only events of this contact (object or UUID)
        :param before: only events created before this time
        :param after: only events created after this time
        """
        return self._get_query(ep.CHANNEL_EVENTS, id=id, contact=contact, before=before, after=after)

    def get_classifiers(
        self, uuid: Optional[Ref] = None, *, before: Optional[When] = None, after: Optional[When] = None
    ) -> CursorQuery[Classifier]:
        """Gets NLU classifiers (``GET /api/v2/classifiers.json``).

        :param uuid: the classifier's UUID
        :param before: only classifiers created before this time
        :param after: only classifiers created after this time
        """
        return self._get_query(ep.CLASSIFIERS, uuid=uuid, before=before, after=after)

    def get_contacts(
        self,
        uuid: Optional[Ref] = None,
        urn: Optional[str] = None,
        group: Optional[Ref] = None,
        deleted: Optional[bool] = None,
        before: Optional[When] = None,
        after: Optional[When] = None,
        reverse: Optional[bool] = None,
        *,
        expand_urns: Optional[bool] = None,
    ) -> CursorQuery[Contact]:
        """Gets contacts, most recently modified first (``GET /api/v2/contacts.json``).

        :param uuid: the contact's UUID
        :param urn: the contact's URN, e.g. ``"tel:+250788123123"``
        :param group: only contacts in this group (object, UUID or name)
        :param deleted: True for deleted contacts only (returned with most fields empty)
        :param before: only contacts modified before this time
        :param after: only contacts modified after this time
        :param reverse: True for the oldest modified first
        :param expand_urns: True to get each URN as a :class:`~temba_client.v2.types.Contact.URN` object
        """
        return self._get_query(
            ep.CONTACTS,
            uuid=uuid,
            urn=urn,
            group=group,
            deleted=deleted,
            before=before,
            after=after,
            reverse=reverse,
            expand_urns=expand_urns,
        )

    def get_definitions(
        self,
        flows: Union[Ref, Iterable[Ref]] = (),
        campaigns: Union[Ref, Iterable[Ref]] = (),
        dependencies: Optional[Union[bool, str]] = None,
    ) -> Export:
        """Gets an export of flow and campaign definitions (``GET /api/v2/definitions.json``).

        :param flows: flows (objects or UUIDs) to export
        :param campaigns: campaigns (objects or UUIDs) to export
        :param dependencies: ``"all"`` (the server's default), ``"flows"`` or ``"none"``; True
            means ``"all"`` and False ``"none"``
        """
        if isinstance(dependencies, bool):
            dependencies = "all" if dependencies else "none"
        return self._get_one(
            ep.DEFINITIONS, Export, flow=_as_list(flows), campaign=_as_list(campaigns), dependencies=dependencies
        )

    def get_fields(self, key: Optional[Ref] = None) -> CursorQuery[Field]:
        """Gets contact fields (``GET /api/v2/fields.json``).

        :param key: the field's key
        """
        return self._get_query(ep.FIELDS, key=key)

    def get_flows(
        self,
        uuid: Optional[Ref] = None,
        type: Optional[str] = None,
        archived: Optional[bool] = None,
        *,
        before: Optional[When] = None,
        after: Optional[When] = None,
    ) -> CursorQuery[Flow]:
        """Gets flows (``GET /api/v2/flows.json``).

        :param uuid: the flow's UUID
        :param type: ``"message"``, ``"voice"``, ``"background"`` or ``"survey"``
        :param archived: True for archived flows only, False for active ones only
        :param before: only flows modified before this time
        :param after: only flows modified after this time
        """
        return self._get_query(ep.FLOWS, uuid=uuid, type=type, archived=archived, before=before, after=after)

    def get_flow_starts(
        self,
        uuid: Optional[Ref] = None,
        *,
        id: Optional[Union[int, str]] = None,
        before: Optional[When] = None,
        after: Optional[When] = None,
    ) -> CursorQuery[FlowStart]:
        """Gets flow starts, most recently modified first (``GET /api/v2/flow_starts.json``).

        :param uuid: the flow start's UUID
        :param id: the flow start's id
        :param before: only starts modified before this time
        :param after: only starts modified after this time
        """
        return self._get_query(ep.FLOW_STARTS, uuid=uuid, id=id, before=before, after=after)

    def get_globals(
        self, key: Optional[Ref] = None, *, before: Optional[When] = None, after: Optional[When] = None
    ) -> CursorQuery[Global]:
        """Gets globals (``GET /api/v2/globals.json``).

        :param key: the global's key
        :param before: only globals modified before this time
        :param after: only globals modified after this time
        """
        return self._get_query(ep.GLOBALS, key=key, before=before, after=after)

    def get_groups(self, uuid: Optional[Ref] = None, name: Optional[str] = None) -> CursorQuery[Group]:
        """Gets contact groups (``GET /api/v2/groups.json``).

        :param uuid: the group's UUID
        :param name: the group's name (not with ``uuid``)
        """
        return self._get_query(ep.GROUPS, uuid=uuid, name=name)

    def get_labels(self, uuid: Optional[Ref] = None, name: Optional[str] = None) -> CursorQuery[Label]:
        """Gets message labels (``GET /api/v2/labels.json``).

        :param uuid: the label's UUID
        :param name: the label's name (not with ``uuid``)
        """
        return self._get_query(ep.LABELS, uuid=uuid, name=name)

    def get_messages(
        self,
        uuid: Optional[Union[int, str]] = None,
        folder: Optional[str] = None,
        before: Optional[When] = None,
        after: Optional[When] = None,
        *,
        id: Optional[Union[int, str]] = None,
        broadcast: Optional[Union[int, Broadcast]] = None,
        contact: Optional[Ref] = None,
        label: Optional[Ref] = None,
    ) -> CursorQuery[Message]:
        """Gets messages, newest first (``GET /api/v2/messages.json``).

        Only one of ``folder``, ``contact``, ``label`` and ``broadcast`` may be given.

        :param uuid: rapidpro-python's name for ``id``: the server filters messages by id
        :param folder: ``"inbox"``, ``"flows"``, ``"archived"``, ``"outbox"``, ``"sent"``,
            ``"failed"`` or ``"incoming"`` (ordered by modification)
        :param before: only messages created before this time
        :param after: only messages created after this time
        :param id: the message's id
        :param broadcast: only messages of this broadcast (object or id)
        :param contact: only messages of this contact (object or UUID)
        :param label: only messages with this label (object, UUID or name)
        """
        return self._get_query(
            ep.MESSAGES,
            uuid=uuid,
            id=id,
            folder=folder,
            broadcast=broadcast,
            contact=contact,
            label=label,
            before=before,
            after=after,
        )

    def get_optins(self) -> CursorQuery[OptIn]:
        """Gets opt-ins (``GET /api/v2/optins.json``)."""
        return self._get_query(ep.OPTINS)

    def get_org(self, retry_on_rate_exceed: Optional[bool] = None) -> Org:
        """Gets the workspace of the token (``GET /api/v2/org.json``, deprecated: see :meth:`get_workspace`).

        :param retry_on_rate_exceed: whether to sleep and retry when the rate limit is exceeded
            (None: the client's default)
        """
        return self._get_one(ep.ORG, Org, retry_on_rate_exceed)

    def get_resthooks(self) -> CursorQuery[Resthook]:
        """Gets resthooks (``GET /api/v2/resthooks.json``)."""
        return self._get_query(ep.RESTHOOKS)

    def get_resthook_events(self, resthook: Optional[str] = None) -> CursorQuery[ResthookEvent]:
        """Gets the events fired on resthooks, newest first (``GET /api/v2/resthook_events.json``).

        :param resthook: only events of this resthook (its slug)
        """
        return self._get_query(ep.RESTHOOK_EVENTS, resthook=resthook)

    def get_resthook_subscribers(
        self, id: Optional[Union[int, str]] = None, resthook: Optional[str] = None
    ) -> CursorQuery[ResthookSubscriber]:
        """Gets resthook subscribers (``GET /api/v2/resthook_subscribers.json``).

        :param id: the subscriber's id
        :param resthook: only subscribers of this resthook (its slug)
        """
        return self._get_query(ep.RESTHOOK_SUBSCRIBERS, id=id, resthook=resthook)

    def get_runs(
        self,
        uuid: Optional[Ref] = None,
        flow: Optional[Ref] = None,
        responded: Optional[bool] = None,
        before: Optional[When] = None,
        after: Optional[When] = None,
        reverse: Optional[bool] = None,
        paths: Optional[bool] = None,
        *,
        id: Optional[Union[int, str]] = None,
        contact: Optional[Ref] = None,
    ) -> CursorQuery[Run]:
        """Gets flow runs, most recently modified first (``GET /api/v2/runs.json``).

        :param uuid: the run's UUID
        :param flow: only runs of this flow (object or UUID; not with ``contact``)
        :param responded: True for runs where the contact responded only
        :param before: only runs modified before this time
        :param after: only runs modified after this time
        :param reverse: True for the oldest modified first
        :param paths: False to leave out each run's path (smaller, faster pages)
        :param id: the run's id
        :param contact: only runs of this contact (object or UUID; not with ``flow``)
        """
        return self._get_query(
            ep.RUNS,
            id=id,
            uuid=uuid,
            flow=flow,
            contact=contact,
            responded=responded,
            before=before,
            after=after,
            reverse=reverse,
            paths=paths,
        )

    def get_templates(self, before: Optional[When] = None, after: Optional[When] = None) -> CursorQuery[Template]:
        """Gets message templates (``GET /api/v2/templates.json``).

        :param before: only templates modified before this time
        :param after: only templates modified after this time
        """
        return self._get_query(ep.TEMPLATES, before=before, after=after)

    def get_tickets(self, uuid: Optional[Ref] = None, contact: Optional[Ref] = None) -> CursorQuery[Ticket]:
        """Gets tickets, most recently modified first (``GET /api/v2/tickets.json``).

        :param uuid: the ticket's UUID
        :param contact: only tickets of this contact (object or UUID)
        """
        return self._get_query(ep.TICKETS, uuid=uuid, contact=contact)

    def get_topics(self) -> CursorQuery[Topic]:
        """Gets ticket topics (``GET /api/v2/topics.json``)."""
        return self._get_query(ep.TOPICS)

    def get_users(self, role: Optional[Union[str, Sequence[str]]] = None) -> CursorQuery[User]:
        """Gets the users of the workspace (``GET /api/v2/users.json``).

        :param role: only users with this role, or any of these roles: ``"administrator"``,
            ``"editor"``, ``"viewer"``, ``"agent"``, ``"surveyor"``
        """
        return self._get_query(ep.USERS, role=role)

    def get_workspace(self, retry_on_rate_exceed: Optional[bool] = None) -> Workspace:
        """Gets the workspace of the token (``GET /api/v2/workspace.json``).

        :param retry_on_rate_exceed: whether to sleep and retry when the rate limit is exceeded
            (None: the client's default)
        """
        return self._get_one(ep.WORKSPACE, Workspace, retry_on_rate_exceed)

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
        base_language: Optional[str] = None,
    ) -> Broadcast:
        """Creates and sends a broadcast (``POST /api/v2/broadcasts.json``).

        :param text: the message, or its translations as ``{"eng": "Hello", "fra": "Bonjour"}``
        :param urns: URNs to send to (at most 100)
        :param contacts: contacts to send to (objects, UUIDs or URNs; at most 100)
        :param groups: groups to send to (objects, UUIDs or names; at most 100)
        :param attachments: uploaded media (objects or UUIDs; at most 10), or ``{lang: [...]}``
        :param base_language: the language of ``text`` to fall back on, e.g. ``"eng"``
        :raises ValueError: without text or attachments, without recipients, or over a limit
        """
        return self._create(
            ep.BROADCASTS,
            text=text,
            urns=urns,
            contacts=contacts,
            groups=groups,
            attachments=attachments,
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
    ) -> Contact:
        """Creates a contact (``POST /api/v2/contacts.json``).

        :param name: the contact's name
        :param language: a 3-letter language code, e.g. ``"eng"``
        :param urns: URNs, e.g. ``["tel:+250788123123"]`` (at most 100)
        :param fields: field values by field key
        :param groups: groups to add the contact to (objects, UUIDs or names)
        """
        return self._create(ep.CONTACTS, name=name, language=language, urns=urns, fields=fields, groups=groups)

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
        file: Union[str, os.PathLike, bytes, BinaryIO],
        filename: Optional[str] = None,
        content_type: Optional[str] = None,
    ) -> Media:
        """Uploads a media file, to attach to messages and broadcasts (``POST /api/v2/media.json``).

        :param file: a path, the file's bytes, or a binary file object
        :param filename: the name to upload it under (default: the path's or file object's name)
        :param content_type: its media type, e.g. ``"image/jpeg"`` (default: guessed from the name)
        :raises ValueError: for a file over the server's limit of 25 MB
        """
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
            raise ValueError("media: the server accepts files of at most 25 MB")

        filename = filename or "upload"
        content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        return self._upload(ep.MEDIA, {"file": (filename, data, content_type)})

    def create_message(
        self,
        contact: Ref,
        text: Optional[str] = None,
        attachments: Optional[Sequence[Ref]] = None,
        quick_replies: Optional[Sequence[Any]] = None,
        *,
        ticket: Optional[Ref] = None,
    ) -> Message:
        """Sends a message to a contact (``POST /api/v2/messages.json``).

        :param contact: the contact (object or UUID)
        :param text: the message
        :param attachments: uploaded media (objects or UUIDs; at most 10)
        :param quick_replies: sent only when given (servers of this API version ignore them)
        :param ticket: the ticket (object or UUID) this message answers
        """
        return self._create(
            ep.MESSAGES,
            contact=contact,
            text=text,
            attachments=attachments,
            quick_replies=quick_replies or None,
            ticket=ticket,
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
    ) -> Contact:
        """Updates a contact; attributes left as None are not changed (``POST /api/v2/contacts.json?uuid=...``).

        :param contact: the contact (object, UUID, or URN such as ``"tel:+250788123123"``)
        :param name: its new name
        :param language: its new 3-letter language code
        :param urns: its new URNs (replacing the old ones; at most 100)
        :param fields: field values to set, by field key (None as a value clears it)
        :param groups: its new groups (replacing the old ones)
        """
        lookup = "urn" if isinstance(contact, str) and ":" in contact else "uuid"
        return self._update(
            ep.CONTACTS, lookup, contact, name=name, language=language, urns=urns, fields=fields, groups=groups
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

    # ==========================================================================================
    # Bulk actions on contacts (POST /api/v2/contact_actions.json)
    # ==========================================================================================

    def bulk_add_contacts(self, contacts: Sequence[Ref], group: Ref) -> None:
        """Adds contacts to a group.

        :param contacts: contacts (objects, UUIDs or URNs; at most 100)
        :param group: the group (object, UUID or name; not a smart group)
        """
        self._contact_action("add", contacts, group=group)

    def bulk_remove_contacts(self, contacts: Sequence[Ref], group: Ref) -> None:
        """Removes contacts from a group.

        :param contacts: contacts (objects, UUIDs or URNs; at most 100)
        :param group: the group (object, UUID or name; not a smart group)
        """
        self._contact_action("remove", contacts, group=group)

    def bulk_block_contacts(self, contacts: Sequence[Ref]) -> None:
        """Blocks contacts.

        :param contacts: contacts (objects, UUIDs or URNs; at most 100)
        """
        self._contact_action("block", contacts)

    def bulk_unblock_contacts(self, contacts: Sequence[Ref]) -> None:
        """Unblocks contacts.

        :param contacts: contacts (objects, UUIDs or URNs; at most 100)
        """
        self._contact_action("unblock", contacts)

    def bulk_interrupt_contacts(self, contacts: Sequence[Ref]) -> None:
        """Interrupts the active flow runs of contacts.

        :param contacts: contacts (objects, UUIDs or URNs; at most 100)
        """
        self._contact_action("interrupt", contacts)

    def bulk_archive_contact_messages(self, contacts: Sequence[Ref]) -> None:
        """Archives all the messages of contacts.

        :param contacts: contacts (objects, UUIDs or URNs; at most 100)
        """
        self._contact_action("archive_messages", contacts)

    def bulk_archive_contacts(self, contacts: Sequence[Ref]) -> None:
        """Archives contacts.

        :param contacts: contacts (objects, UUIDs or URNs; at most 100)
        """
        self._contact_action("archive", contacts)

    def bulk_delete_contacts(self, contacts: Sequence[Ref]) -> None:
        """Deletes contacts.

        :param contacts: contacts (objects, UUIDs or URNs; at most 100)
        """
        self._contact_action("delete", contacts)

    def _contact_action(self, action: str, contacts: Sequence[Ref], group: Optional[Ref] = None) -> None:
        if action in ("add", "remove") and group is None:
            raise ValueError("contact_actions: %s needs a group" % action)
        self._post_action(ep.CONTACT_ACTIONS, contacts=contacts, action=action, group=group)

    # ==========================================================================================
    # Bulk actions on messages (POST /api/v2/message_actions.json)
    # ==========================================================================================

    def bulk_label_messages(
        self, messages: Sequence[Union[int, Message]], label: Optional[Ref] = None, label_name: Optional[str] = None
    ) -> List[int]:
        """Labels messages, and returns the ids of those that no longer exist.

        :param messages: messages (objects or ids; at most 100)
        :param label: an existing label (object, UUID or name)
        :param label_name: the name of a label, created if it does not exist (instead of ``label``)
        """
        return self._message_action("label", messages, label, label_name)

    def bulk_unlabel_messages(
        self, messages: Sequence[Union[int, Message]], label: Optional[Ref] = None, label_name: Optional[str] = None
    ) -> List[int]:
        """Removes a label from messages, and returns the ids of those that no longer exist.

        :param messages: messages (objects or ids; at most 100)
        :param label: an existing label (object, UUID or name)
        :param label_name: the name of a label; nothing happens if it does not exist (instead of ``label``)
        """
        return self._message_action("unlabel", messages, label, label_name)

    def bulk_archive_messages(self, messages: Sequence[Union[int, Message]]) -> List[int]:
        """Archives messages, and returns the ids of those that no longer exist.

        :param messages: messages (objects or ids; at most 100)
        """
        return self._message_action("archive", messages)

    def bulk_restore_messages(self, messages: Sequence[Union[int, Message]]) -> List[int]:
        """Restores archived messages, and returns the ids of those that no longer exist.

        :param messages: messages (objects or ids; at most 100)
        """
        return self._message_action("restore", messages)

    def bulk_delete_messages(self, messages: Sequence[Union[int, Message]]) -> List[int]:
        """Deletes messages, and returns the ids of those that no longer exist.

        :param messages: messages (objects or ids; at most 100)
        """
        return self._message_action("delete", messages)

    def _message_action(
        self,
        action: str,
        messages: Sequence[Union[int, Message]],
        label: Optional[Ref] = None,
        label_name: Optional[str] = None,
    ) -> List[int]:
        if action in ("label", "unlabel") and label is None and label_name is None:
            raise ValueError("message_actions: %s needs a label or a label_name" % action)
        answer = self._post_action(
            ep.MESSAGE_ACTIONS, messages=messages, action=action, label=label, label_name=label_name
        )
        failures = answer.get("failures") if isinstance(answer, dict) else None
        return list(failures) if isinstance(failures, list) else []

    # ==========================================================================================
    # Bulk actions on tickets (POST /api/v2/ticket_actions.json)
    # ==========================================================================================

    def bulk_assign_tickets(self, tickets: Sequence[Ref], assignee: Optional[Union[str, TembaObject]]) -> None:
        """Assigns tickets to a user, or unassigns them.

        :param tickets: tickets (objects or UUIDs; at most 100)
        :param assignee: the user (object or email), or None to unassign
        """
        self._post_action(
            ep.TICKET_ACTIONS, tickets=tickets, action="assign", assignee=NULL if assignee is None else assignee
        )

    def bulk_add_ticket_note(self, tickets: Sequence[Ref], note: str) -> None:
        """Adds a note to tickets.

        :param tickets: tickets (objects or UUIDs; at most 100)
        :param note: the note (at most 4096 characters)
        """
        if note is None:
            raise ValueError("ticket_actions: add_note needs a note")
        self._post_action(ep.TICKET_ACTIONS, tickets=tickets, action="add_note", note=note)

    def bulk_change_ticket_topic(self, tickets: Sequence[Ref], topic: Ref) -> None:
        """Changes the topic of tickets.

        :param tickets: tickets (objects or UUIDs; at most 100)
        :param topic: the new topic (object or UUID)
        """
        if topic is None:
            raise ValueError("ticket_actions: change_topic needs a topic")
        self._post_action(ep.TICKET_ACTIONS, tickets=tickets, action="change_topic", topic=topic)

    def bulk_close_tickets(self, tickets: Sequence[Ref]) -> None:
        """Closes tickets.

        :param tickets: tickets (objects or UUIDs; at most 100)
        """
        self._post_action(ep.TICKET_ACTIONS, tickets=tickets, action="close")

    def bulk_reopen_tickets(self, tickets: Sequence[Ref]) -> None:
        """Reopens closed tickets.

        :param tickets: tickets (objects or UUIDs; at most 100)
        """
        self._post_action(ep.TICKET_ACTIONS, tickets=tickets, action="reopen")


def _as_list(refs: Union[Ref, Iterable[Ref]]) -> List[Ref]:
    """One reference or several, as a list (a lone UUID string is one reference, not its characters)."""
    if isinstance(refs, (str, int, TembaObject)):
        return [refs]
    return list(refs)

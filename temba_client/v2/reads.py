"""The client's reads: one ``get_*`` method per endpoint, each returning a lazy query (or one object)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Optional, Union

from ..base import BaseClient
from ..pagination import CursorQuery
from . import endpoints as ep
from .args import Ref, When, as_list
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
    Message,
    OptIn,
    Org,
    Resthook,
    ResthookEvent,
    ResthookSubscriber,
    Run,
    Statistics,
    Template,
    Ticket,
    Topic,
    User,
    Workspace,
)


class ReadsMixin(BaseClient):
    """The ``get_*`` methods of :class:`~temba_client.v2.TembaClient`."""

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
        return self._query(ep.ARCHIVES, type=type, archive_type=archive_type, period=period, before=before, after=after)

    def get_boundaries(self, geometry: Optional[bool] = None) -> CursorQuery[Boundary]:
        """Gets the administrative boundaries of the workspace's country (``GET /api/v2/boundaries.json``).

        :param geometry: whether to include each boundary's GeoJSON geometry
        """
        return self._query(ep.BOUNDARIES, geometry=geometry)

    def get_broadcasts(
        self,
        uuid: Optional[Ref] = None,
        before: Optional[When] = None,
        after: Optional[When] = None,
        *,
        id: Optional[Union[int, str]] = None,
    ) -> CursorQuery[Broadcast]:
        """Gets broadcasts, newest first (``GET /api/v2/broadcasts.json``).

        :param uuid: the broadcast's UUID (RapidPro 26 servers; older ones ignore it and list all)
        :param before: only broadcasts created before this time
        :param after: only broadcasts created after this time
        :param id: the broadcast's integer id (deprecated by the server, still read)
        """
        return self._query(ep.BROADCASTS, uuid=uuid, id=id, before=before, after=after)

    def get_campaigns(self, uuid: Optional[Ref] = None) -> CursorQuery[Campaign]:
        """Gets campaigns (``GET /api/v2/campaigns.json``).

        :param uuid: the campaign's UUID
        """
        return self._query(ep.CAMPAIGNS, uuid=uuid)

    def get_campaign_events(
        self, uuid: Optional[Ref] = None, campaign: Optional[Ref] = None
    ) -> CursorQuery[CampaignEvent]:
        """Gets campaign events (``GET /api/v2/campaign_events.json``).

        :param uuid: the event's UUID
        :param campaign: only events of this campaign (object or UUID)
        """
        return self._query(ep.CAMPAIGN_EVENTS, uuid=uuid, campaign=campaign)

    def get_channels(self, uuid: Optional[Ref] = None, address: Optional[str] = None) -> CursorQuery[Channel]:
        """Gets channels (``GET /api/v2/channels.json``).

        :param uuid: the channel's UUID
        :param address: the channel's address, e.g. a phone number
        """
        return self._query(ep.CHANNELS, uuid=uuid, address=address)

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
        return self._query(ep.CHANNEL_EVENTS, id=id, contact=contact, before=before, after=after)

    def get_classifiers(
        self, uuid: Optional[Ref] = None, *, before: Optional[When] = None, after: Optional[When] = None
    ) -> CursorQuery[Classifier]:
        """Gets NLU classifiers (``GET /api/v2/classifiers.json``).

        :param uuid: the classifier's UUID
        :param before: only classifiers created before this time
        :param after: only classifiers created after this time
        """
        return self._query(ep.CLASSIFIERS, uuid=uuid, before=before, after=after)

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
        urn_order: Optional[str] = None,
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
        :param urn_order: ``"priority"`` to keep expanded URNs in the contact's priority order
            (RapidPro 26 servers)
        """
        return self._query(
            ep.CONTACTS,
            uuid=uuid,
            urn=urn,
            group=group,
            deleted=deleted,
            before=before,
            after=after,
            reverse=reverse,
            expand_urns=expand_urns,
            urn_order=urn_order,
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
            ep.DEFINITIONS, Export, flow=as_list(flows), campaign=as_list(campaigns), dependencies=dependencies
        )

    def get_fields(self, key: Optional[Ref] = None) -> CursorQuery[Field]:
        """Gets contact fields (``GET /api/v2/fields.json``).

        :param key: the field's key
        """
        return self._query(ep.FIELDS, key=key)

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
        return self._query(ep.FLOWS, uuid=uuid, type=type, archived=archived, before=before, after=after)

    def get_flow_starts(
        self,
        uuid: Optional[Ref] = None,
        *,
        before: Optional[When] = None,
        after: Optional[When] = None,
        reverse: Optional[bool] = None,
    ) -> CursorQuery[FlowStart]:
        """Gets flow starts made by users, most recently modified first (``GET /api/v2/flow_starts.json``).

        :param uuid: the flow start's UUID
        :param before: only starts modified before this time
        :param after: only starts modified after this time
        :param reverse: True for the oldest modified first
        """
        return self._query(ep.FLOW_STARTS, uuid=uuid, before=before, after=after, reverse=reverse)

    def get_globals(
        self,
        key: Optional[Ref] = None,
        *,
        before: Optional[When] = None,
        after: Optional[When] = None,
        reverse: Optional[bool] = None,
    ) -> CursorQuery[Global]:
        """Gets globals, most recently modified first (``GET /api/v2/globals.json``).

        :param key: the global's key
        :param before: only globals modified before this time
        :param after: only globals modified after this time
        :param reverse: True for the oldest modified first
        """
        return self._query(ep.GLOBALS, key=key, before=before, after=after, reverse=reverse)

    def get_groups(
        self, uuid: Optional[Ref] = None, name: Optional[str] = None, *, manual_only: Optional[bool] = None
    ) -> CursorQuery[Group]:
        """Gets contact groups (``GET /api/v2/groups.json``).

        :param uuid: the group's UUID
        :param name: the group's name (not with ``uuid``)
        :param manual_only: True for manual groups only, without smart ones (RapidPro 26 servers)
        """
        return self._query(ep.GROUPS, uuid=uuid, name=name, manual_only=manual_only)

    def get_labels(self, uuid: Optional[Ref] = None, name: Optional[str] = None) -> CursorQuery[Label]:
        """Gets message labels (``GET /api/v2/labels.json``).

        :param uuid: the label's UUID
        :param name: the label's name (not with ``uuid``)
        """
        return self._query(ep.LABELS, uuid=uuid, name=name)

    def get_messages(
        self,
        uuid: Optional[Ref] = None,
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

        :param uuid: the message's UUID (RapidPro 26 servers; older ones ignore it and list all)
        :param folder: ``"inbox"``, ``"flows"``, ``"archived"``, ``"outbox"``, ``"sent"`` or
            ``"failed"`` (any other name gives no messages)
        :param before: only messages created before this time
        :param after: only messages created after this time
        :param id: the message's integer id (deprecated by the server, still read)
        :param broadcast: only messages of this broadcast (object or integer id)
        :param contact: only messages of this contact (object or UUID)
        :param label: only messages with this label (object, UUID or name)
        """
        return self._query(
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
        return self._query(ep.OPTINS)

    def get_org(self, retry_on_rate_exceed: Optional[bool] = None) -> Org:
        """Gets the workspace of the token (``GET /api/v2/org.json``, deprecated: see :meth:`get_workspace`).

        :param retry_on_rate_exceed: whether to sleep and retry when the rate limit is exceeded
            (None: the client's default)
        """
        return self._get_one(ep.ORG, Org, retry_on_rate_exceed)

    def get_resthooks(self, *, reverse: Optional[bool] = None) -> CursorQuery[Resthook]:
        """Gets resthooks, most recently modified first (``GET /api/v2/resthooks.json``).

        :param reverse: True for the oldest modified first
        """
        return self._query(ep.RESTHOOKS, reverse=reverse)

    def get_resthook_events(self, resthook: Optional[str] = None) -> CursorQuery[ResthookEvent]:
        """Gets the events fired on resthooks, newest first (``GET /api/v2/resthook_events.json``).

        :param resthook: only events of this resthook (its slug)
        """
        return self._query(ep.RESTHOOK_EVENTS, resthook=resthook)

    def get_resthook_subscribers(
        self, id: Optional[Union[int, str]] = None, resthook: Optional[str] = None
    ) -> CursorQuery[ResthookSubscriber]:
        """Gets resthook subscribers (``GET /api/v2/resthook_subscribers.json``).

        :param id: the subscriber's id
        :param resthook: only subscribers of this resthook (its slug)
        """
        return self._query(ep.RESTHOOK_SUBSCRIBERS, id=id, resthook=resthook)

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
        return self._query(
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
        return self._query(ep.TEMPLATES, before=before, after=after)

    def get_tickets(
        self, uuid: Optional[Ref] = None, contact: Optional[Ref] = None, *, reverse: Optional[bool] = None
    ) -> CursorQuery[Ticket]:
        """Gets tickets, most recently modified first (``GET /api/v2/tickets.json``).

        :param uuid: the ticket's UUID (checked before sending: the server fails on a malformed one)
        :param contact: only tickets of this contact (object or UUID)
        :param reverse: True for the oldest modified first
        """
        return self._query(ep.TICKETS, uuid=uuid, contact=contact, reverse=reverse)

    def get_topics(self) -> CursorQuery[Topic]:
        """Gets ticket topics (``GET /api/v2/topics.json``)."""
        return self._query(ep.TOPICS)

    def get_users(
        self,
        role: Optional[Union[str, Sequence[str]]] = None,
        *,
        uuid: Optional[Union[Ref, Sequence[Ref]]] = None,
        email: Optional[Union[str, Sequence[str]]] = None,
    ) -> CursorQuery[User]:
        """Gets the users of the workspace, newest first (``GET /api/v2/users.json``).

        :param role: only users with this role, or any of these roles: ``"administrator"``,
            ``"editor"``, ``"agent"`` (older servers also ``"viewer"``, ``"surveyor"``)
        :param uuid: only the user with this UUID, or any of these (at most 100; RapidPro 26 servers)
        :param email: only the user with this e-mail address, or any of these (case-insensitive)
        """
        return self._query(ep.USERS, role=role, uuid=uuid, email=email)

    def get_statistics(
        self, since: Optional[Union[datetime.date, str]] = None, until: Optional[Union[datetime.date, str]] = None
    ) -> CursorQuery[Statistics]:
        """Gets daily message counts per channel, oldest day first (``GET /api/v2/statistics.json``;
        RapidPro 26 servers).

        :param since: the first day (inclusive; the server's default: 90 days ago)
        :param until: the day after the last (exclusive; the server's default: tomorrow); at most
            366 days after ``since``
        """
        return self._query(ep.STATISTICS, since=since, until=until)

    def get_workspace(self, retry_on_rate_exceed: Optional[bool] = None) -> Workspace:
        """Gets the workspace of the token (``GET /api/v2/workspace.json``).

        :param retry_on_rate_exceed: whether to sleep and retry when the rate limit is exceeded
            (None: the client's default)
        """
        return self._get_one(ep.WORKSPACE, Workspace, retry_on_rate_exceed)

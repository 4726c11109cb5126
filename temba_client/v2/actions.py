"""The client's bulk actions on contacts, messages and tickets (``bulk_*``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import List, Optional, Union

from ..base import NULL, BaseClient
from ..exceptions import TembaValidationError
from ..serialization import TembaObject
from . import endpoints as ep
from .args import Ref
from .types import Message, User, UserRef


class ActionsMixin(BaseClient):
    """The ``bulk_*`` methods of :class:`~temba_client.v2.TembaClient`."""

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
            raise TembaValidationError('For action "%s" you should also specify a group' % action, "non_field_errors")
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
            raise TembaValidationError('For action "%s" you should also specify a label' % action, "non_field_errors")
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
        if isinstance(assignee, (User, UserRef)):
            # the server reads the assignee by e-mail (a 26.x user's uuid would come first otherwise)
            if not assignee.email:
                raise ValueError("ticket_actions: the assignee has no email")
            assignee = assignee.email
        self._post_action(
            ep.TICKET_ACTIONS, tickets=tickets, action="assign", assignee=NULL if assignee is None else assignee
        )

    def bulk_add_ticket_note(self, tickets: Sequence[Ref], note: str) -> None:
        """Adds a note to tickets.

        :param tickets: tickets (objects or UUIDs; at most 100)
        :param note: the note (at most 4096 characters)
        """
        if note is None:
            raise TembaValidationError('For action "add_note" you must specify the note', "non_field_errors")
        self._post_action(ep.TICKET_ACTIONS, tickets=tickets, action="add_note", note=note)

    def bulk_change_ticket_topic(self, tickets: Sequence[Ref], topic: Ref) -> None:
        """Changes the topic of tickets.

        :param tickets: tickets (objects or UUIDs; at most 100)
        :param topic: the new topic (object or UUID)
        """
        if topic is None:
            raise TembaValidationError('For action "change_topic" you must specify the topic', "non_field_errors")
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

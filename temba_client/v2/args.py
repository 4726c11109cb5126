"""Argument types of the client's methods, and their conversions shared by several methods."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any, Dict, List, Union

from ..serialization import TembaObject
from .types import QuickReply

#: An object, or its identifier (a UUID, a name where the API accepts one, an id, a key, a URN...).
Ref = Union[str, int, TembaObject]
#: A quick reply: its text, a :class:`~temba_client.v2.types.QuickReply`, or its dict
#: ``{"type": "text", "text": ..., "extra": ...}``.
QuickReplyArg = Union[str, QuickReply, Dict[str, Any]]
#: A datetime (naive means UTC) or an ISO 8601 string.
When = Union[datetime.datetime, datetime.date, str]


def quick_replies_body(replies: Any) -> Any:
    """Quick replies as the server reads them: a text alone becomes ``{"text": ...}`` (RapidPro 26
    refuses plain strings); a per-language dict is converted language by language. Empty is None."""
    if not replies:
        return None
    if isinstance(replies, dict):
        return {language: quick_replies_body(items) or [] for language, items in replies.items()}
    if isinstance(replies, (str, bytes)):
        raise TypeError("quick_replies takes a list of quick replies, not a single %s" % type(replies).__name__)
    return [
        {"text": reply} if isinstance(reply, str) else reply.serialize() if isinstance(reply, QuickReply) else reply
        for reply in replies
    ]


def as_list(refs: Union[Ref, Iterable[Ref]]) -> List[Ref]:
    """One reference or several, as a list (a lone UUID string is one reference, not its characters)."""
    if isinstance(refs, (str, int, TembaObject)):
        return [refs]
    return list(refs)

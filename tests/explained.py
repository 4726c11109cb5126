"""What a traceback shows of an exception beyond its message: its notes."""

from __future__ import annotations


def notes_of(exc: BaseException) -> str:
    """The notes of an exception (``add_note()`` on 3.11+, ``__notes__`` before), one a line."""
    return "\n".join(getattr(exc, "__notes__", None) or [])

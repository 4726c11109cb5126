"""rapidpro-python 2.22's module of client base classes, kept so that code importing from it, or
patching ``temba_client.clients.request`` in its tests, keeps working.

Everything here lives elsewhere now: :mod:`temba_client.base` (the client base),
:mod:`temba_client.pagination` (queries) and :mod:`temba_client.utils` (``request``).
"""

from .base import MAX_RETRIES, BaseClient, BaseCursorClient
from .pagination import CursorIterator, CursorQuery
from .utils import request

__all__ = ["MAX_RETRIES", "BaseClient", "BaseCursorClient", "CursorIterator", "CursorQuery", "request"]

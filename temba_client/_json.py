"""JSON decoding and encoding for the transport: ``orjson`` when it is installed (the ``fast``
extra, ``pip install rapidpro-python[fast]``), the standard library otherwise.

orjson decodes a page several times faster than :func:`json.loads` and builds the same Python
values for everything the API sends. A body orjson rejects (e.g. a lone surrogate escape, which
the standard library accepts) is decoded again by :func:`json.loads`. One difference remains: an
integer beyond 64 bits becomes a float with orjson; the API's ids are 64-bit integers, and the
values of contact fields and results are strings, so no answer of the API is affected.

Set the environment variable ``TEMBA_CLIENT_NO_ORJSON=1`` (before the import) to use the
standard library even when orjson is installed.
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Optional, Union

__all__ = ["BACKEND", "dumps", "loads"]

_orjson_loads: Optional[Callable[[Union[bytes, str]], Any]] = None
if not os.environ.get("TEMBA_CLIENT_NO_ORJSON"):
    try:  # pragma: no cover - depends on what is installed
        import orjson  # type: ignore[import-not-found, unused-ignore]

        _orjson_loads = orjson.loads
    except ImportError:  # pragma: no cover - depends on what is installed
        pass

#: ``"orjson"`` or ``"json"``: what :func:`loads` decodes with.
BACKEND = "orjson" if _orjson_loads is not None else "json"


def loads(data: Union[bytes, str]) -> Any:
    """Decodes a JSON document.

    :param data: the document
    :raises ValueError: if it is not valid JSON (:class:`json.JSONDecodeError` is one)
    """
    if _orjson_loads is not None:
        try:
            return _orjson_loads(data)
        except ValueError:  # orjson.JSONDecodeError is a ValueError: let the standard library judge
            pass
    return json.loads(data)


def dumps(value: Any) -> bytes:
    """Encodes a value as compact UTF-8 JSON; NaN and infinities are refused.

    :param value: a JSON-able value
    :raises ValueError: for NaN or infinity (JSON has neither)
    """
    return json.dumps(value, allow_nan=False, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

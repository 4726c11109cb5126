"""JSON decoding and encoding for the transport and the archives: ``msgspec`` or ``orjson`` when
installed (the ``fast`` extra, ``pip install rapidpro-python[fast]``), the standard library
otherwise.

Both decode a page about twice as fast as :func:`json.loads` and build the same Python values for
everything the API sends. A document they reject (NaN, a lone surrogate escape, a number out of
range, another encoding than UTF-8: all of which the standard library reads) is decoded again by
:func:`json.loads`, so the result is the standard library's. msgspec is preferred: its values are
exactly the standard library's; orjson alone makes an integer beyond 64 bits a float (the API's ids
are 64-bit integers, and the values of contact fields and results are strings, so no answer of the
API is affected).

Set the environment variable ``TEMBA_CLIENT_NO_MSGSPEC=1`` or ``TEMBA_CLIENT_NO_ORJSON=1`` (before
the import) not to use one even when it is installed.
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Optional, Tuple, Type, Union

__all__ = ["BACKEND", "dumps", "loads"]

_fast_loads: Optional[Callable[[Union[bytes, str]], Any]] = None
#: What the fast decoder raises for a document it rejects (msgspec's DecodeError is no ValueError
#: in msgspec 0.20, which pip installs on Python 3.9).
_FAST_ERRORS: Tuple[Type[Exception], ...] = (ValueError,)
#: ``"msgspec"``, ``"orjson"`` or ``"json"``: what :func:`loads` decodes with.
BACKEND = "json"
if not os.environ.get("TEMBA_CLIENT_NO_MSGSPEC"):
    try:  # pragma: no cover - depends on what is installed
        import msgspec  # type: ignore[import-not-found, unused-ignore]

        _fast_loads, BACKEND = msgspec.json.Decoder().decode, "msgspec"
        _FAST_ERRORS = (ValueError, msgspec.DecodeError)
    except ImportError:  # pragma: no cover - depends on what is installed
        pass
if _fast_loads is None and not os.environ.get("TEMBA_CLIENT_NO_ORJSON"):
    try:  # pragma: no cover - depends on what is installed
        import orjson  # type: ignore[import-not-found, unused-ignore]

        _fast_loads, BACKEND = orjson.loads, "orjson"
    except ImportError:  # pragma: no cover - depends on what is installed
        pass


def loads(data: Union[bytes, str]) -> Any:
    """Decodes a JSON document.

    :param data: the document
    :raises ValueError: if it is not valid JSON (:class:`json.JSONDecodeError` is one)
    """
    if _fast_loads is not None:
        try:
            return _fast_loads(data)
        except _FAST_ERRORS:  # msgspec's DecodeError, orjson's JSONDecodeError: let the standard library judge
            pass
    return json.loads(data)


def dumps(value: Any) -> bytes:
    """Encodes a value as compact UTF-8 JSON; NaN and infinities are refused.

    :param value: a JSON-able value
    :raises ValueError: for NaN or infinity (JSON has neither)
    """
    return json.dumps(value, allow_nan=False, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

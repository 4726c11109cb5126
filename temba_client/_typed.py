"""Pages of results decoded straight into model objects with ``msgspec``, when it is installed (the
``fast`` extra, ``pip install rapidpro-python[fast]``).

For a model class, a ``msgspec.Struct`` type mirrors its fields (nested models by their own Struct,
every other value as ``Any``), with ``forbid_unknown_fields``; a generated function then turns each
Struct into the model object, with the same conversion lines as the class's generated
``deserialize`` (see :mod:`temba_client._codegen`): the same datetime parsing, shared strings and
checks. A page is decoded from its bytes by one C call, without building a dict per object.

The result is exactly what :meth:`TembaObject.deserialize_list` gives from ``json.loads`` of the
same bytes, or nothing: anything msgspec does not decode exactly as the standard library does, or
that the model objects would not take as they are (a key the model does not declare, a value of
another JSON type than declared, NaN, a lone surrogate, an error while converting), makes
:func:`page_decoder`'s function return None, and the caller decodes the page the ordinary way,
which gives the ordinary result or error. A model that overrides ``deserialize``, or has a field
with a ``fallback_src``, has no typed decoder.

Set the environment variable ``TEMBA_CLIENT_NO_MSGSPEC=1`` (before the import) not to use msgspec
even when it is installed.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple, Type

from . import _codegen

if TYPE_CHECKING:  # pragma: no cover
    from .serialization import TembaObject

__all__ = ["AVAILABLE", "TypedPage", "page_decoder"]

_msgspec: Any = None
if not os.environ.get("TEMBA_CLIENT_NO_MSGSPEC"):
    try:  # pragma: no cover - depends on what is installed
        import msgspec as _msgspec  # type: ignore[import-not-found, no-redef, unused-ignore]
    except ImportError:  # pragma: no cover - depends on what is installed
        _msgspec = None

#: Whether pages are decoded with msgspec.
AVAILABLE = _msgspec is not None


class TypedPage:
    """A page decoded by a typed decoder: its model objects and its ``next`` link, as the server
    sent it (not checked here)."""

    __slots__ = ("next", "objects")

    def __init__(self, objects: List[Any], next_link: Any) -> None:
        self.objects = objects
        self.next = next_link


#: Each model class's page decoder (None: it has none), made on first use.
_DECODERS: Dict[type, Optional[Callable[[bytes], Optional[TypedPage]]]] = {}
_LOCK = threading.Lock()
#: Each model class's Struct type, conversion function and its source, made once (under _LOCK).
_BUILT: Dict[type, Tuple[Any, Callable[[Any], Any], str]] = {}
_List: Any = List
_Dict: Any = Dict
_Optional: Any = Optional


def page_decoder(cls: type) -> Optional[Callable[[bytes], Optional[TypedPage]]]:
    """The function that decodes a page of ``cls`` objects from its bytes, or None where msgspec
    is not installed or the model cannot be decoded this way.

    The function returns a :class:`TypedPage`, or None when the page must be decoded the ordinary
    way.

    :param cls: a model class (a :class:`~temba_client.serialization.TembaObject` subclass)
    """
    if not AVAILABLE:
        return None
    with _LOCK:
        if cls not in _DECODERS:
            _DECODERS[cls] = _make_page_decoder(cls)
        return _DECODERS[cls]


def _make_page_decoder(cls: type) -> Optional[Callable[[bytes], Optional[TypedPage]]]:
    if _model(cls) is None:
        return None
    struct, convert, _ = _BUILT[cls]

    page_type = _msgspec.defstruct("Page", [("results", _List[struct]), ("next", Any, None)], gc=False)
    decode = _msgspec.json.Decoder(page_type).decode
    from .serialization import _SHARED_STRINGS, _SHARED_STRINGS_LIMIT

    def decode_page(content: bytes) -> Optional[TypedPage]:
        try:
            page = decode(content)
            if len(_SHARED_STRINGS) > _SHARED_STRINGS_LIMIT:
                _SHARED_STRINGS.clear()
            return TypedPage([convert(item) for item in page.results], page.next)
        except Exception:  # anything at all: the ordinary way gives the ordinary result or error
            return None

    return decode_page


def _model(cls: Any) -> Optional[Any]:
    """Makes the Struct type and the conversion function of a model class (and of its nested
    models) into ``_BUILT``, once; returns the Struct type, or None if the class cannot have one."""
    if cls in _BUILT:
        return _BUILT[cls][0]
    function = getattr(cls, "_deserialize_function", None)
    if function is None or getattr(cls.deserialize, "__func__", None) is not function:
        return None  # the class (or a base) overrides deserialize: it is called as it is
    from .serialization import _HELPERS, _kind_of

    fields = cls._fields
    if any(field.fallback_src for field in fields.values()):
        return None
    struct_fields: List[Tuple[str, Any, Any]] = []
    children: Dict[int, str] = {}
    lines = [
        "def convert(s):",
        '    """Creates a %s from its msgspec Struct (generated, see temba_client._typed)."""' % cls.__qualname__,
        "    obj = _new(_cls)",
    ]
    code: Dict[str, Any] = dict(_HELPERS, _cls=cls)
    for index, (attr, field) in enumerate(fields.items()):
        kind = _kind_of(field)
        struct_attr = "f%d" % index  # a name of ours: no field name can clash with msgspec's own
        annotation: Any = Any
        _codegen.bind_field(code, index, field, kind)
        if kind.startswith("object"):
            item_class: Any = field.item_class
            child = _model(item_class)
            if child is None:  # decoded as plain values, built by the child's own deserialize
                children[index] = _codegen._child_call(code, index, item_class)
            else:
                code["_t%d" % index] = _BUILT[item_class][1]
                code["_s%d" % index] = child
                children[index] = "_t%d(%%s)" % index
                # the types are made at run time: typing's generics, through Any for type checkers
                annotation = {"object": child, "object_list": _List[child], "object_dict": _Dict[str, child]}[kind]
                annotation = _Optional[annotation]
        struct_fields.append((struct_attr, annotation, _msgspec.field(default=None, name=field.src or attr)))
        objects = "_s%d" % index if "_s%d" % index in code else "dict"
        lines.extend(
            _codegen.convert_lines(
                attr,
                kind,
                index,
                "s.%s" % struct_attr,
                children,
                str(_HELPERS["_server_datetime_expr"]),
                "    ",
                objects,
            )
        )
    lines.append("    return obj")
    struct = _msgspec.defstruct("%sStruct" % cls.__name__, struct_fields, forbid_unknown_fields=True, gc=False)
    source = "\n".join(lines) + "\n"
    _BUILT[cls] = (
        struct,
        _codegen.compile_function(source, "convert", "%s typed convert" % cls.__qualname__, code),
        source,
    )
    return struct


def source_of(cls: Type[TembaObject]) -> Optional[str]:
    """The generated source of the function that turns a ``cls`` Struct into a ``cls`` object, or
    None where there is none (for reading, as ``_deserialize_source``).

    :param cls: a model class
    """
    if page_decoder(cls) is None:
        return None
    return _BUILT[cls][2]

"""Pages of results (and archive lines) decoded by ``msgspec`` straight into model objects, when it
is installed (the ``fast`` extra, ``pip install rapidpro-python[fast]``).

For a model class, say :class:`~temba_client.v2.types.Run`, a ``msgspec.Struct`` class mirrors its
fields (:func:`struct_of`): nested models by their own Struct, every other value as the JSON has
it. msgspec decodes a page's bytes into those objects in one C call: no dict and no second object
per record. Then one generated pass over the page's objects (:func:`_finisher`) converts their
datetime fields and keeps the strings of their ``shared`` fields (values that repeat across
objects) once in memory, with the same generated lines as the models' ``deserialize`` (see
:mod:`temba_client._codegen`): msgspec's own datetime parsing is not used, as it rounds a seventh
fractional digit where the client truncates it, and keeps an offset that the client gives in UTC.
(One pass per page rather than msgspec's ``dec_hook`` per value, which costs about three times as
much, or a ``__post_init__`` per object, which lets the garbage collector run in the middle of the
decoding.) Fields with a ``vocabulary`` (a status) are decoded as msgspec literals, whose values
msgspec keeps once itself (see :func:`_make_page_decoder`).

The Struct classes (:mod:`temba_client._structs`) are of two kinds: those of the objects a query
returns have an instance dict, for attributes of the caller's own; those of objects only ever
reached as a field of another (a reference, a path step, a result value) are slim, and most of
them outside the garbage collector altogether.

The objects are the model's objects: ``isinstance(run, Run)``, the same attributes with the same
values and types, ``serialize()``, ``repr()``, :func:`~temba_client.serialization.extra_fields`,
pickling and copies (as ordinary model objects), equality and hashing by identity. What differs:
``type(obj)`` is the Struct class, ``vars(obj)`` (``obj.__dict__``) is a new dict of the fields and
the caller's own attributes each time, which writes through to the object (see
:class:`temba_client._structs._Attributes`), and nested objects take no attributes of the caller's own.

The result is exactly what ``json.loads`` and :meth:`TembaObject.deserialize_list` give for the
same bytes, or nothing: the decoder returns None, and the caller decodes the page the ordinary way,
for anything msgspec would not decode exactly as that: a key the model does not declare, a nested
object or a date of another JSON type (the ordinary way keeps it as sent), NaN, an out-of-range
number, a lone surrogate, invalid JSON. A model that overrides ``deserialize``, has a field of a
class this module does not know or a ``fallback_src``, or a class of the caller's own that defines
``__slots__``, ``__setattr__`` or ``__getattribute__``, has no typed decoder.

Set the environment variable ``TEMBA_CLIENT_NO_MSGSPEC=1`` (before the import) not to use msgspec
even when it is installed.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Callable, Dict, List, Optional, Tuple

from ._codegen import SKIP_AFTER_MISS  # (as the generated deserializers skip their fast path)

__all__ = ["AVAILABLE", "TypedPage", "page_decoder", "record_decoder", "struct_of"]

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


#: Each model class's page decoder, made on first use.
_DECODERS: Dict[type, Optional[Callable[[bytes], Optional[TypedPage]]]] = {}
_LOCK = threading.RLock()


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


def struct_of(cls: type) -> Optional[type]:
    """The Struct class of model class ``cls`` whose objects msgspec builds, made once; None
    where msgspec is not installed or the class cannot have one (see the module's docstring).

    :param cls: a model class
    """
    if not AVAILABLE:
        return None
    from . import _structs

    return _structs.struct(cls, False)


def record_decoder(cls: type, extra: Tuple[str, ...] = ()) -> Optional[Callable[[bytes], Any]]:
    """The function that decodes one JSON object (an archive line) into a ``cls`` object, or None
    where msgspec is not installed or the model cannot be decoded this way.

    The function returns the object, or None when the line must be decoded the ordinary way (as for
    a page, see the module's docstring). The object holds the keys named in ``extra`` as attributes
    (not as fields: the caller says what they become), None where the line lacks them.

    :param cls: a model class
    :param extra: keys of the line that the model does not declare
    """
    struct = struct_of(cls)
    if struct is None:
        return None
    with _LOCK:
        key = (struct, extra)
        if key not in _RECORD_DECODERS:
            if extra:
                namespace: Dict[str, Any] = dict.fromkeys(extra)
                namespace.update(__annotations__=dict.fromkeys(extra, Any), __module__=__name__)
                namespace.update(__qualname__=struct.__qualname__)
                struct = type(struct)(struct.__name__, (struct,), namespace, forbid_unknown_fields=True)
            _RECORD_DECODERS[key] = _msgspec.json.Decoder(struct).decode, _finisher(struct)
        decode, finish = _RECORD_DECODERS[key]

    def decode_record(content: bytes) -> Any:
        try:
            record = decode(content)
        except Exception:  # anything at all: the ordinary way gives the ordinary result or error
            return None
        if finish is not None:
            finish((record,))
        return record

    return decode_record


#: (decode, finish) of each record decoder, by Struct and extra keys
_RECORD_DECODERS: Dict[
    Tuple[type, Tuple[str, ...]], Tuple[Callable[[bytes], Any], Optional[Callable[[Any], None]]]
] = {}


def _make_page_decoder(cls: type) -> Optional[Callable[[bytes], Optional[TypedPage]]]:
    """The page decoder of model class ``cls`` (see :func:`page_decoder`), or None.

    Where the model has fields with a ``vocabulary``, a page is decoded first with the Struct
    variant that reads them as literals (:func:`temba_client._structs.struct`), and only if that fails (a value outside
    a vocabulary, or anything else msgspec refuses) with the plain one; after such a failure, the
    next :data:`SKIP_AFTER_MISS` pages go straight to the plain one, so that a server sending other
    values does not pay a failed attempt per page."""
    from . import _structs

    plain, literal = _structs.struct(cls, False), _structs.struct(cls, True)
    if plain is None or literal is None:
        return None
    decode_plain = _page_decoding(plain)
    decode_literal = _page_decoding(literal) if literal is not plain else None
    skip = [0]

    def decode_page(content: bytes) -> Optional[TypedPage]:
        try:
            if decode_literal is not None:
                if skip[0] > 0:  # (not truthiness: threads racing on it may leave it below zero)
                    skip[0] -= 1
                else:
                    try:
                        page = decode_literal(content)
                        return TypedPage(page.results, page.next)
                    except Exception:
                        skip[0] = SKIP_AFTER_MISS
            page = decode_plain(content)
        except Exception:  # anything at all: the ordinary way gives the ordinary result or error
            return None
        return TypedPage(page.results, page.next)

    return decode_page


def _page_decoding(struct: type) -> Callable[[bytes], Any]:
    """The function that decodes a page of ``struct`` objects and finishes them (see
    :func:`_finisher`), then forgets the shared strings once they grew past their limit."""
    page_type = _msgspec.defstruct("Page", [("results", List[struct]), ("next", Any, None)])  # type: ignore[valid-type]
    decode = _msgspec.json.Decoder(page_type).decode
    finish = _finisher(struct)

    def decode_page(content: bytes) -> Any:
        page = decode(content)
        if finish is not None:
            finish(page.results)
        _trim_shared()
        return page

    return decode_page


def _finisher(struct: Any) -> Optional[Callable[[Any], None]]:
    """The function that finishes objects msgspec built as ``struct`` objects, given a list (a
    page's results), made once; None where there is nothing to do.

    It converts the values of their datetime fields and shares the strings of their ``shared``
    fields (values that repeat across objects), nested objects' included, with the lines of the
    models' own ``deserialize`` (a value that is not a datetime string is kept as sent, as there).
    It runs once per page, after msgspec decoded the whole page in one C call, rather than as
    each object's ``__post_init__`` (which msgspec would call during the decoding): Python code
    running in the middle of the decoding lets the garbage collector run there, every few hundred
    objects allocated, instead of once per page as after ``json.loads``; for contacts that is 715
    collections instead of 400 over 100,000 records, and about 6% of the CPU time of ``.all()``.
    """
    with _LOCK:
        if struct not in _FINISHERS:
            from . import _codegen
            from .serialization import _HELPERS

            namespace: Dict[str, Any] = dict(_HELPERS)
            body = _finish_lines(struct, "obj", "        ", namespace, [0])
            source = "def finish(objects):\n    for obj in objects:\n%s\n" % "\n".join(body)
            function = None
            if body:
                shown_as = "%s typed finish" % struct.__qualname__
                function = _codegen.compile_function(source, "finish", shown_as, namespace)
            _FINISHERS[struct] = function
        return _FINISHERS[struct]


_FINISHERS: Dict[Any, Optional[Callable[[Any], None]]] = {}


def _finish_lines(struct: Any, name: str, indent: str, namespace: Dict[str, Any], counter: List[int]) -> List[str]:
    """The lines of :func:`_finisher` for the object in variable ``name``, a ``struct`` object, and
    its nested objects (msgspec checked their types: None, or objects of their Struct, in a list or
    a dict for lists and dicts of them; strings or URN objects in a contact's URNs)."""
    from . import _codegen
    from .serialization import _HELPERS, DatetimeField

    lines = []
    for attr, kind in struct._typed_converted:
        index = counter[0] = counter[0] + 1
        _codegen.bind_field(namespace, index, DatetimeField(), kind)
        store = "%s.%s" % (name, attr)
        lines.append("%sv = %s" % (indent, store))
        if kind == "shared":
            lines.append("%sif v.__class__ is str:" % indent)
            lines.append("%s    %s = _share(v, v)" % (indent, store))
        else:
            lines.append("%sif v is not None:" % indent)
            expression = str(_HELPERS["_server_datetime_expr"])
            lines.extend(_codegen.convert_lines(attr, kind, index, "v", {}, expression, indent + "    ", store, True))
    for attr, kind, child in struct._typed_children:
        number = counter[0] = counter[0] + 1
        value, item = "o%d" % number, "x%d" % number
        if kind == "object":
            inner = _finish_lines(child, value, indent + "    ", namespace, counter)
            head = ["if %s is not None:" % value]
        else:
            inner = _finish_lines(child, item, indent + "        ", namespace, counter)
            items = "%s.values()" % value if kind == "object_dict" else value
            head = ["if %s:" % value, "    for %s in %s:" % (item, items)]
            if kind == "urn_list":
                inner = ["%s        if %s.__class__ is not str:" % (indent, item)] + ["    " + line for line in inner]
        if inner:
            lines.append("%s%s = %s.%s" % (indent, value, name, attr))
            lines.extend(indent + line for line in head)
            lines.extend(inner)
    return lines


if AVAILABLE:  # pragma: no branch
    from .serialization import _trim_shared

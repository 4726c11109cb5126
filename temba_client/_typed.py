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

Two kinds of Struct:

- the objects a query returns (a ``Run``) have an instance dict, for attributes of the caller's
  own (``dict=True``), and are tracked by the cyclic garbage collector while they hold a container;
- objects only ever reached as a field of another (a reference, a path step, a result value: see
  :func:`_nested_only`) are slim: no instance dict (setting an attribute that is not a field raises
  ``AttributeError``), no weak references, and, where they can only hold atomic values and other
  such objects, outside the garbage collector altogether (``gc=False``: not tracked, not even
  counted towards its next collection; a cycle made through their fields is never collected).

The Struct class of a model of :mod:`temba_client.v2.types` is not a subclass of it but is
registered as a virtual one (:func:`_virtual_struct`), with the models' methods from their slotted
base :class:`~temba_client.serialization._ModelBehaviour`; the Struct class of a model of the
caller's own is a subclass of it, with its methods as they are.

The objects are the model's objects: ``isinstance(run, Run)``, the same attributes with the same
values and types, ``serialize()``, ``repr()``, :func:`~temba_client.serialization.extra_fields`,
pickling and copies (as ordinary model objects), equality and hashing by identity. What differs:
``type(obj)`` is the Struct class, ``vars(obj)`` (``obj.__dict__``) is a new dict of the fields and
the caller's own attributes each time, which writes through to the object (see
:class:`_Attributes`), and nested objects take no attributes of the caller's own.

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

import datetime
import os
import threading
from typing import Any, Callable, Dict, List, Literal, Optional, Tuple

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


#: Each model class's Struct (None: it cannot have one), and its page decoder, made on first use.
_STRUCTS: Dict[Tuple[type, bool], Optional[type]] = {}
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
    """The Struct subclass of model class ``cls`` whose objects msgspec builds, made once; None
    where msgspec is not installed or the class cannot have one (see the module's docstring).

    :param cls: a model class
    """
    if not AVAILABLE:
        return None
    return _struct(cls, False)


def _struct(cls: type, vocabulary: bool) -> Optional[type]:
    """:func:`struct_of`, or with ``vocabulary`` its variant that decodes the values of fields with
    a ``vocabulary`` (at any depth) as msgspec literals (the same as the plain one where there are
    none): msgspec then gives the same string object for each value, so that they need no sharing
    by the finisher; a page with another value fails to decode this way."""
    return _made_once(_STRUCTS, _make_struct, cls, vocabulary)


def _made_once(
    made: Dict[Tuple[type, bool], Optional[type]],
    make: Callable[[type, bool], Optional[type]],
    cls: type,
    vocabulary: bool,
) -> Optional[type]:
    """``make(cls, vocabulary)``, made once and kept in ``made`` (None: the class cannot have a
    Struct); the vocabulary variant of a model that has no vocabulary is its plain one."""
    if vocabulary and not _has_vocabulary(cls, set()):
        vocabulary = False
    with _LOCK:
        key = (cls, vocabulary)
        if key not in made:
            made[key] = None  # a model nested in itself cannot have one
            try:
                made[key] = make(cls, vocabulary)
            except Exception:  # pragma: no cover - a class of the caller's own msgspec refuses
                made[key] = None
        return made[key]


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
            _RECORD_DECODERS[key] = _msgspec.json.Decoder(struct).decode
        decode = _RECORD_DECODERS[key]
        finish = _finisher(struct)

    def decode_record(content: bytes) -> Any:
        try:
            record = decode(content)
        except Exception:  # anything at all: the ordinary way gives the ordinary result or error
            return None
        if finish is not None:
            finish((record,))
        return record

    return decode_record


_RECORD_DECODERS: Dict[Tuple[type, Tuple[str, ...]], Callable[[bytes], Any]] = {}


def _make_page_decoder(cls: type) -> Optional[Callable[[bytes], Optional[TypedPage]]]:
    """The page decoder of model class ``cls`` (see :func:`page_decoder`), or None.

    Where the model has fields with a ``vocabulary``, a page is decoded first with the Struct
    variant that reads them as literals (:func:`_struct`), and only if that fails (a value outside
    a vocabulary, or anything else msgspec refuses) with the plain one; after such a failure, the
    next :data:`SKIP_AFTER_MISS` pages go straight to the plain one, so that a server sending other
    values does not pay a failed attempt per page."""
    plain, literal = _struct(cls, False), _struct(cls, True)
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


#: After a page failed to decode with its model's vocabularies, this many pages skip them.
SKIP_AFTER_MISS = 64


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


# ------------------------------------------------------------------------------------------------
# The Struct subclasses of the models


def _own_attributes(obj: Any) -> Dict[str, Any]:
    """The instance dict of a Struct-built object: the attributes set by other code (none on a
    nested object's, which has no instance dict)."""
    get = obj._instance_dict
    if get is None:
        return {}
    own: Dict[str, Any] = get(obj)
    return own


class _Attributes(Dict[str, Any]):
    """What ``vars(obj)`` (``obj.__dict__``) gives for an object msgspec built: a new dict of its
    fields and of the attributes set by other code, as an ordinary object's ``__dict__`` holds them.
    Changes made through it (``d[k] = v``, ``del d[k]``, ``update``, ``setdefault``, ``pop``) are
    made to the object too."""

    __slots__ = ("_obj",)

    def __init__(self, obj: Any) -> None:
        super().__init__(obj._values())
        self.update(_own_attributes(obj))
        self._obj = obj

    def __setitem__(self, key: str, value: Any) -> None:
        if getattr(self, "_obj", None) is not None:
            setattr(self._obj, key, value)
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        delattr(self._obj, key)

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]

    def pop(self, key: str, *default: Any) -> Any:
        if key not in self and default:
            return default[0]
        value = self[key]
        del self[key]
        return value


def _reduce(obj: Any) -> Tuple[Callable[..., Any], Tuple[Any, ...]]:
    """How a Struct-built object pickles (and deep-copies): as an ordinary object of its model, so
    that it unpickles wherever the model class is, with msgspec or without."""
    return _rebuild, (obj._model, dict(obj._values()), dict(_own_attributes(obj)))


def _copy(obj: Any) -> Any:
    """``copy.copy()``: a shallow copy, as an ordinary object of its model (as pickling gives)."""
    function, args = _reduce(obj)
    return function(*args)


def _rebuild(model: type, fields: Dict[str, Any], own: Dict[str, Any]) -> Any:
    obj: Any = object.__new__(model)
    obj.__dict__.update(fields)
    obj.__dict__.update(own)
    return obj


def _from_model(name: str) -> Callable[..., Any]:
    def call(cls: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(cls._model, name)(*args, **kwargs)

    call.__name__ = name
    return call


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


def _namespace(cls: Any, vocabulary: bool) -> Optional[Dict[str, Any]]:
    """What the Struct class of model ``cls`` holds whichever its kind (see :func:`struct_of` and
    :func:`_nested_struct_of`): its fields (by JSON key), what :func:`_finisher` converts and
    what makes its objects the model's; None where the class cannot have one (see the module's docstring). With
    ``vocabulary``, the values of fields with a vocabulary are literals (see :func:`_struct`)."""
    from .serialization import TembaObject, _kind_of

    function = getattr(cls, "_deserialize_function", None)
    if function is None or getattr(cls.deserialize, "__func__", None) is not function:
        return None  # the class (or a base) overrides deserialize: it is called as it is
    for klass in cls.__mro__[: cls.__mro__.index(TembaObject)]:
        if klass.__module__ != _TYPES and any(
            name in klass.__dict__ for name in ("__slots__", "__setattr__", "__getattribute__", "__init_subclass__")
        ):
            return None  # a class of the caller's own that handles its attributes itself
    annotations: Dict[str, Any] = {}
    namespace: Dict[str, Any] = {}
    converted = []  # the fields the finisher converts
    children = []  # the fields holding nested objects: (attribute, kind, their Struct)
    for attr, field in cls._fields.items():
        if field.fallback_src:
            return None
        kind = _kind_of(field)
        if vocabulary and kind == "shared" and len(getattr(field, "vocabulary", ())) > 0:
            kind = "literal"
        if kind in ("shared", "datetime"):
            converted.append((attr, kind))
        annotation = _annotation(field, kind, vocabulary)
        if annotation is None:
            return None
        annotations[attr] = annotation
        if kind.startswith("object"):
            children.append((attr, kind, _nested_struct_of(field.item_class, vocabulary)))
        elif kind == "convert" and _is_urn_list(field):
            children.append((attr, "urn_list", _nested_struct_of(_urn_class(), vocabulary)))
        src = field.src or attr
        namespace[attr] = _msgspec.field(default=None, name=src) if src != attr else None
    namespace.update(
        _typed_converted=tuple(converted),
        _typed_children=tuple(children),
        __annotations__=annotations,
        __module__=__name__,
        __qualname__=cls.__qualname__,
        __doc__=cls.__doc__,
        __reduce__=_reduce,
        __copy__=_copy,
        __dict__=property(_Attributes, doc="The object's fields and its own attributes (see _Attributes)."),
        _model=cls,
        _slotted=True,
        # the class methods of an object's type make ordinary objects of its model
        create=classmethod(_from_model("create")),
        deserialize=classmethod(_from_model("deserialize")),
        deserialize_list=classmethod(_from_model("deserialize_list")),
    )
    return namespace


def _make_struct(cls: Any, vocabulary: bool) -> Optional[type]:
    """The Struct class of the objects of model class ``cls`` that a page holds (what a query
    returns): objects with an instance dict, for attributes of the caller's own, tracked by the
    garbage collector while they hold a container."""
    from .serialization import TembaObject

    namespace = _namespace(cls, vocabulary)
    if namespace is None:
        return None
    if all(klass.__module__ == _TYPES for klass in cls.__mro__[: cls.__mro__.index(TembaObject)]):
        return _virtual_struct(cls, namespace, dict=True, weakref=True)
    # a class of the caller's own: a Struct subclass of it, with its methods as they are
    namespace["_instance_dict"] = staticmethod(_INSTANCE_DICT)
    meta = _metaclass(type(cls))
    struct: type = meta(
        cls.__name__, (cls, _msgspec.Struct), namespace, forbid_unknown_fields=True, dict=True, eq=False
    )
    return struct


def _nested_only(cls: type) -> bool:
    """Whether the objects of model class ``cls`` are only ever reached as a field of another
    object (a reference, a path step, a result value...): a class of :mod:`temba_client.v2.types`
    that no endpoint returns."""
    from .base import Endpoint
    from .v2 import endpoints

    if cls.__module__ != _TYPES:
        return False  # a class of the caller's own: its objects keep an instance dict
    returned = {value.obj_class for value in vars(endpoints).values() if isinstance(value, Endpoint)}
    return not any(issubclass(klass, cls) for klass in returned if klass is not None)


def _nested_struct_of(cls: type, vocabulary: bool) -> Optional[type]:
    """The Struct class that msgspec builds the objects of model class ``cls`` as when they are a
    field of another object, made once: for a class whose objects are only ever reached so (see
    :func:`_nested_only`), a slim Struct (:func:`_make_nested_struct`), else :func:`_struct`'s."""
    return _made_once(_NESTED, _make_child_struct, cls, vocabulary)


def _make_child_struct(cls: Any, vocabulary: bool) -> Optional[type]:
    return _make_nested_struct(cls, vocabulary) if _nested_only(cls) else _struct(cls, vocabulary)


_NESTED: Dict[Tuple[type, bool], Optional[type]] = {}


def _has_vocabulary(cls: Any, seen: set) -> bool:
    """Whether model class ``cls`` has a field with a ``vocabulary``, at any depth."""
    from .serialization import ObjectField

    seen.add(cls)
    for field in cls._fields.values():
        if getattr(field, "shared", False) and getattr(field, "vocabulary", ()):
            return True
        child = field.item_class if isinstance(field, ObjectField) else _urn_class() if _is_urn_list(field) else None
        if child is not None and child not in seen and _has_vocabulary(child, seen):
            return True
    return False


def _make_nested_struct(cls: Any, vocabulary: bool) -> Optional[type]:
    """The slim Struct class of a model class whose objects are only ever nested in others: its
    objects have no instance dict (setting an attribute that is not a field raises
    ``AttributeError``) and no weak references, and those that can only hold atomic values and
    other such objects (a reference, a path step) are outside the cyclic garbage collector
    altogether (``gc=False``): they cost it nothing, not even a count towards its next collection.
    """
    namespace = _namespace(cls, vocabulary)
    if namespace is None:
        return None
    return _virtual_struct(cls, namespace, **({} if _may_hold_containers(cls, vocabulary) else {"gc": False}))


def _virtual_struct(cls: Any, namespace: Dict[str, Any], **options: Any) -> type:
    """A Struct class for model class ``cls`` (a class of :mod:`temba_client.v2.types`) that is
    not a subclass of it but is registered as a virtual one, so ``isinstance(obj, cls)`` holds.

    Its methods come from :class:`~temba_client.serialization._ModelBehaviour`, as the models'
    own do, and its class attributes (``_repr_attrs``...) from the model. Not inheriting the model
    keeps its objects out of the model's layout (an instance dict and weak references, which a
    Struct outside the garbage collector cannot have) and out of ``TembaObject.__getattr__``
    (which reads keys the model does not declare: objects msgspec builds never have any), whose
    mere presence makes every ``getattr()`` slower. ``options`` are msgspec's (``gc``, ``dict``...).
    """
    from .serialization import TembaField, TembaObject, _ModelBehaviour

    for klass in reversed(cls.__mro__[: cls.__mro__.index(TembaObject)]):
        for name, value in vars(klass).items():  # the model's own class attributes (_repr_attrs...)
            if not (name.startswith("__") or name in _NOT_COPIED or isinstance(value, TembaField)):
                namespace[name] = value
    namespace.update(_fields=cls._fields, _serialized=cls._serialized, _instance_dict=None)
    meta: Any = type(_msgspec.Struct)
    config = dict(forbid_unknown_fields=True, eq=False, **options)
    if not options.get("dict"):
        struct: type = meta(cls.__name__, (_ModelBehaviour, _msgspec.Struct), namespace, **config)
    else:
        # the instance dict's own descriptor, which the __dict__ property (vars()) hides on a subclass
        vars_property = namespace.pop("__dict__")
        base = meta(cls.__name__, (_ModelBehaviour, _msgspec.Struct), namespace, **config)
        struct = meta(cls.__name__, (base,), {
            "__dict__": vars_property,
            "_instance_dict": staticmethod(base.__dict__["__dict__"].__get__),
            "__module__": __name__,
            "__qualname__": cls.__qualname__,
            "__doc__": cls.__doc__,
        })  # fmt: skip
    cls.register(struct)
    return struct


_TYPES = "temba_client.v2.types"
#: what a Struct registered as a virtual subclass of a model does not take from the model's class
_NOT_COPIED = frozenset(("_fields", "_serialized", "_model", "deserialize", "_abc_impl"))


def _may_hold_containers(cls: Any, vocabulary: bool) -> bool:
    """Whether the objects of model class ``cls`` are declared to hold lists, dicts, or objects that
    the garbage collector tracks: such objects must stay in its sight (a cycle through them must
    be collected)."""
    from .serialization import DictField, ListField, ObjectDictField, ObjectField, ObjectListField

    for field in cls._fields.values():
        if isinstance(field, (ListField, DictField, ObjectListField, ObjectDictField)):
            return True
        if isinstance(field, ObjectField):
            child: Any = _nested_struct_of(field.item_class, vocabulary)
            if child is None or child.__struct_config__.gc:
                return True
    return False


def _is_urn_list(field: Any) -> bool:
    from .v2.types import _URNListField

    return type(field) is _URNListField


def _urn_class() -> type:
    from .v2.types import Contact

    return Contact.URN


def _annotation(field: Any, kind: str, vocabulary: bool) -> Any:
    """How msgspec decodes a field's value (None: it cannot)."""
    from .serialization import DateField

    if kind in ("copy", "shared", "datetime"):
        return Any  # (the last two converted by the finisher)
    if kind == "literal":
        return Optional[Literal[field.vocabulary]]
    if kind.startswith("object"):
        child = _nested_struct_of(field.item_class, vocabulary)
        if child is None:
            return None
        shapes: Dict[str, Any] = {"object": child, "object_list": _List[child], "object_dict": _Dict[str, child]}
        return Optional[shapes[kind]]
    if kind == "convert" and type(field) is DateField:
        return Optional[datetime.date]
    if kind == "convert" and _is_urn_list(field):
        urn = _nested_struct_of(_urn_class(), vocabulary)  # the one field class of the models with a kind of its own
        return None if urn is None else Optional[List[_Union[str, urn]]]
    return None  # a field class of the caller's own: called as it always was, on the ordinary way


_METACLASSES: Dict[type, type] = {}


def _metaclass(model_meta: type) -> type:
    """A metaclass that is both msgspec's and the models' (a Struct subclass of a model needs one);
    msgspec's makes the class, so the models' generator does not run for it."""
    if model_meta not in _METACLASSES:
        _METACLASSES[model_meta] = type("StructModelMeta", (type(_msgspec.Struct), model_meta), {})
    return _METACLASSES[model_meta]


_Union: Any = None
_List: Any = List
_Dict: Any = Dict
if AVAILABLE:  # pragma: no branch
    from typing import Union

    from .serialization import TembaObject, _trim_shared

    #: the instance dict itself, however a class names its ``__dict__``
    _INSTANCE_DICT = TembaObject.__dict__["__dict__"].__get__
    _Union = Union

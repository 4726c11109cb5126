"""The ``msgspec.Struct`` classes whose objects msgspec builds for the models, with the ``fast``
extra (see :mod:`temba_client._typed`, which decodes pages with them and finishes their objects).

Two kinds:

- the objects a query returns (a ``Run``) have an instance dict, for attributes of the caller's
  own (``dict=True``), and are tracked by the cyclic garbage collector while they hold a container;
- objects only ever reached as a field of another (a reference, a path step, a result value: see
  :func:`nested_only`) are slim: no instance dict (setting an attribute that is not a field raises
  ``AttributeError``), no weak references, and, where they can only hold atomic values and other
  such objects, outside the garbage collector altogether (``gc=False``: not tracked, not even
  counted towards its next collection; a cycle made through their fields is never collected).

The Struct class of a model of :mod:`temba_client.v2.types` is not a subclass of it but is
registered as a virtual one (:func:`_virtual_struct`), with the models' methods from their slotted
base :class:`~temba_client.serialization._ModelBehaviour`; the Struct class of a model of the
caller's own is a subclass of it, with its methods as they are. Each model has two variants (see
:func:`struct`): one that reads the fields with a ``vocabulary`` as msgspec literals, one that
does not.

Imported only where msgspec is installed.
"""

from __future__ import annotations

import datetime
import threading
from typing import Any, Callable, Dict, List, Literal, Optional, Tuple, Union

import msgspec as _msgspec  # type: ignore[import-not-found, unused-ignore]

from .serialization import TembaObject

#: Each model class's Structs (None: it cannot have one), made on first use.
_STRUCTS: Dict[Tuple[type, bool], Optional[type]] = {}
_LOCK = threading.RLock()
#: the instance dict itself, however a class names its ``__dict__``
_INSTANCE_DICT = TembaObject.__dict__["__dict__"].__get__
#: typing's generics, for Struct classes made at run time (not type aliases to a type checker)
_List: Any = List
_Dict: Any = Dict
_Union: Any = Union


def struct(cls: type, vocabulary: bool) -> Optional[type]:
    """The Struct class of the objects of model class ``cls`` that a page holds (what a query
    returns), made once (None: it cannot have one, see :mod:`temba_client._typed`).

    With ``vocabulary``, its variant that decodes the values of fields with a ``vocabulary`` (at
    any depth) as msgspec literals (the plain one where there are none): msgspec then gives the
    same string object for each value, so that they need no sharing by the finisher; a page with
    another value fails to decode this way.

    :param cls: a model class
    :param vocabulary: whether to read the fields with a vocabulary as literals
    """
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


def _namespace(cls: Any, vocabulary: bool) -> Optional[Dict[str, Any]]:
    """What the Struct class of model ``cls`` holds whichever its kind (see :func:`struct_of` and
    :func:`_nested_struct_of`): its fields (by JSON key), what :func:`_finisher` converts and
    what makes its objects the model's; None where the class cannot have one (see the module's docstring). With
    ``vocabulary``, the values of fields with a vocabulary are literals (see :func:`struct`)."""
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


def nested_only(cls: type) -> bool:
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
    :func:`nested_only`), a slim Struct (:func:`_make_nested_struct`), else :func:`struct`'s."""
    return _made_once(_NESTED, _make_child_struct, cls, vocabulary)


def _make_child_struct(cls: Any, vocabulary: bool) -> Optional[type]:
    return _make_nested_struct(cls, vocabulary) if nested_only(cls) else struct(cls, vocabulary)


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

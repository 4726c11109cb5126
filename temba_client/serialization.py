"""Declarative models: JSON objects of the API become Python objects and back.

A model lists its fields as class attributes::

    class Label(TembaObject):
        uuid = SimpleField()
        name = SimpleField()
        count = IntegerField()

    label = Label.deserialize({"uuid": "...", "name": "Spam", "count": 3})
    label.count           # 3
    label.serialize()     # {"uuid": "...", "name": "Spam", "count": 3}

When the class is created, its fields (its own and its bases') are gathered once into a plan of
``(attribute, JSON key, converter)`` steps that :meth:`TembaObject.deserialize` runs for each object,
and the attributes become ``__slots__``, so instances hold no per-object ``__dict__``.
"""

from __future__ import annotations

import datetime
from abc import ABCMeta, abstractmethod
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    ClassVar,
    Dict,
    Generic,
    List,
    NamedTuple,
    Optional,
    Tuple,
    Type,
    TypeVar,
    overload,
)

from .exceptions import TembaSerializationException
from .utils import format_iso8601, parse_iso8601

T = TypeVar("T", bound="TembaObject")
V = TypeVar("V")  # the Python type of a field's value

_fromisoformat = datetime.datetime.fromisoformat

#: Strings of ``shared`` fields seen lately, each kept once; emptied when it grows past the limit.
_SHARED_STRINGS: Dict[str, str] = {}
_SHARED_STRINGS_LIMIT = 10_000
_share = _SHARED_STRINGS.setdefault

#: A function given each JSON object before it becomes a model object: ``(model class, dict) -> dict``.
Transformer = Callable[[Type["TembaObject"], Dict[str, Any]], Dict[str, Any]]


class _Plan(NamedTuple):
    """How a model class turns a JSON object into an instance, worked out once per class."""

    copied: Tuple[Tuple[str, str], ...]  # (attribute, JSON key): the value as is
    shared: Tuple[Tuple[str, str], ...]  # the value as is, a string kept once for equal values
    checked: Tuple[Tuple[str, str, type], ...]  # the value as is, once its JSON type is checked
    converted: Tuple[Tuple[str, str, Callable[[Any], Any]], ...]  # converter called unless null
    custom: Tuple[Tuple[str, str, Callable[[Any], Any]], ...]  # a user field's deserialize, always called


class TembaField(Generic[V], metaclass=ABCMeta):
    """A field of a model. ``src`` names the JSON key when it differs from the attribute name."""

    def __init__(self, src: Optional[str] = None) -> None:
        self.src = src

    if TYPE_CHECKING:  # pragma: no cover
        # At run time the attribute is a slot; these tell type checkers and IDEs what it holds.
        @overload
        def __get__(self, instance: None, owner: Any) -> TembaField[V]: ...
        @overload
        def __get__(self, instance: object, owner: Any) -> V: ...
        def __get__(self, instance: Any, owner: Any) -> Any: ...
        def __set__(self, instance: object, value: V) -> None: ...

    @abstractmethod
    def deserialize(self, value: Any) -> Any:  # pragma: no cover
        """Converts a JSON value to its Python value."""

    @abstractmethod
    def serialize(self, value: Any) -> Any:  # pragma: no cover
        """Converts a Python value to its JSON value."""

    def _value_converter(self) -> Callable[[Any], Any]:
        """The function that converts a JSON value other than null (a field class of this module
        maps null to None without being asked)."""
        return self.deserialize


class SimpleField(TembaField[Any]):
    """A value kept as the JSON has it (string, number, dict...).

    ``shared=True`` marks a field whose values repeat across objects (a group's name and UUID, a
    status, a flow node): equal strings are then kept once in memory instead of once per object.
    """

    def __init__(self, src: Optional[str] = None, shared: bool = False) -> None:
        super().__init__(src)
        self.shared = shared

    def deserialize(self, value: Any) -> Any:
        return value

    def serialize(self, value: Any) -> Any:
        return value


def _check_type(value: Any, expected: type, description: str) -> Any:
    if value is not None and not isinstance(value, expected):
        raise TembaSerializationException("Value '%s' field is not %s" % (value, description))
    return value


class BooleanField(SimpleField):
    """A JSON boolean."""

    _skips_null = True  # deserialize(None) is None: the plan skips nulls

    def deserialize(self, value: Any) -> Optional[bool]:
        return _check_type(value, bool, "an boolean")


class IntegerField(SimpleField):
    """A JSON integer."""

    _skips_null = True  # deserialize(None) is None: the plan skips nulls

    def deserialize(self, value: Any) -> Optional[int]:
        return _check_type(value, int, "an integer")


class ListField(SimpleField):
    """A JSON array of plain values."""

    _skips_null = True  # deserialize(None) is None: the plan skips nulls

    def deserialize(self, value: Any) -> Optional[list]:
        return _check_type(value, list, "a list")


class DatetimeField(TembaField[Optional[datetime.datetime]]):
    """An ISO 8601 string, as a timezone-aware UTC :class:`datetime.datetime`."""

    _skips_null = True  # deserialize(None) is None: the plan skips nulls

    def deserialize(self, value: Any) -> Any:
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise TembaSerializationException("Value '%s' field is not a datetime string" % (value,))
        try:
            return parse_iso8601(value)
        except (ValueError, OverflowError):
            raise TembaSerializationException("Value '%s' field is not an ISO 8601 datetime" % value) from None

    def _value_converter(self) -> Callable[[Any], Any]:
        deserialize = self.deserialize

        def convert(value: Any) -> Any:
            # the server's own form, 2016-01-06T15:33:00.813162Z, without the detour through checks
            if value.__class__ is str and len(value) == 27 and value[26] == "Z":
                try:
                    return _fromisoformat(value[:26] + "+00:00")
                except ValueError:
                    pass
            return deserialize(value)

        return convert

    def serialize(self, value: Any) -> Optional[str]:
        return format_iso8601(value)


class ObjectField(TembaField[Any], Generic[T]):
    """A nested JSON object, as an instance of ``item_class``."""

    _skips_null = True  # deserialize(None) is None: the plan skips nulls

    def __init__(self, item_class: Type[T], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.item_class = item_class

    def deserialize(self, value: Any) -> Any:
        return self.item_class.deserialize(value) if value is not None else None

    def serialize(self, value: Any) -> Any:
        return value.serialize() if value is not None else None

    def _value_converter(self) -> Callable[[Any], Any]:
        return self.item_class.deserialize


class ObjectListField(ObjectField[T]):
    """A JSON array of nested objects, as a list of ``item_class`` instances (None if absent)."""

    _skips_null = True  # deserialize(None) is None: the plan skips nulls

    def deserialize(self, value: Any) -> Any:
        if value is None:
            return None
        return self.item_class.deserialize_list(value)

    def _value_converter(self) -> Callable[[Any], Any]:
        deserialize_list = self.item_class.deserialize_list

        def convert(value: Any) -> Any:
            if value.__class__ is list and not value:
                return value  # a fresh empty list from the JSON: nothing to convert
            return deserialize_list(value)

        return convert

    def serialize(self, value: Any) -> Any:
        if value is None:
            return None
        _check_type(value, list, "a list")
        return [item.serialize() for item in value]


class ObjectDictField(ObjectField[T]):
    """A JSON object of nested objects, as a dict of ``item_class`` instances (None if absent)."""

    _skips_null = True  # deserialize(None) is None: the plan skips nulls

    def deserialize(self, value: Any) -> Any:
        if value is None:
            return None
        _check_type(value, dict, "a dict")
        deserialize = self.item_class.deserialize
        return {key: deserialize(item) for key, item in value.items()}

    def _value_converter(self) -> Callable[[Any], Any]:
        return self.deserialize

    def serialize(self, value: Any) -> Any:
        if value is None:
            return None
        _check_type(value, dict, "a dict")
        return {key: item.serialize() for key, item in value.items()}


#: deserialize methods that only check the JSON type: the plan checks it inline, without a call
_CHECKED_TYPES: Dict[Any, type] = {
    BooleanField.deserialize: bool,
    IntegerField.deserialize: int,
    ListField.deserialize: list,
}


def _skips_null(field: TembaField) -> bool:
    """Whether the class that defines this field's deserialize declared that it maps null to None
    (a subclass overriding deserialize must declare it again)."""
    owner = next(klass for klass in type(field).__mro__ if "deserialize" in klass.__dict__)
    return bool(owner.__dict__.get("_skips_null", False))


class _TembaObjectMeta(ABCMeta):
    """Gathers a model's fields once, when the class is created, and stores them as slots."""

    def __new__(mcls, name: str, bases: Tuple[type, ...], namespace: Dict[str, Any], **kwargs: Any) -> Any:
        fields: Dict[str, TembaField] = {}
        for base in reversed(bases):
            fields.update(getattr(base, "_fields", {}))
        inherited = set(fields)

        own = {attr: value for attr, value in namespace.items() if isinstance(value, TembaField)}
        for attr in own:
            del namespace[attr]  # the slot takes the name; the field lives in _fields
        fields.update(own)

        namespace.setdefault("__slots__", tuple(attr for attr in own if attr not in inherited))
        cls = super().__new__(mcls, name, bases, namespace, **kwargs)
        cls._fields = fields  # type: ignore[attr-defined]
        copied: List[Tuple[str, str]] = []
        shared: List[Tuple[str, str]] = []
        checked: List[Tuple[str, str, type]] = []
        converted: List[Tuple[str, str, Callable[[Any], Any]]] = []
        custom: List[Tuple[str, str, Callable[[Any], Any]]] = []
        for attr, field in fields.items():
            src = field.src or attr
            deserialize = type(field).deserialize
            if deserialize is SimpleField.deserialize:
                (shared if getattr(field, "shared", False) else copied).append((attr, src))
            elif deserialize in _CHECKED_TYPES:
                checked.append((attr, src, _CHECKED_TYPES[deserialize]))
            elif _skips_null(field):
                converted.append((attr, src, field._value_converter()))
            else:  # a field class of the user's: its deserialize sees every value, null included
                custom.append((attr, src, field.deserialize))
        plan = _Plan(tuple(copied), tuple(shared), tuple(checked), tuple(converted), tuple(custom))
        cls._plan = plan  # type: ignore[attr-defined]
        return cls


class TembaObject(metaclass=_TembaObjectMeta):
    """Base class of the objects the API returns."""

    __slots__ = ()

    _fields: ClassVar[Dict[str, TembaField]] = {}
    _plan: ClassVar[_Plan]

    #: attributes that identify an object when it is passed where the API expects a reference
    #: (the first one that is not None is sent): a Contact sends its uuid, a Field its key
    _identity_attrs: ClassVar[Tuple[str, ...]] = ("uuid", "id", "key", "email", "resthook", "osm_id")
    #: attributes shown by repr(), when the model has them (otherwise every field is shown)
    _repr_attrs: ClassVar[Tuple[str, ...]] = ("id", "uuid", "key", "email", "osm_id", "resthook", "name")

    def __init__(self, **kwargs: Any) -> None:
        for attr in self._fields:
            setattr(self, attr, kwargs.pop(attr, None))
        for unknown in kwargs:
            raise ValueError("Class %s has no attribute '%s'" % (type(self).__name__, unknown))

    @classmethod
    def create(cls: Type[T], **kwargs: Any) -> T:
        """Creates an instance from attribute values; attributes not given are None.

        :raises ValueError: for a keyword that is not a field of this class
        """
        return cls(**kwargs)

    @classmethod
    def deserialize(cls: Type[T], item: Any) -> T:
        """Creates an instance from a JSON object (a dict); keys the model lacks are ignored and
        fields the JSON lacks are None.

        :raises TembaSerializationException: if ``item`` is not a dict or a value has the wrong type
        """
        if not isinstance(item, dict):
            raise TembaSerializationException(
                "Expected a JSON object for %s, got %s" % (cls.__name__, type(item).__name__)
            )
        instance = cls.__new__(cls)
        get = item.get
        copied, shared, checked, converted, custom = cls._plan
        for attr, src in copied:
            setattr(instance, attr, get(src))
        for attr, src in shared:
            value = get(src)
            setattr(instance, attr, _share(value, value) if value.__class__ is str else value)
        for attr, src, expected in checked:
            value = get(src)
            if value is not None and not isinstance(value, expected):
                cls._fields[attr].deserialize(value)  # raises, with the field's own message
            setattr(instance, attr, value)
        for attr, src, convert in converted:
            value = get(src)
            setattr(instance, attr, None if value is None else convert(value))
        for attr, src, deserialize in custom:
            setattr(instance, attr, deserialize(get(src)))
        return instance

    @classmethod
    def deserialize_list(cls: Type[T], item_list: Any, transformer: Optional[Transformer] = None) -> List[T]:
        """Creates instances from a JSON array, passing each item through
        ``transformer(cls, item)`` first when one is given."""
        if not isinstance(item_list, list):
            raise TembaSerializationException("Value '%s' field is not a list" % (item_list,))
        if len(_SHARED_STRINGS) > _SHARED_STRINGS_LIMIT:
            _SHARED_STRINGS.clear()
        deserialize = cls.deserialize
        if transformer is not None:
            return [deserialize(transformer(cls, item)) for item in item_list]
        return [deserialize(item) for item in item_list]

    def serialize(self) -> Dict[str, Any]:
        """Converts this object back to its JSON form (a dict)."""
        return {field.src or attr: field.serialize(getattr(self, attr, None)) for attr, field in self._fields.items()}

    @classmethod
    def _get_fields(cls) -> Dict[str, TembaField]:
        return dict(cls._fields)

    def __repr__(self) -> str:
        shown = [attr for attr in self._repr_attrs if attr in self._fields] or list(self._fields)
        values = ", ".join("%s=%r" % (attr, getattr(self, attr, None)) for attr in shown)
        return "%s(%s)" % (type(self).__name__, values)

"""Declarative models: JSON objects of the API become Python objects and back.

A model lists its fields as class attributes::

    class Label(TembaObject):
        uuid = StringField(doc="the label's UUID")
        name = StringField()
        count = IntegerField()

    label = Label.deserialize({"uuid": "...", "name": "Spam", "count": 3, "color": "red"})
    label.count           # 3
    label.color           # "red": a key the model does not declare is kept...
    label.serialize()     # {"uuid": "...", "name": "Spam", "count": 3, "color": "red"}: ...and given back

Each field class says what its attribute holds (``IntegerField`` an ``Optional[int]``,
``ObjectListField(item_class=Step)`` an ``Optional[List[Step]]``...), so type checkers and IDEs
know every attribute at every depth. When a model class is created, its ``deserialize`` is
generated once as straight-line code (see :mod:`temba_client._codegen`), and its docstring gains
the list of its fields with their types and meanings, for ``help()`` and the API reference.

Instances are ordinary objects: ``vars(obj)`` works and code may set attributes of its own on them
(those are not serialized). With the ``fast`` extra, pages are decoded into objects of a
``msgspec.Struct`` class of each model instead (see :mod:`temba_client._typed`), which behave the
same but for ``type(obj)``, a ``vars(obj)`` made anew on each access, and nested objects (references,
path steps...) that take no attributes of the code's own.

Reading never fails on a value: a value of another JSON type than a field declares is kept as the
server sent it (fields used on their own, ``IntegerField().deserialize("3")``, still check).
"""

from __future__ import annotations

import datetime
import sys
from abc import ABCMeta, abstractmethod
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    ClassVar,
    Dict,
    Generic,
    List,
    Optional,
    Tuple,
    Type,
    TypeVar,
    Union,
    overload,
)

from . import _codegen
from .exceptions import TembaSerializationException
from .utils import format_iso8601, parse_iso8601

T = TypeVar("T", bound="TembaObject")
V = TypeVar("V")  # the Python type of a field's value
I = TypeVar("I")  # noqa: E741 - the type of the items of a list or dict field

#: Strings of ``shared`` fields seen lately, each kept once; emptied when it grows past the limit.
_SHARED_STRINGS: Dict[str, str] = {}
_SHARED_STRINGS_LIMIT = 10_000
_share = _SHARED_STRINGS.setdefault


def _trim_shared() -> None:
    """Forgets the shared strings once they grew past their limit; called once per page (and per
    archive line), so that a long export keeps at most about that many."""
    if len(_SHARED_STRINGS) > _SHARED_STRINGS_LIMIT:
        _SHARED_STRINGS.clear()


#: A function given each JSON object before it becomes a model object: ``(model class, dict) -> dict``.
Transformer = Callable[[Type["TembaObject"], Dict[str, Any]], Dict[str, Any]]

_fromisoformat = datetime.datetime.fromisoformat
_UTC = datetime.timezone.utc
#: How a datetime in the server's form (``2016-01-06T15:33:00.813162Z``, in ``v``) is parsed: from
#: Python 3.11 fromisoformat reads the ``Z``, and every ISO form the same way as
#: :func:`~temba_client.utils.parse_iso8601` (giving ``timezone.utc`` itself for UTC); before it
#: the offset is written out.
_SERVER_DATETIME = _codegen.ANY_UTC if sys.version_info >= (3, 11) else "_fromisoformat(v[:26] + '+00:00')"


class TembaField(Generic[V], metaclass=ABCMeta):
    """A field of a model.

    :param src: the JSON key, when it differs from the attribute name
    :param optional: accepted for rapidpro-python compatibility (every field may be absent here)
    :param doc: what the field means, shown in the model's docstring
    :param omit_none: the server leaves this key out rather than sending null (e.g. a contact's
        ``ref`` outside anonymous workspaces), so :meth:`TembaObject.serialize` leaves it out when None
    :param fallback_src: a second JSON key read when the first is absent or null (an older
        server's name for the same value)
    """

    #: how the generated deserializer handles this class's values (see :func:`_kind_of`)
    _inline: ClassVar[Optional[str]] = None
    #: the Python type of the values, as shown in docstrings
    _type_name: ClassVar[str] = "Any"

    def __init__(
        self,
        src: Optional[str] = None,
        optional: bool = False,
        *,
        doc: Optional[str] = None,
        omit_none: bool = False,
        fallback_src: Optional[str] = None,
    ) -> None:
        self.src = src
        self.optional = optional
        self.doc = doc
        self.omit_none = omit_none
        self.fallback_src = fallback_src

    if TYPE_CHECKING:  # pragma: no cover
        # At run time instances hold plain attributes; these tell type checkers and IDEs their types.
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

    def type_name(self) -> str:
        """The Python type of this field's values, e.g. ``"int"`` or ``"list[Run.Step]"``."""
        return self._type_name

    def _value_converter(self) -> Callable[[Any], Any]:
        """The function the generated readers call for a JSON value other than null (fields of this
        module map null to None without being asked): :meth:`deserialize` itself, except for this
        module's fields that convert values, which read a value they cannot convert as sent."""
        return self.deserialize


def _as_sent(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``convert``, made to give back a value it cannot convert as it is instead of raising."""

    def read(value: Any) -> Any:
        try:
            return convert(value)
        except TembaSerializationException:
            return value

    return read


def _check_type(value: Any, expected: type, description: str) -> Any:
    if value is not None and not isinstance(value, expected):
        raise TembaSerializationException("Value '%s' field is not %s" % (value, description))
    return value


class SimpleField(TembaField[V]):
    """A value kept as the JSON has it (string, number, dict...).

    ``shared=True`` marks a field whose values repeat across objects (a group's name and UUID, a
    status, a flow node): equal strings are then kept once in memory instead of once per object.
    ``vocabulary`` lists the few values servers are known to send in a shared field (a status):
    with the ``fast`` extra, msgspec then keeps them once itself, at no cost per object (a page
    holding another value is decoded all the same, see :mod:`temba_client._typed`). It changes
    nothing else: any value is kept as sent.
    """

    _inline = "copy"

    def __init__(
        self: SimpleField[Any],
        src: Optional[str] = None,
        optional: bool = False,
        *,
        shared: bool = False,
        vocabulary: Tuple[str, ...] = (),
        doc: Optional[str] = None,
        omit_none: bool = False,
        fallback_src: Optional[str] = None,
    ) -> None:
        super().__init__(src, optional, doc=doc, omit_none=omit_none, fallback_src=fallback_src)
        self.shared = shared
        self.vocabulary = tuple(vocabulary)

    def deserialize(self, value: Any) -> Any:
        return value

    def serialize(self, value: Any) -> Any:
        return value


class StringField(SimpleField[Optional[str]]):
    """A JSON string (not checked: the value is kept as the server sent it)."""

    _type_name = "str"


class BooleanField(SimpleField[Optional[bool]]):
    """A JSON boolean. (Like every field of this module, a model keeps a value of another JSON type
    as the server sent it; :meth:`deserialize` called on its own checks, as rapidpro-python's did.)"""

    _inline = "copy"  # a model keeps a value of another JSON type as sent
    _type_name = "bool"

    def deserialize(self, value: Any) -> Optional[bool]:
        return _check_type(value, bool, "an boolean")


class IntegerField(SimpleField[Optional[int]]):
    """A JSON integer."""

    _inline = "copy"  # a model keeps a value of another JSON type as sent
    _type_name = "int"

    def deserialize(self, value: Any) -> Optional[int]:
        return _check_type(value, int, "an integer")


class ListField(SimpleField[Optional[List[I]]]):
    """A JSON array of plain values."""

    _inline = "copy"  # a model keeps a value of another JSON type as sent
    _type_name = "list"

    if TYPE_CHECKING:  # pragma: no cover - a bare ListField() holds a list of anything

        def __init__(
            self: ListField[Any],
            src: Optional[str] = None,
            optional: bool = False,
            *,
            shared: bool = False,
            doc: Optional[str] = None,
            omit_none: bool = False,
            fallback_src: Optional[str] = None,
        ) -> None: ...

    def deserialize(self, value: Any) -> Optional[List[I]]:
        return _check_type(value, list, "a list")


class StringListField(ListField[str]):
    """A JSON array of strings."""

    _type_name = "list[str]"


class DictField(SimpleField[Optional[Dict[str, I]]]):
    """A JSON object of plain values, as a dict."""

    _inline = "copy"  # a model keeps a value of another JSON type as sent
    _type_name = "dict[str, Any]"

    if TYPE_CHECKING:  # pragma: no cover - a bare DictField() holds a dict of anything

        def __init__(
            self: DictField[Any],
            src: Optional[str] = None,
            optional: bool = False,
            *,
            shared: bool = False,
            doc: Optional[str] = None,
            omit_none: bool = False,
            fallback_src: Optional[str] = None,
        ) -> None: ...

    def deserialize(self, value: Any) -> Optional[Dict[str, I]]:
        return _check_type(value, dict, "a dict")


class StringDictField(DictField[str]):
    """A JSON object whose values are strings, e.g. translations ``{"eng": "Hello"}``."""

    _type_name = "dict[str, str]"


class TranslatableField(SimpleField[Union[str, Dict[str, str], None]]):
    """A text that servers send either as a plain string (older servers, and rapidpro-python's own
    test data) or as translations by language, ``{"eng": "Hello", "fra": "Bonjour"}`` (26.x); kept
    as sent, either way."""

    _type_name = "str | dict[str, str]"


class DatetimeField(TembaField[Optional[datetime.datetime]]):
    """An ISO 8601 string, as a timezone-aware UTC :class:`datetime.datetime`."""

    _inline = "datetime"
    _type_name = "datetime"

    def _value_converter(self) -> Callable[[Any], Any]:
        return _as_sent(self.deserialize)  # a model keeps what it cannot parse as sent

    def deserialize(self, value: Any) -> Any:
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise TembaSerializationException("Value '%s' field is not a datetime string" % (value,))
        try:
            return parse_iso8601(value)
        except (ValueError, OverflowError):
            raise TembaSerializationException("Value '%s' field is not an ISO 8601 datetime" % value) from None

    def serialize(self, value: Any) -> Any:
        if value is None or isinstance(value, datetime.date):
            return format_iso8601(value)
        return value  # what a model kept as sent


class DateField(TembaField[Optional[datetime.date]]):
    """A date string such as ``"2026-11-25"``, as a :class:`datetime.date`."""

    _inline = "convert"
    _type_name = "date"

    def _value_converter(self) -> Callable[[Any], Any]:
        return _as_sent(self.deserialize)  # a model keeps what it cannot parse as sent

    def deserialize(self, value: Any) -> Optional[datetime.date]:
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise TembaSerializationException("Value '%s' field is not a date string" % (value,))
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            raise TembaSerializationException("Value '%s' field is not an ISO 8601 date" % value) from None

    def serialize(self, value: Any) -> Any:
        return value.isoformat() if isinstance(value, datetime.date) else value


class ObjectField(TembaField[Optional[T]]):
    """A nested JSON object, as an instance of ``item_class``."""

    _inline = "object"

    def __init__(
        self,
        item_class: Type[T],
        src: Optional[str] = None,
        optional: bool = False,
        *,
        doc: Optional[str] = None,
        omit_none: bool = False,
        fallback_src: Optional[str] = None,
    ) -> None:
        super().__init__(src, optional, doc=doc, omit_none=omit_none, fallback_src=fallback_src)
        self.item_class = item_class

    def type_name(self) -> str:
        return self.item_class.__qualname__

    def deserialize(self, value: Any) -> Any:
        return self.item_class.deserialize(value) if value is not None else None

    def read(self, value: Any) -> Any:
        """What a model holds for a JSON value other than null: an ``item_class`` instance for an
        object, anything else as sent."""
        return self.item_class.deserialize(value) if isinstance(value, dict) else value

    def serialize(self, value: Any) -> Any:
        return value.serialize() if isinstance(value, TembaObject) else value


class ObjectListField(ObjectField[T]):
    """A JSON array of nested objects, as a list of ``item_class`` instances (None if absent)."""

    _inline = "object_list"

    if TYPE_CHECKING:  # pragma: no cover

        @overload  # type: ignore[override]
        def __get__(self, instance: None, owner: Any) -> ObjectListField[T]: ...
        @overload
        def __get__(self, instance: object, owner: Any) -> Optional[List[T]]: ...
        def __get__(self, instance: Any, owner: Any) -> Any: ...
        def __set__(self, instance: object, value: Optional[List[T]]) -> None: ...  # type: ignore[override]

    def type_name(self) -> str:
        return "list[%s]" % self.item_class.__qualname__

    def deserialize(self, value: Any) -> Any:
        if value is None:
            return None
        return self.item_class.deserialize_list(value)

    def read(self, value: Any) -> Any:
        """What a model holds for a JSON value other than null: for an array, its objects as
        ``item_class`` instances and any other item as sent; anything else as sent."""
        if not isinstance(value, list):
            return value
        deserialize = self.item_class.deserialize
        return [deserialize(item) if isinstance(item, dict) else item for item in value]

    def serialize(self, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        return [item.serialize() if isinstance(item, TembaObject) else item for item in value]


class ObjectDictField(ObjectField[T]):
    """A JSON object of nested objects, as a dict of ``item_class`` instances (None if absent)."""

    _inline = "object_dict"

    if TYPE_CHECKING:  # pragma: no cover

        @overload  # type: ignore[override]
        def __get__(self, instance: None, owner: Any) -> ObjectDictField[T]: ...
        @overload
        def __get__(self, instance: object, owner: Any) -> Optional[Dict[str, T]]: ...
        def __get__(self, instance: Any, owner: Any) -> Any: ...
        def __set__(self, instance: object, value: Optional[Dict[str, T]]) -> None: ...  # type: ignore[override]

    def type_name(self) -> str:
        return "dict[str, %s]" % self.item_class.__qualname__

    def deserialize(self, value: Any) -> Any:
        if value is None:
            return None
        _check_type(value, dict, "a dict")
        deserialize = self.item_class.deserialize
        return {key: deserialize(item) for key, item in value.items()}

    def read(self, value: Any) -> Any:
        """What a model holds for a JSON value other than null: for an object, its values that are
        objects as ``item_class`` instances and any other value as sent; anything else as sent."""
        if not isinstance(value, dict):
            return value
        deserialize = self.item_class.deserialize
        return {key: deserialize(item) if isinstance(item, dict) else item for key, item in value.items()}

    def serialize(self, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        return {key: item.serialize() if isinstance(item, TembaObject) else item for key, item in value.items()}


def _kind_of(field: TembaField[Any]) -> str:
    """How the generated deserializer handles a field: inline for this module's field classes, by
    calling ``field.deserialize`` for a class that overrides it."""
    owner = next(klass for klass in type(field).__mro__ if "deserialize" in klass.__dict__)
    kind = owner.__dict__.get("_inline")
    if kind == "copy" and getattr(field, "shared", False):
        return "shared"
    if kind is not None:
        return str(kind)
    # A subclass of ours that overrides deserialize and declares that it maps null to None is
    # called only for other values; any other field class sees every value, null included.
    return "convert" if owner.__dict__.get("_skips_null", False) else "custom"


class _NotAnObject(TembaSerializationException):
    """Raised by a generated deserializer given something else than a JSON object: a list of
    nested objects that holds one is then read item by item (see :meth:`ObjectListField.read`)."""


def _as_dict(cls: type, item: Any) -> Dict[str, Any]:
    """The generated deserializers' slow path for an item that is not exactly a dict."""
    if isinstance(item, dict):
        return dict(item)
    raise _NotAnObject("Expected a JSON object for %s, got %s" % (cls.__name__, type(item).__name__))


def _keep_extra(obj: Any, item: Dict[str, Any], keys: frozenset) -> None:
    """Keeps the keys of ``item`` that the model does not declare."""
    extra = {key: value for key, value in item.items() if key not in keys}
    if extra:
        obj._extra = extra


_HELPERS = {
    "_new": object.__new__,
    "_as_dict": _as_dict,
    "_share": _share,
    "_keep_extra": _keep_extra,
    "_NotAnObject": _NotAnObject,
    "_fromisoformat": _fromisoformat,
    "_UTC": _UTC,
    "_server_datetime_expr": _SERVER_DATETIME,
}


def _document(cls: type, fields: Dict[str, TembaField[Any]]) -> None:
    """Adds the list of fields, with their types and meanings, to a model's docstring."""
    if not fields or "\n:ivar " in (cls.__doc__ or ""):
        return
    lines = []
    for attr, field in fields.items():
        meaning = field.doc or "``%s`` as the server sends it" % (field.src or attr)
        lines.append(":ivar %s: %s" % (attr, meaning))
        lines.append(":vartype %s: %s or None" % (attr, field.type_name()))
    doc = (cls.__doc__ or cls.__name__).rstrip()
    indent = ""
    if "\n" in doc:  # keep the docstring's own indentation for the added lines
        last = doc.splitlines()[-1]
        indent = last[: len(last) - len(last.lstrip())]
    cls.__doc__ = doc + "\n\n" + "\n".join(indent + line for line in lines) + "\n"


class _TembaObjectMeta(ABCMeta):
    """Gathers a model's fields once, when the class is created, generates its deserializer and
    documents its fields."""

    def __new__(mcls, name: str, bases: Tuple[type, ...], namespace: Dict[str, Any], **kwargs: Any) -> Any:
        cls = super().__new__(mcls, name, bases, namespace, **kwargs)
        fields: Dict[str, TembaField[Any]] = {}
        for base in reversed(cls.__mro__[1:]):
            fields.update(base.__dict__.get("_fields", {}))
        fields.update({attr: value for attr, value in namespace.items() if isinstance(value, TembaField)})
        cls._fields = fields  # type: ignore[attr-defined]
        cls._serialized = {attr: (field.src or attr, field) for attr, field in fields.items()}  # type: ignore[attr-defined]
        function, source = _codegen.generate(cls, fields, _kind_of, _HELPERS)
        cls._deserialize_source = source  # type: ignore[attr-defined]
        cls._model = cls  # type: ignore[attr-defined]
        cls._deserialize_function = function  # type: ignore[attr-defined]
        if "deserialize" not in namespace:  # a subclass's own deserialize stays its own
            cls.deserialize = classmethod(function)  # type: ignore[attr-defined]
        _document(cls, fields)
        return cls


class _ModelBehaviour:
    """What every model object does with its fields, whatever holds their values: an ordinary model
    object (a :class:`TembaObject`, values in its ``__dict__``) or an object msgspec builds with the
    ``fast`` extra (see :mod:`temba_client._typed`), some of which have no ``__dict__`` at all. It
    adds nothing to an instance's layout (``__slots__ = ()``)."""

    __slots__ = ()

    _fields: ClassVar[Dict[str, TembaField[Any]]] = {}
    #: each field's JSON key and field, by attribute name
    _serialized: ClassVar[Dict[str, Tuple[str, TembaField[Any]]]]
    #: the generated source of :meth:`deserialize` (see :mod:`temba_client._codegen`)
    _deserialize_source: ClassVar[str]

    #: attributes that identify an object when it is passed where the API expects a reference
    #: (the first one that is not None is sent): a Contact sends its uuid, a Field its key
    _identity_attrs: ClassVar[Tuple[str, ...]] = ("uuid", "id", "key", "email", "resthook", "osm_id")
    #: attributes shown by repr(), when the model has them (otherwise every field is shown)
    _repr_attrs: ClassVar[Tuple[str, ...]] = ("id", "uuid", "key", "email", "osm_id", "resthook", "name")
    #: the keys of the JSON that the model does not declare, as sent (set on an object only when
    #: there are some; see :func:`extra_fields`)
    _extra: ClassVar[Optional[Dict[str, Any]]] = None
    #: whether the fields' values are kept in slots (objects msgspec builds, see
    #: :mod:`temba_client._typed`) rather than in the instance's ``__dict__``
    _slotted: ClassVar[bool] = False
    #: the model class (for the Struct classes of :mod:`temba_client._typed`: the one they mirror)
    _model: ClassVar[type]

    def __dir__(self) -> List[str]:
        return sorted(set(super().__dir__()) | set(self._extra or ()))

    def serialize(self) -> Dict[str, Any]:
        """Converts this object back to its JSON form (a dict), with the keys the server sent that
        the model does not declare. Attributes set by other code are not included."""
        item: Dict[str, Any] = {}
        slotted = self._slotted
        attrs = {} if slotted else self.__dict__  # (the slim nested objects have no __dict__)
        for attr, (src, field) in self._serialized.items():
            value = getattr(self, attr) if slotted else attrs.get(attr)
            if value is None and field.omit_none:
                continue
            item[src] = field.serialize(value)
        extra = self._extra
        if extra:
            for key, value in extra.items():
                item.setdefault(key, value)
        return item

    def _values(self) -> List[Tuple[str, Any]]:
        """Each field's attribute name and value (None for an attribute deleted)."""
        if self._slotted:
            return [(attr, getattr(self, attr)) for attr in self._fields]
        attrs = self.__dict__
        return [(attr, attrs.get(attr)) for attr in self._fields]

    @classmethod
    def _get_fields(cls) -> Dict[str, TembaField[Any]]:
        return dict(cls._fields)

    def __repr__(self) -> str:
        shown = [attr for attr in self._repr_attrs if attr in self._fields] or list(self._fields)
        values = dict(self._values())
        return "%s(%s)" % (type(self).__name__, ", ".join("%s=%r" % (attr, values[attr]) for attr in shown))


class TembaObject(_ModelBehaviour, metaclass=_TembaObjectMeta):
    """Base class of the objects the API returns."""

    def __init__(self, **kwargs: Any) -> None:
        for attr in self._fields:
            setattr(self, attr, kwargs.pop(attr, None))
        for unknown in kwargs:
            raise ValueError("Class %s has no attribute '%s'" % (type(self).__name__, unknown))

    if not TYPE_CHECKING:
        # Hidden from type checkers, so that a misspelt attribute stays an error for them.

        def __getattr__(self, name: str) -> Any:
            # only called when normal lookup fails: the keys a newer server sent that the model lacks
            extra = self._extra
            if extra is not None and name in extra:
                return extra[name]
            raise AttributeError("%r object has no attribute %r" % (type(self).__name__, name))

    @classmethod
    def create(cls: Type[T], **kwargs: Any) -> T:
        """Creates an instance from attribute values; attributes not given are None.

        :param kwargs: attribute values, by field name
        :raises ValueError: for a keyword that is not a field of this class
        """
        return cls(**kwargs)

    if TYPE_CHECKING:  # pragma: no cover - the real one is generated for each class

        @classmethod
        def deserialize(cls: Type[T], item: Any) -> T:
            """Creates an instance from a JSON object (a dict).

            Fields the JSON lacks are None; keys the model does not declare are kept (readable as
            attributes, listed by :func:`extra_fields`, given back by :meth:`serialize`).

            :param item: the JSON object
            :raises TembaSerializationException: if ``item`` is not a dict or a value has the wrong type
            """

    @classmethod
    def deserialize_list(cls: Type[T], item_list: Any, transformer: Optional[Transformer] = None) -> List[T]:
        """Creates instances from a JSON array.

        :param item_list: the JSON array of objects
        :param transformer: a function ``(model class, dict) -> dict`` each item goes through first
        :raises TembaSerializationException: if ``item_list`` is not a list, or an item is invalid
        """
        if not isinstance(item_list, list):
            raise TembaSerializationException("Value '%s' field is not a list" % (item_list,))
        _trim_shared()
        deserialize = cls.deserialize
        if transformer is not None:
            return [deserialize(transformer(cls, item)) for item in item_list]
        return [deserialize(item) for item in item_list]


def extra_fields(obj: TembaObject) -> Dict[str, Any]:
    """The keys of the JSON an object was made from that its model does not declare (a newer
    server's fields), as the server sent them.

    :param obj: a model object
    """
    return dict(obj._extra or {})

"""Generates each model class's ``deserialize`` as one straight-line function, once, when the class
is created (as :mod:`dataclasses` generates ``__init__``).

A generic loop over a model's fields pays, for every field of every object, a tuple unpack, a
``dict.get`` through an attribute, a ``setattr`` and often a converter call. The generated function
does the same work with the field names, JSON keys and checks written out: for
``class Label(TembaObject): uuid = StringField(); count = IntegerField()`` it reads::

    def deserialize(cls, item):
        if item.__class__ is not dict:
            item = _as_dict(cls, item)
        obj = _new(cls)
        get = item.get
        obj.uuid = get('uuid')
        v = get('count')
        if v is not None and v.__class__ is not int:
            v = _f1.deserialize(v)
        obj.count = v
        if len(item) != 2 and not _keys.issuperset(item):
            _keep_extra(obj, item, _keys)
        return obj

The source is kept on the class as ``_deserialize_source`` and registered with :mod:`linecache`
under ``<temba_client Label.deserialize>``, so a traceback through it shows the line that failed.
Field classes the generator does not know (a user's own, or a subclass overriding ``deserialize``)
are called as they always were: ``field.deserialize(value)``.
"""

from __future__ import annotations

import linecache
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Tuple

if TYPE_CHECKING:  # pragma: no cover
    from .serialization import TembaField

#: Models with at least this many keys check every key of an object whose key count looks right.
EXACT_CHECK_FROM = 8


def generate(
    cls: type,
    fields: Dict[str, TembaField[Any]],
    kind_of: Callable[[TembaField[Any]], str],
    helpers: Dict[str, Any],
) -> Tuple[Callable[..., Any], str]:
    """Builds the ``deserialize`` function of a model class and returns it with its source.

    :param cls: the model class
    :param fields: its fields (inherited ones included), by attribute name
    :param kind_of: tells how a field converts a JSON value: ``copy``, ``shared``, ``check:<type>``,
        ``datetime``, ``convert``, ``object``, ``object_list``, ``object_dict`` or ``custom``
    :param helpers: names the generated code may use (``_new``, ``_as_dict``, ``_share``,
        ``_keep_extra``, ``_fromisoformat``), and ``_server_datetime_expr``: the expression
        that parses ``v``, a datetime in the server's form, on this interpreter
    """
    namespace: Dict[str, Any] = dict(helpers)
    lines: List[str] = [
        "def deserialize(cls, item):",
        '    """Creates a %s from a JSON object (generated, see temba_client._codegen)."""' % cls.__qualname__,
        "    if item.__class__ is not dict:",
        "        item = _as_dict(cls, item)",
        "    obj = _new(cls)",
        "    get = item.get",
    ]
    keys = set()
    optional_keys = 0
    for index, (attr, field) in enumerate(fields.items()):
        src = field.src or attr
        keys.add(src)
        alt = field.fallback_src
        if alt:
            keys.add(alt)
        if field.omit_none:
            optional_keys += 1
        f = "_f%d" % index
        namespace[f] = field
        kind = kind_of(field)
        read = "get(%r)" % src
        if alt:
            lines.append("    v = %s" % read)
            lines.append("    if v is None:")
            lines.append("        v = get(%r)" % alt)
            read = "v"
        if kind == "copy":
            lines.append("    obj.%s = %s" % (attr, read))
            continue
        if read != "v":
            lines.append("    v = %s" % read)
        if kind == "shared":
            lines.append("    obj.%s = _share(v, v) if v.__class__ is str else v" % attr)
        elif kind.startswith("check:"):
            expected = kind[len("check:") :]
            lines.append("    if v is not None and v.__class__ is not %s:" % expected)
            lines.append("        v = %s.deserialize(v)" % f)  # raises, or accepts a subclass (bool for int)
            lines.append("    obj.%s = v" % attr)
        elif kind == "datetime":
            # the server's own form, 2016-01-06T15:33:00.813162Z, parsed inline; anything else
            # (another offset, no fraction, an error) goes through the field's converter
            namespace["_c%d" % index] = field._value_converter()
            lines.append("    if v is None:")
            lines.append("        obj.%s = None" % attr)
            lines.append("    elif v.__class__ is str and len(v) == 27 and v[26] == 'Z':")
            lines.append("        try:")
            lines.append("            obj.%s = %s" % (attr, helpers["_server_datetime_expr"]))
            lines.append("        except ValueError:")
            lines.append("            obj.%s = _c%d(v)" % (attr, index))
            lines.append("    else:")
            lines.append("        obj.%s = _c%d(v)" % (attr, index))
        elif kind == "convert":
            namespace["_c%d" % index] = field._value_converter()
            lines.append("    obj.%s = None if v is None else _c%d(v)" % (attr, index))
        elif kind == "object":
            child = _child_call(namespace, index, field.item_class)  # type: ignore[attr-defined]
            lines.append("    obj.%s = None if v is None else %s" % (attr, child % "v"))
        elif kind == "object_list":
            child = _child_call(namespace, index, field.item_class)  # type: ignore[attr-defined]
            lines.append("    if v is None:")
            lines.append("        obj.%s = None" % attr)
            lines.append("    elif v.__class__ is list:")
            lines.append("        obj.%s = [%s for x in v] if v else v" % (attr, child % "x"))
            lines.append("    else:")
            lines.append("        obj.%s = %s.deserialize(v)" % (attr, f))
        elif kind == "object_dict":
            child = _child_call(namespace, index, field.item_class)  # type: ignore[attr-defined]
            lines.append("    if v is None:")
            lines.append("        obj.%s = None" % attr)
            lines.append("    elif v.__class__ is dict:")
            lines.append("        obj.%s = {k: %s for k, x in v.items()}" % (attr, child % "x"))
            lines.append("    else:")
            lines.append("        obj.%s = %s.deserialize(v)" % (attr, f))
        else:  # custom: the field's own deserialize sees every value, null included
            lines.append("    obj.%s = %s.deserialize(v)" % (attr, f))

    # Keys the model does not declare (a newer server's fields) are kept. A model of many fields
    # (an endpoint's object) checks every object's keys against its own, one set lookup per key
    # in C. A small nested one (a reference, a path step), of which a page holds thousands, does
    # so only when the object has another number of keys than it declares (or declares less
    # those the server may leave out): with exactly that number an object has no undeclared key
    # unless it also lacks a declared one. The keys are copied only when some are undeclared.
    namespace["_keys"] = frozenset(keys)
    counts = sorted({len(keys), len(keys) - optional_keys})
    if len(keys) >= EXACT_CHECK_FROM:
        lines.append("    if not _keys.issuperset(item):")
    else:
        expected = "len(item) != %d" % counts[0] if len(counts) == 1 else "len(item) not in %r" % (tuple(counts),)
        lines.append("    if %s and not _keys.issuperset(item):" % expected)
    lines.append("        _keep_extra(obj, item, _keys)")
    lines.append("    return obj")

    source = "\n".join(lines) + "\n"
    filename = "<temba_client %s.deserialize>" % cls.__qualname__
    exec(compile(source, filename, "exec"), namespace)  # our own generated source, see above
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    function = namespace["deserialize"]
    function.__qualname__ = "%s.deserialize" % cls.__qualname__
    function.__module__ = cls.__module__
    return function, source


def _child_call(namespace: Dict[str, Any], index: int, item_class: Any) -> str:
    """The call that builds a nested object from ``%s``: the child's generated function itself
    (with the child class as argument, no bound-method hop) unless the child class replaced its
    ``deserialize``, which is then called as it always was."""
    function = getattr(item_class, "_deserialize_function", None)
    if function is not None and getattr(item_class.deserialize, "__func__", None) is function:
        namespace["_d%d" % index], namespace["_k%d" % index] = function, item_class
        return "_d%d(_k%d, %%s)" % (index, index)
    namespace["_c%d" % index] = item_class.deserialize
    return "_c%d(%%s)" % index

"""Generates each model class's ``deserialize`` as one straight-line function, once, when the class
is created (as :mod:`dataclasses` generates ``__init__``).

A generic loop over a model's fields pays, for every field of every object, a tuple unpack, a
``dict.get`` through an attribute, a ``setattr`` and often a converter call. The generated function
does the same work with the field names, JSON keys and checks written out. It has two paths: a
fast one for an object with exactly the keys the model declares (the common case), read by
subscripts, and a careful one for anything else. For
``class Run(TembaObject): uuid = StringField(); flow = ObjectField(item_class=ObjectRef)`` it reads::

    def deserialize(cls, item):
        global _skip
        if _skip > 0:
            _skip -= 1
        elif item.__class__ is dict and len(item) == 2:
            try:
                obj = _new(cls)
                obj.uuid = item['uuid']
                v = item['flow']
                if v is None:
                    obj.flow = None
                elif v.__class__ is dict:
                    obj.flow = _d1(_k1, v)
                else:
                    obj.flow = _f1.read(v)
                return obj
            except KeyError:
                _skip = 64
        if item.__class__ is not dict:
            item = _as_dict(cls, item)
        obj = _new(cls)
        get = item.get
        obj.uuid = get('uuid')
        v = get('flow')
        ...                                  (the same lines as above)
        if not _keys.issuperset(item):
            _keep_extra(obj, item, _keys)
        return obj

Reading never fails on a value: a value of another JSON type than the field declares is kept as
the server sent it (``_f1.read`` above: a nested object that is not a JSON object; a datetime that
does not parse), so one odd value never loses a page. Only an item that is not a JSON object at
all raises (``_as_dict``).

On the fast path, the object's length and the subscripts that did not raise prove that it has
no key the model does not declare, so it needs no look at its keys. An object of the right length
with other keys (an older server's shape) raises ``KeyError`` there and starts again on the careful
path, which keeps undeclared keys (``_keep_extra``); the next objects of the class skip the fast
path for a while, so that a page of such objects does not pay an exception each. Keys the server
leaves out rather than sending null (``omit_none``) may be all present or all absent on the fast
path. A model with a field of a class the generator does not know, or a ``fallback_src``, has only
the careful path.

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

#: The ``_server_datetime_expr`` helper that says: ``_fromisoformat`` reads any ISO form, and gives
#: the ``_UTC`` helper as tzinfo for exactly those whose offset is UTC (Python 3.11 and later).
ANY_UTC = "any-utc"
#: After an object of the declared length turned out to have other keys, this many objects of the
#: class take the careful path without trying the fast one.
SKIP_AFTER_MISS = 64


def generate(
    cls: type,
    fields: Dict[str, TembaField[Any]],
    kind_of: Callable[[TembaField[Any]], str],
    helpers: Dict[str, Any],
) -> Tuple[Callable[..., Any], str]:
    """Builds the ``deserialize`` function of a model class and returns it with its source.

    :param cls: the model class
    :param fields: its fields (inherited ones included), by attribute name
    :param kind_of: tells how a field converts a JSON value: ``copy``, ``shared``, ``datetime``,
        ``convert``, ``object``, ``object_list``, ``object_dict`` or ``custom``
    :param helpers: names the generated code may use (``_new``, ``_as_dict``, ``_share``,
        ``_keep_extra``, ``_NotAnObject``, ``_fromisoformat``, ``_UTC``), and ``_server_datetime_expr``: the
        expression that parses ``v``, a datetime in the server's form, on this interpreter, or
        :data:`ANY_UTC` where ``_fromisoformat`` reads every ISO form
    """
    namespace: Dict[str, Any] = dict(helpers)
    datetime_expr = helpers["_server_datetime_expr"]
    keys = set()
    optional = []  # the keys the server leaves out rather than sending null
    fast = True  # whether the model gets the fast path (see below)
    kinds: List[str] = []  # the kind of each field, in order
    children: Dict[int, str] = {}  # the call that builds a nested object from %s, by field index
    for index, (attr, field) in enumerate(fields.items()):
        src = field.src or attr
        keys.add(src)
        if field.fallback_src:
            keys.add(field.fallback_src)
            fast = False
        if field.omit_none:
            optional.append(src)
        kind = kind_of(field)
        if kind == "custom":  # a user's field class is called once per value, as it always was
            fast = False
        bind_field(namespace, index, field, kind)
        if kind.startswith("object"):
            children[index] = _child_call(namespace, index, field.item_class)  # type: ignore[attr-defined]
        kinds.append(kind)

    lines: List[str] = [
        "def deserialize(cls, item):",
        '    """Creates a %s from a JSON object (generated, see temba_client._codegen)."""' % cls.__qualname__,
    ]
    if fast:
        # The fast path: an object with exactly the declared keys (or all but those the server
        # leaves out) is read by subscripts. Its length and the subscripts that did not raise
        # prove that it has no key the model does not declare, with no set operation at all.
        # An object of that length with other keys (an older server's shape) raises KeyError and
        # takes the careful path below from the start; the next SKIP_AFTER_MISS objects then go
        # there directly, so a page of such objects does not pay an exception for each.
        namespace["_skip"] = 0
        full, least = len(keys), len(keys) - len(optional)
        lines.append("    global _skip")
        lines.append("    if _skip > 0:  # (not truthiness: threads racing on it may leave it below zero)")
        lines.append("        _skip -= 1")
        if optional:
            lines.append("    elif item.__class__ is dict and (len(item) == %d or len(item) == %d):" % (full, least))
            lines.append("        full = len(item) == %d" % full)
        else:
            lines.append("    elif item.__class__ is dict and len(item) == %d:" % full)
        lines.append("        try:")
        lines.append("            obj = _new(cls)")
        for index, (attr, field) in enumerate(fields.items()):
            src = field.src or attr
            read = "item[%r]" % src
            if field.omit_none:
                read = "(item[%r] if full else None)" % src
            lines.extend(convert_lines(attr, kinds[index], index, read, children, datetime_expr, "            "))
        lines.append("            return obj")
        lines.append("        except KeyError:")
        lines.append("            _skip = %d" % SKIP_AFTER_MISS)
    lines.append("    if item.__class__ is not dict:")
    lines.append("        item = _as_dict(cls, item)")
    lines.append("    obj = _new(cls)")
    lines.append("    get = item.get")
    for index, (attr, field) in enumerate(fields.items()):
        read = "get(%r)" % (field.src or attr)
        if field.fallback_src:
            lines.append("    v = %s" % read)
            lines.append("    if v is None:")
            lines.append("        v = get(%r)" % field.fallback_src)
            read = "v"
        lines.extend(convert_lines(attr, kinds[index], index, read, children, datetime_expr, "    "))

    # Keys the model does not declare (a newer server's fields) are kept: here, on the careful
    # path, every object's keys are looked up in the declared ones (one set lookup per key, in C),
    # and copied only when some are undeclared.
    namespace["_keys"] = frozenset(keys)
    lines.append("    if not _keys.issuperset(item):")
    lines.append("        _keep_extra(obj, item, _keys)")
    lines.append("    return obj")

    source = "\n".join(lines) + "\n"
    function = compile_function(source, "deserialize", "%s.deserialize" % cls.__qualname__, namespace)
    function.__qualname__ = "%s.deserialize" % cls.__qualname__
    function.__module__ = cls.__module__
    return function, source


def compile_function(source: str, function: str, shown_as: str, namespace: Dict[str, Any]) -> Any:
    """Runs generated source that defines a function in ``namespace`` and returns the function;
    the source is registered with :mod:`linecache` as ``<temba_client SHOWN_AS>``, so tracebacks
    show it.

    :param source: the source
    :param function: the name of the function it defines
    :param shown_as: what the source is shown as, e.g. ``Label.deserialize``
    :param namespace: the globals of the generated function (its helpers)
    """
    filename = "<temba_client %s>" % shown_as
    exec(compile(source, filename, "exec"), namespace)  # our own generated source, see above
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    return namespace[function]


def bind_field(namespace: Dict[str, Any], index: int, field: Any, kind: str) -> None:
    """Puts into ``namespace`` the names the lines of :func:`convert_lines` use for field ``index``:
    ``_fN``, the field, and ``_cN``, its converter (for the kinds that call one)."""
    namespace["_f%d" % index] = field
    if kind in ("datetime", "convert"):
        namespace["_c%d" % index] = field._value_converter()


def convert_lines(
    attr: str,
    kind: str,
    index: int,
    read: str,
    children: Dict[int, str],
    datetime_expr: str,
    indent: str,
    store: str = "",
    not_none: bool = False,
) -> List[str]:
    """The lines that read one field's JSON value with the expression ``read``, convert it, and
    store it on ``obj``. ``_fN`` and ``_cN`` are the field and its converter; ``children`` holds
    the call that builds a nested object, ``datetime_expr`` the one that parses the server's form;
    ``store`` is where the value goes (by default ``obj.<attr>``); ``not_none``: the value is
    known not to be null (a datetime's lines then have no case for it)."""
    store = store or "obj.%s" % attr
    if kind == "copy":
        return ["%s%s = %s" % (indent, store, read)]
    lines = [] if read == "v" else ["v = %s" % read]
    if kind == "shared":
        lines.append("%s = _share(v, v) if v.__class__ is str else v" % store)
    elif kind == "datetime" and datetime_expr == ANY_UTC:
        # Python 3.11+: fromisoformat reads the server's form (2016-01-06T15:33:00.813162Z) and
        # every other ISO form the field's converter reads the same way; what it does not give as
        # UTC (no offset, another offset, an error) goes through the converter
        parse = [
            "try:",
            "    d = _fromisoformat(v)",
            "except (TypeError, ValueError):",
            "    d = None",
            "%s = d if d is not None and d.tzinfo is _UTC else _c%d(v)" % (store, index),
        ]
        if not_none:
            lines.extend(parse)
        else:
            lines.extend(["if v is None:", "    %s = None" % store, "else:"] + ["    " + line for line in parse])
    elif kind == "datetime":
        # the API's form, 2016-01-06T15:33:00.813162Z, and the archives' form of the same moment,
        # 2016-01-06T15:33:00.813162+00:00 (which fromisoformat reads as is, in timezone.utc), parsed
        # inline; anything else (another offset, no fraction, an error) goes through the field's converter
        if not not_none:
            lines.append("if v is None:")
            lines.append("    %s = None" % store)
        forms = [
            ("len(v) == 27 and v[26] == 'Z'", datetime_expr),
            ("len(v) == 32 and v[26:] == '+00:00'", "_fromisoformat(v)"),
        ]
        for number, (test, expression) in enumerate(forms):
            lines.append("%s v.__class__ is str and %s:" % ("if" if not_none and number == 0 else "elif", test))
            lines.append("    try:")
            lines.append("        %s = %s" % (store, expression))
            lines.append("    except ValueError:")
            lines.append("        %s = _c%d(v)" % (store, index))
        lines.append("else:")
        lines.append("    %s = _c%d(v)" % (store, index))
    elif kind == "convert":
        lines.append("%s = None if v is None else _c%d(v)" % (store, index))
    elif kind == "object":
        # a value of another shape than an object is kept as sent (_fN.read)
        lines.append("if v is None:")
        lines.append("    %s = None" % store)
        lines.append("elif v.__class__ is dict:")
        lines.append("    %s = %s" % (store, children[index] % "v"))
        lines.append("else:")
        lines.append("    %s = _f%d.read(v)" % (store, index))
    elif kind in ("object_list", "object_dict"):
        # an item that is not an object makes the child raise _NotAnObject: the value is then read
        # item by item, every item of another shape kept as sent (_fN.read)
        container = "list" if kind == "object_list" else "dict"
        build = (
            "[%s for x in v] if v else v" % (children[index] % "x")
            if kind == "object_list"
            else "{k: %s for k, x in v.items()}" % (children[index] % "x")
        )
        lines.append("if v is None:")
        lines.append("    %s = None" % store)
        lines.append("elif v.__class__ is %s:" % container)
        lines.append("    try:")
        lines.append("        %s = %s" % (store, build))
        lines.append("    except _NotAnObject:")
        lines.append("        %s = _f%d.read(v)" % (store, index))
        lines.append("else:")
        lines.append("    %s = _f%d.read(v)" % (store, index))
    else:  # custom: the field's own deserialize sees every value, null included
        lines.append("%s = _f%d.deserialize(v)" % (store, index))
    return [indent + line for line in lines]


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

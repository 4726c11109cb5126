"""Sphinx configuration of the temba_client documentation.

Build with ``sphinx-build -W --keep-going -b html docs docs/_build/html`` from the repository root.
"""

import importlib
import inspect
import os
import re
import sys

# autodoc imports the package from this checkout, without installing it
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))

import temba_client  # noqa: E402

project = "temba_client"
author = "the temba_client authors"
copyright = "the temba_client authors"
version = release = temba_client.__version__

extensions = ["sphinx.ext.autodoc", "sphinx.ext.viewcode"]

exclude_patterns = ["_build"]
html_theme = "alabaster"
html_theme_options = {"description": "Python client for the RapidPro API v2"}

autodoc_member_order = "bysource"
autodoc_typehints = "description"
# parameter types only for documented parameters (not for internal constructor arguments);
# return types always
autodoc_typehints_description_target = "documented_params"
autodoc_class_signature = "mixed"


# ---------------------------------------------------------------------------------------------
# Model fields: each model attribute is a slot without a docstring; describe it from its field
# declaration (the field class, its JSON key when it differs, and the comment on its line).
# ---------------------------------------------------------------------------------------------

_FIELD_COMMENT = re.compile(r"^(\s*)(\w+)\s*=\s*\w+\(.*\)\s*#\s*(.+?)\s*$")


def _field_comments(cls):
    """The trailing comments of the field declarations in a model class's own body (not in the
    bodies of the classes nested in it)."""
    try:
        lines, _ = inspect.getsourcelines(cls)
    except (OSError, TypeError):
        return {}
    body = [line for line in lines[1:] if line.strip()]
    if not body:
        return {}
    indent = len(body[0]) - len(body[0].lstrip())
    comments = {}
    for line in body:
        match = _FIELD_COMMENT.match(line)
        if match and len(match.group(1)) == indent:
            comments[match.group(2)] = match.group(3)
    return comments


def _describe_value(field):
    from temba_client import serialization as s

    if type(field).__module__ != s.__name__ and type(field).__doc__:
        # a field class of the models' own: its docstring says what it holds
        return inspect.cleandoc(type(field).__doc__).split("\n\n")[0].rstrip(".")

    def ref(item_class):
        return ":class:`~%s.%s`" % (item_class.__module__, item_class.__qualname__)

    if isinstance(field, s.ObjectDictField):
        return "dict of %s, or None" % ref(field.item_class)
    if isinstance(field, s.ObjectListField):
        return "list of %s, or None" % ref(field.item_class)
    if isinstance(field, s.ObjectField):
        return "%s or None" % ref(field.item_class)
    if isinstance(field, s.DatetimeField):
        return "``datetime`` (timezone-aware, UTC) or None"
    if isinstance(field, s.BooleanField):
        return "``bool`` or None"
    if isinstance(field, s.IntegerField):
        return "``int`` or None"
    if isinstance(field, s.ListField):
        return "``list`` or None"
    return "the JSON value as sent, or None"


def _resolve(dotted):
    """The object a dotted name such as ``temba_client.v2.types.Contact.URN`` names, or None."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        try:
            for part in parts[split:]:
                obj = getattr(obj, part)
        except AttributeError:
            return None
        return obj
    return None


def _document_model_field(app, what, name, obj, options, lines):
    """Adds a line such as ``int or None; JSON key archive_type.`` to a model attribute."""
    if what != "attribute" or lines:
        return
    cls_name, _, attr = name.rpartition(".")
    cls = _resolve(cls_name)
    fields = getattr(cls, "_fields", None)
    if not isinstance(fields, dict) or attr not in fields:
        return
    try:
        field = fields[attr]
        text = _describe_value(field)
        if field.src and field.src != attr:
            text += "; JSON key ``%s``" % field.src
        comment = _field_comments(cls).get(attr)
        if comment:
            text += " (%s)" % comment.replace("*", r"\*").replace("`", "'")
        lines.append(text + ".")
    except Exception:  # a field the description does not understand keeps no text
        return


def setup(app):
    app.connect("autodoc-process-docstring", _document_model_field)

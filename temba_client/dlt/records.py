"""How RapidPro objects become dlt rows: plain dicts with native values, and the column types.

Rows keep datetimes as :class:`datetime.datetime` (timezone-aware), so dlt stores them as
timestamps. Two reshapes make tables that are easy to query:

- a run's ``values`` (a dict by result key) becomes a list of ``{"key", "name", "value",
  "category", "node", "time"}``, so dlt puts it in the child table ``runs__values`` next to
  ``runs__path``;
- a contact gets a boolean ``deleted`` (True for the contacts the API lists as deleted, whose
  ``status`` is None): the column is dlt's ``hard_delete`` hint, so a merge removes them.
"""

from __future__ import annotations

from typing import Any, Dict, List, Type

from ..export.outputs import to_native
from ..serialization import (
    BooleanField,
    DatetimeField,
    DictField,
    IntegerField,
    ObjectDictField,
    ObjectField,
    ObjectListField,
    StringDictField,
    StringField,
    TembaField,
    TembaObject,
)

#: dlt data types of the model's scalar fields (lists are left to dlt's normaliser: child tables)
_DATA_TYPES = ((DatetimeField, "timestamp"), (BooleanField, "bool"), (IntegerField, "bigint"), (StringField, "text"))
#: dicts with keys of the user's own kept as columns (``fields__age``), not as JSON
_FLATTENED_DICTS = {("contacts", "fields")}


def _data_type(field: TembaField[Any]) -> Any:
    return next((name for kind, name in _DATA_TYPES if isinstance(field, kind)), None)


def _is_free_form(field: TembaField[Any]) -> bool:
    return isinstance(field, DictField) and not isinstance(field, StringDictField)


def columns_of(name: str, model: Type[TembaObject]) -> Dict[str, Dict[str, Any]]:
    """The dlt column hints of a resource: one per scalar field of its model, typed.

    :param name: the resource (endpoint) name, e.g. ``"contacts"``
    :param model: the model class of its objects
    """
    columns: Dict[str, Dict[str, Any]] = {}
    for attr, field in model._fields.items():
        data_type = _data_type(field)
        if data_type is not None:
            columns[attr] = {"data_type": data_type, "nullable": True}
        elif isinstance(field, ObjectField) and not isinstance(field, (ObjectListField, ObjectDictField)):
            # a nested object (a reference): dlt flattens it into ``<attr>__<field>`` columns
            for sub, subfield in field.item_class._fields.items():
                sub_type = _data_type(subfield)
                if sub_type is not None:
                    columns[attr + "__" + sub] = {"data_type": sub_type, "nullable": True}
        elif _is_free_form(field) and (name, attr) not in _FLATTENED_DICTS:
            columns[attr] = {"data_type": "json", "nullable": True}  # flow start params...
    if name == "contacts":
        columns["deleted"] = {"data_type": "bool", "nullable": True, "hard_delete": True}
    return columns


def to_row(name: str, obj: TembaObject) -> Dict[str, Any]:
    """One object as a dlt row (see the module's notes for runs and contacts).

    :param name: the resource (endpoint) name the object came from
    :param obj: the model object
    """
    # a None is left out (a merge replaces whole rows, so a left-out value is null): dlt cannot type
    # a column that only ever held None, nor a contact field that is empty everywhere
    row: Dict[str, Any] = {key: value for key, value in to_native(obj).items() if value is not None}
    if name == "runs":
        values = row.get("values") or {}
        row["values"] = [dict(value or {}, key=key) for key, value in values.items()]
    elif name == "contacts":
        row["deleted"] = row.get("status") is None
        row["fields"] = {key: value for key, value in (row.get("fields") or {}).items() if value is not None}
    return row


def to_rows(name: str, objects: List[TembaObject]) -> List[Dict[str, Any]]:
    """:func:`to_row` for each object of a page.

    :param name: the resource (endpoint) name the objects came from
    :param objects: a page of model objects
    """
    return [to_row(name, obj) for obj in objects]

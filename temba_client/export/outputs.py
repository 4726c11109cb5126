"""Where exported objects go: JSON Lines (optionally gzipped), CSV, plain records, and the optional
pandas / Parquet forms (the core never imports those libraries).

File writers buffer one page and write it at :meth:`Writer.make_durable`, which returns the file's
committed size and the digest of its last bytes: the state keeps them (see
:mod:`~temba_client.export.state`), and a rerun first checks the file and cuts it back to that
size, so a page written after the last checkpoint is never written twice. A gzipped file gets one gzip member per
page (gzip readers read such a file as one stream), so it can be cut between any two pages.
"""

from __future__ import annotations

import csv
import datetime
import gzip
import importlib
import io
import json
import os
from collections.abc import Iterable
from typing import Any, Callable, Dict, List, Optional, Tuple, Type

from ..exceptions import TembaStateError
from ..serialization import TembaObject, extra_fields
from .state import TAIL, append_durably, digest_of, read_tail

FORMATS = ("jsonl", "jsonl.gz", "csv")


def to_native(value: Any) -> Any:
    """A model object (or a list/dict of them) as plain dicts and lists; datetimes stay datetimes.

    :param value: a :class:`~temba_client.serialization.TembaObject`, a list, a dict or a plain value
    """
    if isinstance(value, TembaObject):
        record = {attr: to_native(getattr(value, attr, None)) for attr in type(value)._fields}
        for key, item in extra_fields(value).items():  # a newer server's keys, as it sent them
            record.setdefault(key, item)
        return record
    if isinstance(value, list):
        return [to_native(item) for item in value]
    if isinstance(value, dict):
        return {key: to_native(item) for key, item in value.items()}
    return value


def to_records(objects: Iterable[TembaObject]) -> List[Dict[str, Any]]:
    """Plain dicts with native values (datetimes stay datetimes), one per object.

    :param objects: a query (``client.get_runs(...)``) or any iterable of model objects
    """
    return [to_native(obj) for obj in objects]


def flatten_run(run: TembaObject) -> Dict[str, Any]:
    """One flat row for a run: its scalar fields, ``flow_uuid``/``flow_name``,
    ``contact_uuid``/``contact_name``, and three columns per result key: ``<key>_value``,
    ``<key>_category``, ``<key>_time``.

    :param run: a :class:`~temba_client.v2.types.Run`
    """
    row: Dict[str, Any] = {
        "id": getattr(run, "id", None),
        "uuid": getattr(run, "uuid", None),
        "responded": getattr(run, "responded", None),
        "created_on": getattr(run, "created_on", None),
        "modified_on": getattr(run, "modified_on", None),
        "exited_on": getattr(run, "exited_on", None),
        "exit_type": getattr(run, "exit_type", None),
    }
    for ref in ("flow", "contact"):
        obj = getattr(run, ref, None)
        row[ref + "_uuid"] = getattr(obj, "uuid", None)
        row[ref + "_name"] = getattr(obj, "name", None)
    for key, value in (getattr(run, "values", None) or {}).items():
        row[key + "_value"] = getattr(value, "value", None)
        row[key + "_category"] = getattr(value, "category", None)
        row[key + "_time"] = getattr(value, "time", None)
    return row


def flatten_runs(runs: Iterable[TembaObject]) -> List[Dict[str, Any]]:
    """:func:`flatten_run` for each run.

    :param runs: a query of runs or any iterable of :class:`~temba_client.v2.types.Run`
    """
    return [flatten_run(run) for run in runs]


def to_dataframe(
    objects: Iterable[TembaObject], flatten: bool = False, model: Optional[Type[TembaObject]] = None
) -> Any:
    """A :class:`pandas.DataFrame` of the objects (needs the ``pandas`` extra), one row per object
    and one column per field; with no objects, still the model's columns (none if the model is unknown).

    :param objects: a query or any iterable of model objects
    :param flatten: for runs, one column per result key (see :func:`flatten_run`)
    :param model: the objects' class, for the columns when there are none (default: a query's own)
    """
    pandas = _optional("pandas", "to_dataframe", "pandas")
    model = model or getattr(objects, "clazz", None)
    rows = flatten_runs(objects) if flatten else to_records(objects)
    if not rows and model is not None:
        return pandas.DataFrame(columns=_columns(model, flatten))
    return pandas.DataFrame.from_records(rows)


def write_parquet(
    objects: Iterable[TembaObject], path: str, flatten: bool = False, model: Optional[Type[TembaObject]] = None
) -> int:
    """Writes the objects to a Parquet file (needs the ``parquet`` extra) and returns the row count.
    Nested values (refs, lists, result dicts) are stored as JSON text unless ``flatten``. With no
    objects the file still has the model's columns (none if the model is unknown).

    :param objects: a query or any iterable of model objects
    :param path: the file to write
    :param flatten: for runs, one column per result key (see :func:`flatten_run`)
    :param model: the objects' class, for the columns when there are none (default: a query's own)
    """
    pyarrow = _optional("pyarrow", "write_parquet", "parquet")
    parquet = importlib.import_module("pyarrow.parquet")
    model = model or getattr(objects, "clazz", None)
    rows = flatten_runs(objects) if flatten else [_csv_row(to_native(obj)) for obj in objects]
    if not rows and model is not None:
        table = pyarrow.table({column: pyarrow.array([], pyarrow.null()) for column in _columns(model, flatten)})
    else:
        table = pyarrow.Table.from_pylist(rows)
    parquet.write_table(table, path)
    return len(rows)


#: Line breaks that ``json.dumps(ensure_ascii=False)`` leaves raw but that ``str.splitlines()`` and
#: JavaScript split on: written as ``\\u`` escapes (same JSON value), one record stays one line.
_LINE_BREAKS = {"\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def json_line(record: Any) -> str:
    """One JSON Lines line: UTF-8 text, with U+0085, U+2028 and U+2029 escaped.

    :param record: a JSON-serializable value
    """
    text = json.dumps(record, ensure_ascii=False)
    for char, escape in _LINE_BREAKS.items():
        if char in text:
            text = text.replace(char, escape)
    return text + "\n"


def _optional(module: str, function: str, extra: str) -> Any:
    """An optional library, or an ImportError naming the extra of the distribution that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError("%s needs %s: pip install 'rapidpro-python[%s]'" % (function, module, extra)) from None


def _columns(model: Type[TembaObject], flatten: bool) -> List[str]:
    """The columns of an empty table: those a row of an object of the model with no values has."""
    empty = model.create()
    return list(flatten_run(empty) if flatten else to_native(empty))


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    raise TypeError("Cannot write %s as JSON" % type(value).__name__)


def _csv_cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, default=_json_default, ensure_ascii=False)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def _csv_row(record: Dict[str, Any]) -> Dict[str, Any]:
    return {key: _csv_cell(value) for key, value in record.items()}


class Writer:
    """Appends objects to a file page by page; :meth:`make_durable` writes a page and syncs it.

    The file only changes in two ways: a page appended at :meth:`make_durable` (the state records
    it afterwards, see :mod:`~temba_client.export.state`), and a cut back to a size the state
    already records (the tail of a killed run, at opening; a rewind, at :meth:`published`). It is
    never cut upward: a file shorter than the size asked for is refused, not padded.

    :param path: the file
    :param fmt: ``"jsonl"``, ``"jsonl.gz"`` or ``"csv"``
    :param model: the objects' class (CSV columns are its fields)
    :param committed: the size the file had at the last checkpoint: anything after it is cut off
        (None: start a new file)
    :raises TembaStateError: the file is shorter than ``committed`` (or missing)
    """

    def __init__(self, path: str, fmt: str, model: Type[TembaObject], committed: Optional[int] = None) -> None:
        if fmt not in FORMATS:
            raise ValueError("Output format must be one of %s, not %r" % (", ".join(FORMATS), fmt))
        self.path = path
        self.fmt = fmt
        self.columns: List[str] = list(model._fields)
        self._pending: List[str] = []
        self.records: int = 0
        self.size: int = committed or 0
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        with open(path, "ab") as out:  # creates a missing file; appends nothing
            actual = os.fstat(out.fileno()).st_size
            if actual < self.size:
                raise TembaStateError(
                    "%s is shorter than its committed size (%d < %d bytes)" % (path, actual, self.size)
                )
            if actual > self.size:  # the uncommitted tail of a run that stopped before its commit
                out.truncate(self.size)
                os.fsync(out.fileno())
        self._tail = read_tail(path, self.size) if self.size else b""
        self._cut = False
        self._header()

    def _header(self) -> None:
        if self.fmt == "csv" and self.size == 0:
            self._pending.append(self._csv_line(self.columns))

    def _csv_line(self, cells: List[Any]) -> str:
        buffer = io.StringIO()
        csv.writer(buffer).writerow(cells)
        return buffer.getvalue()

    def write(self, obj: TembaObject) -> None:
        """Adds one object to the page being written.

        :param obj: a model object
        """
        if self.fmt == "csv":
            record = obj.serialize()
            self._pending.append(self._csv_line([_csv_cell(record.get(column)) for column in self.columns]))
        else:
            self._pending.append(json_line(obj.serialize()))
        self.records += 1

    def rewind(self, size: int) -> None:
        """Goes back to ``size`` (a partial archive that was rolled up, a small endpoint read again):
        the page being written is dropped; the file is cut once the state records ``size``.

        :param size: a size at most the committed one
        """
        if size > self.size:
            raise ValueError("Cannot rewind %s forward (%d > %d)" % (self.path, size, self.size))
        self._pending, self.records = [], 0
        self.size = size
        self._tail = read_tail(self.path, size) if size else b""
        self._cut = True
        self._header()

    def make_durable(self) -> Tuple[int, Optional[str]]:
        """Appends the pending page (flushed and synced) and returns the committed size and the
        digest of the bytes before it, for the state. After a :meth:`rewind`, nothing is appended
        until the state has recorded the smaller size."""
        if self._pending and not self._cut:
            data = "".join(self._pending).encode("utf-8")
            if self.fmt == "jsonl.gz":
                data = gzip.compress(data, compresslevel=6)
            append_durably(self.path, data)
            self.size += len(data)
            self._tail = (self._tail + data)[-TAIL:]
            self._pending = []
        return self.size, digest_of(self._tail)

    def published(self) -> None:
        """Cuts the file back to its committed size after a rewind (the state records it now)."""
        if self._cut:
            with open(self.path, "ab") as out:
                if os.fstat(out.fileno()).st_size > self.size:
                    out.truncate(self.size)
                    os.fsync(out.fileno())
            self._cut = False

    def commit(self) -> int:
        """Writes the page to disk (flushed and synced) and returns the file's size."""
        size, _digest = self.make_durable()
        self.published()
        return size


class CallbackSink:
    """A sink that hands each committed page to a function instead of a file: the function runs at
    :meth:`make_durable`, before the state moves on, so a page whose handler failed comes again on
    the next run (handlers should upsert by id).

    :param handler: called with each page's objects, oldest first
    :param committed: records handed over before (the state's count)
    """

    def __init__(self, handler: Callable[[List[TembaObject]], None], committed: Optional[int] = None) -> None:
        self.handler = handler
        self._pending: List[TembaObject] = []
        self.records: int = 0
        self.size: int = committed or 0

    def write(self, obj: TembaObject) -> None:
        """Adds one object to the page being handed over.

        :param obj: a model object
        """
        self._pending.append(obj)
        self.records += 1

    def rewind(self, size: int) -> None:
        """Nothing to undo: the handler had those records and gets them again (it upserts).

        :param size: ignored
        """

    def make_durable(self) -> Tuple[int, Optional[str]]:
        """Hands the page to the handler; returns the count of records handed over so far."""
        if self._pending:
            page, self._pending = self._pending, []
            self.handler(page)
            self.size += len(page)
        return self.size, None

    def published(self) -> None:
        """Nothing to do after the state recorded the page."""

    def commit(self) -> int:
        """Hands the page to the handler; returns the count of records handed over so far."""
        return self.make_durable()[0]

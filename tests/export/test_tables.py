"""DataFrames and Parquet files of queries: the model's columns even when a query has no results,
and the extra to install named by the distribution's name when the library is missing."""

from __future__ import annotations

import sys

import pytest

from temba_client.export import to_dataframe, write_parquet
from temba_client.export.outputs import flatten_run
from temba_client.v2.types import Contact, Run

RUN_COLUMNS = ["id", "uuid", "responded", "created_on", "modified_on", "exited_on", "exit_type"]
RUN_COLUMNS += ["flow_uuid", "flow_name", "contact_uuid", "contact_name"]


@pytest.mark.rapidpro(seed=None)
def test_an_empty_query_keeps_the_models_columns(rapidpro_client):
    pytest.importorskip("pandas")
    frame = rapidpro_client.get_contacts().to_dataframe()
    assert list(frame.columns) == list(Contact._fields) and len(frame) == 0
    assert list(frame["uuid"]) == []  # selecting a column works (it raised KeyError)

    frame = rapidpro_client.get_runs().to_dataframe(flatten=True)
    assert list(frame.columns) == RUN_COLUMNS == list(flatten_run(Run.create()))

    # the function, given the query or told the model
    assert list(to_dataframe(rapidpro_client.get_contacts()).columns) == list(Contact._fields)
    assert list(to_dataframe([], model=Contact).columns) == list(Contact._fields)
    assert list(to_dataframe([]).columns) == []  # nothing says which model


def test_a_dataframe_has_a_row_per_object(rapidpro_client):
    pytest.importorskip("pandas")
    contacts = rapidpro_client.get_contacts().all()
    frame = rapidpro_client.get_contacts().to_dataframe()
    assert list(frame["uuid"]) == [c.uuid for c in contacts]
    assert list(frame.columns) == list(Contact._fields)


@pytest.mark.rapidpro(seed=None)
def test_an_empty_parquet_file_keeps_the_models_columns(rapidpro_client, tmp_path):
    parquet = pytest.importorskip("pyarrow.parquet")
    assert write_parquet(rapidpro_client.get_runs(), str(tmp_path / "runs.parquet"), flatten=True) == 0
    assert parquet.read_table(tmp_path / "runs.parquet").column_names == RUN_COLUMNS
    assert write_parquet(rapidpro_client.get_contacts(), str(tmp_path / "contacts.parquet")) == 0
    assert parquet.read_table(tmp_path / "contacts.parquet").column_names == list(Contact._fields)


def test_a_parquet_file_has_a_row_per_object(rapidpro_client, tmp_path):
    parquet = pytest.importorskip("pyarrow.parquet")
    runs = rapidpro_client.get_runs().all()
    assert write_parquet(runs, str(tmp_path / "runs.parquet")) == len(runs) > 0
    table = parquet.read_table(tmp_path / "runs.parquet")
    assert table.column("uuid").to_pylist() == [r.uuid for r in runs]


@pytest.mark.parametrize(
    "module, call, extra",
    [("pandas", lambda path: to_dataframe([]), "pandas"), ("pyarrow", lambda path: write_parquet([], path), "parquet")],
)
def test_a_missing_library_names_the_extra_to_install(monkeypatch, tmp_path, module, call, extra):
    monkeypatch.setitem(sys.modules, module, None)  # as if it were not installed: its import fails
    with pytest.raises(ImportError) as info:
        call(str(tmp_path / "x.parquet"))
    assert str(info.value).endswith("needs %s: pip install 'rapidpro-python[%s]'" % (module, extra))
    assert not (tmp_path / "x.parquet").exists()

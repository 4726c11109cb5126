"""Loads of the local server's workspace into DuckDB: full, incremental, interrupted."""

from __future__ import annotations

import pytest

from temba_client.export import WorkBudget

from .conftest import DATASET, KEYS, fast, query, rapidpro_source, server_keys, settings, table_keys

MERGED = ("contacts", "messages", "runs", "tickets", "broadcasts", "flow_starts")


def source(client, **kwargs):
    return rapidpro_source(client=client, settings=settings(), budget=fast(), **kwargs)


def assert_equal_to_server(pipeline, client):
    for table in KEYS:
        assert table_keys(pipeline, table) == server_keys(client, table), table
    assert query(pipeline, "SELECT uuid, name FROM %s.workspace" % DATASET) == [
        (client.get_workspace().uuid, client.get_workspace().name)
    ]


def load_ids(pipeline, table, load_id):
    sql = "SELECT %s FROM %s.%s WHERE _dlt_load_id = '%s'" % (KEYS[table], DATASET, table, load_id)
    return sorted(row[0] for row in query(pipeline, sql))


def test_a_full_load_equals_the_servers_records(server, client, make_pipeline):
    pipeline = make_pipeline()
    pipeline.run(source(client))
    assert_equal_to_server(pipeline, client)
    # history came from the archives too
    assert query(pipeline, "SELECT count(*) FROM %s.runs WHERE modified_on < '2024-01-03'" % DATASET)[0][0] > 0

    # run values and path are child tables of runs, one row per result key / step
    runs = list(client.get_runs())
    api_values = sum(len(run.values or {}) for run in runs)
    api_steps = sum(len(run.path or []) for run in runs)
    sql = "SELECT count(*) FROM {d}.runs__{t} c JOIN {d}.runs r ON c._dlt_parent_id = r._dlt_id WHERE r.id IN ({ids})"
    ids = ",".join(str(run.id) for run in runs)
    assert query(pipeline, sql.format(d=DATASET, t="values", ids=ids))[0][0] == api_values > 0
    assert query(pipeline, sql.format(d=DATASET, t="path", ids=ids))[0][0] == api_steps > 0
    one = next(run for run in runs if run.values)
    key, value = sorted(one.values.items())[0]
    sql = "SELECT c.category, c.time FROM {d}.runs__values c JOIN {d}.runs r ON c._dlt_parent_id = r._dlt_id"
    sql += " WHERE r.id = %d AND c.key = '%s'" % (one.id, key)
    assert query(pipeline, sql.format(d=DATASET)) == [(value.category, value.time)]

    # datetimes are timestamps, not strings
    types = dict(
        query(
            pipeline,
            "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = '%s'" % DATASET,
        )
    )
    for column in (
        "contacts.modified_on",
        "messages.created_on",
        "runs.exited_on",
        "runs__path.time",
        "runs__values.time",
        "tickets.opened_on",
        "channels.last_seen",
        "flow_starts.modified_on",
    ):
        assert types[column] == "TIMESTAMP WITH TIME ZONE", column
    assert types["messages.id"] == "BIGINT" and types["contacts.deleted"] == "BOOLEAN"


def test_a_second_load_adds_exactly_the_changes(server, client, make_pipeline):
    pipeline = make_pipeline()
    pipeline.run(source(client))
    ws = server.workspace
    contacts = [c.uuid for c in client.get_contacts()]
    renamed, gone = contacts[5], contacts[7]
    ws.modify("contacts", renamed, name="Renamed")
    client.delete_contact(gone)
    new_contact = client.create_contact(name="New", urns=["tel:+250788999001"])
    message = client.create_message(new_contact, text="hello")
    run = next(iter(client.get_runs()))
    ws.modify("runs", run.id, exit_type="interrupted")
    ticket = next(iter(client.get_tickets()))
    ws.modify("tickets", ticket.uuid, status="closed")
    start = next(iter(client.get_flow_starts()))
    ws.modify("flow_starts", start.uuid, status="completed")
    before = {table: table_keys(pipeline, table) for table in MERGED}

    info = pipeline.run(source(client))
    (load_id,) = info.loads_ids
    changed = {
        "contacts": sorted([renamed, new_contact.uuid]),
        "messages": [message.id],
        "runs": [run.id],
        "tickets": [ticket.uuid],
        "broadcasts": [],
        "flow_starts": [start.uuid],
    }
    for table in MERGED:
        assert load_ids(pipeline, table, load_id) == changed[table], table
    assert table_keys(pipeline, "contacts") == sorted(set(before["contacts"]) - {gone} | {new_contact.uuid})
    assert table_keys(pipeline, "messages") == sorted(before["messages"] + [message.id])
    assert_equal_to_server(pipeline, client)
    # the deleted contact's child rows went with it; the renamed one has its new name
    assert query(pipeline, "SELECT name FROM %s.contacts WHERE uuid = '%s'" % (DATASET, renamed)) == [("Renamed",)]
    orphans = "SELECT count(*) FROM {d}.contacts__urns u LEFT JOIN {d}.contacts c ON u._dlt_parent_id = c._dlt_id "
    assert query(pipeline, (orphans + "WHERE c._dlt_id IS NULL").format(d=DATASET)) == [(0,)]

    # a third load with nothing changed adds nothing to the merged tables
    info = pipeline.run(source(client))
    for table in MERGED:
        assert load_ids(pipeline, table, info.loads_ids[0]) == [], table


@pytest.mark.slow
def test_a_load_stopped_by_the_work_budget_goes_on_at_each_rerun_and_ends_exact(server, client, make_pipeline):
    pipeline = make_pipeline()
    runs = 0
    while runs < 60:
        runs += 1
        pipeline.run(source(client, work=WorkBudget(pages=1)))
        if all(table_keys(pipeline, table) == server_keys(client, table) for table in MERGED):
            break
    assert 4 < runs < 60, [t for t in MERGED if table_keys(pipeline, t) != server_keys(client, t)]
    assert_equal_to_server(pipeline, client)


def test_a_load_failed_mid_way_is_read_again_and_ends_exact(server, client, make_pipeline):
    pipeline = make_pipeline()
    # the third request for runs fails (contacts, messages... have loaded pages by then): the extract
    # fails and neither the pages nor the state are committed
    server.faults.add(500, endpoint="runs", every=3, times=1)
    with pytest.raises(Exception, match="step=extract"):
        pipeline.run(source(client))
    assert sum(server.faults.injected.values()) == 1
    assert not pipeline.state.get("sources")
    pipeline.run(source(client))
    assert_equal_to_server(pipeline, client)

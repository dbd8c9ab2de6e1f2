"""Every named query in queries/: a well-formed header, and it runs on an empty and a demo store
returning exactly the columns its header promises; its `-- reads:` line names exactly the kinds of data
(store.versions) of the tables DuckDB reads for it, views and macros followed to their base tables."""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime

import pytest

from privacyops.store import QUERIES_DIR, Store, named_query, open_store, query_names
from privacyops.store.versions import DATA_KINDS, KIND_OF_TABLE

SAMPLE_BY_TYPE = {
    "DATE": date(2026, 6, 30),
    "TIMESTAMP": datetime(2026, 6, 30, 12, 0),
    "VARCHAR": "",
    "INTEGER": 5,
    "BIGINT": 5,
    "DOUBLE": 0.5,
    "BOOLEAN": False,
    "VARCHAR[]": [],
}
# Parameters whose neutral value is not the type's default.
SAMPLE_BY_NAME = {"request_id": "DSR-000001", "start": date(2025, 1, 1), "customer_id": "C01"}


def sample_params(name: str) -> dict:
    q = named_query(name)
    params = {}
    for param, kind in q.param_types:
        if param in SAMPLE_BY_NAME:
            params[param] = SAMPLE_BY_NAME[param]
        else:
            assert kind in SAMPLE_BY_TYPE, f"{name}.sql: unknown parameter type {kind} for ${param}"
            params[param] = SAMPLE_BY_TYPE[kind]
    return params


def body_parameters(sql: str) -> set[str]:
    code = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    code = re.sub(r"'[^']*'", "''", code)  # ignore $ inside string literals
    return set(re.findall(r"\$([a-z_][a-z0-9_]*)", code))


ALL = query_names()


def test_there_are_queries():
    assert len(ALL) >= 10


@pytest.mark.parametrize("name", ALL)
def test_header_declares_exactly_the_parameters_used(name):
    q = named_query(name)
    assert q.columns, f"{name}.sql has no returns line"
    assert body_parameters(q.sql) == set(q.params), f"{name}.sql: declared and used parameters differ"
    assert len(q.param_types) == len(q.params)
    assert (QUERIES_DIR / f"{name}.sql").read_text().lstrip().startswith("--"), "header comment first"


@pytest.fixture(scope="module")
def stores(demo_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("queries")
    empty = open_store(folder / "empty.duckdb")
    shutil.copy(demo_template, folder / "demo.duckdb")
    demo = open_store(folder / "demo.duckdb")
    yield {"empty": empty, "demo": demo}
    empty.close()
    demo.close()


@pytest.mark.parametrize("kind", ["empty", "demo"])
@pytest.mark.parametrize("name", ALL)
def test_query_runs_and_returns_its_declared_columns(stores, name, kind):
    frame = stores[kind].query(name, **sample_params(name))
    assert tuple(frame.columns) == named_query(name).columns


def tables_read(store: Store, name: str) -> set[str]:
    """The stored tables in DuckDB's plan of the query before the optimiser runs (so a filter that happens to
    be empty for the sample parameters prunes nothing): views and table macros appear as their base tables."""
    with store.cursor() as cur:
        cur.execute("SET SESSION explain_output = 'all'")
        plans = dict(cur.execute("EXPLAIN (FORMAT json) " + named_query(name).sql, sample_params(name)).fetchall())
    return {table.rsplit(".", 1)[-1] for table in re.findall(r'"Table": "([^"]+)"', plans["logical_plan"])}


@pytest.mark.parametrize("name", ALL)
def test_header_names_the_kinds_of_data_it_reads(stores, name):
    """A cached figure is kept until a kind it reads changes (ui/data.py): a kind missing here leaves it stale."""
    declared = named_query(name).declared_reads
    assert declared is not None, f"{name}.sql has no '-- reads:' header line"
    tables = tables_read(stores["empty"], name)
    assert tables, f"{name}.sql reads no stored table"
    assert tables <= KIND_OF_TABLE.keys(), f"{name}.sql reads {tables - KIND_OF_TABLE.keys()}, of no kind"
    read = tuple(sorted({KIND_OF_TABLE[t] for t in tables}))
    assert declared == read, f"{name}.sql reads {', '.join(sorted(tables))}: its header should say -- reads: " + \
        ", ".join(read)


def test_an_unknown_kind_in_a_reads_line_is_refused(tmp_path, monkeypatch):
    from privacyops.store import QueryError, queries
    (tmp_path / "typo.sql").write_text("-- returns: n\n-- reads: request\nSELECT count(*) AS n FROM requests\n")
    monkeypatch.setattr(queries, "QUERIES_DIR", tmp_path)
    queries.named_query.cache_clear()
    try:
        with pytest.raises(QueryError, match="request is not a kind of data; kinds: " + ", ".join(DATA_KINDS)):
            queries.named_query("typo")
    finally:
        queries.named_query.cache_clear()

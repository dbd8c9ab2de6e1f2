"""Every named query in queries/: a well-formed header, and it runs on an empty and a demo store
returning exactly the columns its header promises."""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime

import pytest

from privacyops.store import QUERIES_DIR, named_query, open_store, query_names

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

"""The import contract agrees with the rule modules, the store's schema and docs/import.md, and the SQL
generated from it never holds anything but contract names and constants."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from privacyops.importing import contract
from privacyops.importing.check_sql import rows_statement
from privacyops.rules import consent, lifecycle, retention

ROOT = Path(__file__).resolve().parents[2]


def test_choices_come_from_the_rules():
    assert contract.field("consent", "method").choices == tuple(consent.METHODS)
    assert contract.field("consent", "source").choices == tuple(consent.SOURCES)
    assert contract.field("requests", "request_type").choices == tuple(lifecycle.REQUEST_TYPES)
    assert contract.field("requests", "channel").choices == tuple(lifecycle.CHANNELS)
    assert set(contract.field("requests", "status").choices) == set(lifecycle.STATUSES) - {"paused"}
    assert set(contract.field("requests", "refusal_ground").choices) == set(lifecycle.REFUSAL_GROUNDS) == (
        set(lifecycle.GROUNDS_FOR_EVERY_RIGHT) | set(lifecycle.NO_DATA_GROUNDS)
        | set(lifecycle.ERASURE_REFUSAL_GROUNDS))
    assert contract.field("requests", "recipients_notice").choices == tuple(lifecycle.RECIPIENTS_NOTICES)
    assert contract.field("retention", "data_category").choices == tuple(retention.DATA_CATEGORIES)
    for category in retention.DATA_CATEGORIES:
        assert contract.field("customers", f"{category}_end_action").choices == tuple(retention.END_ACTIONS)


def test_columns_are_the_store_tables_columns():
    con = duckdb.connect()
    for migration in sorted((ROOT / "privacyops" / "store" / "migrations").glob("*.sql")):   # columns added later too
        con.execute(migration.read_text())

    def table_columns(table: str) -> list[str]:
        return [r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = $t "
                                          "ORDER BY column_index", {"t": table}).fetchall()]

    assert contract.column_names("consent") == table_columns("consent_records")
    assert contract.column_names("retention") == table_columns("retention_records")
    assert set(contract.column_names("requests")) <= set(table_columns("requests"))
    assert contract.column_names("customers")[:4] == table_columns("customers")[:4]
    con.close()


@pytest.mark.parametrize("kind", list(contract.KINDS))
def test_docs_describe_the_contract_exactly(kind):
    docs = (ROOT / "docs" / "import.md").read_text()
    section = docs.split(f"### {kind}\n", 1)[1].split("\n### ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    documented = []
    for line in rows:
        cells = [c.strip() for c in line.strip("|").split("|")]
        documented.append((cells[0].strip("`"), cells[1] == "yes", cells[2], cells[3]))
    expected = [(f.name, f.required, f.type, ", ".join(f.choices)) for f in contract.fields(kind)]
    assert documented == expected


@pytest.mark.parametrize("kind", list(contract.KINDS))
def test_generated_sql_uses_only_contract_names_and_parameters(kind):
    names = contract.column_names(kind)
    mapping = {name: i for i, name in enumerate(names)}
    sql = rows_statement(kind, "SELECT 1", len(names), mapping)
    assert set(re.findall(r"\$([a-z_]+)", sql)) <= {"now", "known_customers", "decimal_comma"}
    # every identifier-looking word built from a name is a contract column with a known prefix
    for word in re.findall(r"\b[a-z]__([a-z_0-9]+)", sql):
        assert word in names


def test_every_kind_has_an_id_column_and_a_table():
    for kind in contract.KINDS:
        assert contract.ID_COLUMN[kind] in contract.column_names(kind)
        assert contract.TARGET_TABLE[kind]
    assert contract.IMPORT_ORDER[0] == "customers"

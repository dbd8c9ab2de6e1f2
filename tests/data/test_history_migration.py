"""Migration 009 on a store of the previous version: subject ids leave the history, the chain is rebuilt."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from privacyops.cases import requests
from privacyops.store import Migration, Store, StoreError, history, latest_schema_version, migrations, open_store

# Written by the code of schema 004 (see the file's header): requests logged and imported with subject ids.
ROOT = Path(__file__).resolve().parents[2]
V004_ROWS = Path(__file__).resolve().parent / "stores" / "v004_requests_with_subject_ids.sql"
SUBJECT_IDS = ("subj-7781-karin", "acct-0815-lars", "imp-5521-eva")


def previous_version_store(path: Path) -> None:
    """A store file as Privacy Ops of schema 004 left it: migrations 001-004, then rows that code wrote."""
    store = Store(path, duckdb.connect(str(path)))
    try:
        assert store._migrate([m for m in migrations() if m.version <= 4]) == [1, 2, 3, 4]
        store.write(lambda cur: cur.execute(V004_ROWS.read_text("utf-8")))
    finally:
        store._con.close()


def chain(path: Path) -> list[tuple]:
    con = duckdb.connect(str(path))
    try:
        return con.execute("SELECT entry_id, request_id, recorded_at, actor, action, changes, note, prev_hash, "
                           "entry_hash FROM request_history ORDER BY entry_id").fetchall()
    finally:
        con.close()


def test_the_previous_version_holds_subject_ids_in_an_intact_chain(store_path):
    previous_version_store(store_path)
    old = chain(store_path)
    text = " ".join(row[5] for row in old)
    assert all(subject in text for subject in SUBJECT_IDS)
    assert history.verify_chain(old) == []


def test_migration_009_redacts_subject_ids_and_rechains(store_path):
    previous_version_store(store_path)
    old = chain(store_path)
    store = open_store(store_path)
    try:
        assert store.schema_version() == latest_schema_version() >= 9
        with store.cursor() as cur:
            requests_after = cur.execute("SELECT request_id, subject_id FROM requests ORDER BY 1").fetchall()
            new = cur.execute("SELECT entry_id, request_id, actor, action, changes, note FROM request_history "
                              "ORDER BY entry_id").fetchall()
            applied = cur.execute("SELECT name FROM schema_migrations WHERE version = 9").fetchone()
        assert applied == ("history_without_subject_ids",)
        # nothing lost: the same requests (their subject ids kept in the requests table), every entry + 1
        assert requests_after == [("DSR-000001", "subj-7781-karin"), ("DSR-000002", "acct-0815-lars"),
                                  ("DSR-000003", None), ("XL-2025-101", "imp-5521-eva")]
        assert len(new) == len(old) + 1
        assert [(r[0], r[1], r[3], r[5]) for r in new[:-1]] == [(r[0], r[1], r[4], r[6]) for r in old]
        text = " ".join(r[4] + r[5] for r in new)
        assert not [subject for subject in SUBJECT_IDS if subject in text]
        created = {r[1]: json.loads(r[4]) for r in new if r[3] in ("create", "import")}
        assert created["DSR-000001"]["subject_id"] == [None, history.REDACTED]
        assert created["XL-2025-101"]["subject_id"] == [None, history.REDACTED]
        assert "subject_id" not in created["DSR-000003"]   # none recorded, none claimed
        assert requests.verify_history(store) == []

        last = new[-1]
        record = json.loads(last[4])
        assert (last[1], last[3]) == ("(history)", "redact") and "Art. 5(1)(e)" in last[5] and "rules.md 4" in last[5]
        assert record["old_chain_last_hash"] == old[-1][8] and record["old_chain_last_entry_id"] == old[-1][0]
        assert record["entries_redacted"] == 3 and record["old_chain_problems"] == []
    finally:
        store.close()
    cli = subprocess.run([sys.executable, "-m", "privacyops", "--db", str(store_path), "verify-history"],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert cli.returncode == 0 and "intact" in cli.stdout


def test_an_old_copy_of_the_history_checks_against_the_migrated_chain(store_path):
    """What the docstring of migration 009 promises someone holding a backup taken before it."""
    previous_version_store(store_path)
    backup = chain(store_path)[:6]            # an older copy: the first six entries
    open_store(store_path).close()
    migrated = chain(store_path)

    assert history.verify_chain(backup) == []
    rechained, _ = history.redact_and_rechain(backup)
    assert [r[8] for r in rechained] == [r[8] for r in migrated[:6]]
    # and a copy whose content was changed does not match
    forged = [(*backup[1][:6], "changed later", *backup[1][7:]) if r is backup[1] else r for r in backup]
    assert history.redact_and_rechain(forged)[0][1][8] != migrated[1][8]


def test_a_broken_old_chain_is_not_hidden_by_the_rechaining(store_path):
    previous_version_store(store_path)
    con = duckdb.connect(str(store_path))
    con.execute("UPDATE request_history SET note = 'edited afterwards' WHERE entry_id = 3")
    con.close()
    store = open_store(store_path)
    try:
        with store.cursor() as cur:
            changes = cur.execute("SELECT changes FROM request_history ORDER BY entry_id DESC LIMIT 1").fetchone()[0]
        problems = json.loads(changes)["old_chain_problems"]
        assert len(problems) == 1 and problems[0].startswith("history entry 3 ")
    finally:
        store.close()


def test_a_new_store_gets_no_redaction_entry(store):
    with store.cursor() as cur:
        assert cur.execute("SELECT count(*) FROM request_history").fetchone() == (0,)


def test_migration_009_does_not_depend_on_the_migrations_before_it_beyond_004(store_path):
    """Whatever migrations 005-008 are, the Python step reads and writes only request_history (001)."""
    previous_version_store(store_path)
    con = duckdb.connect(str(store_path))
    try:
        con.execute("BEGIN TRANSACTION")
        (step,) = [m for m in migrations() if m.version == 9]
        step.apply(con)
        con.execute("COMMIT")
        rows = con.execute("SELECT entry_id, request_id, recorded_at, actor, action, changes, note, prev_hash, "
                           "entry_hash FROM request_history ORDER BY entry_id").fetchall()
    finally:
        con.close()
    assert history.verify_chain(rows) == [] and rows[-1][4] == "redact"


# --- the migration mechanism: numbered .sql and .py files ----------------------------------------

def test_a_python_step_runs_after_its_sql_in_the_same_transaction(tmp_path):
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "001_base.sql").write_text("CREATE TABLE t (x INTEGER);", "utf-8")
    (folder / "002_fill.sql").write_text("INSERT INTO t VALUES (1);", "utf-8")
    (folder / "002_fill.py").write_text(
        "def migrate(cur):\n    cur.execute('INSERT INTO t SELECT max(x) + 1 FROM t')\n", "utf-8")
    (folder / "003_only_python.py").write_text("def migrate(cur):\n    raise RuntimeError('step failed')\n", "utf-8")
    (folder / "README.txt").write_text("not a migration", "utf-8")

    found = migrations(folder)
    assert [(m.version, m.name, bool(m.sql), m.python is not None) for m in found] == [
        (1, "base", True, False), (2, "fill", True, True), (3, "only_python", False, True)]
    con = duckdb.connect(str(tmp_path / "t.duckdb"))
    try:
        con.execute("BEGIN TRANSACTION")
        for m in found[:2]:
            m.apply(con)
        assert con.execute("SELECT list(x ORDER BY x) FROM t").fetchone() == ([1, 2],)   # SQL first, then Python
        with pytest.raises(RuntimeError, match="step failed"):
            found[2].apply(con)
        con.execute("ROLLBACK")
        assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 't'").fetchone() == (0,)
    finally:
        con.close()


def test_a_failing_python_migration_leaves_the_store_as_it_was(store_path, tmp_path):
    """Store._migrate applies Python steps inside its one transaction: a failure writes nothing."""
    previous_version_store(store_path)
    before = chain(store_path)
    broken = tmp_path / "broken.py"
    broken.write_text(
        "def migrate(cur):\n    cur.execute('DELETE FROM request_history')\n    raise RuntimeError('x')\n", "utf-8")
    store = Store(store_path, duckdb.connect(str(store_path)))
    try:
        with pytest.raises(RuntimeError):
            store._migrate([*migrations(), Migration(latest_schema_version() + 1, "broken", python=broken)])
        assert store.schema_version() == 4
    finally:
        store._con.close()
    assert chain(store_path) == before


def test_two_names_for_one_number_are_refused(tmp_path):
    (tmp_path / "005_one.sql").write_text("SELECT 1;", "utf-8")
    (tmp_path / "005_other.py").write_text("def migrate(cur):\n    pass\n", "utf-8")
    with pytest.raises(StoreError, match="numbered 005"):
        migrations(tmp_path)


def test_a_python_migration_without_migrate_is_refused(tmp_path):
    (tmp_path / "001_empty.py").write_text("X = 1\n", "utf-8")
    (m,) = migrations(tmp_path)
    con = duckdb.connect()
    try:
        with pytest.raises(StoreError, match="no migrate"):
            m.apply(con)
    finally:
        con.close()

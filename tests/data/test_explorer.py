"""The SQL explorer (privacyops.explorer.sandbox) on small real stores: what it shows (pseudonymised views with exact
values), what it refuses (a battery of escape attempts, each with its own message, after each of which a
normal SELECT still works), the time limit, the row cap, snapshots and their refresh, and on the demo store:
no email address anywhere in any view."""

from __future__ import annotations

import csv
import io
import shutil
import threading
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from privacyops.explorer import pseudonym, saved_queries, views
from privacyops.explorer import sandbox as explorer
from privacyops.explorer.errors import ExplorerError
from privacyops.explorer.sandbox import Explorer
from privacyops.explorer.views import VIEW_NAMES
from privacyops.store import QUERIES_DIR, Store, named_query, open_store

KEY = "test-pseudonym-key-0123456789abcdef"
OTHER_KEY = "another-pseudonym-key-fedcba9876543210"
NORMAL_SELECT = "SELECT count(*) AS n FROM consent_facts"

CONSENT_ROWS = [
    # consent_id, customer, subject, given_at, method, functional, analytics, marketing
    ("CR1", "C01", "subj_a", "2026-01-10 10:00:00", "accept_all", True, True, True),
    ("CR2", "C01", "subj_b", "2026-01-11 10:00:00", "implied", True, True, True),
    ("CR3", "C02", "subj_a", "2026-01-12 10:00:00", "reject_all", False, False, False),
    ("CR4", "C02", "subj_c", "2026-01-13 10:00:00", "withdrawal", False, False, False),
]


def _fill(store: Store) -> None:
    def change(cur: duckdb.DuckDBPyConnection) -> None:
        for cid, customer, subject, at, method, functional, analytics, marketing in CONSENT_ROWS:
            cur.execute("INSERT INTO consent_records VALUES ($id, $c, $s, $at, $m, '2025-09', 'banner', 'SE', true, "
                        "$f, $a, $mk)", {"id": cid, "c": customer, "s": subject, "at": at, "m": method,
                                          "f": functional, "a": analytics, "mk": marketing})
        cur.execute("""
            INSERT INTO requests (request_id, customer_id, request_type, received_at, channel, requester_email,
                requester_name, subject_id, description, status, assignee, forward_due_date, due_date,
                extension_reason, created_at, updated_at)
            VALUES
            ('DSR-000001', 'C01', 'erasure', TIMESTAMP '2026-01-05 09:00:00', 'email', 'eva.exempel@example.com',
             'Eva Exempel', 'subj_a', 'Please write to eva.exempel@example.com or +46 70 123 45 67', 'in_progress',
             'anna.berg@expandra.example', DATE '2026-01-12', DATE '2026-02-05',
             'Waiting for bob@example.com', TIMESTAMP '2026-01-05 09:05:00', TIMESTAMP '2026-01-06 10:00:00'),
            ('DSR-000002', 'C02', 'access', TIMESTAMP '2026-01-07 23:30:00', 'web_form', 'olle@example.org',
             'Olle Test', NULL, NULL, 'logged', NULL, DATE '2026-01-09', DATE '2026-02-09', NULL,
             TIMESTAMP '2026-01-07 23:31:00', TIMESTAMP '2026-01-07 23:31:00')
        """)
        cur.execute("INSERT INTO request_pauses (request_id, paused_at, reason, resumed_at) VALUES ('DSR-000001', "
                    "TIMESTAMP '2026-01-06 10:00:00', 'identity', "
                    "NULL)")
        cur.execute("INSERT INTO retention_records VALUES ('RR1', 'C01', 'email', TIMESTAMP '2024-01-01 00:00:00', "
                    "TIMESTAMP '2024-06-01 00:00:00', NULL, NULL, NULL)")

    store.write(change)


@pytest.fixture
def filled_store(customer_store: Store) -> Store:
    _fill(customer_store)
    return customer_store


@pytest.fixture
def explorer_root(tmp_path: Path) -> Path:
    return tmp_path / "explorer"


@pytest.fixture
def ex(filled_store: Store, explorer_root: Path):
    opened = Explorer(filled_store, KEY, folder=explorer_root)
    yield opened
    opened.close()


def rows(ex: Explorer, sql: str) -> list[tuple]:
    return list(ex.run(sql).itertuples(index=False, name=None))


def count(ex: Explorer, view: str, where: str = "true") -> int:
    """Rows of a view matching a condition (names from the schema, never user input)."""
    return int(rows(ex, f"SELECT count(*) FROM {view} AS v WHERE {where}")[0][0])  # noqa: S608 - test's own names


# --- what analysts see ------------------------------------------------------------------------

def test_the_views_and_nothing_else(ex):
    schema = ex.schema()
    assert tuple(schema["view"].drop_duplicates()) == VIEW_NAMES
    tables = rows(ex, "SELECT table_name FROM information_schema.tables ORDER BY table_name")
    assert sorted(t[0] for t in tables) == sorted(VIEW_NAMES)
    hidden = {"subject_id", "requester_email", "requester_name", "description", "extension_reason", "assignee",
              "org_number"}
    assert not hidden & set(schema["column"])


def test_each_view_has_the_columns_its_snapshot_query_declares(ex):
    schema = ex.schema()
    for view in views.VIEWS:
        assert tuple(schema.loc[schema["view"] == view.name, "column"]) == named_query(view.query).columns


def test_consent_facts_exact_values(ex):
    got = rows(ex, "SELECT consent_id, customer_id, subject_key, method, is_valid_choice, is_invalid_consent, "
                   "is_withdrawal, analytics_opt_in FROM consent_facts ORDER BY consent_id")
    a, b, c = (pseudonym.pseudonym(KEY, s) for s in ("subj_a", "subj_b", "subj_c"))
    assert got == [
        ("CR1", "C01", a, "accept_all", True, False, False, True),
        ("CR2", "C01", b, "implied", False, True, False, False),
        ("CR3", "C02", a, "reject_all", True, False, False, False),
        ("CR4", "C02", c, "withdrawal", False, False, True, False),
    ]


def test_request_clock_is_pseudonymised_and_links_to_consent(ex):
    got = rows(ex, "SELECT request_id, coalesce(subject_key, '-'), coalesce(assignee_key, '-'), status, is_open, "
                   "received_on, due_date FROM request_clock ORDER BY request_id")
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in got] == [
        ("DSR-000001", pseudonym.pseudonym(KEY, "subj_a"),
         pseudonym.pseudonym(KEY, "anna.berg@expandra.example", pseudonym.STAFF), "in_progress", True),
        ("DSR-000002", "-", "-", "logged", True),
    ]
    # 23:30 UTC on 7 January is 8 January in Stockholm: the view's dates come through.
    assert pd.Timestamp(got[1][5]).date().isoformat() == "2026-01-08"
    joined = rows(ex, "SELECT r.request_id, count(*) FROM request_clock r JOIN consent_facts c USING (subject_key) "
                      "GROUP BY ALL")
    assert joined == [("DSR-000001", 2)]


def test_other_views_exact_values(ex):
    assert rows(ex, "SELECT request_id, reason, resumed_at IS NULL FROM request_pauses") == [
        ("DSR-000001", "identity", True)]
    retention = rows(ex, "SELECT record_id, data_category, retention_days, end_action, effective_end_on "
                         "FROM retention_status")
    assert retention[0][:4] == ("RR1", "email", 365, "delete")
    assert pd.Timestamp(retention[0][4]).date().isoformat() == "2025-06-01"
    assert rows(ex, "SELECT customer_id, name, forward_working_days FROM customers ORDER BY 1") == [
        ("C01", "Testkund Ett AB", 5), ("C02", "Testkund Två AB", 2)]
    assert rows(ex, "SELECT count(*), count(DISTINCT customer_id) FROM customer_retention_terms") == [(10, 2)]


def test_snapshot_queries_use_the_documented_pseudonym_expression():
    for view in views.VIEWS:
        text = (QUERIES_DIR / f"{view.query}.sql").read_text("utf-8")
        if "subject_id" in text:
            assert pseudonym.sql_pseudonym("subject_id") + " AS subject_key" in text, view.query
        if "assignee" in text:
            assert pseudonym.sql_pseudonym("assignee", pseudonym.STAFF) + " AS assignee_key" in text, view.query


def test_sql_and_python_pseudonyms_agree_on_awkward_values():
    values = ["subj_a", "", "åäö ✓", "with'quote", "x" * 500]
    con = duckdb.connect()
    try:
        for value in values:
            for domain in pseudonym.DOMAINS:
                got = con.execute(f"SELECT {pseudonym.sql_pseudonym('$v', domain)}", {"key": KEY, "v": value})
                assert got.fetchone()[0] == pseudonym.pseudonym(KEY, value, domain)
    finally:
        con.close()


def test_pseudonyms_stable_for_one_key_and_different_across_keys(filled_store, explorer_root):
    sql = "SELECT consent_id, subject_key FROM consent_facts ORDER BY consent_id"
    first, second, other = (Explorer(filled_store, k, folder=explorer_root) for k in (KEY, KEY, OTHER_KEY))
    try:
        assert rows(first, sql) == rows(second, sql)
        assert {r[1] for r in rows(first, sql)}.isdisjoint({r[1] for r in rows(other, sql)})
    finally:
        for opened in (first, second, other):
            opened.close()


def test_a_short_key_is_refused(filled_store):
    with pytest.raises(pseudonym.PseudonymKeyError):
        Explorer(filled_store, "short")


# --- what it refuses, and that it stays usable -----------------------------------------------

NO_FILES = "no access to files, other databases or the network"
NO_VIEW = "The explorer has only these views"
ESCAPES = [
    ("INSERT INTO consent_facts SELECT * FROM consent_facts", "INSERT changes data"),
    ("UPDATE customers SET name = 'x'", "UPDATE changes data"),
    ("DELETE FROM customers", "DELETE and TRUNCATE change data"),
    ("TRUNCATE customers", "DELETE and TRUNCATE change data"),
    ("CREATE TABLE copy AS SELECT * FROM consent_facts", "CREATE makes tables"),
    ("CREATE TEMP TABLE t AS SELECT 1", "CREATE makes tables"),
    ("CREATE OR REPLACE VIEW customers AS SELECT 1", "CREATE makes tables"),
    ("CREATE MACRO m(a) AS a", "CREATE makes tables"),
    ("DROP VIEW consent_facts", "DROP removes objects"),
    ("ALTER VIEW customers RENAME TO c", "ALTER and COMMENT ON change objects"),
    ("ATTACH ':memory:' AS m", "ATTACH opens another database"),
    ("ATTACH '{store}' AS s (READ_ONLY)", "ATTACH opens another database"),
    ("DETACH memory", "DETACH closes a database"),
    ("USE system", "SET, RESET and USE change settings"),
    ("COPY (SELECT 1) TO '{tmp}/x.csv'", "COPY reads or writes files"),
    ("COPY customers FROM '/etc/passwd'", "COPY reads or writes files"),
    ("EXPORT DATABASE '{tmp}/dump'", "EXPORT DATABASE writes files"),
    ("INSTALL httpfs", "INSTALL and LOAD add extensions"),
    ("FORCE INSTALL httpfs", "INSTALL and LOAD add extensions"),
    ("LOAD httpfs", "INSTALL and LOAD add extensions"),
    ("LOAD json", "INSTALL and LOAD add extensions"),
    ("SET threads = 1", "SET, RESET and USE change settings"),
    ("SET enable_external_access = true", "SET, RESET and USE change settings"),
    ("SET lock_configuration = false", "SET, RESET and USE change settings"),
    ("RESET allowed_directories", "SET, RESET and USE change settings"),
    ("SET VARIABLE x = 1", "SET, RESET and USE change settings"),
    ("PRAGMA version", "PRAGMA statements"),
    ("PRAGMA enable_profiling", "PRAGMA statements"),
    ("PRAGMA threads = 1", "SET, RESET and USE change settings"),
    ("CALL pragma_version()", "CALL runs a table function"),
    ("CALL enable_logging()", "CALL runs a table function"),
    ("BEGIN TRANSACTION", "already runs in a read-only transaction"),
    ("ROLLBACK", "already runs in a read-only transaction"),
    ("EXPLAIN SELECT 1", "EXPLAIN is not available"),
    ("PREPARE p AS SELECT 1", "Prepared statements are not available"),
    ("CHECKPOINT", "CALL runs a table function"),
    ("VACUUM", "maintenance statements"),
    ("SELECT 1; SELECT 2", "One statement at a time: this text holds 2 statements"),
    ("SELECT 1; DROP VIEW consent_facts", "One statement at a time"),
    ("SELECT * FROM enable_logging()", "The function enable_logging() is not available"),
    ("SELECT * FROM \"enable_profiling\"()", "The function enable_profiling() is not available"),
    ("SELECT * FROM checkpoint()", "The function checkpoint() is not available"),
    ("SELECT * FROM query('SELECT 42')", "The function query() is not available"),
    ("SELECT * FROM read_csv('/etc/passwd')", NO_FILES),
    ("SELECT * FROM read_text('/etc/passwd')", NO_FILES),
    ("SELECT * FROM read_blob('{store}')", NO_FILES),
    ("SELECT * FROM glob('/etc/*')", NO_FILES),
    ("SELECT * FROM read_parquet('{tmp}/outside.parquet')", NO_FILES),
    ("SELECT * FROM '{tmp}/outside.parquet'", NO_FILES),
    ("SELECT * FROM read_parquet('{folder}/../../outside.parquet')", NO_FILES),
    ("SELECT * FROM read_json('/etc/hostname')", NO_FILES),
    ("SELECT * FROM read_text('/proc/self/environ')", NO_FILES),
    ("SELECT * FROM read_duckdb('{store}', table_name => 'requests')", "The function read_duckdb() is not available"),
    ("SELECT * FROM read_text('{folder}/../../../store.duckdb')", NO_FILES),
    ("SELECT * FROM read_parquet('https://example.com/x.parquet')", NO_FILES),
    ("SELECT * FROM requests", NO_VIEW),
    ("SELECT * FROM consent_records", NO_VIEW),
    ("SELECT * FROM main.access_log", NO_VIEW),
    ("SELECT * FROM saved_queries", NO_VIEW),
    ("SELECT requester_email FROM request_clock", "Contact details, free text and raw subject ids are not"),
    ("SELECT subject_id FROM consent_facts", "Contact details, free text and raw subject ids are not"),
    ("SELECT description FROM request_clock", "Contact details, free text and raw subject ids are not"),
    ("SELECT getenv('PRIVACYOPS_PSEUDONYM_KEY')", NO_VIEW),
    ("", "There is no query to run"),
    ("-- just a comment", "There is no query to run"),
    ("SELEC 1", "The SQL could not be read"),
    ("SELECT 1 -- " + "x" * 20_000, "at most 20,000"),
    ("UPDATE EXTENSIONS", "this statement starts with UPDATE and is not a query"),
]


@pytest.fixture
def outside_parquet(tmp_path: Path) -> Path:
    target = tmp_path / "outside.parquet"
    con = duckdb.connect()
    con.execute(f"COPY (SELECT 'secret@example.com' AS email) TO '{target}' (FORMAT parquet)")
    con.close()
    return target


@pytest.mark.parametrize(("sql", "message"), ESCAPES, ids=[s[:40] or "empty" for s, _ in ESCAPES])
def test_escape_attempts_are_refused_and_the_explorer_stays_usable(ex, filled_store, tmp_path, outside_parquet,
                                                                   sql, message):
    snapshot = ex.ensure_snapshot()
    text = sql.format(store=filled_store.path, tmp=tmp_path, folder=snapshot.folder)
    with pytest.raises(ExplorerError) as refused:
        ex.run(text)
    assert message in str(refused.value)
    assert rows(ex, NORMAL_SELECT) == [(4,)]
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "dump").exists()


def test_the_store_is_unchanged_after_the_battery(ex, filled_store, tmp_path):
    for sql, _ in ESCAPES:
        try:
            ex.run(sql.format(store=filled_store.path, tmp=tmp_path, folder=tmp_path))
        except ExplorerError:
            pass
    with filled_store.cursor() as cur:
        assert cur.execute("SELECT count(*) FROM consent_records").fetchone() == (4,)
        assert cur.execute("SELECT count(*) FROM customers").fetchone() == (2,)
        assert cur.execute("SELECT name FROM customers WHERE customer_id = 'C01'").fetchone() == ("Testkund Ett AB",)
    assert rows(ex, "SELECT count(*) FROM customers") == [(2,)]


@pytest.mark.parametrize("sql", [
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
    "SELECT count(*) FROM range(1000000000) a, range(1000000000) b",
])
def test_a_query_that_runs_for_ever_is_stopped_at_the_time_limit(ex, sql):
    ex.ensure_snapshot()
    started = time.monotonic()
    with pytest.raises(ExplorerError, match=r"ran longer than the time limit of 1 s and was stopped") as stopped:
        ex.run(sql, timeout_s=1)
    assert stopped.value.title == "Time limit reached"
    assert time.monotonic() - started < 10
    assert rows(ex, NORMAL_SELECT) == [(4,)]


def test_rows_are_capped_and_the_cap_is_reported(ex):
    capped = ex.run("SELECT range AS n FROM range(25000) ORDER BY n DESC")
    assert len(capped) == explorer.DEFAULT_MAX_ROWS and capped.attrs["truncated"] is True
    assert capped["n"].iloc[0] == 24999 and capped["n"].iloc[-1] == 25000 - explorer.DEFAULT_MAX_ROWS
    exact = ex.execute("SELECT * FROM range(50)", max_rows=50)
    assert (exact.rows, exact.truncated) == (50, False)
    over = ex.execute("SELECT * FROM range(51)", max_rows=50)
    assert (over.rows, over.truncated) == (50, True)
    empty = ex.execute("SELECT * FROM customers WHERE false")
    assert empty.rows == 0 and not empty.truncated and list(empty.frame.columns) == [
        "customer_id", "name", "forward_working_days", "created_at"]


def test_a_billion_row_result_costs_only_the_cap(ex):
    ex.ensure_snapshot()
    result = ex.execute("SELECT range FROM range(1000000000)", max_rows=100, timeout_s=5)
    assert (result.rows, result.truncated) == (100, True)
    assert result.elapsed_s < 5


def test_the_instance_is_locked_down(ex):
    snapshot = ex.ensure_snapshot()
    settings = dict(rows(ex, "SELECT name, value FROM duckdb_settings() WHERE name IN ('allowed_directories', "
                             "'enable_external_access', 'lock_configuration', 'autoload_known_extensions', "
                             "'autoinstall_known_extensions', 'temp_directory')"))
    folder = str(snapshot.folder)
    assert settings["allowed_directories"] == f"[{folder}/, {folder}/spill/]"
    assert settings["enable_external_access"] == "false"
    assert settings["lock_configuration"] == "true"
    assert settings["autoload_known_extensions"] == "false"
    assert settings["autoinstall_known_extensions"] == "false"
    assert settings["temp_directory"].startswith(folder)
    assert (snapshot.folder.stat().st_mode & 0o777) == 0o700


def test_the_key_is_nowhere_in_the_instance_or_the_snapshot(ex):
    snapshot = ex.ensure_snapshot()
    for path in snapshot.folder.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    values = rows(ex, "SELECT string_agg(value, '|') FROM duckdb_settings()")[0][0]
    assert KEY not in values
    definitions = rows(ex, "SELECT string_agg(sql, '|') FROM duckdb_views()")[0][0]
    assert KEY not in definitions


def test_module_level_run(filled_store, explorer_root):
    configured = explorer.configure(filled_store, KEY, folder=explorer_root)
    try:
        frame = explorer.run("SELECT customer_id, count(*) AS n FROM consent_facts GROUP BY ALL ORDER BY 1")
        assert list(frame.itertuples(index=False, name=None)) == [("C01", 2), ("C02", 2)]
        assert frame.attrs["truncated"] is False
        with pytest.raises(ExplorerError, match="INSERT changes data"):
            explorer.run("INSERT INTO customers VALUES ('x')")
        assert explorer.default() is configured
    finally:
        configured.close()
        explorer._default = None


def test_queries_from_many_threads_at_once(ex):
    ex.ensure_snapshot()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for i in range(15):
                assert count(ex, "consent_facts", f"{i} >= 0") == 4
        except BaseException as error:  # noqa: BLE001 - collected and reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


# --- snapshots -------------------------------------------------------------------------------

def test_refresh_shows_new_rows_and_retires_the_old_snapshot(ex, filled_store, explorer_root):
    first = ex.ensure_snapshot()
    assert first.rows["consent_facts"] == 4 and first.rows["request_clock"] == 2
    filled_store.write(lambda cur: cur.execute(
        "INSERT INTO consent_records VALUES ('CR5', 'C01', 'subj_d', TIMESTAMP '2026-01-20 10:00:00', 'custom', "
        "'2025-09', 'api', 'NO', true, true, false, false)"))
    assert rows(ex, NORMAL_SELECT) == [(4,)], "a snapshot does not change under the analyst"
    second = ex.refresh()
    assert rows(ex, NORMAL_SELECT) == [(5,)]
    assert second.taken_at >= first.taken_at and second.folder != first.folder
    assert not first.folder.exists()
    assert second.age_seconds() >= 0
    assert [p.name for p in explorer_root.iterdir()] == [second.folder.name]


def test_a_query_running_during_a_refresh_keeps_its_snapshot(ex):
    first = ex.ensure_snapshot()
    held = ex._acquire()          # as a query in flight does
    ex.refresh()
    assert first.folder.exists()
    cur = held.con.cursor()
    assert cur.execute("SELECT count(*) FROM consent_facts").fetchone() == (4,)
    cur.close()
    held.release()
    assert not first.folder.exists()


def test_after_an_internal_error_the_same_snapshot_is_reopened(ex):
    first = ex.ensure_snapshot()
    ex._instance.broken = True    # as after a DuckDB internal error
    assert rows(ex, NORMAL_SELECT) == [(4,)]
    assert ex.snapshot == first and first.folder.exists()
    assert not ex._instance.broken


def test_close_deletes_the_snapshot(filled_store, explorer_root):
    opened = Explorer(filled_store, KEY, folder=explorer_root)
    snapshot = opened.ensure_snapshot()
    opened.close()
    assert not snapshot.folder.exists()
    with pytest.raises(ExplorerError, match="closed"):
        opened.run(NORMAL_SELECT)


def test_an_empty_store_gives_empty_views(store, explorer_root):
    opened = Explorer(store, KEY, folder=explorer_root)
    try:
        snapshot = opened.ensure_snapshot()
        assert set(snapshot.rows.values()) == {0}
        for view in VIEW_NAMES:
            assert count(opened, view) == 0
    finally:
        opened.close()


# --- the demo store --------------------------------------------------------------------------

@pytest.fixture
def demo_store(demo_template, tmp_path):
    copy = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, copy)
    opened = open_store(copy)
    yield opened
    opened.close()


def test_no_email_address_in_any_view_of_the_demo_store(demo_store, explorer_root):
    with demo_store.cursor() as cur:
        emails_in_store = cur.execute("SELECT count(*) FROM requests WHERE requester_email LIKE '%@%' "
                                      "OR assignee LIKE '%@%'").fetchone()[0]
    assert emails_in_store > 0, "the demo store holds emails, so this test means something"
    opened = Explorer(demo_store, KEY, folder=explorer_root)
    try:
        schema = opened.schema()
        text_columns = schema[schema["type"] == "VARCHAR"]
        assert len(text_columns) > 10
        for view, column in text_columns[["view", "column"]].itertuples(index=False):
            assert count(opened, view, f'"{column}" LIKE \'%@%\'') == 0, f"{view}.{column} holds an '@'"
        # Every column of every row as text, in case an email hides in a non-text type.
        for view in VIEW_NAMES:
            assert count(opened, view, "CAST(v AS VARCHAR) LIKE '%@%'") == 0, view
    finally:
        opened.close()


def test_demo_counts_equal_the_base_tables(demo_store, explorer_root):
    opened = Explorer(demo_store, KEY, folder=explorer_root)
    try:
        snapshot = opened.ensure_snapshot()
        with demo_store.cursor() as cur:
            for view, table in (("consent_facts", "consent_records"), ("request_clock", "requests"),
                                ("retention_status", "retention_records"), ("customers", "customers")):
                base = cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed names
                assert snapshot.rows[view] == base
                assert count(opened, view) == base
            subjects = cur.execute("SELECT count(DISTINCT subject_id) FROM consent_records").fetchone()[0]
        assert rows(opened, "SELECT count(DISTINCT subject_key) FROM consent_facts") == [(subjects,)]
    finally:
        opened.close()


# --- CSV and saved queries -------------------------------------------------------------------

def test_csv_neutralises_formula_cells_and_headers():
    frame = pd.DataFrame({"=label": ["=1+1", "+x", "-x", "@SUM(A1)", "\tx", "\rx", "safe", None, "Acme;=1+1"],
                          "n": [-1, 2, 3, 4, 5, 6, 7, 8, 9]})
    text = explorer.to_csv(frame).decode("utf-8")
    lines = text.split("\n")
    assert lines[0] == '"\'=label","n"'
    assert lines[1] == '"\'=1+1",-1'   # text quoted, numbers not
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1:] == [["'=1+1", "-1"], ["'+x", "2"], ["'-x", "3"], ["'@SUM(A1)", "4"], ["'\tx", "5"], ["'\rx", "6"],
                        ["safe", "7"], ["", "8"], ["Acme;'=1+1", "9"]]


def test_saving_and_listing_team_queries(filled_store):
    first = saved_queries.save_query(filled_store, title="  Opt-ins   per customer ", sql=" SELECT 1 ",
                                     actor="anna.analys@expandra.example")
    second = saved_queries.save_query(filled_store, title="Requests", sql="SELECT * FROM request_clock",
                                      actor="admin@expandra.example")
    listed = saved_queries.saved_queries(filled_store)
    assert list(listed.columns) == list(named_query("sql_explorer_saved_queries").columns)
    assert list(listed["query_id"]) == [second, first]
    assert list(listed["title"]) == ["Requests", "Opt-ins per customer"]
    assert list(listed["sql_text"]) == ["SELECT * FROM request_clock", "SELECT 1"]
    assert list(listed["saved_by_name"]) == ["admin", "anna.analys"]


@pytest.mark.parametrize(("title", "sql", "message"), [
    ("", "SELECT 1", "Give the query a title"),
    ("x" * 121, "SELECT 1", "at most 120 characters"),
    ("Drop", "DROP VIEW customers", "DROP removes objects"),
    ("Two", "SELECT 1; SELECT 2", "One statement at a time"),
])
def test_a_query_that_would_be_refused_is_not_saved(filled_store, title, sql, message):
    with pytest.raises(ExplorerError, match=message):
        saved_queries.save_query(filled_store, title=title, sql=sql, actor="a@expandra.example")
    assert saved_queries.saved_queries(filled_store).empty

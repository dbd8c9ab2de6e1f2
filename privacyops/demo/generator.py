"""The demo data generator: a seeded, realistic store so the dashboards have something to show.

Everything about the data is invented: 12 customers whose organisation numbers fail the Luhn check
(so none can be a real company), requesters at example.com, pseudonymous consent subjects. The
heavy lifting runs in DuckDB SQL, with deterministic numbers (plan.py): the same (events, seed, today)
always gives the same table contents.

`generate` runs the steps below in order, in one transaction; each step is a module of this package:
period.py (the hours and deadlines of the period), customers.py, consent.py, requests.py (with
request_paths.py, the lifecycle of each request), rule_cases.py (the rules' corner cases), history.py
(the hash-chained request history) and retention.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime

import duckdb

from privacyops import clock
from privacyops.demo import consent, customers, history, period, requests, retention, rule_cases
from privacyops.demo.customers import luhn_check_digit
from privacyops.demo.plan import (
    CONTRACT_ENDED_CUSTOMER,
    CONTRACT_ENDED_DAYS_AGO,
    DEFAULT_SEED,
    DEMO_SNAPSHOT_UTC,
    RECENT_POLICY_CUSTOMER,
    RECENT_POLICY_DAYS_BACK,
    TERM_CHANGE_CUSTOMER,
    TERM_CHANGE_DAYS_AGO,
    TERM_CHANGE_NEW_DAYS,
    Plan,
    make_plan,
)
from privacyops.store import Store, run_named
from privacyops.store import settings as stored_settings
from privacyops.store.versions import ALL_KINDS

# What callers (the command line, the benchmark, the tests) read of the demo.
__all__ = ["CONTRACT_ENDED_CUSTOMER", "CONTRACT_ENDED_DAYS_AGO", "DATA_TABLES", "DEFAULT_SEED", "DEMO_META_KEYS",
           "DEMO_SNAPSHOT_UTC", "RECENT_POLICY_CUSTOMER", "RECENT_POLICY_DAYS_BACK", "TERM_CHANGE_CUSTOMER",
           "TERM_CHANGE_DAYS_AGO", "TERM_CHANGE_NEW_DAYS", "ProgressFn", "clear", "generate", "luhn_check_digit",
           "store_contents"]

DEMO_META_KEYS = ("contents", "demo_events", "demo_seed", "demo_today", "demo_generated_at")
# Children before parents: customer_retention_terms references customers.
DATA_TABLES = ("request_history", "request_pauses", "requests", "consent_records", "retention_records",
               "customer_changes", "customer_retention_terms", "customers")
# The temp tables the steps leave behind for the steps after them.
_WORK_TABLES = ("demo_slots", "demo_due", "demo_forward_due", "demo_customer_mix", "demo_request_base",
                "demo_request_final", "demo_term_change")

ProgressFn = Callable[[str, float], None]


def _insert_store_meta(cur: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    values = {"contents": "demo", "demo_events": str(plan.events), "demo_seed": str(plan.seed),
              "demo_today": plan.today.isoformat(),
              "demo_generated_at": datetime.now(UTC).replace(microsecond=0).isoformat()}
    cur.executemany("INSERT INTO store_meta (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value", list(values.items()))


# (what the progress callback is told, the fraction done before it, the step)
_STEPS: tuple[tuple[str, float, Callable[[duckdb.DuckDBPyConnection, Plan], None]], ...] = (
    ("Hours and deadlines of the period", 0.00, period.create_lookup_tables),
    ("Customers and retention terms", 0.01, customers.insert_customers),
    ("Consent records", 0.02, consent.insert_consent_records),
    ("Consent policies", 0.71, consent.set_consent_policies),
    ("Requests and pauses", 0.72, requests.insert_requests),
    ("The rules' corner cases", 0.73, rule_cases.shape_rule_cases),
    ("Request history", 0.74, history.insert_request_history),
    ("Retention records", 0.79, retention.insert_retention_records),
    ("Store meta", 0.83, _insert_store_meta),
)


def generate(store: Store, events: int, *, seed: int = DEFAULT_SEED, today: date | None = None,
             progress: ProgressFn | None = None) -> dict[str, int]:
    """Fill an empty store with demo data in one transaction; returns the row count per table.

    `events` consent records over the last 104 weeks, max(40, events // 400) requests and
    max(200, events // 20) retention records. `progress(step, fraction_done)` is called between steps.
    Raises ValueError if the store is not empty.
    """
    events = int(events)
    seed = int(seed)
    if events < 1:
        raise ValueError("events must be at least 1")
    plan = make_plan(events, seed, today or clock.today())
    report = progress or (lambda step, fraction: None)

    def fill(cur: duckdb.DuckDBPyConnection) -> dict[str, int]:
        if _contents(cur) != "empty":
            raise ValueError(f"{store.path} is not empty; demo data goes only into an empty store.")
        # deadlines follow the DPO's setting, as requests.log() does (settings survive clear())
        run = replace(plan, eves_are_holidays=stored_settings.read(cur).eves_are_holidays)
        for label, fraction, step in _STEPS:
            report(label, fraction)
            step(cur, run)
        for name in _WORK_TABLES:
            cur.execute(f"DROP TABLE IF EXISTS {name}")
        stored = dict(run_named(cur, "store_counts").fetchall())
        counts = {table: stored[table] for table in reversed(DATA_TABLES)}
        report("Saving (commit)", 0.84)
        return counts

    counts = store.write(fill, touches=ALL_KINDS)
    report("Done", 1.0)
    return counts


def store_contents(store: Store) -> str:
    """'empty' (no customers, consent, requests or retention rows), 'demo' (made by this module),
    else 'real'."""
    with store.cursor() as cur:
        return _contents(cur)


def _contents(cur: duckdb.DuckDBPyConnection) -> str:
    has_rows = cur.execute(
        "SELECT EXISTS (FROM customers) OR EXISTS (FROM consent_records) "
        "OR EXISTS (FROM requests) OR EXISTS (FROM retention_records)").fetchone()[0]
    if not has_rows:
        return "empty"
    marked = cur.execute("SELECT value FROM store_meta WHERE key = 'contents'").fetchone()
    return "demo" if marked and marked[0] == "demo" else "real"


def clear(store: Store) -> None:
    """Empty every data table and remove the demo's store_meta keys, to replace demo data.

    Refuses (ValueError) when the store holds real data. The tables are dropped and created again
    from the definitions DuckDB holds for them (constraints, defaults and indexes included), in one
    transaction: `DELETE` of millions of rows from a table with a VARCHAR primary key takes minutes
    to hours in DuckDB 1.5 (each key leaves the index one by one), and DuckDB does not let one
    transaction delete a parent row whose children it deleted itself.
    """
    if store_contents(store) == "real":
        raise ValueError(f"{store.path} holds real data; only demo data can be cleared.")

    def empty(cur: duckdb.DuckDBPyConnection) -> None:
        if _contents(cur) == "real":
            raise ValueError(f"{store.path} holds real data; only demo data can be cleared.")
        wanted = {"names": list(DATA_TABLES)}
        definitions = dict(cur.execute(
            "SELECT table_name, sql FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND NOT temporary AND list_contains($names, table_name)", wanted).fetchall())
        indexes = [row[0] for row in cur.execute(
            "SELECT sql FROM duckdb_indexes() WHERE database_name = current_database() AND schema_name = 'main' "
            "AND list_contains($names, table_name) AND sql IS NOT NULL ORDER BY index_name", wanted).fetchall()]
        for table in DATA_TABLES:            # children first; identifiers from the fixed tuple above
            cur.execute(f"DROP TABLE {table}")
        for table in reversed(DATA_TABLES):  # parents first
            cur.execute(definitions[table])
        for statement in indexes:
            cur.execute(statement)
        cur.execute("DELETE FROM store_meta WHERE list_contains($keys, key)", {"keys": list(DEMO_META_KEYS)})

    store.write(empty, touches=ALL_KINDS)

"""Data versions (issue 11 item 9): every write bumps, in its own transaction, the versions of exactly the kinds
of data it changed, so the dashboard's cache refreshes only those figures. Each use case is run on a real store
and the tables it changed (compared row by row, in DuckDB) are held against the versions it bumped."""

from __future__ import annotations

import ast
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from privacyops import clock
from privacyops.cases import access, contacts, customers, request_actions, requests, settings
from privacyops.demo import generator as demo
from privacyops.explorer import saved_queries
from privacyops.importing.mappings import save_mapping
from privacyops.importing.pipeline import run_import
from privacyops.importing.read import inspect_file
from privacyops.store import Store, open_store
from privacyops.store.versions import (
    DATA_KINDS,
    KIND_OF_TABLE,
    UNVERSIONED_TABLES,
    UndeclaredWriteError,
    changed_kinds,
    fingerprints,
)
from tests.conftest import make_customer

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "data" / "samples"
AGENT = "agent@example.com"
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def versions(store: Store) -> dict[str, int]:
    return {kind: v.version for kind, v in store.data_versions().items()}


def bumped(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {kind for kind in after if after[kind] != before.get(kind, 0)}


def tables_now(store: Store) -> dict[str, tuple[int, int]]:
    with store.cursor() as cur:
        return fingerprints(cur)


def run_and_compare(store: Store, use_case: Callable[[Store], object]) -> tuple[set[str], set[str]]:
    """(kinds whose tables the use case changed, kinds whose versions it bumped)."""
    tables, kinds = tables_now(store), versions(store)
    use_case(store)
    changed = changed_kinds(tables, tables_now(store))
    assert "" not in changed.values(), f"tables of no kind changed: {changed}"
    return set(changed.values()), bumped(kinds, versions(store))


def new_request(customer_id: str = "C01") -> requests.NewRequest:
    return requests.NewRequest(customer_id, "access", datetime(2026, 1, 12, 9, 0, tzinfo=UTC), "email",
                               "karin.testsson@example.com", "Karin Testsson")


def import_sample(kind: str) -> Callable[[Store], object]:
    path = SAMPLES / f"{kind}.csv"
    return lambda store: run_import(store, path, kind, inspect_file(path).default_options(), actor=AGENT, now=NOW)


# --- the versions themselves -------------------------------------------------------------------------------

def test_every_stored_table_belongs_to_one_kind(store):
    """A table of no kind could change without any cached figure noticing."""
    with store.cursor() as cur:
        tables = {row[0] for row in cur.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary").fetchall()}
    assert tables - UNVERSIONED_TABLES == set(KIND_OF_TABLE)
    assert len(KIND_OF_TABLE) == sum(len(t) for t in DATA_KINDS.values()), "a table listed under two kinds"


def test_a_logged_request_bumps_requests_only(customer_store):
    changed, bumps = run_and_compare(customer_store,
                                     lambda s: requests.log(s, new_request(), actor=AGENT, now=NOW))
    assert changed == bumps == {"requests"}


def test_an_import_of_consent_bumps_consent_and_the_imports(store):
    import_sample("customers")(store)
    changed, bumps = run_and_compare(store, import_sample("consent"))
    assert changed == bumps == {"consent", "imports"}


def test_versions_survive_reopening_the_store(customer_store):
    requests.log(customer_store, new_request(), actor=AGENT, now=NOW)
    before = customer_store.data_versions()
    assert before["customers"].version == 2 and before["requests"].version == 1   # two customers saved, one request
    path = customer_store.path
    customer_store.close()
    reopened = open_store(path)
    try:
        assert reopened.data_versions() == before
    finally:
        reopened.close()


def test_a_failed_write_bumps_nothing(customer_store):
    before = customer_store.data_versions()

    def half_then_fail(cur):
        cur.execute("DELETE FROM customer_changes")
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        customer_store.write(half_then_fail, touches=("customers",))
    assert customer_store.data_versions() == before


def test_a_write_naming_no_kind_of_data_is_refused_before_it_starts(customer_store):
    before = tables_now(customer_store)
    with pytest.raises(ValueError, match="request is not a kind of data"):
        customer_store.write(lambda cur: cur.execute("DELETE FROM customer_changes"), touches=("request",))
    assert tables_now(customer_store) == before


def test_a_write_that_changes_a_kind_it_did_not_name_is_refused(customer_store, monkeypatch):
    """The check the test suite runs on every write (PRIVACYOPS_CHECK_WRITES): nothing is written."""
    monkeypatch.setenv("PRIVACYOPS_CHECK_WRITES", "1")
    tables, kinds = tables_now(customer_store), versions(customer_store)
    with pytest.raises(UndeclaredWriteError, match=r"changed customer_changes \(customers\) but declared "
                                                   r"touches=\['requests'\]"):
        customer_store.write(lambda cur: cur.execute("DELETE FROM customer_changes"), touches=("requests",))
    assert tables_now(customer_store) == tables and versions(customer_store) == kinds


# --- every use case that writes ------------------------------------------------------------------------------

def _log_then(action: Callable[[Store, str], object]) -> Callable[[Store], object]:
    def prepared(store: Store) -> Callable[[Store], object]:
        request_id = requests.log(store, new_request(), actor=AGENT, now=NOW).request_id
        return lambda s: action(s, request_id)
    return prepared


def _closed_long_ago(store: Store) -> Callable[[Store], object]:
    """A request closed years ago whose contact details are due for anonymising (rules.md 4)."""
    request_id = requests.log(store, requests.NewRequest(
        "C01", "access", datetime(2020, 3, 2, 9, 0, tzinfo=UTC), "email", "lars.provsson@example.com"),
        actor=AGENT, now=datetime(2020, 3, 2, 10, 0, tzinfo=UTC)).request_id
    store.write(lambda cur: cur.execute("UPDATE requests SET status = 'completed', closed_at = TIMESTAMP '2020-03-20', "
                                        "outcome = 'completed' WHERE request_id = $id", {"id": request_id}),
                touches=("requests",))
    return lambda s: contacts.anonymise_expired_contacts(s, today=date(2026, 1, 15), actor="housekeeping")


def _after_customers(use_case: Callable[[Store], object]) -> Callable[[Store], Callable[[Store], object]]:
    def prepared(store: Store) -> Callable[[Store], object]:
        import_sample("customers")(store)
        return use_case
    return prepared


def _simple(use_case: Callable[[Store], object]) -> Callable[[Store], Callable[[Store], object]]:
    return lambda _store: use_case


USE_CASES: dict[str, tuple[Callable[[Store], Callable[[Store], object]], set[str]]] = {
    "log a request": (_simple(lambda s: requests.log(s, new_request(), actor=AGENT, now=NOW)), {"requests"}),
    "forward a request": (_log_then(lambda s, rid: request_actions.apply(s, rid, "forward", actor=AGENT, at=NOW)),
                          {"requests"}),
    "withdraw a request": (_log_then(lambda s, rid: request_actions.apply(s, rid, "withdraw", actor=AGENT, at=NOW)),
                           {"requests"}),
    "add a customer": (_simple(lambda s: customers.save(s, make_customer("C03", "Testkund Tre AB"), actor=AGENT)),
                       {"customers"}),
    "set a consent policy": (_simple(lambda s: customers.set_consent_policy(
        s, "C01", "v2", date(2026, 1, 1), actor=AGENT, today=date(2026, 1, 15))), {"customers"}),
    "record a deletion instruction": (_simple(lambda s: customers.save_disposal_dates(
        s, "C01", deletion_instructed_on=clock.today(), contract_ended_on=None, actor=AGENT)), {"customers"}),
    "change a setting": (_simple(lambda s: settings.save_setting(s, "soon_due_days", "7", actor=AGENT,
                                                                 actor_role="admin")), {"settings", "access"}),
    "grant a role": (_simple(lambda s: access.set_grant(s, access.Grant("email", "eva@example.com", "analyst"),
                                                        actor=AGENT, actor_role="admin")), {"access"}),
    "log an access event": (_simple(lambda s: access.log_event(s, actor=AGENT, event="export", target="x.csv")),
                            {"access"}),
    "save a query": (_simple(lambda s: saved_queries.save_query(s, title="All", sql="SELECT 1 AS n", actor=AGENT)),
                     {"saved_queries"}),
    "save an import mapping": (_simple(lambda s: save_mapping(
        s, "consent", "banner", inspect_file(SAMPLES / "consent.csv").default_options(), actor=AGENT)),
        {"imports"}),
    "anonymise old contacts": (_closed_long_ago, {"requests", "access"}),
    "import customers": (_simple(import_sample("customers")), {"customers", "imports"}),
    "import requests": (_after_customers(import_sample("requests")), {"requests", "imports"}),
    "import retention": (_after_customers(import_sample("retention")), {"retention", "imports"}),
}


@pytest.mark.parametrize("name", USE_CASES)
def test_each_use_case_bumps_exactly_the_kinds_it_changes(store, name):
    prepare, expected = USE_CASES[name]
    customers.save(store, make_customer("C01", "Testkund Ett AB"), actor=AGENT)
    use_case = prepare(store)
    changed, bumps = run_and_compare(store, use_case)
    assert changed == expected, f"{name} changed {changed}"
    assert changed <= bumps, f"{name} changed {changed - bumps} without bumping it"


def test_demo_data_and_clearing_it_bump_every_kind_they_change(store):
    changed, bumps = run_and_compare(store, lambda s: demo.generate(s, 500, today=date(2026, 1, 15)))
    assert changed and changed <= bumps
    changed, bumps = run_and_compare(store, demo.clear)
    assert changed and changed <= bumps


def test_every_write_in_the_code_names_the_kinds_it_touches():
    """store.write(change) without touches= bumps every kind (meant for tests): each use case names its own."""
    missing = []
    for folder in ("privacyops", "ui", "pages"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "write"
                        and "store" in ast.unparse(node.func.value).lower()
                        and not any(k.arg == "touches" for k in node.keywords)):
                    missing.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert missing == []

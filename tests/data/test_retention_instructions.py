"""Issue 8 on the retention queries, each from its own small store: a changed retention term moves no end
into the past (rules.md 4, Art. 28(3)(a)), the backlog over time follows the terms in force on each day,
and a customer's deletion instruction or contract end (Art. 28(3)(g)) makes its records due from that day.
Also: a store of the schema before migration 007 is carried forward with nothing lost."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import duckdb
import pandas as pd
import pytest

from privacyops.cases import customers
from privacyops.store import migrations, open_store
from tests.conftest import make_customer

USED = date(2025, 1, 1)
CHANGED = date(2025, 6, 30)


def _record(store, record_id: str, customer_id: str, used: date, *, category: str = "email",
            created: date | None = None, disposed: date | None = None) -> None:
    store.write(lambda cur: cur.execute(
        "INSERT INTO retention_records VALUES ($id, $c, $cat, $created, $used, NULL, $disposed, "
        "CASE WHEN $disposed IS NULL THEN NULL ELSE 'deleted' END)",
        {"id": record_id, "c": customer_id, "cat": category,
         "created": datetime.combine(created or used, datetime.min.time()) + timedelta(hours=8),
         "used": datetime.combine(used, datetime.min.time()) + timedelta(hours=10),
         "disposed": None if disposed is None
         else datetime.combine(disposed, datetime.min.time()) + timedelta(hours=9)}))


def _change_term(store, customer_id: str, days: int, on: date) -> None:
    changed = make_customer(customer_id, "Testkund Ett AB", 5, days)
    customers.save(store, changed, actor="dpo@example.com", at=datetime.combine(on, datetime.min.time(), UTC)
                   + timedelta(hours=10))


def _weekly(store, start: date, as_of: date, customer: str = "") -> dict[date, int]:
    frame = store.query("retention_backlog_weekly", start=start, end=as_of, as_of=as_of, customer=customer)
    return {d.date(): int(n) for d, n in zip(pd.to_datetime(frame["week_end"]), frame["backlog_records"],
                                              strict=True)}


@pytest.fixture
def example_store(customer_store):
    """The issue's example: C01 keeps everything 365 days; a record last used 2025-01-01; on 2025-06-30
    the customer shortens the email term to 30 days."""
    _record(customer_store, "R1", "C01", USED)
    _change_term(customer_store, "C01", 30, CHANGED)
    return customer_store


def test_a_shortened_term_is_late_only_from_the_day_of_the_change(example_store):
    worklist = example_store.query("retention_worklist", as_of=CHANGED, customer="", limit=None)
    assert [(r.record_id, pd.Timestamp(r.effective_end_on).date(), r.days_past_end)
            for r in worklist.itertuples()] == [("R1", CHANGED, 0)]            # was 2025-01-31, 150 days past
    summary = example_store.query("retention_backlog_summary", as_of=CHANGED, customer="").iloc[0]
    assert (int(summary["backlog_records"]), int(summary["oldest_days_past_end"])) == (1, 0)
    aging = example_store.query("retention_aging", as_of=date(2025, 7, 30), customer="")
    assert aging.set_index("aging_bucket")["backlog_records"].to_dict()["0-30 days"] == 1


def test_the_backlog_over_time_uses_the_terms_in_force_on_each_day(example_store):
    weeks = _weekly(example_store, date(2025, 1, 1), date(2025, 7, 13))
    assert all(n == 0 for d, n in weeks.items() if d < CHANGED)                  # no backlog before the change
    assert weeks[date(2025, 7, 6)] == weeks[date(2025, 7, 13)] == 1
    trend = example_store.query("overview_backlog_trend", as_of=date(2025, 7, 13), start=date(2025, 1, 1),
                                end=date(2025, 7, 13), customer="", grain="month")
    assert trend["backlog_records"].tolist() == [0, 0, 0, 0, 0, 1, 1]    # June ends on the day of the change
    tile = example_store.query("overview_backlog", as_of=date(2025, 7, 13), start=date(2025, 6, 14),
                               end=date(2025, 7, 13), customer="").iloc[0]
    assert (tile["backlog_records"], tile["oldest_days"], tile["backlog_records_prev"]) == (1, 13, 0)
    pace = example_store.query("retention_pace", as_of=date(2025, 7, 13), customer="")
    assert [tuple(r) for r in pace.itertuples(index=False)] == [(30, 0, 1, 0), (90, 0, 1, 0)]


def test_a_lengthened_term_releases_the_record_and_the_weeks_before_still_count_it(customer_store):
    _change_term(customer_store, "C01", 30, date(2024, 6, 1))      # 30 days: R1 due from 2025-01-31
    _record(customer_store, "R1", "C01", USED)
    _change_term(customer_store, "C01", 365, CHANGED)              # lengthened: due again 2026-01-01
    weeks = _weekly(customer_store, date(2025, 1, 1), date(2025, 7, 13))
    assert weeks[date(2025, 2, 2)] == weeks[date(2025, 6, 29)] == 1
    assert weeks[date(2025, 7, 6)] == 0
    worklist = customer_store.query("retention_worklist", as_of=date(2026, 1, 1), customer="", limit=None)
    assert pd.Timestamp(worklist.iloc[0]["effective_end_on"]).date() == date(2026, 1, 1)
    pace = customer_store.query("retention_pace", as_of=date(2025, 7, 13), customer="")
    assert [tuple(r) for r in pace.itertuples(index=False)] == [(30, 0, 0, 1), (90, 0, 0, 1)]


def test_a_record_late_before_a_shortened_term_stays_late_from_its_old_end(customer_store):
    _record(customer_store, "R1", "C01", date(2024, 1, 1))        # 365 days: late from 2024-12-31
    _change_term(customer_store, "C01", 30, CHANGED)
    worklist = customer_store.query("retention_worklist", as_of=date(2025, 7, 13), customer="", limit=None)
    assert worklist["days_past_end"].tolist() == [194]            # from 2024-12-31, not from the change
    pace = customer_store.query("retention_pace", as_of=date(2025, 7, 13), customer="")
    assert [tuple(r) for r in pace.itertuples(index=False)] == [(30, 0, 0, 0), (90, 0, 0, 0)]   # no new entry
    tile = customer_store.query("overview_backlog", as_of=date(2025, 7, 13), start=date(2025, 6, 14),
                                end=date(2025, 7, 13), customer="").iloc[0]
    assert (tile["oldest_days"], tile["oldest_days_prev"]) == (194, 164)


# --- the customer's deletion instruction and contract end (Art. 28(3)(g)) --------------------------------

@pytest.fixture
def ended_store(customer_store):
    """C01 (365 days) with three records; its contract ends on 2025-05-01."""
    _record(customer_store, "A", "C01", date(2025, 4, 1))                               # own end 2026-04-01
    _record(customer_store, "B", "C01", date(2024, 1, 1))                               # own end 2024-12-31
    _record(customer_store, "C", "C01", date(2025, 4, 1), disposed=date(2025, 5, 20))   # disposed later
    _record(customer_store, "D", "C02", date(2025, 4, 1))                               # another customer
    customers.save_disposal_dates(customer_store, "C01", deletion_instructed_on=None,
                                  contract_ended_on=date(2025, 5, 1), actor="dpo@example.com",
                                  today=date(2025, 6, 1))
    return customer_store


def test_a_contract_end_makes_every_record_of_the_customer_due_from_that_day(ended_store):
    as_of = date(2025, 6, 1)
    worklist = ended_store.query("retention_worklist", as_of=as_of, customer="", limit=None)
    assert [(r.record_id, pd.Timestamp(r.effective_end_on).date()) for r in worklist.itertuples()] == [
        ("B", date(2024, 12, 31)), ("A", date(2025, 5, 1))]       # the earlier of its own end and the day
    listed = ended_store.query("retention_customer_instructions", as_of=as_of, customer="")
    assert len(listed) == 1 and pd.isna(listed.iloc[0]["deletion_instructed_on"])
    assert [tuple(r) for r in listed.drop(columns="deletion_instructed_on").assign(
        contract_ended_on=pd.to_datetime(listed["contract_ended_on"]).dt.date,
        disposal_due_from=pd.to_datetime(listed["disposal_due_from"]).dt.date).itertuples(index=False)] == [
        ("C01", "Testkund Ett AB", date(2025, 5, 1), date(2025, 5, 1), 2, 2, 1)]
    weeks = _weekly(ended_store, date(2025, 4, 1), as_of)
    assert weeks[date(2025, 4, 27)] == 1 and weeks[date(2025, 5, 4)] == 3 and weeks[date(2025, 5, 25)] == 2
    pace = ended_store.query("retention_pace", as_of=as_of, customer="")
    assert [tuple(r) for r in pace.itertuples(index=False)] == [(30, 1, 0, 0), (90, 1, 2, 0)]   # A, C on 05-01


def test_disposal_dates_are_checked_and_every_change_is_logged(customer_store):
    _record(customer_store, "A", "C01", date(2025, 4, 1), created=date(2025, 3, 1))
    with customer_store.cursor() as cur:
        changes_before = cur.execute("SELECT count(*) FROM customer_changes").fetchone()[0]
    today = date(2025, 6, 1)
    with pytest.raises(customers.CustomerInputError) as future:
        customers.save_disposal_dates(customer_store, "C01", deletion_instructed_on=date(2025, 6, 2),
                                      contract_ended_on=None, actor="dpo@example.com", today=today)
    assert "in the future" in future.value.errors["deletion_instructed_on"]
    with pytest.raises(customers.CustomerInputError) as early:   # before its oldest record (2025-03-01)
        customers.save_disposal_dates(customer_store, "C01", deletion_instructed_on=None,
                                      contract_ended_on=date(2025, 2, 28), actor="dpo@example.com", today=today)
    assert "before the customer existed" in early.value.errors["contract_ended_on"]
    with pytest.raises(customers.CustomerInputError) as unknown:
        customers.save_disposal_dates(customer_store, "C99", deletion_instructed_on=None,
                                      contract_ended_on=None, actor="dpo@example.com", today=today)
    assert "customer_id" in unknown.value.errors
    with customer_store.cursor() as cur:
        assert cur.execute("SELECT count(*) FROM customer_changes").fetchone()[0] == changes_before
        assert cur.execute("SELECT deletion_instructed_on, contract_ended_on FROM customers "
                           "WHERE customer_id = 'C01'").fetchone() == (None, None)

    assert customers.save_disposal_dates(customer_store, "C01", deletion_instructed_on=date(2025, 3, 1),
                                         contract_ended_on=None, actor="dpo@example.com", today=today) == [
        "deletion_instructed_on"]
    assert customers.save_disposal_dates(customer_store, "C01", deletion_instructed_on=None,
                                         contract_ended_on=date(2025, 6, 1), actor="dpo@example.com",
                                         today=today) == ["deletion_instructed_on", "contract_ended_on"]
    log = customer_store.query("customers_changes", customer="C01").head(3)
    assert sorted((r.field, r.old_value, r.new_value) for r in log.fillna("").itertuples()) == [
        ("contract_ended_on", "", "2025-06-01"), ("deletion_instructed_on", "", "2025-03-01"),
        ("deletion_instructed_on", "2025-03-01", "")]


# --- a store of the previous schema is carried forward ----------------------------------------------------

def test_a_store_of_the_previous_version_migrates_with_nothing_lost(store_path):
    con = duckdb.connect(str(store_path))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
                "applied_at TIMESTAMP NOT NULL)")
    for migration in [m for m in migrations() if m.version <= 4]:
        con.execute(migration.sql)
        con.execute("INSERT INTO schema_migrations VALUES ($v, $n, now()::TIMESTAMP)",
                    {"v": migration.version, "n": migration.name})
    con.execute("INSERT INTO customers VALUES ('C09', 'Äldre Kund AB', '556000-0009', 3, TIMESTAMP '2026-06-01')")
    for category in ("name", "email", "company_details", "user_data", "quote_content"):
        con.execute("INSERT INTO customer_retention_terms VALUES ('C09', $cat, 365, 'delete')", {"cat": category})
        con.execute("INSERT INTO customer_changes (customer_id, changed_at, changed_by, field, old_value, new_value) "
                    "VALUES ('C09', TIMESTAMP '2026-06-01', 'a@example.com', $f, NULL, '365')",
                    {"f": f"{category}.retention_days"})
    con.execute("INSERT INTO retention_records VALUES ('OLD1', 'C09', 'email', TIMESTAMP '2024-01-01', "
                "TIMESTAMP '2024-03-01 10:00', NULL, NULL, NULL), ('OLD2', 'C09', 'name', TIMESTAMP '2024-01-01', "
                "TIMESTAMP '2024-03-01 10:00', DATE '2024-06-01', TIMESTAMP '2024-07-01 08:00', 'deleted')")
    before = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()  # noqa: S608 -- fixed names
              for t in ("customers", "customer_retention_terms", "customer_changes", "retention_records")}
    old_status = con.execute("SELECT record_id, effective_end_on, disposed_on FROM retention_status "
                             "ORDER BY 1").fetchall()
    con.close()

    store = open_store(store_path)
    try:
        with store.cursor() as cur:
            assert cur.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] >= 7
            for table, rows in before.items():
                columns = "customer_id, name, org_number, forward_working_days, created_at" \
                    if table == "customers" else "*"
                assert cur.execute(f"SELECT {columns} FROM {table} ORDER BY ALL").fetchall() == rows  # noqa: S608
            assert cur.execute("SELECT deletion_instructed_on, contract_ended_on FROM customers").fetchall() == [
                (None, None)]
            # The first terms apply since the processing began: no end moved by the migration.
            assert cur.execute("SELECT record_id, effective_end_on, disposed_on FROM retention_status "
                               "ORDER BY 1").fetchall() == old_status
    finally:
        store.close()

"""The retention_* and customers_* queries on a small hand-made store, checked value by value.

C01 keeps every category 365 days then deletes; C02 keeps 90 days then anonymises (tests/conftest.py).
The records below are dated so that on AS_OF = 2026-03-01 each rule of the backlog is exercised.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from privacyops.cases import customers
from privacyops.rules import retention
from privacyops.rules.customer_terms import Customer, RetentionTerm
from privacyops.rules.forecast import Pace, clearance_forecast
from tests.conftest import make_customer

AS_OF = date(2026, 3, 1)

# record_id, customer, category, last_used_on, source end (retention_ends_on), disposed_on
RECORDS = [
    ("R01", "C01", "email", "2025-01-01", None, None),                     # ends 2026-01-01: 59 days past
    ("R02", "C01", "name", "2025-03-01", None, None),                      # ends on AS_OF: 0 days past
    ("R03", "C01", "name", "2025-03-02", None, None),                      # ends tomorrow: not yet
    ("R04", "C02", "email", "2025-10-01", None, "2026-02-15"),             # ends 2025-12-30, disposed later
    ("R05", "C02", "user_data", "2023-01-01", "2024-01-01", None),         # source end: 790 days past
    ("R06", "C02", "quote_content", "2025-11-01", None, "2026-01-30"),     # disposed the day it ends
    ("R07", "C03", "name", "2025-01-01", None, None),                      # no terms: no end of retention
    ("R08", "C01", "company_details", "2024-06-01", "2025-12-15", "2026-03-05"),  # disposed after AS_OF
    ("R09", "C02", "name", "2025-06-01", None, "2025-10-10"),              # ends 2025-08-30, disposed before
]


def _insert(store, rows) -> None:
    def change(cur):
        for record_id, customer_id, category, used, ends, disposed in rows:
            cur.execute(
                "INSERT INTO retention_records VALUES ($id, $c, $cat, TIMESTAMP '2023-01-01 08:00', "
                "CAST($used AS DATE) + INTERVAL 10 HOUR, CAST($ends AS DATE), "
                "CAST($disposed AS DATE) + INTERVAL 9 HOUR, CASE WHEN $disposed IS NULL THEN NULL ELSE 'deleted' END)",
                {"id": record_id, "c": customer_id, "cat": category, "used": used, "ends": ends,
                 "disposed": disposed})
    store.write(change)


@pytest.fixture
def retention_store(customer_store):
    _insert(customer_store, RECORDS)
    return customer_store


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.to_dict("records")


# --- retention ----------------------------------------------------------------------------------

def test_summary(retention_store):
    row = retention_store.query("retention_backlog_summary", as_of=AS_OF, customer="").iloc[0]
    assert int(row["records_in_inventory"]) == 9
    assert int(row["records_held"]) == 6           # R01 R02 R03 R05 R07 R08
    assert int(row["backlog_records"]) == 4        # R01 R02 R05 R08
    assert int(row["backlog_to_delete"]) == 3
    assert int(row["backlog_to_anonymise"]) == 1
    assert int(row["oldest_days_past_end"]) == 790
    assert int(row["records_without_end"]) == 1    # R07


def test_summary_for_one_customer(retention_store):
    row = retention_store.query("retention_backlog_summary", as_of=AS_OF, customer="C01").iloc[0]
    assert (int(row["records_held"]), int(row["backlog_records"]), int(row["oldest_days_past_end"])) == (4, 3, 76)


def test_empty_store_summary(store):
    row = store.query("retention_backlog_summary", as_of=AS_OF, customer="").iloc[0]
    assert int(row["records_in_inventory"]) == 0
    assert int(row["records_held"]) == 0 and int(row["backlog_records"]) == 0
    assert pd.isna(row["oldest_days_past_end"])


def test_backlog_by_category(retention_store):
    frame = retention_store.query("retention_backlog_by_category", as_of=AS_OF, customer="")
    assert list(frame.columns) == ["data_category", "backlog_records", "oldest_days_past_end"]
    assert [tuple(r) for r in frame.itertuples(index=False)] == [
        ("company_details", 1, 76), ("email", 1, 59), ("name", 1, 0), ("user_data", 1, 790)]


def test_backlog_by_customer(retention_store):
    frame = retention_store.query("retention_backlog_by_customer", as_of=AS_OF, customer="")
    assert [tuple(r) for r in frame.itertuples(index=False)] == [
        ("C01", "Testkund Ett AB", 3, 76), ("C02", "Testkund Två AB", 1, 790)]
    only = retention_store.query("retention_backlog_by_customer", as_of=AS_OF, customer="C02")
    assert only["customer_id"].tolist() == ["C02"]


def test_aging_lists_every_bucket(retention_store):
    frame = retention_store.query("retention_aging", as_of=AS_OF, customer="")
    assert frame["aging_bucket"].tolist() == [label for label, _, _ in retention.AGING_BUCKETS]
    assert frame["backlog_records"].tolist() == [1, 2, 0, 1]   # R02 | R01 R08 | - | R05
    bounds = [(int(lo), None if pd.isna(hi) else int(hi)) for lo, hi in zip(frame["min_days"], frame["max_days"],
                                                                               strict=True)]
    assert bounds == [(lo, hi) for _, lo, hi in retention.AGING_BUCKETS]


@pytest.mark.parametrize("age", [0, 30, 31, 90, 91, 365, 366])
def test_sql_aging_bucket_equals_the_python_rule(store, age):
    """The SQL buckets and privacyops.rules.retention.aging_bucket agree on every edge age."""
    customers.save(store, make_customer("C01", "Testkund Ett AB"), actor="t@example.com")
    end = AS_OF - timedelta(days=age)
    _insert(store, [("E1", "C01", "email", "2020-01-01", end.isoformat(), None)])
    frame = store.query("retention_aging", as_of=AS_OF, customer="")
    assert frame["backlog_records"].sum() == 1
    sql_bucket = frame.loc[frame["backlog_records"] == 1, "aging_bucket"].item()
    assert sql_bucket == retention.aging_bucket(age)
    worklist = store.query("retention_worklist", as_of=AS_OF, customer="", limit=None)
    assert worklist["days_past_end"].tolist() == [retention.days_past_end(end, AS_OF)] == [age]


def test_weekly_backlog_counts_each_week_end(retention_store):
    frame = retention_store.query("retention_backlog_weekly", start=date(2025, 12, 1), end=AS_OF, as_of=AS_OF,
                                  customer="")
    week_ends = [d.date() for d in pd.to_datetime(frame["week_end"])]
    assert week_ends == [date(2025, 12, 7) + timedelta(weeks=i) for i in range(13)]   # Sundays to 2026-03-01
    counts = dict(zip(week_ends, frame["backlog_records"].tolist(), strict=True))
    assert counts[date(2025, 12, 7)] == 1       # R05
    assert counts[date(2025, 12, 21)] == 2      # + R08 (ends 12-15)
    assert counts[date(2026, 1, 4)] == 4        # + R04 (12-30), R01 (01-01)
    assert counts[date(2026, 2, 15)] == 3       # R04 disposed on 02-15 is out that day
    assert counts[date(2026, 3, 1)] == 4        # + R02 ends on AS_OF
    # The same definition in Python, record by record (R07 has no end; R06 never enters).
    for week_end, count in counts.items():
        expected = 0
        for _, customer_id, _category, used, ends, disposed in RECORDS:
            if customer_id == "C03":
                continue
            days = 365 if customer_id == "C01" else 90
            end_on = retention.retention_end(date.fromisoformat(used), days,
                                             date.fromisoformat(ends) if ends else None)
            expected += retention.in_backlog(end_on, date.fromisoformat(disposed) if disposed else None, week_end)
        assert count == expected, week_end


def test_weekly_backlog_ends_mid_week_and_never_after_today(retention_store):
    frame = retention_store.query("retention_backlog_weekly", start=date(2026, 2, 9), end=date(2026, 2, 18),
                                  as_of=AS_OF, customer="")
    assert [(d.date(), n) for d, n in zip(pd.to_datetime(frame["week_end"]), frame["backlog_records"],
                                          strict=True)] == [(date(2026, 2, 15), 3), (date(2026, 2, 18), 3)]
    future = retention_store.query("retention_backlog_weekly", start=date(2026, 2, 23), end=date(2026, 6, 30),
                                   as_of=AS_OF, customer="C01")
    assert [d.date() for d in pd.to_datetime(future["week_end"])] == [date(2026, 3, 1)]
    assert future["backlog_records"].tolist() == [3]
    none = retention_store.query("retention_backlog_weekly", start=date(2026, 4, 1), end=date(2026, 6, 30),
                                 as_of=AS_OF, customer="")
    assert none.empty


def test_pace_windows(retention_store):
    frame = retention_store.query("retention_pace", as_of=AS_OF, customer="")
    assert [tuple(r) for r in frame.itertuples(index=False)] == [(30, 1, 1, 0), (90, 1, 4, 0)]
    # The identity the forecast rests on: backlog now = backlog at the window start + entered - left.
    for window, left, entered, _released in frame.itertuples(index=False):
        start = retention_store.query("retention_backlog_summary", as_of=AS_OF - timedelta(days=int(window)),
                                      customer="").iloc[0]["backlog_records"]
        assert int(start) + entered - left == 4


def test_pace_on_an_empty_store_is_zero(store):
    frame = store.query("retention_pace", as_of=AS_OF, customer="")
    assert [tuple(r) for r in frame.itertuples(index=False)] == [(30, 0, 0, 0), (90, 0, 0, 0)]
    result = clearance_forecast(0, Pace(30, 0, 0), AS_OF)
    assert result.clears


def test_worklist_columns_and_order(retention_store):
    frame = retention_store.query("retention_worklist", as_of=AS_OF, customer="", limit=None)
    assert list(frame.columns) == ["record_id", "customer_id", "data_category", "effective_end_on",
                                   "days_past_end", "end_action"]
    rows = [(r.record_id, r.customer_id, r.data_category, pd.Timestamp(r.effective_end_on).date(), r.days_past_end,
             r.end_action) for r in frame.itertuples(index=False)]
    assert rows == [
        ("R05", "C02", "user_data", date(2024, 1, 1), 790, "anonymise"),
        ("R08", "C01", "company_details", date(2025, 12, 15), 76, "delete"),
        ("R01", "C01", "email", date(2026, 1, 1), 59, "delete"),
        ("R02", "C01", "name", date(2026, 3, 1), 0, "delete"),
    ]
    assert retention_store.query("retention_worklist", as_of=AS_OF, customer="", limit=2)["record_id"].tolist() == [
        "R05", "R08"]
    assert retention_store.query("retention_worklist", as_of=AS_OF, customer="C02", limit=None)[
        "record_id"].tolist() == ["R05"]


def test_a_shortened_term_moves_the_backlog_from_the_day_of_the_change(retention_store):
    shorter = make_customer("C01", "Testkund Ett AB", 5, 30)
    customers.save(retention_store, shorter, actor="t@example.com", at=datetime(2026, 2, 1, 9, 0, tzinfo=UTC))
    row = retention_store.query("retention_backlog_summary", as_of=AS_OF, customer="C01").iloc[0]
    assert int(row["backlog_records"]) == 4       # R03 (last used 2025-03-02) is past its end too: since 02-01
    ends = retention_store.query("retention_worklist", as_of=AS_OF, customer="C01", limit=None)
    assert dict(zip(ends["record_id"], ends["days_past_end"], strict=True)) == {
        "R08": 76, "R01": 59, "R03": 28, "R02": 28}  # R01 was late already (2026-01-01): it stays late from then


# --- customers ----------------------------------------------------------------------------------

def test_customers_overview(customer_store):
    frame = customer_store.query("customers_overview")
    assert frame["customer_id"].tolist() == ["C01", "C02"]
    c01, c02 = _records(frame)
    assert (c01["name"], c01["org_number"], c01["forward_working_days"]) == ("Testkund Ett AB", "556000-0000", 5)
    for category in retention.DATA_CATEGORIES:
        assert (c01[f"{category}_days"], c01[f"{category}_action"]) == (365, "delete")
        assert (c02[f"{category}_days"], c02[f"{category}_action"]) == (90, "anonymise")
    assert c02["forward_working_days"] == 2
    assert not pd.isna(c01["last_changed_at"])


def test_customers_overview_on_an_empty_store(store):
    assert store.query("customers_overview").empty


def test_customers_changes(customer_store):
    at = datetime(2030, 2, 1, 12, 0, tzinfo=UTC)  # after the fixture saved (now)
    edited = Customer("C01", "Testkund Ett AB", "556000-0000", 7,
                                {**make_customer("C01", "x").terms, "email": RetentionTerm(30, "anonymise")})
    assert customers.save(customer_store, edited, actor="dpo@example.com", at=at) == [
        "forward_working_days", "email.retention_days", "email.end_action"]
    frame = customer_store.query("customers_changes", customer="C01")
    assert list(frame.columns) == ["change_id", "changed_at", "changed_by", "customer_id", "customer_name", "field",
                                   "old_value", "new_value"]
    newest = [(r.changed_by, r.field, r.old_value, r.new_value) for r in frame.head(3).itertuples(index=False)]
    assert sorted(newest) == sorted([("dpo@example.com", "forward_working_days", "5", "7"),
                                     ("dpo@example.com", "email.retention_days", "365", "30"),
                                     ("dpo@example.com", "email.end_action", "delete", "anonymise")])
    assert (frame.head(3)["changed_at"] == pd.Timestamp("2030-02-01 12:00")).all()
    assert len(frame) == 13 + 3                    # added: 3 details + 5 x 2 terms; then 3 changes
    assert frame.tail(13)["old_value"].isna().all()
    assert frame["customer_name"].unique().tolist() == ["Testkund Ett AB"]
    assert len(customer_store.query("customers_changes", customer="")) == 13 + 13 + 3
    assert customer_store.query("customers_changes", customer="C99").empty

"""The Retention page (AppTest): the empty state, and on demo data every figure shown equals the same
figure computed independently: record by record in Python (privacyops.rules.retention's pure rules) from the
base tables (retention_records, customer_retention_terms, customer_changes, customers), not from the
retention views or the page's queries."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, timedelta

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from privacyops.clock import STOCKHOLM, from_utc_naive
from privacyops.rules import retention
from privacyops.rules.forecast import Pace, clearance_forecast
from privacyops.rules.retention import AGING_BUCKETS, DATA_CATEGORIES
from privacyops.store import Store
from tests.app.conftest import open_page, texts

PAGE = "pages/retention.py"

# The backlog on $as_of: the stretches each record spends in the backlog under the terms in force on each
# day (rules.md 4), computed in Python and handed to DuckDB as a table; b: the records in the backlog on
# $as_of with the days since their lateness began.
BASE = """
    WITH s AS (
        SELECT * FROM python_stretches WHERE ($customer = '' OR customer_id = $customer)
    ),
    b AS (
        SELECT record_id, customer_id, data_category, date_diff('day', episode_start_on, $as_of) AS days
        FROM s
        WHERE start_on <= $as_of AND (stop_on IS NULL OR stop_on > $as_of)
    )
"""


def _stockholm(moment: datetime | None) -> date | None:
    return None if moment is None else from_utc_naive(moment).astimezone(STOCKHOLM).date()


def python_stretches(store: Store) -> pa.Table:
    """Every record's backlog stretches, from the base tables and the pure rules."""
    with store.cursor() as cur:
        terms = {(c, k): d for c, k, d in cur.execute(
            "SELECT customer_id, data_category, retention_days FROM customer_retention_terms").fetchall()}
        changes = defaultdict(list)
        for customer_id, field, at, old, new in cur.execute(
                "SELECT customer_id, field, changed_at, old_value, new_value FROM customer_changes "
                "WHERE field LIKE '%.retention_days' ORDER BY changed_at, change_id").fetchall():
            changes[(customer_id, field.split(".")[0])].append(retention.TermChange(
                _stockholm(at), None if old is None else int(old), None if new is None else int(new)))
        dates = {c: (i, e) for c, i, e in cur.execute(
            "SELECT customer_id, deletion_instructed_on, contract_ended_on FROM customers").fetchall()}
        records = cur.execute("SELECT record_id, customer_id, data_category, created_at, last_used_at, "
                              "retention_ends_on, disposed_at FROM retention_records").fetchall()
    columns = defaultdict(list)
    for record_id, customer_id, category, created, used, explicit, disposed in records:
        key = (customer_id, category)
        periods = retention.term_periods(terms[key], changes[key]) if key in terms else ()
        due = retention.disposal_due_from(*dates.get(customer_id, (None, None)), _stockholm(created))
        stretches = retention.backlog_stretches(_stockholm(used), periods, explicit_end=explicit,
                                                disposal_from=due, disposed_on=_stockholm(disposed))
        starts = {s.start_on for s in stretches}
        for s in stretches:
            for name, value in (("record_id", record_id), ("customer_id", customer_id), ("data_category", category),
                                ("start_on", s.start_on), ("stop_on", s.stop_on),
                                ("episode_start_on", s.episode_start_on), ("stop_reason", s.stop_reason),
                                ("continued", s.stop_on in starts and s.stop_reason != "disposed")):
                columns[name].append(value)
    return pa.table(dict(columns)) if columns else pa.table({
        "record_id": pa.array([], pa.string()), "customer_id": pa.array([], pa.string()),
        "data_category": pa.array([], pa.string()), "start_on": pa.array([], pa.date32()),
        "stop_on": pa.array([], pa.date32()), "episode_start_on": pa.array([], pa.date32()),
        "stop_reason": pa.array([], pa.string()), "continued": pa.array([], pa.bool_())})


def independent(store: Store, select: str, as_of: date, customer: str = "", **extra) -> list[tuple]:
    table = python_stretches(store)
    with store.cursor() as cur:
        cur.register("python_stretches", table)
        try:
            return cur.execute(BASE + select, {"as_of": as_of, "customer": customer, **extra}).fetchall()
        finally:
            cur.unregister("python_stretches")


def backlog_count(store: Store, as_of: date, customer: str = "") -> int:
    return independent(store, "SELECT count(*) FROM b", as_of, customer)[0][0]


def metric(at: AppTest, label: str) -> str:
    found = [m.value for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}: {[m.label for m in at.metric]}"
    return found[0]


def as_int(text: str) -> int:
    return int(text.replace(" ", "").replace("\u202f", ""))


def chart_frames(at: AppTest) -> list[pd.DataFrame]:
    """The data of every chart on the page, in page order (st.altair_chart is a vega_lite_chart here)."""
    frames = []
    for chart in at.get("vega_lite_chart"):
        json.loads(chart.proto.spec)  # a valid Vega-Lite spec
        frames.extend(pa.ipc.open_stream(ds.data.data).read_pandas() for ds in chart.proto.datasets)
    return frames


def demo_today(store: Store) -> date:
    with store.cursor() as cur:
        return date.fromisoformat(cur.execute("SELECT value FROM store_meta WHERE key = 'demo_today'").fetchone()[0])


@pytest.fixture
def pinned_demo(demo_app_store: Store, monkeypatch: pytest.MonkeyPatch) -> tuple[Store, date]:
    today = demo_today(demo_app_store)
    monkeypatch.setenv("PRIVACYOPS_TODAY", today.isoformat())
    return demo_app_store, today


def test_empty_store_shows_the_empty_state(empty_app_store):
    at = open_page(PAGE)
    assert not at.exception, at.exception
    assert "No personal-data records are in the retention inventory" in texts(at)
    assert not at.get("vega_lite_chart")
    assert not at.get("download_button")


def test_demo_kpis_equal_independent_sql(pinned_demo):
    store, today = pinned_demo
    at = open_page(PAGE)
    assert not at.exception, at.exception
    backlog = backlog_count(store, today)
    assert backlog > 0
    assert as_int(metric(at, "Backlog now")) == backlog
    oldest = independent(store, "SELECT max(days) FROM b", today)
    assert as_int(metric(at, "Oldest, days past end")) == oldest[0][0]
    assert "Demo data" in texts(at)

    # The forecast at the default 30-day pace, from independently counted flows.
    (left, entered, released), = independent(store, """
        SELECT count(*) FILTER (WHERE stop_reason = 'disposed' AND stop_on > $as_of - 30 AND stop_on <= $as_of),
               count(*) FILTER (WHERE start_on > $as_of - 30 AND start_on <= $as_of AND episode_start_on = start_on),
               count(*) FILTER (WHERE stop_reason = 'term_changed' AND NOT continued
                                  AND stop_on > $as_of - 30 AND stop_on <= $as_of)
        FROM s""", today)
    assert backlog_count(store, today - timedelta(days=30)) + entered - left - released == backlog
    expected = clearance_forecast(backlog, Pace(30, left, entered), today)
    shown = metric(at, "Backlog clears")
    assert shown == (expected.clears_on.isoformat() if expected.clears_on else "does not clear")
    assert metric(at, "Net deletion pace (30 days)") == f"{(left - entered) / 30:+.1f} / day"
    assert expected.sentence() in texts(at)


def test_demo_charts_equal_independent_sql(pinned_demo):
    store, today = pinned_demo
    at = open_page(PAGE)
    assert not at.exception, at.exception
    frames = chart_frames(at)
    assert len(at.get("vega_lite_chart")) == 4
    by_category, by_customer, aging = frames[:3]
    weekly, recent = sorted(frames[3:], key=len, reverse=True)   # the weekly line and the dashed recent trend

    expected = dict(independent(store, "SELECT data_category, count(*) FROM b GROUP BY 1", today))
    assert dict(zip(by_category["data_category"], by_category["backlog_records"], strict=True)) == expected
    assert set(by_category["category"]) == {DATA_CATEGORIES[c] for c in expected}

    expected = dict(independent(store, "SELECT customer_id, count(*) FROM b GROUP BY 1", today))
    assert dict(zip(by_customer["customer_id"], by_customer["backlog_records"], strict=True)) == expected

    buckets = independent(store, """
        SELECT count(*) FILTER (WHERE days <= 30), count(*) FILTER (WHERE days BETWEEN 31 AND 90),
               count(*) FILTER (WHERE days BETWEEN 91 AND 365), count(*) FILTER (WHERE days > 365)
        FROM b""", today)[0]
    assert aging["aging_bucket"].tolist() == [label for label, _, _ in AGING_BUCKETS]
    assert tuple(aging["backlog_records"]) == buckets

    # Every week end of the default range (the last 365 days), counted one by one.
    ends = [d.date() for d in pd.to_datetime(weekly["week_end"])]
    assert ends[-1] == today and all(d.weekday() == 6 for d in ends[:-1])
    assert ends[0] <= today - timedelta(days=364) + timedelta(days=6)
    for end, count in zip(ends, weekly["backlog_records"], strict=True):
        assert count == backlog_count(store, end), end
    assert weekly["backlog_records"].iloc[-1] == as_int(metric(at, "Backlog now"))
    # The dashed line joins the count four weeks before the last point to the last point.
    start, end = pd.to_datetime(recent["week_end"]).dt.date.tolist()
    assert end == today and start == max(d for d in ends if d <= today - timedelta(weeks=4))
    assert recent["backlog_records"].tolist() == [backlog_count(store, start), backlog_count(store, today)]


def test_demo_worklist_preview_and_download(pinned_demo):
    store, today = pinned_demo
    at = open_page(PAGE)
    rows = independent(store, "SELECT record_id, days FROM b ORDER BY days DESC, record_id LIMIT 50", today)
    preview = at.dataframe[0].value
    assert list(zip(preview["record_id"], preview["days_past_end"], strict=True)) == rows
    assert not {"requester_email", "requester_name", "subject_id"} & set(preview.columns)
    (button,) = at.get("download_button")
    assert f"({backlog_count(store, today)} records, CSV)" in button.proto.label
    assert button.proto.ignore_rerun  # on_click="ignore": the file is built on demand, no rerun


def test_customer_filter(pinned_demo):
    store, today = pinned_demo
    at = open_page(PAGE)
    with store.cursor() as cur:
        customer = cur.execute("SELECT customer_id FROM customers ORDER BY customer_id LIMIT 1").fetchone()[0]
    at.sidebar.selectbox(key="flt_customer").set_value(customer).run()
    assert not at.exception, at.exception
    assert as_int(metric(at, "Backlog now")) == backlog_count(store, today, customer)
    by_category = chart_frames(at)[0]
    assert by_category["backlog_records"].sum() == backlog_count(store, today, customer)


def test_a_growing_backlog_does_not_clear(customers_app_store, monkeypatch):
    today = date(2026, 3, 1)
    monkeypatch.setenv("PRIVACYOPS_TODAY", today.isoformat())

    def records(cur):  # five records reached their end in the last 30 days, none was deleted
        for i in range(5):
            cur.execute("INSERT INTO retention_records VALUES ($id, 'C01', 'email', TIMESTAMP '2024-01-01', "
                        "TIMESTAMP '2024-01-01', $end, NULL, NULL)",
                        {"id": f"G{i}", "end": today - timedelta(days=i * 5)})
    customers_app_store.write(records)
    at = open_page(PAGE)
    assert not at.exception, at.exception
    assert as_int(metric(at, "Backlog now")) == 5 == backlog_count(customers_app_store, today)
    assert metric(at, "Backlog clears") == "does not clear"
    assert "at the current pace the backlog does not clear" in " ".join(w.value for w in at.warning).lower()

"""The Retention page (AppTest): the empty state, and on demo data every figure shown equals the same
figure computed by independent SQL written against the base tables (retention_records and
customer_retention_terms, not the retention_status view or the page's queries)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from privacyops.forecast import Pace, clearance_forecast
from privacyops.retention import AGING_BUCKETS, DATA_CATEGORIES
from privacyops.store import Store
from tests.app.conftest import open_page, texts

PAGE = "pages/retention.py"

# The backlog on $as_of from the base tables: retention ends on the source's date, else on the last use
# plus the customer's term for the category; in the backlog until disposed of (rules.md 4).
BASE = """
    WITH r AS (
        SELECT rr.record_id, rr.customer_id, rr.data_category,
               coalesce(rr.retention_ends_on,
                        CAST(timezone('Europe/Stockholm', timezone('UTC', rr.last_used_at)) AS DATE)
                        + t.retention_days) AS end_on,
               CAST(timezone('Europe/Stockholm', timezone('UTC', rr.disposed_at)) AS DATE) AS disposed_on
        FROM retention_records AS rr
        LEFT JOIN customer_retention_terms AS t
               ON t.customer_id = rr.customer_id AND t.data_category = rr.data_category
        WHERE ($customer = '' OR rr.customer_id = $customer)
    ),
    b AS (  -- the backlog on $as_of
        SELECT *, date_diff('day', end_on, $as_of) AS days FROM r
        WHERE end_on <= $as_of AND (disposed_on IS NULL OR disposed_on > $as_of)
    )
"""


def independent(store: Store, select: str, as_of: date, customer: str = "", **extra) -> list[tuple]:
    with store.cursor() as cur:
        return cur.execute(BASE + select, {"as_of": as_of, "customer": customer, **extra}).fetchall()


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
    (left, entered), = independent(store, """
        SELECT count(*) FILTER (WHERE disposed_on > $as_of - 30 AND disposed_on <= $as_of AND end_on < disposed_on),
               count(*) FILTER (WHERE end_on > $as_of - 30 AND end_on <= $as_of
                                  AND (disposed_on IS NULL OR disposed_on > end_on))
        FROM r""", today)
    assert backlog_count(store, today - timedelta(days=30)) + entered - left == backlog
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

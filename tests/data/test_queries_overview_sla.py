"""The overview_* and sla_* queries on a small hand-made store, checked value by value.

The store (as of Monday 30 June 2025; the period is 1 April - 30 June 2025, 91 days, so the previous
period is 31 December 2024 - 31 March 2025 and "one period earlier" is 31 March 2025):

requests (C01 and C02; Stockholm dates; due = effective due date)
    R01 C01 access          received 04-02  due 05-02              closed 04-20  on time, 18 days
    R02 C01 erasure         received 04-10  due 05-12              closed 05-20  late by 8, 40 days
    R03 C02 access          received 05-05  due 06-05, ext. 08-05  closed 06-25  on time (extended), 51 days
    R04 C02 rectification   received 05-26  due 06-26              open          overdue by 4
    R05 C01 access          received 06-20  due 07-21              open          21 days left
    R06 C01 objection       received 06-01  due 07-01              open (paused) 1 day left
    R07 C01 withdrawal      received 06-10  no month clock         closed 06-10
    R08 C02 withdrawal      received 06-28  no month clock         open
    R09 C01 access          received 02-03  due 03-03              closed 03-10  late, 35 days
    R10 C02 portability     received 01-10  due 02-10              closed 02-05  on time, 26 days
    R11 C01 access          received 03-20  due 04-22              closed 04-15  on time, 26 days
    R12 C02 erasure         received 02-20  due 03-20              closed 04-05  late by 16, 44 days
"""

from __future__ import annotations

import math
from datetime import date, datetime

import duckdb
import pandas as pd
import pytest

from privacyops.rules import retention
from privacyops.store import Store

AS_OF = date(2025, 6, 30)
START = date(2025, 4, 1)
END = date(2025, 6, 30)
PERIOD = {"start": START, "end": END}

# id, customer, type, received, due, extended due, extension notified, closed, status
REQUESTS = [
    ("R01", "C01", "access", "2025-04-02", "2025-05-02", None, None, "2025-04-20", "completed"),
    ("R02", "C01", "erasure", "2025-04-10", "2025-05-12", None, None, "2025-05-20", "completed"),
    ("R03", "C02", "access", "2025-05-05", "2025-06-05", "2025-08-05", "2025-05-20", "2025-06-25", "completed"),
    ("R04", "C02", "rectification", "2025-05-26", "2025-06-26", None, None, None, "in_progress"),
    ("R05", "C01", "access", "2025-06-20", "2025-07-21", None, None, None, "forwarded"),
    ("R06", "C01", "objection", "2025-06-01", "2025-07-01", None, None, None, "paused"),
    ("R07", "C01", "consent_withdrawal", "2025-06-10", None, None, None, "2025-06-10", "completed"),
    ("R08", "C02", "consent_withdrawal", "2025-06-28", None, None, None, None, "logged"),
    ("R09", "C01", "access", "2025-02-03", "2025-03-03", None, None, "2025-03-10", "completed"),
    ("R10", "C02", "portability", "2025-01-10", "2025-02-10", None, None, "2025-02-05", "completed"),
    ("R11", "C01", "access", "2025-03-20", "2025-04-22", None, None, "2025-04-15", "completed"),
    ("R12", "C02", "erasure", "2025-02-20", "2025-03-20", None, None, "2025-04-05", "refused"),
]
# request, paused at, reason, resumed at
PAUSES = [
    ("R03", "2025-05-10", "clarification", "2025-05-15"),
    ("R06", "2025-06-02", "identity", "2025-06-04"),
    ("R06", "2025-06-05", "identity", None),
]
# customer, given on, method, analytics, marketing
CONSENTS = [
    ("C01", "2025-04-05", "accept_all", True, True),
    ("C01", "2025-04-10", "reject_all", False, False),
    ("C01", "2025-05-03", "custom", True, False),
    ("C01", "2025-05-15", "implied", True, True),      # not consent: a decision, never an opt-in
    ("C01", "2025-06-01", "pre_ticked", True, True),   # not consent either (Planet49)
    ("C01", "2025-06-02", "withdrawal", False, False),  # not a decision
    ("C02", "2025-06-10", "accept_all", True, True),
    ("C02", "2025-06-20", "custom", True, False),
    ("C01", "2025-02-01", "accept_all", True, True),   # previous period
    ("C01", "2025-03-01", "implied", True, True),      # previous period
    ("C01", "2024-06-01", "accept_all", True, True),   # before both periods
]
# record, customer, category, last used, explicit end, disposed at
# (terms: C01 365 days, C02 90 days)
RECORDS = [
    ("RR1", "C01", "name", "2024-01-01", None, None),                  # ends 2024-12-31, waiting
    ("RR2", "C01", "email", "2024-12-01", "2025-05-01", "2025-05-10"),  # in backlog 05-01 .. 05-09
    ("RR3", "C02", "email", "2025-03-01", None, "2025-07-05"),          # ends 2025-05-30, disposed later
    ("RR4", "C02", "name", "2024-10-01", None, "2025-02-01"),           # ends 2024-12-30, disposed 02-01
    ("RR5", "C01", "user_data", "2025-01-01", "2025-08-01", None),      # not ended yet
    ("RR6", "C01", "quote_content", "2024-01-01", "2025-03-01", "2025-02-15"),  # disposed before its end
]


def _ts(day: str | None, hour: int = 8) -> datetime | None:
    return None if day is None else datetime.fromisoformat(day).replace(hour=hour)


@pytest.fixture
def sla_store(customer_store: Store) -> Store:
    def load(cur: duckdb.DuckDBPyConnection) -> None:
        for rid, cust, rtype, received, due, ext_due, notified, closed, status in REQUESTS:
            cur.execute(
                "INSERT INTO requests (request_id, customer_id, request_type, received_at, channel, "
                "requester_email, status, forward_due_date, due_date, extension_reason, extension_notified_at, "
                "extended_due_date, closed_at, outcome, created_at, updated_at) VALUES "
                "($id, $cust, $type, $received, 'email', 'someone@example.com', $status, $received_on, $due, "
                "$reason, $notified, $ext_due, $closed, $outcome, $received, $received)",
                {"id": rid, "cust": cust, "type": rtype, "received": _ts(received), "status": status,
                 "received_on": date.fromisoformat(received), "due": due, "ext_due": ext_due,
                 "reason": "complex" if ext_due else None, "notified": _ts(notified),
                 "closed": _ts(closed, 10), "outcome": status if closed else None},
            )
        for rid, paused, reason, resumed in PAUSES:
            cur.execute("INSERT INTO request_pauses (request_id, paused_at, reason, resumed_at) "
                        "VALUES ($id, $p, $reason, $r)",
                        {"id": rid, "p": _ts(paused), "reason": reason, "r": _ts(resumed)})
        for n, (cust, given, method, analytics, marketing) in enumerate(CONSENTS):
            cur.execute(
                "INSERT INTO consent_records VALUES ($id, $cust, $subject, $given, $method, 'v1', 'banner', "
                "'SE', true, false, $analytics, $marketing)",
                {"id": f"K{n:03d}", "cust": cust, "subject": f"S{n:03d}", "given": _ts(given, 12),
                 "method": method, "analytics": analytics, "marketing": marketing})
        for rid, cust, category, used, end, disposed in RECORDS:
            cur.execute(
                "INSERT INTO retention_records VALUES ($id, $cust, $cat, $used, $used, $end, $disposed, $action)",
                {"id": rid, "cust": cust, "cat": category, "used": _ts(used), "end": end,
                 "disposed": _ts(disposed, 9), "action": "deleted" if disposed else None})

    customer_store.write(load)
    return customer_store


def one(store: Store, name: str, **params) -> dict:
    frame = store.query(name, **params)
    assert len(frame) == 1
    return frame.iloc[0].to_dict()


def close(value, expected: float) -> bool:
    """A figure equals the expected number (and is not missing)."""
    return value is not None and not pd.isna(value) and math.isclose(float(value), expected, abs_tol=1e-9)


# --- overview ---------------------------------------------------------------------------------

def test_consent_rates_count_implied_and_pre_ticked_as_decisions_never_as_opt_ins(sla_store):
    row = one(sla_store, "overview_consent_rates", customer="", **PERIOD)
    assert (row["decisions"], row["valid_choices"], row["invalid_consents"]) == (7, 5, 2)
    assert (row["analytics_opt_ins"], row["marketing_opt_ins"]) == (4, 2)
    assert close(row["analytics_rate"], 4 / 7) and close(row["marketing_rate"], 2 / 7)
    assert row["prev_decisions"] == 2
    assert close(row["prev_analytics_rate"], 1 / 2) and close(row["prev_marketing_rate"], 1 / 2)


def test_consent_rates_for_one_customer(sla_store):
    row = one(sla_store, "overview_consent_rates", customer="C01", **PERIOD)
    assert row["decisions"] == 5
    assert close(row["analytics_rate"], 2 / 5) and close(row["marketing_rate"], 1 / 5)
    empty = one(sla_store, "overview_consent_rates", customer="C02", start=date(2025, 1, 1),
                end=date(2025, 3, 31))
    assert empty["decisions"] == 0 and pd.isna(empty["analytics_rate"])


def test_consent_trend_by_month(sla_store):
    frame = sla_store.query("overview_consent_trend", customer="", grain="month", **PERIOD)
    assert [d.date() for d in pd.to_datetime(frame["period_start"])] == [
        date(2025, 4, 1), date(2025, 5, 1), date(2025, 6, 1)]
    assert frame["decisions"].tolist() == [2, 2, 3]
    assert [round(x, 4) for x in frame["analytics_rate"]] == [0.5, 0.5, round(2 / 3, 4)]
    assert [round(x, 4) for x in frame["marketing_rate"]] == [0.5, 0.0, round(1 / 3, 4)]


def test_request_kpis(sla_store):
    row = one(sla_store, "overview_request_kpis", as_of=AS_OF, customer="", **PERIOD)
    assert (row["open_requests"], row["open_requests_prev"]) == (4, 2)        # R04-06, R08 / R11, R12
    assert (row["overdue_requests"], row["overdue_requests_prev"]) == (1, 1)  # R04 / R12
    assert (row["closed_last_90"], row["on_time_last_90"]) == (5, 3)          # withdrawal R07 left out
    assert close(row["on_time_share"], 0.6) and close(row["on_time_share_prev"], 0.5)
    assert row["closed_in_period"] == 5
    assert close(row["median_days_to_close"], 40) and close(row["median_days_to_close_prev"], 30.5)


def test_request_kpis_for_one_customer(sla_store):
    row = one(sla_store, "overview_request_kpis", as_of=AS_OF, customer="C02", **PERIOD)
    assert (row["open_requests"], row["overdue_requests"]) == (2, 1)          # R04, R08 / R04
    assert (row["closed_last_90"], row["on_time_last_90"]) == (2, 1)          # R03 on time, R12 late
    assert close(row["median_days_to_close"], 47.5)


def test_request_trend_by_month(sla_store):
    frame = sla_store.query("overview_request_trend", as_of=AS_OF, customer="", grain="month", **PERIOD)
    assert [d.date() for d in pd.to_datetime(frame["period_end"])] == [
        date(2025, 4, 30), date(2025, 5, 31), date(2025, 6, 30)]
    assert frame["open_requests"].tolist() == [1, 2, 4]
    assert frame["overdue_requests"].tolist() == [0, 0, 1]
    assert frame["closed_requests"].tolist() == [3, 1, 1]
    assert [round(x, 4) for x in frame["on_time_share"]] == [round(2 / 3, 4), 0.0, 1.0]
    assert frame["median_days_to_close"].tolist() == [26, 40, 51]


def test_request_trend_by_week_is_capped_at_the_period(sla_store):
    frame = sla_store.query("overview_request_trend", as_of=AS_OF, customer="", grain="week",
                            start=date(2025, 6, 18), end=date(2025, 6, 30))
    starts = [d.date() for d in pd.to_datetime(frame["period_start"])]
    ends = [d.date() for d in pd.to_datetime(frame["period_end"])]
    assert starts == [date(2025, 6, 18), date(2025, 6, 23), date(2025, 6, 30)]
    assert ends == [date(2025, 6, 22), date(2025, 6, 29), date(2025, 6, 30)]
    # 22 June: R03, R04, R05, R06 open; 29 June: R04 (overdue since 27 June), R05, R06, R08
    assert frame["open_requests"].tolist() == [4, 4, 4]
    assert frame["overdue_requests"].tolist() == [0, 1, 1]


def test_backlog_now_and_one_period_earlier(sla_store):
    row = one(sla_store, "overview_backlog", as_of=AS_OF, customer="", **PERIOD)
    assert (row["backlog_records"], row["oldest_days"]) == (2, 181)          # RR1 (since 2024-12-31), RR3
    assert (row["backlog_records_prev"], row["oldest_days_prev"]) == (1, 90)  # RR1 on 31 March
    c02 = one(sla_store, "overview_backlog", as_of=AS_OF, customer="C02", **PERIOD)
    assert (c02["backlog_records"], c02["oldest_days"], c02["backlog_records_prev"]) == (1, 31, 0)
    assert pd.isna(c02["oldest_days_prev"])


def test_backlog_agrees_with_the_pure_rule(sla_store):
    """The SQL backlog and privacyops.rules.retention.in_backlog say the same about every record and day."""
    terms = {"C01": 365, "C02": 90}
    for day in (date(2025, 3, 31), date(2025, 5, 4), date(2025, 5, 31), AS_OF):
        expected = 0
        for _rid, cust, _cat, used, end, disposed in RECORDS:
            end_on = retention.retention_end(date.fromisoformat(used), terms[cust],
                                             date.fromisoformat(end) if end else None)
            disposed_on = date.fromisoformat(disposed) if disposed else None
            expected += retention.in_backlog(end_on, disposed_on, day)
        row = one(sla_store, "overview_backlog", as_of=day, customer="", start=day, end=day)
        assert row["backlog_records"] == expected, day


def test_backlog_trend(sla_store):
    frame = sla_store.query("overview_backlog_trend", as_of=AS_OF, customer="", grain="month", **PERIOD)
    assert frame["backlog_records"].tolist() == [1, 2, 2]
    weekly = sla_store.query("overview_backlog_trend", as_of=AS_OF, customer="", grain="week",
                             start=date(2025, 4, 28), end=date(2025, 5, 11))
    assert weekly["backlog_records"].tolist() == [2, 1]  # RR2 waits 1-9 May


def test_needs_attention_lists_overdue_then_withdrawals_then_by_due_date(sla_store):
    frame = sla_store.query("overview_needs_attention", as_of=AS_OF, customer="", soon_due_days=5, limit=5)
    assert frame["request_id"].tolist() == ["R04", "R08", "R06", "R05"]   # R08: a withdrawal, due at once
    assert frame["days_left"].tolist()[:1] + frame["days_left"].tolist()[2:] == [-4, 1, 21]
    assert pd.isna(frame["days_left"][1])
    assert frame["queue_status"].tolist() == ["Overdue", "Due soon", "Due soon", "On track"]
    assert frame["customer_name"].tolist() == ["Testkund Två AB", "Testkund Två AB", "Testkund Ett AB",
                                               "Testkund Ett AB"]
    assert not any("email" in c or "requester" in c for c in frame.columns)
    short = sla_store.query("overview_needs_attention", as_of=AS_OF, customer="C01", soon_due_days=0, limit=1)
    assert short["request_id"].tolist() == ["R06"] and short["queue_status"].tolist() == ["On track"]


# --- SLAs -------------------------------------------------------------------------------------

def test_sla_summary(sla_store):
    row = one(sla_store, "sla_summary", as_of=AS_OF, customer="", **PERIOD)
    assert (row["closed_requests"], row["on_time_requests"]) == (5, 3)
    assert close(row["on_time_rate"], 0.6)
    assert close(row["median_days"], 40) and close(row["p90_days"], 48.2)  # 44 + 0.6 * (51 - 44)
    assert (row["closed_late"], row["open_overdue"]) == (2, 1)


def test_on_time_by_month_leaves_out_consent_withdrawals(sla_store):
    frame = sla_store.query("sla_on_time_by_month", customer="", **PERIOD)
    assert [d.date() for d in pd.to_datetime(frame["month"])] == [
        date(2025, 4, 1), date(2025, 5, 1), date(2025, 6, 1)]
    assert frame["closed_requests"].tolist() == [3, 1, 1]   # June: R03 only, R07 has no clock
    assert frame["on_time_requests"].tolist() == [2, 0, 1]
    assert frame["late_requests"].tolist() == [1, 1, 0]
    assert [round(x, 4) for x in frame["on_time_rate"]] == [round(2 / 3, 4), 0.0, 1.0]


def test_on_time_by_type(sla_store):
    frame = sla_store.query("sla_on_time_by_type", customer="", **PERIOD)
    assert frame["request_type"].tolist() == ["erasure", "access"]
    assert frame["closed_requests"].tolist() == [2, 3]
    assert frame["on_time_rate"].tolist() == [0.0, 1.0]


def test_time_to_close_by_type(sla_store):
    frame = sla_store.query("sla_time_to_close_by_type", customer="", **PERIOD).set_index("request_type")
    assert list(frame.index) == ["erasure", "access", "consent_withdrawal"]
    assert frame.loc["access", "closed_requests"] == 3
    assert close(frame.loc["access", "median_days"], 26) and close(frame.loc["access", "p90_days"], 46)
    assert close(frame.loc["erasure", "median_days"], 42) and close(frame.loc["erasure", "p90_days"], 43.6)
    assert frame.loc["access", "max_days"] == 51
    assert not frame.loc["consent_withdrawal", "has_month_clock"]
    assert frame.loc["consent_withdrawal", "median_days"] == 0


def test_time_to_close_by_customer(sla_store):
    frame = sla_store.query("sla_time_to_close_by_customer", customer="", **PERIOD).set_index("customer_id")
    assert list(frame.index) == ["C02", "C01"]
    assert frame.loc["C01", "customer_name"] == "Testkund Ett AB"
    assert close(frame.loc["C01", "median_days"], 26) and close(frame.loc["C01", "p90_days"], 37.2)
    assert close(frame.loc["C02", "median_days"], 47.5) and close(frame.loc["C02", "p90_days"], 50.3)
    assert close(frame.loc["C01", "on_time_rate"], 2 / 3) and close(frame.loc["C02", "on_time_rate"], 0.5)
    only = sla_store.query("sla_time_to_close_by_customer", customer="C02", **PERIOD)
    assert only["customer_id"].tolist() == ["C02"]


def test_extensions_and_pauses(sla_store):
    row = one(sla_store, "sla_extensions_pauses", customer="", **PERIOD)
    assert (row["received_requests"], row["extended_requests"], row["paused_requests"]) == (6, 1, 2)
    assert close(row["extension_share"], 1 / 6) and close(row["pause_share"], 2 / 6)
    assert (row["pauses"], row["identity_pauses"], row["clarification_pauses"]) == (3, 2, 1)
    none = one(sla_store, "sla_extensions_pauses", customer="C02", start=date(2024, 1, 1), end=date(2024, 1, 2))
    assert none["received_requests"] == 0 and pd.isna(none["extension_share"]) and none["pauses"] == 0


def test_breaches(sla_store):
    frame = sla_store.query("sla_breaches", as_of=AS_OF, customer="", **PERIOD)
    assert frame["request_id"].tolist() == ["R04", "R12", "R02"]
    assert frame["closed"].tolist() == ["open", "2025-04-05", "2025-05-20"]
    assert frame["days_late"].tolist() == [4, 16, 8]
    assert not any("email" in c or "requester" in c for c in frame.columns)
    # R09 (late, closed in March) is outside the period; the open breach R04 stays in any period
    march = sla_store.query("sla_breaches", as_of=AS_OF, customer="", start=date(2025, 3, 1), end=date(2025, 3, 31))
    assert march["request_id"].tolist() == ["R04", "R09"]


def test_open_by_days_left(sla_store):
    frame = sla_store.query("sla_open_by_days_left", as_of=AS_OF, customer="", soon_due_days=5)
    assert frame.to_dict("records") == [
        {"days_left": -4, "queue_status": "Overdue", "requests": 1},
        {"days_left": 1, "queue_status": "Due soon", "requests": 1},
        {"days_left": 21, "queue_status": "On track", "requests": 1},
    ]
    wide = sla_store.query("sla_open_by_days_left", as_of=AS_OF, customer="", soon_due_days=30)
    assert wide["queue_status"].tolist() == ["Overdue", "Due soon", "Due soon"]


@pytest.mark.parametrize("name", [
    "overview_consent_rates", "overview_consent_trend", "overview_request_kpis", "overview_request_trend",
    "overview_backlog", "overview_backlog_trend", "overview_needs_attention", "sla_summary",
    "sla_on_time_by_month", "sla_on_time_by_type", "sla_time_to_close_by_type", "sla_time_to_close_by_customer",
    "sla_extensions_pauses", "sla_breaches", "sla_open_by_days_left",
])
def test_every_query_runs_on_an_empty_store_and_returns_its_declared_columns(store, name):
    from privacyops.store import named_query

    query = named_query(name)
    values = {"as_of": AS_OF, "start": START, "end": END, "customer": "", "grain": "week",
              "soon_due_days": 5, "limit": 5}
    frame = store.query(name, **{p: values[p] for p in query.params})
    assert tuple(frame.columns) == query.columns

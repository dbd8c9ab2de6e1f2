"""The Consent page through AppTest: empty store, and on demo data every figure shown against SQL written
directly on the base tables (consent_records, customers, settings), not the views or the page's queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pyarrow as pa
import pytest

from privacyops import clock
from privacyops.rules import consent
from privacyops.store import Store
from tests.app.conftest import open_page, texts
from ui.format import fmt_int, fmt_pct

PAGE = "pages/consent.py"


def sql(store: Store, statement: str, params: dict | None = None) -> pd.DataFrame:
    with store.cursor() as cur:
        return cur.execute(statement, params or None).df()


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def chart_frames(at) -> list[pd.DataFrame]:
    """The data of every Altair chart on the page (Arrow IPC in the proto)."""
    frames = []
    for chart in at.get("vega_lite_chart"):
        for dataset in chart.proto.datasets:
            frames.append(pa.ipc.open_stream(dataset.data.data).read_all().to_pandas())
    return frames


def default_range() -> tuple[date, date]:
    """The filter bar's default: the last 365 days up to today."""
    today = clock.today()
    return today - timedelta(days=364), today


def expected_rates(store: Store, start: date, end: date, customer: str = "") -> pd.Series:
    return sql(store, """
        WITH r AS (
            SELECT method IN ('accept_all', 'reject_all', 'custom') AS valid, method <> 'withdrawal' AS decision, *
            FROM consent_records
            WHERE CAST(given_at AS DATE) BETWEEN $start AND $end AND ($customer = '' OR customer_id = $customer)
        )
        SELECT
            sum(CASE WHEN valid AND functional THEN 1 ELSE 0 END) / sum(CASE WHEN decision THEN 1 ELSE 0 END)
                AS functional,
            sum(CASE WHEN valid AND analytics THEN 1 ELSE 0 END) / sum(CASE WHEN decision THEN 1 ELSE 0 END)
                AS analytics,
            sum(CASE WHEN valid AND marketing THEN 1 ELSE 0 END) / sum(CASE WHEN decision THEN 1 ELSE 0 END)
                AS marketing,
            sum(CASE WHEN method IN ('implied', 'pre_ticked') THEN 1 ELSE 0 END)
                / sum(CASE WHEN decision THEN 1 ELSE 0 END) AS invalid_share,
            sum(CASE WHEN method = 'withdrawal' THEN 1 ELSE 0 END) AS withdrawals
        FROM r
    """, {"start": start, "end": end, "customer": customer}).iloc[0]


def expected_renewal(store: Store, as_of: date, renewal_months: int = 12, quiet_months: int = 6,
                     customer: str = "") -> dict[str, int]:
    """Each subject's latest record (a window function) through the pure rule privacyops.rules.consent.needs_renewal."""
    latest = sql(store, """
        SELECT customer_id, subject_id, CAST(given_at AS DATE) AS given_on, method, policy_version
        FROM consent_records
        WHERE CAST(given_at AS DATE) <= $as_of AND ($customer = '' OR customer_id = $customer)
        QUALIFY row_number() OVER (PARTITION BY customer_id, subject_id ORDER BY given_at DESC, consent_id DESC) = 1
    """, {"as_of": as_of, "customer": customer})
    current = sql(store, "SELECT customer_id, consent_policy_version AS version, "
                         "consent_policy_effective_on AS effective_on FROM customers")
    # the policy set explicitly per customer (rules.md 3), in force from its day: the pure rule decides
    current_version = {row.customer_id: consent.current_policy_version(
        row.version, None if pd.isna(row.effective_on) else pd.Timestamp(row.effective_on).date(), as_of)
        for row in current.itertuples()}
    counts = {"due": 0, "policy": 0, "invalid": 0, "expired": 0, "quiet": 0}
    for row in latest.itertuples():
        given_on = pd.Timestamp(row.given_on).date()
        due = consent.needs_renewal(given_on, row.method, row.policy_version, current_version[row.customer_id],
                                    as_of, renewal_months=renewal_months, refusal_quiet_months=quiet_months)
        counts["due"] += due
        if current_version[row.customer_id] is not None and row.policy_version != current_version[row.customer_id]:
            counts["policy"] += 1
        elif due and row.method in consent.INVALID_METHODS:
            counts["invalid"] += 1
        elif due and row.method in ("accept_all", "custom"):
            counts["expired"] += 1
        elif due:
            counts["quiet"] += 1
    return counts


def test_empty_store_shows_an_empty_state(empty_app_store):
    at = open_page(PAGE)
    assert not at.exception, at.exception
    assert "No consent records" in texts(at)
    assert not at.get("vega_lite_chart")


def test_demo_figures_equal_sql(demo_app_store):
    at = open_page(PAGE)
    assert not at.exception, at.exception
    start, end = default_range()
    want = expected_rates(demo_app_store, start, end)
    shown = metrics(at)
    assert shown["Functional opt-in rate"] == fmt_pct(want["functional"])
    assert shown["Analytics opt-in rate"] == fmt_pct(want["analytics"])
    assert shown["Marketing opt-in rate"] == fmt_pct(want["marketing"])
    assert shown["Not consent, share"] == fmt_pct(want["invalid_share"])
    assert shown["Withdrawals"] == fmt_int(want["withdrawals"])
    assert "rules.md 3" in " ".join(m.proto.help for m in at.metric)
    # rate over time, not-consent counts and share, withdrawals, breakdown, before/after
    assert len(at.get("vega_lite_chart")) >= 6


def test_demo_renewal_equals_the_rule_on_sql(demo_app_store):
    at = open_page(PAGE)
    assert not at.exception, at.exception
    want = expected_renewal(demo_app_store, clock.today())
    shown = metrics(at)
    assert shown["Subjects to ask again"] == fmt_int(want["due"])
    assert shown["Policy changed"] == fmt_int(want["policy"])
    assert shown["No valid consent"] == fmt_int(want["invalid"])
    assert shown["Consent > 12 months"] == fmt_int(want["expired"])
    assert shown["Refusals > 6 months"] == fmt_int(want["quiet"])
    renewal = next(df.value for df in at.dataframe if "due_total" in df.value.columns)
    per_customer = sql(demo_app_store, """
        SELECT customer_id, count(DISTINCT subject_id) AS subjects FROM consent_records
        WHERE CAST(given_at AS DATE) <= $as_of GROUP BY customer_id""", {"as_of": clock.today()})
    assert dict(zip(renewal["customer_id"], renewal["subjects"], strict=True)) == dict(
        zip(per_customer["customer_id"], per_customer["subjects"], strict=True))


def test_renewal_follows_the_settings(demo_app_store):
    with demo_app_store.cursor() as cur:
        cur.execute("INSERT INTO settings VALUES ('consent_renewal_months', '3', $at, 'test'), "
                    "('refusal_quiet_months', '2', $at, 'test')", {"at": datetime.now(UTC).replace(tzinfo=None)})
    at = open_page(PAGE)
    assert not at.exception, at.exception
    want = expected_renewal(demo_app_store, clock.today(), renewal_months=3, quiet_months=2)
    shown = metrics(at)
    assert shown["Subjects to ask again"] == fmt_int(want["due"])
    assert shown["Consent > 3 months"] == fmt_int(want["expired"])
    assert shown["Refusals > 2 months"] == fmt_int(want["quiet"])
    assert "consent_renewal_months = 3" in at.metric[5].proto.help


def test_month_toggle_and_break_down_by_country(demo_app_store):
    at = open_page(PAGE)
    at.segmented_control(key="consent_grain").set_value("month")
    at.segmented_control(key="consent_dimension").set_value("country")
    at.run()
    assert not at.exception, at.exception
    rate_chart = chart_frames(at)[0]
    assert set(rate_chart.columns) >= {"period_start", "purpose", "opt_in_rate"}
    assert {d.day for d in pd.to_datetime(rate_chart["period_start"])} == {1}
    start, end = default_range()
    by_month = sql(demo_app_store, """
        SELECT date_trunc('month', CAST(given_at AS DATE)) AS period_start,
               count(*) FILTER (WHERE method <> 'withdrawal') AS decisions,
               count(*) FILTER (WHERE method IN ('accept_all', 'custom') AND marketing) AS marketing
        FROM consent_records WHERE CAST(given_at AS DATE) BETWEEN $start AND $end
        GROUP BY 1 HAVING count(*) FILTER (WHERE method <> 'withdrawal') > 0 ORDER BY 1""",
                   {"start": start, "end": end})
    shown = rate_chart[rate_chart["purpose"] == "Marketing"].sort_values("period_start")
    assert list(shown["decisions"]) == list(by_month["decisions"])
    assert list(shown["opt_in_rate"]) == pytest.approx(list(by_month["marketing"] / by_month["decisions"]))

    breakdown = next(df.value for df in at.dataframe if "group_label" in df.value.columns)
    per_country = sql(demo_app_store, """
        SELECT country, count(*) FILTER (WHERE method <> 'withdrawal') AS decisions,
               count(*) FILTER (WHERE method IN ('accept_all', 'reject_all', 'custom') AND analytics) AS analytics
        FROM consent_records WHERE CAST(given_at AS DATE) BETWEEN $start AND $end GROUP BY country""",
                      {"start": start, "end": end}).set_index("country")
    shown_decisions = dict(zip(breakdown["group_label"], breakdown["decisions"], strict=True))
    assert shown_decisions == per_country["decisions"].to_dict()
    got = dict(zip(breakdown["group_label"], breakdown["analytics_rate"], strict=True))
    assert got == pytest.approx((100 * per_country["analytics"] / per_country["decisions"]).to_dict())


def test_customer_filter(demo_app_store):
    at = open_page(PAGE)
    at.selectbox(key="flt_customer").set_value("C03")
    at.run()
    assert not at.exception, at.exception
    start, end = default_range()
    want = expected_rates(demo_app_store, start, end, "C03")
    shown = metrics(at)
    assert shown["Functional opt-in rate"] == fmt_pct(want["functional"])
    assert shown["Withdrawals"] == fmt_int(want["withdrawals"])
    assert shown["Subjects to ask again"] == fmt_int(expected_renewal(demo_app_store, clock.today(),
                                                                     customer="C03")["due"])


def test_before_and_after_the_policy_change(demo_app_store):
    """Over all customers each one's records are placed around the day its own policy took effect (the demo:
    every customer on 2025-09's day, one on a policy from six days ago)."""
    at = open_page(PAGE)
    at.number_input(key="consent_change_weeks").set_value(4)
    at.run()
    assert not at.exception, at.exception
    sides = sql(demo_app_store, """
        SELECT CAST(r.given_at AS DATE) >= c.consent_policy_effective_on AS after,
               count(*) FILTER (WHERE method <> 'withdrawal') AS decisions,
               count(*) FILTER (WHERE method IN ('accept_all', 'reject_all', 'custom') AND functional) AS functional,
               count(*) FILTER (WHERE method IN ('accept_all', 'reject_all', 'custom') AND analytics) AS analytics,
               count(*) FILTER (WHERE method IN ('accept_all', 'reject_all', 'custom') AND marketing) AS marketing
        FROM consent_records AS r JOIN customers AS c USING (customer_id)
        WHERE CAST(r.given_at AS DATE) >= c.consent_policy_effective_on - 28
          AND CAST(r.given_at AS DATE) < c.consent_policy_effective_on + 28
          AND CAST(r.given_at AS DATE) <= $today
        GROUP BY 1""", {"today": clock.today()}).set_index("after")
    table = next(df.value for df in at.dataframe if "difference_points" in df.value.columns).set_index("purpose")
    for purpose in consent.CONSENT_PURPOSES:
        label = consent.PURPOSES[purpose]
        before = sides.loc[False, purpose] / sides.loc[False, "decisions"]
        after = sides.loc[True, purpose] / sides.loc[True, "decisions"]
        assert table.loc[label, "rate_before"] == pytest.approx(100 * before)   # shown in per cent
        assert table.loc[label, "rate_after"] == pytest.approx(100 * after)
        assert table.loc[label, "difference_points"] == pytest.approx(100 * (after - before))
    assert "12 customers, each around the day its own current policy took effect" in texts(at)
    # the marker: a rule at week 0, the day the policy took effect
    layered = [c for c in at.get("vega_lite_chart") if '"rule"' in c.proto.spec]
    assert len(layered) == 1
    markers = [f for f in chart_frames(at) if "at" in f.columns]
    assert [f["at"].tolist() for f in markers] == [[0]]


def test_a_recent_policy_with_few_answers_for_one_customer(demo_app_store):
    """The demo's C09: its newest policy took effect six days ago; the page names it and its date."""
    from privacyops.demo import generator as demo
    at = open_page(PAGE)
    at.selectbox(key="flt_customer").set_value(demo.RECENT_POLICY_CUSTOMER)
    at.run()
    assert not at.exception, at.exception
    recent_on = clock.today() - timedelta(days=demo.RECENT_POLICY_DAYS_BACK)
    assert f"Policy {recent_on.isoformat()} took effect on {recent_on.isoformat()} (previous: 2025-09)" in texts(at)
    renewal = next(df.value for df in at.dataframe if "policy_state" in df.value.columns)
    assert renewal["policy_state"].tolist() == ["confirmed"]


def test_a_policy_not_confirmed_and_a_customer_without_one_are_shown(demo_app_store):
    """Issue 8: the guessed policy of an existing store is marked not confirmed, with the way to confirm it;
    a customer without a policy is renewed by age only, and the page says so."""
    with demo_app_store.cursor() as cur:
        cur.execute("UPDATE customers SET consent_policy_confirmed = FALSE WHERE customer_id = 'C03'")
        cur.execute("UPDATE customers SET consent_policy_version = NULL, consent_policy_effective_on = NULL "
                    "WHERE customer_id = 'C04'")
    at = open_page(PAGE)
    assert not at.exception, at.exception
    warning = next(w.value for w in at.warning if "Current policy not confirmed" in w.value)
    assert "(C03)" in warning and "(C04)" not in warning
    assert any("Customers page" in str(getattr(el, "label", "")) or "Customers page" in str(getattr(el, "value", ""))
               for el in list(at.caption) + list(at.get("page_link")))
    assert any("No consent policy in force for" in i.value and "(C04)" in i.value for i in at.info)
    renewal = next(df.value for df in at.dataframe if "policy_state" in df.value.columns).set_index("customer_id")
    assert renewal.loc["C03", "policy_state"] == "not confirmed"
    assert renewal.loc["C04", "policy_state"] == "no policy (by age only)"
    assert renewal.loc["C04", "policy_changed"] == 0
    assert renewal.loc["C04", "due_total"] == expected_renewal(demo_app_store, clock.today(), customer="C04")["due"]

"""The Overview page in AppTest: an empty store, and the demo store whose tiles must equal the same
figures computed here by independent SQL on the base tables (not the views, not the page's queries)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from privacyops import clock
from privacyops.store import Store
from tests.app.conftest import open_page, texts
from tests.app.test_retention import independent as retention_backlog

PAGE = "pages/overview.py"


def sql_row(store: Store, sql: str, **params: Any) -> dict[str, Any]:
    with store.cursor() as cur:
        result = cur.execute(sql, params)
        names = [d[0] for d in result.description]
        return dict(zip(names, result.fetchone(), strict=True))


def sql_column(store: Store, sql: str, **params: Any) -> list[Any]:
    with store.cursor() as cur:
        return [row[0] for row in cur.execute(sql, params).fetchall()]


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f} %"


def days(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}".removesuffix(".0") + " days"


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# Independent definitions, written against the base tables.
# rules.md 1-2: a refusal is due within the one month; qualifying pauses move the date; a controller-
# handled request counts only with the answer date the customer gave; withdrawn requests never count.
REQUESTS_SQL = """
WITH r AS (
    SELECT *,
        CAST(timezone('Europe/Stockholm', timezone('UTC', received_at)) AS DATE) AS rec,
        CAST(timezone('Europe/Stockholm', timezone('UTC', closed_at)) AS DATE)   AS clo,
        coalesce(extended_due_date, due_date)                                   AS due
    FROM requests
    WHERE $customer = '' OR customer_id = $customer
), a AS (
    SELECT *,
        CASE WHEN outcome = 'refused' OR extended_due_date IS NULL THEN coalesce(paused_due_date, due_date)
             ELSE coalesce(paused_extended_due_date, extended_due_date) END      AS by_date,
        CASE WHEN due_date IS NULL THEN NULL
             WHEN outcome = 'completed' THEN clo
             WHEN outcome = 'refused'
                 THEN coalesce(CAST(timezone('Europe/Stockholm', timezone('UTC', refusal_notified_at)) AS DATE), clo)
             WHEN outcome = 'forwarded_only' THEN controller_answered_on END     AS ans
    FROM r
)
SELECT
    count(*) FILTER (WHERE status IN ('logged', 'forwarded', 'in_progress', 'paused')) AS open_now,
    count(*) FILTER (WHERE status IN ('logged', 'forwarded', 'in_progress', 'paused')
                     AND due < $today) AS overdue_now,
    count(*) FILTER (WHERE ans BETWEEN $today - 89 AND $today) AS closed_90,
    count(*) FILTER (WHERE ans BETWEEN $today - 89 AND $today AND ans <= by_date)        AS on_time_90,
    median(ans - rec) FILTER (WHERE ans BETWEEN $start AND $end) AS median_close
FROM a
"""
CONSENT_SQL = """
SELECT
    count(*) FILTER (WHERE method <> 'withdrawal' AND d BETWEEN $start AND $end)                       AS decisions,
    count(*) FILTER (WHERE method IN ('accept_all', 'reject_all', 'custom') AND analytics
                     AND d BETWEEN $start AND $end)                                                     AS analytics,
    count(*) FILTER (WHERE method IN ('accept_all', 'reject_all', 'custom') AND marketing
                     AND d BETWEEN $start AND $end)                                                     AS marketing,
    count(*) FILTER (WHERE method <> 'withdrawal' AND d BETWEEN $prev_start AND $prev_end)         AS prev_decisions,
    count(*) FILTER (WHERE method IN ('accept_all', 'reject_all', 'custom') AND analytics
                     AND d BETWEEN $prev_start AND $prev_end)                                       AS prev_analytics
FROM (SELECT *, CAST(given_at AS DATE) AS d FROM consent_records) AS c
WHERE $customer = '' OR customer_id = $customer
"""
ATTENTION_SQL = """
SELECT request_id
FROM (SELECT *, coalesce(extended_due_date, due_date) AS due,
             CAST(timezone('Europe/Stockholm', timezone('UTC', received_at)) AS DATE) AS rec FROM requests) AS r
WHERE status IN ('logged', 'forwarded', 'in_progress', 'paused') AND ($customer = '' OR customer_id = $customer)
ORDER BY CASE WHEN due < $today THEN 0 WHEN due IS NULL THEN 1 ELSE 2 END, due, rec, request_id
LIMIT 5
"""


def expected_tiles(store: Store, customer: str, today: date, start: date,
                   end: date) -> tuple[dict[str, str], dict[str, Any]]:
    """The tiles' values as the page must show them, and the consent counts behind them."""
    span = (end - start).days + 1
    prev_start, prev_end = start - timedelta(days=span), start - timedelta(days=1)
    req = sql_row(store, REQUESTS_SQL, customer=customer, today=today, start=start, end=end)
    con = sql_row(store, CONSENT_SQL, customer=customer, start=start, end=end, prev_start=prev_start,
                  prev_end=prev_end)
    # The backlog under the terms in force on each day (rules.md 4), record by record from the base tables.
    count, oldest = retention_backlog(store, "SELECT count(*), max(days) FROM b", today, customer)[0]
    backlog = {"backlog": count, "oldest": oldest}
    return {
        "Analytics opt-in": pct(ratio(con["analytics"], con["decisions"])),
        "Marketing opt-in": pct(ratio(con["marketing"], con["decisions"])),
        "Open requests": str(req["open_now"]),
        "Overdue requests": str(req["overdue_now"]),
        "On time, last 90 days": pct(ratio(req["on_time_90"], req["closed_90"])),
        "Median days to close": days(req["median_close"]),
        "Retention backlog": str(backlog["backlog"]),
        "Oldest in backlog": days(backlog["oldest"]),
    }, con


def default_period() -> tuple[date, date, date]:
    today = clock.today()
    return today, today - timedelta(days=364), today


def shown_tiles(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_empty_store_shows_an_empty_state(empty_app_store):
    at = open_page(PAGE)
    assert not at.exception, at.exception
    assert "Nothing to show yet" in texts(at)
    assert len(at.metric) == 0
    assert len(at.get("vega_lite_chart")) == 0


def test_customers_only_store_shows_an_empty_state(customers_app_store):
    at = open_page(PAGE)
    assert not at.exception, at.exception
    assert "Nothing to show yet" in texts(at)


def test_demo_tiles_equal_independent_sql(demo_app_store):
    at = open_page(PAGE)
    assert not at.exception, at.exception
    today, start, end = default_period()
    expected, consent = expected_tiles(demo_app_store, "", today, start, end)
    assert shown_tiles(at) == expected
    assert consent["decisions"] > 1000      # the demo has consent in the period: the check is not vacuous
    analytics = next(m for m in at.metric if m.label == "Analytics opt-in")
    prev_rate = ratio(consent["prev_analytics"], consent["prev_decisions"])
    now_rate = ratio(consent["analytics"], consent["decisions"])
    if prev_rate is not None:
        assert analytics.delta == f"{(now_rate - prev_rate) * 100:+.1f} pp"
    for metric in at.metric:
        assert metric.proto.show_border, metric.label
        assert metric.proto.help, metric.label
    trends = {m.label: len(m.proto.chart_data) for m in at.metric}
    assert trends["Analytics opt-in"] >= 2 and trends["Open requests"] >= 2
    assert trends["Retention backlog"] >= 2


def test_demo_tiles_for_one_customer(demo_app_store):
    busiest = sql_column(demo_app_store, "SELECT customer_id FROM requests GROUP BY 1 ORDER BY count(*) DESC, 1 "
                                         "LIMIT 1")[0]
    at = open_page(PAGE)
    at.sidebar.selectbox(key="flt_customer").set_value(busiest).run()
    assert not at.exception, at.exception
    today, start, end = default_period()
    expected, _ = expected_tiles(demo_app_store, busiest, today, start, end)
    assert shown_tiles(at) == expected
    everyone, _ = expected_tiles(demo_app_store, "", today, start, end)
    assert expected["Analytics opt-in"] != everyone["Analytics opt-in"]


def test_demo_every_tile_links_to_the_page_that_explains_it(demo_app_store):
    at = open_page(PAGE)
    _, start, end = default_period()
    period = f"from={start.isoformat()}&to={end.isoformat()}"
    links = {(link.proto.page, link.proto.query_string) for link in at.get("page_link")}
    assert ("requests", f"{period}&overdue=1") in links
    assert ("requests", period) in links
    assert ("slas", period) in links
    assert ("consent", period) in links
    assert ("retention", period) in links


def test_demo_needs_attention_lists_the_requests_due_soonest(demo_app_store):
    at = open_page(PAGE)
    today = clock.today()
    expected = sql_column(demo_app_store, ATTENTION_SQL, customer="", today=today)
    assert expected, "the demo store has open requests"
    table = at.dataframe[0].value
    assert table["Request"].tolist() == expected
    assert not [c for c in table.columns if "mail" in c.lower() or "name" in c.lower()]
    links = [link.proto.query_string for link in at.get("page_link") if "request=" in link.proto.query_string]
    assert [q.rsplit("request=", 1)[1] for q in links] == expected


def test_demo_with_a_short_period_from_the_url(demo_app_store):
    """A deep link carries the period; a short period gets weekly trends and the same figures as SQL."""
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import ROOT

    today = clock.today()
    start, end = today - timedelta(days=100), today - timedelta(days=55)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["from"] = start.isoformat()
    at.query_params["to"] = end.isoformat()
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    expected, _ = expected_tiles(demo_app_store, "", today, start, end)
    assert shown_tiles(at) == expected
    assert "by week" in texts(at)

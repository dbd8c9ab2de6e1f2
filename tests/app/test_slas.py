"""The SLAs page in AppTest: an empty store, and the demo store (with one request made late on purpose)
whose figures and breach list must equal independent SQL on the base tables."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from privacyops import clock
from privacyops.charts import STATUS_COLOURS
from privacyops.store import Store
from tests.app.conftest import open_page, texts

PAGE = "pages/slas.py"

# Requests with Stockholm dates and the effective due date, from the base table.
CLOCKED = """
SELECT request_id, customer_id, request_type, status, outcome, due_date, extended_due_date,
       paused_due_date, paused_extended_due_date, controller_answered_on,
       coalesce(extended_due_date, due_date) AS due,
       CAST(timezone('Europe/Stockholm', timezone('UTC', received_at)) AS DATE) AS rec,
       CAST(timezone('Europe/Stockholm', timezone('UTC', closed_at)) AS DATE)   AS clo,
       CAST(timezone('Europe/Stockholm', timezone('UTC', refusal_notified_at)) AS DATE) AS told
FROM requests
"""


def answered(r: dict[str, Any]) -> dict[str, Any]:
    """rules.md 1-2 worked out here, apart from the view: the date the requester got the answer and the
    date it had to be given by (a refusal within the one month; qualifying pauses move both)."""
    if r["outcome"] == "refused" or r["extended_due_date"] is None:
        by = r["paused_due_date"] or r["due_date"]
    else:
        by = r["paused_extended_due_date"] or r["extended_due_date"]
    on = {"completed": r["clo"], "refused": r["told"] or r["clo"], "forwarded_only": r["controller_answered_on"]}.get(
        r["outcome"])
    return {**r, "by": by, "ans": on}


def rows(store: Store, sql: str, **params: Any) -> list[dict[str, Any]]:
    with store.cursor() as cur:
        result = cur.execute(sql, params)
        names = [d[0] for d in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f} %"


def days(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}".removesuffix(".0") + " days"


def period() -> tuple[date, date, date]:
    today = clock.today()
    return today, today - timedelta(days=364), today


@pytest.fixture
def demo_with_a_late_answer(demo_app_store: Store) -> tuple[Store, str]:
    """The demo answers everything on time; close one request three days after its due date."""
    today, start, _ = period()
    late = rows(demo_app_store, CLOCKED + " WHERE due_date IS NOT NULL AND extended_due_date IS NULL "
                                          "AND paused_due_date IS NULL AND outcome = 'completed' "
                                          "AND closed_at IS NOT NULL AND due_date + 3 <= $today "
                                          "ORDER BY closed_at DESC LIMIT 1", today=today)[0]
    closed_on = late["due"] + timedelta(days=3)
    assert start <= closed_on <= today
    demo_app_store.write(lambda cur: cur.execute(
        "UPDATE requests SET closed_at = $at WHERE request_id = $id",
        {"at": f"{closed_on.isoformat()} 10:00:00", "id": late["request_id"]}))
    return demo_app_store, late["request_id"]


def expected(store: Store, customer: str = "") -> dict[str, Any]:
    today, start, end = period()
    everything = [answered(r) for r in rows(store, CLOCKED) if not customer or r["customer_id"] == customer]
    clocked = [r for r in everything if r["due_date"] is not None]
    closed = [r for r in clocked if r["ans"] is not None and start <= r["ans"] <= end]
    on_time = [r for r in closed if r["ans"] <= r["by"]]
    open_overdue = [r for r in clocked if r["status"] in ("logged", "forwarded", "in_progress", "paused")
                    and r["due"] < today]
    durations = [(r["ans"] - r["rec"]).days for r in closed]
    late = [r for r in closed if r["ans"] > r["by"]]
    breaches = ([(r["request_id"], "open", (today - r["due"]).days) for r in open_overdue]
                + [(r["request_id"], r["ans"].isoformat(), (r["ans"] - r["by"]).days) for r in late])
    breaches.sort(key=lambda b: (b[1] != "open", -b[2], b[0]))
    return {
        "tiles": {
            "Answered on time": pct(len(on_time) / len(closed) if closed else None),
            "Median days to close": days(float(np.median(durations)) if durations else None),
            "90th percentile": days(float(np.percentile(durations, 90)) if durations else None),
            "Closed late": str(len(late)),
            "Open and overdue": str(len(open_overdue)),
        },
        "breaches": breaches,
        "closed": closed,
    }


def test_empty_store_shows_an_empty_state(empty_app_store):
    at = open_page(PAGE)
    assert not at.exception, at.exception
    assert "No data-subject requests yet" in texts(at)
    assert len(at.metric) == 0 and len(at.get("vega_lite_chart")) == 0


def test_demo_figures_and_breaches_equal_independent_sql(demo_with_a_late_answer):
    store, late_id = demo_with_a_late_answer
    at = open_page(PAGE)
    assert not at.exception, at.exception
    want = expected(store)
    shown = {m.label: m.value for m in at.metric}
    assert {k: shown[k] for k in want["tiles"]} == want["tiles"]
    assert shown["Closed late"] != "0"

    table = next(d.value for d in at.dataframe if "Days late" in d.value.columns)
    listed = list(zip(table["Request"], table["Closed"], table["Days late"].astype(int), strict=True))
    assert listed == want["breaches"]
    assert (late_id, "3") in {(r, str(d)) for r, c, d in listed if c != "open"}
    assert not [c for c in table.columns if "mail" in c.lower() or "requester" in c.lower()]
    assert at.get("download_button"), "the breach list can be downloaded"


def test_demo_time_to_close_by_customer_equals_independent_sql(demo_app_store):
    at = open_page(PAGE)
    closed = expected(demo_app_store)["closed"]
    names = {r["customer_id"]: r["name"] for r in rows(demo_app_store, "SELECT customer_id, name FROM customers")}
    names[None] = "Expandra AB (own controller)"
    table = next(d.value for d in at.dataframe if "Customer" in d.value.columns and "Median days" in d.value.columns)
    shown = {row["Customer"]: (int(row["Closed"]), round(float(row["Median days"]), 6),
                               round(float(row["90th percentile days"]), 6)) for _, row in table.iterrows()}
    want = {}
    for cid in {r["customer_id"] for r in closed}:
        durations = [(r["ans"] - r["rec"]).days for r in closed if r["customer_id"] == cid]
        want[names[cid]] = (len(durations), round(float(np.median(durations)), 6),
                            round(float(np.percentile(durations, 90)), 6))
    assert shown == want


def test_demo_charts_and_the_no_clock_caption(demo_app_store):
    at = open_page(PAGE)
    charts = at.get("vega_lite_chart")
    assert len(charts) == 3     # on time by month, on time by type, open requests by days left
    specs = [json.loads(c.proto.spec) for c in charts]
    queue = next(s for s in specs if "days_left" in json.dumps(s.get("encoding", {})))
    assert queue["encoding"]["color"]["scale"]["range"] == list(STATUS_COLOURS.values())
    assert "Consent withdrawals are left out of the on-time figures" in texts(at)
    open_with_clock = rows(demo_app_store, CLOCKED + " WHERE due_date IS NOT NULL AND status IN "
                                                     "('logged', 'forwarded', 'in_progress', 'paused')")
    frames = [convert_arrow_bytes_to_pandas_df(ds.data.data) for c in charts for ds in c.proto.datasets]
    queue_rows = next(f for f in frames if "queue_status" in f.columns)
    assert int(queue_rows["requests"].sum()) == len(open_with_clock) > 0


def test_demo_for_one_customer(demo_app_store):
    busiest = rows(demo_app_store, "SELECT customer_id FROM requests WHERE closed_at IS NOT NULL GROUP BY 1 "
                                   "ORDER BY count(*) DESC, 1 LIMIT 1")[0]["customer_id"]
    at = open_page(PAGE)
    at.sidebar.selectbox(key="flt_customer").set_value(busiest).run()
    assert not at.exception, at.exception
    want = expected(demo_app_store, busiest)
    shown = {m.label: m.value for m in at.metric}
    assert {k: shown[k] for k in want["tiles"]} == want["tiles"]


def test_withdrawn_and_controller_handled_requests_are_shown_apart(customers_app_store):
    """Issue 8 items 1 and 6: neither counts as answered on time; both are listed apart."""
    from datetime import UTC, datetime

    from privacyops.cases import request_actions, requests
    now = datetime.now(UTC).replace(microsecond=0)
    received = now - timedelta(days=20)
    ids = []
    for _ in range(2):
        new = requests.NewRequest(customer_id="C01", request_type="access", received_at=received, channel="email",
                                  requester_email="karin.testsson@example.com")
        ids.append(requests.log(customers_app_store, new, actor="agent@example.com").request_id)
        request_actions.apply(customers_app_store, ids[-1], "forward", actor="agent@example.com",
                              at=received + timedelta(days=1))
    request_actions.apply(customers_app_store, ids[0], "close_forwarded_only", actor="agent@example.com",
                          at=received + timedelta(days=3))
    request_actions.apply(customers_app_store, ids[1], "withdraw", actor="agent@example.com",
                          at=received + timedelta(days=4))
    at = open_page(PAGE)
    assert not at.exception, at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["Answered on time"] == "–"
    assert "handled by the controller: 1, forwarded on time: 1; withdrawn: 1" in texts(at)
    table = next(d.value for d in at.dataframe if "Set apart as" in d.value.columns)
    assert dict(zip(table["Request"], table["Set apart as"], strict=True)) == {
        ids[0]: "handled by the controller", ids[1]: "withdrawn"}

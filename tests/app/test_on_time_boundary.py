"""The statutory due day on the pages (rules.md 1: the deadline day itself is not late), as a manager
reads it on the SLAs and Overview pages, from a small store with today pinned.

Two access requests received Wednesday 5 March 2025 for C01, due Monday 7 April 2025 (same date next
month, 5 April is a Saturday, rolled to the Monday; worked out by hand). One is answered at 23:30 on the
due day, Stockholm time (on time); the other at 00:30 the next morning (late, by one day). Both instants
fall on the same UTC date (7 April), so the Stockholm calendar decides.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from privacyops.cases import request_actions, requests
from privacyops.store import Store
from tests.app.conftest import open_page, texts

AGENT = "agent@example.com"
TODAY = date(2025, 6, 30)
DUE = date(2025, 4, 7)
ON_THE_DUE_DAY = datetime(2025, 4, 7, 21, 30, tzinfo=UTC)     # 23:30 in Stockholm (CEST), 7 April
THE_DAY_AFTER = datetime(2025, 4, 7, 22, 30, tzinfo=UTC)      # 00:30 in Stockholm, 8 April


def _answered_at(store: Store, closed: datetime) -> str:
    new = requests.NewRequest(customer_id="C01", request_type="access",
                              received_at=datetime(2025, 3, 5, 9, 0, tzinfo=UTC), channel="email",
                              requester_email="karin.testsson@example.com")
    rid = requests.log(store, new, actor=AGENT).request_id
    request_actions.apply(store, rid, "forward", actor=AGENT, at=datetime(2025, 3, 6, 9, 0, tzinfo=UTC))
    request_actions.apply(store, rid, "start", actor=AGENT, at=datetime(2025, 3, 7, 9, 0, tzinfo=UTC))
    request_actions.apply(store, rid, "complete", actor=AGENT, at=closed)
    return rid


@pytest.fixture
def due_day_store(customers_app_store: Store, monkeypatch: pytest.MonkeyPatch) -> tuple[Store, str, str]:
    monkeypatch.setenv("PRIVACYOPS_TODAY", TODAY.isoformat())
    on_time = _answered_at(customers_app_store, ON_THE_DUE_DAY)
    late = _answered_at(customers_app_store, THE_DAY_AFTER)
    return customers_app_store, on_time, late


def test_the_stored_dates_are_the_ones_worked_out_by_hand(due_day_store):
    store, on_time, late = due_day_store
    with store.cursor() as cur:
        got = cur.execute("SELECT request_id, due_date FROM requests ORDER BY request_id").fetchall()
    assert got == sorted([(on_time, DUE), (late, DUE)])


def test_slas_page_counts_the_due_day_as_on_time_and_the_day_after_as_late(due_day_store):
    store, on_time, late = due_day_store
    at = open_page("pages/slas.py")
    assert not at.exception, at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["Answered on time"] == "50.0 %"
    assert shown["Closed late"] == "1"
    assert shown["Open and overdue"] == "0"
    assert "No breaches" not in texts(at)
    listed = next(d.value for d in at.dataframe if "Days late" in d.value.columns)
    assert list(listed["Request"]) == [late]
    assert listed.iloc[0]["Days late"] == 1
    assert listed.iloc[0]["Due"] == DUE
    # The figures came from the store as it is: nothing was written by looking.
    with store.cursor() as cur:
        closed = dict(cur.execute("SELECT request_id, status FROM requests").fetchall())
    assert closed == {on_time: "completed", late: "completed"}


def test_overview_counts_the_due_day_as_on_time(due_day_store):
    at = open_page("pages/overview.py")
    assert not at.exception, at.exception
    shown = {m.label: m.value for m in at.metric}
    # Both answered 84 days before the pinned today: inside the last 90 days.
    assert shown["On time, last 90 days"] == "50.0 %"
    assert shown["Overdue requests"] == "0"
    assert shown["Open requests"] == "0"

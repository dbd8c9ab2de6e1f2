"""The requests_queue_* queries on a small hand-made store with exact expected values.

Six requests, looked at on 10 April 2025 with 'due soon' = 5 days:
  R1 DSR-000001 C01 access        received 5 Mar  due 7 Apr  (-3, Overdue)   forwarded, Karin's
  R2 DSR-000002 C01 erasure       received 12 Mar due 14 Apr (4, Due soon)   never forwarded (due 19 Mar)
  R3 DSR-000003 C02 portability   received 1 Apr  due 2 May  (22, On track)  started by agent@, paused
  R4 DSR-000004 C02 withdrawal    received 9 Apr  no clock   (Due soon)      forward by 11 Apr
  R5 DSR-000005 C01 access        received 10 Mar, completed (closed), assigned to bo@
  R6 DSR-000006 C01 rectification received 5 Mar  extended to 5 Jun (56, On track)
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from privacyops.cases import request_actions, requests
from privacyops.cases.requests import NewRequest
from privacyops.store import named_query

AGENT = "agent@example.com"
AS_OF = date(2025, 4, 10)


def _at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2025, month, day, hour, 0, tzinfo=UTC)


def _log(store, customer: str, kind: str, received: datetime, email: str) -> str:
    new = NewRequest(customer_id=customer, request_type=kind, received_at=received, channel="email",
                     requester_email=email)
    return requests.log(store, new, actor=AGENT).request_id


@pytest.fixture
def queue_store(customer_store):
    s = customer_store
    r1 = _log(s, "C01", "access", _at(3, 5), "Karin.Testsson@Example.com")
    request_actions.apply(s, r1, "forward", actor=AGENT, at=_at(3, 6))
    _log(s, "C01", "erasure", _at(3, 12), "anna_b@example.se")
    r3 = _log(s, "C02", "portability", _at(4, 1), "per@example.org")
    request_actions.apply(s, r3, "forward", actor=AGENT, at=_at(4, 2))
    request_actions.apply(s, r3, "start", actor=AGENT, at=_at(4, 3), assignee=AGENT)
    request_actions.apply(s, r3, "pause", actor=AGENT, at=_at(4, 4), pause_reason="identity")
    _log(s, "C02", "consent_withdrawal", _at(4, 9), "100%sure@example.com")
    r5 = _log(s, "C01", "access", _at(3, 10), "olle@example.com")
    request_actions.apply(s, r5, "forward", actor=AGENT, at=_at(3, 11))
    request_actions.apply(s, r5, "start", actor=AGENT, at=_at(3, 12), assignee="bo@example.com")
    request_actions.apply(s, r5, "complete", actor=AGENT, at=_at(3, 20))
    r6 = _log(s, "C01", "rectification", _at(3, 5), "lisa@example.com")
    request_actions.apply(s, r6, "forward", actor=AGENT, at=_at(3, 6))
    request_actions.apply(s, r6, "extend", actor=AGENT, at=_at(3, 20), extension_reason="Many systems",
                          notified_at=_at(3, 20, 10))
    return s


def queue(store, **overrides) -> pd.DataFrame:
    params = dict(as_of=AS_OF, soon_days=5, customer="", status="", request_type="", assignee="",
                  overdue_only=False, include_closed=False, recipients_pending_only=False, email_search="",
                  max_rows=100)
    params.update(overrides)
    return store.query("requests_queue_requests", **params)


def test_headers_declare_the_columns_returned(queue_store):
    for name, params in [
        ("requests_queue_requests", dict(as_of=AS_OF, soon_days=5, customer="", status="", request_type="", assignee="",
                                overdue_only=False, include_closed=True, recipients_pending_only=False,
                                email_search="", max_rows=100)),
        ("requests_queue_summary", dict(as_of=AS_OF, soon_days=5, customer="")),
        ("requests_queue_assignees", dict(customer="")),
    ]:
        assert tuple(queue_store.query(name, **params).columns) == named_query(name).columns


def test_open_queue_sorted_by_days_left_with_bands(queue_store):
    frame = queue(queue_store)
    assert frame["request_id"].tolist() == ["DSR-000001", "DSR-000004", "DSR-000002", "DSR-000003", "DSR-000006"]
    assert frame["band"].tolist() == ["Overdue", "Due soon", "Due soon", "On track", "On track"]
    days = [None if pd.isna(v) else int(v) for v in frame["days_left"]]
    assert days == [-3, None, 4, 22, 56]
    assert [d.date() for d in frame["effective_due_date"].dropna()] == [
        date(2025, 4, 7), date(2025, 4, 14), date(2025, 5, 2), date(2025, 6, 5)]
    assert frame["is_extended"].tolist() == [False, False, False, False, True]
    assert frame["is_forwarded"].tolist() == [True, False, False, True, True]
    assert frame["forward_late"].tolist() == [False, False, True, False, False]
    assert frame["forward_due_date"][2].date() == date(2025, 3, 19)   # 5 working days after 12 March
    assert frame["forwarded_on"][0].date() == date(2025, 3, 6)
    assert frame["status"].tolist() == ["forwarded", "logged", "logged", "paused", "forwarded"]
    assert frame["customer_name"].tolist()[:2] == ["Testkund Ett AB", "Testkund Två AB"]
    assert frame["is_open"].all()


def test_requester_is_masked(queue_store):
    frame = queue(queue_store).set_index("request_id")
    assert frame.loc["DSR-000001", "requester"] == "K***@example.com"
    assert frame.loc["DSR-000002", "requester"] == "a***@example.se"
    assert frame.loc["DSR-000004", "requester"] == "1***@example.com"
    assert not frame["requester"].str.contains("Testsson|anna_b|sure", regex=True).any()


def test_soon_days_setting_moves_the_band(queue_store):
    assert queue(queue_store, soon_days=3)["band"].tolist()[2] == "On track"      # 4 days left
    assert queue(queue_store, soon_days=22)["band"].tolist()[3] == "Due soon"     # 22 days left
    assert queue(queue_store, as_of=date(2025, 4, 15))["band"].tolist()[:2] == ["Overdue", "Overdue"]


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"customer": "C02"}, ["DSR-000004", "DSR-000003"]),
    ({"status": "paused"}, ["DSR-000003"]),
    ({"request_type": "erasure"}, ["DSR-000002"]),
    ({"assignee": AGENT}, ["DSR-000003"]),
    ({"assignee": "(unassigned)"}, ["DSR-000001", "DSR-000004", "DSR-000002", "DSR-000006"]),
    ({"overdue_only": True}, ["DSR-000001"]),
    ({"include_closed": True},
     ["DSR-000001", "DSR-000004", "DSR-000002", "DSR-000003", "DSR-000006", "DSR-000005"]),
    ({"status": "completed", "include_closed": True}, ["DSR-000005"]),
    ({"email_search": "KARIN"}, ["DSR-000001"]),
    ({"email_search": "  example.se "}, ["DSR-000002"]),
    ({"email_search": "_"}, ["DSR-000002"]),                 # a literal underscore, not 'any character'
    ({"email_search": "%"}, ["DSR-000004"]),                 # a literal percent sign, not 'anything'
    ({"email_search": "0%s"}, ["DSR-000004"]),
    ({"email_search": "a%b"}, []),
    ({"email_search": "'; DROP TABLE requests; --"}, []),
    ({"customer": "C01", "overdue_only": True, "email_search": "karin"}, ["DSR-000001"]),
])
def test_filters(queue_store, overrides, expected):
    assert queue(queue_store, **overrides)["request_id"].tolist() == expected


def test_max_rows_lists_the_first_and_counts_all(queue_store):
    frame = queue(queue_store, max_rows=2)
    assert frame["request_id"].tolist() == ["DSR-000001", "DSR-000004"]
    assert frame["matching_requests"].tolist() == [5, 5]
    frame = queue(queue_store, include_closed=True, max_rows=100)
    assert frame["matching_requests"].tolist() == [6] * 6


def test_closed_ones_follow_latest_closed_first(queue_store):
    request_actions.apply(queue_store, "DSR-000004", "complete", actor=AGENT, at=_at(4, 9, 12))
    frame = queue(queue_store, include_closed=True)
    assert frame["request_id"].tolist()[-2:] == ["DSR-000004", "DSR-000005"]   # closed 9 Apr, then 20 Mar


def test_closed_request_has_no_days_left(queue_store):
    frame = queue(queue_store, include_closed=True).set_index("request_id")
    closed = frame.loc["DSR-000005"]
    assert (closed["band"], bool(closed["is_open"]), closed["closed_on"].date()) == ("Closed", False, date(2025, 3, 20))
    assert pd.isna(closed["days_left"])
    assert closed["assignee"] == "bo@example.com"


def test_summary(queue_store):
    row = queue_store.query("requests_queue_summary", as_of=AS_OF, soon_days=5, customer="").iloc[0]
    assert {k: int(row[k]) for k in row.index} == {
        "open_requests": 5, "overdue": 1, "due_soon": 2, "on_track": 2, "paused": 1, "forward_late": 1,
        "recipients_pending": 2}   # R2 erasure and R6 rectification: recipients not yet told (Art. 19)
    row = queue_store.query("requests_queue_summary", as_of=AS_OF, soon_days=5, customer="C02").iloc[0]
    assert {k: int(row[k]) for k in row.index} == {
        "open_requests": 2, "overdue": 0, "due_soon": 1, "on_track": 1, "paused": 1, "forward_late": 0,
        "recipients_pending": 0}


def test_summary_agrees_with_the_queue_bands(queue_store):
    for as_of in (date(2025, 3, 1), AS_OF, date(2025, 4, 14), date(2025, 5, 30)):
        frame = queue(queue_store, as_of=as_of)
        row = queue_store.query("requests_queue_summary", as_of=as_of, soon_days=5, customer="").iloc[0]
        bands = frame["band"].value_counts()
        assert int(row["overdue"]) == bands.get("Overdue", 0)
        assert int(row["due_soon"]) == bands.get("Due soon", 0)
        assert int(row["on_track"]) == bands.get("On track", 0)


def test_assignees(queue_store):
    frame = queue_store.query("requests_queue_assignees", customer="")
    assert list(frame.itertuples(index=False, name=None)) == [(AGENT, 1), ("bo@example.com", 0)]
    assert queue_store.query("requests_queue_assignees", customer="C02")["assignee"].tolist() == [AGENT]


def test_empty_store(store):
    assert queue(store).empty
    row = store.query("requests_queue_summary", as_of=AS_OF, soon_days=5, customer="").iloc[0]
    assert int(row["open_requests"]) == 0 and int(row["overdue"]) == 0
    assert store.query("requests_queue_assignees", customer="").empty

"""Issue 8: the statutory clock exact in its corners, each from its own small store.

Every figure is read the way the pages read it (the named queries over the request_clock view), after the
request was logged and worked through the use cases, with dates worked out by hand from rules.md 1-2.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import duckdb
import pytest

from privacyops.cases import customers, request_actions, request_clock, requests
from privacyops.cases import settings as rule_settings
from privacyops.cases.requests import NewRequest, RequestInputError
from privacyops.rules.lifecycle import TransitionError
from privacyops.store import Store, latest_schema_version, migrations, open_store, run_named
from tests.conftest import make_customer

AGENT = "agent@example.com"
MARCH_TO_JUNE = {"start": date(2025, 3, 1), "end": date(2025, 6, 30)}


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2025, month, day, hour, 0, tzinfo=UTC)


def log(store, *, customer_id: str | None = "C01", received: datetime | None = None,
        request_type: str = "access", channel: str = "email") -> str:
    new = NewRequest(customer_id=customer_id, request_type=request_type, received_at=received or at(3, 5),
                     channel=channel, requester_email="karin.testsson@example.com")
    return requests.log(store, new, actor=AGENT).request_id


def sla(store, customer: str = "C01") -> dict:
    return store.query("sla_summary", as_of=date(2025, 6, 30), customer=customer, **MARCH_TO_JUNE).iloc[0].to_dict()


def clock_row(store, request_id: str) -> dict:
    """The request as request_detail returns it, with Python values (dates stay dates, NULL is None)."""
    with store.cursor() as cur:
        result = run_named(cur, "request_detail", request_id=request_id)
        names = [d[0] for d in result.description]
        return dict(zip(names, result.fetchone(), strict=True))


def breaches(store) -> list[str]:
    return list(store.query("sla_breaches", as_of=date(2025, 6, 30), customer="", **MARCH_TO_JUNE)["request_id"])


# --- item 1: handled by the controller ---------------------------------------------------------------

def test_controller_handled_request_is_not_answered_on_time(customer_store):
    rid = log(customer_store)
    request_actions.apply(customer_store, rid, "forward", actor=AGENT, at=at(3, 6))
    request_actions.apply(customer_store, rid, "close_forwarded_only", actor=AGENT, at=at(3, 8))
    figures = sla(customer_store)
    assert figures["closed_requests"] == 0 and figures["on_time_requests"] == 0
    assert (figures["controller_handled"], figures["controller_handled_forwarded_on_time"]) == (1, 1)
    assert customer_store.query("sla_on_time_by_month", customer="C01", **MARCH_TO_JUNE).empty
    assert customer_store.query("sla_time_to_close_by_customer", customer="C01", **MARCH_TO_JUNE).empty
    assert rid not in breaches(customer_store)
    kpis = customer_store.query("overview_request_kpis", as_of=date(2025, 3, 31), customer="",
                                start=date(2025, 3, 1), end=date(2025, 3, 31)).iloc[0]
    assert (kpis["closed_last_90"], kpis["controller_handled_last_90"]) == (0, 1)


def test_the_controller_s_answer_date_puts_it_on_the_statutory_clock(customer_store):
    rid = log(customer_store)
    request_actions.apply(customer_store, rid, "forward", actor=AGENT, at=at(3, 6))
    request_actions.apply(customer_store, rid, "close_forwarded_only", actor=AGENT, at=at(3, 8))
    with pytest.raises(RequestInputError, match="future"):
        request_actions.apply(customer_store, rid, "record_controller_answer", actor=AGENT, at=at(4, 20),
                              controller_answered_on=date(2025, 4, 21))
    request_actions.apply(customer_store, rid, "record_controller_answer", actor=AGENT, at=at(4, 20),
                          controller_answered_on=date(2025, 4, 20))
    row = clock_row(customer_store, rid)
    assert (row["answered_on"], row["answer_by_date"], row["is_on_time"]) == (date(2025, 4, 20), date(2025, 4, 7),
                                                                              False)
    figures = sla(customer_store)
    assert (figures["closed_requests"], figures["on_time_requests"], figures["controller_handled"]) == (1, 0, 0)
    assert figures["median_days"] == 46   # 5 March to 20 April
    assert rid in breaches(customer_store)
    entry = customer_store.query("request_history", request_id=rid).iloc[-1]
    assert entry["action"] == "record_controller_answer"


def test_only_a_controller_handled_request_takes_an_answer_date(customer_store):
    rid = log(customer_store)
    request_actions.apply(customer_store, rid, "forward", actor=AGENT, at=at(3, 6))
    request_actions.apply(customer_store, rid, "start", actor=AGENT, at=at(3, 7))
    request_actions.apply(customer_store, rid, "complete", actor=AGENT, at=at(3, 20))
    with pytest.raises(TransitionError, match="handled by the controller"):
        request_actions.apply(customer_store, rid, "record_controller_answer", actor=AGENT, at=at(3, 21),
                              controller_answered_on=date(2025, 3, 21))


# --- item 2: a refusal is due within the one month ---------------------------------------------------

def test_refusal_after_an_extension_is_late_by_the_one_month_date(customer_store):
    rid = log(customer_store)                                   # received 2025-03-05
    request_actions.apply(customer_store, rid, "forward", actor=AGENT, at=at(3, 6))
    request_actions.apply(customer_store, rid, "start", actor=AGENT, at=at(3, 7))
    request_actions.apply(customer_store, rid, "extend", actor=AGENT, at=at(3, 20), extension_reason="Many systems",
                          notified_at=at(3, 21))
    request_actions.apply(customer_store, rid, "refuse", actor=AGENT, at=at(5, 20), refusal_ground="excessive",
                          refusal_reasons="The same request every week", remedies_told=True)
    row = clock_row(customer_store, rid)
    assert row["effective_due_date"] == date(2025, 6, 5)
    assert (row["answer_by_date"], row["is_on_time"]) == (date(2025, 4, 7), False)
    assert sla(customer_store)["closed_late"] == 1
    listed = customer_store.query("sla_breaches", as_of=date(2025, 6, 30), customer="", **MARCH_TO_JUNE)
    assert listed.iloc[0]["days_late"] == 43                     # 7 April to 20 May
    by_month = customer_store.query("sla_on_time_by_month", customer="C01", **MARCH_TO_JUNE)
    assert (by_month.iloc[0]["month"].date(), by_month.iloc[0]["late_requests"]) == (date(2025, 5, 1), 1)


def test_completion_after_an_extension_counts_against_the_extended_date(customer_store):
    rid = log(customer_store)
    request_actions.apply(customer_store, rid, "forward", actor=AGENT, at=at(3, 6))
    request_actions.apply(customer_store, rid, "start", actor=AGENT, at=at(3, 7))
    request_actions.apply(customer_store, rid, "extend", actor=AGENT, at=at(3, 20), extension_reason="Many systems",
                          notified_at=at(3, 21))
    request_actions.apply(customer_store, rid, "complete", actor=AGENT, at=at(5, 20))
    assert clock_row(customer_store, rid)["is_on_time"] is True


@pytest.mark.parametrize(("closed", "on_time"), [(at(4, 7, 20), True), (at(4, 8, 8), False)])
def test_answered_on_the_due_day_is_on_time_the_day_after_is_late(customer_store, closed, on_time):
    rid = log(customer_store)
    request_actions.apply(customer_store, rid, "forward", actor=AGENT, at=at(3, 6))
    request_actions.apply(customer_store, rid, "start", actor=AGENT, at=at(3, 7))
    request_actions.apply(customer_store, rid, "complete", actor=AGENT, at=closed)
    assert clock_row(customer_store, rid)["is_on_time"] is on_time
    assert sla(customer_store)["on_time_requests"] == int(on_time)


# --- item 5: the request's own eves reading ----------------------------------------------------------

def test_extension_is_checked_against_the_request_s_own_due_date(customer_store):
    rid = log(customer_store, received=datetime(2025, 11, 24, 9, 0, tzinfo=UTC))
    assert clock_row(customer_store, rid)["due_date"] == date(2025, 12, 24)   # eves are working days
    rule_settings.save_setting(customer_store, "eves_are_holidays", "true", actor=AGENT, actor_role="admin")
    request_actions.apply(customer_store, rid, "forward", actor=AGENT, at=datetime(2025, 11, 25, 9, tzinfo=UTC))
    with pytest.raises(TransitionError, match="24 December 2025"):
        request_actions.apply(customer_store, rid, "extend", actor=AGENT, at=datetime(2025, 12, 29, 9, tzinfo=UTC),
                              extension_reason="Complex", notified_at=datetime(2025, 12, 29, 8, tzinfo=UTC))
    assert clock_row(customer_store, rid)["extended_due_date"] is None


def test_a_valid_extension_keeps_the_eves_reading_it_was_logged_under(customer_store):
    # Received 24 Nov 2025 under the never-late reading; three months = Tue 24 Feb 2026 either way, but
    # the eves reading is stored with the request and used for every later date.
    rid = log(customer_store, received=datetime(2025, 11, 24, 9, 0, tzinfo=UTC))
    rule_settings.save_setting(customer_store, "eves_are_holidays", "true", actor=AGENT, actor_role="admin")
    request_actions.apply(customer_store, rid, "forward", actor=AGENT, at=datetime(2025, 11, 25, 9, tzinfo=UTC))
    request_actions.apply(customer_store, rid, "extend", actor=AGENT, at=datetime(2025, 12, 10, 9, tzinfo=UTC),
                          extension_reason="Complex", notified_at=datetime(2025, 12, 10, 9, 30, tzinfo=UTC))
    row = clock_row(customer_store, rid)
    assert (row["eves_are_holidays"], row["extended_due_date"]) == (False, date(2026, 2, 24))


# --- item 6: withdrawn requests ----------------------------------------------------------------------

def test_withdrawn_requests_stay_out_of_every_rate_and_are_listed(customer_store):
    answered = log(customer_store)
    request_actions.apply(customer_store, answered, "forward", actor=AGENT, at=at(3, 6))
    request_actions.apply(customer_store, answered, "start", actor=AGENT, at=at(3, 7))
    request_actions.apply(customer_store, answered, "complete", actor=AGENT, at=at(4, 10))       # late
    withdrawn = log(customer_store)
    request_actions.apply(customer_store, withdrawn, "forward", actor=AGENT, at=at(3, 6))
    request_actions.apply(customer_store, withdrawn, "withdraw", actor=AGENT, at=at(3, 9))
    figures = sla(customer_store)
    assert (figures["closed_requests"], figures["on_time_requests"], figures["withdrawn_requests"]) == (1, 0, 1)
    assert figures["on_time_rate"] == 0
    assert figures["median_days"] == 36
    by_type = customer_store.query("sla_time_to_close_by_type", customer="C01", **MARCH_TO_JUNE)
    assert int(by_type.iloc[0]["closed_requests"]) == 1
    trend = customer_store.query("overview_request_trend", as_of=date(2025, 4, 30), customer="",
                                 start=date(2025, 3, 1), end=date(2025, 4, 30), grain="month")
    assert list(trend["closed_requests"]) == [0, 1]
    kpis = customer_store.query("overview_request_kpis", as_of=date(2025, 4, 30), customer="",
                                start=date(2025, 4, 1), end=date(2025, 4, 30)).iloc[0]
    assert (kpis["closed_last_90"], kpis["withdrawn_last_90"]) == (1, 1)


# --- item 7 and the pause rules ----------------------------------------------------------------------

def _paused_request(store, *, paused: datetime, resumed: datetime, reason: str = "identity",
                    asked: datetime | None = None) -> str:
    rid = log(store)                                            # received Wed 2025-03-05
    request_actions.apply(store, rid, "forward", actor=AGENT, at=at(3, 6))
    request_actions.apply(store, rid, "start", actor=AGENT, at=at(3, 7))
    request_actions.apply(store, rid, "pause", actor=AGENT, at=paused, pause_reason=reason, asked_at=asked)
    request_actions.apply(store, rid, "resume", actor=AGENT, at=resumed)
    return rid


def test_paused_days_go_on_the_unrolled_date(customer_store):
    # One month = Sat 5 April; paused 10-12 March (2 days): 7 April, not 9 April.
    rid = _paused_request(customer_store, paused=at(3, 10), resumed=at(3, 12))
    request_actions.apply(customer_store, rid, "complete", actor=AGENT, at=at(4, 8))
    row = clock_row(customer_store, rid)
    assert (row["paused_due_date"], row["answer_by_date"], row["is_on_time"]) == (date(2025, 4, 7),
                                                                                 date(2025, 4, 7), False)


def test_a_qualifying_pause_moves_the_answer_by_date_but_not_the_alerts(customer_store):
    # Paused 10-17 March: 5 April + 7 = Sat 12 April -> Mon 14 April.
    rid = _paused_request(customer_store, paused=at(3, 10), resumed=at(3, 17))
    kpis = customer_store.query("overview_request_kpis", as_of=date(2025, 4, 9), customer="",
                                start=date(2025, 4, 1), end=date(2025, 4, 9)).iloc[0]
    assert kpis["overdue_requests"] == 1          # alerts run against the un-paused 7 April
    request_actions.apply(customer_store, rid, "complete", actor=AGENT, at=at(4, 14))
    row = clock_row(customer_store, rid)
    assert (row["answer_by_date"], row["is_on_time"]) == (date(2025, 4, 14), True)
    pauses = customer_store.query("request_pauses", request_id=rid)
    assert bool(pauses.iloc[0]["moves_deadline"]) is True


@pytest.mark.parametrize(("reason", "asked"), [("clarification", None), ("identity", at(3, 13))])
def test_other_pauses_move_nothing(customer_store, reason, asked):
    # A clarification, or an identity check asked for after the 5th working day (Wed 12 March).
    rid = _paused_request(customer_store, paused=at(3, 13), resumed=at(3, 20), reason=reason, asked=asked)
    request_actions.apply(customer_store, rid, "complete", actor=AGENT, at=at(4, 8))
    row = clock_row(customer_store, rid)
    assert (row["answer_by_date"], row["is_on_time"]) == (date(2025, 4, 7), False)
    assert bool(customer_store.query("request_pauses", request_id=rid).iloc[0]["moves_deadline"]) is False


def test_the_asked_for_time_is_recorded_and_checked(customer_store):
    rid = log(customer_store)
    request_actions.apply(customer_store, rid, "forward", actor=AGENT, at=at(3, 6))
    with pytest.raises(RequestInputError, match="after the pause began"):
        request_actions.apply(customer_store, rid, "pause", actor=AGENT, at=at(3, 10), pause_reason="identity",
                              asked_at=at(3, 11))
    request_actions.apply(customer_store, rid, "pause", actor=AGENT, at=at(3, 10), pause_reason="identity",
                          asked_at=at(3, 7))
    pauses = customer_store.query("request_pauses", request_id=rid)
    assert pauses.iloc[0]["asked_at"].to_pydatetime() == datetime(2025, 3, 7, 9, 0)


# --- Expandra as the controller; forwarding after the due date ---------------------------------------

def test_a_request_where_expandra_is_the_controller_has_no_forwarding_clock(customer_store):
    rid = log(customer_store, customer_id=None)
    row = clock_row(customer_store, rid)
    assert (row["customer_id"], row["forward_due_date"], row["is_own_request"]) == (None, None, True)
    assert row["customer_name"] == requests.EXPANDRA_LABEL
    with pytest.raises(TransitionError, match="no customer to forward"):
        request_actions.apply(customer_store, rid, "forward", actor=AGENT, at=at(3, 6))
    assert "close_forwarded_only" not in request_actions.allowed_actions(customer_store, rid)
    request_actions.apply(customer_store, rid, "start", actor=AGENT, at=at(3, 6))
    request_actions.apply(customer_store, rid, "complete", actor=AGENT, at=at(3, 20))
    assert sla(customer_store, customer="")["on_time_requests"] == 1
    by_customer = customer_store.query("sla_time_to_close_by_customer", customer="", **MARCH_TO_JUNE)
    assert list(by_customer["customer_name"]) == [requests.EXPANDRA_LABEL]
    forwarding = customer_store.query("sla_forwarding", customer="", as_of=date(2025, 6, 30), **MARCH_TO_JUNE)
    assert forwarding.iloc[0]["received_requests"] == 0


def test_expandra_as_controller_cannot_have_come_via_a_customer(customer_store):
    with pytest.raises(RequestInputError) as raised:
        log(customer_store, customer_id=None, channel="customer")
    assert "channel" in raised.value.errors


def test_a_forwarding_term_past_the_due_date_is_warned_about(customer_store):
    customers.save(customer_store, make_customer("C30", "Långsam Kund AB", 30), actor=AGENT)
    new = NewRequest(customer_id="C30", request_type="access", received_at=at(3, 5), channel="email",
                     requester_email="karin.testsson@example.com")
    logged = requests.log(customer_store, new, actor=AGENT)
    assert logged.forward_due_date > logged.due_date
    assert logged.warnings and "after the statutory deadline" in logged.warnings[0]
    assert request_clock.clock(customer_store, logged.request_id, date(2025, 3, 10)).warnings == logged.warnings
    assert bool(clock_row(customer_store, logged.request_id)["forwards_after_due_date"]) is True
    assert requests.log(customer_store, NewRequest(
        customer_id="C01", request_type="access", received_at=at(3, 5), channel="email",
        requester_email="karin.testsson@example.com"), actor=AGENT).warnings == ()


# --- the migration carries a store of the previous version forward -----------------------------------

def test_migration_010_carries_requests_and_pauses_forward(store_path):
    """A schema-004 store: a request logged under the never-late reading, one logged when eves counted as
    holidays (due Mon 29 Dec 2025 instead of Wed 24 Dec), each with a prompt identity pause."""
    old = Store(store_path, duckdb.connect(str(store_path)))
    try:
        old._migrate([m for m in migrations() if m.version <= 4])

        def rows(cur):
            cur.execute("INSERT INTO customers VALUES ('C01', 'Testkund Ett AB', '556000-0000', 5, "
                        "TIMESTAMP '2025-01-01')")
            for rid, received, due in (("DSR-000001", "2025-03-05 09:00", "2025-04-07"),
                                       ("DSR-000002", "2025-11-24 09:00", "2025-12-29")):
                cur.execute("INSERT INTO requests (request_id, customer_id, request_type, received_at, channel, "
                            "status, forward_due_date, due_date, created_at, updated_at) VALUES ($id, 'C01', "
                            "'access', $at, 'email', 'in_progress', $due, $due, $at, $at)",
                            {"id": rid, "at": datetime.fromisoformat(received), "due": date.fromisoformat(due)})
            cur.execute("INSERT INTO request_pauses VALUES ('DSR-000001', TIMESTAMP '2025-03-10 09:00', "
                        "'identity', TIMESTAMP '2025-03-17 09:00')")
            cur.execute("INSERT INTO request_pauses VALUES ('DSR-000002', TIMESTAMP '2025-11-25 09:00', "
                        "'clarification', TIMESTAMP '2025-11-28 09:00')")
        old.write(rows)
    finally:
        old._con.close()
    store = open_store(store_path)
    try:
        first, second = clock_row(store, "DSR-000001"), clock_row(store, "DSR-000002")
        assert (first["eves_are_holidays"], first["paused_due_date"], first["answer_by_date"]) == (
            False, date(2025, 4, 14), date(2025, 4, 14))
        assert (second["eves_are_holidays"], second["paused_due_date"], second["due_date"]) == (
            True, None, date(2025, 12, 29))
        with store.cursor() as cur:
            pauses = cur.execute("SELECT request_id, asked_at, moves_deadline FROM request_pauses "
                                 "ORDER BY request_id").fetchall()
        assert pauses == [("DSR-000001", datetime(2025, 3, 10, 9), True),
                          ("DSR-000002", datetime(2025, 11, 25, 9), False)]
        assert store.schema_version() == latest_schema_version()
    finally:
        store.close()


def test_a_refusal_counts_by_the_day_the_requester_was_told(customer_store):
    # Told the reasons on Mon 7 April (the one-month date), recorded in the dashboard on 10 April: on time.
    rid = log(customer_store)
    request_actions.apply(customer_store, rid, "forward", actor=AGENT, at=at(3, 6))
    request_actions.apply(customer_store, rid, "start", actor=AGENT, at=at(3, 7))
    request_actions.apply(customer_store, rid, "refuse", actor=AGENT, at=at(4, 10), refusal_ground="excessive",
                          refusal_reasons="The same request every week", remedies_told=True,
                          refusal_notified_at=at(4, 7, 15))
    row = clock_row(customer_store, rid)
    assert (row["closed_on"], row["answered_on"], row["is_on_time"]) == (date(2025, 4, 10), date(2025, 4, 7), True)

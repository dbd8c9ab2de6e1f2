"""Closing a request as the law asks (issue 8): refusal grounds per right (rules.md 1-2), the refusal
notice (Art. 12(4)) and the recipients of a rectification, erasure or restriction (Art. 19).

Each test builds its own small store (customer_store: C01 and C02) and acts through request_actions.apply."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from privacyops.cases import request_actions, requests
from privacyops.cases.requests import NewRequest, RequestInputError
from privacyops.rules import lifecycle
from privacyops.rules.lifecycle import TransitionError

AGENT = "agent@example.com"
RECEIVED = datetime(2025, 3, 5, 9, 0, tzinfo=UTC)


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2025, 3, day, hour, 0, tzinfo=UTC)


def logged(store, request_type: str, *steps: str) -> str:
    """A request received 2025-03-05 09:00 UTC, taken through `steps` on the following days."""
    rid = requests.log(store, NewRequest("C01", request_type, RECEIVED, "email", "karin@example.com"),
                       actor=AGENT, now=RECEIVED + timedelta(minutes=5)).request_id
    for day, action in enumerate(steps, start=6):
        request_actions.apply(store, rid, action, actor=AGENT, at=at(day))
    return rid


def refuse(store, rid: str, ground: str, **notice) -> str:
    details = dict(refusal_reasons="We could not confirm who you are.", remedies_told=True)
    details.update(notice)
    return request_actions.apply(store, rid, "refuse", actor=AGENT, at=at(12), refusal_ground=ground, **details)


def row(store, rid: str, columns: str) -> tuple:
    with store.cursor() as cur:
        return cur.execute(f"SELECT {columns} FROM requests WHERE request_id = $id",  # noqa: S608
                           {"id": rid}).fetchone()


def actions(store, rid: str) -> list[str]:
    return store.query("request_history", request_id=rid)["action"].tolist()


# --- item 3: refusal grounds -------------------------------------------------------------------

@pytest.mark.parametrize("ground", ["identity_not_confirmed", "manifestly_unfounded", "excessive",
                                    "controller_decision", "no_art17_1_ground", "art17_3_b"])
def test_erasure_may_be_refused_on_a_common_ground_or_an_erasure_ground(customer_store, ground):
    rid = logged(customer_store, "erasure", "forward", "start")
    assert refuse(customer_store, rid, ground) == "refused"
    assert row(customer_store, rid, "status, outcome, refusal_ground") == ("refused", "refused", ground)
    assert actions(customer_store, rid) == ["create", "forward", "start", "refuse"]


def test_erasure_is_not_refused_because_no_data_is_held(customer_store):
    rid = logged(customer_store, "erasure", "forward")
    with pytest.raises(TransitionError, match=r"not a ground for refusing Erasure"):
        refuse(customer_store, rid, "no_data_held")
    assert row(customer_store, rid, "status, refusal_ground") == ("forwarded", None)


@pytest.mark.parametrize("ground", ["art17_3_e", "no_art17_1_ground"])
def test_access_cannot_be_refused_on_an_erasure_ground(customer_store, ground):
    rid = logged(customer_store, "access", "forward")
    with pytest.raises(TransitionError, match=r"not a ground for refusing Access"):
        refuse(customer_store, rid, ground)
    assert row(customer_store, rid, "status, refusal_ground, refusal_reasons") == ("forwarded", None, None)
    assert actions(customer_store, rid) == ["create", "forward"]


def test_identity_label_cites_articles_11_2_and_12_6():
    label = lifecycle.REFUSAL_GROUNDS["identity_not_confirmed"]
    assert "11(2)" in label and "12(6)" in label and "12(2)" not in label


# --- the refusal notice (Art. 12(4)) -----------------------------------------------------------

def test_refusal_notice_lands_with_the_refusal_and_its_history(customer_store):
    rid = logged(customer_store, "access", "forward", "start")
    told = datetime(2025, 3, 12, 11, 30, tzinfo=UTC)
    refuse(customer_store, rid, "excessive", refusal_reasons="  Third identical request this month. ",
           refusal_notified_at=told)
    assert row(customer_store, rid, "refusal_reasons, refusal_remedies_told, refusal_notified_at, closed_at") == (
        "Third identical request this month.", True, datetime(2025, 3, 12, 11, 30), datetime(2025, 3, 12, 10, 0))
    changes = json.loads(customer_store.query("request_history", request_id=rid)["changes"].iloc[-1])
    assert changes["refusal_notified_at"] == [None, "2025-03-12T11:30:00"]
    assert changes["refusal_remedies_told"] == [None, True]
    assert changes["refusal_reasons"] == [None, "(recorded; not kept in the history)"]   # free text, may name them
    assert requests.verify_history(customer_store) == []


def test_refusal_notice_time_defaults_to_the_time_of_the_refusal(customer_store):
    rid = logged(customer_store, "access", "forward")
    refuse(customer_store, rid, "manifestly_unfounded")
    assert row(customer_store, rid, "refusal_notified_at") == (datetime(2025, 3, 12, 10, 0),)


@pytest.mark.parametrize(("notice", "field", "message"), [
    ({"refusal_reasons": "  "}, "refusal_reasons", "reasons"),
    ({"remedies_told": False}, "refusal_remedies_told", "IMY"),
    ({"remedies_told": None}, "refusal_remedies_told", "judicial remedy"),
    ({"refusal_notified_at": datetime.now(UTC) + timedelta(hours=1)}, "refusal_notified_at", "future"),
    ({"refusal_notified_at": RECEIVED - timedelta(hours=1)}, "refusal_notified_at", "before the request"),
    ({"refusal_notified_at": datetime(2025, 3, 12, 11, 0)}, "refusal_notified_at", "time zone"),
])
def test_an_incomplete_refusal_notice_writes_nothing(customer_store, notice, field, message):
    rid = logged(customer_store, "access", "forward")
    with pytest.raises(RequestInputError) as caught:
        refuse(customer_store, rid, "excessive", **notice)
    assert field in caught.value.errors and message in caught.value.errors[field]
    assert row(customer_store, rid, "status, refusal_ground, refusal_reasons, closed_at") == (
        "forwarded", None, None, None)
    assert actions(customer_store, rid) == ["create", "forward"]


# --- Art. 19: recipients -----------------------------------------------------------------------

@pytest.mark.parametrize("request_type", sorted(lifecycle.TYPES_NOTIFYING_RECIPIENTS))
def test_completing_without_recipients_recorded_is_refused_and_writes_nothing(customer_store, request_type):
    rid = logged(customer_store, request_type, "forward", "start")
    with pytest.raises(TransitionError, match=r"recipients.*Art\. 19"):
        request_actions.apply(customer_store, rid, "complete", actor=AGENT, at=at(12))
    assert row(customer_store, rid, "status, closed_at, outcome") == ("in_progress", None, None)
    assert actions(customer_store, rid) == ["create", "forward", "start"]


def test_with_recipients_told_the_erasure_completes(customer_store):
    rid = logged(customer_store, "erasure", "forward", "start")
    assert "record_recipients" in request_actions.allowed_actions(customer_store, rid)
    request_actions.apply(customer_store, rid, "record_recipients", actor=AGENT, at=at(11), note="CRM and mailer told",
                          recipients_notice="told", recipients_told_at=datetime(2025, 3, 11, 8, 0, tzinfo=UTC))
    assert "record_recipients" not in request_actions.allowed_actions(customer_store, rid)   # recorded once
    assert request_actions.apply(customer_store, rid, "complete", actor=AGENT, at=at(12)) == "completed"
    assert row(customer_store, rid, "status, outcome, recipients_notice, recipients_told_at") == (
        "completed", "completed", "told", datetime(2025, 3, 11, 8, 0))
    assert actions(customer_store, rid) == ["create", "forward", "start", "record_recipients", "complete"]
    entry = customer_store.query("request_history", request_id=rid).iloc[3]
    assert json.loads(entry["changes"]) == {"recipients_notice": [None, "told"],
                                            "recipients_told_at": [None, "2025-03-11T08:00:00"]}
    assert entry["note"] == "CRM and mailer told"
    assert requests.verify_history(customer_store) == []


def test_no_recipients_recorded_lets_a_rectification_complete(customer_store):
    rid = logged(customer_store, "rectification", "forward", "start")
    request_actions.apply(customer_store, rid, "record_recipients", actor=AGENT, at=at(11), recipients_notice="none")
    assert request_actions.apply(customer_store, rid, "complete", actor=AGENT, at=at(12)) == "completed"
    assert row(customer_store, rid, "recipients_notice, recipients_told_at") == ("none", None)


@pytest.mark.parametrize(("record", "field"), [
    ({}, "recipients_notice"),
    ({"recipients_notice": "maybe"}, "recipients_notice"),
    ({"recipients_notice": "told"}, "recipients_told_at"),
    ({"recipients_notice": "told", "recipients_told_at": RECEIVED - timedelta(days=1)}, "recipients_told_at"),
    ({"recipients_notice": "told", "recipients_told_at": datetime.now(UTC) + timedelta(hours=1)},
     "recipients_told_at"),
    ({"recipients_notice": "none", "recipients_told_at": at(11)}, "recipients_told_at"),
])
def test_a_bad_recipients_record_writes_nothing(customer_store, record, field):
    rid = logged(customer_store, "restriction", "forward", "start")
    with pytest.raises(RequestInputError) as caught:
        request_actions.apply(customer_store, rid, "record_recipients", actor=AGENT, at=at(11), **record)
    assert field in caught.value.errors
    assert row(customer_store, rid, "recipients_notice, recipients_told_at") == (None, None)
    assert actions(customer_store, rid) == ["create", "forward", "start"]


def test_access_needs_no_recipients_and_cannot_record_them(customer_store):
    rid = logged(customer_store, "access", "forward", "start")
    assert "record_recipients" not in request_actions.allowed_actions(customer_store, rid)
    with pytest.raises(TransitionError):
        request_actions.apply(customer_store, rid, "record_recipients", actor=AGENT, at=at(11),
                              recipients_notice="none")
    assert request_actions.apply(customer_store, rid, "complete", actor=AGENT, at=at(12)) == "completed"


def test_handled_by_the_controller_closes_without_recipients(customer_store):
    # The controller handles it and tells its own recipients (rules.md 2): nothing for Expandra to record.
    rid = logged(customer_store, "erasure", "forward")
    assert request_actions.apply(customer_store, rid, "close_forwarded_only", actor=AGENT, at=at(9)) == "completed"
    detail = customer_store.query("request_detail", request_id=rid).iloc[0]
    assert not bool(detail["recipients_pending"])
    assert request_actions.allowed_actions(customer_store, rid) == ["record_controller_answer"]


def test_the_queue_shows_requests_whose_recipients_are_not_yet_told(customer_store):
    pending = logged(customer_store, "rectification", "forward", "start")
    told = logged(customer_store, "erasure", "forward", "start")
    request_actions.apply(customer_store, told, "record_recipients", actor=AGENT, at=at(12), recipients_notice="none")
    access = logged(customer_store, "access", "forward")
    params = dict(as_of=datetime(2025, 3, 20).date(), soon_days=5, customer="", status="", request_type="",
                  assignee="", overdue_only=False, include_closed=False, email_search="", max_rows=100)
    queue = customer_store.query("requests_queue_requests", recipients_pending_only=False, **params)
    assert dict(zip(queue["request_id"], queue["recipients_pending"], strict=True)) == {
        pending: True, told: False, access: False}
    only = customer_store.query("requests_queue_requests", recipients_pending_only=True, **params)
    assert only["request_id"].tolist() == [pending]
    summary = customer_store.query("requests_queue_summary", as_of=params["as_of"], soon_days=5, customer="").iloc[0]
    assert summary["recipients_pending"] == 1


def test_sql_and_python_agree_on_recipients_pending(customer_store):
    with customer_store.cursor() as cur:
        for request_type in lifecycle.REQUEST_TYPES:
            assert cur.execute("SELECT tells_recipients($t)", {"t": request_type}).fetchone()[0] == (
                request_type in lifecycle.TYPES_NOTIFYING_RECIPIENTS)
            for outcome in (None, "completed", "forwarded_only", "refused", "withdrawn"):
                for notice in (None, *lifecycle.RECIPIENTS_NOTICES):
                    sql = cur.execute("SELECT recipients_pending($t, $o, $n)",
                                      {"t": request_type, "o": outcome, "n": notice}).fetchone()[0]
                    assert sql == lifecycle.recipients_pending(request_type, outcome, notice)


def test_a_store_from_before_migration_006_keeps_its_requests_and_can_record_recipients(store_path):
    import duckdb

    from privacyops.store import migrations, open_store

    con = duckdb.connect(str(store_path))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
                "applied_at TIMESTAMP NOT NULL)")
    for m in (m for m in migrations() if m.version < 6):
        con.execute(m.sql)
        con.execute("INSERT INTO schema_migrations VALUES ($v, $n, now()::TIMESTAMP)", {"v": m.version, "n": m.name})
    con.execute("""
        INSERT INTO requests (request_id, customer_id, request_type, received_at, channel, status, forward_due_date,
            forwarded_at, due_date, closed_at, outcome, refusal_ground, created_at, updated_at)
        VALUES ('OLD-1', 'C01', 'erasure', TIMESTAMP '2025-03-05 09:00', 'email', 'completed', DATE '2025-03-12',
                TIMESTAMP '2025-03-06 09:00', DATE '2025-04-07', TIMESTAMP '2025-03-20 09:00', 'completed', NULL,
                TIMESTAMP '2025-03-05 09:00', TIMESTAMP '2025-03-20 09:00'),
               ('OLD-2', 'C01', 'erasure', TIMESTAMP '2025-03-05 09:00', 'email', 'refused', DATE '2025-03-12',
                TIMESTAMP '2025-03-06 09:00', DATE '2025-04-07', TIMESTAMP '2025-03-20 09:00', 'refused', 'art17_3_b',
                TIMESTAMP '2025-03-05 09:00', TIMESTAMP '2025-03-20 09:00')""")
    con.close()

    store = open_store(store_path)
    try:
        assert row(store, "OLD-2", "status, refusal_ground, refusal_reasons, refusal_notified_at") == (
            "refused", "art17_3_b", None, None)
        # the erasure completed before Art. 19 was recorded is listed as not yet told, and may record it now
        detail = store.query("request_detail", request_id="OLD-1").iloc[0]
        assert bool(detail["recipients_pending"]) and detail["status"] == "completed"
        assert request_actions.allowed_actions(store, "OLD-1") == ["record_recipients"]
        assert request_actions.apply(store, "OLD-1", "record_recipients", actor=AGENT, at=at(21),
                                     recipients_notice="none") == "completed"
        assert row(store, "OLD-1", "status, closed_at, recipients_notice") == (
            "completed", datetime(2025, 3, 20, 9, 0), "none")
        assert request_actions.allowed_actions(store, "OLD-2") == []
    finally:
        store.close()

"""Request use cases on a real store: logging, every action, refusals, the history chain."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import duckdb
import pytest

from privacyops.cases import request_actions, request_clock, requests
from privacyops.cases.requests import NewRequest, RequestInputError
from privacyops.rules.lifecycle import TransitionError
from privacyops.store import history

AGENT = "agent@example.com"


def new(**overrides) -> NewRequest:
    fields = dict(customer_id="C01", request_type="access",
                  received_at=datetime(2025, 3, 5, 9, 0, tzinfo=UTC), channel="email",
                  requester_email="Karin.Testsson@Example.com", description="Vill se mina uppgifter")
    fields.update(overrides)
    return NewRequest(**fields)


def counts(store) -> dict[str, int]:
    frame = store.query("store_counts")
    return dict(zip(frame["table_name"], frame["row_count"], strict=True))


def test_log_writes_one_request_and_one_history_entry(customer_store):
    logged = requests.log(customer_store, new(), actor=AGENT)
    assert logged.request_id == "DSR-000001"
    assert logged.due_date == date(2025, 4, 7)          # rules.md example: 5 April 2025 is a Saturday
    assert logged.forward_due_date == date(2025, 3, 12)  # 5 working days after Wednesday 5 March
    assert "Saturday" in logged.explanation
    c = counts(customer_store)
    assert (c["requests"], c["request_history"]) == (1, 1)
    detail = customer_store.query("request_detail", request_id="DSR-000001").iloc[0]
    assert detail["status"] == "logged"
    assert detail["requester_email"] == "Karin.Testsson@example.com"  # domain normalised
    hist = customer_store.query("request_history", request_id="DSR-000001")
    assert hist["action"].tolist() == ["create"]
    assert json.loads(hist["changes"][0])["due_date"] == [None, "2025-04-07"]


def test_ids_count_up(customer_store):
    first = requests.log(customer_store, new(), actor=AGENT)
    second = requests.log(customer_store, new(customer_id="C02"), actor=AGENT)
    assert (first.request_id, second.request_id) == ("DSR-000001", "DSR-000002")
    assert second.forward_due_date == date(2025, 3, 7)   # C02 forwards within 2 working days


@pytest.mark.parametrize(("overrides", "field"), [
    ({"customer_id": "C99"}, "customer_id"),
    ({"request_type": "complaint"}, "request_type"),
    ({"channel": "pigeon"}, "channel"),
    ({"requester_email": "not-an-address"}, "requester_email"),
    ({"requester_email": "  "}, "requester_email"),
    ({"received_at": datetime.now(UTC) + timedelta(hours=2)}, "received_at"),
    ({"received_at": datetime(2025, 3, 5, 9, 0)}, "received_at"),
])
def test_invalid_input_names_the_field_and_writes_nothing(customer_store, overrides, field):
    with pytest.raises(RequestInputError) as caught:
        requests.log(customer_store, new(**overrides), actor=AGENT)
    assert field in caught.value.errors
    assert counts(customer_store)["requests"] == 0
    assert counts(customer_store)["request_history"] == 0


def test_consent_withdrawal_has_no_month_clock(customer_store):
    logged = requests.log(customer_store, new(request_type="consent_withdrawal"), actor=AGENT)
    assert logged.due_date is None
    assert "at once" in logged.explanation
    assert request_actions.apply(customer_store, logged.request_id, "complete", actor=AGENT) == "completed"


def test_possible_duplicates(customer_store):
    requests.log(customer_store, new(), actor=AGENT)
    again = new(received_at=datetime(2025, 3, 20, 9, 0, tzinfo=UTC), requester_email="karin.testsson@example.com")
    assert requests.find_possible_duplicates(customer_store, again) == ["DSR-000001"]
    assert requests.find_possible_duplicates(customer_store, new(request_type="erasure")) == []
    later = new(received_at=datetime(2025, 5, 20, 9, 0, tzinfo=UTC))
    assert requests.find_possible_duplicates(customer_store, later) == []


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2025, 3, day, hour, 0, tzinfo=UTC)


def test_full_path_writes_one_history_entry_per_action(customer_store):
    rid = requests.log(customer_store, new(), actor=AGENT).request_id
    steps = [("forward", {}), ("start", {}), ("pause", {"pause_reason": "identity"}), ("resume", {}),
             ("complete", {})]
    for day, (action, extra) in enumerate(steps, start=6):
        request_actions.apply(customer_store, rid, action, actor=AGENT, at=at(day), note=f"step {action}", **extra)
    hist = customer_store.query("request_history", request_id=rid)
    assert hist["action"].tolist() == ["create", "forward", "start", "pause", "resume", "complete"]
    detail = customer_store.query("request_detail", request_id=rid).iloc[0]
    assert (detail["status"], detail["outcome"]) == ("completed", "completed")
    assert detail["forwarded_on"].date() == date(2025, 3, 6)
    pauses = customer_store.query("request_pauses", request_id=rid)
    assert len(pauses) == 1 and pauses["resumed_at"].notna().all()
    assert requests.verify_history(customer_store) == []


def test_illegal_action_is_refused_and_writes_nothing(customer_store):
    rid = requests.log(customer_store, new(), actor=AGENT).request_id
    with pytest.raises(TransitionError, match="Allowed now"):
        request_actions.apply(customer_store, rid, "complete", actor=AGENT, at=at(6))
    assert counts(customer_store)["request_history"] == 1
    assert customer_store.query("request_detail", request_id=rid)["status"][0] == "logged"


def test_extension_before_the_due_date(customer_store):
    rid = requests.log(customer_store, new(), actor=AGENT).request_id
    request_actions.apply(customer_store, rid, "forward", actor=AGENT, at=at(6))
    request_actions.apply(customer_store, rid, "extend", actor=AGENT, at=at(20), extension_reason="Complex request",
                          notified_at=at(20, 11))
    detail = customer_store.query("request_detail", request_id=rid).iloc[0]
    assert detail["extended_due_date"].date() == date(2025, 6, 5)  # rules.md example
    assert detail["effective_due_date"].date() == date(2025, 6, 5)
    with pytest.raises(TransitionError, match="already been extended"):
        request_actions.apply(customer_store, rid, "extend", actor=AGENT, at=at(21), extension_reason="again",
                              notified_at=at(21))


def test_extension_after_the_due_date_does_not_apply(customer_store):
    rid = requests.log(customer_store, new(), actor=AGENT).request_id
    request_actions.apply(customer_store, rid, "forward", actor=AGENT, at=at(6))
    late = datetime(2025, 4, 8, 9, 0, tzinfo=UTC)   # the due date was 7 April
    with pytest.raises(TransitionError):
        request_actions.apply(customer_store, rid, "extend", actor=AGENT, at=late, extension_reason="Too late",
                              notified_at=late)
    assert customer_store.query("request_detail", request_id=rid)["extended_due_date"].isna().all()
    assert counts(customer_store)["request_history"] == 2


def test_extension_needs_reason_and_notification(customer_store):
    rid = requests.log(customer_store, new(), actor=AGENT).request_id
    request_actions.apply(customer_store, rid, "forward", actor=AGENT, at=at(6))
    with pytest.raises(RequestInputError) as caught:
        request_actions.apply(customer_store, rid, "extend", actor=AGENT, at=at(7))
    assert set(caught.value.errors) == {"extension_reason", "notified_at"}


def test_erasure_refusal_needs_a_ground_allowed_for_erasure(customer_store):
    rid = requests.log(customer_store, new(request_type="erasure"), actor=AGENT).request_id
    request_actions.apply(customer_store, rid, "forward", actor=AGENT, at=at(6))
    notice = {"refusal_reasons": "Kept for a pending legal claim.", "remedies_told": True}
    with pytest.raises(TransitionError, match=r"17\(3\)"):   # the message lists the erasure grounds
        request_actions.apply(customer_store, rid, "refuse", actor=AGENT, at=at(7), refusal_ground="no_data_held",
                              **notice)
    request_actions.apply(customer_store, rid, "refuse", actor=AGENT, at=at(7), refusal_ground="art17_3_b", **notice)
    detail = customer_store.query("request_detail", request_id=rid).iloc[0]
    assert (detail["status"], detail["outcome"], detail["refusal_ground"]) == ("refused", "refused", "art17_3_b")


def test_action_before_receipt_is_refused(customer_store):
    rid = requests.log(customer_store, new(), actor=AGENT).request_id
    with pytest.raises(RequestInputError, match="before the request was received"):
        request_actions.apply(customer_store, rid, "forward", actor=AGENT, at=at(4))


def test_clock_shows_paused_deadline_but_counts_the_real_one(customer_store):
    rid = requests.log(customer_store, new(), actor=AGENT).request_id
    request_actions.apply(customer_store, rid, "forward", actor=AGENT, at=at(6))
    request_actions.apply(customer_store, rid, "pause", actor=AGENT, at=at(10), pause_reason="identity")
    request_actions.apply(customer_store, rid, "resume", actor=AGENT, at=at(17))
    clock = request_clock.clock(customer_store, rid, date(2025, 3, 20))
    assert clock.due_date == date(2025, 4, 7)
    # One month from 5 March is Saturday 5 April; + 7 paused days = Saturday 12 April -> Monday 14 April.
    assert clock.paused_due_date == date(2025, 4, 14)
    assert clock.answer_by_date == date(2025, 4, 14)
    assert clock.days_left == 18


def test_tampered_history_is_named(customer_store):
    rid = requests.log(customer_store, new(), actor=AGENT).request_id
    request_actions.apply(customer_store, rid, "forward", actor=AGENT, at=at(6))
    request_actions.apply(customer_store, rid, "start", actor=AGENT, at=at(7))
    path = customer_store.path
    customer_store.close()
    con = duckdb.connect(str(path))   # someone edits the file behind the application's back
    con.execute("UPDATE request_history SET actor = 'someone.else@example.com' WHERE entry_id = 2")
    con.close()
    from privacyops.store import open_store
    reopened = open_store(path)
    problems = requests.verify_history(reopened)
    assert [p.entry_id for p in problems] == [2]
    assert rid in str(problems[0])
    reopened.close()


def test_customer_create_only_refuses_an_existing_id(customer_store):
    from privacyops.cases import customers
    from tests.conftest import make_customer

    with pytest.raises(customers.CustomerInputError) as caught:
        customers.save(customer_store, make_customer("C01", "Kapning AB"), actor=AGENT, create_only=True)
    assert "already" in caught.value.errors["customer_id"]
    assert customer_store.query("customer", customer_id="C01")["name"][0] == "Testkund Ett AB"


def test_history_holds_no_contact_details(customer_store):
    requests.log(customer_store, new(requester_name="Karin Testsson"), actor=AGENT)
    with customer_store.cursor() as cur:
        text = " ".join(r[0] for r in cur.execute("SELECT changes || note FROM request_history").fetchall())
    assert "@example.com" not in text.lower() and "Karin" not in text and "Vill se" not in text


def test_history_holds_no_subject_id(customer_store):
    """rules.md 4: the history cannot forget, so a subject id is marked as recorded, its value not kept."""
    rid = requests.log(customer_store, new(subject_id=" subj-4711-karin "), actor=AGENT).request_id
    request_actions.apply(customer_store, rid, "forward", actor=AGENT, at=at(6))
    assert customer_store.query("request_detail", request_id=rid).iloc[0].subject_id == "subj-4711-karin"
    hist = customer_store.query("request_history", request_id=rid)
    assert "subj-4711" not in " ".join(hist["changes"] + hist["note"])
    assert json.loads(hist["changes"].iloc[0])["subject_id"] == [None, history.REDACTED]
    assert requests.verify_history(customer_store) == []


def test_extension_told_before_receipt_is_refused(customer_store):
    rid = requests.log(customer_store, new(), actor=AGENT).request_id
    request_actions.apply(customer_store, rid, "forward", actor=AGENT, at=at(6))
    with pytest.raises(RequestInputError) as caught:
        request_actions.apply(customer_store, rid, "extend", actor=AGENT, at=at(7), extension_reason="x",
                              notified_at=at(4))
    assert "before the request was received" in caught.value.errors["notified_at"]

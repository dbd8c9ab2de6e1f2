"""Requests page (AppTest), issue 11 item 1: someone else changes the request between the user's view and the
user's submit. The user gets a clear answer (not done: who changed it, when, its state now), nothing of theirs
is written, and the page then shows one state (the Status tile and the actions offered agree with the store)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from privacyops.cases import request_actions
from privacyops.rules import lifecycle
from tests.app.conftest import open_page, texts
from tests.app.test_requests_page import PAGE, expected_actions, history, log, offered, pick, status_of

BO = "bo.support@example.com"
_WIDGET_TYPES = ("selectbox", "text_area", "text_input", "checkbox", "date_input", "time_input", "radio")


def ready(at: AppTest, request_id: str, action: str, **fields) -> AppTest:
    """Choose the action and fill its form, without submitting: what the user sees before they click."""
    at.selectbox(key=f"rq_action_{request_id}").set_value(action).run()
    assert not at.exception, at.exception
    prefix = f"rq_{request_id}_{action}"
    for name, value in fields.items():
        next(w for kind in _WIDGET_TYPES for w in at.get(kind) if w.key == f"{prefix}_{name}").set_value(value)
    return at


def submit(at: AppTest, action: str) -> AppTest:
    next(b for b in at.button if b.label == lifecycle.ACTIONS[action]).click()
    at.run()
    assert not at.exception, at.exception
    return at


def status_tile(at: AppTest) -> str:
    return {m.label: m.value for m in at.metric}["Status"]


def assert_one_state(at: AppTest, store, request_id: str) -> None:
    """The Status tile, the actions offered and the 'closed' caption all say what the store says."""
    status = status_of(store, request_id)
    assert status_tile(at) == lifecycle.STATUSES[status]
    closed_caption = "This request is closed: no further action is possible." in texts(at)
    assert closed_caption == (status in lifecycle.CLOSED_STATUSES)
    if not closed_caption:
        assert offered(at, request_id) == expected_actions(store, request_id)


def test_an_action_on_a_request_changed_since_it_was_seen_is_refused_with_who_when_and_its_state(
        customers_app_store):
    store = customers_app_store
    rid = log(store)
    at = ready(pick(open_page(PAGE), rid), rid, "forward", note="sent to the DPO")
    request_actions.apply(store, rid, "withdraw", actor=BO)           # another person, first
    submit(at, "forward")
    errors = " ".join(e.value for e in at.error)
    assert "Not done." in errors and rid in errors
    assert "'Mark withdrawn' by bo.support@example.com at " in errors.replace("\\", "")
    assert "It is now 'Withdrawn'" in errors and "Stockholm time" in errors
    assert not at.success
    assert [t.value for t in at.toast] and "Not done" in at.toast[0].value
    assert history(store, rid) == ["create", "withdraw"]              # nothing of the user's was written
    assert status_of(store, rid) == "withdrawn"
    # A withdrawn request leaves the open queue: no stale detail with its old actions is left on the page.
    assert not [m for m in at.metric if m.label == "Status"]


def test_after_a_refusal_the_page_shows_the_request_as_it_is_now(customers_app_store):
    store = customers_app_store
    rid = log(store)
    request_actions.apply(store, rid, "forward", actor=BO)
    request_actions.apply(store, rid, "start", actor=BO)
    at = pick(open_page(PAGE), rid)
    at.toggle(key="rq_closed").set_value(True).run()
    ready(at, rid, "pause", reason="identity")
    assert status_tile(at) == "In progress"
    request_actions.apply(store, rid, "complete", actor=BO)           # closed by someone else meanwhile
    submit(at, "pause")
    assert "Not done." in " ".join(e.value for e in at.error)
    assert history(store, rid) == ["create", "forward", "start", "complete"]
    assert_one_state(at, store, rid)                                   # 'Completed' and 'closed', nothing else
    assert status_tile(at) == "Completed"


def test_two_sessions_on_one_request_the_second_gets_a_clear_answer(customers_app_store):
    store = customers_app_store
    rid = log(store)
    first = ready(pick(open_page(PAGE), rid), rid, "forward")
    second = ready(pick(open_page(PAGE), rid), rid, "withdraw")
    submit(first, "forward")
    assert "forward to controller done" in " ".join(s.value for s in first.success)
    submit(second, "withdraw")
    answer = " ".join(e.value for e in second.error)
    assert "Not done." in answer and "'Forward to controller' by" in answer and "'Forwarded to controller'" in answer
    assert history(store, rid) == ["create", "forward"]
    assert_one_state(second, store, rid)
    assert_one_state(first, store, rid)
    # The user, now seeing the current state, can act on it.
    submit(ready(second, rid, "withdraw"), "withdraw")
    assert history(store, rid) == ["create", "forward", "withdraw"]


def test_a_form_with_an_input_error_keeps_its_form_and_says_which_field(customers_app_store):
    store = customers_app_store
    rid = log(store)
    request_actions.apply(store, rid, "forward", actor=BO)
    at = pick(open_page(PAGE), rid)
    submit(ready(at, rid, "extend", reason=" "), "extend")
    errors = " ".join(e.value for e in at.error)
    assert "Reason for the extension" in errors and "Not done." in errors
    assert history(store, rid) == ["create", "forward"]
    assert at.selectbox(key=f"rq_action_{rid}").value == "extend"

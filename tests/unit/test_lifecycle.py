"""The request lifecycle (privacyops.rules.lifecycle): allowed moves and the messages for illegal ones."""

from datetime import date

import pytest

from privacyops.rules import lifecycle
from privacyops.rules.lifecycle import RequestState, TransitionError


def state(status: str, request_type: str = "access", extended: bool = False) -> RequestState:
    return RequestState(request_type, status, date(2026, 1, 5), extended)


@pytest.mark.parametrize(("status", "expected"), [
    ("logged", ["forward", "withdraw"]),
    ("forwarded", ["start", "pause", "extend", "close_forwarded_only", "refuse", "withdraw"]),
    ("in_progress", ["pause", "extend", "complete", "refuse", "withdraw"]),
    ("paused", ["resume", "extend", "refuse", "withdraw"]),
    ("completed", []),
    ("refused", []),
    ("withdrawn", []),
])
def test_allowed_actions_per_status(status, expected):
    assert lifecycle.allowed_actions(state(status)) == expected


def test_one_extension_only():
    assert "extend" not in lifecycle.allowed_actions(state("in_progress", extended=True))
    with pytest.raises(TransitionError, match="already been extended once"):
        lifecycle.target_status(state("in_progress", extended=True), "extend")


def test_extend_keeps_status():
    assert lifecycle.target_status(state("paused"), "extend") == "paused"


@pytest.mark.parametrize(("status", "action", "target"), [
    ("logged", "forward", "forwarded"),
    ("forwarded", "start", "in_progress"),
    ("in_progress", "pause", "paused"),
    ("paused", "resume", "in_progress"),
    ("in_progress", "complete", "completed"),
    ("forwarded", "close_forwarded_only", "completed"),
    ("paused", "refuse", "refused"),
    ("logged", "withdraw", "withdrawn"),
])
def test_targets(status, action, target):
    assert lifecycle.target_status(state(status), action) == target


def test_illegal_move_says_what_is_allowed():
    with pytest.raises(TransitionError) as caught:
        lifecycle.target_status(state("logged"), "complete")
    message = str(caught.value)
    assert "Logged" in message and "forward to controller" in message and "mark withdrawn" in message


def test_closed_request_allows_nothing():
    with pytest.raises(TransitionError, match="nothing"):
        lifecycle.target_status(state("completed"), "withdraw")


def test_unknown_action():
    with pytest.raises(TransitionError, match="not a request action"):
        lifecycle.target_status(state("logged"), "delete")


def test_consent_withdrawal_is_carried_out_at_once():
    withdrawal = state("logged", "consent_withdrawal")
    assert lifecycle.allowed_actions(withdrawal) == ["complete", "withdraw"]
    assert lifecycle.target_status(withdrawal, "complete") == "completed"
    with pytest.raises(TransitionError):
        lifecycle.target_status(withdrawal, "extend")


def test_refusal_grounds_per_right():
    # rules.md 1: identity, Art. 12(5) and the controller's decision apply to every right
    for request_type in ("access", "erasure", "rectification", "objection"):
        for ground in lifecycle.GROUNDS_FOR_EVERY_RIGHT:
            assert lifecycle.check_refusal_ground(request_type, ground) == ground
    # rules.md 2: erasure also when no Art. 17(1) ground applies, or on an Art. 17(3) ground
    assert lifecycle.check_refusal_ground("erasure", "art17_3_e") == "art17_3_e"
    assert lifecycle.check_refusal_ground("erasure", "no_art17_1_ground") == "no_art17_1_ground"
    with pytest.raises(TransitionError, match=r"17\(3\)"):
        lifecycle.check_refusal_ground("erasure", "no_data_held")
    with pytest.raises(TransitionError, match="needs its ground"):
        lifecycle.check_refusal_ground("access", None)
    assert lifecycle.check_refusal_ground("access", "excessive") == "excessive"
    for ground in lifecycle.ERASURE_REFUSAL_GROUNDS:
        with pytest.raises(TransitionError, match="not a ground for refusing Access"):
            lifecycle.check_refusal_ground("access", ground)
    with pytest.raises(TransitionError, match="cannot be refused"):
        lifecycle.check_refusal_ground("consent_withdrawal", "excessive")
    assert lifecycle.refusal_grounds_by_type()["consent_withdrawal"] == ()


def test_complete_waits_for_the_recipients_record():
    for request_type in lifecycle.TYPES_NOTIFYING_RECIPIENTS:
        pending = RequestState(request_type, "in_progress", date(2026, 1, 5), False)
        assert "record_recipients" in lifecycle.allowed_actions(pending)
        with pytest.raises(TransitionError, match=r"Art\. 19"):
            lifecycle.target_status(pending, "complete")
        told = RequestState(request_type, "in_progress", date(2026, 1, 5), False, recipients_notice="told")
        assert "record_recipients" not in lifecycle.allowed_actions(told)
        assert lifecycle.target_status(told, "complete") == "completed"
    # a request completed before this was recorded may still record it; one handled by the controller not
    legacy = RequestState("erasure", "completed", date(2026, 1, 5), False, outcome="completed")
    assert lifecycle.allowed_actions(legacy) == ["record_recipients"]
    assert lifecycle.target_status(legacy, "record_recipients") == "completed"
    controller = RequestState("erasure", "completed", date(2026, 1, 5), False, outcome="forwarded_only")
    assert lifecycle.allowed_actions(controller) == ["record_controller_answer"]   # its answer date, not Art. 19

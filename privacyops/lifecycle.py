"""The request lifecycle: statuses, the actions allowed in each, and what each action needs.

Pure: no database. `requests.apply()` asks `check()` before it writes anything, so an illegal move
is refused in one place with a message that says what is allowed instead.

The path (rules.md sections 1 and 2): logged -> forwarded (Expandra is a processor and forwards to
the controller, EDPB 07/2020 para 129) -> in progress -> paused while waiting for identity proof or
clarification -> completed / refused (Art. 12(4)-(5); an erasure refusal needs an Art. 17(3) ground)
/ withdrawn. One extension (Art. 12(3)), decided and told to the requester by the one-month date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

REQUEST_TYPES: dict[str, str] = {
    "access": "Access (Art. 15)",
    "rectification": "Rectification (Art. 16)",
    "erasure": "Erasure (Art. 17)",
    "restriction": "Restriction (Art. 18)",
    "portability": "Portability (Art. 20)",
    "objection": "Objection (Art. 21)",
    "automated_decision": "Automated decision (Art. 22)",
    "consent_withdrawal": "Consent withdrawal (Art. 7(3))",
}
# A consent withdrawal takes effect at once (Art. 7(3)): it has no one-month clock.
TYPES_WITHOUT_MONTH_CLOCK = frozenset({"consent_withdrawal"})
# Art. 19: rectification, erasure and restriction must be passed on to recipients.
TYPES_NOTIFYING_RECIPIENTS = frozenset({"rectification", "erasure", "restriction"})

CHANNELS: dict[str, str] = {
    "email": "Email", "web_form": "Web form", "phone": "Phone", "letter": "Letter",
    "customer": "Via the customer", "other": "Other",
}

STATUSES: dict[str, str] = {
    "logged": "Logged",
    "forwarded": "Forwarded to controller",
    "in_progress": "In progress",
    "paused": "Waiting (paused)",
    "completed": "Completed",
    "refused": "Refused",
    "withdrawn": "Withdrawn",
}
OPEN_STATUSES = frozenset({"logged", "forwarded", "in_progress", "paused"})
CLOSED_STATUSES = frozenset({"completed", "refused", "withdrawn"})

PAUSE_REASONS = {"identity": "Waiting for identity proof", "clarification": "Waiting for clarification"}

# Art. 12(5) and the processor's position: grounds any request may be refused on.
REFUSAL_GROUNDS: dict[str, str] = {
    "manifestly_unfounded": "Manifestly unfounded (Art. 12(5))",
    "excessive": "Excessive, e.g. repetitive (Art. 12(5))",
    "identity_not_confirmed": "Identity could not be confirmed (Art. 12(2), 12(6))",
    "controller_decision": "Refused by the controller (the customer decided)",
    "no_data_held": "No personal data about the requester is held",
}
# Art. 17(3): the only grounds on which an erasure may be refused.
ERASURE_REFUSAL_GROUNDS: dict[str, str] = {
    "art17_3_a": "Freedom of expression and information (Art. 17(3)(a))",
    "art17_3_b": "Legal obligation or public task (Art. 17(3)(b))",
    "art17_3_c": "Public health (Art. 17(3)(c))",
    "art17_3_d": "Archiving, research or statistics (Art. 17(3)(d))",
    "art17_3_e": "Legal claims (Art. 17(3)(e))",
}

ACTIONS: dict[str, str] = {
    "forward": "Forward to controller",
    "start": "Start work",
    "pause": "Pause (waiting for the requester)",
    "resume": "Resume",
    "extend": "Extend by two months",
    "complete": "Complete",
    "close_forwarded_only": "Close: handled by the controller",
    "refuse": "Refuse",
    "withdraw": "Mark withdrawn",
    "record_controller_answer": "Record when the controller answered",
}

# action -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "forward": (frozenset({"logged"}), "forwarded"),
    "start": (frozenset({"forwarded"}), "in_progress"),
    "pause": (frozenset({"forwarded", "in_progress"}), "paused"),
    "resume": (frozenset({"paused"}), "in_progress"),
    "extend": (frozenset({"forwarded", "in_progress", "paused"}), ""),  # status unchanged
    "complete": (frozenset({"in_progress"}), "completed"),
    "close_forwarded_only": (frozenset({"forwarded"}), "completed"),
    "refuse": (frozenset({"forwarded", "in_progress", "paused"}), "refused"),
    "withdraw": (frozenset(OPEN_STATUSES), "withdrawn"),
    # rules.md 2: a request the controller handled itself counts on the statutory clock once the
    # customer tells us the date it answered; the status stays closed.
    "record_controller_answer": (frozenset({"completed"}), ""),
}
# A consent withdrawal is simply carried out: logged -> completed.
CONSENT_WITHDRAWAL_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "complete": (frozenset({"logged"}), "completed"),
    "withdraw": (frozenset({"logged"}), "withdrawn"),
}


class TransitionError(ValueError):
    """An action that the request's status (or the rules) does not allow; nothing was written."""


@dataclass(frozen=True)
class RequestState:
    """What the lifecycle needs to know about a request."""

    request_type: str
    status: str
    due_date: date | None
    extended: bool
    outcome: str | None = None
    own_request: bool = False   # Expandra is the controller: nobody to forward to (rules.md 2)


# Where Expandra is itself the controller there is no forwarding: work starts from 'logged'.
OWN_REQUEST_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    action: (frozenset("logged" if s == "forwarded" else s for s in sources), target)
    for action, (sources, target) in TRANSITIONS.items()
    if action not in ("forward", "close_forwarded_only", "record_controller_answer")
}


def _transitions_for(state: RequestState) -> dict[str, tuple[frozenset[str], str]]:
    if state.request_type in TYPES_WITHOUT_MONTH_CLOCK:
        return CONSENT_WITHDRAWAL_TRANSITIONS
    if state.own_request:
        return OWN_REQUEST_TRANSITIONS
    return TRANSITIONS


def allowed_actions(state: RequestState) -> list[str]:
    """The actions a request in this state may take, in the order the UI offers them."""
    allowed = [a for a, (sources, _) in _transitions_for(state).items()
               if state.status in sources]
    if state.extended and "extend" in allowed:
        allowed.remove("extend")
    if "record_controller_answer" in allowed and state.outcome != "forwarded_only":
        allowed.remove("record_controller_answer")
    return allowed


def target_status(state: RequestState, action: str) -> str:
    """The status after `action`, or raise TransitionError saying what is allowed instead."""
    if action not in ACTIONS:
        raise TransitionError(f"'{action}' is not a request action. Actions: {', '.join(ACTIONS)}.")
    allowed = allowed_actions(state)
    if action not in allowed:
        label = STATUSES.get(state.status, state.status)
        why = ""
        if action == "extend" and state.extended:
            why = " It has already been extended once; Art. 12(3) allows one extension of two months."
        elif action in ("forward", "close_forwarded_only") and state.own_request:
            why = " Expandra is the controller of this request: there is no customer to forward it to."
        elif action == "record_controller_answer":
            why = " Only a request closed as handled by the controller has the controller's answer date."
        options = ", ".join(ACTIONS[a].lower() for a in allowed) or "nothing (it is closed)"
        raise TransitionError(
            f"A request that is '{label}' cannot '{ACTIONS[action].lower()}'.{why} "
            f"Allowed now: {options}."
        )
    _, target = _transitions_for(state)[action]
    return target or state.status


def refusal_grounds_for(request_type: str) -> dict[str, str]:
    """Erasure may be refused only on an Art. 17(3) ground; other types on Art. 12(5) and related."""
    if request_type == "erasure":
        return ERASURE_REFUSAL_GROUNDS
    return REFUSAL_GROUNDS


def check_refusal_ground(request_type: str, ground: str | None) -> str:
    """The ground if it is allowed for this type, else TransitionError naming the allowed ones."""
    grounds = refusal_grounds_for(request_type)
    if not ground:
        raise TransitionError("A refusal needs its ground (Art. 12(4): the requester is told why).")
    if ground not in grounds:
        raise TransitionError(
            f"'{ground}' is not a ground for refusing {REQUEST_TYPES.get(request_type, request_type)}. "
            f"Allowed: {'; '.join(grounds.values())}."
        )
    return ground

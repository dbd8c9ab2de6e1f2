"""The request lifecycle: statuses, the actions allowed in each, and what each action needs.

Pure: no database. `request_actions.apply()` asks `check()` before it writes anything, so an illegal move
is refused in one place with a message that says what is allowed instead.

The path (rules.md sections 1 and 2): logged -> forwarded (Expandra is a processor and forwards to
the controller, EDPB 07/2020 para 129) -> in progress -> paused while waiting for identity proof or
clarification -> completed / refused (Art. 12(4)-(5), on a ground allowed for the right) / withdrawn.
One extension (Art. 12(3)), decided and told to the requester by the one-month date. A refusal records
its notice (the reasons, the remedies told, when); a rectification, erasure or restriction records that
its recipients were told (Art. 19) before it closes as completed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

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

# The word forms and files use for "Expandra itself is the controller" (its own website statistics, privacy
# policy section 2): such a request has no customer and no forwarding clock (rules.md 2).
EXPANDRA_AS_CONTROLLER = "EXPANDRA"
EXPANDRA_LABEL = "Expandra AB (own controller)"

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

# rules.md 1: the grounds on which a request under any right (Arts. 15-22) may be refused.
GROUNDS_FOR_EVERY_RIGHT: dict[str, str] = {
    "identity_not_confirmed": "Identity could not be confirmed (Arts. 11(2), 12(6))",
    "manifestly_unfounded": "Manifestly unfounded (Art. 12(5))",
    "excessive": "Excessive, e.g. repetitive (Art. 12(5))",
    "controller_decision": "Refused by the controller (the customer decided, rules.md 2)",
}
# Rights other than erasure: nothing held means nothing to give, correct, restrict or object to.
NO_DATA_GROUNDS: dict[str, str] = {
    "no_data_held": "No personal data about the requester is held",
}
# rules.md 2: erasure may also be refused because no Art. 17(1) ground applies, or on an Art. 17(3) ground.
ERASURE_REFUSAL_GROUNDS: dict[str, str] = {
    "no_art17_1_ground": "No ground of Art. 17(1) applies (the data is still needed, consent not withdrawn, ...)",
    "art17_3_a": "Freedom of expression and information (Art. 17(3)(a))",
    "art17_3_b": "Legal obligation or public task (Art. 17(3)(b))",
    "art17_3_c": "Public health (Art. 17(3)(c))",
    "art17_3_d": "Archiving, research or statistics (Art. 17(3)(d))",
    "art17_3_e": "Legal claims (Art. 17(3)(e))",
}
# Every ground known, with its label (for showing a stored ground and for the import's choices).
REFUSAL_GROUNDS: dict[str, str] = {**GROUNDS_FOR_EVERY_RIGHT, **NO_DATA_GROUNDS, **ERASURE_REFUSAL_GROUNDS}

# Art. 19: what was recorded about the recipients of a rectification, erasure or restriction.
RECIPIENTS_NOTICES: dict[str, str] = {
    "told": "The recipients were told",
    "none": "There are no recipients to tell",
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
    "record_recipients": "Record recipients told (Art. 19)",
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
    # Art. 19; status unchanged. On 'completed' only to fill in a request closed before this was recorded.
    "record_recipients": (frozenset({"forwarded", "in_progress", "paused", "completed"}), ""),
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
    recipients_notice: str | None = None   # Art. 19: 'told', 'none' or not recorded (None)


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
    if "record_recipients" in allowed and not recipients_pending(
            state.request_type, state.outcome, state.recipients_notice):
        allowed.remove("record_recipients")
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
    if action == "complete" and recipients_pending(state.request_type, state.outcome, state.recipients_notice):
        raise TransitionError(
            f"{REQUEST_TYPES[state.request_type]} cannot be completed yet: record first whether its recipients "
            "were told of it, or that there are none (Art. 19), with the action "
            f"'{ACTIONS['record_recipients'].lower()}'.")
    _, target = _transitions_for(state)[action]
    return target or state.status


def refusal_grounds_for(request_type: str) -> dict[str, str]:
    """The grounds a request of this type may be refused on (rules.md 1 and 2): every right on the
    grounds of Arts. 11(2), 12(5), 12(6) and the controller's decision; erasure also because no
    Art. 17(1) ground applies or on an Art. 17(3) ground; the other rights also when no data is held.
    A type that cannot be refused (a consent withdrawal, Art. 7(3)) has none."""
    if request_type in TYPES_WITHOUT_MONTH_CLOCK:   # no 'refuse' transition: it takes effect at once
        return {}
    if request_type == "erasure":
        return {**GROUNDS_FOR_EVERY_RIGHT, **ERASURE_REFUSAL_GROUNDS}
    return {**GROUNDS_FOR_EVERY_RIGHT, **NO_DATA_GROUNDS}


def refusal_grounds_by_type() -> dict[str, tuple[str, ...]]:
    """Every request type with the grounds it may be refused on: the one definition the import's SQL
    checks are generated from."""
    return {t: tuple(refusal_grounds_for(t)) for t in REQUEST_TYPES}


def check_refusal_ground(request_type: str, ground: str | None) -> str:
    """The ground if it is allowed for this type, else TransitionError naming the allowed ones."""
    grounds = refusal_grounds_for(request_type)
    label = REQUEST_TYPES.get(request_type, request_type)
    if not grounds:
        raise TransitionError(f"{label} cannot be refused.")
    if not ground:
        raise TransitionError("A refusal needs its ground (Art. 12(4): the requester is told why).")
    if ground not in grounds:
        raise TransitionError(
            f"'{REFUSAL_GROUNDS.get(ground, ground)}' is not a ground for refusing {label}. "
            f"Allowed: {'; '.join(grounds.values())}."
        )
    return ground


def refusal_notice_problems(reasons: str | None, remedies_told: bool | None, notified_at: datetime | None,
                            *, received_at: datetime, now: datetime) -> dict[str, str]:
    """What is missing or wrong in a refusal notice (Art. 12(4)), by field; empty when complete.

    The requester is told, within the month, the reasons for not acting and of the right to complain
    to a supervisory authority (IMY) and to seek a judicial remedy (rules.md 1). `notified_at`,
    `received_at` and `now` are aware datetimes, or all naive UTC.
    """
    problems: dict[str, str] = {}
    if not reasons or not reasons.strip():
        problems["refusal_reasons"] = "Give the reasons the requester was told (Art. 12(4))."
    if remedies_told is not True:
        problems["refusal_remedies_told"] = ("Confirm that the requester was told of the right to complain to IMY "
                                             "and to seek a judicial remedy (Art. 12(4)).")
    if notified_at is None:
        problems["refusal_notified_at"] = "Record when the requester was told of the refusal."
    elif notified_at > now:
        problems["refusal_notified_at"] = "The requester cannot have been told of the refusal in the future."
    elif notified_at < received_at:
        problems["refusal_notified_at"] = ("The requester cannot have been told of the refusal before the request "
                                           "was received.")
    return problems


def recipients_pending(request_type: str, outcome: str | None, recipients_notice: str | None) -> bool:
    """Art. 19 still to be recorded: a rectification, erasure or restriction that is open or was completed,
    with nothing recorded about its recipients. A refused or withdrawn request changed nothing to pass
    on; one handled by the controller (outcome 'forwarded_only') leaves Art. 19 with the controller,
    which tells its own recipients (rules.md 2: Expandra's part ended with the forwarding)."""
    return (request_type in TYPES_NOTIFYING_RECIPIENTS and recipients_notice is None
            and outcome in (None, "completed"))


def recipients_problems(notice: str | None, told_at: datetime | None, *, received_at: datetime,
                        now: datetime) -> dict[str, str]:
    """What is missing or wrong in an Art. 19 record, by field: 'told' needs when (not in the future, not
    before receipt); 'none' has no time. Datetimes aware, or all naive UTC."""
    if notice not in RECIPIENTS_NOTICES:
        return {"recipients_notice": "Say whether the recipients were told, or that there are none."}
    if notice == "none":
        return {"recipients_told_at": "There are no recipients: leave the time empty."} if told_at else {}
    if told_at is None:
        return {"recipients_told_at": "Record when the recipients were told."}
    if told_at > now:
        return {"recipients_told_at": "The recipients cannot have been told in the future."}
    if told_at < received_at:
        return {"recipients_told_at": "The recipients cannot have been told before the request was received."}
    return {}

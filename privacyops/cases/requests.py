"""Use cases for data-subject requests: log one, apply an action to one, read its clock.

Each use case checks the rules first (deadlines, lifecycle), then makes one write through the store
that changes the request and appends its history entry in the same transaction: either both land or
neither does. Pages call these functions and never touch SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb
import pandas as pd
from email_validator import EmailNotValidError, validate_email

from privacyops.clock import STOCKHOLM, from_utc_naive, now_utc, to_utc_naive
from privacyops.rules import deadline_words, deadlines, lifecycle
from privacyops.rules.forwarding import forwarding_warnings
from privacyops.rules.settings import RuleSettings
from privacyops.store import Store, history, run_named
from privacyops.store import settings as stored_settings


class RequestInputError(ValueError):
    """Input that cannot be saved; `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = dict(errors)


EXPANDRA_AS_CONTROLLER = lifecycle.EXPANDRA_AS_CONTROLLER
EXPANDRA_LABEL = lifecycle.EXPANDRA_LABEL


@dataclass(frozen=True)
class NewRequest:
    customer_id: str | None        # None: Expandra is the controller
    request_type: str
    received_at: datetime          # timezone-aware
    channel: str
    requester_email: str
    requester_name: str = ""
    subject_id: str = ""
    description: str = ""
    assignee: str = ""


@dataclass(frozen=True)
class LoggedRequest:
    request_id: str
    due_date: date | None
    forward_due_date: date | None
    explanation: str
    warnings: tuple[str, ...] = ()


_INSERT_REQUEST = """
INSERT INTO requests (request_id, customer_id, request_type, received_at, channel, requester_email,
    requester_name, subject_id, description, status, assignee, forward_due_date, due_date, eves_are_holidays,
    created_at, updated_at)
VALUES ($request_id, $customer_id, $request_type, $received_at, $channel, $requester_email,
    $requester_name, $subject_id, $description, $status, $assignee, $forward_due_date, $due_date,
    $eves_are_holidays, $created_at, $updated_at)
"""
# One fixed statement per column an action may change: no SQL is assembled at run time.
_SET_COLUMN = {
    column: f"UPDATE requests SET {column} = $value, updated_at = $at WHERE request_id = $id"  # noqa: S608
    for column in ("status", "forwarded_at", "extension_reason", "extension_notified_at",
                   "extended_due_date", "refusal_ground", "closed_at", "outcome", "assignee",
                   "controller_answered_on", "paused_due_date", "paused_extended_due_date",
                   "refusal_reasons", "refusal_remedies_told", "refusal_notified_at",
                   "recipients_notice", "recipients_told_at")
}


def normalise_email(raw: str) -> str:
    """The address as a mail system would treat it, or ValueError with the validator's reason."""
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValueError(str(error)) from error


def validate_new(store: Store, new: NewRequest, *, now: datetime | None = None) -> dict[str, str]:
    """Every problem with a new request, by field; empty when it can be logged."""
    now = now or now_utc()
    errors: dict[str, str] = {}
    if new.customer_id is None:
        if new.channel == "customer":
            errors["channel"] = ("A request where Expandra is the controller cannot have come via a customer: "
                                 "choose the channel it reached us by.")
    elif not new.customer_id or store.query("customer", customer_id=new.customer_id).empty:
        errors["customer_id"] = ("Choose one of the customers (controllers) Expandra serves, or Expandra "
                                 "itself for its own website statistics.")
    if new.request_type not in lifecycle.REQUEST_TYPES:
        errors["request_type"] = f"Choose a type: {', '.join(lifecycle.REQUEST_TYPES.values())}."
    if new.channel not in lifecycle.CHANNELS:
        errors["channel"] = f"Choose a channel: {', '.join(lifecycle.CHANNELS.values())}."
    if new.received_at.tzinfo is None:
        errors["received_at"] = "The time of receipt needs a time zone."
    elif new.received_at > now:
        errors["received_at"] = ("The time of receipt is in the future "
                                 f"({new.received_at.astimezone(STOCKHOLM):%Y-%m-%d %H:%M} Stockholm time).")
    if not new.requester_email.strip():
        errors["requester_email"] = "The requester's email address is required to answer them."
    else:
        try:
            normalise_email(new.requester_email)
        except ValueError as error:
            errors["requester_email"] = str(error)
    if len(new.description) > 4000:
        errors["description"] = f"Keep the description under 4,000 characters (it has {len(new.description):,})."
    return errors


def find_possible_duplicates(store: Store, new: NewRequest) -> list[str]:
    """Ids of requests from the same requester to the same customer, of the same type, within 30 days."""
    try:
        email = normalise_email(new.requester_email)
    except ValueError:
        return []
    frame = store.query("possible_duplicates", requester_email=email, customer_id=new.customer_id or "",
                        request_type=new.request_type, received_at=to_utc_naive(new.received_at))
    return list(frame["request_id"])


def log(store: Store, new: NewRequest, *, actor: str, now: datetime | None = None) -> LoggedRequest:
    """Log a request the minute it arrives: the rules set both clocks, one write stores the request
    and its 'create' history entry. Raises RequestInputError (nothing written) on bad input."""
    now = now or now_utc()
    errors = validate_new(store, new, now=now)
    if errors:
        raise RequestInputError(errors)
    settings = stored_settings.current(store)
    eves = settings.eves_are_holidays
    has_month_clock = new.request_type not in lifecycle.TYPES_WITHOUT_MONTH_CLOCK
    due = deadlines.due_date(new.received_at, eves_are_holidays=eves) if has_month_clock else None
    forward_due = None
    if new.customer_id is not None:
        customer = store.query("customer", customer_id=new.customer_id).iloc[0]
        forward_due = deadlines.forward_due_date(new.received_at, int(customer["forward_working_days"]),
                                                 eves_are_holidays=eves)
    explanation = (deadline_words.explain_due_date(new.received_at, eves_are_holidays=eves) if has_month_clock
                   else "A consent withdrawal takes effect at once (GDPR Art. 7(3)); it has no one-month clock.")
    if new.customer_id is None:
        explanation += (" Expandra is the controller of this data (its own website statistics): there is no "
                        "customer to forward to, and the statutory clock is Expandra's own.")
    warnings = forwarding_warnings(forward_due, due)
    email = normalise_email(new.requester_email)
    stamp = to_utc_naive(now)

    def insert(cur: duckdb.DuckDBPyConnection) -> str:
        number = run_named(cur, "next_request_number").fetchone()[0]
        request_id = f"DSR-{number:06d}"
        row = {
            "request_id": request_id, "customer_id": new.customer_id, "request_type": new.request_type,
            "received_at": to_utc_naive(new.received_at), "channel": new.channel,
            "requester_email": email, "requester_name": new.requester_name.strip() or None,
            "subject_id": new.subject_id.strip() or None, "description": new.description.strip() or None,
            "status": "logged", "assignee": new.assignee.strip() or None,
            "forward_due_date": forward_due, "due_date": due, "eves_are_holidays": eves,
            "created_at": stamp, "updated_at": stamp,
        }
        cur.execute(_INSERT_REQUEST, row)
        history.append(cur, request_id=request_id, at=stamp, actor=actor, action="create",
                       changes={k: [None, v] for k, v in row.items()
                                if k not in ("created_at", "updated_at") and v is not None},
                       note="Logged")
        return request_id

    request_id = store.write(insert)
    return LoggedRequest(request_id, due, forward_due, explanation, warnings)


def _state(detail: Mapping[str, Any]) -> lifecycle.RequestState:
    due = detail["due_date"]
    return lifecycle.RequestState(
        request_type=detail["request_type"], status=detail["status"],
        due_date=due.date() if isinstance(due, datetime) else due,
        extended=detail["extended_due_date"] is not None,
        outcome=_text_or_none(detail.get("outcome")),
        recipients_notice=_text_or_none(detail.get("recipients_notice")),
        own_request=detail.get("customer_id") is None,
    )


def _text_or_none(value: Any) -> str | None:
    """A text column read through pandas (NaN/None when empty) as str or None."""
    return value if isinstance(value, str) else None


def allowed_actions(store: Store, request_id: str) -> list[str]:
    """The actions the request's status (and the one-extension rule) allows now, for the UI to offer."""
    result = store.query("request_detail", request_id=request_id)
    if result.empty:
        raise RequestInputError({"request_id": f"There is no request {request_id}."})
    row = result.iloc[0].to_dict()
    for key in ("extended_due_date", "due_date", "outcome", "customer_id"):
        row[key] = None if pd.isna(row[key]) else row[key]
    return lifecycle.allowed_actions(_state(row))


def _as_date(value: Any) -> date | None:
    if value is None or value != value:  # NaT/NaN from pandas
        return None
    if hasattr(value, "date") and callable(value.date):
        return value.date()
    return value


def apply(store: Store, request_id: str, action: str, *, actor: str, note: str = "",
          at: datetime | None = None, pause_reason: str | None = None, asked_at: datetime | None = None,
          extension_reason: str | None = None, notified_at: datetime | None = None,
          refusal_ground: str | None = None, assignee: str | None = None,
          controller_answered_on: date | None = None,
          refusal_reasons: str | None = None, remedies_told: bool | None = None,
          refusal_notified_at: datetime | None = None,
          recipients_notice: str | None = None, recipients_told_at: datetime | None = None) -> str:
    """Apply one lifecycle action and append its history entry, in one transaction.

    A refusal records its notice (Art. 12(4)): the reasons told, that the requester was told of the
    right to complain to IMY and to a judicial remedy, and when (`refusal_notified_at`, default: the
    time of the action). 'record_recipients' records the Art. 19 notice ('told' with
    `recipients_told_at`, or 'none'); a rectification, erasure or restriction cannot 'complete' without it.

    Returns the new status. Raises lifecycle.TransitionError (nothing written) when the status or
    the rules do not allow it, RequestInputError for missing details. Every check against a deadline
    uses the dates stored with the request and the eves reading it was logged under (rules.md 1).
    """
    at = at or now_utc()
    if at.tzinfo is None:
        raise RequestInputError({"at": "The time of the action needs a time zone."})
    stamp = to_utc_naive(at)
    settings = stored_settings.current(store)

    def change(cur: duckdb.DuckDBPyConnection) -> str:
        result = run_named(cur, "request_detail", request_id=request_id)
        names = [d[0] for d in result.description]
        row = result.fetchone()
        if row is None:
            raise RequestInputError({"request_id": f"There is no request {request_id}."})
        detail = dict(zip(names, row, strict=True))
        state = _state(detail)
        target = lifecycle.target_status(state, action)
        if stamp < detail["received_at"]:
            raise RequestInputError({"at": "An action cannot happen before the request was received."})
        if at > now_utc():
            raise RequestInputError({"at": "An action cannot be dated in the future."})
        updates: dict[str, Any] = {}
        extra_changes: dict[str, list[Any]] = {}
        if target != state.status:
            updates["status"] = target
        if action == "forward":
            updates["forwarded_at"] = stamp
        elif action == "pause":
            extra_changes = _record_pause(cur, detail, stamp, pause_reason, asked_at, settings)
        elif action == "resume":
            cur.execute("UPDATE request_pauses SET resumed_at = $at WHERE request_id = $id AND resumed_at IS NULL",
                        {"id": request_id, "at": stamp})
        elif action == "extend":
            updates.update(_extension(detail, at, extension_reason, notified_at, settings))
        elif action == "refuse":
            ground = lifecycle.check_refusal_ground(state.request_type, refusal_ground)
            updates.update(refusal_ground=ground)
            updates.update(_refusal_notice(detail, refusal_reasons, remedies_told, refusal_notified_at or at))
        elif action == "record_recipients":
            updates.update(_recipients_record(detail, recipients_notice, recipients_told_at))
        elif action == "record_controller_answer":
            updates["controller_answered_on"] = _controller_answer_date(detail, controller_answered_on, at)
        if action in ("complete", "close_forwarded_only", "refuse", "withdraw"):
            updates["closed_at"] = stamp
            updates["outcome"] = {"complete": "completed", "close_forwarded_only": "forwarded_only",
                                  "refuse": "refused", "withdraw": "withdrawn"}[action]
            if detail["status"] == "paused":
                cur.execute("UPDATE request_pauses SET resumed_at = $at WHERE request_id = $id AND resumed_at IS NULL",
                            {"id": request_id, "at": stamp})
        if assignee is not None and assignee != (detail["assignee"] or ""):
            updates["assignee"] = assignee or None
        if action in ("pause", "resume", "extend", "complete", "close_forwarded_only", "refuse", "withdraw"):
            updates.update(_paused_deadlines(cur, detail, deadlines.stockholm_date(at), settings,
                                             extended_due=updates.get("extended_due_date")))
        for column, value in updates.items():
            cur.execute(_SET_COLUMN[column], {"value": value, "at": stamp, "id": request_id})
        changes = {k: [_plain(detail.get(k)), _plain(v)] for k, v in updates.items()
                   if _plain(detail.get(k)) != _plain(v)}
        changes.update(extra_changes)
        history.append(cur, request_id=request_id, at=stamp, actor=actor, action=action,
                       changes=changes, note=note.strip())
        return target

    return store.write(change)


def eves_reading(detail: Mapping[str, Any], settings: RuleSettings) -> bool:
    """The eves reading a request's dates were counted under (rules.md 1.7).

    Stored with every request logged since schema 010. For an older one, the reading that gives its
    stored one-month date; when both readings give that date, the current setting."""
    stored = detail.get("eves_are_holidays")
    if stored is not None and stored == stored:  # not NULL/NaN
        return bool(stored)
    current = settings.eves_are_holidays
    due = _as_date(detail.get("due_date"))
    if due is None:
        return current
    received = from_utc_naive(_as_datetime(detail["received_at"]))
    if deadlines.due_date(received, eves_are_holidays=current) == due:
        return current
    return not current


def _as_datetime(value: Any) -> datetime:
    return value.to_pydatetime() if hasattr(value, "to_pydatetime") else value


def _record_pause(cur: duckdb.DuckDBPyConnection, detail: Mapping[str, Any], stamp: datetime,
                  reason: str | None, asked_at: datetime | None, settings: RuleSettings) -> dict[str, list[Any]]:
    """Insert a pause with when the information was asked for and whether it moves the deadline."""
    if reason not in lifecycle.PAUSE_REASONS:
        raise RequestInputError({"pause_reason": "Say what we are waiting for: identity proof or clarification."})
    asked = stamp if asked_at is None else _checked_past_time(asked_at, detail, "asked_at",
                                                              "The time the information was asked for")
    if asked > stamp:
        raise RequestInputError({"asked_at": "The information cannot have been asked for after the pause began."})
    received = from_utc_naive(_as_datetime(detail["received_at"]))
    moves = detail["due_date"] is not None and deadlines.pause_moves_deadline(
        received, reason, deadlines.stockholm_date(from_utc_naive(asked)),
        within_working_days=settings.identity_pause_working_days,
        eves_are_holidays=eves_reading(detail, settings))
    cur.execute("INSERT INTO request_pauses (request_id, paused_at, reason, resumed_at, asked_at, moves_deadline) "
                "VALUES ($id, $at, $reason, NULL, $asked, $moves)",
                {"id": detail["request_id"], "at": stamp, "reason": reason, "asked": asked, "moves": moves})
    return {"pause_reason": [None, reason], "asked_at": [None, asked.isoformat()],
            "moves_deadline": [None, moves]}


def _checked_past_time(value: datetime, detail: Mapping[str, Any], field: str, label: str) -> datetime:
    if value.tzinfo is None:
        raise RequestInputError({field: f"{label} needs a time zone."})
    if value > now_utc():
        raise RequestInputError({field: f"{label} cannot be in the future."})
    naive = to_utc_naive(value)
    if naive < detail["received_at"]:
        raise RequestInputError({field: f"{label} cannot be before the request was received."})
    return naive


def _paused_deadlines(cur: duckdb.DuckDBPyConnection, detail: Mapping[str, Any], today: date,
                      settings: RuleSettings, *, extended_due: date | None = None) -> dict[str, Any]:
    """The deadlines moved by the request's qualifying pauses (rules.md 1, Pausing), or NULL when none
    moves it. The paused days are added to the unrolled period end, then rolled."""
    if detail["due_date"] is None:
        return {}
    spans = [(deadlines.stockholm_date(from_utc_naive(paused_at)),
              None if resumed_at is None else deadlines.stockholm_date(from_utc_naive(resumed_at)))
             for paused_at, resumed_at in cur.execute(
                 "SELECT paused_at, resumed_at FROM request_pauses "
                 "WHERE request_id = $id AND moves_deadline ORDER BY paused_at",
                 {"id": detail["request_id"]}).fetchall()]
    if not spans:
        return {"paused_due_date": None, "paused_extended_due_date": None}
    received = from_utc_naive(_as_datetime(detail["received_at"]))
    eves = eves_reading(detail, settings)
    extended = extended_due or detail["extended_due_date"]
    return {
        "paused_due_date": deadlines.paused_due_date(received, spans, today, eves_are_holidays=eves),
        "paused_extended_due_date": (deadlines.paused_due_date(received, spans, today, months=3,
                                                               eves_are_holidays=eves) if extended else None),
    }


def _controller_answer_date(detail: Mapping[str, Any], answered_on: date | None, at: datetime) -> date:
    """The date the controller told us it answered: not before receipt, not after today (rules.md 2)."""
    if answered_on is None:
        raise RequestInputError({"controller_answered_on": "Give the date the customer says it answered."})
    if answered_on < _as_date(detail["received_on"]):
        raise RequestInputError({"controller_answered_on": "The controller cannot have answered before the "
                                                           "request was received."})
    if answered_on > deadlines.stockholm_date(at):
        raise RequestInputError({"controller_answered_on": "The answer date cannot be in the future."})
    return answered_on


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _refusal_notice(detail: Mapping[str, Any], reasons: str | None, remedies_told: bool | None,
                    notified_at: datetime) -> dict[str, Any]:
    """The refusal notice's fields after lifecycle.refusal_notice_problems (Art. 12(4))."""
    if notified_at.tzinfo is None:
        raise RequestInputError({"refusal_notified_at": "The time the requester was told needs a time zone."})
    told = to_utc_naive(notified_at)
    problems = lifecycle.refusal_notice_problems(reasons, remedies_told, told, received_at=detail["received_at"],
                                                 now=to_utc_naive(now_utc()))
    if problems:
        raise RequestInputError(problems)
    return {"refusal_reasons": reasons.strip(), "refusal_remedies_told": True, "refusal_notified_at": told}


def _recipients_record(detail: Mapping[str, Any], notice: str | None,
                       told_at: datetime | None) -> dict[str, Any]:
    """The Art. 19 record's fields after lifecycle.recipients_problems."""
    if told_at is not None and told_at.tzinfo is None:
        raise RequestInputError({"recipients_told_at": "The time the recipients were told needs a time zone."})
    told = to_utc_naive(told_at) if told_at is not None else None
    problems = lifecycle.recipients_problems(notice, told, received_at=detail["received_at"],
                                             now=to_utc_naive(now_utc()))
    if problems:
        raise RequestInputError(problems)
    return {"recipients_notice": notice, **({"recipients_told_at": told} if told is not None else {})}


def _extension(detail: Mapping[str, Any], at: datetime, reason: str | None,
               notified_at: datetime | None, settings: RuleSettings) -> dict[str, Any]:
    """The fields an extension sets, after checking Art. 12(3): a reason, and decided and told to
    the requester on or before the one-month due date."""
    errors = {}
    if not reason or not reason.strip():
        errors["extension_reason"] = "Give the reason for the extension; the requester must be told it."
    if notified_at is None:
        errors["notified_at"] = "Record when the requester was told about the extension."
    elif notified_at.tzinfo is None:
        errors["notified_at"] = "The time the requester was told needs a time zone."
    elif notified_at > now_utc():
        errors["notified_at"] = "The requester cannot have been told in the future."
    elif to_utc_naive(notified_at) < detail["received_at"]:
        errors["notified_at"] = "The requester cannot have been told before the request was received."
    if errors:
        raise RequestInputError(errors)
    received = from_utc_naive(detail["received_at"])
    # The request's own dates: its stored one-month deadline and the eves reading it was logged under,
    # not today's setting (a changed setting must not reopen or close a window, rules.md 1).
    due = _as_date(detail["due_date"])
    extended_due = deadlines.extended_due_date(received, eves_are_holidays=eves_reading(detail, settings))
    allowed, why = deadlines.extension_applies(
        due, extended_due, deadlines.stockholm_date(at), deadlines.stockholm_date(notified_at))
    if not allowed:
        raise lifecycle.TransitionError(why)
    return {
        "extension_reason": reason.strip(),
        "extension_notified_at": to_utc_naive(notified_at),
        "extended_due_date": extended_due,
    }


@dataclass(frozen=True)
class RequestClock:
    """Both clocks of one request, as the detail view shows them."""

    due_date: date | None
    effective_due_date: date | None
    paused_due_date: date | None
    forward_due_date: date | None
    explanation: str
    days_left: int | None
    answer_by_date: date | None = None
    warnings: tuple[str, ...] = ()


def clock(store: Store, request_id: str, today: date) -> RequestClock:
    """The statutory and forwarding deadlines of a request, with the reasoning in words.

    A qualifying pause (an identity check asked for promptly) moves the date the request must be
    answered by; alerts keep running against the un-paused deadline (rules.md 1, Pausing), so
    `days_left` counts to the effective due date. `answer_by_date` is the date the on-time figures use
    (a refusal within the one month, Art. 12(4)); for an open pause it counts the paused days to today.
    """
    detail = store.query("request_detail", request_id=request_id)
    if detail.empty:
        raise RequestInputError({"request_id": f"There is no request {request_id}."})
    row = detail.iloc[0].to_dict()
    settings = stored_settings.current(store)
    received = from_utc_naive(row["received_at"].to_pydatetime())
    due = _as_date(row["due_date"])
    effective = _as_date(row["effective_due_date"])
    forward_due = _as_date(row["forward_due_date"])
    if due is None:
        return RequestClock(None, None, None, forward_due,
                            "A consent withdrawal takes effect at once (GDPR Art. 7(3)); no one-month clock.",
                            None)
    eves = eves_reading(row, settings)
    explanation = deadline_words.explain_due_date(received, eves_are_holidays=eves)
    if effective != due:
        explanation += (" Extended by two months (Art. 12(3)): "
                        + deadline_words.explain_due_date(received, months=3, eves_are_holidays=eves))
    if row["is_own_request"]:
        explanation += " Expandra is the controller: the statutory clock is its own; nothing is forwarded."
    pauses = store.query("request_pauses", request_id=request_id)
    spans = [(deadlines.stockholm_date(from_utc_naive(p.paused_at.to_pydatetime())),
              None if p.resumed_at != p.resumed_at or p.resumed_at is None
              else deadlines.stockholm_date(from_utc_naive(p.resumed_at.to_pydatetime())))
             for p in pauses.itertuples() if p.moves_deadline is True]
    refused = row["outcome"] == "refused"
    answer_by = deadlines.answer_by_date(received, extended=effective != due, refused=refused, pauses=spans,
                                         today=today, eves_are_holidays=eves)
    if refused and effective != due:
        explanation += (" A refusal is due within the one month even after an extension (Art. 12(4)): "
                        f"it had to be sent by {answer_by:%Y-%m-%d}.")
    paused = answer_by if spans else None
    return RequestClock(due, effective, paused, forward_due, explanation, deadlines.days_left(effective, today),
                        answer_by, forwarding_warnings(forward_due, due))


def verify_history(store: Store) -> list[history.ChainProblem]:
    """Check the whole history chain; [] when no entry was changed, removed or reordered."""
    frame = store.query("history_chain")
    rows = ((int(r.entry_id), r.request_id, r.recorded_at.to_pydatetime(), r.actor, r.action, r.changes, r.note,
             r.prev_hash, r.entry_hash) for r in frame.itertuples(index=False))
    return history.verify_chain(rows)

"""Use cases for data-subject requests: log one (with its checks), and verify the history chain.

Each use case checks the rules first (deadlines, lifecycle), then makes one write through the store
that changes the request and appends its history entry in the same transaction: either both land or
neither does. Pages call these functions and never touch SQL. Acting on a logged request is
`request_actions` (apply, allowed_actions); its two clocks in words are `request_clock`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
from email_validator import EmailNotValidError, validate_email

from privacyops.clock import STOCKHOLM, now_utc, to_utc_naive
from privacyops.rules import deadline_words, deadlines, lifecycle
from privacyops.rules.forwarding import forwarding_warnings
from privacyops.store import Store, history, run_named
from privacyops.store import settings as stored_settings


class RequestInputError(ValueError):
    """Input that cannot be saved; `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = dict(errors)


# The longest text each field of a new request may have, the same as the request import's contract
# (privacyops/importing/contract.py). Longer text is refused with the field named, never cut.
MAX_LENGTHS = {"requester_email": 254, "requester_name": 200, "subject_id": 128, "description": 4000,
               "assignee": 200}
FIELD_NAMES = {"requester_email": "email address", "requester_name": "name", "subject_id": "subject id",
               "description": "description", "assignee": "assignee"}

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
    if problem := _receipt_problem(new.received_at, now):
        errors["received_at"] = problem
    errors.update(_too_long(new))
    if not new.requester_email.strip():
        errors["requester_email"] = "The requester's email address is required to answer them."
    elif "requester_email" not in errors:     # an address too long is not also checked for its form
        try:
            normalise_email(new.requester_email)
        except ValueError as error:
            errors["requester_email"] = str(error)
    return errors


def _receipt_problem(received_at: datetime, now: datetime) -> str | None:
    """What is wrong with a time of receipt: none, in the future, or before the GDPR applied (Art. 99(2))."""
    if received_at.tzinfo is None:
        return "The time of receipt needs a time zone."
    local = received_at.astimezone(STOCKHOLM)
    if received_at > now:
        return f"The time of receipt is in the future ({local:%Y-%m-%d %H:%M} Stockholm time)."
    if local.date() < deadlines.GDPR_APPLIES_FROM:
        return (f"The date of receipt ({local:%Y-%m-%d}) is before 25 May 2018, the day the GDPR began to apply "
                "(Art. 99(2)): check the date.")
    return None


def _too_long(new: NewRequest) -> dict[str, str]:
    """Each text field longer than MAX_LENGTHS allows, with its length: refused, never cut short."""
    return {field: f"Keep the {FIELD_NAMES[field]} to {limit:,} characters (it has {len(text):,})."
            for field, limit in MAX_LENGTHS.items() if len(text := getattr(new, field)) > limit}


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

    request_id = store.write(insert, touches=("requests",))
    return LoggedRequest(request_id, due, forward_due, explanation, warnings)


def verify_history(store: Store) -> list[history.ChainProblem]:
    """Check the whole history chain; [] when no entry was changed, removed or reordered."""
    frame = store.query("history_chain")
    rows = ((int(r.entry_id), r.request_id, r.recorded_at.to_pydatetime(), r.actor, r.action, r.changes, r.note,
             r.prev_hash, r.entry_hash) for r in frame.itertuples(index=False))
    return history.verify_chain(rows)

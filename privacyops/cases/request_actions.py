"""Acting on a logged request: the actions its status allows, and applying one (forward, start, pause,
resume, extend, refuse, record the recipients' notice or the controller's answer, complete, close).

Each action is checked against the lifecycle (privacyops.rules.lifecycle) and the request's own stored
deadlines first; then one write changes the request's columns and appends its history entry in the same
transaction: either both land or neither does.

Two people may act on one request at once. The version a user saw (`version` in queries/request_detail.sql:
the id of the request's newest history entry, read with the state shown) goes to `apply` as `expected_version`;
inside the write transaction, under the write lock, a request that has changed since is refused with
RequestChangedError saying who changed it, when, how and its status now, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb
import pandas as pd

from privacyops.cases.request_clock import as_date, as_datetime, eves_reading
from privacyops.cases.requests import RequestInputError
from privacyops.clock import STOCKHOLM, from_utc_naive, now_utc, to_utc_naive
from privacyops.rules import deadlines, lifecycle
from privacyops.rules.settings import RuleSettings
from privacyops.store import Store, history, run_named
from privacyops.store import settings as stored_settings

# One fixed statement per column an action may change: no SQL is assembled at run time.
_SET_COLUMN = {
    column: f"UPDATE requests SET {column} = $value, updated_at = $at WHERE request_id = $id"  # noqa: S608
    for column in ("status", "forwarded_at", "extension_reason", "extension_notified_at",
                   "extended_due_date", "refusal_ground", "closed_at", "outcome", "assignee",
                   "controller_answered_on", "paused_due_date", "paused_extended_due_date",
                   "refusal_reasons", "refusal_remedies_told", "refusal_notified_at",
                   "recipients_notice", "recipients_told_at")
}


class RequestChangedError(Exception):
    """The request changed after the user saw it (someone else acted first): nothing was written.

    Carries the newest change (its `version`, who, when as an aware UTC datetime, which action), how many
    changes were made since the version the user saw, and the request's status now, so the page can say
    what happened."""

    def __init__(self, request_id: str, *, version: int, changed_by: str, changed_at: datetime, action: str,
                 status: str, changes_since: int) -> None:
        self.request_id = request_id
        self.version = version
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.action = action
        self.status = status
        self.changes_since = changes_since
        what = lifecycle.ACTIONS.get(action, "Logged" if action == "create" else action)
        others = f", after {changes_since - 1} other change{'s' if changes_since > 2 else ''}" \
            if changes_since > 1 else ""
        super().__init__(
            f"{request_id} was changed after you opened it: '{what}' by {changed_by} at "
            f"{changed_at.astimezone(STOCKHOLM):%Y-%m-%d %H:%M} Stockholm time{others}. It is now "
            f"'{lifecycle.STATUSES.get(status, status)}'. Nothing was saved: check the request as it is now "
            "and act again if it is still needed.")


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
    return actions_for(result.iloc[0].to_dict())


def actions_for(detail: Mapping[str, Any]) -> list[str]:
    """The actions allowed for a request as read by queries/request_detail.sql: a page offers the actions of
    the very state it shows (the same row), never of a later read."""
    row = dict(detail)
    for key in ("extended_due_date", "due_date", "outcome", "customer_id"):
        row[key] = None if pd.isna(row[key]) else row[key]
    return lifecycle.allowed_actions(_state(row))


@dataclass(frozen=True)
class _ActionInput:
    """What the person acting typed besides the action itself; each action reads the fields it needs."""

    pause_reason: str | None = None
    asked_at: datetime | None = None
    extension_reason: str | None = None
    notified_at: datetime | None = None
    refusal_ground: str | None = None
    controller_answered_on: date | None = None
    refusal_reasons: str | None = None
    remedies_told: bool | None = None
    refusal_notified_at: datetime | None = None
    recipients_notice: str | None = None
    recipients_told_at: datetime | None = None


# The longest text an action keeps (the refusal reasons as the request import's contract): longer is refused, not cut.
MAX_LENGTHS = {"note": 500, "extension_reason": 1000, "refusal_reasons": 2000}
_TEXT_NAMES = {"note": "note", "extension_reason": "reason for the extension", "refusal_reasons": "reasons"}


def _too_long(texts: Mapping[str, str | None]) -> dict[str, str]:
    return {field: f"Keep the {_TEXT_NAMES[field]} to {limit:,} characters (it has {len(text):,})."
            for field, limit in MAX_LENGTHS.items() if len(text := texts.get(field) or "") > limit}


# The outcome each closing action records; a closing action also ends an open pause.
_OUTCOMES = {"complete": "completed", "close_forwarded_only": "forwarded_only", "refuse": "refused",
             "withdraw": "withdrawn"}
# The actions after which the paused deadlines are counted again (a pause begins, ends, or stops counting).
_RECOUNT_PAUSED_DEADLINES = frozenset({"pause", "resume", "extend", *_OUTCOMES})


def apply(store: Store, request_id: str, action: str, *, actor: str, note: str = "",
          at: datetime | None = None, pause_reason: str | None = None, asked_at: datetime | None = None,
          extension_reason: str | None = None, notified_at: datetime | None = None,
          refusal_ground: str | None = None, assignee: str | None = None,
          controller_answered_on: date | None = None,
          refusal_reasons: str | None = None, remedies_told: bool | None = None,
          refusal_notified_at: datetime | None = None,
          recipients_notice: str | None = None, recipients_told_at: datetime | None = None,
          expected_version: int | None = None) -> str:
    """Apply one lifecycle action and append its history entry, in one transaction.

    A refusal records its notice (Art. 12(4)): the reasons told, that the requester was told of the
    right to complain to IMY and to a judicial remedy, and when (`refusal_notified_at`, default: the
    time of the action). 'record_recipients' records the Art. 19 notice ('told' with
    `recipients_told_at`, or 'none'); a rectification, erasure or restriction cannot 'complete' without it.

    `expected_version` is the request's `version` (queries/request_detail.sql) the user saw when choosing the
    action; every page passes it. When the request has a newer history entry by the time the write holds the
    lock, RequestChangedError is raised and nothing is written. None skips the check (scripts, tests).

    Returns the new status. Raises lifecycle.TransitionError (nothing written) when the status or the rules do
    not allow it, RequestInputError for missing details or text longer than MAX_LENGTHS. Every check against a
    deadline uses the dates stored with the request and the eves reading it was logged under (rules.md 1).
    """
    at = at or now_utc()
    if at.tzinfo is None:
        raise RequestInputError({"at": "The time of the action needs a time zone."})
    if too_long := _too_long({"note": note, "extension_reason": extension_reason,
                              "refusal_reasons": refusal_reasons}):
        raise RequestInputError(too_long)
    given = _ActionInput(pause_reason, asked_at, extension_reason, notified_at, refusal_ground,
                         controller_answered_on, refusal_reasons, remedies_told, refusal_notified_at,
                         recipients_notice, recipients_told_at)
    settings = stored_settings.current(store)
    return store.write(lambda cur: _change(cur, request_id, action, given, actor=actor, note=note, at=at,
                                           assignee=assignee, settings=settings, expected_version=expected_version),
                       touches=("requests",))


def _change(cur: duckdb.DuckDBPyConnection, request_id: str, action: str, given: _ActionInput, *, actor: str,
            note: str, at: datetime, assignee: str | None, settings: RuleSettings,
            expected_version: int | None) -> str:
    """apply()'s write: check, set the columns the action changes, append the history entry."""
    stamp = to_utc_naive(at)
    detail = _detail(cur, request_id)
    if expected_version is not None and detail["version"] != expected_version:
        raise _changed_since(cur, request_id, expected_version)
    state = _state(detail)
    target = lifecycle.target_status(state, action)
    if stamp < detail["received_at"]:
        raise RequestInputError({"at": "An action cannot happen before the request was received."})
    if at > now_utc():
        raise RequestInputError({"at": "An action cannot be dated in the future."})
    updates: dict[str, Any] = {"status": target} if target != state.status else {}
    action_updates, extra_changes = _action_updates(cur, action, detail, state, given, at=at, settings=settings)
    updates.update(action_updates)
    if action in _OUTCOMES:
        updates["closed_at"] = stamp
        updates["outcome"] = _OUTCOMES[action]
        if detail["status"] == "paused":
            _end_open_pause(cur, request_id, stamp)
    if assignee is not None and assignee != (detail["assignee"] or ""):
        updates["assignee"] = assignee or None
    if action in _RECOUNT_PAUSED_DEADLINES:
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


def _changed_since(cur: duckdb.DuckDBPyConnection, request_id: str, seen_version: int) -> RequestChangedError:
    """The error for a request changed after `seen_version`, from its newest history entry (same transaction)."""
    entry_id, recorded_at, actor, action, status, changes_since = run_named(
        cur, "request_last_change", request_id=request_id, seen_version=seen_version).fetchone()
    return RequestChangedError(request_id, version=int(entry_id), changed_by=actor,
                               changed_at=from_utc_naive(recorded_at), action=action, status=status,
                               changes_since=max(int(changes_since), 1))


def _detail(cur: duckdb.DuckDBPyConnection, request_id: str) -> dict[str, Any]:
    """The request as queries/request_detail.sql reads it, inside the write transaction."""
    result = run_named(cur, "request_detail", request_id=request_id)
    names = [d[0] for d in result.description]
    row = result.fetchone()
    if row is None:
        raise RequestInputError({"request_id": f"There is no request {request_id}."})
    return dict(zip(names, row, strict=True))


def _action_updates(cur: duckdb.DuckDBPyConnection, action: str, detail: Mapping[str, Any],
                    state: lifecycle.RequestState, given: _ActionInput, *, at: datetime,
                    settings: RuleSettings) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """The request columns this action sets, and the history changes that are not columns (a pause's)."""
    stamp = to_utc_naive(at)
    if action == "forward":
        return {"forwarded_at": stamp}, {}
    if action == "pause":
        return {}, _record_pause(cur, detail, stamp, given.pause_reason, given.asked_at, settings)
    if action == "resume":
        _end_open_pause(cur, detail["request_id"], stamp)
        return {}, {}
    if action == "extend":
        return _extension(detail, at, given.extension_reason, given.notified_at, settings), {}
    if action == "refuse":
        ground = lifecycle.check_refusal_ground(state.request_type, given.refusal_ground)
        return {"refusal_ground": ground, **_refusal_notice(detail, given.refusal_reasons, given.remedies_told,
                                                            given.refusal_notified_at or at)}, {}
    if action == "record_recipients":
        return _recipients_record(detail, given.recipients_notice, given.recipients_told_at), {}
    if action == "record_controller_answer":
        return {"controller_answered_on": _controller_answer_date(detail, given.controller_answered_on, at)}, {}
    return {}, {}


def _end_open_pause(cur: duckdb.DuckDBPyConnection, request_id: str, stamp: datetime) -> None:
    cur.execute("UPDATE request_pauses SET resumed_at = $at WHERE request_id = $id AND resumed_at IS NULL",
                {"id": request_id, "at": stamp})


def _record_pause(cur: duckdb.DuckDBPyConnection, detail: Mapping[str, Any], stamp: datetime,
                  reason: str | None, asked_at: datetime | None, settings: RuleSettings) -> dict[str, list[Any]]:
    """Insert a pause with when the information was asked for and whether it moves the deadline."""
    if reason not in lifecycle.PAUSE_REASONS:
        raise RequestInputError({"pause_reason": "Say what we are waiting for: identity proof or clarification."})
    asked = stamp if asked_at is None else _checked_past_time(asked_at, detail, "asked_at",
                                                              "The time the information was asked for")
    if asked > stamp:
        raise RequestInputError({"asked_at": "The information cannot have been asked for after the pause began."})
    received = from_utc_naive(as_datetime(detail["received_at"]))
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
    received = from_utc_naive(as_datetime(detail["received_at"]))
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
    if answered_on < as_date(detail["received_on"]):
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
    due = as_date(detail["due_date"])
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

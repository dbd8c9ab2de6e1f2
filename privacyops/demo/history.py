"""The request history of the demo: one entry per lifecycle step, shaped as `requests.log()` and
`request_actions.apply()` write them, in time order, hash-chained and inserted in bulk by `history.append_many`.
"""

# ruff: noqa: S608 - the SQL here is written from this package's constants, lifecycle's words, ints and dates;
# no value from people or files goes into it.

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

import duckdb

from privacyops.demo.plan import Plan, check_same_names
from privacyops.demo.request_paths import (
    CLARIFICATION,
    CLOSING_ACTIONS,
    FORWARDED,
    IDENTITY,
    IN_PROGRESS,
    LOGGED,
    PAUSED,
    status_after,
)
from privacyops.demo.requests import NONE_TO_TELL, TOLD
from privacyops.rules import lifecycle
from privacyops.store import history
from privacyops.store.sql import literal

_NOTES = {
    "create": "Logged", "forward": "Forwarded to the controller under the DPA",
    "start": "Work started with the controller", "extend": "Requester told of the two-month extension",
    "complete": "Answer sent to the requester",
    "close_forwarded_only": "The controller answers the requester directly",
    "withdraw": "The requester withdrew the request",
}
_RECIPIENTS_NOTES = {TOLD: "The customer's recipients were told of the change (Art. 19)",
                     NONE_TO_TELL: "The data was not disclosed to anyone: no recipients to tell"}
_PAUSE_NOTES = {IDENTITY: ("Asked the requester for proof of identity", "Identity confirmed"),
                CLARIFICATION: ("Asked the requester to clarify the request", "Clarification received")}
if not set(_NOTES) - {"create"} <= set(lifecycle.ACTIONS):
    raise ValueError("the demo's history notes name actions lifecycle does not know")
_CONSENT_WITHDRAWAL = "consent_withdrawal"   # its completion is the withdrawal carried out
if _CONSENT_WITHDRAWAL not in lifecycle.TYPES_WITHOUT_MONTH_CLOCK:
    raise ValueError("a consent withdrawal is expected to take effect at once (lifecycle)")


# The steps of a request's path in the order they come within one instant: (action, the plan's column of
# its time, the status before, the status after, as SQL). An extension and the Art. 19 record leave the
# status as it is; Expandra's own requests start work from logged, as they are never forwarded; the
# closing action (None here) is the planned outcome's.
_PATH = (
    ("create", "created_us", "NULL", literal(LOGGED)),
    ("forward", "forward_us", literal(LOGGED), literal(status_after("forward"))),
    ("start", "start_us", f"CASE WHEN forward_us IS NULL THEN {literal(LOGGED)} ELSE {literal(FORWARDED)} END",
     literal(status_after("start"))),
    ("pause", "pause_us", literal(IN_PROGRESS), literal(status_after("pause"))),
    ("resume", "resume_us", literal(PAUSED), literal(status_after("resume"))),
    ("extend", "extend_us", "NULL", "NULL"),
    ("record_recipients", "recipients_us", "NULL", "NULL"),
    (None, "close_us", f"CASE WHEN start_us IS NOT NULL THEN {literal(IN_PROGRESS)} "
                       f"WHEN forward_us IS NOT NULL THEN {literal(FORWARDED)} ELSE {literal(LOGGED)} END", "status"),
)
_CLOSES = frozenset(CLOSING_ACTIONS.values())
check_same_names({a for a, *_ in _PATH if a not in (None, "create")} | _CLOSES,
                 set(lifecycle.ACTIONS) - {"record_controller_answer"}, "actions of a request's path")


def _steps_sql() -> str:
    """SQL: one row per step that happened (request_id, at_us, step, action, old_status, new_status) from `r`."""
    closing = "CASE planned_outcome " + " ".join(f"WHEN {literal(outcome)} THEN {literal(action)}"
                                                 for outcome, action in CLOSING_ACTIONS.items()) + " END"
    return "\n            UNION ALL ".join(
        f"SELECT request_id, {column} AS at_us, {number} AS step, {literal(action) if action else closing} AS action, "
        f"{old} AS old_status, {new} AS new_status FROM r WHERE {column} IS NOT NULL"
        for number, (action, column, old, new) in enumerate(_PATH))


def insert_request_history(cur: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """One history entry per lifecycle step of every demo request, appended in time order."""
    result = cur.execute(f"""
        WITH r AS (
            -- the plan's times and the request as stored (the rule cases changed some of it)
            SELECT f.* EXCLUDE (refusal_reasons, recipients_notice), q.received_at, q.forwarded_at, q.closed_at,
                   q.extension_notified_at, q.extended_due_date, q.refusal_ground, q.refusal_reasons,
                   q.refusal_notified_at, q.recipients_notice, q.recipients_told_at
            FROM demo_request_final AS f JOIN requests AS q USING (request_id)
        ), steps AS ({_steps_sql()}
        )
        SELECT make_timestamp(s.at_us) AS recorded_at, s.request_id, s.action, s.old_status, s.new_status,
            r.assignee, r.customer_id, r.request_type, r.received_at, r.channel, r.requester_email,
            r.requester_name, r.subject_id, r.description, r.forward_due_date, r.due_date, r.forwarded_at,
            r.closed_at, r.outcome, r.refusal_ground, r.extension_reason, r.extension_notified_at,
            r.extended_due_date, r.pause_reason_final AS pause_reason, r.refusal_reasons, r.refusal_notified_at,
            r.recipients_notice, r.recipients_told_at,
            (SELECT any_value(p.moves_deadline) FROM request_pauses AS p WHERE p.request_id = s.request_id)
                AS pause_moves_deadline
        FROM steps AS s JOIN r USING (request_id)
        ORDER BY s.at_us, s.request_id, s.step
    """)
    names = [d[0] for d in result.description]
    entries = []
    for values in result.fetchall():
        step = dict(zip(names, values, strict=True))
        changes, note = _ENTRY.get(step["action"], _status_change)(step, plan)
        entries.append(history.NewEntry(step["request_id"], step["recorded_at"], step["assignee"], step["action"],
                                        changes, note))
    history.append_many(cur, entries)


def _plain(value: Any) -> Any:
    """A date or datetime as request_actions.apply() stores it in a change set (ISO text)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _changed(updates: Mapping[str, Any], before: Mapping[str, Any] | None = None) -> dict[str, list[Any]]:
    """What request_actions.apply() records of the columns an action set: {field: [old, new]} of each whose value
    changed, dates as ISO text. In the demo every column an action sets was empty before, but the status."""
    before = before or {}
    return {k: [_plain(before.get(k)), _plain(v)] for k, v in updates.items() if _plain(before.get(k)) != _plain(v)}


def _created(step: Mapping[str, Any], plan: Plan) -> tuple[dict[str, list[Any]], str]:
    """What requests.log() records: every field it sets, old value None (values as stored, not ISO text)."""
    fields = ("request_id", "customer_id", "request_type", "received_at", "channel", "requester_email",
              "requester_name", "subject_id", "description")
    created = {**{k: step[k] for k in fields}, "status": step["new_status"], "assignee": step["assignee"],
               "forward_due_date": step["forward_due_date"], "due_date": step["due_date"],
               "eves_are_holidays": plan.eves_are_holidays}
    return {k: [None, v] for k, v in created.items() if v is not None}, _NOTES["create"]


def _recipients_recorded(step: Mapping[str, Any], plan: Plan) -> tuple[dict[str, list[Any]], str]:
    """The Art. 19 record: no status change."""
    changes = _changed({"recipients_notice": step["recipients_notice"],
                        "recipients_told_at": step["recipients_told_at"]})
    return changes, _RECIPIENTS_NOTES[step["recipients_notice"]]


def _extended(step: Mapping[str, Any], plan: Plan) -> tuple[dict[str, list[Any]], str]:
    """The extension (Art. 12(3)): its reason, when the requester was told, the new due date."""
    changes = _changed({"extension_reason": step["extension_reason"],
                        "extension_notified_at": step["extension_notified_at"],
                        "extended_due_date": step["extended_due_date"]})
    return changes, _NOTES["extend"]


def _status_change(step: Mapping[str, Any], plan: Plan) -> tuple[dict[str, list[Any]], str]:
    """A move along the path: the new status and what the action sets with it, as request_actions.apply() does."""
    action, note = step["action"], _NOTES.get(step["action"], "")
    updates: dict[str, Any] = {"status": step["new_status"]}
    extra: dict[str, list[Any]] = {}
    if action == "forward":
        updates["forwarded_at"] = step["forwarded_at"]
    elif action == "pause":
        # a pause's own record, always in full (requests._record_pause)
        extra = {"pause_reason": [None, step["pause_reason"]], "asked_at": [None, _plain(step["recorded_at"])],
                 "moves_deadline": [None, step["pause_moves_deadline"]]}
        note = _PAUSE_NOTES[step["pause_reason"]][0]
    elif action == "resume":
        note = _PAUSE_NOTES[step["pause_reason"]][1]
    elif action in _CLOSES:
        updates.update(closed_at=step["closed_at"], outcome=step["outcome"])
        if action == "refuse":
            updates.update(refusal_ground=step["refusal_ground"], refusal_reasons=step["refusal_reasons"],
                           refusal_remedies_told=True, refusal_notified_at=step["refusal_notified_at"])
            note = "Refused: " + lifecycle.REFUSAL_GROUNDS[step["refusal_ground"]]
        elif step["request_type"] == _CONSENT_WITHDRAWAL and action == "complete":
            note = "Consent withdrawal carried out"
    return {**_changed(updates, {"status": step["old_status"]}), **extra}, note


_ENTRY: dict[str, Callable[[Mapping[str, Any], Plan], tuple[dict[str, list[Any]], str]]] = {
    "create": _created, "record_recipients": _recipients_recorded, "extend": _extended,
}

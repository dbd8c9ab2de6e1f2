"""Migration 010, Python step: carry existing requests onto the exact clock (issue 8).

The SQL step added the columns; this one fills them for requests logged before, with the rules of
privacyops.rules.deadlines (SQL has no Swedish calendar):
- eves_are_holidays: the eves reading that gives the request's stored one-month date (rules.md 1.7); when
  both readings give it, the setting in force now (the best evidence there is);
- each pause's moves_deadline: an identity check asked for (asked_at: when the pause was entered) within the
  setting's working days of receipt (rules.md 1, Pausing);
- the deadlines those pauses move (paused_due_date, paused_extended_due_date), paused days added to the
  unrolled period end, then rolled. An open pause counts to today, as a pause does whenever it is written.
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb

from privacyops.clock import from_utc_naive, today
from privacyops.rules import deadlines
from privacyops.store import settings as stored_settings


def migrate(cur: duckdb.DuckDBPyConnection) -> None:
    settings = stored_settings.read(cur)
    rows = cur.execute("SELECT request_id, received_at, due_date, extended_due_date IS NOT NULL FROM requests "
                       "WHERE eves_are_holidays IS NULL").fetchall()
    readings: dict[str, tuple[datetime, bool, bool]] = {}
    for request_id, received_at, due, extended in rows:
        received = from_utc_naive(received_at)
        eves = _reading(received, due, settings.eves_are_holidays)
        readings[request_id] = (received, eves, extended)
        cur.execute("UPDATE requests SET eves_are_holidays = $eves WHERE request_id = $id",
                    {"eves": eves, "id": request_id})
    spans: dict[str, list[tuple[date, date | None]]] = {}
    for request_id, paused_at, reason, asked_at, resumed_at, has_clock in cur.execute(
            "SELECT p.request_id, p.paused_at, p.reason, p.asked_at, p.resumed_at, r.due_date IS NOT NULL "
            "FROM request_pauses AS p JOIN requests AS r USING (request_id) WHERE p.moves_deadline IS NULL "
            "ORDER BY p.request_id, p.paused_at").fetchall():
        if request_id not in readings:
            continue
        received, eves, _ = readings[request_id]
        moves = has_clock and deadlines.pause_moves_deadline(
            received, reason, deadlines.stockholm_date(from_utc_naive(asked_at)),
            within_working_days=settings.identity_pause_working_days, eves_are_holidays=eves)
        cur.execute("UPDATE request_pauses SET moves_deadline = $moves WHERE request_id = $id AND paused_at = $at",
                    {"moves": moves, "id": request_id, "at": paused_at})
        if moves:
            end = None if resumed_at is None else deadlines.stockholm_date(from_utc_naive(resumed_at))
            spans.setdefault(request_id, []).append((deadlines.stockholm_date(from_utc_naive(paused_at)), end))
    now = today()
    for request_id, moved in spans.items():
        received, eves, extended = readings[request_id]
        cur.execute(
            "UPDATE requests SET paused_due_date = $due, paused_extended_due_date = $extended WHERE request_id = $id",
            {"id": request_id,
             "due": deadlines.paused_due_date(received, moved, now, eves_are_holidays=eves),
             "extended": deadlines.paused_due_date(received, moved, now, months=3, eves_are_holidays=eves)
             if extended else None})


def _reading(received: datetime, due: date | None, current: bool) -> bool:
    if due is None or deadlines.due_date(received, eves_are_holidays=current) == due:
        return current
    if deadlines.due_date(received, eves_are_holidays=not current) == due:
        return not current
    return current

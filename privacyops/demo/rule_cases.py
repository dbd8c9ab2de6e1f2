"""The rules' corner cases (issue 8), so the pages can show them: requests where Expandra is the controller,
controller-handled requests whose answer date the customer told us, a refusal after an extension, and pauses
that do or do not move the deadline (rules.md 1, Pausing). Refusals after an extension, withdrawn and
controller-handled requests come from the plan itself (request_paths.py).
"""

# ruff: noqa: S608 - the SQL here is written from this package's constants, lifecycle's words, ints and dates;
# no value from people or files goes into it.

from __future__ import annotations

import duckdb
import pyarrow as pa

from privacyops import clock
from privacyops.demo.plan import US_PER_DAY, US_PER_HOUR, Plan
from privacyops.demo.request_paths import (
    CLOSED_SHOWCASE,
    EXTENSION_REASONS,
    FORWARDED,
    FORWARDED_ONLY,
    LOGGED,
    REFUSED,
)
from privacyops.rules import deadlines, lifecycle
from privacyops.store import settings as stored_settings
from privacyops.store.sql import literal
from privacyops.store.tables import temp_table

# Every 53rd request (not a showcase one, not one the customer sent us) is about Expandra's own website
# statistics: Expandra is the controller (policy section 2), so it has no customer and is never forwarded.
_OWN_REQUEST_EVERY = 53
_VIA_CUSTOMER = "customer"   # the channel of a request the customer passed on to us
if _VIA_CUSTOMER not in lifecycle.CHANNELS:
    raise ValueError(f"lifecycle.CHANNELS has no '{_VIA_CUSTOMER}' channel any more")


def shape_rule_cases(cur: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """Make the rules' corners visible, with the deadlines pauses move computed by `deadlines` as
    `request_actions.apply()` does."""
    cur.execute("UPDATE requests SET eves_are_holidays = $eves", {"eves": plan.eves_are_holidays})
    _own_requests(cur)
    _refusal_after_extension(cur, plan)
    # Half the customers tell us when they answered a request they handled themselves (rules.md 2).
    cur.execute("""
        UPDATE requests SET controller_answered_on = least(
            CAST((closed_at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Stockholm' AS DATE)
                + CAST(hash(request_id, 'controller answer') % 14 AS INTEGER),
            $today)
        WHERE outcome = $forwarded_only AND hash(request_id, 'controller told') % 2 = 0
    """, {"today": plan.today, "forwarded_only": FORWARDED_ONLY})
    _paused_deadlines(cur, plan)


def _own_requests(cur: duckdb.DuckDBPyConnection) -> None:
    """Expandra's own requests: no customer, no forwarding deadline, never forwarded (a forwarded one is
    back to logged), in the plan and in the requests table."""
    cur.execute(f"""
        UPDATE demo_request_final SET
            customer_id = NULL, forward_due_date = NULL, forward_us = NULL,
            status = CASE status WHEN {literal(FORWARDED)} THEN {literal(LOGGED)} ELSE status END,
            updated_us = greatest(created_us, start_us, pause_us, resume_us, extend_us, close_us)
        WHERE k % {_OWN_REQUEST_EVERY} = 7 AND showcase_open IS NULL AND oldest_rank > {len(CLOSED_SHOWCASE)}
          AND channel <> {literal(_VIA_CUSTOMER)} AND coalesce(planned_outcome, '') <> {literal(FORWARDED_ONLY)}
    """)
    cur.execute("""
        UPDATE requests AS q SET customer_id = NULL, forward_due_date = NULL, forwarded_at = NULL,
            status = f.status, updated_at = make_timestamp(f.updated_us)
        FROM demo_request_final AS f
        WHERE f.request_id = q.request_id AND f.customer_id IS NULL
    """)


def _refusal_after_extension(cur: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """The oldest request (the refused showcase) was extended, then refused after the one-month date: late by
    law, as a refusal is due within the one month even after an extension (Art. 12(4))."""
    hour, day = US_PER_HOUR, US_PER_DAY
    closed = f"greatest(due_start_us + 20 * {day} + 10 * {hour}, coalesce(resume_us, start_us) + {hour})"
    cur.execute(f"""
        UPDATE demo_request_final SET
            extend_us = start_us + {hour},
            extension_notified_us = start_us + {hour} + 30 * 60 * 1000000,
            extension_reason = {literal(EXTENSION_REASONS[0])},
            close_us = {closed},
            updated_us = {closed}
        WHERE oldest_rank = 1 AND planned_outcome = {literal(REFUSED)} AND start_us IS NOT NULL
          AND start_us + {hour} < due_start_us - 3 * {hour}
          AND due_start_us + 20 * {day} < {plan.as_of_us}
    """)
    cur.execute("""
        UPDATE requests AS q SET extension_reason = f.extension_reason,
            extension_notified_at = make_timestamp(f.extension_notified_us), extended_due_date = f.extended_due,
            closed_at = make_timestamp(f.close_us), updated_at = make_timestamp(f.updated_us)
        FROM demo_request_final AS f
        WHERE f.request_id = q.request_id AND f.oldest_rank = 1 AND f.extend_us IS NOT NULL
    """)


def _paused_deadlines(cur: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """Decide for each pause whether it moves the deadline, and store the moved deadlines."""
    settings = stored_settings.read(cur)
    pauses = cur.execute("""
        SELECT p.request_id, p.paused_at, p.reason, p.asked_at, p.resumed_at, r.received_at,
               r.extended_due_date IS NOT NULL AS extended
        FROM request_pauses AS p JOIN requests AS r USING (request_id)
        WHERE r.due_date IS NOT NULL
        ORDER BY p.request_id, p.paused_at
    """).fetchall()
    eves = plan.eves_are_holidays
    moves_col, moved = [], {}
    for request_id, paused_at, reason, asked_at, resumed_at, received_at, extended in pauses:
        received = clock.from_utc_naive(received_at)
        moves = deadlines.pause_moves_deadline(
            received, reason, deadlines.stockholm_date(clock.from_utc_naive(asked_at)),
            within_working_days=settings.identity_pause_working_days, eves_are_holidays=eves)
        moves_col.append((request_id, paused_at, moves))
        if moves:
            span = (deadlines.stockholm_date(clock.from_utc_naive(paused_at)),
                    None if resumed_at is None else deadlines.stockholm_date(clock.from_utc_naive(resumed_at)))
            moved.setdefault(request_id, (received, extended, []))[2].append(span)
    if not moves_col:
        return
    temp_table(cur, "demo_pause_decisions", pa.table({
        "request_id": [r for r, _, _ in moves_col],
        "paused_at": pa.array([p for _, p, _ in moves_col], pa.timestamp("us")),
        "moves_deadline": [m for _, _, m in moves_col]}))
    cur.execute("""
        UPDATE request_pauses AS p SET moves_deadline = d.moves_deadline
        FROM demo_pause_decisions AS d WHERE d.request_id = p.request_id AND d.paused_at = p.paused_at
    """)
    cur.execute("DROP TABLE demo_pause_decisions")
    if not moved:
        return
    ids, due, extended_due = [], [], []
    for request_id, (received, extended, spans) in moved.items():
        ids.append(request_id)
        due.append(deadlines.paused_due_date(received, spans, plan.today, eves_are_holidays=eves))
        extended_due.append(deadlines.paused_due_date(received, spans, plan.today, months=3,
                                                      eves_are_holidays=eves) if extended else None)
    temp_table(cur, "demo_paused_deadlines", pa.table({
        "request_id": ids, "paused_due_date": pa.array(due, pa.date32()),
        "paused_extended_due_date": pa.array(extended_due, pa.date32())}))
    cur.execute("""
        UPDATE requests AS r SET paused_due_date = d.paused_due_date,
            paused_extended_due_date = d.paused_extended_due_date
        FROM demo_paused_deadlines AS d WHERE d.request_id = r.request_id
    """)
    cur.execute("DROP TABLE demo_paused_deadlines")

"""The retention records of the quote service's personal data, with their disposal (rules.md 4).

Records created over three years; retention ends at the source's date (~10 %) or last use plus the
customer's term. Disposal lagged more and more (the backlog grew) until a clean-up started 100 days ago
and caught up (the backlog shrank); ~3 % are never disposed, so the backlog today has records of every
age. Disposal is planned from the end under the terms in force: TERM_CHANGE_CUSTOMER's shortened term
makes records due on the day of the change (a step in the weekly backlog), and CONTRACT_ENDED_CUSTOMER's
records, due from its contract end, mostly wait in the backlog.
"""

# ruff: noqa: S608 - the SQL here is written from this package's constants, lifecycle's words, ints and dates;
# no value from people or files goes into it.

from __future__ import annotations

from datetime import datetime, time, timedelta

import duckdb

from privacyops.demo.customers import CATEGORIES
from privacyops.demo.plan import (
    CONTRACT_ENDED_CUSTOMER,
    CONTRACT_ENDED_DAYS_AGO,
    CONTRACT_ENDED_MOVED_TO,
    RETENTION_DAYS_BACK,
    Plan,
    Step,
    check_same_names,
    pick,
    quoted,
    uniform,
    us,
    with_steps,
)
from privacyops.rules.retention import END_ACTIONS
from privacyops.store.sql import date_literal, literal

# What a record's disposal is recorded as, by its customer's end action.
_DISPOSED_AS = {"delete": "deleted", "anonymise": "anonymised"}
check_same_names(_DISPOSED_AS, END_ACTIONS, "retention end actions")


def insert_retention_records(cur: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """max(200, events // 20) records, in one INSERT ... SELECT over range(records)."""
    disposed = f"NOT g.kept AND g.disposed_on <= {date_literal(plan.today)}"
    disposal_time = uniform("d.i", plan.seed, "disposal time")
    disposed_as = " ".join(f"WHEN {literal(a)} THEN {literal(d)}" for a, d in _DISPOSED_AS.items())
    records = f"""
        SELECT 'RR' || lpad(CAST(d.i + 1 AS VARCHAR), 9, '0'), d.customer_id, d.data_category,
            make_timestamp(d.created_us), make_timestamp(d.last_used_us), d.retention_ends_on,
            CASE WHEN {disposed}
                 THEN CAST(g.disposed_on AS TIMESTAMP)
                      + to_microseconds(CAST((1 + 2 * {disposal_time}) * 3600000000 AS BIGINT)) END,
            CASE WHEN {disposed} THEN CASE d.end_action {disposed_as} END END
        FROM due AS d LEFT JOIN guaranteed AS g USING (i)"""
    cur.execute("INSERT INTO retention_records (record_id, customer_id, data_category, created_at, last_used_at, "
                "retention_ends_on, disposed_at, disposal_action)\n"
                + with_steps([*_made_and_used(plan), *_disposal(plan)], records))


def _disposal(plan: Plan) -> list[Step]:
    """When each record's retention ends under the terms in force, and when it was disposed of."""
    s, today = plan.seed, date_literal(plan.today)
    cleanup = date_literal(plan.today - timedelta(days=100))
    last_used_on = "CAST(make_timestamp(last_used_us) AS DATE)"
    return [
        Step("due", "disposal is planned from the end under the terms in force (rules.md 4): after the shortened "
                    "term, the later of last use + the new term and the day of the change, unless already due", f"""
            SELECT *,
                coalesce(retention_ends_on, CASE
                    WHEN changed_on IS NULL THEN {last_used_on} + retention_days
                    WHEN {last_used_on} + old_days < changed_on THEN {last_used_on} + old_days
                    ELSE greatest({last_used_on} + retention_days, changed_on)
                END) AS end_on
            FROM ends"""),
        Step("lagged", "how long past its end each record is today; ~3 % are never disposed of", f"""
            SELECT *, date_diff('day', end_on, {today}) AS days_past,
                {uniform('i', s, 'never')} < 0.03 AS never_disposed
            FROM due"""),
        Step("planned", "the lag grew from ~6 days (records due long ago) to ~20 days lately: the backlog grew", f"""
            SELECT *,
                end_on + CAST(round(
                    CASE WHEN days_past > 540 THEN 6.0
                         WHEN days_past > 100 THEN 6.0 + (540 - days_past) / 440.0 * 170
                         ELSE 20.0 END * (0.3 + 1.4 * {uniform('i', s, 'lag')})) AS INTEGER) AS planned_on
            FROM lagged WHERE days_past >= 0"""),
        Step("guaranteed", "a few records always stay in the backlog, so even the smallest store shows one; the "
                           "clean-up of the last 100 days takes what waited at 0.3 times its planned lag", f"""
            SELECT i, never_disposed OR row_number() OVER (ORDER BY hash(i, CAST({s} AS BIGINT), 'keep'), i) <= 3
                       AS kept,
                CASE WHEN end_on < {cleanup} AND planned_on > {cleanup}
                     THEN {cleanup} + CAST(round(date_diff('day', {cleanup}, planned_on) * 0.3) AS INTEGER)
                     ELSE planned_on END AS disposed_on
            FROM planned"""),
    ]


def _made_and_used(plan: Plan) -> list[Step]:
    """Each record's customer, category, creation and last use, and its customer's term for the category."""
    s, m, as_of = plan.seed, plan.retention_records, plan.as_of_us
    start_us = us(plan.as_of - timedelta(days=RETENTION_DAYS_BACK))
    ended_us = us(datetime.combine(plan.today - timedelta(days=CONTRACT_ENDED_DAYS_AGO), time(0)))
    customer = pick(uniform("i", s, "record customer"), [(literal(c.customer_id), c.weight) for c in plan.customers])
    return [
        Step("made", "(i + u) / m is increasing in i, so record ids follow creation time; ^0.8: more lately", f"""
            SELECT i, {customer} AS customer_id,
                {pick(uniform('i', s, 'category'), quoted(CATEGORIES))} AS data_category,
                {start_us} + CAST(pow((i + {uniform('i', s, 'created')}) / {m}, 0.8) * ({as_of} - {start_us})
                                  AS BIGINT) AS created_us
            FROM range({m}) AS r(i)"""),
        Step("used", "the customer whose contract ended has no records created after that day; last use is "
                     "mostly soon after creation", f"""
            SELECT * REPLACE (CASE WHEN customer_id = {literal(CONTRACT_ENDED_CUSTOMER)} AND created_us >= {ended_us}
                                   THEN {literal(CONTRACT_ENDED_MOVED_TO)} ELSE customer_id END AS customer_id),
                created_us + 1000000 + CAST(pow({uniform('i', s, 'used')}, 3)
                      * greatest(0, {as_of} - created_us - 1000000) AS BIGINT) AS last_used_us
            FROM made"""),
        Step("ends", "~10 % have an end date from their source; the others end by their customer's term, "
                     "the old one too where it was shortened", f"""
            SELECT u.*, t.end_action,
                CASE WHEN {uniform('i', s, 'explicit')} < 0.10
                     THEN CAST(make_timestamp(last_used_us) AS DATE)
                          + CAST(30 + 700 * {uniform('i', s, 'explicit days')} AS INTEGER) END AS retention_ends_on,
                t.retention_days, tc.changed_on, tc.old_days
            FROM used AS u JOIN customer_retention_terms AS t USING (customer_id, data_category)
            LEFT JOIN demo_term_change AS tc USING (customer_id, data_category)"""),
    ]

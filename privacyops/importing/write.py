"""The write step: the eligible rows that the store does not have yet go into their table; customers with
their retention terms and change log, requests with their deadlines and one 'import' history entry each.
A dry run (analyse) only counts them.
"""

# ruff: noqa: S608 - every statement here is generated from the import contract and constants; values from
# a file reach DuckDB only as data (the reader's columns) or as bound parameters, never as SQL text.

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from privacyops.importing import contract
from privacyops.importing.check import CheckedRows
from privacyops.importing.options import ProgressFn
from privacyops.importing.read import ReadyFile
from privacyops.importing.repeats import Repeats
from privacyops.importing.runs import RunStamp
from privacyops.rules import lifecycle
from privacyops.rules.retention import DATA_CATEGORIES
from privacyops.store import history
from privacyops.store import settings as stored_settings
from privacyops.store.sql import literal, string_list
from privacyops.store.tables import due_dates, forward_due_dates, temp_table


@dataclass(frozen=True)
class Written:
    imported: int               # new rows (for a dry run: rows that would be new)
    already_present: int        # eligible rows the store already has


def write_rows(cur: duckdb.DuckDBPyConnection, file: ReadyFile, rows: CheckedRows, repeats: Repeats,
               run: RunStamp, *, actor: str, dry_run: bool, progress: ProgressFn) -> Written:
    """Insert the new rows (count them for a dry run); imported + already present = eligible."""
    if not repeats.eligible:
        return Written(0, 0)
    progress("Writing the new rows", 0.6)
    kind, target = file.kind, contract.TARGET_TABLE[file.kind]
    target_empty = not cur.execute(f"SELECT EXISTS (FROM {target})").fetchone()[0]
    if kind in ("consent", "retention") and not dry_run:
        # The big kinds: straight from imp_rows; OR IGNORE skips the rows already in the store by the
        # primary key's index (cheaper than joining a large table), so imported + present = eligible.
        cols = ", ".join(contract.column_names(kind))
        verb = "INSERT INTO" if target_empty else "INSERT OR IGNORE INTO"
        imported = int(cur.execute(f"{verb} {target} ({cols}) SELECT {cols} FROM imp_rows AS r "
                                   f"WHERE {repeats.eligible_rows(rows)}").fetchone()[0])
        return Written(imported, repeats.eligible - imported)
    id_column = contract.ID_COLUMN[kind]
    present = "" if target_empty else (f" AND NOT EXISTS (SELECT 1 FROM {target} AS t "
                                       f"WHERE t.{id_column} = e.{id_column})")
    eligible = f"SELECT {rows.row_index} AS row_index, * FROM imp_rows AS r WHERE {repeats.eligible_rows(rows)}"
    new_rows = f"SELECT * FROM ({eligible}) AS e WHERE TRUE{present}"
    if dry_run:
        imported = int(cur.execute(f"SELECT count(*) FROM ({new_rows})").fetchone()[0])
        return Written(imported, repeats.eligible - imported)
    cur.execute(f"CREATE TEMP TABLE imp_new AS {rows.with_lines(new_rows)}")
    imported = int(cur.execute("SELECT count(*) FROM imp_new").fetchone()[0])
    if kind == "customers":
        _insert_customers(cur, run, actor)
    else:
        _insert_requests(cur, run)
        append_request_history(cur, file.name, run, actor)
    return Written(imported, repeats.eligible - imported)


def _insert_customers(cur: duckdb.DuckDBPyConnection, run: RunStamp, actor: str) -> None:
    """imp_new's customers, their retention terms, and one change-log row per field they were given."""
    stamp = {"at": run.started_at}
    # The consent policy is set explicitly by the file (or none): confirmed (rules.md 3).
    cur.execute("INSERT INTO customers (customer_id, name, org_number, forward_working_days, created_at, "
                "consent_policy_version, consent_policy_effective_on, consent_policy_confirmed) "
                "SELECT customer_id, name, org_number, forward_working_days, $at, consent_policy_version, "
                "consent_policy_effective_on, TRUE FROM imp_new", stamp)
    for category in DATA_CATEGORIES:
        cur.execute(f"""
            INSERT INTO customer_retention_terms (customer_id, data_category, retention_days, end_action)
            SELECT customer_id, {literal(category)}, {category}_retention_days, {category}_end_action FROM imp_new
        """)
    fields = [("name", "name"), ("org_number", "org_number"),
              ("forward_working_days", "CAST(forward_working_days AS VARCHAR)")]
    for category in DATA_CATEGORIES:
        fields += [(f"{category}.retention_days", f"CAST({category}_retention_days AS VARCHAR)"),
                   (f"{category}.end_action", f"{category}_end_action")]
    fields += [("consent_policy_version", "consent_policy_version"),
               ("consent_policy_effective_on", "CAST(consent_policy_effective_on AS VARCHAR)")]
    selects = " UNION ALL ".join(
        f"SELECT customer_id, {literal(label)} AS field, {expr} AS new_value, line FROM imp_new"
        + (" WHERE consent_policy_version IS NOT NULL" if label.startswith("consent_policy") else "")
        for label, expr in fields)
    cur.execute(f"""
        INSERT INTO customer_changes (customer_id, changed_at, changed_by, field, old_value, new_value)
        SELECT customer_id, $at, $actor, field, NULL, new_value FROM ({selects}) ORDER BY line, field
    """, {**stamp, "actor": actor})


# The Stockholm day a request was received: its deadlines count from it (rules.md 1).
_RECEIVED_ON = "CAST(timezone('Europe/Stockholm', timezone('UTC', n.received_at)) AS DATE)"


def _insert_requests(cur: duckdb.DuckDBPyConnection, run: RunStamp) -> None:
    """imp_new's requests with their due dates: looked up per receipt day (and forwarding term) from tables
    the rules fill, not worked out per row."""
    eves = stored_settings.read(cur).eves_are_holidays
    days = [d for (d,) in cur.execute(f"SELECT DISTINCT {_RECEIVED_ON} FROM imp_new AS n").fetchall()]
    # Expandra's own requests (no customer) have no forwarding term, so no forwarding date
    pairs = cur.execute(f"""
        SELECT DISTINCT {_RECEIVED_ON} AS received_on, c.forward_working_days
        FROM imp_new AS n JOIN customers AS c USING (customer_id)
    """).fetchall()
    temp_table(cur, "imp_due", due_dates(days, eves_are_holidays=eves))
    temp_table(cur, "imp_forward_due", forward_due_dates(pairs, eves_are_holidays=eves))
    outcome = "CASE WHEN n.status IN ('completed', 'refused', 'withdrawn') THEN coalesce(n.outcome, n.status) END"
    without_month_clock = string_list(sorted(lifecycle.TYPES_WITHOUT_MONTH_CLOCK))
    cur.execute(f"""
        INSERT INTO requests (request_id, customer_id, request_type, received_at, channel, requester_email,
            requester_name, subject_id, description, status, assignee, forward_due_date, forwarded_at, due_date,
            closed_at, outcome, refusal_ground, refusal_reasons, refusal_remedies_told, refusal_notified_at,
            recipients_notice, recipients_told_at, controller_answered_on, eves_are_holidays,
            created_at, updated_at)
        SELECT n.request_id, n.customer_id, n.request_type, n.received_at, n.channel, n.requester_email,
            n.requester_name, n.subject_id, n.description, n.status, n.assignee, f.forward_due_date,
            n.forwarded_at,
            CASE WHEN list_contains({without_month_clock}, n.request_type) THEN NULL ELSE d.due_date END,
            n.closed_at, {outcome}, n.refusal_ground, n.refusal_reasons, n.refusal_remedies_told,
            -- the refusal notice defaults to the refusal itself, as the form's 'told just now' does
            CASE WHEN n.status = 'refused' THEN coalesce(n.refusal_notified_at, n.closed_at) END,
            n.recipients_notice, n.recipients_told_at, n.controller_answered_on, $eves, $at, $at
        FROM imp_new AS n
        LEFT JOIN customers AS c USING (customer_id)
        JOIN imp_due AS d ON d.received_on = {_RECEIVED_ON}
        LEFT JOIN imp_forward_due AS f
          ON f.received_on = d.received_on AND f.working_days = c.forward_working_days
        ORDER BY n.line
    """, {"at": run.started_at, "eves": eves})


# What a request's 'import' history entry records: its values as stored (history leaves out its PERSONAL_FIELDS).
_HISTORY_COLUMNS = ["request_id", "customer_id", "request_type", "received_at", "channel", "requester_email",
                    "requester_name", "subject_id", "description", "status", "assignee", "forward_due_date",
                    "forwarded_at", "due_date", "closed_at", "outcome", "refusal_ground", "refusal_reasons",
                    "refusal_remedies_told", "refusal_notified_at", "recipients_notice", "recipients_told_at",
                    "controller_answered_on", "eves_are_holidays"]


def append_request_history(cur: duckdb.DuckDBPyConnection, file_name: str, run: RunStamp, actor: str) -> None:
    """One 'import' entry per imported request, in file order, through history.append_many() (chained
    exactly as history.append() would chain them one by one, without the requester's personal data)."""
    rows = cur.execute(f"""
        SELECT {', '.join('q.' + c for c in _HISTORY_COLUMNS)}, n.line
        FROM requests AS q JOIN imp_new AS n USING (request_id)
        ORDER BY n.line
    """).fetchall()
    entries = []
    for row in rows:
        values = dict(zip(_HISTORY_COLUMNS, row[:-1], strict=True))
        entries.append(history.NewEntry(
            request_id=values["request_id"], at=run.started_at, actor=actor, action="import",
            changes={column: [None, value] for column, value in values.items() if value is not None},
            note=f"Imported from {file_name} (import run {run.run_id}, line {row[-1]})"))
    history.append_many(cur, entries)

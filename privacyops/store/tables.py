"""Small tables that Python builds and SQL joins against, the one way: an Arrow table copied into a temp
table of the caller's cursor (temp tables vanish with the connection), and the deadline lookups that the
bulk writers (the import, the demo) join instead of calling the rules row by row.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import duckdb
import pyarrow as pa

from privacyops.rules import deadlines
from privacyops.store.sql import identifier


def temp_table(cur: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    """Copy `table` into the temp table `name` (replacing one of that name) on this cursor."""
    view = f"{name}_arrow"
    cur.register(view, table)
    try:
        cur.execute(f"CREATE OR REPLACE TEMP TABLE {identifier(name)} AS SELECT * FROM {identifier(view)}")  # noqa: S608
    finally:
        cur.unregister(view)


def due_dates(days: Iterable[date], *, eves_are_holidays: bool) -> pa.Table:
    """received_on, due_date, extended_due_date for each Stockholm receipt date (rules.md 1)."""
    ordered = sorted(set(days))
    return pa.table({
        "received_on": pa.array(ordered, pa.date32()),
        "due_date": pa.array([deadlines.due_date(d, eves_are_holidays=eves_are_holidays) for d in ordered],
                             pa.date32()),
        "extended_due_date": pa.array([deadlines.extended_due_date(d, eves_are_holidays=eves_are_holidays)
                                       for d in ordered], pa.date32()),
    })


def forward_due_dates(pairs: Iterable[tuple[date, int]], *, eves_are_holidays: bool) -> pa.Table:
    """received_on, working_days, forward_due_date for each (receipt date, forwarding term) pair (rules.md 2)."""
    ordered = sorted(set(pairs))
    return pa.table({
        "received_on": pa.array([d for d, _ in ordered], pa.date32()),
        "working_days": pa.array([int(w) for _, w in ordered], pa.int32()),
        "forward_due_date": pa.array([deadlines.forward_due_date(d, int(w), eves_are_holidays=eves_are_holidays)
                                      for d, w in ordered], pa.date32()),
    })

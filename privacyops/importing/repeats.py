"""The find-repeats step: an id that appears again later in the same file (the first row counts, the later
ones are rejected, or for hash-identified consent records count as already present), and the rows that are
then eligible to import unless the store already has them (the write step tells those apart).
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


@dataclass(frozen=True)
class Repeats:
    """imp_repeated (row_index, first_index, passes_checks): each row repeating an earlier row's id."""

    repeats: int                # rows whose id an earlier row of the file has
    repeats_passing: int        # of those, rows without any other problem
    eligible: int               # rows without a problem that repeat no earlier row: new, or already present

    def eligible_rows(self, rows: CheckedRows) -> str:
        """SQL WHERE condition on imp_rows AS r: the eligible rows."""
        # the anti-join only when there are repeats: most files have none, and it costs a pass
        repeated = (f" AND NOT EXISTS (SELECT 1 FROM imp_repeated AS x WHERE x.row_index = (r.rowid - "
                    f"{rows.first_rowid}))" if self.repeats else "")
        return f"NOT r.is_empty AND r.problems IS NULL{repeated}"


def find_repeats(cur: duckdb.DuckDBPyConnection, file: ReadyFile, rows: CheckedRows,
                 progress: ProgressFn) -> Repeats:
    """imp_repeat (each id that appears more than once, its first row) and imp_repeated (the later rows)."""
    progress("Looking for repeated ids and rows already in the store", 0.45)
    id_column = contract.ID_COLUMN[file.kind]
    cur.execute(f"""
        CREATE TEMP TABLE imp_repeat AS
        SELECT {id_column} AS id, min({rows.row_index}) AS first_index, count(*) AS copies
        FROM imp_rows WHERE NOT is_empty AND {id_column} IS NOT NULL
        GROUP BY {id_column} HAVING count(*) > 1
    """)
    cur.execute(f"""
        CREATE TEMP TABLE imp_repeated AS
        SELECT (r.rowid - {rows.first_rowid}) AS row_index, x.first_index, r.problems IS NULL AS passes_checks
        FROM imp_rows AS r JOIN imp_repeat AS x ON r.{id_column} = x.id
        WHERE (r.rowid - {rows.first_rowid}) > x.first_index AND NOT r.is_empty
    """)
    repeats, passing = (int(n) for n in cur.execute(
        "SELECT count(*), count(*) FILTER (WHERE passes_checks) FROM imp_repeated").fetchone())
    return Repeats(repeats, passing, rows.filled_rows - rows.rows_with_problems - passing)

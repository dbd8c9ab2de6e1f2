"""The parse and check steps: every row of the file into the temp table imp_rows, parsed and checked by one
statement (check_sql.rows_statement), with what the reader could not read in imp_parse and the row numbering
that gives each row its line in the file.

Row numbers: CSV line N is the file's Nth row as a spreadsheet counts them (the header is line 1, a value
spanning lines is one row); JSON lines are numbered by line; Parquet rows from 1. imp_rows holds the rows in
file order, so a row's index is its rowid minus the first rowid; the lines DuckDB left out (rows its reader
rejected, blank CSV lines) are holes in that numbering, kept in imp_holes.
"""

# ruff: noqa: S608 - every statement here is generated from the import contract and constants; values from
# a file reach DuckDB only as data (the reader's columns) or as bound parameters, never as SQL text.

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from privacyops import clock
from privacyops.importing import detect
from privacyops.importing.check_sql import rows_statement
from privacyops.importing.options import ProgressFn
from privacyops.importing.read import ReadyFile, parameters_for, reader_sql
from privacyops.store import StoreError, run_named


@dataclass(frozen=True)
class CheckedRows:
    """imp_rows, imp_parse and imp_holes as the check step left them, and their counts."""

    first_rowid: int            # the rowid of imp_rows' first row (rows are numbered from a large offset)
    first_line: int             # the line of the file's first row
    blank_lines: tuple[int, ...]  # blank CSV lines (DuckDB skips them without a trace)
    filled_rows: int            # rows with at least one value
    empty_rows: int             # rows without any value: skipped, not counted as read
    rows_with_problems: int     # filled rows with a problem in a value or across values
    unreadable_lines: int       # lines the reader could not split into the header's columns (imp_parse)

    @property
    def row_index(self) -> str:
        """SQL: a row of imp_rows' index in the file's rows (0 for the first)."""
        return f"(rowid - {self.first_rowid})"

    def with_lines(self, relation: str) -> str:
        """SQL adding `line` (the row's line in the file) to a relation that has `row_index`: the index, the
        first line, and the holes before it (the ASOF join finds the last hole at or before the index)."""
        return (f"SELECT x.*, {self.first_line} + x.row_index + coalesce(h.holes_before, 0) AS line "
                f"FROM ({relation}) AS x ASOF LEFT JOIN imp_holes AS h ON x.row_index >= h.from_index")


def check_rows(cur: duckdb.DuckDBPyConnection, file: ReadyFile, *, now: datetime,
               progress: ProgressFn) -> CheckedRows:
    """Parse and check every row into imp_rows; keep what the reader rejected in imp_parse; number the rows."""
    progress("Parsing and checking every row", 0.15)
    source, params, row_problem = reader_sql(file)
    statement = rows_statement(file.kind, source, len(file.headers), file.mapping,
                               row_problem_sql=row_problem, hash_id=file.hash_id)
    known_customers = [row[0] for row in run_named(cur, "customer_list").fetchall()]
    params = {**params, "now": clock.to_utc_naive(now), "known_customers": known_customers,
              "decimal_comma": file.options.decimal_comma}
    cur.execute(statement, parameters_for(statement, params))
    first_rowid = first_rowid_of(cur, "imp_rows")
    _keep_reader_rejects(cur, file)
    _report_unclosed_quote(cur, file)
    filled, empty, with_problems = (int(c) for c in cur.execute("""
        SELECT count(*) FILTER (WHERE NOT is_empty), count(*) FILTER (WHERE is_empty),
               count(*) FILTER (WHERE NOT is_empty AND problems IS NOT NULL)
        FROM imp_rows
    """).fetchone())
    unreadable = int(cur.execute("SELECT count(DISTINCT line) FROM imp_parse").fetchone()[0])
    blanks = _blank_lines(file, rows=filled + empty, unreadable=unreadable)
    _number_lines(cur, blanks, file.first_line)
    return CheckedRows(first_rowid, file.first_line, blanks, filled, empty, with_problems, unreadable)


def first_rowid_of(cur: duckdb.DuckDBPyConnection, table: str) -> int:
    """The rowid of the first row of `table`. A table created inside a transaction numbers its rows from a
    large offset, contiguously and in insertion order (file order): rowid - first is a row's index."""
    first, last, count = cur.execute(f"SELECT min(rowid), max(rowid), count(*) FROM {table}").fetchone()
    if count and last - first + 1 != count:  # pragma: no cover - DuckDB has always numbered them contiguously
        raise StoreError("The import could not number the file's rows; nothing was imported. Report this.")
    return int(first or 0)


def _keep_reader_rejects(cur: duckdb.DuckDBPyConnection, file: ReadyFile) -> None:
    """imp_parse: one row per line the reader rejected (Parquet has no such lines: an empty table)."""
    if file.options.format != "parquet":
        cur.execute("""
            CREATE TEMP TABLE imp_parse AS
            SELECT line, CAST(error_type AS VARCHAR) AS error_type, any_value(column_name) AS column_name,
                   any_value(csv_line) AS csv_line,
                   any_value(error_message) AS error_message
            FROM imp_reject_errors GROUP BY ALL
        """)
    else:
        cur.execute("CREATE TEMP TABLE imp_parse (line BIGINT, error_type VARCHAR, column_name VARCHAR, "
                    "csv_line VARCHAR, error_message VARCHAR)")


def _report_unclosed_quote(cur: duckdb.DuckDBPyConnection, file: ReadyFile) -> None:
    """DuckDB's CSV reader may drop a quote that is never closed, and every line after it, without a
    word (seen with its single-threaded reader when the quote runs to the end of the file). An odd
    number of quote characters in the file means there is one: find where it opens, and unless the
    reader reported that row, report it here, so no line goes missing from the count."""
    if file.options.format != "csv" or file.scan.quotes % 2 == 0:
        return
    found = detect.unclosed_quote(file.read_path)
    if found is None:
        return
    record, text = found
    reported = cur.execute("SELECT count(*) FROM imp_parse WHERE line >= $line", {"line": record}).fetchone()[0]
    if not reported:
        cur.execute("INSERT INTO imp_parse VALUES ($line, 'UNTERMINATED QUOTE', NULL, $text, "
                    "'a quote that is never closed')", {"line": record, "text": text})


def _blank_lines(file: ReadyFile, *, rows: int, unreadable: int) -> tuple[int, ...]:
    """The blank lines of a CSV file. DuckDB skips them without a trace. Fewer rows than lines means blank
    lines or values spanning lines: only then find the blank lines (a pass over the file in Python)."""
    if file.options.format != "csv" or len(file.headers) <= 1:
        return ()
    if file.scan.lines - file.scan.trailing_blank_lines > 1 + rows + unreadable:
        return tuple(detect.blank_records(file.read_path, file.scan.has_quotes))
    return ()


def _number_lines(cur: duckdb.DuckDBPyConnection, blank_lines: tuple[int, ...], first_line: int) -> None:
    """imp_holes: the lines missing from imp_rows (rejected by the reader, or blank), as steps. The nth hole
    (hole_number n) comes before the row with index line - first - n + 1; from that index on, n lines are
    missing before each row (several holes in a row make one step), so a row's line is
    first_line + index + holes_before."""
    cur.execute("""
        CREATE TEMP TABLE imp_holes AS
        WITH holes AS (
            SELECT DISTINCT line FROM (SELECT line FROM imp_parse UNION ALL SELECT unnest($blanks) AS line)
            WHERE line >= $first
        ), numbered AS (
            SELECT line, row_number() OVER (ORDER BY line) AS hole_number FROM holes
        )
        SELECT line - $first - hole_number + 1 AS from_index, max(hole_number) AS holes_before
        FROM numbered GROUP BY ALL ORDER BY from_index
    """, {"blanks": [int(b) for b in blank_lines], "first": first_line})

"""Every rejected row with its line, column and reason: collected in the temp table imp_rejects (the
rejects step), kept in `import_rejects` by runs.record_run, and written out as a CSV a spreadsheet opens.

A line may have several problems (one imp_rejects row each); `rejected` in the report counts lines.
"""

# ruff: noqa: S608 - every statement here is generated from the import contract and constants; values from
# a file reach DuckDB only as data (the reader's columns) or as bound parameters, never as SQL text.

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from privacyops.cases import exports
from privacyops.importing import contract
from privacyops.importing.check import CheckedRows, first_rowid_of
from privacyops.importing.options import ImportInputError, ProgressFn
from privacyops.importing.read import ReadyFile, parameters_for, reader_sql
from privacyops.importing.repeats import Repeats
from privacyops.store import Store
from privacyops.store.sql import literal

# DuckDB's CSV reader's error types, as a person reads them.
PARSE_REASONS = {
    "MISSING COLUMNS": "has fewer values than the header has columns",
    "TOO MANY COLUMNS": "has more values than the header has columns (a delimiter inside a value that is not quoted?)",
    "UNQUOTED VALUE": "has a stray quote: a quoted value must be wholly in quotes, with quotes inside it doubled",
    "UNTERMINATED QUOTE": "opens a quote that is never closed: it and every line after it were read as one "
                          "value and not imported",
    "LINE SIZE OVER MAXIMUM": "is longer than DuckDB's maximum line size (a quote that is never closed?)",
    "INVALID ENCODING": "is not valid UTF-8 text (choose the encoding Windows-1252 if it comes from Excel)",
    "INVALID UNICODE": "is not valid UTF-8 text (choose the encoding Windows-1252 if it comes from Excel)",
}


@dataclass(frozen=True)
class Rejected:
    problems: int               # imp_rejects rows: one per problem
    lines: int                  # distinct lines among them: the rejected rows


def collect_rejects(cur: duckdb.DuckDBPyConnection, file: ReadyFile, rows: CheckedRows, repeats: Repeats,
                    progress: ProgressFn) -> Rejected:
    """imp_rejects: the problems of the checked rows, the lines the reader could not read, and the repeats."""
    progress("Keeping every rejected row with its reasons", 0.5)
    cur.execute("CREATE TEMP TABLE imp_rejects (line BIGINT, column_name VARCHAR, reason VARCHAR, value VARCHAR, "
                "record VARCHAR)")
    bad = (f"SELECT {rows.row_index} AS row_index, problems, record FROM imp_rows "
           "WHERE NOT is_empty AND problems IS NOT NULL")
    cur.execute(f"""
        INSERT INTO imp_rejects
        SELECT line, struct_extract(p, 'column'), struct_extract(p, 'reason'),
               left(struct_extract(p, 'value'), 1000), record
        FROM (SELECT line, unnest(problems) AS p, record FROM ({rows.with_lines(bad)}))
    """)
    if file.options.format == "jsonl":
        # the reader saw one text column per line: whatever it rejected is a line that is not JSON
        cur.execute(f"""
            INSERT INTO imp_rejects
            SELECT line, '(line)',
                CASE WHEN error_type LIKE 'INVALID%' THEN {literal(PARSE_REASONS['INVALID ENCODING'])}
                     ELSE 'is not a JSON object' END,
                left(csv_line, 1000), to_json([csv_line])
            FROM imp_parse
        """)
    else:
        _reader_rejects(cur, file)
    if repeats.repeats and not file.hash_id:
        _repeat_rejects(cur, file, rows)
    problems, lines = cur.execute("SELECT count(*), count(DISTINCT line) FROM imp_rejects").fetchone()
    return Rejected(int(problems), int(lines))


def _reader_rejects(cur: duckdb.DuckDBPyConnection, file: ReadyFile) -> None:
    """The rows DuckDB's CSV reader could not split into the header's columns, with their reasons."""
    labels = [_column_label(file, i) for i in range(len(file.headers))]
    reasons = " ".join(f"WHEN {literal(error_type)} THEN {literal(reason)}"
                       for error_type, reason in PARSE_REASONS.items())
    cur.execute(f"""
        INSERT INTO imp_rejects
        SELECT line,
            CASE WHEN error_type IN ('MISSING COLUMNS', 'TOO MANY COLUMNS', 'UNQUOTED VALUE',
                                     'LINE SIZE OVER MAXIMUM', 'UNTERMINATED QUOTE')
                      OR column_name IS NULL THEN '(row)'
                 ELSE coalesce(list_extract($labels, TRY_CAST(substr(column_name, 2) AS INTEGER) + 1), '(row)')
            END,
            coalesce(CASE error_type {reasons} END, error_message)
                || CASE WHEN error_type IN ('MISSING COLUMNS', 'TOO MANY COLUMNS')
                        THEN ' (' || regexp_extract(error_message, 'Found: (\\d+)', 1) || ' values, '
                             || regexp_extract(error_message, 'Columns: (\\d+)', 1) || ' columns)'
                        ELSE '' END,
            left(csv_line, 1000), to_json([csv_line])
        FROM imp_parse
    """, {"labels": labels})


def _column_label(file: ReadyFile, index: int) -> str:
    """The name a reject gives the file's column `index`: the contract column it feeds, else its header."""
    for name, i in file.mapping.items():
        if i == index:
            return name
    return file.headers[index]


def _repeat_rejects(cur: duckdb.DuckDBPyConnection, file: ReadyFile, rows: CheckedRows) -> None:
    """A repeated id after its first row is rejected; its raw values are read again from the file
    (only when there are repeats) so the rejects keep the whole row."""
    source, params, _ = reader_sql(file, store_rejects=False)
    raw_cols = ", ".join(f"c{i}" for i in range(len(file.headers)))
    cur.execute(f"CREATE TEMP TABLE imp_src AS SELECT to_json([{raw_cols}]) AS record FROM ({source})",
                parameters_for(source, params))
    id_column = contract.ID_COLUMN[file.kind]
    first = rows.with_lines("SELECT DISTINCT first_index AS row_index FROM imp_repeated")
    repeated = rows.with_lines(f"SELECT x.row_index, x.first_index, r.{id_column} AS id FROM imp_repeated AS x "
                               f"JOIN imp_rows AS r ON (r.rowid - {rows.first_rowid}) = x.row_index")
    source_first_rowid = first_rowid_of(cur, "imp_src")
    cur.execute(f"""
        INSERT INTO imp_rejects
        SELECT rp.line, {literal(id_column)}, 'appears again in this file (first on line ' || f.line || ')', rp.id,
            s.record
        FROM ({repeated}) AS rp
        JOIN ({first}) AS f ON f.row_index = rp.first_index
        JOIN imp_src AS s ON s.rowid - {source_first_rowid} = rp.row_index
    """)


# --- the rejects as a CSV file ---------------------------------------------------------------------------


def neutralise(value: str | None) -> str | None:
    """A cell as it is safe in a spreadsheet (exports.neutralise_cell), for cells the page shows or writes."""
    return exports.neutralise_cell(value) if value else value


def write_rejects(cur: duckdb.DuckDBPyConnection, source: str, params: Mapping[str, Any], headers: Sequence[str],
                  dest: Path, delimiter: str) -> None:
    """One CSV row per rejected line of `source` (line, column_name, reason, value, record): line, problems
    ('column: reason (value)'; ...), then the row as it was in the file. UTF-8 with BOM (Excel reads it
    right), formula-looking cells neutralised (exports.neutralised_sql)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    body = dest.with_name(dest.name + ".body")
    neutral = exports.neutralised_sql
    cells = ", ".join(neutral(f"json_extract_string(record, '$[{i}]')") for i in range(len(headers)))
    per_line = f"""
        SELECT line,
            string_agg(column_name || ': ' || reason
                       || coalesce(' (' || left(value, 200) || ')', ''), '; ' ORDER BY column_name, reason) AS problems,
            any_value(record) AS record
        FROM ({source}) GROUP BY line
    """
    cur.execute(f"""
        COPY (SELECT CAST(line AS VARCHAR), {neutral('problems')}{', ' + cells if cells else ''}
              FROM ({per_line}) ORDER BY line)
        TO $body (FORMAT csv, HEADER false, DELIMITER $delim, QUOTE '"', FORCE_QUOTE *)
    """, {**params, "body": str(body), "delim": delimiter})
    # the BOM and the header row from Python (headers neutralised too), then the body DuckDB wrote
    with dest.open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_ALL).writerow(
            ["line", "problems", *[neutralise(h) or "" for h in headers]])
    with dest.open("ab") as out, body.open("rb") as part:
        shutil.copyfileobj(part, out)
    body.unlink()


def write_checked_rejects(cur: duckdb.DuckDBPyConnection, file: ReadyFile, dest: Path) -> None:
    """A dry run's rejects (imp_rejects, before the rollback) as CSV, in the file's own delimiter."""
    write_rejects(cur, "SELECT line, column_name, reason, value, record FROM imp_rejects", {}, file.headers,
                  dest, file.options.delimiter if file.options.format == "csv" else ",")


def write_rejects_csv(store: Store, run_id: int, dest: Path) -> int:
    """Write a recorded run's rejects to `dest`; returns the number of rejected lines."""
    with store.cursor() as cur:
        run = cur.execute("SELECT file_columns, file_format, options FROM import_runs WHERE run_id = $run",
                          {"run": run_id}).fetchone()
        if run is None:
            raise ImportInputError(f"There is no import run {run_id}.")
        headers = json.loads(run[0])
        options = json.loads(run[2])
        delimiter = options.get("delimiter", ",") if run[1] == "csv" else ","
        write_rejects(cur, "SELECT line_number AS line, column_name, reason, value, record FROM import_rejects "
                      "WHERE run_id = $run", {"run": run_id}, headers, dest, delimiter)
        return int(cur.execute("SELECT count(DISTINCT line_number) FROM import_rejects WHERE run_id = $run",
                               {"run": run_id}).fetchone()[0])


def rejects_csv_bytes(store: Store, run_id: int) -> bytes:
    """A recorded run's rejects as CSV bytes (for a download button)."""
    folder = Path(tempfile.mkdtemp(prefix="privacyops-rejects-"))
    try:
        target = folder / "rejects.csv"
        write_rejects_csv(store, run_id, target)
        return target.read_bytes()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

"""Exports: the full result of a named query as a CSV or Parquet file, written by DuckDB.

The file is produced by DuckDB's `COPY (query) TO ...` into a private temporary folder and read back
as bytes, so an export of millions of rows never passes through pandas and is not limited to the
preview a page shows. Parameters are bound exactly as for `Store.query` (named, never pasted into the
SQL); the only text built here is the column list of the query's own result and the temporary path.

CSV cells that a spreadsheet would run as a formula (CSV injection: a text cell beginning with
=, +, -, @, a tab or a carriage return) are neutralised by a leading single quote (OWASP's advice).
Parquet keeps the values as they are: its cells are typed data, not text a spreadsheet evaluates.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from privacyops.store import QueryError, Store, named_query

# A text cell starting with one of these is a formula to Excel, LibreOffice or Google Sheets.
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISING_PREFIX = "'"
# The same set for RE2 (DuckDB's regexp engine), where \t and \r mean tab and carriage return.
_TRIGGER_PATTERN = r"^[=+@\t\r-]"


@dataclass(frozen=True)
class ExportFormat:
    key: str
    label: str
    extension: str
    mime: str
    copy_options: str


FORMATS: dict[str, ExportFormat] = {
    "csv": ExportFormat("csv", "CSV", "csv", "text/csv", "FORMAT csv, HEADER true, DELIMITER ','"),
    "parquet": ExportFormat("parquet", "Parquet", "parquet", "application/vnd.apache.parquet",
                            "FORMAT parquet, COMPRESSION zstd"),
}


def neutralise_cell(value: str) -> str:
    """The text as it is safe to put in a CSV cell: a leading single quote when it starts like a formula."""
    return NEUTRALISING_PREFIX + value if value.startswith(FORMULA_TRIGGERS) else value


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _neutralised(column: str) -> str:
    """SQL doing neutralise_cell() on one VARCHAR column. A regular expression rather than IN (...):
    DuckDB plans a constant IN list as a join, which does not keep the query's row order."""
    col = _identifier(column)
    return (f"CASE WHEN regexp_matches({col}, {_literal(_TRIGGER_PATTERN)}) "
            f"THEN {_literal(NEUTRALISING_PREFIX)} || {col} ELSE {col} END AS {col}")


def _check_params(name: str, params: dict[str, Any]) -> str:
    """The query's SQL (one statement, no trailing semicolon) once the parameters match its header."""
    q = named_query(name)
    given = set(params)
    if given != q.params:
        missing = ", ".join(f"${p}" for p in sorted(q.params - given))
        extra = ", ".join(f"${p}" for p in sorted(given - q.params))
        raise QueryError(f"queries/{name}.sql was called with the wrong parameters"
                         + (f"; missing {missing}" if missing else "")
                         + (f"; not declared {extra}" if extra else "") + ".")
    return q.sql.strip().rstrip(";")


def export_query(store: Store, name: str, fmt: str, **params: Any) -> bytes:
    """Run queries/NAME.sql with `params` and return its whole result as a CSV or Parquet file."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format '{fmt}'; known: {', '.join(FORMATS)}")
    sql = _check_params(name, params)
    source = f"(\n{sql}\n) AS exported"
    with tempfile.TemporaryDirectory(prefix="privacyops-export-") as folder, store.cursor() as cur:
        selected = f"SELECT * FROM {source}"  # noqa: S608 - the named query's own text, parameters bound
        if fmt == "csv":
            described = cur.execute(f"{selected} LIMIT 0", params or None).description or []
            text_columns = [str(col[0]) for col in described if str(col[1]) == "VARCHAR"]
            if text_columns:
                replaced = ", ".join(_neutralised(c) for c in text_columns)
                selected = f"SELECT * REPLACE ({replaced}) FROM {source}"  # noqa: S608 - column names from the result
        target = Path(folder) / f"export.{FORMATS[fmt].extension}"
        cur.execute(f"COPY ({selected}) TO {_literal(str(target))} ({FORMATS[fmt].copy_options})",
                    params or None)
        return target.read_bytes()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A small, already-computed table as UTF-8 CSV, with formula-looking text cells neutralised."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(lambda v: neutralise_cell(v) if isinstance(v, str) else v)
    return safe.to_csv(index=False, date_format="%Y-%m-%d %H:%M:%S").encode("utf-8")

"""Exports: the full result of a named query as a CSV or Parquet file, written by DuckDB.

The file is produced by DuckDB's `COPY (query) TO ...` into a private temporary folder and read back
as bytes, so an export of millions of rows never passes through pandas and is not limited to the
preview a page shows. Parameters are bound exactly as for `Store.query` (named, never pasted into the
SQL); the only text built here is the column list of the query's own result and the temporary path.

CSV injection. Every text cell is quoted, and every place in it where a spreadsheet could start a
formula gets a single quote (OWASP's advice), which Excel and LibreOffice show as text:
- at the start: =, +, -, @, a tab or a carriage return, also after leading spaces (an importer may trim them);
- after a separator-looking character (, ; | tab, a line break or a double quote), also after spaces,
  tabs or carriage returns: =, +, - or @. A spreadsheet that splits the file on another separator than it
  was written with (Swedish Excel reads a .csv with `;`; `Acme;=1+1` becomes the cells `Acme` and `=1+1`)
  or loses track of the quoting then still finds no cell that starts like a formula.
LibreOffice Calc opens every export with `,` and with `;` as the separator and evaluates nothing
(tests/data/test_exports_in_a_spreadsheet.py).
Parquet keeps the values as they are: its cells are typed data, not text a spreadsheet evaluates.
"""

from __future__ import annotations

import csv
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from privacyops.store import Store, named_query
from privacyops.store.sql import identifier, literal

# A text cell starting with one of these is a formula to Excel, LibreOffice or Google Sheets.
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISING_PREFIX = "'"
# Characters a spreadsheet may split a line on, or at which its reading of a quoted field may end.
SEPARATOR_LIKE = ",;|\t\r\n\""
# The two rules as RE2 patterns (DuckDB's regexp engine, which has no look-around) and their replacements;
# Python's re reads them the same way, so the SQL and the Python rule are one rule. \t, \r, \n are escapes.
_AT_START = r"^( *[=+@\t\r-])"
_AT_START_REPLACEMENT = r"'\1"
_AFTER_SEPARATOR = r"([,;|\t\r\n\"][ \t\r]*)([=+@-])"
_AFTER_SEPARATOR_REPLACEMENT = r"\1'\2"
_AT_START_RE = re.compile(_AT_START)
_AFTER_SEPARATOR_RE = re.compile(_AFTER_SEPARATOR)


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
    """The text as it is safe to put in a CSV cell: a single quote before each place where a spreadsheet
    could start a formula (see the module docstring), the text otherwise unchanged."""
    inner = _AFTER_SEPARATOR_RE.sub(_AFTER_SEPARATOR_REPLACEMENT, value)
    return _AT_START_RE.sub(_AT_START_REPLACEMENT, inner, count=1)


def neutralised_sql(expr: str) -> str:
    """SQL doing neutralise_cell() on a VARCHAR expression (NULL stays NULL)."""
    inner = (f"regexp_replace({expr}, {literal(_AFTER_SEPARATOR)}, "
             f"{literal(_AFTER_SEPARATOR_REPLACEMENT)}, 'g')")
    return f"regexp_replace({inner}, {literal(_AT_START)}, {literal(_AT_START_REPLACEMENT)})"


def _neutralised(column: str) -> str:
    """One VARCHAR column of the result, neutralised, under its own name."""
    col = identifier(column)
    return f"{neutralised_sql(col)} AS {col}"


def export_query(store: Store, name: str, fmt: str, **params: Any) -> bytes:
    """Run queries/NAME.sql with `params` and return its whole result as a CSV or Parquet file."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format '{fmt}'; known: {', '.join(FORMATS)}")
    query = named_query(name)
    query.check_params(params)
    sql = query.statement
    source = f"(\n{sql}\n) AS exported"
    with tempfile.TemporaryDirectory(prefix="privacyops-export-") as folder, store.cursor() as cur:
        selected = f"SELECT * FROM {source}"  # noqa: S608 - the named query's own text, parameters bound
        if fmt == "csv":
            described = cur.execute(f"{selected} LIMIT 0", params or None).description or []
            text_columns = [str(col[0]) for col in described if str(col[1]) == "VARCHAR"]
            options = FORMATS[fmt].copy_options
            if text_columns:
                replaced = ", ".join(_neutralised(c) for c in text_columns)
                selected = f"SELECT * REPLACE ({replaced}) FROM {source}"  # noqa: S608 - column names from the result
                options += f", FORCE_QUOTE ({', '.join(identifier(c) for c in text_columns)})"
        else:
            options = FORMATS[fmt].copy_options
        target = Path(folder) / f"export.{FORMATS[fmt].extension}"
        cur.execute(f"COPY ({selected}) TO {literal(str(target))} ({options})", params or None)
        return target.read_bytes()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A small, already-computed table as UTF-8 CSV: column names and text cells neutralised, and every
    value that is not a number quoted (so a separator inside a text stays inside its cell)."""
    safe = frame.copy()
    safe.columns = [neutralise_cell(str(c)) for c in safe.columns]
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(lambda v: neutralise_cell(v) if isinstance(v, str) else v)
    return safe.to_csv(index=False, date_format="%Y-%m-%d %H:%M:%S",
                       quoting=csv.QUOTE_NONNUMERIC).encode("utf-8")

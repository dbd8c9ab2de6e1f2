"""Import customers, consent records, requests and the retention inventory from files.

The use case behind the Import page and `python -m privacyops import KIND FILE`:

1. `inspect_file()` tells what the file looks like (format, encoding, delimiter, decimal comma, headers);
   every guess is a default the user may override in `ImportOptions`.
2. `analyse()` does the whole import in a transaction that is rolled back: the report says exactly what
   an import would do (rows read, imported, rejected, already present) and lists every problem, before
   anything is written.
3. `run_import()` does it for real in ONE store transaction: the rows that pass land, every bad row is
   kept in `import_rejects` with its line number, column and reason, the run in `import_runs`, imported
   requests get their deadlines from `privacyops.rules.deadlines` and one 'import' history entry each. A failure
   or a kill midway leaves the store as it was.

Always: rows read = rows imported + rows rejected + rows already present (duplicates). Idempotent: rows
are identified by their id (consent records without an id column by a hash of their content), so the
same file twice adds nothing the second time.

DuckDB's readers parse the file (CSV, JSON lines, Parquet) and one SQL statement parses and checks every
row (privacyops.importing.sql), so a ten-million-row file streams through with bounded Python memory.
Row numbers: CSV line N is the file's Nth row as a spreadsheet counts them (the header is line 1, a value
spanning lines is one row); JSON lines are numbered by line; Parquet rows from 1.
"""

# ruff: noqa: S608 - every statement here is generated from the import contract and constants; values from
# a file reach DuckDB only as data (the reader's columns) or as bound parameters, never as SQL text.

from __future__ import annotations

import csv
import getpass
import hashlib
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import duckdb
import pyarrow as pa

from privacyops import clock
from privacyops.cases import access, exports
from privacyops.importing import contract, detect
from privacyops.importing.check_sql import rows_statement
from privacyops.store.sql import literal as lit
from privacyops.rules import deadlines, lifecycle
from privacyops.rules.retention import DATA_CATEGORIES
from privacyops.store import Store, StoreError, StoreLockedError, history, open_store, run_named
from privacyops.store import settings as stored_settings

ProgressFn = Callable[[str, float], None]

PREVIEW_ROWS = 20
MAX_PROBLEMS_LISTED = 10_000
JSONL_DELIMITER = "\x1f"   # never in a valid JSON line (control characters must be escaped there)
DEFAULT_ACTOR = "command line"


def _cli_actor() -> str:
    """Who ran the command line: the operating system's user name (the history and runs record it)."""
    try:
        return f"{getpass.getuser()} (command line)"
    except (KeyError, OSError):
        return DEFAULT_ACTOR


class ImportInputError(ValueError):
    """Options that cannot be used (an unknown kind, a mapping to a column the file does not have, ...)."""


# --- options and file inspection ---------------------------------------------------------------------


@dataclass(frozen=True)
class ImportOptions:
    """How to read a file; every value has a detected default (see `FileInfo.default_options`)."""

    format: str = "csv"
    encoding: str = "utf-8"
    delimiter: str = ","
    decimal_comma: bool = False
    # contract column -> the file's header for it; columns left out are matched by name
    mapping: tuple[tuple[str, str], ...] = ()
    mapping_name: str = ""

    def with_mapping(self, mapping: Mapping[str, str], name: str = "") -> ImportOptions:
        return ImportOptions(self.format, self.encoding, self.delimiter, self.decimal_comma,
                             tuple(sorted((k, v) for k, v in mapping.items() if v)), name)

    def reading(self) -> dict[str, Any]:
        """The reading options alone (what a saved mapping remembers besides the columns)."""
        return {"format": self.format, "encoding": self.encoding, "delimiter": self.delimiter,
                "decimal_comma": self.decimal_comma}


@dataclass(frozen=True)
class FileInfo:
    path: Path
    name: str
    detected: detect.Detected
    headers: tuple[str, ...]
    problem: str | None = None

    def default_options(self) -> ImportOptions:
        d = self.detected
        return ImportOptions(d.format, d.encoding, d.delimiter, d.decimal_comma)


def inspect_file(path: str | Path, name: str | None = None) -> FileInfo:
    """Detect the format, encoding, delimiter and decimal separator, and read the headers."""
    path = Path(path)
    detected = detect.detect(path, name=name)
    try:
        headers = file_headers(path, detected.format, detected.encoding, detected.delimiter)
    except detect.FileProblem as problem:
        return FileInfo(path, name or path.name, detected, (), str(problem))
    return FileInfo(path, name or path.name, detected, tuple(headers))


def file_headers(path: Path, fmt: str, encoding: str, delimiter: str) -> list[str]:
    """The column headers the file has when read with these options (FileProblem if it has none)."""
    if fmt == "parquet":
        con = duckdb.connect()
        try:
            rows = con.execute("SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet($path))",
                               {"path": str(path)}).fetchall()
        except duckdb.Error as error:
            raise detect.FileProblem(f"The file is not a readable Parquet file: {error}") from error
        finally:
            con.close()
        return [r[0] for r in rows]
    if path.stat().st_size == 0:
        raise detect.FileProblem("The file is empty: there is no header line and no rows.")
    detect.check_text(path)   # an xlsx, a PDF, UTF-16 ...: say what it is, before a reader says something odd
    return detect.read_header(path, fmt, encoding, delimiter)


def auto_mapping(kind: str, headers: Sequence[str]) -> dict[str, str]:
    """Contract column -> the first header that spells it (case, spaces and dashes ignored)."""
    by_name: dict[str, str] = {}
    for header in headers:
        by_name.setdefault(contract.normalise_header(header), header)
    return {name: by_name[name] for name in contract.column_names(kind) if name in by_name}


def resolve_mapping(kind: str, headers: Sequence[str], given: Mapping[str, str]) -> tuple[dict[str, int], list[str]]:
    """Contract column -> index of the file column it comes from, and the file's headers left unused.

    `given` (from the user or a saved mapping) wins; other contract columns are matched by name.
    """
    names = contract.column_names(kind)
    unknown = sorted(set(given) - set(names))
    if unknown:
        raise ImportInputError(f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not "
                               f"{kind} columns; the columns are: {', '.join(names)}.")
    index = {}
    for position, header in enumerate(headers):
        index.setdefault(header, position)
    mapping: dict[str, int] = {}
    auto = auto_mapping(kind, headers)
    for name in names:
        header = given.get(name, auto.get(name))
        if header is None or header == "":
            continue
        if header not in index:
            raise ImportInputError(f"The mapping takes {name} from a column '{header}' the file does not have; "
                                   f"its columns are: {', '.join(headers)}.")
        mapping[name] = index[header]
    used = set(mapping.values())
    ignored = [h for i, h in enumerate(headers) if i not in used and h]
    return mapping, ignored


# --- the report --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    reason: str
    value: str | None


@dataclass
class ImportReport:
    """What an import did (or, for `analyse`, would do). read = imported + rejected + duplicates."""

    kind: str
    file_name: str
    dry_run: bool
    format: str = ""
    read: int = 0
    imported: int = 0
    rejected: int = 0
    duplicates: int = 0
    empty_rows: int = 0
    lines: int = 0
    run_id: int | None = None
    rejects_path: str | None = None
    problems_total: int = 0
    problems: list[Problem] = field(default_factory=list)
    summary: list[tuple[str, str, int]] = field(default_factory=list)   # column, reason, rows
    warnings: list[str] = field(default_factory=list)
    file_problem: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def balanced(self) -> bool:
        return self.read == self.imported + self.rejected + self.duplicates

    @property
    def succeeded(self) -> bool:
        """The import ran and the file's rows are in the store (new, or already there)."""
        return self.file_problem is None and (self.imported > 0 or self.duplicates > 0)

    def sentence(self) -> str:
        verb = "would import" if self.dry_run else "imported"
        return (f"{self.read:,} rows read = {self.imported:,} {verb} + {self.rejected:,} rejected + "
                f"{self.duplicates:,} already present")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("preview")
        data["problems"] = [asdict(p) for p in self.problems[:100]]
        data["summary"] = [{"column": c, "reason": r, "rows": n} for c, r, n in self.summary]
        data["balanced"] = self.balanced
        return data


# --- running the pipeline ------------------------------------------------------------------------------


@dataclass
class _Prepared:
    """The file made ready for DuckDB (outside any transaction): a UTF-8 path, its scan and mapping."""

    kind: str
    name: str
    options: ImportOptions
    read_path: Path
    headers: list[str]
    mapping: dict[str, int]
    ignored: list[str]
    scan: detect.Scan
    sha256: str
    parquet_types: list[str]
    workdir: Path

    @property
    def first_line(self) -> int:
        return 2 if self.options.format == "csv" else 1

    @property
    def hash_id(self) -> bool:
        return self.kind == "consent" and "consent_id" not in self.mapping


def _check_options(kind: str, options: ImportOptions) -> None:
    if kind not in contract.KINDS:
        raise ImportInputError(f"'{kind}' is not an import kind; kinds: {', '.join(contract.KINDS)}.")
    if options.format not in detect.FORMATS:
        raise ImportInputError(f"'{options.format}' is not a format; formats: {', '.join(detect.FORMATS)}.")
    if options.encoding not in detect.ENCODINGS:
        raise ImportInputError(f"'{options.encoding}' is not an encoding; encodings: {', '.join(detect.ENCODINGS)}.")
    if options.delimiter not in detect.DELIMITERS:
        raise ImportInputError("The delimiter is one of: comma, semicolon, tab, pipe.")


def _prepare(path: Path, name: str, kind: str, options: ImportOptions, report: ProgressFn) -> _Prepared:
    _check_options(kind, options)
    workdir = Path(tempfile.mkdtemp(prefix="privacyops-import-"))
    try:
        headers = file_headers(path, options.format, options.encoding, options.delimiter)
        mapping, ignored = resolve_mapping(kind, headers, dict(options.mapping))
        read_path = path
        parquet_types: list[str] = []
        sha = hashlib.sha256()
        if options.format == "parquet":
            with path.open("rb") as handle:
                while chunk := handle.read(detect.CHUNK_BYTES):
                    sha.update(chunk)
            scan = detect.Scan()
            con = duckdb.connect()
            try:
                parquet_types = [r[0] for r in con.execute(
                    "SELECT column_type FROM (DESCRIBE SELECT * FROM read_parquet($path))",
                    {"path": str(path)}).fetchall()]
            finally:
                con.close()
        else:
            transcode = workdir / "utf8.txt" if options.encoding == "windows-1252" else None
            shown = [0.0]

            def scanned(fraction: float) -> None:
                if fraction - shown[0] >= 0.25 or fraction >= 1.0:
                    shown[0] = fraction
                    report("Reading the file (line count, quotes, encoding)", 0.02 + 0.10 * fraction)

            scan = detect.scan(path, transcode_to=transcode, digest=sha, progress=scanned)
            if transcode is not None:
                read_path = transcode
        return _Prepared(kind, name, options, read_path, headers, mapping, ignored, scan, sha.hexdigest(),
                         parquet_types, workdir)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise


def _columns_struct(count: int) -> str:
    return "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(count)) + "}"


def _source(prep: _Prepared, *, store_rejects: bool = True) -> tuple[str, dict[str, Any], str | None]:
    """The reader as SQL yielding c0..cN (text), its parameters, and a row-level problem (JSON lines)."""
    params: dict[str, Any] = {"path": str(prep.read_path)}
    rejects = (", store_rejects=true, rejects_table='imp_reject_errors', rejects_scan='imp_reject_scans'"
               if store_rejects else "")
    fmt = prep.options.format
    if fmt == "csv":
        # DuckDB's parallel CSV reader cannot tell where a quoted value that spans lines starts in the
        # middle of a file: it may lose or misnumber rows. Use it only when the file has no quotes at all.
        parallel = "false" if prep.scan.has_quotes else "true"
        params["delim"] = prep.options.delimiter
        sql = (f"SELECT * FROM read_csv($path, header=true, auto_detect=false, delim=$delim, quote='\"', "
               f"escape='\"', columns={_columns_struct(len(prep.headers))}, ignore_errors=true, "
               f"parallel={parallel}, encoding='utf-8'{rejects})")
        return sql, params, None
    if fmt == "jsonl":
        params["delim"] = JSONL_DELIMITER
        params["paths"] = ['$."' + h.replace("\\", "\\\\").replace('"', '\\"') + '"' for h in prep.headers]
        lines = (f"SELECT c0 AS raw_line FROM read_csv($path, header=false, auto_detect=false, delim=$delim, "
                 f"quote='', escape='', columns={{'c0': 'VARCHAR'}}, ignore_errors=true, encoding='utf-8'"
                 f"{rejects})")
        # valid JSON starting with '{' is an object (json_type() would fail on invalid JSON: no guard helps)
        checked = (f"SELECT raw_line, coalesce(json_valid(raw_line) AND starts_with(ltrim(raw_line), '{{'), FALSE) "
                   f"AS is_object FROM ({lines})")
        # the CASE is inside the argument: DuckDB may evaluate a function before the CASE around it
        values = (f"SELECT raw_line, is_object, json_extract_string(CASE WHEN is_object THEN raw_line END, $paths) "
                  f"AS vals FROM ({checked})")
        columns = ", ".join(f"vals[{i + 1}] AS c{i}" for i in range(len(prep.headers)))
        sql = f"SELECT {columns}, raw_line, is_object FROM ({values})"
        problem = ("CASE WHEN NOT is_object AND raw_line IS NOT NULL AND trim(raw_line) <> '' THEN "
                   "{'column': '(line)', 'reason': 'is not a JSON object', 'value': left(raw_line, 200)} END")
        return sql, params, problem
    exprs = []
    for i, sql_type in enumerate(prep.parquet_types):
        if sql_type.startswith("TIMESTAMP WITH TIME ZONE"):
            exprs.append(f"strftime(timezone('UTC', #{i + 1}), '%Y-%m-%dT%H:%M:%S.%fZ') AS c{i}")
        else:
            exprs.append(f"CAST(#{i + 1} AS VARCHAR) AS c{i}")
    return f"SELECT {', '.join(exprs)} FROM read_parquet($path)", params, None


def _known_customers(cur: duckdb.DuckDBPyConnection) -> list[str]:
    return [row[0] for row in run_named(cur, "customer_list").fetchall()]


_PARSE_REASONS = {
    "MISSING COLUMNS": "has fewer values than the header has columns",
    "TOO MANY COLUMNS": "has more values than the header has columns (a delimiter inside a value that is not quoted?)",
    "UNQUOTED VALUE": "has a stray quote: a quoted value must be wholly in quotes, with quotes inside it doubled",
    "UNTERMINATED QUOTE": "opens a quote that is never closed: it and every line after it were read as one "
                          "value and not imported",
    "LINE SIZE OVER MAXIMUM": "is longer than DuckDB's maximum line size (a quote that is never closed?)",
    "INVALID ENCODING": "is not valid UTF-8 text (choose the encoding Windows-1252 if it comes from Excel)",
    "INVALID UNICODE": "is not valid UTF-8 text (choose the encoding Windows-1252 if it comes from Excel)",
}


class _Pipeline:
    """One import on one cursor, inside the caller's transaction."""

    def __init__(self, cur: duckdb.DuckDBPyConnection, prep: _Prepared, *, now: datetime, dry_run: bool,
                 actor: str, report: ProgressFn) -> None:
        self.cur = cur
        self.prep = prep
        self.kind = prep.kind
        self.now = clock.to_utc_naive(now)
        self.dry_run = dry_run
        self.actor = actor
        self.progress = report
        self.id_column = contract.ID_COLUMN[self.kind]
        self.target = contract.TARGET_TABLE[self.kind]
        self.result = ImportReport(self.kind, prep.name, dry_run, prep.options.format)
        self.result.mapping = {name: prep.headers[i] for name, i in prep.mapping.items()}
        self.result.ignored_columns = list(prep.ignored)
        self.result.lines = prep.scan.lines
        self.has_parse_rejects = prep.options.format != "parquet"

    def sql(self, statement: str, params: Mapping[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
        return self.cur.execute(statement, dict(params) if params else None)

    # 1. read and check every row

    def stage(self) -> None:
        prep = self.prep
        self.progress("Parsing and checking every row", 0.15)
        source, params, row_problem = _source(prep)
        statement = rows_statement(self.kind, source, len(prep.headers), prep.mapping,
                                   row_problem_sql=row_problem, hash_id=prep.hash_id)
        params = {**params, "now": self.now, "known_customers": _known_customers(self.cur),
                  "decimal_comma": prep.options.decimal_comma}
        used = {"path", "delim", "paths", "now", "known_customers", "decimal_comma"}
        self.sql(statement, {k: v for k, v in params.items() if k in used and f"${k}" in statement})
        self.base = self._first_rowid("imp_rows")
        self.k = f"(rowid - {self.base})"
        if self.has_parse_rejects:
            self.sql("""
                CREATE TEMP TABLE imp_parse AS
                SELECT line, CAST(error_type AS VARCHAR) AS error_type, any_value(column_name) AS column_name,
                       any_value(csv_line) AS csv_line,
                       any_value(error_message) AS error_message
                FROM imp_reject_errors GROUP BY ALL
            """)
        else:
            self.sql("CREATE TEMP TABLE imp_parse (line BIGINT, error_type VARCHAR, column_name VARCHAR, "
                     "csv_line VARCHAR, error_message VARCHAR)")
        self._unclosed_quote()
        self._line_numbers()

    def _unclosed_quote(self) -> None:
        """DuckDB's CSV reader may drop a quote that is never closed, and every line after it, without a
        word (seen with its single-threaded reader when the quote runs to the end of the file). An odd
        number of quote characters in the file means there is one: find where it opens, and unless the
        reader reported that row, report it here, so no line goes missing from the count."""
        prep = self.prep
        if prep.options.format != "csv" or prep.scan.quotes % 2 == 0:
            return
        found = detect.unclosed_quote(prep.read_path)
        if found is None:
            return
        record, text = found
        reported = self.sql("SELECT count(*) FROM imp_parse WHERE line >= $line", {"line": record}).fetchone()[0]
        if not reported:
            self.sql("INSERT INTO imp_parse VALUES ($line, 'UNTERMINATED QUOTE', NULL, $text, "
                     "'a quote that is never closed')", {"line": record, "text": text})

    def _first_rowid(self, table: str) -> int:
        """The rowid of the first row of `table`. A table created inside a transaction numbers its rows from a
        large offset, contiguously and in insertion order (file order): rowid - first is a row's position."""
        first, last, count = self.sql(f"SELECT min(rowid), max(rowid), count(*) FROM {table}").fetchone()
        if count and last - first + 1 != count:  # pragma: no cover - DuckDB has always numbered them contiguously
            raise StoreError("The import could not number the file's rows; nothing was imported. Report this.")
        return int(first or 0)

    def _line_numbers(self) -> None:
        """Rows DuckDB left out of imp_rows (rejected by the reader; blank CSV lines) are holes in the
        numbering: row k of imp_rows is on line first + k + (holes before it)."""
        prep = self.prep
        self.blanks: list[int] = []
        if prep.options.format == "csv" and len(prep.headers) > 1:
            # DuckDB skips blank lines without a trace. Fewer rows than lines means blank lines or values
            # spanning lines: only then find the blank lines (a pass over the file in Python).
            rows_all = self.sql("SELECT count(*) FROM imp_rows").fetchone()[0]
            parsed = self.sql("SELECT count(DISTINCT line) FROM imp_parse").fetchone()[0]
            if prep.scan.lines - prep.scan.trailing_blank_lines > 1 + rows_all + parsed:
                self.blanks = detect.blank_records(prep.read_path, prep.scan.has_quotes)
        self.sql("""
            CREATE TEMP TABLE imp_holes AS
            WITH holes AS (
                SELECT DISTINCT line FROM (SELECT line FROM imp_parse UNION ALL SELECT unnest($blanks) AS line)
                WHERE line >= $first
            ), numbered AS (
                SELECT line, row_number() OVER (ORDER BY line) AS j FROM holes
            )
            SELECT line - $first - j + 1 AS t, max(j) AS j FROM numbered GROUP BY ALL ORDER BY t
        """, {"blanks": [int(b) for b in self.blanks], "first": prep.first_line})

    def with_lines(self, relation: str, k: str = "k") -> str:
        """SQL adding `line` to a relation that has the row number `k` (rowid of imp_rows)."""
        return (f"SELECT x.*, {self.prep.first_line} + x.{k} + coalesce(h.j, 0) AS line "
                f"FROM ({relation}) AS x ASOF LEFT JOIN imp_holes AS h ON x.{k} >= h.t")

    # 2. classify

    def classify(self) -> None:
        self.progress("Looking for repeated ids and rows already in the store", 0.45)
        counts = self.sql("""
            SELECT count(*) FILTER (WHERE NOT is_empty), count(*) FILTER (WHERE is_empty),
                   count(*) FILTER (WHERE NOT is_empty AND problems IS NOT NULL)
            FROM imp_rows
        """).fetchone()
        self.rows, self.result.empty_rows, self.bad_rows = (int(c) for c in counts)
        self.parse_lines = int(self.sql("SELECT count(DISTINCT line) FROM imp_parse").fetchone()[0])
        idc = self.id_column
        self.sql(f"""
            CREATE TEMP TABLE imp_repeat AS
            SELECT {idc} AS id, min({self.k}) AS first_k, count(*) AS n
            FROM imp_rows WHERE NOT is_empty AND {idc} IS NOT NULL
            GROUP BY {idc} HAVING count(*) > 1
        """)
        self.sql(f"""
            CREATE TEMP TABLE imp_repeated AS
            SELECT (r.rowid - {self.base}) AS k, x.first_k, r.problems IS NULL AS ok
            FROM imp_rows AS r JOIN imp_repeat AS x ON r.{idc} = x.id
            WHERE (r.rowid - {self.base}) > x.first_k AND NOT r.is_empty
        """)
        repeated, repeated_ok = self.sql(
            "SELECT count(*), count(*) FILTER (WHERE ok) FROM imp_repeated").fetchone()
        self.repeated, self.repeated_ok = int(repeated), int(repeated_ok)
        self.eligible = self.rows - self.bad_rows - self.repeated_ok

    def eligible_sql(self) -> str:
        """Rows to import unless already in the store: no problem, not a repeat of an earlier row."""
        repeated = (f" AND NOT EXISTS (SELECT 1 FROM imp_repeated AS x WHERE x.k = (r.rowid - {self.base}))"
                    if self.repeated else "")
        return f"SELECT {self.k} AS k, * FROM imp_rows AS r WHERE NOT r.is_empty AND r.problems IS NULL{repeated}"

    # 3. write

    def write(self) -> None:
        self.progress("Writing the new rows", 0.6)
        idc, target = self.id_column, self.target
        target_empty = not self.sql(f"SELECT EXISTS (FROM {target})").fetchone()[0]
        if self.kind in ("consent", "retention") and not self.dry_run:
            # The big kinds: straight from imp_rows; OR IGNORE skips the rows already in the store by the
            # primary key's index (cheaper than joining a large table), so imported + present = eligible.
            cols = ", ".join(contract.column_names(self.kind))
            repeated = (f" AND NOT EXISTS (SELECT 1 FROM imp_repeated AS x WHERE x.k = (r.rowid - {self.base}))"
                        if self.repeated else "")
            verb = "INSERT INTO" if target_empty else "INSERT OR IGNORE INTO"
            inserted = self.sql(f"{verb} {target} ({cols}) SELECT {cols} FROM imp_rows AS r "
                                f"WHERE NOT r.is_empty AND r.problems IS NULL{repeated}").fetchone()
            self.imported = int(inserted[0])
        else:
            present = "" if target_empty else (f" AND NOT EXISTS (SELECT 1 FROM {target} AS t "
                                               f"WHERE t.{idc} = e.{idc})")
            new_rows = f"SELECT * FROM ({self.eligible_sql()}) AS e WHERE TRUE{present}"
            if self.dry_run:
                self.imported = int(self.sql(f"SELECT count(*) FROM ({new_rows})").fetchone()[0])
            else:
                self.sql(f"CREATE TEMP TABLE imp_new AS {self.with_lines(new_rows)}")
                self.imported = int(self.sql("SELECT count(*) FROM imp_new").fetchone()[0])
                if self.kind == "customers":
                    self._insert_customers()
                else:
                    self._insert_requests()
        self.duplicates = self.eligible - self.imported

    def _insert_customers(self) -> None:
        stamp = {"at": self.stamp}
        # The consent policy is set explicitly by the file (or none): confirmed (rules.md 3).
        self.sql("INSERT INTO customers (customer_id, name, org_number, forward_working_days, created_at, "
                 "consent_policy_version, consent_policy_effective_on, consent_policy_confirmed) "
                 "SELECT customer_id, name, org_number, forward_working_days, $at, consent_policy_version, "
                 "consent_policy_effective_on, TRUE FROM imp_new", stamp)
        for category in DATA_CATEGORIES:
            self.sql(f"""
                INSERT INTO customer_retention_terms (customer_id, data_category, retention_days, end_action)
                SELECT customer_id, {lit(category)}, {category}_retention_days, {category}_end_action FROM imp_new
            """)
        fields = [("name", "name"), ("org_number", "org_number"),
                  ("forward_working_days", "CAST(forward_working_days AS VARCHAR)")]
        for category in DATA_CATEGORIES:
            fields += [(f"{category}.retention_days", f"CAST({category}_retention_days AS VARCHAR)"),
                       (f"{category}.end_action", f"{category}_end_action")]
        fields += [("consent_policy_version", "consent_policy_version"),
                   ("consent_policy_effective_on", "CAST(consent_policy_effective_on AS VARCHAR)")]
        selects = " UNION ALL ".join(
            f"SELECT customer_id, {lit(label)} AS field, {expr} AS new_value, line FROM imp_new"
            + (" WHERE consent_policy_version IS NOT NULL" if label.startswith("consent_policy") else "")
            for label, expr in fields)
        self.sql(f"""
            INSERT INTO customer_changes (customer_id, changed_at, changed_by, field, old_value, new_value)
            SELECT customer_id, $at, $actor, field, NULL, new_value FROM ({selects}) ORDER BY line, field
        """, {**stamp, "actor": self.actor})

    def _insert_requests(self) -> None:
        eves = stored_settings.read(self.cur).eves_are_holidays
        received_on = "CAST(timezone('Europe/Stockholm', timezone('UTC', n.received_at)) AS DATE)"
        days = [d for (d,) in self.sql(f"SELECT DISTINCT {received_on} FROM imp_new AS n").fetchall()]
        # Expandra's own requests (no customer) have no forwarding term, so no forwarding date
        pairs = self.sql(f"""
            SELECT DISTINCT {received_on} AS received_on, c.forward_working_days
            FROM imp_new AS n JOIN customers AS c USING (customer_id)
        """).fetchall()
        due = pa.table({"received_on": pa.array(sorted(days), pa.date32()),
                        "due_date": pa.array([deadlines.due_date(d, eves_are_holidays=eves) for d in sorted(days)],
                                             pa.date32())})
        forward = pa.table({
            "received_on": pa.array([d for d, _ in pairs], pa.date32()),
            "working_days": pa.array([int(w) for _, w in pairs], pa.int32()),
            "forward_due_date": pa.array([deadlines.forward_due_date(d, int(w), eves_are_holidays=eves)
                                          for d, w in pairs], pa.date32())})
        self._register("imp_due", due)
        self._register("imp_forward_due", forward)
        outcome = ("CASE WHEN n.status IN ('completed', 'refused', 'withdrawn') THEN coalesce(n.outcome, n.status) END")
        self.sql(f"""
            INSERT INTO requests (request_id, customer_id, request_type, received_at, channel, requester_email,
                requester_name, subject_id, description, status, assignee, forward_due_date, forwarded_at, due_date,
                closed_at, outcome, refusal_ground, refusal_reasons, refusal_remedies_told, refusal_notified_at,
                recipients_notice, recipients_told_at, controller_answered_on, eves_are_holidays,
                created_at, updated_at)
            SELECT n.request_id, n.customer_id, n.request_type, n.received_at, n.channel, n.requester_email,
                n.requester_name, n.subject_id, n.description, n.status, n.assignee, f.forward_due_date,
                n.forwarded_at,
                CASE WHEN n.request_type IN {_tuple(lifecycle.TYPES_WITHOUT_MONTH_CLOCK)} THEN NULL ELSE d.due_date END,
                n.closed_at, {outcome}, n.refusal_ground, n.refusal_reasons, n.refusal_remedies_told,
                -- the refusal notice defaults to the refusal itself, as the form's 'told just now' does
                CASE WHEN n.status = 'refused' THEN coalesce(n.refusal_notified_at, n.closed_at) END,
                n.recipients_notice, n.recipients_told_at, n.controller_answered_on, $eves, $at, $at
            FROM imp_new AS n
            LEFT JOIN customers AS c USING (customer_id)
            JOIN imp_due AS d ON d.received_on = {received_on}
            LEFT JOIN imp_forward_due AS f
              ON f.received_on = d.received_on AND f.working_days = c.forward_working_days
            ORDER BY n.line
        """, {"at": self.stamp, "eves": eves})
        self._append_history()

    def _register(self, name: str, table: pa.Table) -> None:
        self.cur.register(f"{name}_arrow", table)
        try:
            self.sql(f"CREATE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")
        finally:
            self.cur.unregister(f"{name}_arrow")

    def _append_history(self) -> None:
        """One 'import' entry per imported request, in file order, through history.append_many() (chained
        exactly as history.append() would chain them one by one, without the requester's personal data)."""
        columns = ["request_id", "customer_id", "request_type", "received_at", "channel", "requester_email",
                   "requester_name", "subject_id", "description", "status", "assignee", "forward_due_date",
                   "forwarded_at", "due_date", "closed_at", "outcome", "refusal_ground", "refusal_reasons",
                   "refusal_remedies_told", "refusal_notified_at", "recipients_notice", "recipients_told_at",
                   "controller_answered_on", "eves_are_holidays"]
        rows = self.sql(f"""
            SELECT {', '.join('q.' + c for c in columns)}, n.line
            FROM requests AS q JOIN imp_new AS n USING (request_id)
            ORDER BY n.line
        """).fetchall()
        entries = []
        for row in rows:
            values = dict(zip(columns, row[:-1], strict=True))
            entries.append(history.NewEntry(
                request_id=values["request_id"], at=self.stamp, actor=self.actor, action="import",
                changes={k: [None, v] for k, v in values.items() if v is not None},
                note=f"Imported from {self.prep.name} (import run {self.run_id}, line {row[-1]})"))
        history.append_many(self.cur, entries)

    # 4. keep every problem

    def rejects(self) -> None:
        self.progress("Keeping every rejected row with its reasons", 0.5)
        self.sql("CREATE TEMP TABLE imp_rejects (line BIGINT, column_name VARCHAR, reason VARCHAR, value VARCHAR, "
                 "record VARCHAR)")
        bad = f"SELECT {self.k} AS k, problems, record FROM imp_rows WHERE NOT is_empty AND problems IS NOT NULL"
        self.sql(f"""
            INSERT INTO imp_rejects
            SELECT line, struct_extract(p, 'column'), struct_extract(p, 'reason'),
                   left(struct_extract(p, 'value'), 1000), record
            FROM (SELECT line, unnest(problems) AS p, record FROM ({self.with_lines(bad)}))
        """)
        if self.prep.options.format == "jsonl":
            # the reader saw one text column per line: whatever it rejected is a line that is not JSON
            self.sql(f"""
                INSERT INTO imp_rejects
                SELECT line, '(line)',
                    CASE WHEN error_type LIKE 'INVALID%' THEN {lit(_PARSE_REASONS['INVALID ENCODING'])}
                         ELSE 'is not a JSON object' END,
                    left(csv_line, 1000), to_json([csv_line])
                FROM imp_parse
            """)
        else:
            self._csv_parse_rejects()
        if self.repeated and not self.prep.hash_id:
            self._repeat_rejects()
        totals = self.sql("SELECT count(*), count(DISTINCT line) FROM imp_rejects").fetchone()
        self.result.problems_total = int(totals[0])
        self.rejected_lines = int(totals[1])

    def _csv_parse_rejects(self) -> None:
        """The rows DuckDB's CSV reader could not split into the header's columns, with their reasons."""
        labels = [self._label(i) for i in range(len(self.prep.headers))]
        reasons = " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in _PARSE_REASONS.items())
        self.sql(f"""
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

    def _label(self, index: int) -> str:
        for name, i in self.prep.mapping.items():
            if i == index:
                return name
        return self.prep.headers[index]

    def _repeat_rejects(self) -> None:
        """A repeated id after its first row is rejected; its raw values are read again from the file
        (only when there are repeats) so the rejects keep the whole row."""
        source, params, _ = _source(self.prep, store_rejects=False)
        raw_cols = ", ".join(f"c{i}" for i in range(len(self.prep.headers)))
        self.sql(f"CREATE TEMP TABLE imp_src AS SELECT to_json([{raw_cols}]) AS record FROM ({source})",
                 {k: v for k, v in params.items() if f"${k}" in source})
        idc = self.id_column
        first = self.with_lines("SELECT DISTINCT first_k AS k FROM imp_repeated")
        repeats = self.with_lines(f"SELECT x.k, x.first_k, r.{idc} AS id FROM imp_repeated AS x "
                                  f"JOIN imp_rows AS r ON (r.rowid - {self.base}) = x.k")
        src_base = self._first_rowid("imp_src")
        self.sql(f"""
            INSERT INTO imp_rejects
            SELECT rp.line, {lit(idc)}, 'appears again in this file (first on line ' || f.line || ')', rp.id, s.record
            FROM ({repeats}) AS rp
            JOIN ({first}) AS f ON f.k = rp.first_k
            JOIN imp_src AS s ON s.rowid - {src_base} = rp.k
        """)

    # 5. the report

    def finish(self) -> ImportReport:
        r = self.result
        r.read = self.rows + self.parse_lines
        r.imported = self.imported
        r.duplicates = self.duplicates + (self.repeated if self.prep.hash_id else 0)
        r.rejected = self.bad_rows + (0 if self.prep.hash_id else self.repeated_ok) + self.parse_lines
        if not r.balanced:  # pragma: no cover - a bug, never a file problem
            raise AssertionError(f"import counts do not reconcile: {r.sentence()}")
        if self.rejected_lines != r.rejected:  # pragma: no cover
            raise AssertionError(f"{r.rejected} rows rejected but {self.rejected_lines} lines in the rejects")
        r.problems = [Problem(int(a), b, c, d) for a, b, c, d in self.sql(
            "SELECT line, column_name, reason, value FROM imp_rejects ORDER BY line, column_name LIMIT $n",
            {"n": MAX_PROBLEMS_LISTED}).fetchall()]
        r.summary = [(a, b, int(c)) for a, b, c in self.sql(
            "SELECT column_name, reason, count(DISTINCT line) AS n FROM imp_rejects "
            "GROUP BY ALL ORDER BY n DESC, column_name, reason").fetchall()]
        self._warnings()
        return r

    def _warnings(self) -> None:
        r, prep = self.result, self.prep
        if r.empty_rows:
            r.warnings.append(f"{r.empty_rows:,} empty row{'s were' if r.empty_rows > 1 else ' was'} skipped (no value "
                              "in any column); empty rows are not counted as read.")
        blanks = len(self.blanks)
        if blanks:
            r.warnings.append(f"{blanks:,} blank line{'s were' if blanks > 1 else ' was'} skipped; blank lines are "
                              "not rows (line numbers count them).")
        if r.ignored_columns:
            r.warnings.append("Columns not imported (not in the contract, or not mapped): "
                              + ", ".join(r.ignored_columns) + ".")
        if prep.hash_id:
            r.warnings.append("The file has no consent_id column: each record is identified by a hash of its "
                              "content, so an identical record counts as already present.")
        if prep.options.format == "csv" and prep.scan.lines:
            records = 1 + r.read + r.empty_rows + blanks
            extra = prep.scan.lines - prep.scan.trailing_blank_lines - records
            if extra > 0:
                r.warnings.append(
                    f"{extra:,} line break{'s are' if extra > 1 else ' is'} inside quoted values, so the file's "
                    f"{prep.scan.lines:,} lines hold {records:,} rows (header included). That is normal for text "
                    "with line breaks; a quote that is never closed also does it: its row is rejected and says so.")
        missing = [f.name for f in contract.fields(self.kind) if f.required and f.name not in prep.mapping]
        if missing and r.read:
            r.file_problem = (f"The file has no column for {', '.join(missing)}: no row can be imported. Map the "
                              f"file's columns to the contract (its columns: {', '.join(prep.headers)})"
                              + (self._delimiter_hint() or "") + ".")
        elif not r.read:
            r.file_problem = ("The file has a header line but no rows." if prep.headers else "The file is empty.")

    def _delimiter_hint(self) -> str | None:
        if self.prep.options.format != "csv" or len(self.prep.headers) != 1:
            return None
        header = self.prep.headers[0]
        for delimiter, label in detect.DELIMITERS.items():
            if delimiter != self.prep.options.delimiter and delimiter in header:
                return (f"; the header holds '{delimiter}': the file is probably separated by "
                        f"{detect.DELIMITER_WORDS[delimiter]} ({label.lower()})")
        return None

    def preview(self) -> None:
        names = contract.column_names(self.kind)
        first = f"SELECT {self.k} AS k, * FROM imp_rows WHERE {self.k} < {PREVIEW_ROWS}"
        rows = self.sql(f"""
            SELECT x.line, {', '.join('x.' + n for n in names)}, x.is_empty, x.problems IS NOT NULL AS problems,
                   EXISTS (SELECT 1 FROM imp_repeated AS rp WHERE rp.k = x.k) AS repeated,
                   EXISTS (SELECT 1 FROM {self.target} AS t WHERE t.{self.id_column} = x.{self.id_column}) AS present
            FROM ({self.with_lines(first)}) AS x ORDER BY x.k
        """).fetchall()
        for row in rows:
            line, values, (empty, problems, repeated, present) = row[0], row[1:-4], row[-4:]
            if empty:
                continue
            if problems or (repeated and not self.prep.hash_id):
                outcome = "rejected"
            elif repeated or present:
                outcome = "already present"
            else:
                outcome = "new" if self.dry_run else "imported"
            self.result.preview.append({"line": int(line), "outcome": outcome,
                                        **dict(zip(names, values, strict=True))})

    # the run record

    def begin_run(self) -> None:
        self.stamp = clock.to_utc_naive(clock.now_utc())
        self.run_id = None if self.dry_run else int(self.sql("SELECT nextval('import_run_seq')").fetchone()[0])
        self.result.run_id = self.run_id

    def record_run(self) -> None:
        if self.dry_run:
            return
        self.progress("Recording the run and its rejects", 0.9)
        self.sql("INSERT INTO import_rejects (run_id, line_number, column_name, reason, value, record) "
                 "SELECT $run, line, column_name, reason, value, record FROM imp_rejects ORDER BY line, column_name",
                 {"run": self.run_id})
        r, opts = self.result, self.prep.options
        self.sql("""
            INSERT INTO import_runs (run_id, kind, file_name, file_sha256, file_format, options, mapping_name, mapping,
                file_columns, started_at, finished_at, actor, rows_read, rows_imported, rows_rejected, rows_duplicate,
                rows_empty, warnings)
            VALUES ($run, $kind, $file, $sha, $fmt, $options, $mapping_name, $mapping, $columns, $started, $finished,
                $actor, $read, $imported, $rejected, $duplicates, $empty, $warnings)
        """, {"run": self.run_id, "kind": self.kind, "file": self.prep.name, "sha": self.prep.sha256,
              "fmt": opts.format, "options": _json(opts.reading()), "mapping_name": opts.mapping_name or None,
              "mapping": _json(r.mapping), "columns": _json(self.prep.headers), "started": self.stamp,
              "finished": clock.to_utc_naive(clock.now_utc()),
              "actor": self.actor, "read": r.read, "imported": r.imported, "rejected": r.rejected,
              "duplicates": r.duplicates, "empty": r.empty_rows, "warnings": _json(r.warnings)})


def _json(value: Any) -> str:
    """JSON as stored in the import tables: sorted keys, non-ASCII kept as it is (readable in the store)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _tuple(values: Sequence[str] | frozenset[str]) -> str:
    return "(" + ", ".join(lit(v) for v in sorted(values)) + ")"


def _run(cur: duckdb.DuckDBPyConnection, prep: _Prepared, *, now: datetime, dry_run: bool, actor: str,
         report: ProgressFn, rejects_csv: Path | None) -> ImportReport:
    pipeline = _Pipeline(cur, prep, now=now, dry_run=dry_run, actor=actor, report=report)
    pipeline.begin_run()
    pipeline.stage()
    pipeline.classify()
    pipeline.rejects()
    pipeline.preview()   # before writing: 'already present' then means present before this import
    if pipeline.eligible:
        pipeline.write()
    else:
        pipeline.imported = pipeline.duplicates = 0
    result = pipeline.finish()
    pipeline.record_run()
    if rejects_csv is not None and dry_run:
        _write_rejects(cur, "SELECT line, column_name, reason, value, record FROM imp_rejects", {}, prep.headers,
                       rejects_csv, prep.options.delimiter if prep.options.format == "csv" else ",")
        result.rejects_path = str(rejects_csv)
    return result


def _noop(step: str, fraction: float) -> None:
    return None


def analyse(store: Store, path: str | Path, kind: str, options: ImportOptions, *, name: str | None = None,
            now: datetime | None = None, progress: ProgressFn | None = None,
            rejects_csv: Path | None = None) -> ImportReport:
    """What importing the file would do, with every problem, without writing anything (a rolled-back
    transaction on a cursor of its own: the dashboard's other sessions keep reading and writing)."""
    started = time.perf_counter()
    report = progress or _noop
    path = Path(path)
    try:
        prep = _prepare(path, name or path.name, kind, options, report)
    except detect.FileProblem as problem:
        return ImportReport(kind, name or path.name, True, options.format, file_problem=str(problem))
    try:
        with store.cursor() as cur:
            cur.execute("BEGIN TRANSACTION")
            try:
                result = _run(cur, prep, now=now or clock.now_utc(), dry_run=True, actor="(preview)",
                              report=report, rejects_csv=rejects_csv)
            finally:
                cur.execute("ROLLBACK")
    finally:
        shutil.rmtree(prep.workdir, ignore_errors=True)
    result.seconds = time.perf_counter() - started
    report("Checked", 1.0)
    return result


def run_import(store: Store, path: str | Path, kind: str, options: ImportOptions, *, actor: str,
               name: str | None = None, now: datetime | None = None, progress: ProgressFn | None = None,
               rejects_dir: Path | None = None, role: str | None = "admin") -> ImportReport:
    """Import the file in one store transaction (see the module docstring). A file that cannot be read at
    all writes nothing and says why (`file_problem`); otherwise the run and its rejects are recorded.
    With `rejects_dir`, the rejects are also written there as CSV (`rejects_path`).
    `role` must be allowed to import this kind (access.IMPORT_ROLES); the command line, run by whoever
    operates the machine and holds the file, imports as an admin."""
    if kind in access.IMPORT_ROLES and role not in access.IMPORT_ROLES[kind]:
        raise access.AccessError(f"The {access.ROLES.get(role or '', 'unknown')} role may not import {kind} files. "
                                 "Ask an admin if you need to.")
    started = time.perf_counter()
    report = progress or _noop
    path = Path(path)
    try:
        prep = _prepare(path, name or path.name, kind, options, report)
    except detect.FileProblem as problem:
        return ImportReport(kind, name or path.name, False, options.format, file_problem=str(problem))
    try:
        result = store.write(lambda cur: _run(cur, prep, now=now or clock.now_utc(), dry_run=False, actor=actor,
                                              report=report, rejects_csv=None))
    finally:
        shutil.rmtree(prep.workdir, ignore_errors=True)
    report("Saved", 0.97)
    if rejects_dir is not None and result.run_id is not None and result.rejected:
        rejects_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = rejects_dir / f"{stamp}-{kind}-run{result.run_id}-rejects.csv"
        write_rejects_csv(store, result.run_id, target)
        result.rejects_path = str(target)
    result.seconds = time.perf_counter() - started
    report("Done", 1.0)
    return result


# --- rejects as a file -----------------------------------------------------------------------------------


def _neutral(expr: str) -> str:
    """A cell as it is safe in a spreadsheet: exports.neutralise_cell's rule, in SQL."""
    return exports.neutralised_sql(expr)


def neutralise(value: str | None) -> str | None:
    """The same rule in Python (for cells the page shows or writes itself)."""
    return exports.neutralise_cell(value) if value else value


def _write_rejects(cur: duckdb.DuckDBPyConnection, source: str, params: Mapping[str, Any], headers: Sequence[str],
                   dest: Path, delimiter: str) -> None:
    """One CSV row per rejected line: line, problems ('column: reason (value)'; ...), then the row as it was
    in the file. UTF-8 with BOM (Excel reads it right), formula-looking cells neutralised."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    body = dest.with_name(dest.name + ".body")
    cells = ", ".join(_neutral(f"json_extract_string(record, '$[{i}]')") for i in range(len(headers)))
    per_line = f"""
        SELECT line,
            string_agg(column_name || ': ' || reason
                       || coalesce(' (' || left(value, 200) || ')', ''), '; ' ORDER BY column_name, reason) AS problems,
            any_value(record) AS record
        FROM ({source}) GROUP BY line
    """
    cur.execute(f"""
        COPY (SELECT CAST(line AS VARCHAR), {_neutral('problems')}{', ' + cells if cells else ''}
              FROM ({per_line}) ORDER BY line)
        TO $body (FORMAT csv, HEADER false, DELIMITER $delim, QUOTE '"', FORCE_QUOTE *)
    """, {**params, "body": str(body), "delim": delimiter})
    with dest.open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_ALL).writerow(
            ["line", "problems", *[neutralise(h) or "" for h in headers]])
    with dest.open("ab") as out, body.open("rb") as part:
        shutil.copyfileobj(part, out)
    body.unlink()


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
        _write_rejects(cur, "SELECT line_number AS line, column_name, reason, value, record FROM import_rejects "
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


# --- saved mappings ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedMapping:
    source: str
    kind: str
    mapping: dict[str, str]
    reading: dict[str, Any]


def save_mapping(store: Store, kind: str, source: str, options: ImportOptions, *, actor: str) -> None:
    """Remember how files from `source` are read and mapped (one mapping per source and kind)."""
    source = source.strip()
    if not source:
        raise ImportInputError("Name the source of the files (e.g. 'cookie banner export') to save its mapping.")
    if len(source) > 80:
        raise ImportInputError("Keep the source's name under 80 characters.")
    _check_options(kind, options)
    mapping = dict(options.mapping)
    unknown = sorted(set(mapping) - set(contract.column_names(kind)))
    if unknown:
        raise ImportInputError(f"{', '.join(unknown)} are not {kind} columns.")
    store.write(lambda cur: cur.execute("""
        INSERT INTO import_mappings (kind, source, mapping, options, updated_at, updated_by)
        VALUES ($kind, $source, $mapping, $options, now()::TIMESTAMP, $actor)
        ON CONFLICT (kind, source) DO UPDATE SET mapping = excluded.mapping, options = excluded.options,
            updated_at = excluded.updated_at, updated_by = excluded.updated_by
    """, {"kind": kind, "source": source, "mapping": _json(mapping),
          "options": _json(options.reading()), "actor": actor}))


def saved_mappings(store: Store, kind: str) -> dict[str, SavedMapping]:
    frame = store.query("import_mappings", kind=kind)
    return {row.source: SavedMapping(row.source, kind, json.loads(row.mapping), json.loads(row.options))
            for row in frame.itertuples(index=False)}


def apply_saved(options: ImportOptions, saved: SavedMapping) -> ImportOptions:
    reading = {**options.reading(), **saved.reading}
    return ImportOptions(reading["format"], reading["encoding"], reading["delimiter"], bool(reading["decimal_comma"]),
                         tuple(sorted(saved.mapping.items())), saved.source)


# --- the command line ----------------------------------------------------------------------------------


def cli_import(store_or_path: Store | str | Path | None, kind: str, file: str | Path, *, as_json: bool = False,
               delimiter: str | None = None, encoding: str | None = None, decimal_comma: bool | None = None,
               file_format: str | None = None, mapping: str | None = None, actor: str | None = None,
               rejects_dir: Path | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """`python -m privacyops import KIND FILE`: import, print the report; exit code 0 when the import ran
    (even with rejects), 1 when nothing could be imported, 2 for bad usage. Progress goes to stderr; with
    `as_json` the last line on stdout is one JSON object (read, imported, rejected, duplicates, rejects_path...).
    """
    out = out or sys.stdout
    err = err or sys.stderr
    path = Path(file)

    def fail(message: str, code: int, **extra: Any) -> int:
        print(message, file=err)
        if as_json:
            print(json.dumps({"kind": kind, "file_name": path.name, "read": 0, "imported": 0, "rejected": 0,
                              "duplicates": 0, "rejects_path": None, "error": message, **extra}), file=out)
        return code

    if kind not in contract.KINDS:
        return fail(f"'{kind}' is not an import kind; kinds: {', '.join(contract.KINDS)}.", 2)
    if not path.is_file():
        return fail(f"There is no file {path}.", 2)
    try:
        store = store_or_path if isinstance(store_or_path, Store) else open_store(store_or_path)
    except StoreLockedError as error:
        return fail(f"{error.title}: {error} Nothing was imported.", 1)
    except StoreError as error:
        return fail(f"{error.title}: {error}", 1)
    info = inspect_file(path)
    options = info.default_options()
    try:
        if mapping:
            saved = saved_mappings(store, kind)
            if mapping not in saved:
                names = ", ".join(saved) or "none saved yet (save one on the Import page)"
                return fail(f"There is no saved {kind} mapping '{mapping}'; saved: {names}.", 2)
            options = apply_saved(options, saved[mapping])
        options = ImportOptions(
            file_format or options.format, encoding or options.encoding,
            {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}.get(delimiter or "", delimiter)
            or options.delimiter,
            options.decimal_comma if decimal_comma is None else decimal_comma, options.mapping, options.mapping_name)
        started = time.perf_counter()

        def progress(step: str, fraction: float) -> None:
            print(f"  [{fraction:4.0%}] {step} ({time.perf_counter() - started:.1f} s)", file=err, flush=True)

        print(f"Importing {kind} from {path} ({options.format}, {options.encoding}"
              + (f", delimiter {options.delimiter!r}, decimal {'comma' if options.decimal_comma else 'point'}"
                 if options.format == "csv" else "") + ") into " + str(store.path), file=err, flush=True)
        result = run_import(store, path, kind, options, actor=actor or _cli_actor(), progress=progress,
                            rejects_dir=rejects_dir or store.path.parent / "rejects")
    except ImportInputError as error:
        return fail(str(error), 2)
    except StoreError as error:
        return fail(f"{error.title}: {error} Nothing was imported.", 1)
    _print_report(result, out if not as_json else err)
    if as_json:
        print(json.dumps(result.to_dict(), default=str), file=out)
    return 0 if result.succeeded else 1


def _print_report(result: ImportReport, out: TextIO) -> None:
    if result.file_problem and not result.read:
        print(f"Nothing imported: {result.file_problem}", file=out)
        return
    print(f"{result.sentence()} (import run {result.run_id}, {result.seconds:.1f} s).", file=out)
    if result.file_problem:
        print(f"Nothing could be imported: {result.file_problem}", file=out)
    for warning in result.warnings:
        print(f"Note: {warning}", file=out)
    if result.summary:
        print("Problems (rows):", file=out)
        for column, reason, rows in result.summary[:20]:
            print(f"  {rows:>10,}  {column}: {reason}", file=out)
    if result.rejects_path:
        print(f"Every rejected row, with its line number and reasons: {result.rejects_path}", file=out)

"""The read step: a file made ready for DuckDB, outside any transaction, and the reader that yields its rows.

`inspect_file()` tells what a file looks like (format, encoding, delimiter, decimal comma, headers); every
guess is a default the user may override in `ImportOptions`. `prepare_file()` checks the options, maps the
file's columns to the contract, and reads the file once in Python (detect.scan: the line count, whether it
has quotes, its SHA-256; a Windows-1252 file is written out as UTF-8 on the way). `reader_sql()` is the
DuckDB reader that the check step parses: columns c0..cN as text, one row per row of the file.
"""

# ruff: noqa: S608 - the reader's SQL is built from constants and the column count; the path and the
# delimiter are bound parameters.

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from privacyops.importing import detect
from privacyops.importing.mappings import resolve_mapping
from privacyops.importing.options import ImportOptions, ProgressFn, check_options

JSONL_DELIMITER = "\x1f"   # never in a valid JSON line (control characters must be escaped there)


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


def _parquet_schema(path: Path, column: str) -> list[str]:
    """One column of a Parquet file's schema (column_name or column_type), in the file's column order."""
    con = duckdb.connect()
    try:
        return [r[0] for r in con.execute(f"SELECT {column} FROM (DESCRIBE SELECT * FROM read_parquet($path))",
                                          {"path": str(path)}).fetchall()]
    finally:
        con.close()


def file_headers(path: Path, fmt: str, encoding: str, delimiter: str) -> list[str]:
    """The column headers the file has when read with these options (FileProblem if it has none)."""
    if fmt == "parquet":
        try:
            return _parquet_schema(path, "column_name")
        except duckdb.Error as error:
            raise detect.FileProblem(f"The file is not a readable Parquet file: {error}") from error
    if path.stat().st_size == 0:
        raise detect.FileProblem("The file is empty: there is no header line and no rows.")
    detect.check_text(path)   # an xlsx, a PDF, UTF-16 ...: say what it is, before a reader says something odd
    return detect.read_header(path, fmt, encoding, delimiter)


@dataclass(frozen=True)
class ReadyFile:
    """The file made ready for DuckDB: a UTF-8 path, its scan, its mapping. A context manager: leaving it
    removes its work folder (the UTF-8 copy holds the file's personal data)."""

    kind: str
    name: str
    options: ImportOptions
    read_path: Path
    headers: tuple[str, ...]
    mapping: dict[str, int]          # contract column -> index of the file's column
    ignored: tuple[str, ...]         # the file's headers no contract column comes from
    scan: detect.Scan
    sha256: str
    parquet_types: tuple[str, ...]
    workdir: Path

    @property
    def first_line(self) -> int:
        """The line number of the first row: a CSV file's line 1 is its header."""
        return 2 if self.options.format == "csv" else 1

    @property
    def hash_id(self) -> bool:
        """A consent file without consent_id: a record is identified by a hash of its content."""
        return self.kind == "consent" and "consent_id" not in self.mapping

    def __enter__(self) -> ReadyFile:
        return self

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)


def prepare_file(path: Path, name: str, kind: str, options: ImportOptions, progress: ProgressFn) -> ReadyFile:
    """Check the options, read the headers and map them, and scan the file (FileProblem: it cannot be read)."""
    check_options(kind, options)
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
            parquet_types = _parquet_schema(path, "column_type")
        else:
            transcode = workdir / "utf8.txt" if options.encoding == "windows-1252" else None
            scan = detect.scan(path, transcode_to=transcode, digest=sha, progress=_scan_progress(progress))
            if transcode is not None:
                read_path = transcode
        return ReadyFile(kind, name, options, read_path, tuple(headers), mapping, tuple(ignored), scan,
                         sha.hexdigest(), tuple(parquet_types), workdir)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise


def _scan_progress(progress: ProgressFn) -> Callable[[float], None]:
    """The scan's progress as the import's first 2-12 %, told at each quarter (not for every chunk)."""
    shown = [0.0]

    def scanned(fraction: float) -> None:
        if fraction - shown[0] >= 0.25 or fraction >= 1.0:
            shown[0] = fraction
            progress("Reading the file (line count, quotes, encoding)", 0.02 + 0.10 * fraction)

    return scanned


def parameters_for(statement: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters `statement` spells ($name): DuckDB refuses any that a statement does not use."""
    return {name: value for name, value in params.items() if f"${name}" in statement}


def _columns_struct(count: int) -> str:
    return "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(count)) + "}"


def reader_sql(file: ReadyFile, *, store_rejects: bool = True) -> tuple[str, dict[str, Any], str | None]:
    """The reader as SQL yielding c0..cN (text), its parameters, and a row-level problem (JSON lines).
    `store_rejects`: the reader keeps what it could not read in imp_reject_errors (the check step's
    imp_parse); the repeats' second read of the file does not need them."""
    params: dict[str, Any] = {"path": str(file.read_path)}
    rejects = (", store_rejects=true, rejects_table='imp_reject_errors', rejects_scan='imp_reject_scans'"
               if store_rejects else "")
    fmt = file.options.format
    if fmt == "csv":
        # DuckDB's parallel CSV reader cannot tell where a quoted value that spans lines starts in the
        # middle of a file: it may lose or misnumber rows. Use it only when the file has no quotes at all.
        parallel = "false" if file.scan.has_quotes else "true"
        params["delim"] = file.options.delimiter
        sql = (f"SELECT * FROM read_csv($path, header=true, auto_detect=false, delim=$delim, quote='\"', "
               f"escape='\"', columns={_columns_struct(len(file.headers))}, ignore_errors=true, "
               f"parallel={parallel}, encoding='utf-8'{rejects})")
        return sql, params, None
    if fmt == "jsonl":
        return _jsonl_reader(file, params, rejects)
    exprs = []
    for i, sql_type in enumerate(file.parquet_types):
        if sql_type.startswith("TIMESTAMP WITH TIME ZONE"):
            exprs.append(f"strftime(timezone('UTC', #{i + 1}), '%Y-%m-%dT%H:%M:%S.%fZ') AS c{i}")
        else:
            exprs.append(f"CAST(#{i + 1} AS VARCHAR) AS c{i}")
    return f"SELECT {', '.join(exprs)} FROM read_parquet($path)", params, None


def _jsonl_reader(file: ReadyFile, params: dict[str, Any], rejects: str) -> tuple[str, dict[str, Any], str]:
    """JSON lines: each line read as one text column, then its values taken out by the headers' JSON paths."""
    params["delim"] = JSONL_DELIMITER
    params["paths"] = ['$."' + h.replace("\\", "\\\\").replace('"', '\\"') + '"' for h in file.headers]
    lines = (f"SELECT c0 AS raw_line FROM read_csv($path, header=false, auto_detect=false, delim=$delim, "
             f"quote='', escape='', columns={{'c0': 'VARCHAR'}}, ignore_errors=true, encoding='utf-8'"
             f"{rejects})")
    # valid JSON starting with '{' is an object (json_type() would fail on invalid JSON: no guard helps)
    checked = (f"SELECT raw_line, coalesce(json_valid(raw_line) AND starts_with(ltrim(raw_line), '{{'), FALSE) "
               f"AS is_object FROM ({lines})")
    # the CASE is inside the argument: DuckDB may evaluate a function before the CASE around it
    values = (f"SELECT raw_line, is_object, json_extract_string(CASE WHEN is_object THEN raw_line END, $paths) "
              f"AS vals FROM ({checked})")
    columns = ", ".join(f"vals[{i + 1}] AS c{i}" for i in range(len(file.headers)))
    sql = f"SELECT {columns}, raw_line, is_object FROM ({values})"
    problem = ("CASE WHEN NOT is_object AND raw_line IS NOT NULL AND trim(raw_line) <> '' THEN "
               "{'column': '(line)', 'reason': 'is not a JSON object', 'value': left(raw_line, 200)} END")
    return sql, params, problem

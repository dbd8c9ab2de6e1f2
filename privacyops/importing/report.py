"""The report step: what an import did (or, for `analyse`, would do), with every problem, the first rows as
they would be stored, and warnings; `ImportReport.to_dict()` is the command line's --json form.

Always: rows read = rows imported + rows rejected + rows already present (duplicates).
"""

# ruff: noqa: S608 - every statement here is generated from the import contract and constants; values from
# a file reach DuckDB only as data (the reader's columns) or as bound parameters, never as SQL text.

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import duckdb

from privacyops.importing import contract, detect
from privacyops.importing.check import CheckedRows
from privacyops.importing.read import ReadyFile
from privacyops.importing.rejects import Rejected
from privacyops.importing.repeats import Repeats
from privacyops.importing.write import Written

PREVIEW_ROWS = 20
MAX_PROBLEMS_LISTED = 10_000


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


def preview_rows(cur: duckdb.DuckDBPyConnection, file: ReadyFile, rows: CheckedRows, *,
                 dry_run: bool) -> list[dict[str, Any]]:
    """The first rows as they would be stored, each with its outcome. Run before the write step: 'already
    present' then means present before this import."""
    names = contract.column_names(file.kind)
    target, id_column = contract.TARGET_TABLE[file.kind], contract.ID_COLUMN[file.kind]
    first = f"SELECT {rows.row_index} AS row_index, * FROM imp_rows WHERE {rows.row_index} < {PREVIEW_ROWS}"
    found = cur.execute(f"""
        SELECT x.line, {', '.join('x.' + n for n in names)}, x.is_empty, x.problems IS NOT NULL AS problems,
               EXISTS (SELECT 1 FROM imp_repeated AS rp WHERE rp.row_index = x.row_index) AS repeated,
               EXISTS (SELECT 1 FROM {target} AS t WHERE t.{id_column} = x.{id_column}) AS present
        FROM ({rows.with_lines(first)}) AS x ORDER BY x.row_index
    """).fetchall()
    preview = []
    for row in found:
        line, values, (empty, problems, repeated, present) = row[0], row[1:-4], row[-4:]
        if empty:
            continue
        if problems or (repeated and not file.hash_id):
            outcome = "rejected"
        elif repeated or present:
            outcome = "already present"
        else:
            outcome = "new" if dry_run else "imported"
        preview.append({"line": int(line), "outcome": outcome, **dict(zip(names, values, strict=True))})
    return preview


def build_report(cur: duckdb.DuckDBPyConnection, file: ReadyFile, rows: CheckedRows, repeats: Repeats,
                 rejected: Rejected, written: Written, *, dry_run: bool, run_id: int | None,
                 preview: list[dict[str, Any]]) -> ImportReport:
    """The figures (which must reconcile), the problems listed from imp_rejects, and the warnings."""
    hash_id = file.hash_id   # repeats of a hashed record are identical records: already present, not rejected
    report = ImportReport(
        file.kind, file.name, dry_run, file.options.format,
        read=rows.filled_rows + rows.unreadable_lines, imported=written.imported,
        rejected=rows.rows_with_problems + (0 if hash_id else repeats.repeats_passing) + rows.unreadable_lines,
        duplicates=written.already_present + (repeats.repeats if hash_id else 0),
        empty_rows=rows.empty_rows, lines=file.scan.lines, run_id=run_id, problems_total=rejected.problems,
        mapping={name: file.headers[i] for name, i in file.mapping.items()},
        ignored_columns=list(file.ignored), preview=preview)
    if not report.balanced:  # pragma: no cover - a bug, never a file problem
        raise AssertionError(f"import counts do not reconcile: {report.sentence()}")
    if rejected.lines != report.rejected:  # pragma: no cover
        raise AssertionError(f"{report.rejected} rows rejected but {rejected.lines} lines in the rejects")
    report.problems = [Problem(int(a), b, c, d) for a, b, c, d in cur.execute(
        "SELECT line, column_name, reason, value FROM imp_rejects ORDER BY line, column_name LIMIT $n",
        {"n": MAX_PROBLEMS_LISTED}).fetchall()]
    report.summary = [(a, b, int(c)) for a, b, c in cur.execute(
        "SELECT column_name, reason, count(DISTINCT line) AS n FROM imp_rejects "
        "GROUP BY ALL ORDER BY n DESC, column_name, reason").fetchall()]
    report.warnings = _warnings(report, file, len(rows.blank_lines))
    report.file_problem = _file_problem(report, file)
    return report


def _warnings(report: ImportReport, file: ReadyFile, blanks: int) -> list[str]:
    warnings = []
    if report.empty_rows:
        warnings.append(f"{report.empty_rows:,} empty row{'s were' if report.empty_rows > 1 else ' was'} skipped "
                        "(no value in any column); empty rows are not counted as read.")
    if blanks:
        warnings.append(f"{blanks:,} blank line{'s were' if blanks > 1 else ' was'} skipped; blank lines are "
                        "not rows (line numbers count them).")
    if report.ignored_columns:
        warnings.append("Columns not imported (not in the contract, or not mapped): "
                        + ", ".join(report.ignored_columns) + ".")
    if file.hash_id:
        warnings.append("The file has no consent_id column: each record is identified by a hash of its "
                        "content, so an identical record counts as already present.")
    if file.options.format == "csv" and file.scan.lines:
        records = 1 + report.read + report.empty_rows + blanks
        extra = file.scan.lines - file.scan.trailing_blank_lines - records
        if extra > 0:
            warnings.append(
                f"{extra:,} line break{'s are' if extra > 1 else ' is'} inside quoted values, so the file's "
                f"{file.scan.lines:,} lines hold {records:,} rows (header included). That is normal for text "
                "with line breaks; a quote that is never closed also does it: its row is rejected and says so.")
    return warnings


def _file_problem(report: ImportReport, file: ReadyFile) -> str | None:
    """Why no row can be imported at all: a required column missing, or no rows."""
    missing = [f.name for f in contract.fields(file.kind) if f.required and f.name not in file.mapping]
    if missing and report.read:
        return (f"The file has no column for {', '.join(missing)}: no row can be imported. Map the "
                f"file's columns to the contract (its columns: {', '.join(file.headers)})"
                + (_delimiter_hint(file) or "") + ".")
    if not report.read:
        return "The file has a header line but no rows." if file.headers else "The file is empty."
    return None


def _delimiter_hint(file: ReadyFile) -> str | None:
    """A CSV file read as one column whose header holds another delimiter was probably split by that one."""
    if file.options.format != "csv" or len(file.headers) != 1:
        return None
    header = file.headers[0]
    for delimiter, label in detect.DELIMITERS.items():
        if delimiter != file.options.delimiter and delimiter in header:
            return (f"; the header holds '{delimiter}': the file is probably separated by "
                    f"{detect.DELIMITER_WORDS[delimiter]} ({label.lower()})")
    return None

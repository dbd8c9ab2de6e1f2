"""The record of an import run: its number and start, then `import_runs` and `import_rejects` (what was read,
imported, rejected, with every rejected line), written in the import's own transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import duckdb

from privacyops import clock
from privacyops.importing.options import ProgressFn

if TYPE_CHECKING:   # for the hints only: read.py and mappings.py use json_text from here
    from privacyops.importing.read import ReadyFile
    from privacyops.importing.report import ImportReport


def json_text(value: Any) -> str:
    """JSON as stored in the import tables: sorted keys, non-ASCII kept as it is (readable in the store)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class RunStamp:
    """When the run started (UTC, naive: as the store keeps times) and its number (None: a dry run)."""

    started_at: datetime
    run_id: int | None


def begin_run(cur: duckdb.DuckDBPyConnection, *, dry_run: bool) -> RunStamp:
    """Number the run first: the history entries of imported requests name it."""
    started_at = clock.to_utc_naive(clock.now_utc())
    run_id = None if dry_run else int(cur.execute("SELECT nextval('import_run_seq')").fetchone()[0])
    return RunStamp(started_at, run_id)


def record_run(cur: duckdb.DuckDBPyConnection, file: ReadyFile, report: ImportReport, run: RunStamp, *,
               actor: str, progress: ProgressFn) -> None:
    """Keep the rejected lines (imp_rejects) and the run's figures in the store."""
    progress("Recording the run and its rejects", 0.9)
    cur.execute("INSERT INTO import_rejects (run_id, line_number, column_name, reason, value, record) "
                "SELECT $run, line, column_name, reason, value, record FROM imp_rejects ORDER BY line, column_name",
                {"run": run.run_id})
    options = file.options
    cur.execute("""
        INSERT INTO import_runs (run_id, kind, file_name, file_sha256, file_format, options, mapping_name, mapping,
            file_columns, started_at, finished_at, actor, rows_read, rows_imported, rows_rejected, rows_duplicate,
            rows_empty, warnings)
        VALUES ($run, $kind, $file, $sha, $fmt, $options, $mapping_name, $mapping, $columns, $started, $finished,
            $actor, $read, $imported, $rejected, $duplicates, $empty, $warnings)
    """, {"run": run.run_id, "kind": file.kind, "file": file.name, "sha": file.sha256,
          "fmt": options.format, "options": json_text(options.reading()), "mapping_name": options.mapping_name or None,
          "mapping": json_text(report.mapping), "columns": json_text(list(file.headers)), "started": run.started_at,
          "finished": clock.to_utc_naive(clock.now_utc()),
          "actor": actor, "read": report.read, "imported": report.imported, "rejected": report.rejected,
          "duplicates": report.duplicates, "empty": report.empty_rows, "warnings": json_text(report.warnings)})

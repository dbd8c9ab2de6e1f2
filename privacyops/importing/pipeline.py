"""Import customers, consent records, requests and the retention inventory from files: the use case behind
the Import page and `python -m privacyops import KIND FILE` (cli.py).

- `analyse()` does the whole import in a transaction that is rolled back: the report says exactly what an
  import would do (rows read, imported, rejected, already present) and lists every problem, before
  anything is written.
- `run_import()` does it for real in ONE store transaction: the rows that pass land, every bad row is kept
  in `import_rejects` with its line number, column and reason, the run in `import_runs`, imported requests
  get their deadlines from `privacyops.rules.deadlines` and one 'import' history entry each. A failure or
  a kill midway leaves the store as it was.

The steps, in order (`_steps`), each a module: read (the file made ready, outside the transaction) ->
check (parse and check every row into imp_rows, in one SQL statement: check_sql, check_rules) ->
repeats (ids repeated within the file) -> rejects (every problem, in imp_rejects) -> write (the new rows)
-> report, then runs (the run's record). DuckDB's readers parse the file (CSV, JSON lines, Parquet), so a
ten-million-row file streams through with bounded Python memory.

Always: rows read = rows imported + rows rejected + rows already present (duplicates). Idempotent: rows
are identified by their id (consent records without an id column by a hash of their content), so the
same file twice adds nothing the second time.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import duckdb

from privacyops import clock
from privacyops.cases import access
from privacyops.importing import check, detect, read, rejects, repeats, report, runs, write
from privacyops.importing.options import ImportOptions, ProgressFn, no_progress
from privacyops.importing.report import ImportReport
from privacyops.store import Store


def _steps(cur: duckdb.DuckDBPyConnection, file: read.ReadyFile, *, now: datetime, dry_run: bool, actor: str,
           progress: ProgressFn) -> ImportReport:
    """One import on one cursor, inside the caller's transaction: each step's result feeds the next."""
    run = runs.begin_run(cur, dry_run=dry_run)
    rows = check.check_rows(cur, file, now=now, progress=progress)
    repeated = repeats.find_repeats(cur, file, rows, progress)
    rejected = rejects.collect_rejects(cur, file, rows, repeated, progress)
    preview = report.preview_rows(cur, file, rows, dry_run=dry_run)   # before writing: present *before* this import
    written = write.write_rows(cur, file, rows, repeated, run, actor=actor, dry_run=dry_run, progress=progress)
    result = report.build_report(cur, file, rows, repeated, rejected, written, dry_run=dry_run, run_id=run.run_id,
                                 preview=preview)
    if not dry_run:
        runs.record_run(cur, file, result, run, actor=actor, progress=progress)
    return result


def _read(path: Path, name: str | None, kind: str, options: ImportOptions, progress: ProgressFn, *,
          dry_run: bool) -> read.ReadyFile | ImportReport:
    """The read step, or the report of a file that cannot be read at all (empty, not the format it claims...):
    then there is nothing to check and nothing is written."""
    try:
        return read.prepare_file(path, name or path.name, kind, options, progress)
    except detect.FileProblem as problem:
        return ImportReport(kind, name or path.name, dry_run, options.format, file_problem=str(problem))


def analyse(store: Store, path: str | Path, kind: str, options: ImportOptions, *, name: str | None = None,
            now: datetime | None = None, progress: ProgressFn | None = None,
            rejects_csv: Path | None = None) -> ImportReport:
    """What importing the file would do, with every problem, without writing anything (a rolled-back
    transaction on a cursor of its own: the dashboard's other sessions keep reading and writing).
    With `rejects_csv`, the rejects are written there as CSV (`rejects_path`)."""
    started = time.perf_counter()
    progress = progress or no_progress
    file = _read(Path(path), name, kind, options, progress, dry_run=True)
    if isinstance(file, ImportReport):
        return file
    with file, store.cursor() as cur:
        cur.execute("BEGIN TRANSACTION")
        try:
            result = _steps(cur, file, now=now or clock.now_utc(), dry_run=True, actor="(preview)", progress=progress)
            if rejects_csv is not None:
                rejects.write_checked_rejects(cur, file, rejects_csv)
                result.rejects_path = str(rejects_csv)
        finally:
            cur.execute("ROLLBACK")
    result.seconds = time.perf_counter() - started
    progress("Checked", 1.0)
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
    progress = progress or no_progress
    file = _read(Path(path), name, kind, options, progress, dry_run=False)
    if isinstance(file, ImportReport):
        return file
    with file:
        # the run and its rejects, and the rows of the file's kind (the import kinds are data kinds)
        result = store.write(lambda cur: _steps(cur, file, now=now or clock.now_utc(), dry_run=False, actor=actor,
                                                progress=progress), touches=("imports", kind))
    progress("Saved", 0.97)
    if rejects_dir is not None and result.run_id is not None and result.rejected:
        rejects_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = rejects_dir / f"{stamp}-{kind}-run{result.run_id}-rejects.csv"
        rejects.write_rejects_csv(store, result.run_id, target)
        result.rejects_path = str(target)
    result.seconds = time.perf_counter() - started
    progress("Done", 1.0)
    return result

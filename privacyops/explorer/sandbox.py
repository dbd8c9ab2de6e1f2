"""The analysts' read-only SQL explorer over pseudonymised views (issue 5).

Analysts and admins type SQL; they must never reach requester contact details, raw subject ids or the
tables behind the views, and nothing they type may read or write files, reach the network, change
settings or keep the machine busy for ever. SQL is code, not data, so the isolation is structural and
the checks on the text are only the first of three layers:

1. **A separate database** (`snapshot`). The explorer never runs on the store. `refresh()` has the
   store write a *snapshot* of the pseudonymised views (`views`, queries/sql_explorer_snapshot_*.sql:
   explicit column lists, no contact details or free text, subject ids and staff emails replaced by keyed
   pseudonyms from privacyops.explorer.pseudonym) as Parquet files into a private temporary folder (mode
   0700), in one read-only transaction. The explorer then opens its *own* in-memory DuckDB instance (a
   second `connect()` to the store file in this process would share or clash with the store's instance)
   and creates one view per file. The store file, the base tables and the pseudonym key are simply not in
   that instance.
2. **A locked instance** (`snapshot.LockedInstance`). Before anyone types anything, that instance gets
   `temp_directory` (a `spill` folder inside the snapshot folder), `allowed_directories` (the snapshot
   folder only), then `enable_external_access = false`, then `lock_configuration = true`, in that order,
   plus a memory limit, a thread count and no extension auto-loading. Checked on duckdb 1.5.5:
   afterwards read_csv/read_text/read_blob/glob/read_parquet outside the folder, ATTACH of a file, COPY
   TO, EXPORT DATABASE, INSTALL, LOAD of a non-built-in extension, http(s) paths and every
   SET/RESET/PRAGMA that changes a setting fail inside DuckDB, whatever the text looks like; `../` paths
   are refused too.
3. **Checks on the text** (`sql_guard.check()`), so each refusal says why: exactly one statement
   (`extract_statements`), of type SELECT, starting with a query keyword (PRAGMA parses as a SELECT),
   calling none of the table functions that change logging, profiling or checkpoints or run SQL held in
   a string (`query()`), and then it runs in `BEGIN TRANSACTION READ ONLY` on a fresh cursor, with the
   rows capped (`max_rows + 1` fetched from a streaming result, so a billion-row result costs nothing)
   and a `threading.Timer` that calls `interrupt()` when the time limit passes.

Each snapshot gets its own folder and its own instance; a refresh swaps in the new one and the old one is
closed (and its folder deleted) once the last query still running on it has finished. This module holds
that swap, the row cap and the time limit (`Explorer`) and the module-level explorer; the team's saved
queries are `saved_queries`.
"""


from __future__ import annotations

import math
import os
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from privacyops.cases import exports
from privacyops.explorer import pseudonym
from privacyops.explorer.errors import ExplorerError
from privacyops.explorer.snapshot import LockedInstance, Snapshot, export_snapshot
from privacyops.explorer.sql_guard import check
from privacyops.explorer.views import VIEW_NAMES
from privacyops.store import Store

DEFAULT_MAX_ROWS = 10_000
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MEMORY_LIMIT = "1GB"
DEFAULT_SPILL_LIMIT = "2GB"


@dataclass
class ExplorerResult:
    frame: pd.DataFrame
    truncated: bool
    elapsed_s: float
    max_rows: int

    @property
    def rows(self) -> int:
        return len(self.frame)



def _explain(error: duckdb.Error, memory_limit: str) -> ExplorerError:
    """DuckDB's error as a message that says why and what to do."""
    text = str(error).strip()
    if isinstance(error, duckdb.PermissionException):
        return ExplorerError("The explorer has no access to files, other databases or the network: it reads only "
                             f"the pseudonymised views listed under Schema. (DuckDB: {text})",
                             title="No file or network access")
    if isinstance(error, duckdb.CatalogException):
        return ExplorerError(f"{text}\n\nThe explorer has only these views: {', '.join(VIEW_NAMES)}. The tables "
                             "behind them (requests, consent_records and the others) are not reachable from here.",
                             title="No such view or function")
    if isinstance(error, duckdb.BinderException):
        return ExplorerError(f"{text}\n\nSee the columns of each view under Schema. Contact details, free text and "
                             "raw subject ids are not in the explorer: use subject_key.",
                             title="The query does not fit the views")
    if isinstance(error, duckdb.ParserException):
        return ExplorerError(f"The SQL could not be read: {text}", title="The SQL could not be read")
    if isinstance(error, duckdb.OutOfMemoryException):
        return ExplorerError(f"The query needed more memory than the explorer may use ({memory_limit}). Aggregate "
                             "(GROUP BY) or filter before sorting or collecting large results.",
                             title="Out of memory")
    if isinstance(error, duckdb.TransactionException):
        return ExplorerError(f"The explorer is read-only. (DuckDB: {text})", title="Read-only")
    return ExplorerError(f"DuckDB could not run the query: {text}", title="The query failed")



class Explorer:
    """The SQL explorer over one store, with one pseudonym key. Safe to share between threads (sessions)."""

    def __init__(self, store: Store, key: str, *, folder: str | Path | None = None,
                 memory_limit: str = DEFAULT_MEMORY_LIMIT, threads: int | None = None,
                 spill_limit: str = DEFAULT_SPILL_LIMIT) -> None:
        self.store = store
        self._key = pseudonym.check_key(key)
        self._root = Path(folder) if folder else None
        self.memory_limit = memory_limit
        self.threads = threads or max(1, (os.cpu_count() or 2) // 2)
        self.spill_limit = spill_limit
        self._lock = threading.Lock()          # guards _instance
        self._refresh_lock = threading.Lock()  # one snapshot at a time
        self._instance: LockedInstance | None = None
        self._closed = False

    def __repr__(self) -> str:
        return f"Explorer(store={self.store.path!s}, snapshot={self.snapshot.taken_at if self.snapshot else None})"

    # snapshots

    @property
    def snapshot(self) -> Snapshot | None:
        """The snapshot queries run on now, or None before the first one."""
        current = self._instance
        return current.snapshot if current else None

    def ensure_snapshot(self) -> Snapshot:
        """The current snapshot, taking the first one if there is none yet."""
        current = self._instance
        if current is not None and not current.broken:
            return current.snapshot
        with self._refresh_lock:
            current = self._instance
            if current is not None and current.broken:
                # DuckDB hit an internal error: reopen the same files in a fresh instance.
                self._swap(self._open(current.snapshot), delete_old_folder=False)
            elif current is None:
                self._swap(self._open(self._export()))
            return self._instance.snapshot  # type: ignore[union-attr]

    def refresh(self) -> Snapshot:
        """Take a new snapshot of the store and run every later query on it."""
        with self._refresh_lock:
            self._swap(self._open(self._export()))
            return self._instance.snapshot  # type: ignore[union-attr]

    def _export(self) -> Snapshot:
        if self._closed:
            raise ExplorerError("The explorer has been closed.", title="Closed")
        return export_snapshot(self.store, self._key, self._root)

    def _open(self, snapshot: Snapshot) -> LockedInstance:
        try:
            return LockedInstance(snapshot, memory_limit=self.memory_limit, threads=self.threads,
                             spill_limit=self.spill_limit)
        except BaseException:
            shutil.rmtree(snapshot.folder, ignore_errors=True)
            raise

    def _swap(self, new: LockedInstance, *, delete_old_folder: bool = True) -> None:
        with self._lock:
            old, self._instance = self._instance, new
        if old is not None:
            old.retire(delete_folder=delete_old_folder)

    def _acquire(self) -> LockedInstance:
        self.ensure_snapshot()
        with self._lock:
            current = self._instance
            if current is None:
                raise ExplorerError("The explorer has been closed.", title="Closed")
            current.acquire()
            return current

    def close(self) -> None:
        """Close the instance and delete the snapshot (after queries still running finish)."""
        with self._refresh_lock:
            self._closed = True
            with self._lock:
                old, self._instance = self._instance, None
            if old is not None:
                old.retire()

    # what can be queried

    def schema(self) -> pd.DataFrame:
        """view, column, type of every column analysts can query, views in the order of VIEWS."""
        instance = self._acquire()
        cur = instance.con.cursor()
        try:
            frame = cur.execute(
                "SELECT table_name AS view, column_name AS column, data_type AS type, ordinal_position "
                "FROM information_schema.columns WHERE table_schema = 'main'").df()
        finally:
            cur.close()
            instance.release()
        order = {name: i for i, name in enumerate(VIEW_NAMES)}
        frame = frame.assign(_order=frame["view"].map(order)).sort_values(["_order", "ordinal_position"])
        return frame[["view", "column", "type"]].reset_index(drop=True)

    # running a query

    def execute(self, sql: str, *, max_rows: int = DEFAULT_MAX_ROWS,
                timeout_s: float = DEFAULT_TIMEOUT_S) -> ExplorerResult:
        """Run one read-only SELECT with a row cap and a time limit; ExplorerError says why when it cannot."""
        if max_rows < 1:
            raise ValueError("max_rows must be at least 1")
        if timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        statement = check(sql)
        instance = self._acquire()
        cur = instance.con.cursor()
        timed_out = threading.Event()

        def stop() -> None:
            timed_out.set()
            cur.interrupt()

        timer = threading.Timer(timeout_s, stop)
        timer.daemon = True
        started = time.monotonic()
        try:
            cur.execute("BEGIN TRANSACTION READ ONLY")
            timer.start()
            cur.execute(statement)
            vectors = max(1, math.ceil((max_rows + 1) / 2048))
            chunks: list[pd.DataFrame] = []
            fetched = 0
            while fetched <= max_rows:
                chunk = cur.fetch_df_chunk(vectors)
                if chunk.empty:
                    if not chunks:
                        chunks.append(chunk)
                    break
                chunks.append(chunk)
                fetched += len(chunk)
            timer.cancel()
            frame = pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]
        except duckdb.InterruptException as error:
            if timed_out.is_set():
                raise ExplorerError(
                    f"The query ran longer than the time limit of {timeout_s:g} s and was stopped. Filter or "
                    "aggregate more, or add a LIMIT.", title="Time limit reached") from error
            raise ExplorerError("The query was interrupted.", title="Interrupted") from error
        except (duckdb.FatalException, duckdb.InternalException) as error:
            instance.broken = True
            raise ExplorerError(f"DuckDB hit an internal error ({error}). The explorer reopens its snapshot for the "
                                "next query; try again or simplify the query.", title="Internal error") from error
        except duckdb.Error as error:
            raise _explain(error, self.memory_limit) from error
        finally:
            timer.cancel()
            timer.join()
            try:
                cur.execute("ROLLBACK")
            except duckdb.Error:
                pass
            cur.close()
            instance.release()
        truncated = len(frame) > max_rows
        if truncated:
            frame = frame.iloc[:max_rows].copy()
        return ExplorerResult(frame, truncated, time.monotonic() - started, max_rows)

    def run(self, sql: str, *, max_rows: int = DEFAULT_MAX_ROWS, timeout_s: float = DEFAULT_TIMEOUT_S) -> pd.DataFrame:
        """`execute()` returning the DataFrame; frame.attrs holds truncated and elapsed_s."""
        result = self.execute(sql, max_rows=max_rows, timeout_s=timeout_s)
        result.frame.attrs.update(truncated=result.truncated, elapsed_s=result.elapsed_s, max_rows=max_rows)
        return result.frame



# --- the module-level explorer -----------------------------------------------------------------

_default: Explorer | None = None
_default_lock = threading.Lock()


def configure(store: Store, key: str | None = None, **options: Any) -> Explorer:
    """Make the explorer `run()` uses (replacing and closing any earlier one). `key` defaults to
    pseudonym.resolve_key(): PRIVACYOPS_PSEUDONYM_KEY, else a random key for this process."""
    global _default
    resolved = key if key is not None else pseudonym.resolve_key().value
    explorer = Explorer(store, resolved, **options)
    with _default_lock:
        old, _default = _default, explorer
    if old is not None:
        old.close()
    return explorer


def default() -> Explorer:
    """The module-level explorer; configured on first use over the default store (PRIVACYOPS_DB)."""
    global _default
    with _default_lock:
        if _default is None:
            from privacyops.store import open_store

            _default = Explorer(open_store(), pseudonym.resolve_key().value)
        return _default


def run(sql: str, *, max_rows: int = DEFAULT_MAX_ROWS, timeout_s: float = DEFAULT_TIMEOUT_S) -> pd.DataFrame:
    """Run one read-only SELECT on the pseudonymised views: a DataFrame (frame.attrs['truncated'] says
    whether rows were cut at max_rows), or ExplorerError saying why not."""
    return default().run(sql, max_rows=max_rows, timeout_s=timeout_s)



# --- results as CSV ------------------------------------------------------------------------------

def to_csv(frame: pd.DataFrame) -> bytes:
    """The result as UTF-8 CSV, safe in spreadsheets: column names and text cells neutralised and quoted
    (exports.csv_bytes)."""
    return exports.csv_bytes(frame)


__all__ = ["DEFAULT_MAX_ROWS", "DEFAULT_TIMEOUT_S", "Explorer", "ExplorerResult", "configure", "default", "run",
           "to_csv"]

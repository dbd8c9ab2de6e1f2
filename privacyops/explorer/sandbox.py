"""The analysts' read-only SQL explorer over pseudonymised views (issue 5).

Analysts and admins type SQL; they must never reach requester contact details, raw subject ids or the
tables behind the views, and nothing they type may read or write files, reach the network, change
settings or keep the machine busy for ever. SQL is code, not data, so the isolation is structural and
the checks on the text are only the first of three layers:

1. **A separate database.** The explorer never runs on the store. `refresh()` has the store write a
   *snapshot* of the pseudonymised views (queries/sql_explorer_snapshot_*.sql: explicit column lists, no
   contact details or free text, subject ids and staff emails replaced by keyed pseudonyms from
   privacyops.explorer.pseudonym) as Parquet files into a private temporary folder (mode 0700), in one read-only
   transaction. The explorer then opens its *own* in-memory DuckDB instance (a second `connect()` to the
   store file in this process would share or clash with the store's instance) and creates one view per
   file. The store file, the base tables and the pseudonym key are simply not in that instance.
2. **A locked instance.** Before anyone types anything, that instance gets `temp_directory` (a `spill`
   folder inside the snapshot folder), `allowed_directories` (the snapshot folder only), then
   `enable_external_access = false`, then `lock_configuration = true`, in that order, plus a memory limit,
   a thread count and no extension auto-loading. Checked on duckdb 1.5.5: afterwards read_csv/read_text/
   read_blob/glob/read_parquet outside the folder, ATTACH of a file, COPY TO, EXPORT DATABASE, INSTALL,
   LOAD of a non-built-in extension, http(s) paths and every SET/RESET/PRAGMA that changes a setting
   fail inside DuckDB, whatever the text looks like; `../` paths are refused too.
3. **Checks on the text** (`check()`), so each refusal says why: exactly one statement
   (`extract_statements`), of type SELECT, starting with a query keyword (PRAGMA parses as a SELECT),
   calling none of the table functions that change logging, profiling or checkpoints or run SQL held in
   a string (`query()`), and then it runs in `BEGIN TRANSACTION READ ONLY` on a fresh cursor, with the
   rows capped (`max_rows + 1` fetched from a streaming result, so a billion-row result costs nothing)
   and a `threading.Timer` that calls `interrupt()` when the time limit passes.

Each snapshot gets its own folder and its own instance; a refresh swaps in the new one and the old one is
closed (and its folder deleted) once the last query still running on it has finished.
"""

from __future__ import annotations

import itertools
import math
import os
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from privacyops import clock
from privacyops.cases import exports
from privacyops.explorer import pseudonym
from privacyops.store import Store, named_query
from privacyops.store.sql import identifier, literal

DEFAULT_MAX_ROWS = 10_000
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MEMORY_LIMIT = "1GB"
DEFAULT_SPILL_LIMIT = "2GB"
MAX_TITLE_LENGTH = 120
MAX_SQL_LENGTH = 20_000


class ExplorerError(Exception):
    """The explorer would not, or could not, run a query; the message says why and what to do."""

    title = "The explorer refused this query"

    def __init__(self, message: str, *, title: str | None = None) -> None:
        super().__init__(message)
        if title:
            self.title = title


# --- what analysts can query ------------------------------------------------------------------

@dataclass(frozen=True)
class ExplorerView:
    name: str
    query: str          # queries/NAME.sql, the snapshot query that fills it
    description: str


VIEWS: tuple[ExplorerView, ...] = (
    ExplorerView("consent_facts", "sql_explorer_snapshot_consent",
                 "One row per consent record, with the business flags of the Consent page: is_valid_choice "
                 "(accept all, reject all, custom), is_invalid_consent (implied, pre-ticked: never opt-ins), "
                 "is_withdrawal and the per-purpose opt-ins. subject_key is a keyed pseudonym of the visitor."),
    ExplorerView("request_clock", "sql_explorer_snapshot_requests",
                 "One row per data-subject request with its Stockholm dates and deadlines (effective_due_date "
                 "is the extended one when validly extended). No contact details or free text; subject_key "
                 "and assignee_key are keyed pseudonyms (subject_key matches consent_facts.subject_key)."),
    ExplorerView("request_pauses", "sql_explorer_snapshot_request_pauses",
                 "When a request's clock stopped (waiting for identity proof or a clarification) and resumed."),
    ExplorerView("retention_status", "sql_explorer_snapshot_retention",
                 "The inventory of personal-data records in the quote service with the day their retention "
                 "ends (effective_end_on) and when they were deleted or anonymised."),
    ExplorerView("customers", "sql_explorer_snapshot_customers",
                 "The controllers Expandra serves and their forwarding term (working days)."),
    ExplorerView("customer_retention_terms", "sql_explorer_snapshot_retention_terms",
                 "Each customer's retention term per data category and what happens when it ends."),
)
VIEW_NAMES: tuple[str, ...] = tuple(v.name for v in VIEWS)

EXAMPLE_SQL = """-- Valid opt-in rate for analytics per customer
SELECT customer_id,
       count(*) FILTER (WHERE is_consent_decision)                       AS decisions,
       avg(analytics_opt_in::INT) FILTER (WHERE is_consent_decision)     AS analytics_rate
FROM consent_facts
GROUP BY customer_id
ORDER BY customer_id"""


# --- the checks on the text -------------------------------------------------------------------

_QUERY_KEYWORDS = frozenset({"select", "with", "from", "values", "table", "(", "summarize", "describe", "show",
                             "pivot", "unpivot", "pivot_wider", "pivot_longer"})

_REFUSED_TYPES: dict[str, str] = {
    "INSERT": "The explorer is read-only: INSERT changes data.",
    "UPDATE": "The explorer is read-only: UPDATE changes data.",
    "DELETE": "The explorer is read-only: DELETE and TRUNCATE change data.",
    "MERGE_INTO": "The explorer is read-only: MERGE changes data.",
    "CREATE": "The explorer is read-only: CREATE makes tables, views, macros or secrets. For a helper table, "
              "use a WITH clause (a common table expression) inside the SELECT. (A PIVOT without an IN list "
              "also needs one: write PIVOT ... ON column IN ('a', 'b') USING ...)",
    "DROP": "The explorer is read-only: DROP removes objects.",
    "ALTER": "The explorer is read-only: ALTER and COMMENT ON change objects.",
    "ATTACH": "ATTACH opens another database; the explorer reads only its pseudonymised views (see Schema).",
    "DETACH": "DETACH closes a database; the explorer's views are fixed.",
    "COPY": "COPY reads or writes files, and the explorer has no file access. Use the CSV download under the "
            "result instead.",
    "COPY_DATABASE": "COPY FROM DATABASE copies a database; the explorer reads only its views.",
    "EXPORT": "EXPORT DATABASE writes files, and the explorer has no file access. Use the CSV download under "
              "the result instead.",
    "LOAD": "INSTALL and LOAD add extensions; the explorer has a fixed set of functions and no network.",
    "EXTENSION": "Extension statements are not available; the explorer has a fixed set of functions.",
    "SET": "SET, RESET and USE change settings, and the explorer's settings are locked.",
    "PRAGMA": "PRAGMA statements change or show settings; they are not available in the explorer.",
    "TRANSACTION": "Every query already runs in a read-only transaction of its own: BEGIN, COMMIT and ROLLBACK "
                   "are not needed.",
    "CALL": "CALL runs a table function for its effect; the explorer runs SELECT queries only (a table "
            "function you need can be read with SELECT * FROM name(...)).",
    "EXPLAIN": "EXPLAIN is not available in the explorer; run the SELECT itself.",
    "PREPARE": "Prepared statements are not available; write the values into the query.",
    "EXECUTE": "Prepared statements are not available; write the values into the query.",
    "VACUUM": "VACUUM and ANALYZE are maintenance statements; the explorer runs SELECT queries only.",
    "ANALYZE": "VACUUM and ANALYZE are maintenance statements; the explorer runs SELECT queries only.",
}

# Table functions that change the instance (logging, profiling, checkpoints), run SQL kept in a string
# (which would hide every other check), or read memory or files through pointers.
_REFUSED_FUNCTIONS = frozenset({
    "checkpoint", "force_checkpoint", "truncate_duckdb_logs", "json_execute_serialized_sql", "query",
    "query_table", "arrow_scan", "arrow_scan_dumb", "pandas_scan", "python_map_function", "import_database",
    "copy_database", "add_parquet_key", "read_duckdb",
})
_REFUSED_FUNCTION_PREFIXES = ("enable_", "disable_", "verify_")


def _refused(message: str) -> ExplorerError:
    return ExplorerError(message + " Write a single SELECT query over the views listed under Schema.")


def _tokens(sql: str) -> list[tuple[str, str]]:
    """(text, kind) of each token of `sql`, comments left out."""
    found = duckdb.tokenize(sql)
    tokens = []
    for index, (start, kind) in enumerate(found):
        end = found[index + 1][0] if index + 1 < len(found) else len(sql)
        name = getattr(kind, "name", str(kind))
        if name != "comment":
            tokens.append((sql[start:end].strip(), name))
    return tokens


def _function_name(token: str) -> str:
    return token.strip('"').lower()


_parser_lock = threading.Lock()
_parser: duckdb.DuckDBPyConnection | None = None


def _parse(sql: str) -> list[duckdb.Statement]:
    """The statements of `sql`, parsed by a private, empty, locked in-memory instance."""
    global _parser
    with _parser_lock:
        if _parser is None:
            con = duckdb.connect(":memory:")
            con.execute("SET enable_external_access = false")
            con.execute("SET lock_configuration = true")
            _parser = con
        cur = _parser.cursor()
    try:
        return list(cur.extract_statements(sql))
    finally:
        cur.close()


def check(sql: str) -> str:
    """The one SELECT statement in `sql`, as text to run; ExplorerError saying why when it is not one."""
    if not sql or not sql.strip():
        raise ExplorerError("There is no query to run. Write a SELECT query over the views listed under Schema.",
                            title="Nothing to run")
    if len(sql) > MAX_SQL_LENGTH:
        raise ExplorerError(f"The query is {len(sql):,} characters long; the explorer takes at most "
                            f"{MAX_SQL_LENGTH:,}.", title="The query is too long")
    try:
        statements = _parse(sql)
    except duckdb.ParserException as error:
        raise ExplorerError(f"The SQL could not be read: {error}", title="The SQL could not be read") from error
    except duckdb.Error as error:
        raise ExplorerError(f"DuckDB could not read this statement: {error}",
                            title="The SQL could not be read") from error
    if not statements:
        raise ExplorerError("There is no query to run (only comments or semicolons). Write a SELECT query.",
                            title="Nothing to run")
    if len(statements) > 1:
        raise _refused(f"One statement at a time: this text holds {len(statements)} statements separated by "
                       "semicolons. Run them one by one.")
    # The checks below read the text as typed: DuckDB rewrites some statements (PRAGMA x becomes
    # SELECT * FROM pragma_x()) before statement.query shows them.
    text = sql.strip()
    tokens = _tokens(text)
    first = tokens[0][0].lower() if tokens else ""
    kind = statements[0].type.name
    if kind != "SELECT":
        message = _REFUSED_TYPES.get(kind, f"Only SELECT queries run in the explorer; this statement starts with "
                                           f"{first.upper()} and is not a query.")
        raise _refused(message)
    if first == "pragma":
        raise _refused(_REFUSED_TYPES["PRAGMA"])
    if first not in _QUERY_KEYWORDS:
        raise _refused(f"Only SELECT queries run in the explorer; this statement starts with {first.upper()}.")
    for (token, kind_of_token), (following, _) in itertools.pairwise(tokens):
        if following != "(" or kind_of_token not in ("identifier", "keyword"):
            continue
        name = _function_name(token)
        if name in _REFUSED_FUNCTIONS or name.startswith(_REFUSED_FUNCTION_PREFIXES):
            raise _refused(f"The function {name}() is not available in the explorer: it changes the database's "
                           "state or runs SQL held in a string.")
    return text


# --- the snapshot and the locked instance ----------------------------------------------------

@dataclass(frozen=True)
class Snapshot:
    """One export of the pseudonymised views: where, when, how long it took and how many rows."""

    folder: Path
    taken_at: datetime              # timezone-aware UTC
    seconds: float
    rows: Mapping[str, int] = field(default_factory=dict)

    def age_seconds(self, now: datetime | None = None) -> float:
        return ((now or clock.now_utc()) - self.taken_at).total_seconds()


@dataclass
class ExplorerResult:
    frame: pd.DataFrame
    truncated: bool
    elapsed_s: float
    max_rows: int

    @property
    def rows(self) -> int:
        return len(self.frame)


class _Instance:
    """The locked in-memory DuckDB over one snapshot's Parquet files. Queries hold it while they run;
    once retired, the last one out closes it and deletes the folder."""

    def __init__(self, snapshot: Snapshot, *, memory_limit: str, threads: int, spill_limit: str) -> None:
        self.snapshot = snapshot
        folder = snapshot.folder
        spill = folder / "spill"
        spill.mkdir(mode=0o700, exist_ok=True)
        con = duckdb.connect(":memory:", config={"threads": threads, "memory_limit": memory_limit})
        try:
            # The order matters: once external access is off and the configuration locked, nothing changes.
            for setting in (
                f"SET temp_directory = {literal(str(spill))}",
                f"SET max_temp_directory_size = {literal(spill_limit)}",
                "SET autoinstall_known_extensions = false",
                "SET autoload_known_extensions = false",
                "SET allow_community_extensions = false",
                "SET python_enable_replacements = false",
                f"SET allowed_directories = [{literal(str(folder) + os.sep)}]",
                "SET enable_external_access = false",
                "SET lock_configuration = true",
            ):
                con.execute(setting)
            for view in VIEWS:
                path = folder / f"{view.name}.parquet"
                con.execute(f"CREATE VIEW {identifier(view.name)} AS "  # noqa: S608 - our names and our path
                            f"SELECT * FROM read_parquet({literal(str(path))})")
        except BaseException:
            con.close()
            raise
        self.con = con
        # If nobody closes it (the process ends), the snapshot folder is still deleted at exit.
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(folder), True)
        self._lock = threading.Lock()
        self._users = 0
        self._retired = False
        self._closed = False
        self._delete_folder = True
        self.broken = False

    def acquire(self) -> None:
        with self._lock:
            self._users += 1

    def release(self) -> None:
        with self._lock:
            self._users -= 1
            done = self._retired and self._users == 0
        if done:
            self._close()

    def retire(self, *, delete_folder: bool = True) -> None:
        with self._lock:
            self._retired = True
            self._delete_folder = delete_folder
            done = self._users == 0
        if done:
            self._close()

    def _close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        try:
            self.con.close()
        finally:
            if self._delete_folder:
                self._finalizer()
            else:
                self._finalizer.detach()


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
        self._instance: _Instance | None = None
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
        if self._root is not None:
            self._root.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix="privacyops-explorer-", dir=self._root))
        os.chmod(folder, 0o700)
        started = time.monotonic()
        taken_at = clock.now_utc()
        rows: dict[str, int] = {}
        try:
            with self.store.cursor() as cur:
                cur.execute("BEGIN TRANSACTION READ ONLY")   # one consistent moment for every view
                try:
                    for view in VIEWS:
                        q = named_query(view.query)
                        params = {"key": self._key} if "key" in q.params else {}
                        target = folder / f"{view.name}.parquet"
                        cur.execute(f"COPY (\n{q.statement}\n) TO {literal(str(target))} "
                                    "(FORMAT parquet, COMPRESSION zstd)", params or None)
                        counted = cur.fetchone()
                        rows[view.name] = int(counted[0]) if counted else 0
                finally:
                    cur.execute("ROLLBACK")
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return Snapshot(folder, taken_at, time.monotonic() - started, rows)

    def _open(self, snapshot: Snapshot) -> _Instance:
        try:
            return _Instance(snapshot, memory_limit=self.memory_limit, threads=self.threads,
                             spill_limit=self.spill_limit)
        except BaseException:
            shutil.rmtree(snapshot.folder, ignore_errors=True)
            raise

    def _swap(self, new: _Instance, *, delete_old_folder: bool = True) -> None:
        with self._lock:
            old, self._instance = self._instance, new
        if old is not None:
            old.retire(delete_folder=delete_old_folder)

    def _acquire(self) -> _Instance:
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


# --- results as CSV and the team's saved queries -----------------------------------------------

def to_csv(frame: pd.DataFrame) -> bytes:
    """The result as UTF-8 CSV, safe in spreadsheets: column names and text cells neutralised and quoted
    (exports.csv_bytes)."""
    return exports.csv_bytes(frame)


def saved_queries(store: Store) -> pd.DataFrame:
    """The team's saved queries, newest first (queries/sql_explorer_saved_queries.sql)."""
    return store.query("sql_explorer_saved_queries")


def save_query(store: Store, *, title: str, sql: str, actor: str) -> int:
    """Save a query for the team under a title; it must be one SELECT the explorer would run."""
    name = " ".join(title.split())
    if not name:
        raise ExplorerError("Give the query a title so the team can find it.", title="Not saved")
    if len(name) > MAX_TITLE_LENGTH:
        raise ExplorerError(f"A title has at most {MAX_TITLE_LENGTH} characters.", title="Not saved")
    check(sql)
    stamp = clock.to_utc_naive(clock.now_utc())

    def insert(cur: duckdb.DuckDBPyConnection) -> int:
        row = cur.execute("INSERT INTO saved_queries (title, sql_text, saved_by, saved_at) "
                          "VALUES ($title, $sql, $by, $at) RETURNING query_id",
                          {"title": name, "sql": sql.strip(), "by": actor, "at": stamp}).fetchone()
        return int(row[0])

    return store.write(insert)


__all__ = ["DEFAULT_MAX_ROWS", "DEFAULT_TIMEOUT_S", "EXAMPLE_SQL", "VIEWS", "VIEW_NAMES", "Explorer",
           "ExplorerError", "ExplorerResult", "ExplorerView", "Snapshot", "check", "configure", "default", "run",
           "save_query", "saved_queries", "to_csv"]

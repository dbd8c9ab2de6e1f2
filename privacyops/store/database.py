"""The one owner of the privacy store.

Only this module knows where the data lives and how it is reached: it opens the DuckDB file once per
process, hands out a fresh cursor for each call (a DuckDB connection must not be shared between
threads, and Streamlit runs each session on its own thread), funnels every write through one lock and
one transaction, applies the numbered migrations (SQL files, and Python steps where SQL cannot do the
work), and turns DuckDB's errors into messages people read.
Pages and use cases call `query()` and `write()`; they never see a connection.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
QUERIES_DIR = PROJECT_ROOT / "queries"
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "privacyops.duckdb"

T = TypeVar("T")


class StoreError(Exception):
    """An error people can act on: `title` is short, the message says what to do."""

    title = "The privacy store could not do that"

    def __init__(self, message: str, *, title: str | None = None) -> None:
        super().__init__(message)
        if title:
            self.title = title


class StoreLockedError(StoreError):
    title = "The store is in use by another program"

    def __init__(self, message: str, pid: int | None) -> None:
        super().__init__(message)
        self.pid = pid


class StoreVersionError(StoreError):
    title = "The store was written by a newer Privacy Ops"


class DiskFullError(StoreError):
    title = "The disk is full"


class QueryError(StoreError):
    title = "A named query could not run"


def default_db_path() -> Path:
    """The store file: `PRIVACYOPS_DB` if set, else data/privacyops.duckdb in the project."""
    env = os.environ.get("PRIVACYOPS_DB")
    return Path(env).expanduser() if env else DEFAULT_DB_PATH


# --- migrations -------------------------------------------------------------------------------

_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.(sql|py)$")
MigrationStep = Callable[[duckdb.DuckDBPyConnection], None]


@dataclass(frozen=True)
class Migration:
    """One numbered schema step: NNN_name.sql, NNN_name.py, or both (same number and name).

    The SQL runs first; then the Python file's `migrate(cur)` function, for what SQL cannot do (e.g.
    recomputing the history's sha256 chain, which is defined in Python). Both run on the migration
    transaction's cursor: `migrate(cur)` must not BEGIN/COMMIT, and an exception rolls back every pending
    migration. A Python step is written against the schema of its own number: it must not depend on
    later migrations, nor on code that reads columns added after it.
    """

    version: int
    name: str
    sql: str = ""
    python: Path | None = None

    def apply(self, cur: duckdb.DuckDBPyConnection) -> None:
        if self.sql:
            cur.execute(self.sql)
        if self.python is not None:
            _python_step(self.python)(cur)


def _python_step(path: Path) -> MigrationStep:
    """The `migrate(cur)` function of a Python migration file (its name starts with a digit, so it is
    loaded from its path rather than imported by name)."""
    spec = importlib.util.spec_from_file_location(f"privacyops.migrations.m{path.stem}", path)
    if spec is None or spec.loader is None:
        raise StoreError(f"The migration {path.name} could not be loaded.")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    step = getattr(module, "migrate", None)
    if not callable(step):
        raise StoreError(f"The migration {path.name} has no migrate(cur) function.")
    return step


def migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The numbered migrations in `directory`, in order (a .sql and a .py of one number form one)."""
    found: dict[int, Migration] = {}
    for path in sorted(directory.iterdir()):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            continue
        version, name, kind = int(match.group(1)), match.group(2), match.group(3)
        current = found.get(version, Migration(version, name))
        if current.name != name:
            raise StoreError(f"Two migrations are numbered {version:03d} ({current.name}, {name}); "
                             "each number belongs to one migration.")
        found[version] = (replace(current, sql=path.read_text("utf-8")) if kind == "sql"
                          else replace(current, python=path))
    return [found[v] for v in sorted(found)]


def latest_schema_version() -> int:
    return max(m.version for m in migrations())


# --- named queries ----------------------------------------------------------------------------

_PARAM_LINE = re.compile(r"^--\s*param\s+\$([a-z_][a-z0-9_]*)\s*:\s*([A-Za-z\[\]]+)", re.IGNORECASE)
_RETURNS_LINE = re.compile(r"^--\s*returns:\s*(.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class NamedQuery:
    """A read query from queries/NAME.sql with the parameters and columns its header declares."""

    name: str
    sql: str
    params: frozenset[str]
    columns: tuple[str, ...]
    param_types: tuple[tuple[str, str], ...] = ()

    @property
    def statement(self) -> str:
        """The SQL as one statement to embed in another (`COPY (...) TO`): no trailing semicolon."""
        return self.sql.strip().rstrip(";")

    def check_params(self, params: Mapping[str, Any]) -> None:
        """QueryError unless `params` names exactly the parameters the header declares."""
        given = set(params)
        if given == self.params:
            return
        parts = []
        if missing := sorted(self.params - given):
            parts.append("missing " + ", ".join(f"${p}" for p in missing))
        if extra := sorted(given - self.params):
            parts.append("not declared " + ", ".join(f"${p}" for p in extra))
        raise QueryError(f"queries/{self.name}.sql was called with the wrong parameters: " + "; ".join(parts) + ".")


@cache
def named_query(name: str) -> NamedQuery:
    """Load queries/NAME.sql. The header lists `-- param $x: TYPE, meaning` lines and one
    `-- returns: a, b` line."""
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise QueryError(f"'{name}' is not a query name (lower-case letters, digits and _ only).")
    path = QUERIES_DIR / f"{name}.sql"
    if not path.exists():
        raise QueryError(f"There is no query file queries/{name}.sql.")
    sql = path.read_text("utf-8")
    params: dict[str, str] = {}
    columns: tuple[str, ...] = ()
    for line in sql.splitlines():
        if m := _PARAM_LINE.match(line.strip()):
            params[m.group(1)] = m.group(2).upper()
        elif m := _RETURNS_LINE.match(line.strip()):
            columns = tuple(c.strip() for c in m.group(1).split(","))
    if not columns:
        raise QueryError(f"queries/{name}.sql has no '-- returns:' header line.")
    return NamedQuery(name, sql, frozenset(params), columns, tuple(sorted(params.items())))


def run_named(cur: duckdb.DuckDBPyConnection, name: str, **params: Any) -> duckdb.DuckDBPyConnection:
    """Execute queries/NAME.sql on `cur` (a read inside the write path uses this too)."""
    q = named_query(name)
    q.check_params(params)
    return cur.execute(q.sql, params or None)


def query_names() -> list[str]:
    return sorted(p.stem for p in QUERIES_DIR.glob("*.sql"))


# --- error translation ------------------------------------------------------------------------

_LOCK_PID = re.compile(r"\(PID (\d+)\)")


def _translate(error: duckdb.Error, path: Path) -> StoreError:
    text = str(error)
    if "Could not set lock" in text or "Conflicting lock" in text:
        match = _LOCK_PID.search(text)
        pid = int(match.group(1)) if match else None
        who = f"process {pid}" if pid else "another process"
        return StoreLockedError(
            f"{path} is held by {who}, most likely a running Privacy Ops dashboard. DuckDB lets one "
            "program at a time open the store. Stop that program first, or do the work in the "
            "dashboard itself (its Import page takes files while it runs).",
            pid,
        )
    if "No space left on device" in text or "database has been invalidated" in text:
        # DuckDB stops the whole database after a failed checkpoint; the Store reopens it on the next call
        return DiskFullError(f"No space left on the disk that holds the store ({path.parent}): nothing was "
                             "saved. Free some space there; the store then works again by itself.")
    if isinstance(error, duckdb.ConstraintException):
        return StoreError(f"The change breaks a rule of the store and was not saved: {text}",
                          title="Not saved")
    if isinstance(error, duckdb.TransactionException) and "Conflict" in text:
        return StoreError("Someone else changed the same record at the same moment; nothing was "
                          "saved. Reload and try again.", title="Not saved")
    if "Catalog Error" in text or "Binder Error" in text:
        return QueryError(text)
    return StoreError(text)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB"


# --- the store --------------------------------------------------------------------------------


class Store:
    """One open DuckDB store. Create it with `open_store()` so a process holds each file once."""

    def __init__(self, path: Path, connection: duckdb.DuckDBPyConnection) -> None:
        self.path = path
        self._con = connection
        self._write_lock = threading.RLock()
        self._closed = False
        self._invalidated = False      # DuckDB stopped after a fatal error (a full disk): reopen before use
        self._reopen_lock = threading.Lock()

    # reads

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own for one call; safe to use from any thread."""
        if self._closed:
            raise StoreError(f"The store {self.path} has been closed.")
        if self._invalidated:
            self._reopen()
        cur = self._con.cursor()
        try:
            yield cur
        except duckdb.Error as error:
            if isinstance(error, duckdb.FatalException) or "database has been invalidated" in str(error):
                self._invalidated = True
            raise _translate(error, self.path) from error
        finally:
            try:
                cur.close()
            except duckdb.Error:
                pass   # the database was invalidated under it; the next call reopens

    def _reopen(self) -> None:
        """After a fatal error (a full disk) DuckDB refuses every call until the database is opened again;
        what was committed before is all there, what failed was rolled back (checked on a 40 MB tmpfs)."""
        with self._reopen_lock:
            if not self._invalidated:
                return
            try:
                self._con.close()
            except duckdb.Error:
                pass
            try:
                self._con = duckdb.connect(str(self.path))
            except duckdb.Error as error:
                raise _translate(error, self.path) from error
            self._invalidated = False

    def require_free_space(self, needed_bytes: int, what: str) -> None:
        """Refuse a large write up front when the disk cannot hold it: DuckDB does not give space back, so a
        write that fills the disk leaves the file at that size (rules of thumb in the callers)."""
        free = shutil.disk_usage(self.path.parent).free
        margin = 64 * 1024 * 1024
        if free < needed_bytes + margin:
            raise DiskFullError(
                f"Not enough free disk space for {what}: about {_megabytes(needed_bytes + margin)} needed, "
                f"{_megabytes(free)} free on the disk that holds the store ({self.path.parent}). Free some space "
                "or move the store (PRIVACYOPS_DB), then try again. Nothing was written.")

    def query(self, name: str, **params: Any) -> pd.DataFrame:
        """Run queries/NAME.sql with named parameters; the parameters must match its header."""
        with self.cursor() as cur:
            return run_named(cur, name, **params).df()

    def scalar(self, name: str, **params: Any) -> Any:
        """The single value of a one-row, one-column named query."""
        frame = self.query(name, **params)
        return None if frame.empty else frame.iat[0, 0]

    # writes

    def write(self, change: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """The single write path: `change(cursor)` runs in one transaction under the process's write
        lock, so two writers never race and a failure leaves nothing half-written."""
        with self._write_lock, self.cursor() as cur:
            cur.execute("BEGIN TRANSACTION")
            try:
                result = change(cur)
            except BaseException:
                try:
                    cur.execute("ROLLBACK")
                except duckdb.Error:
                    pass   # a fatal error already ended the transaction; the original error says why
                raise
            cur.execute("COMMIT")
            return result

    @contextmanager
    def writes_held(self) -> Iterator[None]:
        """Hold the write lock (no transaction) after a checkpoint: until the block ends nothing commits, so
        the file on disk is complete and unchanging. Readers go on. An online backup copies the file here."""
        with self._write_lock, self.cursor() as cur:
            cur.execute("CHECKPOINT")
            yield

    # schema

    def schema_version(self) -> int:
        with self.cursor() as cur:
            row = cur.execute("SELECT max(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0)

    def _migrate(self, known: list[Migration] | None = None) -> list[int]:
        """Apply the migrations not yet in schema_migrations (`known`: the project's, or a given list,
        e.g. to build a store of an older version in a test), all in one transaction."""
        with self._write_lock, self.cursor() as cur:
            cur.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
            )
            applied = {row[0] for row in cur.execute("SELECT version FROM schema_migrations").fetchall()}
            current = max(applied, default=0)
            known = migrations() if known is None else known
            latest = known[-1].version if known else 0
            if current > latest:
                raise StoreVersionError(
                    f"{self.path} has schema version {current}, written by a newer Privacy Ops; this "
                    f"version knows schema versions up to {latest}. Update Privacy Ops (git pull, then "
                    "reinstall), or point PRIVACYOPS_DB / --db at another store. The file was not changed."
                )
            pending = [m for m in known if m.version not in applied]
            if not pending:
                return []
            cur.execute("BEGIN TRANSACTION")
            try:
                for m in pending:
                    m.apply(cur)
                    cur.execute(
                        "INSERT INTO schema_migrations VALUES ($v, $n, now()::TIMESTAMP)",
                        {"v": m.version, "n": m.name},
                    )
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")
            return [m.version for m in pending]

    def close(self) -> None:
        with _registry_lock:
            if not self._closed:
                self._closed = True
                self._con.close()
                _registry.pop(self.path, None)


_registry: dict[Path, Store] = {}
_registry_lock = threading.Lock()


def open_store(path: str | Path | None = None) -> Store:
    """Open (creating and migrating as needed) the store at `path`, once per process.

    Raises StoreLockedError at once when another process holds the file, and StoreVersionError
    when the file was written by a newer version.
    """
    resolved = Path(path).expanduser().resolve() if path else default_db_path().resolve()
    with _registry_lock:
        existing = _registry.get(resolved)
        if existing is not None:
            return existing
        resolved.parent.mkdir(parents=True, exist_ok=True)
        try:
            con = duckdb.connect(str(resolved))
        except duckdb.Error as error:
            raise _translate(error, resolved) from error
        store = Store(resolved, con)
        try:
            store._migrate()
        except duckdb.Error as error:
            con.close()
            raise _translate(error, resolved) from error
        except BaseException:
            con.close()
            raise
        _registry[resolved] = store
        return store


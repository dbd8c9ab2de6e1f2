"""The one owner of the privacy store.

Only this module opens the DuckDB file: once per process, a fresh cursor for each call (a DuckDB
connection must not be shared between threads, and Streamlit runs each session on its own thread), every
write through one lock and one transaction, the migrations (store.schema) applied on open, DuckDB's errors
turned into messages (store.errors). Pages and use cases call `query()` and `write()`; they never see a
connection. Named queries live in store.queries; the data versions a write bumps in store.versions.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd

from privacyops.store import versions
from privacyops.store.errors import DiskFullError, StoreError, StoreVersionError, translate
from privacyops.store.queries import run_named
from privacyops.store.schema import Migration, migrations
from privacyops.store.versions import DataVersion

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "privacyops.duckdb"

T = TypeVar("T")


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB"


def checking_writes() -> bool:
    """PRIVACYOPS_CHECK_WRITES set (the test suite sets it): every write compares every table before and after
    and refuses a change to a kind it did not declare. Off in use: it reads every row twice."""
    return os.environ.get("PRIVACYOPS_CHECK_WRITES", "") not in ("", "0")


def default_db_path() -> Path:
    """The store file: `PRIVACYOPS_DB` if set, else data/privacyops.duckdb in the project."""
    env = os.environ.get("PRIVACYOPS_DB")
    return Path(env).expanduser() if env else DEFAULT_DB_PATH


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
        self._versioned: bool | None = None  # has the file data_versions (schema 011 on)? asked once

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
            raise translate(error, self.path) from error
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
                raise translate(error, self.path) from error
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

    def write(self, change: Callable[[duckdb.DuckDBPyConnection], T], *, touches: Iterable[str] | None = None) -> T:
        """The single write path: `change(cursor)` runs in one transaction under the process's write
        lock, so two writers never race and a failure leaves nothing half-written.

        `touches` names the kinds of data the change may write (store.versions.DATA_KINDS: "requests",
        "consent", ...); their data versions are bumped in the same transaction, so every cached figure
        that reads them, in any session or process, is recomputed at its next look and no other is. Every
        use case names its kinds; None (for tests and one-off repairs) bumps them all."""
        kinds = (versions.ALL_KINDS if touches is None
                 else versions.known_kinds(touches, where="Store.write(touches=...)"))
        with self._write_lock, self.cursor() as cur:
            cur.execute("BEGIN TRANSACTION")
            try:
                before = versions.fingerprints(cur) if checking_writes() else None
                result = change(cur)
                if before is not None:
                    self._refuse_undeclared(cur, before, kinds)
                if self._has_versions(cur):
                    versions.bump(cur, kinds)
            except BaseException:
                try:
                    cur.execute("ROLLBACK")
                except duckdb.Error:
                    pass   # a fatal error already ended the transaction; the original error says why
                raise
            cur.execute("COMMIT")
            return result

    def _refuse_undeclared(self, cur: duckdb.DuckDBPyConnection, before: dict[str, tuple[int, int]],
                           kinds: tuple[str, ...]) -> None:
        """UndeclaredWriteError (the write is rolled back) when the change wrote a table whose kind it did not
        name in `touches`: its readers' cached figures would stay stale."""
        undeclared = {table: kind for table, kind in versions.changed_kinds(before, versions.fingerprints(cur)).items()
                      if kind not in kinds}
        if undeclared:
            named = ", ".join(f"{table} ({kind or 'a table of no kind: add it to store.versions.DATA_KINDS'})"
                              for table, kind in undeclared.items())
            raise versions.UndeclaredWriteError(f"A write changed {named} but declared touches={list(kinds)}; "
                                       "name every kind it writes. Nothing was written.")

    def _has_versions(self, cur: duckdb.DuckDBPyConnection) -> bool:
        """Whether the file has data_versions: a store of an older schema (built in a test before migrating it
        on) is written without them."""
        if self._versioned is None:
            self._versioned = bool(cur.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                "AND schema_name = 'main' AND table_name = 'data_versions'").fetchone()[0])
        return self._versioned

    def data_versions(self) -> dict[str, DataVersion]:
        """Every kind's data version now (one small read; {} for a store of a schema before 011)."""
        with self.cursor() as cur:
            return versions.read(cur) if self._has_versions(cur) else {}

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
            self._versioned = None
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
            raise translate(error, resolved) from error
        store = Store(resolved, con)
        try:
            store._migrate()
        except duckdb.Error as error:
            con.close()
            raise translate(error, resolved) from error
        except BaseException:
            con.close()
            raise
        _registry[resolved] = store
        return store


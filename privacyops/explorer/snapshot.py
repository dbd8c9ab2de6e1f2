"""The snapshot of the pseudonymised views and the locked DuckDB instance over it (the first two layers of
privacyops.explorer.sandbox): the store writes each view to a Parquet file in a private folder, and a
separate in-memory instance, locked before anyone types anything, reads only those files.
"""

from __future__ import annotations

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

import duckdb

from privacyops import clock
from privacyops.explorer.views import VIEWS
from privacyops.store import Store, named_query
from privacyops.store.sql import identifier, literal


@dataclass(frozen=True)
class Snapshot:
    """One export of the pseudonymised views: where, when, how long it took and how many rows."""

    folder: Path
    taken_at: datetime              # timezone-aware UTC
    seconds: float
    rows: Mapping[str, int] = field(default_factory=dict)

    def age_seconds(self, now: datetime | None = None) -> float:
        return ((now or clock.now_utc()) - self.taken_at).total_seconds()


def export_snapshot(store: Store, key: str, root: Path | None = None) -> Snapshot:
    """Write every view of VIEWS as a Parquet file, in one read-only transaction of the store, into a new
    private folder (mode 0700) under `root` (the system's temporary folder when None)."""
    if root is not None:
        root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="privacyops-explorer-", dir=root))
    os.chmod(folder, 0o700)
    started = time.monotonic()
    taken_at = clock.now_utc()
    rows: dict[str, int] = {}
    try:
        with store.cursor() as cur:
            cur.execute("BEGIN TRANSACTION READ ONLY")   # one consistent moment for every view
            try:
                for view in VIEWS:
                    q = named_query(view.query)
                    params = {"key": key} if "key" in q.params else {}
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


class LockedInstance:
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


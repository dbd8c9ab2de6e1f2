"""Data versions: one counter per kind of data kept in the store (migration 011's `data_versions`).

The write path (Store.write) bumps the kinds a write declares it touches, in the write's own transaction, so
the counter and the data change together or not at all. A reader that remembers the versions it computed a
figure under knows whether the figure is still current: the dashboard's cache keys each named query by the
versions of the kinds its header says it reads (`-- reads: requests, customers`). The versions live in the
store, not in a process, so a write by another session, the command line or (later) another dashboard
process on a shared store shows at the reader's next look.

Every table belongs to one kind. `fingerprints` and `changed_kinds` let the write path check, when
PRIVACYOPS_CHECK_WRITES is set (the test suite sets it), that a write changed no table of a kind it did
not declare.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from privacyops.store.errors import StoreError

# Each kind and the tables that hold it. A table added by a migration must be listed under its kind
# (tests/data/test_data_versions.py fails otherwise). A kind's row in data_versions appears at its first write.
DATA_KINDS: dict[str, tuple[str, ...]] = {
    "requests": ("requests", "request_pauses", "request_history"),
    "consent": ("consent_records",),
    "retention": ("retention_records",),
    "customers": ("customers", "customer_retention_terms", "customer_changes"),
    "access": ("access_grants", "access_log"),
    "settings": ("settings", "store_meta"),
    "imports": ("import_runs", "import_rejects", "import_mappings"),
    "saved_queries": ("saved_queries",),
}
ALL_KINDS: tuple[str, ...] = tuple(DATA_KINDS)
# The store's own bookkeeping: no figure is computed from these.
UNVERSIONED_TABLES = frozenset({"schema_migrations", "data_versions"})
KIND_OF_TABLE: dict[str, str] = {table: kind for kind, tables in DATA_KINDS.items() for table in tables}


@dataclass(frozen=True)
class DataVersion:
    """A kind's counter and when it last changed (UTC). The time makes a version unique across stores: a
    store put back from a backup or made anew at the same path never repeats both."""

    version: int
    changed_at: datetime


def known_kinds(kinds: Iterable[str], *, where: str) -> tuple[str, ...]:
    """The kinds, sorted and without repeats; ValueError naming `where` for one that is not a kind."""
    given = tuple(sorted(set(kinds)))
    if unknown := [k for k in given if k not in DATA_KINDS]:
        raise ValueError(f"{where}: {', '.join(unknown)} is not a kind of data; kinds: {', '.join(ALL_KINDS)}.")
    return given


def bump(cur: duckdb.DuckDBPyConnection, kinds: Iterable[str]) -> None:
    """Count one change of each kind, inside the caller's transaction."""
    chosen = list(kinds)
    if not chosen:
        return
    cur.execute("INSERT INTO data_versions (kind, version, changed_at) SELECT unnest($kinds), 1, $at "
                "ON CONFLICT (kind) DO UPDATE SET version = data_versions.version + 1, "
                "changed_at = excluded.changed_at",
                {"kinds": chosen, "at": datetime.now(UTC).replace(tzinfo=None)})


def read(cur: duckdb.DuckDBPyConnection) -> dict[str, DataVersion]:
    """The current version of every kind written since the store has versions (one small read); a kind
    missing here has version 0."""
    rows = cur.execute("SELECT kind, version, changed_at FROM data_versions").fetchall()
    return {kind: DataVersion(int(version), changed_at) for kind, version, changed_at in rows}


def fingerprints(cur: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int]]:
    """Each stored table's row count and the sum of its rows' hashes: equal before and after a write unless
    the write changed the table (a check for tests; it reads every row)."""
    tables = [row[0] for row in cur.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' "
        "AND NOT temporary ORDER BY table_name").fetchall() if row[0] not in UNVERSIONED_TABLES]
    if not tables:
        return {}
    # identifiers from DuckDB's own catalogue, quoted
    parts = [f"SELECT '{t}' AS t, count(*) AS n, coalesce(sum(hash(x)::HUGEINT), 0)::VARCHAR AS h "  # noqa: S608
             f"FROM \"{t}\" AS x" for t in tables]
    return {t: (int(n), int(h)) for t, n, h in cur.execute(" UNION ALL ".join(parts)).fetchall()}


def changed_kinds(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> dict[str, str]:
    """The tables whose fingerprint differs, each with its kind ('' for a table that has none)."""
    changed = {t for t in before.keys() | after.keys() if before.get(t) != after.get(t)}
    return {t: KIND_OF_TABLE.get(t, "") for t in sorted(changed)}


class UndeclaredWriteError(StoreError):
    """A write changed a table of a kind it did not declare (found when PRIVACYOPS_CHECK_WRITES is set)."""

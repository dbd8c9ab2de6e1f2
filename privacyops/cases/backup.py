"""Backups of the store: taken online by the running dashboard (daily) or by the command line, each one
checked by opening it, kept a set number of days, and a restore that brings a store back to one.

How an online backup stays consistent: every write goes through the store's one write lock, so while the
lock is held nothing commits. Holding it, the store checkpoints (the WAL goes into the file) and the file
is copied (with a WAL left over, if any, which DuckDB replays on open). Readers go on meanwhile; writers wait
for the copy (about a second per 500 MB here).

Backups hold personal data (requesters' contact details until they are anonymised): the folder is private
to the dashboard's user (0700, files 0600), and their keeping time counts in the own-retention rule: a
contact anonymised today is gone from every backup `backup_keep_days` days later (rules.md 4).
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb

from privacyops.clock import now_utc
from privacyops.store import DiskFullError, Store, StoreError, history, run_named

_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}T\d{6}Z)\.duckdb$")
_STAMP = "%Y%m%dT%H%M%SZ"


class BackupError(StoreError):
    title = "The backup could not be used"


@dataclass(frozen=True)
class BackupCheck:
    """What opening a backup showed: rows per table, and the two hash chains (problems, none when intact)."""

    path: Path
    taken_at: datetime | None
    counts: dict[str, int]
    history_problems: int
    access_log_problems: int

    @property
    def ok(self) -> bool:
        return self.history_problems == 0 and self.access_log_problems == 0

    def summary(self) -> str:
        rows = ", ".join(f"{table} {count:,}" for table, count in self.counts.items())
        chains = ("both hash chains intact" if self.ok else
                  f"history chain problems {self.history_problems}, access log problems {self.access_log_problems}")
        return f"{self.path.name}: {rows}; {chains}"


def backup_folder(store_path: Path) -> Path:
    """Backups live beside the store, in a private folder: data/backups/ for data/privacyops.duckdb."""
    return store_path.parent / "backups"


def _private_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    return folder


def take(store: Store, *, folder: Path | None = None, at: datetime | None = None) -> BackupCheck:
    """Copy the store while writes wait, check the copy by opening it, and keep it only if it is whole."""
    moment = (at or now_utc()).astimezone(UTC)
    target_folder = _private_folder(folder or backup_folder(store.path))
    final = target_folder / f"{store.path.stem}-{moment:{_STAMP}}.duckdb"
    partial = final.with_name(final.name + ".partial")
    wal = store.path.with_name(store.path.name + ".wal")
    size = store.path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
    free = shutil.disk_usage(target_folder).free
    if free < size + 64 * 1024 * 1024:
        raise DiskFullError(f"Not enough free disk space for a backup: about {(size >> 20) + 64:,} MB needed, "
                            f"{free >> 20:,} MB free in {target_folder}. Free some space or remove old backups.")
    with store.writes_held():
        shutil.copyfile(store.path, partial)
        if wal.exists() and wal.stat().st_size:
            shutil.copyfile(wal, partial.with_name(partial.name + ".wal"))
    for path in (partial, partial.with_name(partial.name + ".wal")):
        if path.exists():
            os.chmod(path, 0o600)
    try:
        check = verify(partial)
        if not check.ok:
            raise BackupError(f"The copy did not verify ({check.summary()}); it was not kept.")
    except BaseException:
        _remove(partial)
        raise
    os.replace(partial, final)
    if partial.with_name(partial.name + ".wal").exists():
        os.replace(partial.with_name(partial.name + ".wal"), final.with_name(final.name + ".wal"))
    return BackupCheck(final, moment, check.counts, check.history_problems, check.access_log_problems)


def verify(path: Path) -> BackupCheck:
    """Open a backup on its own (read-only is not possible with a WAL to replay, so a private copy's own
    connection) and count its rows and check its chains."""
    if not path.exists():
        raise BackupError(f"There is no backup {path}.")
    try:
        con = duckdb.connect(str(path))
    except duckdb.Error as error:
        raise BackupError(f"{path.name} cannot be opened as a Privacy Ops store: {error}") from error
    try:
        counts = {table: int(rows) for table, rows in run_named(con, "store_counts").fetchall()}
        history_problems = len(history.verify_request_history(con))
        access_problems = len(history.verify_access_log(con))
    except duckdb.Error as error:
        raise BackupError(f"{path.name} is not a whole Privacy Ops store: {error}") from error
    finally:
        con.close()
    match = _NAME.match(path.name.removesuffix(".partial"))
    taken = datetime.strptime(match.group("stamp"), _STAMP).replace(tzinfo=UTC) if match else None
    return BackupCheck(path, taken, counts, history_problems, access_problems)


def backups(folder: Path) -> list[Path]:
    """The finished backups in a folder, oldest first."""
    if not folder.exists():
        return []
    return sorted(p for p in folder.glob("*.duckdb") if _NAME.match(p.name))


def taken_on(path: Path) -> date | None:
    match = _NAME.match(path.name)
    return datetime.strptime(match.group("stamp"), _STAMP).date() if match else None


def prune(folder: Path, *, keep_days: int, today: date) -> list[Path]:
    """Delete the backups older than `keep_days` days (and what is left of an interrupted one)."""
    removed = []
    for path in backups(folder):
        day = taken_on(path)
        if day is not None and day < today - timedelta(days=keep_days):
            _remove(path)
            removed.append(path)
    for partial in folder.glob("*.partial*") if folder.exists() else []:
        partial.unlink(missing_ok=True)
    return removed


def ensure_daily(store: Store, *, keep_days: int, folder: Path | None = None,
                 at: datetime | None = None) -> BackupCheck | None:
    """Take today's backup unless there is one, and prune old ones. Returns the new backup's check."""
    moment = (at or now_utc()).astimezone(UTC)
    target = folder or backup_folder(store.path)
    made = None
    if not any(taken_on(p) == moment.date() for p in backups(target)):
        made = take(store, folder=target, at=moment)
    prune(target, keep_days=keep_days, today=moment.date())
    return made


def restore(backup: Path, target: Path) -> Path | None:
    """Bring the store at `target` back to `backup` (checked first). The store it replaces is kept beside it
    as TARGET.before-restore-STAMP (and returned), so a restore loses nothing. The store must not be open:
    the caller (the command line) opens nothing, and DuckDB's lock refuses a file another process holds."""
    check = verify(backup)
    if not check.ok:
        raise BackupError(f"{backup.name} did not verify ({check.summary()}); nothing was restored.")
    _refuse_if_held(target)
    kept = None
    if target.exists():
        kept = target.with_name(f"{target.name}.before-restore-{now_utc():{_STAMP}}")
        os.replace(target, kept)
        wal = target.with_name(target.name + ".wal")
        if wal.exists():
            os.replace(wal, kept.with_name(kept.name + ".wal"))
    shutil.copyfile(backup, target)
    backup_wal = backup.with_name(backup.name + ".wal")
    if backup_wal.exists():
        shutil.copyfile(backup_wal, target.with_name(target.name + ".wal"))
    os.chmod(target, 0o600)
    return kept


def _refuse_if_held(target: Path) -> None:
    if not target.exists():
        return
    try:
        duckdb.connect(str(target)).close()
    except duckdb.IOException as error:
        raise BackupError(f"{target} is in use by another program ({error}). Stop the dashboard first; a "
                          "restore replaces the whole store.") from error


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)

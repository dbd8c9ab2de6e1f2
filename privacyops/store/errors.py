"""The store's errors, and DuckDB's errors turned into messages people can act on."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb


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


_LOCK_PID = re.compile(r"\(PID (\d+)\)")


def translate(error: duckdb.Error, path: Path) -> StoreError:
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

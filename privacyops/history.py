"""The request history: append-only, each entry hash-chained to the one before it.

GDPR Art. 5(2) (accountability) asks that we can show what was done with a request and when. The
history is only ever appended to (nothing in Privacy Ops updates or deletes it), and each entry
carries sha256(previous entry's hash + its own content): changing, removing or reordering any entry
breaks every hash after it, and `verify_chain()` names the first entry that no longer fits.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

GENESIS_HASH = "0" * 64
# The requester's contact details and free text are personal data that must be anonymised when the
# evidence period ends (rules.md 4); an append-only log cannot forget, so it never holds them.
PERSONAL_FIELDS = frozenset({"requester_email", "requester_name", "description"})
REDACTED = "(recorded; not kept in the history)"


def without_personal_data(changes: Mapping[str, Any]) -> dict[str, Any]:
    """The change set with personal values replaced by a marker saying they were recorded."""
    return {field: ([None if v is None else REDACTED for v in value] if field in PERSONAL_FIELDS
                    and isinstance(value, list | tuple) else value)
            for field, value in changes.items()}


def canonical_changes(changes: Mapping[str, Any]) -> str:
    """The JSON text stored for a change set: sorted keys, ISO dates, no spaces, so it hashes the same."""
    return json.dumps(changes, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)


def entry_hash(prev_hash: str, entry_id: int, request_id: str, at: datetime, actor: str,
               action: str, changes_json: str, note: str) -> str:
    """sha256 over the previous hash and every field of the entry, unit-separated."""
    parts = [prev_hash, str(entry_id), request_id, at.isoformat(sep=" ", timespec="microseconds"),
             actor, action, changes_json, note]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def append(cur: duckdb.DuckDBPyConnection, *, request_id: str, at: datetime, actor: str,
           action: str, changes: Mapping[str, Any], note: str = "") -> int:
    """Append one entry inside the caller's write transaction; returns its entry_id.

    Must run through `Store.write()`: the write lock is what makes "the last entry" well defined.
    """
    last = cur.execute(
        "SELECT entry_id, entry_hash FROM request_history ORDER BY entry_id DESC LIMIT 1"
    ).fetchone()
    entry_id, prev = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    changes_json = canonical_changes(without_personal_data(changes))
    digest = entry_hash(prev, entry_id, request_id, at, actor, action, changes_json, note)
    cur.execute(
        "INSERT INTO request_history VALUES ($id, $rid, $at, $actor, $action, $changes, $note, $prev, $hash)",
        {"id": entry_id, "rid": request_id, "at": at, "actor": actor, "action": action,
         "changes": changes_json, "note": note, "prev": prev, "hash": digest},
    )
    return entry_id


@dataclass(frozen=True)
class ChainProblem:
    entry_id: int
    request_id: str
    reason: str

    def __str__(self) -> str:
        return f"history entry {self.entry_id} (request {self.request_id}): {self.reason}"


def verify_chain(rows: Iterable[tuple]) -> list[ChainProblem]:
    """Check entries (entry_id, request_id, at, actor, action, changes, note, prev_hash, entry_hash),
    ordered by entry_id. Returns the problems found; an empty list means the chain is intact."""
    problems: list[ChainProblem] = []
    expected_prev = GENESIS_HASH
    expected_id = 1
    for entry_id, request_id, at, actor, action, changes, note, prev_hash, stored_hash in rows:
        if entry_id != expected_id:
            problems.append(ChainProblem(entry_id, request_id,
                                         f"expected entry {expected_id} here: entries are missing"))
        if prev_hash != expected_prev:
            problems.append(ChainProblem(entry_id, request_id,
                                         "does not follow the entry before it (removed or reordered)"))
        recomputed = entry_hash(prev_hash, entry_id, request_id, at, actor, action, changes, note)
        if recomputed != stored_hash:
            problems.append(ChainProblem(entry_id, request_id,
                                         "its content no longer matches its hash (changed after writing)"))
        expected_prev = stored_hash
        expected_id = entry_id + 1
    return problems

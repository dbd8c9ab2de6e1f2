"""The request history: append-only, each entry hash-chained to the one before it.

GDPR Art. 5(2) (accountability) asks that we can show what was done with a request and when. The
history is only ever appended to (nothing in Privacy Ops updates or deletes it), and each entry
carries sha256(previous entry's hash + its own content): changing, removing or reordering any entry
breaks every hash after it, and `verify_chain()` names the first entry that no longer fits.

Every writer goes through `append()` (one entry) or `append_many()` (a bulk of entries, as the request
import and the demo write them); both drop the requester's personal data first (`without_personal_data`).
`redact_and_rechain()` is how migration 009 took subject ids out of entries written before that rule.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from privacyops.store.queries import run_named

GENESIS_HASH = "0" * 64
# The requester's contact details, subject id and free text are personal data that must be anonymised
# when the evidence period ends (rules.md 4, last point); an append-only log cannot forget, so it never
# holds them: the entry says the field was recorded, the value stays only in the requests table. The
# reasons given for a refusal are free text written to the requester, so they may name them too.
PERSONAL_FIELDS = frozenset({"requester_email", "requester_name", "subject_id", "description", "refusal_reasons"})
REDACTED = "(recorded; not kept in the history)"
_COLUMNS = ("entry_id", "request_id", "recorded_at", "actor", "action", "changes", "note", "prev_hash",
            "entry_hash")


def _redacted(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [None if v is None else REDACTED for v in value]
    return None if value is None else REDACTED


def without_personal_data(changes: Mapping[str, Any]) -> dict[str, Any]:
    """The change set with personal values replaced by a marker saying they were recorded."""
    return {field: _redacted(value) if field in PERSONAL_FIELDS else value for field, value in changes.items()}


def canonical_changes(changes: Mapping[str, Any]) -> str:
    """The JSON text stored for a change set: sorted keys, ISO dates, no spaces, so it hashes the same."""
    return json.dumps(changes, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)


def entry_hash(prev_hash: str, entry_id: int, request_id: str, at: datetime, actor: str,
               action: str, changes_json: str, note: str) -> str:
    """sha256 over the previous hash and every field of the entry, unit-separated."""
    parts = [prev_hash, str(entry_id), request_id, at.isoformat(sep=" ", timespec="microseconds"),
             actor, action, changes_json, note]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _last_link(cur: duckdb.DuckDBPyConnection) -> tuple[int, str]:
    """The last entry's id and hash, (0, GENESIS_HASH) for an empty history."""
    last = cur.execute(
        "SELECT entry_id, entry_hash FROM request_history ORDER BY entry_id DESC LIMIT 1"
    ).fetchone()
    return (int(last[0]), last[1]) if last else (0, GENESIS_HASH)


def append(cur: duckdb.DuckDBPyConnection, *, request_id: str, at: datetime, actor: str,
           action: str, changes: Mapping[str, Any], note: str = "") -> int:
    """Append one entry inside the caller's write transaction; returns its entry_id.

    Must run through `Store.write()`: the write lock is what makes "the last entry" well defined.
    """
    last_id, prev = _last_link(cur)
    entry_id = last_id + 1
    changes_json = canonical_changes(without_personal_data(changes))
    digest = entry_hash(prev, entry_id, request_id, at, actor, action, changes_json, note)
    cur.execute(
        "INSERT INTO request_history VALUES ($id, $rid, $at, $actor, $action, $changes, $note, $prev, $hash)",
        {"id": entry_id, "rid": request_id, "at": at, "actor": actor, "action": action,
         "changes": changes_json, "note": note, "prev": prev, "hash": digest},
    )
    return entry_id


@dataclass(frozen=True)
class NewEntry:
    """One entry for `append_many()`: what `append()` takes, as a value."""

    request_id: str
    at: datetime
    actor: str
    action: str
    changes: Mapping[str, Any]
    note: str = ""


def append_many(cur: duckdb.DuckDBPyConnection, entries: Iterable[NewEntry]) -> int:
    """Append entries in the order given, in one bulk insert inside the caller's write transaction;
    returns how many. The result is exactly what calling `append()` for each in turn would write (same
    ids, same canonical, personal-data-free JSON, same hashes), without a round trip per entry."""
    entry_id, prev = _last_link(cur)
    rows: list[tuple] = []
    for entry in entries:
        entry_id += 1
        changes_json = canonical_changes(without_personal_data(entry.changes))
        digest = entry_hash(prev, entry_id, entry.request_id, entry.at, entry.actor, entry.action,
                            changes_json, entry.note)
        rows.append((entry_id, entry.request_id, entry.at, entry.actor, entry.action, changes_json, entry.note,
                     prev, digest))
        prev = digest
    _insert_rows(cur, rows)
    return len(rows)


def rows_table(rows: Sequence[tuple]) -> pa.Table:
    """History rows (the `verify_chain` shape) as an Arrow table with request_history's column types."""
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in _COLUMNS]
    types = (pa.int64(), pa.string(), pa.timestamp("us")) + (pa.string(),) * 6
    return pa.table({name: pa.array(values, kind) for name, values, kind in zip(_COLUMNS, columns, types, strict=True)})


def _insert_rows(cur: duckdb.DuckDBPyConnection, rows: Sequence[tuple]) -> None:
    if not rows:
        return
    cur.register("history_rows_arrow", rows_table(rows))
    try:
        # by position, as append() inserts
        cur.execute("INSERT INTO request_history SELECT * FROM history_rows_arrow ORDER BY entry_id")
    finally:
        cur.unregister("history_rows_arrow")


def redact_and_rechain(rows: Iterable[tuple]) -> tuple[list[tuple], int]:
    """The history as the rule of today writes it: every entry's personal values replaced by REDACTED
    (`without_personal_data`) and every hash recomputed from the genesis, ids, times, actors, actions and
    notes unchanged. Returns the new rows (the `verify_chain` shape) and how many entries were redacted.

    Entries without a personal value keep their JSON text byte for byte. Pure and deterministic: run over
    the entries of an old backup or export (e.g. the `history_chain` query on it), it gives exactly the
    hashes the migrated store holds for those entry ids, so anyone holding the old chain can check that
    the new chain is that chain with only personal values removed.
    """
    out: list[tuple] = []
    redacted = 0
    prev = GENESIS_HASH
    for entry_id, request_id, at, actor, action, changes, note, _old_prev, _old_hash in rows:
        parsed = json.loads(changes)
        if isinstance(parsed, dict) and PERSONAL_FIELDS & parsed.keys():
            cleaned = canonical_changes(without_personal_data(parsed))
            if cleaned != changes:
                changes = cleaned
                redacted += 1
        digest = entry_hash(prev, entry_id, request_id, at, actor, action, changes, note)
        out.append((entry_id, request_id, at, actor, action, changes, note, prev, digest))
        prev = digest
    return out, redacted


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


def verify_request_history(cur: duckdb.DuckDBPyConnection) -> list[ChainProblem]:
    """Check the request history's whole chain as this cursor sees it (a store, or a backup opened on its own)."""
    return verify_chain(run_named(cur, "history_chain").fetchall())


def verify_access_log(cur: duckdb.DuckDBPyConnection) -> list[ChainProblem]:
    """Check the access log's chain (same hashing: the target stands where a request id does, the note is
    empty) as this cursor sees it."""
    rows = run_named(cur, "access_log_chain").fetchall()
    return verify_chain((entry_id, target, at, actor, event, detail, "", prev, digest)
                        for entry_id, at, actor, event, target, detail, prev, digest in rows)

"""Migration 009: the request history stops holding requesters' subject ids.

Why: rules.md 4 (last point) and GDPR Art. 5(1)(e), storage limitation. A requester's subject id is the
dashboard's own personal data, kept only while the request's evidence is needed; the history is append-only
and cannot forget, so it must never hold it. Until now the 'create' entries of requests.log() and the
'import' entries of the request import recorded it (every action is checked here, not only those two).

What it does, in the migration's transaction:
1. reads the whole chain and checks it (`history.verify_chain`);
2. replaces every personal value still in an entry's changes by `history.REDACTED` and recomputes every
   prev_hash/entry_hash from the genesis (`history.redact_and_rechain`); ids, times, actors, actions and
   notes stay as they were, entries without such a value keep their JSON byte for byte;
3. appends one entry (request_id "(history)", action "redact") recording the old chain's entry count and
   last hash, how many entries were redacted, the fields whose values were removed (subject_id, and the
   contact details that imports before commit 97b9575 recorded), the problems the old chain had (none if
   intact) and why.
An empty history (a new store) is left as it is.

How the old chain's integrity stays provable. Whoever holds an old backup or export of the history (the
`history_chain` query's rows, any time before this migration) can:
- check the copy on its own: `history.verify_chain(rows)` must report nothing;
- if it is the last copy before the migration: its last entry's hash must equal `old_chain_last_hash`;
- for any older copy (a prefix of the chain): `history.redact_and_rechain(rows)` gives, entry by entry,
  exactly the entry_hash the migrated store holds for the same entry_id, so the new chain is provably the
  old one with only personal values removed. (The old hashes cannot be recomputed from the new store
  alone: that is the point, they covered the values now gone.)
If the old chain was already broken, re-chaining would hide it; the problems are therefore written into
the appended entry, which the new chain protects.
"""

from __future__ import annotations

import duckdb

from privacyops.clock import now_utc, to_utc_naive
from privacyops.store import history

CHAIN_REQUEST_ID = "(history)"
ACTOR = "privacyops migration 009"


def migrate(cur: duckdb.DuckDBPyConnection) -> None:
    old = cur.execute(
        "SELECT entry_id, request_id, recorded_at, actor, action, changes, note, prev_hash, entry_hash "
        "FROM request_history ORDER BY entry_id"
    ).fetchall()
    if not old:
        return
    problems = [str(p) for p in history.verify_chain(old)]
    new, redacted = history.redact_and_rechain(old)
    cur.register("history_009_arrow", history.rows_table(new))
    try:
        cur.execute("""
            UPDATE request_history AS h
            SET changes = n.changes, prev_hash = n.prev_hash, entry_hash = n.entry_hash
            FROM history_009_arrow AS n
            WHERE h.entry_id = n.entry_id
        """)
    finally:
        cur.unregister("history_009_arrow")
    history.append(
        cur, request_id=CHAIN_REQUEST_ID, at=to_utc_naive(now_utc()), actor=ACTOR, action="redact",
        changes={"old_chain_entries": len(old), "old_chain_last_entry_id": old[-1][0],
                 "old_chain_last_hash": old[-1][8], "entries_redacted": redacted,
                 "fields_redacted": sorted(history.PERSONAL_FIELDS), "old_chain_problems": problems},
        note=("Requesters' subject ids removed from the history and every hash recomputed: the append-only "
              "history never holds the dashboard's own personal data (rules.md 4; GDPR Art. 5(1)(e)). "
              "An old copy checks against old_chain_last_hash, or via history.redact_and_rechain."),
    )

"""Privacy Ops' own personal data: requesters' contact details and subject ids (rules.md 4, last point).

They are kept while the request's evidence is needed (setting `contact_evidence_years`, default two
years after closing), then anonymised: email, name, subject id and free-text description are removed,
the request itself (type, dates, outcome) stays as anonymous evidence. The history never holds them
(migration 009 took the subject ids out of the entries written before that rule).
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb

from privacyops.cases import access
from privacyops.clock import now_utc, to_utc_naive
from privacyops.store import Store, history, run_named
from privacyops.store import settings as stored_settings


def anonymise_expired_contacts(store: Store, *, today: date, actor: str, at: datetime | None = None) -> int:
    """Anonymise every closed request whose evidence period has ended; returns how many.

    One transaction: the requests, one 'anonymise' history entry each and one access-log entry.
    """
    years = stored_settings.current(store).contact_evidence_years
    stamp = to_utc_naive(at or now_utc())

    def change(cur: duckdb.DuckDBPyConnection) -> int:
        due = [row[0] for row in run_named(cur, "own_contacts_due", as_of=today, evidence_years=years).fetchall()]
        for request_id in due:
            # A request anonymised before subject ids were included keeps the date its contacts went.
            cur.execute("UPDATE requests SET requester_email = NULL, requester_name = NULL, subject_id = NULL, "
                        "description = NULL, contact_anonymised_at = coalesce(contact_anonymised_at, $at), "
                        "updated_at = $at WHERE request_id = $id",
                        {"at": stamp, "id": request_id})
            history.append(cur, request_id=request_id, at=stamp, actor=actor, action="anonymise",
                           changes={"requester_email": ["x", None], "requester_name": ["x", None],
                                    "subject_id": ["x", None], "description": ["x", None]},
                           note=f"Evidence period of {years} years after closing has ended")
        if due:
            access.append_in_transaction(cur, actor=actor, event="anonymise", target="requests",
                                         detail={"count": len(due), "evidence_years": years}, at=stamp)
        # Rejected rows of request imports: their line, column and reason stay as the import's evidence;
        # the copied values (contact details among them) go 90 days after the import.
        for run_id, rows in run_named(cur, "own_rejects_due", as_of=today).fetchall():
            cur.execute("UPDATE import_rejects SET value = NULL, record = NULL WHERE run_id = $run", {"run": run_id})
            access.append_in_transaction(cur, actor=actor, event="anonymise", target=f"import_run:{run_id}",
                                         detail={"rejected_rows": int(rows)}, at=stamp)
        return len(due)

    return store.write(change, touches=("requests", "access", "imports"))

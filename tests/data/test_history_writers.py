"""The history's bulk writer on a real store: the import and the demo append through it."""

from __future__ import annotations

from datetime import datetime

from privacyops.store import history

ENTRIES = [
    history.NewEntry("DSR-000001", datetime(2025, 3, 5, 9), "agent@example.com", "create",
                     {"subject_id": [None, "u-1182"], "requester_email": [None, "a@example.com"],
                      "status": [None, "logged"]}, "Logged"),
    history.NewEntry("DSR-000001", datetime(2025, 3, 6, 9), "agent@example.com", "forward",
                     {"status": ["logged", "forwarded"]}),
    history.NewEntry("DSR-000002", datetime(2025, 3, 6, 9, 30), "agent@example.com", "import",
                     {"subject_id": [None, "u-2001"]}, "Imported"),
]


def all_entries(store) -> list[tuple]:
    with store.cursor() as cur:
        return cur.execute("SELECT * FROM request_history ORDER BY entry_id").fetchall()


def test_append_many_writes_what_append_writes_one_by_one(tmp_path):
    from privacyops.store import open_store

    one_by_one, bulk = open_store(tmp_path / "a.duckdb"), open_store(tmp_path / "b.duckdb")
    try:
        for store in (one_by_one, bulk):   # an entry already there: the bulk continues the chain
            store.write(lambda cur: history.append(cur, request_id="DSR-000000", at=datetime(2025, 1, 2),
                                                   actor="x@example.com", action="create", changes={}))

        def each(cur) -> None:
            for e in ENTRIES:
                history.append(cur, request_id=e.request_id, at=e.at, actor=e.actor, action=e.action,
                               changes=e.changes, note=e.note)

        one_by_one.write(each)
        assert bulk.write(lambda cur: history.append_many(cur, ENTRIES)) == 3
        assert bulk.write(lambda cur: history.append_many(cur, [])) == 0
        written = all_entries(bulk)
        assert written == all_entries(one_by_one) and [e[0] for e in written] == [1, 2, 3, 4]
        assert history.verify_chain(written) == []
        text = " ".join(e[5] for e in written)
        assert "u-1182" not in text and "u-2001" not in text and "a@example.com" not in text
    finally:
        one_by_one.close()
        bulk.close()

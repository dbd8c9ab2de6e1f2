"""The access log's hash chain on a real store: an entry edited, removed or moved behind the application's
back is found and named by its number."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pytest

from privacyops.cases import access
from privacyops.store import Store, open_store

ADMIN = "dpo@example.com"


@pytest.fixture
def logged(store: Store) -> Store:
    """Four entries, as the app writes them."""
    for n, (event, target) in enumerate([("sign_in", ""), ("reveal", "DSR-000001"), ("export", "explore_csv"),
                                         ("sign_out", "")], start=1):
        access.log_event(store, actor=ADMIN, event=event, target=target, detail={"n": n},
                         at=datetime(2025, 3, 5, 9, n, tzinfo=UTC))
    return store


def tampered(store: Store, *statements: str) -> Store:
    """Someone opens the file with duckdb and edits the log; the application opens it again."""
    path = store.path
    store.close()
    con = duckdb.connect(str(path))
    for sql in statements:
        con.execute(sql)
    con.close()
    return open_store(path)


def named(problems) -> list[tuple[int, str]]:
    return [(p.entry_id, p.reason) for p in problems]


def test_an_untouched_log_is_intact(logged):
    assert access.verify_access_log(logged) == []
    assert logged.query("access_log_chain")["entry_id"].tolist() == [1, 2, 3, 4]


def test_an_edited_entry_is_named(logged):
    reopened = tampered(logged, "UPDATE access_log SET actor = 'someone.else@example.com' WHERE entry_id = 2")
    try:
        assert named(access.verify_access_log(reopened)) == [
            (2, "its content no longer matches its hash (changed after writing)")]
    finally:
        reopened.close()


def test_an_edited_detail_or_time_is_named(logged):
    reopened = tampered(logged, "UPDATE access_log SET detail = '{\"n\":9}' WHERE entry_id = 3",
                        "UPDATE access_log SET recorded_at = recorded_at + INTERVAL 1 DAY WHERE entry_id = 1")
    try:
        assert [p.entry_id for p in access.verify_access_log(reopened)] == [1, 3]
    finally:
        reopened.close()


def test_a_removed_entry_is_named_at_the_gap(logged):
    reopened = tampered(logged, "DELETE FROM access_log WHERE entry_id = 2")
    try:
        assert named(access.verify_access_log(reopened)) == [
            (3, "expected entry 2 here: entries are missing"),
            (3, "does not follow the entry before it (removed or reordered)")]
    finally:
        reopened.close()


def test_an_overwritten_hash_is_named_and_breaks_the_link_to_the_next_entry(logged):
    # The next entry points at the old hash, so replacing an entry's hash shows at both entries.
    reopened = tampered(logged, "UPDATE access_log SET entry_hash = repeat('0', 64) WHERE entry_id = 2")
    try:
        assert [p.entry_id for p in access.verify_access_log(reopened)] == [2, 3]
    finally:
        reopened.close()

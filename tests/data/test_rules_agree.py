"""The business views in SQL (migration 002) and the pure rules in Python must say the same thing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from privacyops import consent, deadlines, retention

METHODS = list(consent.METHODS)


def test_consent_facts_agree_with_consent_rules(customer_store):
    def insert(cur):
        for i, method in enumerate(METHODS):
            for chosen in (True, False):
                cur.execute(
                    "INSERT INTO consent_records VALUES ($id, 'C01', 'subj_1', TIMESTAMP '2026-01-05 10:00', "
                    "$method, '2025-09', 'banner', 'SE', true, $c, $c, $c)",
                    {"id": f"CR{i}{chosen}", "method": method, "c": chosen})
    customer_store.write(insert)
    with customer_store.cursor() as cur:
        rows = cur.execute("SELECT method, analytics, is_valid_choice, is_invalid_consent, analytics_opt_in, "
                           "marketing_opt_in, is_consent_decision FROM consent_facts").fetchall()
    assert len(rows) == 2 * len(METHODS)
    for method, chosen, valid, invalid, analytics_in, marketing_in, decision in rows:
        assert valid == consent.is_valid_choice(method)
        assert invalid == (method in consent.INVALID_METHODS)
        assert analytics_in == consent.is_valid_opt_in(method, chosen)
        assert marketing_in == consent.is_valid_opt_in(method, chosen)
        assert decision == (method != "withdrawal")


@pytest.mark.parametrize("received", [
    datetime(2025, 3, 31, 21, 59, tzinfo=UTC), datetime(2025, 3, 31, 22, 0, tzinfo=UTC),   # CEST midnight
    datetime(2025, 1, 31, 22, 59, tzinfo=UTC), datetime(2025, 1, 31, 23, 0, tzinfo=UTC),   # CET midnight
    datetime(2025, 3, 30, 0, 30, tzinfo=UTC), datetime(2025, 10, 26, 0, 30, tzinfo=UTC),   # DST switch days
    datetime(2025, 12, 31, 23, 30, tzinfo=UTC),
])
def test_request_clock_received_on_is_the_stockholm_date(customer_store, received):
    naive = received.astimezone(UTC).replace(tzinfo=None)

    def insert(cur):
        cur.execute(
            "INSERT INTO requests (request_id, customer_id, request_type, received_at, channel, status, "
            "forward_due_date, due_date, created_at, updated_at) VALUES ('DSR-000001', 'C01', 'access', $at, "
            "'email', 'logged', DATE '2025-01-01', DATE '2025-01-01', $at, $at)", {"at": naive})
    customer_store.write(insert)
    with customer_store.cursor() as cur:
        (received_on,) = cur.execute("SELECT received_on FROM request_clock").fetchone()
    assert received_on == deadlines.stockholm_date(received)


def test_retention_status_agrees_with_retention_rules(customer_store):
    # C01 keeps everything 365 days; one record has an end set by its source system.
    def insert(cur):
        cur.execute("INSERT INTO retention_records VALUES ('R1', 'C01', 'email', TIMESTAMP '2024-01-01', "
                    "TIMESTAMP '2024-03-01 23:30', NULL, NULL, NULL)")
        cur.execute("INSERT INTO retention_records VALUES ('R2', 'C01', 'name', TIMESTAMP '2024-01-01', "
                    "TIMESTAMP '2024-03-01', DATE '2024-06-01', TIMESTAMP '2024-07-01 08:00', 'deleted')")
    customer_store.write(insert)
    with customer_store.cursor() as cur:
        rows = dict((r[0], r[1:]) for r in cur.execute(
            "SELECT record_id, effective_end_on, disposed_on FROM retention_status").fetchall())
    # Last used 23:30 UTC on 1 March 2024 is 00:30 on 2 March in Stockholm: the Stockholm day counts.
    assert rows["R1"][0] == retention.retention_end(date(2024, 3, 2), 365)
    assert rows["R2"][0] == retention.retention_end(date(2024, 3, 1), 365, date(2024, 6, 1))
    assert rows["R2"][1] == date(2024, 7, 1)


@pytest.mark.parametrize(("end", "disposed", "as_of"), [
    (date(2025, 5, 1), None, date(2025, 4, 30)), (date(2025, 5, 1), None, date(2025, 5, 1)),
    (date(2025, 5, 1), date(2025, 5, 10), date(2025, 5, 9)), (date(2025, 5, 1), date(2025, 5, 10), date(2025, 5, 10)),
    (date(2025, 5, 1), date(2025, 4, 1), date(2025, 5, 2)),
])
def test_backlog_macro_agrees_with_the_retention_rule(store, end, disposed, as_of):
    with store.cursor() as cur:
        (in_sql,) = cur.execute("SELECT in_retention_backlog($end, $disposed, $as_of)",
                                {"end": end, "disposed": disposed, "as_of": as_of}).fetchone()
    assert in_sql == retention.in_backlog(end, disposed, as_of)

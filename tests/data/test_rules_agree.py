"""The business views in SQL (migration 002) and the pure rules in Python must say the same thing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from privacyops.rules import consent, deadlines, retention

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


# --- retention under terms that change and a customer's disposal day (rules.md 4, issue 8) ---------------

def _retention_history_store(store, seed: int):
    """Random term histories (shortened, lengthened, several changes a day, a first term set late),
    disposal days and records, written the way the app writes them; returns what Python needs."""
    import random

    rng = random.Random(seed)
    customers_rows, histories, records = [], {}, []
    for n in range(1, 7):
        customer_id = f"H{n}"
        instructed = date(2025, 1, 1) + timedelta(days=rng.randrange(500)) if n in (2, 5) else None
        contract = date(2025, 1, 1) + timedelta(days=rng.randrange(500)) if n in (3, 5) else None
        customers_rows.append((customer_id, instructed, contract))
        for category in ("email", "name"):
            days = rng.choice((30, 90, 365))
            log = [(datetime(2026, 6, 1, 9, 0), None, days)]      # the first term, entered late
            for _ in range(rng.randrange(4)):
                at = datetime(2025, 1, 1, 7, 0) + timedelta(days=rng.randrange(550), hours=rng.randrange(14))
                new = rng.choice((30, 90, 200, 365, 730))
                log.append((at, days, new))
                days = new
            histories[(customer_id, category)] = (days, log)
    # The changes are logged in time order, each old value the term before it.
    for key, (_, log) in histories.items():
        first, *changes = log
        changes.sort()
        term, fixed = first[2], []
        for at, _, new in changes:
            fixed.append((at, term, new))
            term = new
        histories[key] = (term, [first, *fixed])
    for i in range(400):
        customer_id, instructed, contract = customers_rows[rng.randrange(len(customers_rows))]
        category = rng.choice(("email", "name"))
        created = date(2023, 1, 1) + timedelta(days=rng.randrange(900))
        used = created + timedelta(days=rng.randrange(400))
        explicit = used + timedelta(days=rng.randrange(30, 400)) if rng.random() < 0.1 else None
        disposed = used + timedelta(days=rng.randrange(30, 1000)) if rng.random() < 0.5 else None
        records.append((f"R{i:04d}", customer_id, category, created, used, explicit, disposed))

    def write(cur):
        for customer_id, instructed, contract in customers_rows:
            cur.execute("INSERT INTO customers (customer_id, name, org_number, forward_working_days, created_at, "
                        "deletion_instructed_on, contract_ended_on) VALUES ($id, 'Historik AB', '556000-0000', 5, "
                        "TIMESTAMP '2026-06-01 09:00', $i, $c)", {"id": customer_id, "i": instructed, "c": contract})
        for (customer_id, category), (term, log) in histories.items():
            cur.execute("INSERT INTO customer_retention_terms VALUES ($id, $cat, $days, 'delete')",
                        {"id": customer_id, "cat": category, "days": term})
            for at, old, new in log:
                cur.execute("INSERT INTO customer_changes (customer_id, changed_at, changed_by, field, old_value, "
                            "new_value) VALUES ($id, $at, 't@example.com', $field, $old, $new)",
                            {"id": customer_id, "at": at, "field": f"{category}.retention_days",
                             "old": None if old is None else str(old), "new": str(new)})
        for record_id, customer_id, category, created, used, explicit, disposed in records:
            cur.execute("INSERT INTO retention_records VALUES ($id, $c, $cat, $created, $used, $explicit, $disposed, "
                        "CASE WHEN $disposed IS NULL THEN NULL ELSE 'deleted' END)",
                        {"id": record_id, "c": customer_id, "cat": category,
                         "created": datetime.combine(created, datetime.min.time()) + timedelta(hours=10),
                         "used": datetime.combine(used, datetime.min.time()) + timedelta(hours=10),
                         "explicit": explicit,
                         "disposed": None if disposed is None else
                         datetime.combine(disposed, datetime.min.time()) + timedelta(hours=10)})
    store.write(write)
    periods = {}
    for key, (term, log) in histories.items():
        # changed_at 07:00-20:00 UTC is the same Stockholm date
        periods[key] = retention.term_periods(term, [retention.TermChange(at.date(), old, new) for at, old, new in log])
    dates = {c: (i, k) for c, i, k in customers_rows}
    return records, periods, dates


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_retention_terms_over_time_agree_with_the_retention_rules(store, seed):
    records, periods, dates = _retention_history_store(store, seed)
    with store.cursor() as cur:
        status = {r[0]: r[1:] for r in cur.execute(
            "SELECT record_id, effective_end_on, term_end_on, disposal_due_from FROM retention_status").fetchall()}
        stretches = cur.execute("SELECT customer_id, start_on, stop_on, episode_start_on, stop_reason, records "
                                "FROM retention_backlog_spans").fetchall()
    python_stretches = []
    for record_id, customer_id, category, created, used, explicit, disposed in records:
        key_periods = periods[(customer_id, category)]
        due_from = retention.disposal_due_from(*dates[customer_id], created)
        expected = (retention.effective_end(used, key_periods, explicit_end=explicit, disposal_from=due_from),
                    retention.effective_end(used, key_periods, explicit_end=explicit), due_from)
        assert status[record_id] == expected, record_id
        python_stretches += [(customer_id, s.start_on, s.stop_on, s.episode_start_on, s.stop_reason) for s in
                             retention.backlog_stretches(used, key_periods, explicit_end=explicit,
                                                         disposal_from=due_from, disposed_on=disposed)]
    from collections import Counter
    assert Counter({tuple(r[:5]): 0 for r in stretches}) + Counter(
        {tuple(r[:5]): r[5] for r in stretches}) == Counter(python_stretches)
    # The backlog on every day of the range, counted from the stretches, is Python's record by record.
    for day in (date(2024, 6, 1) + timedelta(days=9 * i) for i in range(100)):
        in_sql = sum(r[5] for r in stretches if r[1] <= day and (r[2] is None or day < r[2]))
        in_python = sum(s[1] <= day and (s[2] is None or day < s[2]) for s in python_stretches)
        assert in_sql == in_python, day

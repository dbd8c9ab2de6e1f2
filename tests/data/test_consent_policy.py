"""Each customer's current consent policy (issue 8, rules.md 3: "set explicitly, never guessed"): migration
008 carries an existing store forward with today's guess, not confirmed; an admin sets or confirms it, and
every change lands in customers and customer_changes in one transaction."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest

from privacyops.cases import customers
from privacyops.rules.customer_terms import Customer, RetentionTerm
from privacyops.store import migrations, open_store

TODAY = date(2025, 6, 30)


def policy(store, customer_id: str) -> tuple:
    with store.cursor() as cur:
        return cur.execute("SELECT consent_policy_version, consent_policy_effective_on, consent_policy_confirmed "
                           "FROM customers WHERE customer_id = ?", [customer_id]).fetchone()


def policy_changes(store, customer_id: str) -> list[tuple]:
    with store.cursor() as cur:
        return cur.execute("SELECT changed_by, field, old_value, new_value FROM customer_changes "
                           "WHERE customer_id = ? AND field LIKE 'consent_policy%' ORDER BY change_id",
                           [customer_id]).fetchall()


def test_an_existing_store_starts_from_todays_guess_not_confirmed(store_path):
    """A store of the version before 008: the guess is the version whose first record is latest, on that
    record's date; every customer is marked not confirmed, one without records (no policy) too."""
    con = duckdb.connect(str(store_path))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
                "applied_at TIMESTAMP NOT NULL)")
    for m in migrations():
        if m.version < 8:
            con.execute(m.sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, now()::TIMESTAMP)", [m.version, m.name])
    for cid in ("C01", "C02"):
        con.execute("INSERT INTO customers (customer_id, name, org_number, forward_working_days, created_at) "
                    "VALUES (?, ?, '556000-0000', 5, TIMESTAMP '2024-01-01 09:00:00')", [cid, f"Kund {cid} AB"])
    records = [("K1", "C01", datetime(2025, 1, 6, 10), "v1"), ("K2", "C01", datetime(2025, 3, 3, 10), "v2"),
               ("K3", "C01", datetime(2025, 4, 1, 23, 30), "v1")]   # an old version later: not its first record
    con.executemany("INSERT INTO consent_records VALUES (?, ?, 'S1', ?, 'accept_all', ?, 'banner', 'SE', "
                    "TRUE, TRUE, TRUE, TRUE)", records)
    con.close()

    store = open_store(store_path)
    try:
        assert policy(store, "C01") == ("v2", date(2025, 3, 3), False)
        assert policy(store, "C02") == (None, None, False)
        guessed = policy_changes(store, "C01")
        assert [(f, o, n) for _, f, o, n in guessed] == [("consent_policy_effective_on", None, "2025-03-03"),
                                                         ("consent_policy_version", None, "v2")]
        assert all("not confirmed" in who for who, *_ in guessed)
        assert policy_changes(store, "C02") == []
        # a customer added after the migration is set explicitly (here: no policy), so it is confirmed
        customers.save(store, Customer("C03", "Ny Kund AB", "556000-0003", 5, {
            c: RetentionTerm(365, "delete") for c in ("name", "email", "company_details", "user_data",
                                                               "quote_content")}), actor="admin@example.com")
        assert policy(store, "C03") == (None, None, True)
    finally:
        store.close()


def test_setting_a_policy_confirms_it_and_logs_each_changed_field(customer_store):
    store = customer_store
    changed = customers.set_consent_policy(store, "C01", " 2025-09 ", date(2025, 9, 1), actor="admin@example.com",
                                           today=TODAY.replace(month=12))
    assert changed == ["consent_policy_version", "consent_policy_effective_on"]
    assert policy(store, "C01") == ("2025-09", date(2025, 9, 1), True)
    assert policy_changes(store, "C01") == [
        ("admin@example.com", "consent_policy_version", None, "2025-09"),
        ("admin@example.com", "consent_policy_effective_on", None, "2025-09-01")]
    # the same values again: nothing changes, nothing is logged
    assert customers.set_consent_policy(store, "C01", "2025-09", date(2025, 9, 1), actor="admin@example.com",
                                        today=TODAY.replace(month=12)) == []
    assert len(policy_changes(store, "C01")) == 2


def test_confirming_a_guess_logs_the_confirmation(customer_store):
    store = customer_store
    with store.cursor() as cur:   # as migration 008 leaves an existing customer
        cur.execute("UPDATE customers SET consent_policy_version = 'v2', consent_policy_effective_on = DATE "
                    "'2025-03-03', consent_policy_confirmed = FALSE WHERE customer_id = 'C01'")
        cur.execute("UPDATE customers SET consent_policy_confirmed = FALSE WHERE customer_id = 'C02'")
    assert customers.set_consent_policy(store, "C01", "v2", date(2025, 3, 3), actor="admin@example.com",
                                        today=TODAY) == ["consent_policy_confirmed"]
    assert policy(store, "C01") == ("v2", date(2025, 3, 3), True)
    assert policy_changes(store, "C01")[-1] == ("admin@example.com", "consent_policy_confirmed", "false", "true")
    assert customers.confirm_no_consent_policy(store, "C02", actor="admin@example.com") is True
    assert policy(store, "C02") == (None, None, True)
    assert customers.confirm_no_consent_policy(store, "C02", actor="admin@example.com") is False
    with pytest.raises(customers.CustomerInputError, match="has a policy"):
        customers.confirm_no_consent_policy(store, "C01", actor="admin@example.com")


@pytest.mark.parametrize(("version", "effective_on", "field", "message"), [
    ("", date(2025, 3, 3), "consent_policy_version", "required"),
    ("x" * 65, date(2025, 3, 3), "consent_policy_version", "at most 64"),
    ("v2\nv3", date(2025, 3, 3), "consent_policy_version", "one line"),
    ("v2", None, "consent_policy_effective_on", "required"),
    ("v2", date(2025, 7, 1), "consent_policy_effective_on", "after today"),
    ("v2", date(1989, 12, 31), "consent_policy_effective_on", "before 1990"),
])
def test_bad_input_names_the_field_and_writes_nothing(customer_store, version, effective_on, field, message):
    with pytest.raises(customers.CustomerInputError) as raised:
        customers.set_consent_policy(customer_store, "C01", version, effective_on, actor="admin@example.com",
                                     today=TODAY)
    assert list(raised.value.errors) == [field] and message in raised.value.errors[field]
    assert policy(customer_store, "C01") == (None, None, True)
    assert policy_changes(customer_store, "C01") == []

"""The Customers page (AppTest): the terms table, adding and editing a customer through the form (checked
in the database), validation errors shown by their fields with nothing written, the change log, and that a
changed retention term moves the backlog on the Retention page at once."""

from __future__ import annotations

from datetime import timedelta

from streamlit.testing.v1 import AppTest

from privacyops import clock
from privacyops.rules.retention import DATA_CATEGORIES
from privacyops.store import Store
from tests.app.conftest import open_page, texts
from tests.app.test_retention import as_int, backlog_count, metric

PAGE = "pages/customers.py"
ACTOR = "local.admin@localhost"  # ui.auth.current_user() until sign-in is configured
NEW = "_new"


def key(form: str, field: str) -> str:
    return f"cust_{form}_{field}"


def row_counts(store: Store) -> tuple[int, int, int]:
    with store.cursor() as cur:
        return cur.execute("SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM customer_retention_terms), "
                           "(SELECT count(*) FROM customer_changes)").fetchone()


def submit(at: AppTest, label: str) -> AppTest:
    (button,) = [b for b in at.button if b.label == label]
    return button.click().run()


def fill_new(at: AppTest, customer_id: str, name: str, org_number: str) -> None:
    at.text_input(key=key(NEW, "customer_id")).input(customer_id)
    at.text_input(key=key(NEW, "name")).input(name)
    at.text_input(key=key(NEW, "org_number")).input(org_number)


def error_texts(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def test_empty_store_shows_the_empty_state_and_the_form(empty_app_store):
    at = open_page(PAGE)
    assert not at.exception, at.exception
    assert "No customers yet" in texts(at)
    assert "No changes recorded yet" in texts(at)
    assert [b.label for b in at.button] == ["Add customer"]
    assert "apply from the moment they are saved" in texts(at)


def test_terms_table_shows_each_customer(customers_app_store):
    at = open_page(PAGE)
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert table["customer_id"].tolist() == ["C01", "C02"]
    c02 = table.set_index("customer_id").loc["C02"]
    assert c02["forward_working_days"] == 2
    assert all(c02[category] == "90 days, anonymise" for category in DATA_CATEGORIES)
    log = at.dataframe[-1].value
    assert len(log) == 2 * 13 and set(log["changed_by"]) == {"fixture@example.com"}


def test_adding_a_customer_writes_one_customer_five_terms_and_the_changes(customers_app_store):
    store = customers_app_store
    before = row_counts(store)
    at = open_page(PAGE)
    fill_new(at, "C13", "Nykund Offert AB", "556677-8899")
    at.number_input(key=key(NEW, "forward_working_days")).set_value(3)
    at.number_input(key=key(NEW, "email.retention_days")).set_value(30)
    at.selectbox(key=key(NEW, "email.end_action")).set_value("anonymise")
    submit(at, "Add customer")
    assert not at.exception, at.exception
    assert not error_texts(at), error_texts(at)

    assert row_counts(store) == (before[0] + 1, before[1] + 5, before[2] + 13)
    with store.cursor() as cur:
        assert cur.execute("SELECT name, org_number, forward_working_days FROM customers WHERE customer_id = 'C13'"
                           ).fetchall() == [("Nykund Offert AB", "556677-8899", 3)]
        terms = dict(((c, (d, a)) for c, d, a in cur.execute(
            "SELECT data_category, retention_days, end_action FROM customer_retention_terms "
            "WHERE customer_id = 'C13'").fetchall()))
        changes = cur.execute("SELECT changed_by, field, old_value, new_value FROM customer_changes "
                              "WHERE customer_id = 'C13'").fetchall()
    assert terms == {c: (30, "anonymise") if c == "email" else (365, "delete") for c in DATA_CATEGORIES}
    assert len(changes) == 13 and {c[0] for c in changes} == {ACTOR} and all(c[2] is None for c in changes)
    assert ("local.admin@localhost", "email.retention_days", None, "30") in changes

    # The page shows it at once: a success message, the table, the picker on the new customer, its log.
    assert any("Added the customer" in s.value for s in at.success)
    assert "Customer id: C13" in [t.value for t in at.text]
    assert "C13" in at.dataframe[0].value["customer_id"].tolist()
    assert at.selectbox(key="cust_pick").value == "C13"
    assert len(at.dataframe[-1].value) == 13


def test_an_invalid_form_shows_the_errors_keeps_the_input_and_writes_nothing(customers_app_store):
    before = row_counts(customers_app_store)
    at = open_page(PAGE)
    fill_new(at, "C 13!", "Felkund AB", "abc")
    submit(at, "Add customer")
    assert not at.exception, at.exception
    errors = error_texts(at)
    assert any("NNNNNN-NNNN" in e for e in errors)          # under the organisation number
    assert any("letters, digits" in e for e in errors)      # under the customer id
    assert any("Nothing was written" in e for e in errors)
    assert row_counts(customers_app_store) == before
    # What was typed is still there to correct.
    assert at.text_input(key=key(NEW, "name")).value == "Felkund AB"
    assert at.text_input(key=key(NEW, "org_number")).value == "abc"

    # Correcting it saves.
    at.text_input(key=key(NEW, "customer_id")).input("C13")
    at.text_input(key=key(NEW, "org_number")).input("556677-8899")
    submit(at, "Add customer")
    assert not error_texts(at), error_texts(at)
    assert row_counts(customers_app_store)[0] == before[0] + 1


def test_an_existing_id_is_not_overwritten_by_the_new_customer_form(customers_app_store):
    before = row_counts(customers_app_store)
    at = open_page(PAGE)
    fill_new(at, "C01", "Someone Else AB", "556677-8899")
    submit(at, "Add customer")
    assert any("already a customer" in e for e in error_texts(at))
    assert row_counts(customers_app_store) == before


def test_editing_records_only_the_changed_fields(customers_app_store):
    at = open_page(PAGE)
    at.selectbox(key="cust_pick").set_value("C02").run()
    assert at.text_input(key=key("C02", "customer_id")).disabled
    assert at.text_input(key=key("C02", "name")).value == "Testkund Två AB"
    at.number_input(key=key("C02", "forward_working_days")).set_value(7)
    submit(at, "Save changes")
    assert not at.exception, at.exception
    with customers_app_store.cursor() as cur:
        assert cur.execute("SELECT forward_working_days FROM customers WHERE customer_id = 'C02'").fetchone() == (7,)
        last = cur.execute("SELECT changed_by, field, old_value, new_value FROM customer_changes "
                           "ORDER BY change_id DESC LIMIT 2").fetchall()
    assert last[0] == (ACTOR, "forward_working_days", "2", "7")
    assert last[1][0] == "fixture@example.com"       # nothing else was recorded
    log = at.dataframe[-1].value
    assert (log.iloc[0]["field"], log.iloc[0]["old_value"], log.iloc[0]["new_value"]) == (
        "Forwarding term (working days)", "2", "7")


def test_a_shorter_retention_term_moves_the_backlog_on_the_retention_page(customers_app_store, monkeypatch):
    store = customers_app_store
    today = clock.today()  # the change is saved now: today is the day it applies from (rules.md 4)
    monkeypatch.setenv("PRIVACYOPS_TODAY", today.isoformat())

    def records(cur):  # C01 keeps email 365 days: last used 200 and 400 days ago, and name 200 days ago
        for record_id, category, days_ago in [("E1", "email", 200), ("E2", "email", 400), ("N1", "name", 200)]:
            cur.execute("INSERT INTO retention_records VALUES ($id, 'C01', $cat, TIMESTAMP '2023-01-01', $used, "
                        "NULL, NULL, NULL)", {"id": record_id, "cat": category,
                                              "used": today - timedelta(days=days_ago)})
    store.write(records)

    retention = open_page("pages/retention.py")
    assert as_int(metric(retention, "Backlog now")) == backlog_count(store, today) == 1   # E2

    at = open_page(PAGE)
    at.selectbox(key="cust_pick").set_value("C01").run()
    at.number_input(key=key("C01", "email.retention_days")).set_value(100)
    submit(at, "Save changes")
    assert not at.exception, at.exception
    with store.cursor() as cur:
        assert cur.execute("SELECT field, old_value, new_value FROM customer_changes ORDER BY change_id DESC LIMIT 1"
                           ).fetchone() == ("email.retention_days", "365", "100")

    retention = open_page("pages/retention.py")
    assert not retention.exception, retention.exception
    assert as_int(metric(retention, "Backlog now")) == backlog_count(store, today) == 2   # E1 and E2


def test_demo_customers_equal_the_store(demo_app_store):
    at = open_page(PAGE)
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    with demo_app_store.cursor() as cur:
        customers = cur.execute("SELECT customer_id, name, forward_working_days FROM customers ORDER BY name, "
                                "customer_id").fetchall()
        customer_id = customers[0][0]
        terms = cur.execute("SELECT data_category, retention_days, end_action FROM customer_retention_terms "
                            "WHERE customer_id = $id", {"id": customer_id}).fetchall()
    assert list(zip(table["customer_id"], table["customer"], table["forward_working_days"], strict=True)) == customers
    shown = table.set_index("customer_id").loc[customer_id]
    for category, days, action in terms:
        assert shown[category] == f"{days:,}".replace(",", " ") + f" days, {action}"
    assert "Demo data" in texts(at)


# --- the customer's deletion instruction and contract end (Art. 28(3)(g); issue 8) ------------------------

def disposal_key(customer_id: str, field: str) -> str:
    return f"cust_disposal_{customer_id}_{field}"


def test_a_contract_end_is_stored_logged_and_makes_the_records_due_on_the_retention_page(customers_app_store,
                                                                                          monkeypatch):
    store = customers_app_store
    today = clock.today()
    monkeypatch.setenv("PRIVACYOPS_TODAY", today.isoformat())

    def records(cur):  # C01 keeps email 365 days: one record not yet due, one past its end
        for record_id, days_ago in [("A", 100), ("B", 400)]:
            cur.execute("INSERT INTO retention_records VALUES ($id, 'C01', 'email', TIMESTAMP '2023-01-01', $used, "
                        "NULL, NULL, NULL)", {"id": record_id, "used": today - timedelta(days=days_ago)})
    store.write(records)
    retention = open_page("pages/retention.py")
    assert as_int(metric(retention, "Backlog now")) == 1
    assert "Deletion instructions and ended contracts" not in texts(retention)

    at = open_page(PAGE)
    at.selectbox(key="cust_disposal_pick").set_value("C01").run()
    ended = today - timedelta(days=10)
    at.date_input(key=disposal_key("C01", "contract_ended_on")).set_value(ended)
    submit(at, "Save dates")
    assert not at.exception, at.exception
    assert "Saved. Changed: Contract ended." in texts(at)
    with store.cursor() as cur:
        assert cur.execute("SELECT deletion_instructed_on, contract_ended_on FROM customers WHERE customer_id = 'C01'"
                           ).fetchone() == (None, ended)
        assert cur.execute("SELECT changed_by, field, old_value, new_value FROM customer_changes "
                           "ORDER BY change_id DESC LIMIT 1").fetchone() == (
            ACTOR, "contract_ended_on", None, ended.isoformat())
    log = next(d.value for d in at.dataframe if "field" in d.value.columns and "new_value" in d.value.columns)
    assert (log.iloc[0]["field"], log.iloc[0]["new_value"]) == ("Contract ended", ended.isoformat())
    listed = next(d.value for d in at.dataframe if "made_due_records" in d.value.columns)
    assert listed[["customer_id", "records_held", "made_due_records"]].values.tolist() == [["C01", 2, 1]]

    retention = open_page("pages/retention.py")
    assert not retention.exception, retention.exception
    assert as_int(metric(retention, "Backlog now")) == backlog_count(store, today) == 2   # A is due since the end
    assert "Deletion instructions and ended contracts" in texts(retention)
    shown = next(d.value for d in retention.dataframe if "made_due_records" in d.value.columns)
    assert shown[["customer_id", "backlog_records", "made_due_records"]].values.tolist() == [["C01", 2, 1]]
    assert "1 records in the backlog are there only because of it" in texts(retention)


def test_a_disposal_date_in_the_future_shows_the_error_and_writes_nothing(customers_app_store, monkeypatch):
    store = customers_app_store
    today = clock.today()
    monkeypatch.setenv("PRIVACYOPS_TODAY", today.isoformat())
    before = row_counts(store)
    at = open_page(PAGE)
    at.selectbox(key="cust_disposal_pick").set_value("C02").run()
    at.date_input(key=disposal_key("C02", "deletion_instructed_on")).set_value(today + timedelta(days=5))
    submit(at, "Save dates")
    assert not at.exception, at.exception
    errors = " ".join(error_texts(at))
    assert "Not saved: check the dates below" in errors
    assert "Deletion instruction received" in errors and "is in the future" in errors
    assert row_counts(store) == before
    with store.cursor() as cur:
        assert cur.execute("SELECT deletion_instructed_on FROM customers WHERE customer_id = 'C02'").fetchone() == (
            None,)
    # what was typed stays in the form
    assert at.date_input(key=disposal_key("C02", "deletion_instructed_on")).value == today + timedelta(days=5)

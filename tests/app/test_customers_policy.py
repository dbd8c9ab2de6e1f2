"""The Customers page's consent policy section and forwarding warnings (issue 8; rules.md 2 and 3): what the
admin sees (confirmed or not, no policy, the warning) and what lands in customers and customer_changes."""

from __future__ import annotations

from datetime import date

from privacyops import clock
from privacyops.store import Store
from tests.app.conftest import open_page, texts
from tests.app.test_customers import key, submit

PAGE = "pages/customers.py"
ACTOR = "local.admin@localhost"


def guessed(store: Store) -> None:
    """C01 as migration 008 leaves an existing customer: a guessed policy, not confirmed."""
    with store.cursor() as cur:
        cur.execute("UPDATE customers SET consent_policy_version = 'v2', consent_policy_effective_on = DATE "
                    "'2025-03-03', consent_policy_confirmed = FALSE WHERE customer_id = 'C01'")


def policy_rows(store: Store) -> tuple[tuple, list[tuple]]:
    with store.cursor() as cur:
        row = cur.execute("SELECT consent_policy_version, consent_policy_effective_on, consent_policy_confirmed "
                          "FROM customers WHERE customer_id = 'C01'").fetchone()
        changes = cur.execute("SELECT changed_by, field, old_value, new_value FROM customer_changes "
                              "WHERE customer_id = 'C01' AND field LIKE 'consent_policy%' "
                              "ORDER BY change_id").fetchall()
    return row, changes


def policy_table(at):
    return next(df.value for df in at.dataframe if "state" in df.value.columns).set_index("customer_id")


def test_a_guessed_policy_shows_not_confirmed_and_confirming_lands_in_the_store(customers_app_store):
    store = customers_app_store
    guessed(store)
    at = open_page(PAGE)
    assert not at.exception, at.exception
    table = policy_table(at)
    assert table.loc["C01", "state"] == "⚠️ Not confirmed (guessed)" and table.loc["C01", "version"] == "v2"
    assert table.loc["C02", "state"] == "✅ No policy yet: renewals by age only"
    assert "1 policy is not confirmed" in texts(at)

    at.selectbox(key="cust_pick").set_value("C01").run()
    assert "Not confirmed" in texts(at) and "guessed from the consent records" in texts(at)
    submit(at, "Confirm policy")
    assert not at.exception, at.exception
    assert policy_rows(store) == (("v2", date(2025, 3, 3), True),
                                  [(ACTOR, "consent_policy_confirmed", "false", "true")])
    assert "Saved and confirmed" in texts(at)
    assert policy_table(at).loc["C01", "state"] == "✅ Confirmed"


def test_setting_a_new_policy_writes_the_customer_and_its_change_log(customers_app_store):
    store = customers_app_store
    at = open_page(PAGE)
    at.selectbox(key="cust_pick").set_value("C01").run()
    assert "no consent policy yet" in texts(at)
    today = clock.today()
    at.text_input(key="cpol_C01_version").input("2026-11")
    at.date_input(key="cpol_C01_effective_on").set_value(today)
    submit(at, "Save policy")
    assert not at.exception, at.exception
    assert policy_rows(store) == (("2026-11", today, True), [
        (ACTOR, "consent_policy_version", None, "2026-11"),
        (ACTOR, "consent_policy_effective_on", None, today.isoformat())])
    log = at.dataframe[-1].value
    assert "Consent policy version" in log["field"].tolist()


def test_an_empty_version_is_refused_by_its_field_and_nothing_is_written(customers_app_store):
    store = customers_app_store
    at = open_page(PAGE)
    at.selectbox(key="cust_pick").set_value("C01").run()
    submit(at, "Save policy")
    assert any("policy version is required" in e.value for e in at.error)
    assert policy_rows(store) == ((None, None, True), [])


def test_a_forwarding_term_longer_than_the_shortest_month_is_warned_in_the_list_and_on_saving(customers_app_store):
    store = customers_app_store
    at = open_page(PAGE)
    assert "can end after the statutory due date" not in texts(at)   # 5 and 2 working days
    at.selectbox(key="cust_pick").set_value("C02").run()
    at.number_input(key=key("C02", "forward_working_days")).set_value(30)
    submit(at, "Save changes")
    assert not at.exception, at.exception
    warnings = [w.value for w in at.warning]
    assert sum("Testkund Två AB" in w and "can end after the statutory due date" in w for w in warnings) == 2
    with store.cursor() as cur:
        assert cur.execute("SELECT forward_working_days FROM customers WHERE customer_id = 'C02'").fetchone() == (30,)

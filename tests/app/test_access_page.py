"""The Access page: grants written through the form land in the store with their access-log entry."""

from __future__ import annotations

from tests.app.conftest import open_page, texts

PAGE = "pages/access.py"


def test_empty_store_shows_empty_states(empty_app_store):
    at = open_page(PAGE)
    assert not at.exception
    assert "No one has been given a role yet" in texts(at)
    assert "Nothing in the access log" in texts(at)


def test_granting_a_role_writes_the_grant_and_logs_it(empty_app_store):
    at = open_page(PAGE)
    at.selectbox(key="grant_kind").select("email")
    at.text_input(key="grant_principal").input("Ana.Analyst@Example.com")
    at.selectbox(key="grant_role").select("analyst")
    at.button[0].click()
    at.run()
    assert not at.exception and not at.error
    grants = empty_app_store.query("access_grants")
    assert grants[["principal", "role"]].values.tolist() == [["ana.analyst@example.com", "analyst"]]
    log = empty_app_store.query("access_log_chain")
    assert log[["event", "target"]].values.tolist() == [["role_change", "email:ana.analyst@example.com"]]
    assert "intact" in texts(at)


def test_an_invalid_grant_writes_nothing(empty_app_store):
    at = open_page(PAGE)
    at.text_input(key="grant_principal").input("not an address")
    at.button[0].click()
    at.run()
    assert "is not an email address" in " ".join(e.value for e in at.error)
    assert empty_app_store.query("access_grants").empty
    assert empty_app_store.query("access_log_chain").empty

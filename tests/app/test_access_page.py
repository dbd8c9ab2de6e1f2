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
    assert at.error and "is not an email address" in " ".join(t.value for t in at.text)
    assert empty_app_store.query("access_grants").empty
    assert empty_app_store.query("access_log_chain").empty


def test_a_link_with_dates_past_today_still_opens(demo_app_store):
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["from"] = "2099-01-01"
    at.query_params["to"] = "2099-12-31"
    at.run()
    assert not at.exception, at.exception


def test_markdown_in_stored_text_is_escaped():
    from ui.format import md_escape

    assert md_escape("**x** [a](http://e.test) <b>") == r"\*\*x\*\* \[a\](http://e.test) \<b\>"
    assert md_escape("DSR-000001") == "DSR-000001"

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


def test_an_entry_edited_behind_the_app_s_back_is_named_on_the_page(empty_app_store):
    from privacyops.cases import access

    for event in ("sign_in", "reveal", "sign_out"):
        access.log_event(empty_app_store, actor="dpo@example.com", event=event, target="DSR-000001")
    at = open_page(PAGE)
    assert "intact" in texts(at) and not at.error
    # someone edits the file with SQL, not through the application
    empty_app_store.write(lambda cur: cur.execute(
        "UPDATE access_log SET actor = 'someone.else@example.com' WHERE entry_id = 2"))
    at = open_page(PAGE)
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert errors == ["The access log has been tampered with: access-log entry 2: its content no longer matches "
                      "its hash (changed after writing)"], errors
    assert "intact" not in texts(at)


def _opened_with_link(start: str, end: str):
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["from"] = start
    at.query_params["to"] = end
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_link_with_dates_past_today_is_clamped_to_today(demo_app_store, monkeypatch):
    from datetime import date

    from privacyops import clock

    today = clock.today()
    monkeypatch.setenv("PRIVACYOPS_TODAY", today.isoformat())
    at = _opened_with_link("2099-01-01", "2099-12-31")
    # What the user sees: the date picker, the period the figures cover, and the link they can copy.
    assert at.sidebar.date_input(key="flt_dates").value == (today, today)
    assert f"Period **{today.isoformat()} – {today.isoformat()}** (1 days)" in texts(at)
    assert (at.query_params["from"], at.query_params["to"]) == (today.isoformat(), today.isoformat())
    assert date(2099, 1, 1).isoformat() not in texts(at)


def test_a_link_with_reversed_dates_shows_them_in_order(demo_app_store, monkeypatch):
    from datetime import timedelta

    from privacyops import clock

    today = clock.today()
    monkeypatch.setenv("PRIVACYOPS_TODAY", today.isoformat())
    later, earlier = today - timedelta(days=10), today - timedelta(days=40)
    at = _opened_with_link(later.isoformat(), earlier.isoformat())
    assert at.sidebar.date_input(key="flt_dates").value == (earlier, later)
    assert f"Period **{earlier.isoformat()} – {later.isoformat()}** (31 days)" in texts(at)


def test_markdown_in_stored_text_is_escaped():
    from ui.format import md_escape

    assert md_escape("**x** [a](http://e.test) <b>") == r"\*\*x\*\* \[a\](http://e.test) \<b\>"
    assert md_escape("DSR-000001") == "DSR-000001"

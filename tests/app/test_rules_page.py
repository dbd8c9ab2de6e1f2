"""The Rules page: the settings with their reasons, and a change that lands with its access-log entry."""

from __future__ import annotations

from privacyops.store import settings as stored_settings
from tests.app.conftest import open_page, texts


def test_rules_page_shows_settings_and_explains_a_date(empty_app_store):
    at = open_page("pages/rules.py")
    assert not at.exception, at.exception
    settings_table = at.dataframe[0].value
    assert "Treat Midsummer, Christmas and New Year's Eve as holidays" in settings_table["Setting"].tolist()
    assert any("One month later" in t.value for t in at.text)
    assert "Regulation 1182/71" in texts(at)


def test_changing_a_setting_is_stored_and_logged(empty_app_store):
    at = open_page("pages/rules.py")
    at.selectbox(key="rule_key").select("eves_are_holidays")
    at.text_input(key="rule_value").input("true")
    at.button[0].click()
    at.run()
    assert not at.exception and not at.error
    assert stored_settings.current(empty_app_store).eves_are_holidays is True
    log = empty_app_store.query("access_log_chain")
    assert log[["event", "target"]].values.tolist() == [["setting_change", "eves_are_holidays"]]


def test_an_invalid_value_writes_nothing(empty_app_store):
    at = open_page("pages/rules.py")
    at.selectbox(key="rule_key").select("soon_due_days")
    at.text_input(key="rule_value").input("ninety")
    at.button[0].click()
    at.run()
    assert at.error and any("whole number from 1 to 30" in t.value for t in at.text)
    assert empty_app_store.query("rule_settings").empty


def test_rules_page_explains_the_on_time_corners_with_the_code_s_dates(empty_app_store):
    """Issue 8: items 1, 2, 6 and 7 in words, with dates worked out by hand from rules.md 1."""
    at = open_page("pages/rules.py")
    shown = texts(at)
    assert "a refusal had to be sent by 7 April 2025" in shown        # received 5 March, extended to 5 June
    assert "extended to 5 June 2025" in shown
    assert "answer by Monday 7 April 2025 (not 9 April)" in shown       # paused 10-12 March
    assert "Handled by the controller" in shown and "Withdrawn requests" in shown
    settings_table = at.dataframe[0].value
    assert "An identity check moves the deadline if asked for within (working days)" in \
        settings_table["Setting"].tolist()


def test_rules_page_explains_retention_after_a_term_change_with_the_worked_example(empty_app_store):
    at = open_page("pages/rules.py")
    assert not at.exception, at.exception
    shown = texts(at) + "\n".join(t.value for t in at.text)
    assert "the **later** of last use + the new term and the day of the change" in shown
    assert "Art. 28(3)(g)" in shown
    # The worked example of issue 8, computed by privacyops.rules.retention: the end is the day of the change.
    assert ("Last use + 30 days is 2025-01-31, but the instruction came on 2025-06-30: retention ends on "
            "2025-06-30, 0 days past its end that day (not 150)") in shown
    assert "then out of the backlog until 2026-01-01" in shown

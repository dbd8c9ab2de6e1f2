"""Requests page (AppTest), issue 11 item 2 on the action forms: no widget drops or replaces what is typed (no
max_chars, every date accepted by the date widgets); request_actions.apply refuses a future date or a too long
text with the field named, and nothing is written."""

from __future__ import annotations

from datetime import date, timedelta

from tests.app.conftest import open_page
from tests.app.test_requests_page import PAGE, history, log, pick
from tests.app.test_requests_race_page import ready, submit


def every_date(at, key: str) -> bool:
    day = at.date_input(key=key)
    return (day.min, day.max) == (date.min, date.max)


def test_the_action_forms_set_no_widget_limits(customers_app_store):
    rid = log(customers_app_store)
    at = pick(open_page(PAGE), rid)
    assert not at.text_input(key=f"rq_{rid}_forward_note").max_chars
    submit(at, "forward")
    ready(at, rid, "extend")
    assert not at.text_area(key=f"rq_{rid}_extend_reason").max_chars
    assert every_date(at, f"rq_{rid}_extend_told_day")
    ready(at, rid, "refuse")
    assert not at.text_area(key=f"rq_{rid}_refuse_reasons").max_chars
    ready(at, rid, "pause")
    assert every_date(at, f"rq_{rid}_pause_asked_day")
    assert history(customers_app_store, rid) == ["create", "forward"]


def test_a_future_told_date_and_a_long_note_are_refused_by_name(customers_app_store):
    rid = log(customers_app_store)
    at = pick(open_page(PAGE), rid)
    submit(ready(at, rid, "forward"), "forward")
    future = date.today() + timedelta(days=400)
    submit(ready(at, rid, "extend", reason="Many systems to search", told_day=future, note="n" * 100_000), "extend")
    errors = " ".join(e.value for e in at.error)
    assert "**Not done.** Nothing was saved" in errors
    assert "**Note:**" in errors and "500 characters (it has 100,000)" in errors
    assert at.date_input(key=f"rq_{rid}_extend_told_day").value == future          # kept as typed
    assert history(customers_app_store, rid) == ["create", "forward"]
    submit(ready(at, rid, "extend", note="ok"), "extend")
    errors = " ".join(e.value for e in at.error)
    assert "**Requester told at:**" in errors and "in the future" in errors
    assert history(customers_app_store, rid) == ["create", "forward"]

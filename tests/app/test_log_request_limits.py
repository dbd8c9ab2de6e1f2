"""Log request page (AppTest), issue 11 item 2: a date of receipt before the GDPR's first day or in the future,
and a 100,000-character paste into the name or the description, are refused with the field named; the form
keeps what was typed and nothing is written. The widgets set no limit that would drop or clamp input."""

from __future__ import annotations

from datetime import date

import pytest

from tests.app.conftest import open_page
from tests.app.test_log_request import PAGE, fill, submit, table_counts

PASTE = "Lorem ipsum dolor sit amet. " * 3572      # 100,016 characters, as pasted from a mail


def field_errors(at) -> str:
    return "\n".join(e.value for e in at.error)


@pytest.mark.parametrize("day", [date(2099, 1, 1), date(1900, 1, 1), date(2016, 11, 1), date(2018, 5, 24)])
def test_a_date_of_receipt_outside_the_gdpr_or_in_the_future_is_refused_by_name(customers_app_store, day):
    at = submit(fill(open_page(PAGE), day=day))
    errors = field_errors(at)
    assert "Not logged." in errors
    assert "**Received:**" in errors and day.isoformat() in errors
    assert ("in the future" if day.year == 2099 else "25 May 2018") in errors
    assert at.date_input(key="lr_day").value == day               # what was typed is kept, not replaced
    assert table_counts(customers_app_store) == (0, 0)


@pytest.mark.parametrize(("field", "widget", "label", "limit"), [
    ("name", "text_input", "Requester name", "200"), ("description", "text_area", "Description", "4,000"),
])
def test_a_100000_character_paste_is_refused_by_name_and_kept(customers_app_store, field, widget, label, limit):
    at = submit(fill(open_page(PAGE), **{field: PASTE}))
    errors = field_errors(at)
    assert "Not logged." in errors
    assert f"**{label}:**" in errors and f"{limit} characters" in errors and "100,016" in errors
    assert getattr(at, widget)(key=f"lr_{field if field == 'name' else 'description'}").value == PASTE
    assert table_counts(customers_app_store) == (0, 0)


def test_the_widgets_set_no_limit_that_drops_or_clamps_input(customers_app_store):
    at = open_page(PAGE)
    assert not at.text_input(key="lr_name").max_chars               # 0: no limit
    assert not at.text_area(key="lr_description").max_chars
    day = at.date_input(key="lr_day")
    assert (day.min, day.max) == (date.min, date.max)


def test_the_gdprs_first_day_and_a_name_at_its_limit_are_logged(customers_app_store):
    at = submit(fill(open_page(PAGE), day=date(2018, 5, 25), name="K" * 200))
    assert not at.error, field_errors(at)
    assert table_counts(customers_app_store) == (1, 1)
    with customers_app_store.cursor() as cur:
        assert cur.execute("SELECT requester_name, received_at::DATE FROM requests").fetchone() == (
            "K" * 200, date(2018, 5, 25))                          # 10:00 Stockholm, summer time = 08:00 UTC

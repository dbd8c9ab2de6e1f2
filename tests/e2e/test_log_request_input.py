"""Log request in a real browser (issue 11, item 2): a receipt date typed outside any widget range and a
100,000-character paste reach the server as typed and are refused with the field named; nothing is logged.
Before, the date widget kept its old value (today) and the text widgets dropped the paste, silently."""

from __future__ import annotations

import pytest

from privacyops.store import open_store
from tests.e2e.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.e2e

EMAIL = "typed.dates.e2e@example.com"
PASTE = "Lorem ipsum dolor sit amet. " * 3572      # 100,016 characters


def type_date(page, label: str, typed: str) -> None:
    """Type a date into the date field's segments, as a person does (year, month, day), then close the picker."""
    field = page.locator('[data-testid="stDateInput"]').filter(has_text=label).locator(
        '[data-testid="stDateInputField"]')
    field.locator("[data-type=year]").click()
    for part in typed.split("-"):
        page.keyboard.type(part)
    page.keyboard.press("Escape")
    assert field.inner_text().replace("\n", "").startswith(typed)


def field_errors(page) -> str:
    alerts = page.locator('[data-testid="stAlertContentError"]')
    return "\n".join(alerts.nth(i).inner_text() for i in range(alerts.count()))


def submit(page, expected: str) -> None:
    """Submit and wait for the field error that names `expected` (an earlier answer may still be on the page)."""
    page.get_by_role("button", name="Log request").click()
    page.locator('[data-testid="stAlertContentError"]').filter(has_text=expected).first.wait_for(timeout=60_000)
    wait_for_app(page)


def test_typed_dates_and_long_pastes_are_refused_by_field_and_nothing_is_logged(server, page):
    page.goto(f"{server.url}/log_request")
    wait_for_app(page)
    page.get_by_role("textbox", name="Requester email").fill(EMAIL)
    type_date(page, "Received on", "2099-01-01")
    page.get_by_role("textbox", name="Requester name (optional)").fill(PASTE)
    page.get_by_role("textbox", name="Description (optional)").fill(PASTE)
    submit(page, "2099-01-01")
    errors = field_errors(page)
    assert "Not logged." in errors and "Received:" in errors and "2099-01-01" in errors and "in the future" in errors
    assert "Requester name:" in errors and "200 characters (it has 100,016)" in errors
    assert "Description:" in errors and "4,000 characters (it has 100,016)" in errors
    # What was typed is kept, so the person sees what to fix.
    assert len(page.get_by_role("textbox", name="Requester name (optional)").input_value()) == len(PASTE)
    screenshot(page, "log_request_refused_fields")

    for typed in ("1900-01-01", "2016-11-01"):
        type_date(page, "Received on", typed)
        submit(page, typed)
        errors = field_errors(page)
        assert typed in errors and "25 May 2018" in errors, errors

    server.stop()
    store = open_store(server.db)
    try:
        with store.cursor() as cur:
            logged = cur.execute("SELECT count(*) FROM requests WHERE requester_email = $e", {"e": EMAIL}).fetchone()
        assert logged == (0,)
    finally:
        store.close()

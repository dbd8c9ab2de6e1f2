"""A support user's day, in a real browser against a real server: log a request as it arrives, find it in
the queue, forward it to the customer, work it and complete it, and watch the counts follow."""

from __future__ import annotations

import re

import pytest

from privacyops.store import open_store
from tests.e2e.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.e2e

EMAIL = "vera.flodin.e2e@example.com"


def metric(page, label: str) -> int:
    tile = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return int(tile.locator('[data-testid="stMetricValue"]').inner_text().replace(" ", "").replace(",", ""))


def choose(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).first.click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)


def act(page, action_label: str) -> None:
    page.get_by_role("button", name=action_label, exact=True).click()
    wait_for_app(page)
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0


def test_log_find_forward_and_complete(server, page):
    # A deep link on a freshly started server: Streamlit runs the page file directly (legacy mode for a
    # pages/ folder); the page sends it through app.py, so the real navigation and its checks apply.
    page.goto(f"{server.url}/requests?overdue=1")
    wait_for_app(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Signed in as").wait_for(timeout=30_000)
    assert sidebar.get_by_text("Support", exact=True).count() == 1        # app.py's sections
    assert page.get_by_role("checkbox", name="Overdue only").is_checked()  # the query survived the detour
    page.get_by_text("Overdue only", exact=True).click()
    wait_for_app(page)
    open_before = metric(page, "Open requests")

    page.goto(f"{server.url}/log_request")
    wait_for_app(page)
    page.get_by_role("textbox", name="Requester email").fill(EMAIL)
    page.get_by_role("textbox", name="Requester name (optional)").fill("Vera Flodin")
    page.get_by_role("button", name="Log request").click()
    wait_for_app(page)
    success = page.locator('[data-testid="stAlertContentSuccess"]').first.inner_text()
    request_id = re.search(r"DSR-\d{6}", success).group(0)
    assert page.get_by_text("Statutory due date").count() >= 1
    screenshot(page, "flow_1_logged")

    page.get_by_text(f"Open {request_id} in the request queue").click()
    wait_for_app(page)
    assert metric(page, "Open requests") == open_before + 1
    assert page.get_by_text(request_id).count() >= 1
    act(page, "Forward to controller")
    act(page, "Start work")
    choose(page, "Action", "Complete")
    act(page, "Complete")
    screenshot(page, "flow_2_completed")
    assert metric(page, "Open requests") == open_before

    server.stop()
    store = open_store(server.db)
    try:
        detail = store.query("request_detail", request_id=request_id).iloc[0]
        assert (detail.status, detail.requester_email) == ("completed", EMAIL)
        actions = store.query("request_history", request_id=request_id)["action"].tolist()
        assert actions == ["create", "forward", "start", "complete"]
    finally:
        store.close()

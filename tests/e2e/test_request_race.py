"""Two people act on one request at once (issue 11, item 1), in two real browser sessions against a real server:
both get one clear answer (done, or not done because the other changed it first, with who, when and its state
now), each page then shows one state, and the store holds exactly one of the two changes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from privacyops.cases import requests
from privacyops.rules import lifecycle
from privacyops.store import open_store
from tests.e2e.conftest import screenshot, wait_for_app
from tests.e2e.test_support_flow import act

pytestmark = pytest.mark.e2e

ANSWERS = '[data-testid="stAlertContentSuccess"], [data-testid="stAlertContentError"]'
# (actions done first, one session's action, the other session's action)
RACES = [((), "forward", "forward"), ((), "forward", "withdraw"), (("forward", "start"), "complete", "pause")]


@pytest.fixture
def second_page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    # Nothing leaves this machine, as in conftest's page fixture.
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")) else route.abort())
    tab = context.new_page()
    yield tab
    context.close()


def log_request(page, url: str, email: str) -> str:
    page.goto(f"{url}/log_request")
    wait_for_app(page)
    page.get_by_role("textbox", name="Requester email").fill(email)
    page.get_by_role("button", name="Log request").click()
    wait_for_app(page)
    success = page.locator('[data-testid="stAlertContentSuccess"]').first
    success.wait_for(timeout=30_000)
    return re.search(r"DSR-\d{6}", success.inner_text()).group(0)


def open_request(page, url: str, request_id: str, action: str) -> None:
    page.goto(f"{url}/requests?request={request_id}")
    wait_for_app(page)
    page.get_by_text("Act on this request").wait_for(timeout=30_000)
    if action != "forward":                              # forward is the first action offered to a logged request
        choose_action(page, lifecycle.ACTIONS[action])


def choose_action(page, label: str) -> None:
    """Pick the action; a click that lands while the page is still being drawn may not open the list: again."""
    for _ in range(5):
        page.get_by_role("combobox", name="Action").first.click()
        option = page.get_by_role("option", name=label, exact=True)
        try:
            option.wait_for(timeout=3_000)
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            wait_for_app(page)
            continue
        option.click()
        wait_for_app(page)
        return
    raise AssertionError(f"the action list never offered {label!r}")


def answer(page, request_id: str) -> tuple[str, str]:
    """The one answer the page gives after the submit: ('done' | 'not done', its text)."""
    alert = page.locator(ANSWERS).filter(has_text=request_id).first
    alert.wait_for(timeout=60_000)
    wait_for_app(page)
    answers = page.locator(ANSWERS).filter(has_text=request_id)
    assert answers.count() == 1, [answers.nth(i).inner_text() for i in range(answers.count())]
    text = alert.inner_text()
    return ("not done" if "Not done" in text else "done"), text


def status_shown(page) -> str | None:
    tiles = page.locator('[data-testid="stMetric"]').filter(has_text="Status")
    return tiles.first.locator('[data-testid="stMetricValue"]').inner_text() if tiles.count() else None


def test_two_sessions_acting_at_once_both_get_one_clear_answer(server, page, second_page):
    outcomes = []
    for n, (before, first, second) in enumerate(RACES):
        request_id = log_request(page, server.url, f"race.{n}.e2e@example.com")
        if before:                                       # forward, then start: each the first action offered
            open_request(page, server.url, request_id, "forward")
            for action in before:
                act(page, lifecycle.ACTIONS[action])
        open_request(page, server.url, request_id, first)
        open_request(second_page, server.url, request_id, second)
        # Both submit at once: the second click is sent while the first one's run is under way.
        page.get_by_role("button", name=lifecycle.ACTIONS[first], exact=True).click()
        second_page.get_by_role("button", name=lifecycle.ACTIONS[second], exact=True).click()
        (kind_a, text_a), (kind_b, text_b) = answer(page, request_id), answer(second_page, request_id)
        assert sorted([kind_a, kind_b]) == ["done", "not done"], (text_a, text_b)
        won, lost = (page, second_page) if kind_a == "done" else (second_page, page)
        won_text, lost_text = (text_a, text_b) if kind_a == "done" else (text_b, text_a)
        now = re.search(r"it is now '([^']+)'", won_text).group(1)
        assert "was changed after you opened it" in lost_text and "Stockholm time" in lost_text
        assert f"'{lifecycle.ACTIONS[first if kind_a == 'done' else second]}' by" in lost_text
        assert f"It is now '{now}'" in lost_text
        assert "Nothing was saved" in lost_text
        # One state on each page: the new status, or (a closed request leaving the open queue) no stale detail.
        for shown in (status_shown(won), status_shown(lost)):
            assert shown in (now, None) and (shown is not None or now in ("Completed", "Withdrawn"))
        screenshot(lost, f"race_{n}_loser")
        winner_action = first if won is page else second
        outcomes.append((request_id, [*before, winner_action]))

    server.stop()
    store = open_store(server.db)
    try:
        for request_id, actions in outcomes:
            assert store.query("request_history", request_id=request_id)["action"].tolist() == ["create", *actions]
        assert requests.verify_history(store) == []
    finally:
        store.close()

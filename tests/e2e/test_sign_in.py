"""Sign-in, for real: Chromium signs in through a real OpenID Connect provider (tests/e2e/oidc) to a
real `streamlit run`, and each person sees exactly their role's pages (ui/nav.py), nothing more.

Sign-in itself says who someone is; their role comes from the store's grants (set before the app
started) or, for the DPO, from [privacyops] admins in the secrets. A stranger gets a polite refusal;
without sign-in on a non-loopback address the app serves nothing. Every sign-in lands in the access log.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from privacyops.cases import access
from privacyops.store import open_store
from tests.e2e import oidc_fixtures
from tests.e2e.conftest import screenshot, wait_for_app
from tests.e2e.oidc_fixtures import (
    ADMIN,
    ANALYST,
    IMPOSTOR,
    MANAGER,
    NO_EMAIL,
    SIGNED_IN_ACCOUNTS,
    STRANGER,
    SUPPORT,
    SecretsServer,
    SignInApp,
)
from ui.nav import PAGES, ROLES, SECTION_ORDER, PageSpec

pytestmark = pytest.mark.e2e

# The fixtures live in oidc_fixtures.py; naming them here makes pytest use them in this module.
sign_in_app = oidc_fixtures.sign_in_app
open_server = oidc_fixtures.open_server
provider_down_app = oidc_fixtures.provider_down_app

NAV_LINK = '[data-testid="stSidebarNavLink"]'
MAIN = '[data-testid="stMain"]'
WAIT = 30_000  # ms


def pages_in_navigation(role: str) -> list[PageSpec]:
    """The pages a role gets, in the order app.py lists them (sections in SECTION_ORDER)."""
    return [spec for section in SECTION_ORDER for spec in PAGES if spec.section == section and role in spec.roles]


def navigation_titles(page: Page) -> list[str]:
    """The page titles in the sidebar navigation (each link reads 'icon' then 'title')."""
    return [text.split("\n")[-1].strip() for text in page.locator(NAV_LINK).all_inner_texts()]


def headings(page: Page) -> list[str]:
    return [text.strip() for text in page.locator(f"{MAIN} h1").all_inner_texts()]


def assert_no_exception(page: Page) -> None:
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.first.inner_text()


def sign_in(page: Page, app: SignInApp, email: str) -> None:
    """Open the app, press Sign in, type the account at the provider, come back signed in."""
    page.goto(app.url)
    wait_for_app(page)
    try:
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{app.provider.url}/interaction/**", timeout=WAIT)
        page.get_by_label("Email").fill(email)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(re.escape(app.url) + r"/(\?.*)?$"), timeout=WAIT)
    except PlaywrightTimeout as error:
        pytest.fail(f"signing in as {email} stopped at {page.url}: {error}\n{app.logs()}", pytrace=False)
    wait_for_app(page)
    app.signed_in.add(email)


def expect_signed_in_as(page: Page, name: str, role: str) -> None:
    expect(page.get_by_text(f"Signed in as {name} · {ROLES[role]}")).to_be_visible(timeout=WAIT)


def expect_sign_in_button_only(page: Page) -> None:
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=WAIT)
    assert page.locator(NAV_LINK).count() == 0, navigation_titles(page)
    assert page.get_by_text("Signed in as").count() == 0


def test_admin_sees_every_page_stays_signed_in_on_reload_and_signs_out(sign_in_app: SignInApp, page: Page):
    sign_in(page, sign_in_app, ADMIN)
    expect_signed_in_as(page, "Dana Dpo", "admin")
    every_page = pages_in_navigation("admin")
    assert {spec.title for spec in every_page} == {spec.title for spec in PAGES}
    assert navigation_titles(page) == [spec.title for spec in every_page]
    expect(page.locator(f"{MAIN} h1").first).to_contain_text(every_page[0].title, timeout=WAIT)
    assert_no_exception(page)
    screenshot(page, "sign_in_admin")

    page.reload()
    wait_for_app(page)
    expect_signed_in_as(page, "Dana Dpo", "admin")
    assert navigation_titles(page) == [spec.title for spec in every_page]
    assert page.get_by_role("button", name="Sign in").count() == 0

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{sign_in_app.provider.url}/session/end**", timeout=WAIT)
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(re.compile(re.escape(sign_in_app.url) + r"/(\?.*)?$"), timeout=WAIT)
    wait_for_app(page)
    expect_sign_in_button_only(page)

    page.reload()  # the cookie is gone, not just the session
    wait_for_app(page)
    expect_sign_in_button_only(page)


@pytest.mark.parametrize(("email", "name", "role"), [
    (ANALYST, "Ana Analyst", "analyst"),
    (SUPPORT, "Sam Support", "support"),
    (MANAGER, "Mia Manager", "management"),   # through the group claim, not an email grant
], ids=["analyst", "support", "management-by-group"])
def test_each_role_sees_only_its_pages(sign_in_app: SignInApp, page: Page, email: str, name: str, role: str):
    sign_in(page, sign_in_app, email)
    expect_signed_in_as(page, name, role)
    assert navigation_titles(page) == [spec.title for spec in pages_in_navigation(role)]
    assert_no_exception(page)


def test_analyst_deep_link_to_requests_shows_nothing_of_it(sign_in_app: SignInApp, page: Page):
    sign_in(page, sign_in_app, ANALYST)
    expect_signed_in_as(page, "Ana Analyst", "analyst")
    analyst_pages = [spec.title for spec in pages_in_navigation("analyst")]
    assert navigation_titles(page) == analyst_pages
    assert "Requests" not in analyst_pages

    page.goto(f"{sign_in_app.url}/requests")
    wait_for_app(page)
    expect(page.locator(f"{MAIN} h1").first).to_be_visible(timeout=WAIT)
    assert not any("Requests" in heading for heading in headings(page)), headings(page)
    assert "Requests" not in navigation_titles(page)
    screenshot(page, "sign_in_analyst_deep_link")

    # A freshly started server is where a pages/ folder lets a deep link run the page file itself.
    sign_in_app.restart()
    page.goto(f"{sign_in_app.url}/requests")
    wait_for_app(page)
    # Either the page's own refusal or the analyst's own first page; never the Requests page.
    refusal = page.get_by_text("The Requests page is not available to the Analyst role")
    expect(refusal.or_(page.locator(f"{MAIN} h1")).first).to_be_visible(timeout=WAIT)
    assert not any("Requests" in heading for heading in headings(page)), headings(page)
    assert_no_exception(page)
    assert navigation_titles(page) in ([], analyst_pages), navigation_titles(page)
    screenshot(page, "sign_in_analyst_deep_link_fresh_server")


def test_stranger_is_asked_to_request_access_and_sees_nothing_else(sign_in_app: SignInApp, page: Page):
    sign_in_app.restart()  # fresh: nothing has run st.navigation yet
    page.goto(sign_in_app.url)
    wait_for_app(page)
    expect_sign_in_button_only(page)
    screenshot(page, "sign_in_button")

    sign_in(page, sign_in_app, STRANGER)
    expect(page.get_by_text("you have no access to Privacy Ops yet")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("Ask an admin to give you a role")).to_be_visible()
    expect(page.get_by_text(f"Signed in as {STRANGER}")).to_be_visible()
    assert page.locator(NAV_LINK).count() == 0, navigation_titles(page)
    assert headings(page) == ["Privacy Ops"]
    assert page.locator('[data-testid="stDataFrame"], [data-testid="stVegaLiteChart"], '
                        '[data-testid="stMetric"]').count() == 0
    assert_no_exception(page)
    screenshot(page, "sign_in_stranger")

    page.goto(f"{sign_in_app.url}/requests")  # a deep link gets no further
    wait_for_app(page)
    expect(page.get_by_text("you have no access to Privacy Ops yet")).to_be_visible(timeout=WAIT)
    assert page.locator(NAV_LINK).count() == 0, navigation_titles(page)
    assert headings(page) == ["Privacy Ops"]


def test_an_unverified_admin_address_is_refused_and_told_why(sign_in_app: SignInApp, page: Page):
    """The provider vouches for the DPO's address but says it is not verified (someone registered it without
    proof): no admin role, no page, a reason, and the refusal in the access log (checked below)."""
    sign_in(page, sign_in_app, IMPOSTOR)
    expect(page.get_by_text("You cannot sign in to Privacy Ops with this account.")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text(f"Your identity provider says the email address {ADMIN} is not verified")).to_be_visible()
    assert page.locator(NAV_LINK).count() == 0, navigation_titles(page)
    assert headings(page) == ["Privacy Ops"]
    assert page.get_by_text("Signed in as").count() == 0
    assert page.locator('[data-testid="stDataFrame"], [data-testid="stVegaLiteChart"], '
                        '[data-testid="stMetric"]').count() == 0
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert_no_exception(page)
    screenshot(page, "sign_in_unverified_email")

    page.goto(f"{sign_in_app.url}/access")  # a deep link to an admin page gets no further
    wait_for_app(page)
    expect(page.get_by_text("You cannot sign in to Privacy Ops with this account.")).to_be_visible(timeout=WAIT)
    assert headings(page) == ["Privacy Ops"]
    page.context.clear_cookies()


def test_without_an_email_claim_the_person_is_told_why_and_gets_nothing(sign_in_app: SignInApp, page: Page):
    page.context.clear_cookies()
    sign_in(page, sign_in_app, NO_EMAIL)
    expect(page.get_by_text("did not send your email address")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("Ask IT to release the email claim")).to_be_visible()
    assert page.locator(NAV_LINK).count() == 0, navigation_titles(page)
    assert headings(page) == ["Privacy Ops"]
    assert page.get_by_text("Signed in as").count() == 0
    assert page.locator('[data-testid="stDataFrame"], [data-testid="stVegaLiteChart"], '
                        '[data-testid="stMetric"]').count() == 0
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert_no_exception(page)
    screenshot(page, "sign_in_no_email_claim")

    page.goto(f"{sign_in_app.url}/requests")  # a deep link gets no further (its group has management)
    wait_for_app(page)
    expect(page.get_by_text("did not send your email address")).to_be_visible(timeout=WAIT)
    assert page.locator(NAV_LINK).count() == 0, navigation_titles(page)
    assert headings(page) == ["Privacy Ops"]
    page.context.clear_cookies()


def test_access_log_records_every_sign_in(sign_in_app: SignInApp, page: Page):
    """Runs after the tests above: signs in whoever they did not (when run alone), then stops the app to
    read the store (the app holds its lock)."""
    for email in SIGNED_IN_ACCOUNTS:
        if email not in sign_in_app.signed_in:
            page.context.clear_cookies()
            sign_in(page, sign_in_app, email)
            expect(page.get_by_text("Signed in as")).to_be_visible(timeout=WAIT)
    sign_in_app.stop()

    store = open_store(sign_in_app.db)
    try:
        log = store.query("access_log_chain")
        problems = access.verify_access_log(store)
    finally:
        store.close()
    events = {(row.actor, row.event) for row in log.itertuples()}
    for email in (ADMIN, ANALYST, SUPPORT, MANAGER):
        assert (email, "sign_in") in events, sorted(events)
    assert (STRANGER, "access_denied") in events, sorted(events)
    assert (STRANGER, "sign_in") not in events
    if IMPOSTOR in sign_in_app.signed_in:   # the refusal of the unverified address, under the address claimed
        refused = [row.detail for row in log.itertuples() if row.actor == ADMIN and row.event == "access_denied"]
        assert refused and all("email address not verified" in d for d in refused), refused  # one per session
    if NO_EMAIL in sign_in_app.signed_in:
        assert (f"(no email; sub {NO_EMAIL})", "access_denied") in events, sorted(events)
        assert not any(event == "sign_in" and "no email" in actor for actor, event in events)
    assert problems == []


def test_without_sign_in_an_open_address_serves_no_data(open_server, page: Page):
    """Sign-in off and listening on 0.0.0.0: the refusal from ui.auth.gate and nothing else."""
    for path in ("", "/requests"):
        page.goto(f"{open_server.url}{path}")
        wait_for_app(page)
        expect(page.get_by_text("without sign-in, so it serves no data")).to_be_visible(timeout=WAIT)
        assert headings(page) == []
        assert page.locator(NAV_LINK).count() == 0, navigation_titles(page)
        assert page.locator('[data-testid="stDataFrame"], [data-testid="stVegaLiteChart"], '
                            '[data-testid="stMetric"], [data-testid="stButton"]').count() == 0
        assert_no_exception(page)
        screenshot(page, f"sign_in_off_on_0.0.0.0{path.replace('/', '_')}")


def test_an_identity_provider_that_does_not_answer_is_said_plainly(provider_down_app: SecretsServer, page: Page):
    """[auth] names a provider on a loopback port nobody listens on: no Sign in button that would end on
    Streamlit's bare "Authentication error", but a message saying what is wrong; nothing is served."""
    for path in ("", "/requests"):
        page.goto(f"{provider_down_app.url}{path}")
        wait_for_app(page)
        expect(page.get_by_text("the company's identity provider does not answer")).to_be_visible(timeout=WAIT)
        assert page.get_by_role("button", name="Sign in").count() == 0
        expect(page.get_by_role("button", name="Try again")).to_be_visible()
        assert headings(page) == ["Privacy Ops"]
        assert page.locator(NAV_LINK).count() == 0, navigation_titles(page)
        assert page.locator('[data-testid="stDataFrame"], [data-testid="stVegaLiteChart"], '
                            '[data-testid="stMetric"]').count() == 0
        assert_no_exception(page)
    page.get_by_role("button", name="Try again").click()
    wait_for_app(page)
    expect(page.get_by_text("the company's identity provider does not answer")).to_be_visible(timeout=WAIT)
    screenshot(page, "sign_in_provider_down")

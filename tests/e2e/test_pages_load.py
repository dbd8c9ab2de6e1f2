"""Every page, in a real browser against a real server on demo data: it loads, shows no error,
draws its charts, and leaves a screenshot for people to look at."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import screenshot, wait_for_app
from ui.nav import PAGES

pytestmark = pytest.mark.e2e

# Pages that show at least one chart on demo data.
PAGES_WITH_CHARTS = {"overview", "slas", "consent", "retention", "explore"}

# Each page's own heading (its st.title, the h1 in the main area), written out by hand: the sidebar link
# carries the page title too, so finding the title anywhere on the page proves nothing.
HEADINGS = {
    "overview": "📊 Overview",
    "slas": "⏱️ SLAs",
    "consent": "✅ Consent",
    "retention": "🗄️ Retention",
    "requests": "📥 Requests",
    "log_request": "✍️ Log request",
    "explore": "🔎 Explore consent records",
    "sql": "🧮 SQL explorer",
    "import": "📤 Import",
    "customers": "🏢 Customers",
    "access": "Access",
    "rules": "📜 Rules and settings",
}


@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path for p in PAGES])
def test_page_loads_without_errors_and_draws_its_charts(server, page, spec):
    # The landing page (the first one the role gets) is served at "/", like any Streamlit default page.
    path = "" if spec == PAGES[0] else spec.url_path
    page.goto(f"{server.url}/{path}")
    wait_for_app(page)
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator(
        '[data-testid="stException"]').first.inner_text()
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0, page.locator(
        '[data-testid="stAlertContentError"]').first.inner_text()
    headings = page.locator('[data-testid="stMain"] h1')
    assert headings.count() == 1, headings.all_inner_texts()
    assert headings.first.inner_text().strip() == HEADINGS[spec.url_path]
    if spec.url_path in PAGES_WITH_CHARTS:
        # Altair charts, or the trend lines drawn inside KPI tiles.
        drawn = page.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg, '
                             '[data-testid="stMetric"] canvas, [data-testid="stMetric"] svg')
        drawn.first.wait_for(timeout=30_000)
    screenshot(page, spec.url_path)

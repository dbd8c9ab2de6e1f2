"""Every page, in a real browser against a real server on demo data: it loads, shows no error,
draws its charts, and leaves a screenshot for people to look at."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import screenshot, wait_for_app
from ui.nav import PAGES

pytestmark = pytest.mark.e2e

# Pages that show at least one chart on demo data.
PAGES_WITH_CHARTS = {"overview", "slas", "consent", "retention", "explore"}


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
    assert page.get_by_text(spec.title).count() >= 1
    if spec.url_path in PAGES_WITH_CHARTS:
        # Altair charts, or the trend lines drawn inside KPI tiles.
        drawn = page.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg, '
                             '[data-testid="stMetric"] canvas, [data-testid="stMetric"] svg')
        drawn.first.wait_for(timeout=30_000)
    screenshot(page, spec.url_path)

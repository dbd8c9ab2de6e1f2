"""A deep link on a freshly started server opens its page: each page's URL (ui/nav.py), in Debian's chromium,
as the first visit to a new `streamlit run`. On a fresh server a `pages/` folder puts Streamlit in its legacy
mode, whose URLs come from the file names: a URL that differs from its file's name showed a "Page not found"
dialog over the page (issue 11, item 8).

The same first visit is the server's start for the upload sweep (issue 11, item 5): a folder left by the
server's own process for a session it does not keep is gone once the page is drawn."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import Server, wait_for_app
from ui.nav import PAGES

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path for p in PAGES])
def test_each_page_s_url_opens_it_on_a_fresh_server(spec, page, tmp_path, monkeypatch):
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))   # the server's uploads go here
    server = Server(tmp_path / "store.duckdb", tmp_path / "streamlit.log")
    try:
        stale = temp / f"privacyops-upload-p{server.process.pid}-sclosedtab-a1b2c3d4"
        stale.mkdir()
        (stale / "upload.csv").write_text("requester_email\nanna@example.com\n")
        page.goto(f"{server.url}/{spec.url_path}")
        wait_for_app(page)
        heading = page.locator("h1").first
        heading.wait_for(timeout=30_000)
        assert spec.title in heading.inner_text()
        page.wait_for_timeout(500)   # the dialog comes with the first messages; give it time to show
        assert page.get_by_text("Page not found").count() == 0
        assert page.locator('[data-testid="stException"]').count() == 0
        assert not stale.exists()
    finally:
        server.stop()
        Path(server.log.name).unlink(missing_ok=True)

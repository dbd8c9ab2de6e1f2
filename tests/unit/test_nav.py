"""ui/nav.py: every page's URL path is the one Streamlit's legacy `pages/` mode gives its file, so a deep
link works on a freshly started server too (tests/e2e/test_deep_links.py opens each in a browser)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.source_util import page_icon_and_name

from ui.nav import PAGES

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("spec", PAGES, ids=[p.path for p in PAGES])
def test_the_url_path_is_the_file_s_legacy_url(spec):
    assert (ROOT / spec.path).is_file()
    assert page_icon_and_name(ROOT / spec.path)[1] == spec.url_path


def test_every_page_file_is_registered():
    """A file in pages/ that nav.py does not know would be served in the legacy mode without its checks."""
    assert sorted(p.name for p in (ROOT / "pages").glob("*.py")) == sorted(Path(s.path).name for s in PAGES)

"""Why this module exists: Streamlit's legacy page-folder mode.

A folder named `pages/` beside app.py switches a freshly started server into Streamlit's legacy mode until
the first session runs st.navigation: in that window a deep link (/requests) runs the page file directly,
without app.py and its role check, and the sidebar lists every page file (docs/architecture.md; measured in
/work/shared/docs/stack-notes.md). The product keeps `pages/`, so every page checks the role itself
(ui.auth.require_page), and this module does the rest:
- `stop_without_pages`: a refused visitor's run registers every URL, hidden, and stops (no page list, no
  "Page not found" dialog), which also ends the legacy mode for the whole server;
- `send_through_app`: the first direct run of a page in a session is sent through app.py, which opens the
  same page and query (`follow_deep_link`); `routed` marks the runs that came through app.py.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import streamlit as st
from streamlit.errors import StreamlitAPIException

from ui.nav import PAGES

_routing = threading.local()


def _no_page() -> None:
    """The only 'page' of someone who gets none: what the gate drew is all they see."""


def stop_without_pages() -> NoReturn:
    """Stop with no page list showing. Calling st.navigation here, hidden, replaces the page-file list of a
    fresh server and ends its legacy mode; every registered URL gets a placeholder, so a deep link shows no
    "Page not found" dialog."""
    placeholders = [st.Page(_no_page, title="Privacy Ops", url_path="privacy-ops", default=True)]
    placeholders += [st.Page(_no_page, title="Privacy Ops", url_path=spec.url_path) for spec in PAGES]
    st.navigation(placeholders, position="hidden")
    st.stop()


@contextmanager
def routed() -> Iterator[None]:
    """Marks the current script run as coming through app.py's navigation (see send_through_app)."""
    _routing.active = True
    try:
        yield
    finally:
        _routing.active = False


def send_through_app(path: str) -> None:
    """A page file run directly (not through app.py), the first time in this session: go through app.py,
    which opens the same page and query; from then on the session has app.py's navigation."""
    if getattr(_routing, "active", False) or st.session_state.get("_navigated"):
        return
    st.session_state["_deep_link"] = (path, st.query_params.to_dict())
    try:
        st.switch_page("app.py")
    except StreamlitAPIException:
        st.session_state.pop("_deep_link", None)  # no app.py to go through (a bare test run): render here


def follow_deep_link(allowed_paths: set[str]) -> None:
    """In app.py, after the navigation exists: open the page a direct deep link asked for."""
    st.session_state["_navigated"] = True
    target = st.session_state.pop("_deep_link", None)
    if target and target[0] in allowed_paths:
        st.switch_page(target[0], query_params=target[1] or None)

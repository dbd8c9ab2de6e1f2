"""Which pages exist, for whom, and in which section. app.py builds the navigation from this, and
every page checks its own entry at its top (a `pages/` folder lets a deep link skip app.py on a
freshly started server).

A page's URL path is its file's name (pages/import.py is /import): on a freshly started server the
`pages/` folder puts Streamlit in its legacy mode, whose URLs come from the file names, and a URL that
differs from its file's name opens a "Page not found" dialog there (tests/unit/test_nav.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from privacyops.cases.access import ROLES

__all__ = ["PAGES", "ROLES", "SECTION_ORDER", "PageSpec", "navigation", "page_spec", "pages_for"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str
    icon: str
    section: str
    roles: frozenset[str]
    url_path: str


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/overview.py", "Overview", "📊", "Management",
             frozenset({"management", "admin"}), "overview"),
    PageSpec("pages/slas.py", "SLAs", "⏱️", "Management", frozenset({"management", "admin"}), "slas"),
    PageSpec("pages/consent.py", "Consent", "✅", "Management",
             frozenset({"management", "analyst", "admin"}), "consent"),
    PageSpec("pages/retention.py", "Retention", "🗄️", "Management",
             frozenset({"management", "admin"}), "retention"),
    PageSpec("pages/requests.py", "Requests", "📥", "Support", frozenset({"support", "admin"}), "requests"),
    PageSpec("pages/log_request.py", "Log request", "✍️", "Support",
             frozenset({"support", "admin"}), "log_request"),
    PageSpec("pages/explore.py", "Explore", "🔎", "Analysis", frozenset({"analyst", "admin"}), "explore"),
    PageSpec("pages/sql.py", "SQL explorer", "🧮", "Analysis", frozenset({"analyst", "admin"}), "sql"),
    PageSpec("pages/import.py", "Import", "📤", "Data", frozenset({"support", "analyst", "admin"}), "import"),
    PageSpec("pages/customers.py", "Customers", "🏢", "Admin", frozenset({"admin"}), "customers"),
    PageSpec("pages/access.py", "Access", "🔐", "Admin", frozenset({"admin"}), "access"),
    PageSpec("pages/rules.py", "Rules", "📜", "Management", frozenset({"management", "admin"}), "rules"),
)

SECTION_ORDER = ("Management", "Support", "Analysis", "Data", "Admin")


def page_spec(path: str) -> PageSpec:
    """The entry for a page file (path relative to the project, e.g. 'pages/overview.py')."""
    for spec in PAGES:
        if spec.path == path:
            return spec
    raise KeyError(f"{path} is not a registered page")


def pages_for(role: str | None) -> list[PageSpec]:
    return [spec for spec in PAGES if role in spec.roles]


def navigation(role: str | None) -> StreamlitPage:
    """The role's pages in the sidebar, by section, the first one the default (app.py runs the one picked).
    Absolute paths: the script running may be a page file (a deep link on a fresh server), not app.py."""
    allowed = pages_for(role)
    sections: dict[str, list[StreamlitPage]] = {}
    for spec in allowed:
        sections.setdefault(spec.section, []).append(
            st.Page(PROJECT_ROOT / spec.path, title=spec.title, icon=spec.icon, url_path=spec.url_path,
                    default=spec == allowed[0]))
    return st.navigation({section: sections[section] for section in SECTION_ORDER if section in sections})

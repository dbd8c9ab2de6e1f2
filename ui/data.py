"""The store and its cached reads, for every page: named queries through Streamlit's cache, the one store
per process, today's date, the DPA's rule settings, and what must be done after every write.

UI only; everything it knows about data comes from privacyops.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from privacyops import clock
from privacyops.cases import access
from privacyops.rules.settings import RuleSettings
from privacyops.store import Store, default_db_path, open_store
from privacyops.store import settings as stored_settings

if TYPE_CHECKING:
    from ui.auth import User


@st.cache_resource(show_spinner=False, on_release=lambda store: store.close())
def store_at(path: str) -> Store:
    """The store of that database file, opened once per process."""
    return open_store(path)


def store_path() -> str:
    """The database file in use (PRIVACYOPS_DB or the default), as the caches' key."""
    return str(default_db_path().resolve())


def store() -> Store:
    """The process's store, opened once (the path is the cache key, so tests can point elsewhere)."""
    return store_at(store_path())


@st.cache_data(ttl=600, show_spinner=False, max_entries=500)
def _cached_query(path: str, name: str, params: tuple[tuple[str, Any], ...]) -> pd.DataFrame:
    return store_at(path).query(name, **dict(params))


def query(name: str, **params: Any) -> pd.DataFrame:
    """Run queries/NAME.sql through the cache; the store path is part of the key."""
    return _cached_query(store_path(), name, tuple(sorted(params.items())))


def query_live(name: str, **params: Any) -> pd.DataFrame:
    """Run queries/NAME.sql without the cache, for what changes on every look (the access log)."""
    return store().query(name, **params)


def after_write() -> None:
    """Every cached figure may have changed: drop them all so every page shows the new numbers."""
    _cached_query.clear()


def today() -> date:
    return clock.today()


def rule_settings() -> RuleSettings:
    """The DPO's rule settings as stored now."""
    return stored_settings.current(store())


def logged_export(user: User, what: str, build: Callable[[], bytes], **detail: Any) -> Callable[[], bytes]:
    """Wrap a download's builder so the export is recorded in the access log when it is taken."""
    def build_and_log() -> bytes:
        data = build()
        access.log_event(store(), actor=user.email, event="export", target=what,
                         detail={**detail, "bytes": len(data)})
        return data
    return build_and_log

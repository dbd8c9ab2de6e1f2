"""The store and its cached reads, for every page: named queries through Streamlit's cache, the one store
per process, today's date, the DPA's rule settings, and what must be done after every write.

A cached result is keyed by the data versions (privacyops.store.versions) of the kinds of data its query reads
(the `-- reads:` line of queries/NAME.sql). A write bumps the versions of what it touched, in the store, so
the next look at a figure over that data, in any session or process, computes it anew, and every other
figure comes from the cache.

UI only; everything it knows about data comes from privacyops.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from privacyops import clock
from privacyops.cases import access
from privacyops.rules.settings import RuleSettings
from privacyops.store import Store, default_db_path, named_query, open_store
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


# How often each named query ran against the store (a cache miss) in this process: a test reads it to prove
# which figures a write made the dashboard compute again (tests/app/test_data_versions.py).
executions: Counter[str] = Counter()
_executions_lock = threading.Lock()

DataVersionKey = tuple[tuple[str, int, datetime | None], ...]


@st.cache_data(ttl=600, show_spinner=False, max_entries=500)
def _cached_query(path: str, name: str, params: tuple[tuple[str, Any], ...], versions: DataVersionKey) -> pd.DataFrame:
    """`versions` only keys the cache: the data versions of the kinds the query reads, as they were."""
    with _executions_lock:
        executions[name] += 1
    return store_at(path).query(name, **dict(params))


def data_versions(name: str) -> DataVersionKey:
    """The current data versions of the kinds queries/NAME.sql reads: one small read of the store on every
    call (about 0.2 ms), so a write made a moment ago by any session or process is never missed."""
    current = store().data_versions()
    return tuple((kind, found.version, found.changed_at) if (found := current.get(kind)) else (kind, 0, None)
                 for kind in named_query(name).reads)


def query(name: str, **params: Any) -> pd.DataFrame:
    """Run queries/NAME.sql through the cache; the store path and the versions of what it reads are in the key."""
    return _cached_query(store_path(), name, tuple(sorted(params.items())), data_versions(name))


def query_live(name: str, **params: Any) -> pd.DataFrame:
    """Run queries/NAME.sql without the cache, for what changes on every look (the access log)."""
    return store().query(name, **params)


def after_write() -> None:
    """Nothing to drop: the write bumped the data versions of what it changed, and every cached figure over
    that data is keyed by them, so the next read computes it anew; every other figure stays cached. Kept so
    that a page says where its write ends."""

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

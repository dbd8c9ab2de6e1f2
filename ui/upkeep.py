"""What the server runs when it starts (server.py's lifespan: open the store, watch the import inbox) and what
app.py runs on every script run, before the page: the store or a page-level message naming who holds it, the
daily anonymisation of requesters' contact details and the day's backup, and the sweep of uploaded files whose
session has ended (Streamlit has no session-end hook)."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

import streamlit as st
from streamlit import config
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from privacyops.cases import backup, contacts
from privacyops.importing import inbox_watcher, uploads
from privacyops.store import StoreError, StoreLockedError, open_store
from privacyops.store import settings as stored_settings
from ui import data
from ui.format import show_store_error

log = logging.getLogger(__name__)


def after_inbox_import(kind: str) -> None:
    """A file came in through the inbox: the figures may have changed."""
    data.after_write()


@asynccontextmanager
async def server_lifespan(app: Any) -> AsyncIterator[None]:
    """The server's start and stop (st.App's lifespan, server.py): the store is opened before the first visit,
    so a command started after the dashboard finds it held and hands its import over; the inbox watcher starts
    (it also opens the store later when another program held it at start)."""
    path = data.store_path()
    try:
        open_store(path)
    except StoreError as error:
        log.warning("The store could not be opened at start (the inbox watcher tries again): %s", error)
    inbox_watcher.start_watcher(path, on_imported=after_inbox_import)
    yield
    inbox_watcher.stop_watchers()


def watch_inbox() -> None:
    """Start the inbox watcher if the server did not (`streamlit run app.py` has no start hook); never in AppTest,
    which serves nobody (it has a Runtime, so that is no test)."""
    if Runtime.exists() and not config.get_option("global.appTest"):   # AppTest patches config.get_option
        inbox_watcher.start_watcher(data.store_path(), on_imported=after_inbox_import)


def require_store() -> None:
    """The store, or a page-level message saying which program holds it and what to do; the page stops there."""
    try:
        data.store()
    except StoreError as error:
        st.title("🛡️ Privacy Ops")
        show_store_error(error)
        if isinstance(error, StoreLockedError):
            st.info("The dashboard opens the store by itself as soon as it is free (it tries every few seconds): "
                    "reload this page then.", icon="🔄")
        st.stop()


@st.cache_resource(show_spinner=False, max_entries=4)
def _housekeeping_done(path: str, day: date) -> int:
    return contacts.anonymise_expired_contacts(data.store_at(path), today=day, actor="privacyops (daily)")


@st.cache_resource(show_spinner=False, max_entries=4)
def _backup_started(path: str, day: date) -> threading.Thread | None:
    """The day's backup, in a thread of its own so no visitor waits for the copy (a second per 500 MB, writes
    held meanwhile); not in AppTest, which serves nobody."""
    if not Runtime.exists() or config.get_option("global.appTest"):
        return None
    thread = threading.Thread(target=_take_daily_backup, args=(path,), name="privacyops-daily-backup", daemon=True)
    thread.start()
    return thread


def _take_daily_backup(path: str) -> None:
    store = data.store_at(path)
    try:
        backup.ensure_daily(store, keep_days=stored_settings.current(store).backup_keep_days)
    except StoreError as error:   # a full disk, a copy that did not verify: say so in the server log, retry tomorrow
        log.error("The daily backup of %s failed: %s", path, error)


def daily_housekeeping() -> None:
    """Once a day per process: anonymise requester contacts whose evidence period has ended, then (after it, so
    no backup holds a contact that was due to go today) start the day's verified backup (rules.md 4)."""
    try:
        if _housekeeping_done(data.store_path(), data.today()):
            data.after_write()
        _backup_started(data.store_path(), data.today())
    except StoreError as error:
        show_store_error(error)


def session_id() -> str:
    """This browser session's id (Streamlit's), '' outside a script run."""
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else ""


def _kept_sessions() -> set[str] | None:
    """The sessions the server still keeps (connected, or disconnected and within Streamlit's
    server.disconnectedSessionTTL); None when no server runs this script (AppTest) or it cannot say."""
    if not Runtime.exists():
        return None
    try:
        return {info.session.id for info in Runtime.instance()._session_mgr.list_sessions()}
    except AttributeError:  # Streamlit's session manager is not public API: go by age then
        return None


def sweep_uploads() -> None:
    """Remove uploaded files whose session has ended or whose server has stopped (privacyops.importing.uploads).
    Run on every script run: Streamlit has no session-end hook, and the first run of a process is the server's
    start."""
    uploads.sweep(_kept_sessions())

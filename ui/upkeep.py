"""What app.py runs on every script run, before the page: the daily anonymisation of requesters' contact
details and the day's backup, and the sweep of uploaded files whose session has ended (Streamlit has no
session-end hook)."""

from __future__ import annotations

from datetime import date

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from privacyops.cases import housekeeping
from privacyops.importing import uploads
from privacyops.store import StoreError
from ui import data
from ui.format import show_store_error


@st.cache_resource(show_spinner=False, max_entries=4)
def _housekeeping_done(path: str, day: date) -> int:
    return housekeeping.daily(data.store_at(path), today=day).anonymised


def daily_housekeeping() -> None:
    """Once a day per process: anonymise requester contacts whose evidence period has ended, and take the day's
    verified backup (rules.md 4; privacyops.cases.housekeeping)."""
    try:
        if _housekeeping_done(data.store_path(), data.today()):
            data.after_write()
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

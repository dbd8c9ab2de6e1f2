"""The SQL explorer page's parts: one explorer (snapshot and locked DuckDB) per store and key, shared by every
session; the views analysts can query; a query's outcome (rows, or why it was refused) with its download."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
import streamlit as st

from privacyops import clock
from privacyops.explorer import sandbox as explorer
from privacyops.explorer import views
from ui import data
from ui.auth import User
from ui.format import empty_state, fmt_int


@st.cache_resource(show_spinner=False, on_release=lambda opened: opened.close())
def _explorer_at(path: str, key: str) -> explorer.Explorer:
    """One explorer (one snapshot, one locked DuckDB) per store and key, shared by every session."""
    return explorer.Explorer(data.store(), key)



def explorer_for(key: str) -> explorer.Explorer:
    """The explorer over this process's store with this pseudonym key."""
    return _explorer_at(str(data.store().path), key)


def snapshot_age(taken_at: datetime) -> str:
    seconds = max(0, int((clock.now_utc() - taken_at).total_seconds()))
    if seconds < 60:
        return "less than a minute ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min ago"
    return f"{seconds // 86400} days ago"


snapshot_bar = st.columns([4, 1], vertical_alignment="center")


def views_help(ex: explorer.Explorer, snapshot: Any) -> None:
    """The views and their columns, one tab each."""
    with st.expander("📚 Views you can query (names and columns)", expanded=False):
        schema = ex.schema()
        tabs = st.tabs([view.name for view in views.VIEWS])
        for tab, view in zip(tabs, views.VIEWS, strict=True):
            with tab:
                st.caption(f"{view.description} Rows in the snapshot: "
                           f"{fmt_int(snapshot.rows.get(view.name, 0))}.")
                st.dataframe(schema.loc[schema["view"] == view.name, ["column", "type"]], hide_index=True,
                             width="stretch", key=f"explorer_schema_{view.name}",
                             column_config={"column": st.column_config.TextColumn("Column"),
                                            "type": st.column_config.TextColumn("Type")})
        st.caption("subject_key and assignee_key are keyed hashes (privacyops/explorer/pseudonym.py): the same person "
                   "has the same key in every view, and nobody without the key can compute one from an id.")


def show_outcome(outcome: dict[str, Any], taken: str, max_rows: int, user: User) -> None:
    """A run's rows (capped) and their CSV, or the refusal with its reason."""
    if "error" in outcome:
        st.error(f"**{outcome['title']}.**")
        st.code(outcome["error"], language=None, wrap_lines=True)
    else:
        result: explorer.ExplorerResult = outcome["result"]
        frame = result.frame
        if result.truncated:
            st.warning(f"Only the first {max_rows:,} rows are shown and in the download. Aggregate, filter or add a "
                       "LIMIT to see what you need.", icon="✂️")
        st.caption(f"{fmt_int(result.rows)} rows in {result.elapsed_s:.2f} s, from the snapshot taken {taken}.")
        if frame.empty:
            empty_state("The query ran and returned no rows.")
        else:
            display = frame.copy()
            for column in [c for c in display.columns if pd.api.types.is_object_dtype(display[c])]:
                display[column] = display[column].map(
                    lambda v: v if v is None or isinstance(v, str | bool | int | float) else str(v))
            st.dataframe(display, hide_index=True, width="stretch", height=min(38 + 35 * len(display), 520),
                         key="explorer_result")
        st.download_button(
            "⬇️ Download CSV", key="explorer_download", on_click="ignore",
            # Built on the click, so the download is in the access log like every other export (README).
            data=data.logged_export(user, "sql_explorer", lambda: explorer.to_csv(frame), sql=outcome["sql"],
                                    rows=len(frame)),
            file_name=f"sql-explorer-{clock.now_utc().astimezone(clock.STOCKHOLM):%Y%m%d-%H%M%S}.csv", mime="text/csv",
            help="The rows above as CSV. Text cells that start with =, +, -, @, a tab or a carriage return get a "
                 "leading ' so a spreadsheet does not run them as formulas.")

"""SQL explorer (analysts, admins): read-only SQL over pseudonymised views of the store, for questions the other
pages do not answer. Analysts never see requester contact details or raw subject ids (issue 5): queries run on
a snapshot in a separate, locked DuckDB database that holds only the pseudonymised views (subject and staff ids
replaced by keyed pseudonyms), never on the store. One SELECT at a time, at most 10,000 rows, stopped after
10 seconds; every run is in the access log. The team's saved queries can be loaded and new ones saved.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from privacyops import clock
from privacyops.cases import access
from privacyops.explorer import pseudonym, saved_queries, views
from privacyops.explorer import sandbox as explorer
from privacyops.explorer.errors import ExplorerError
from privacyops.store import StoreError
from ui import auth, data, explorer_view
from ui.auth import require_page
from ui.format import demo_banner, empty_state, fmt_int, show_store_error

PAGE = "pages/sql.py"
user = require_page(PAGE)
if not access.may(user.role, "run_explorer"):
    st.error("Your role may not run explorer queries. Ask an admin if you need to.")
    st.stop()

st.title("🧮 SQL explorer")
demo_banner()
st.caption("Read-only SQL (DuckDB dialect) over pseudonymised views: no contact details, no free text, and keyed "
           "pseudonyms instead of subject ids. One SELECT at a time; every run is recorded in the access log.")

MAX_ROWS = explorer.DEFAULT_MAX_ROWS
TIMEOUT_S = explorer.DEFAULT_TIMEOUT_S
state = st.session_state


# --- the explorer over this store and key ---------------------------------------------------------

def _configured_key() -> str | None:
    value = auth.secret("privacyops", "pseudonym_key")
    return str(value) if value else None


try:
    key = pseudonym.resolve_key(_configured_key())
except pseudonym.PseudonymKeyError as error:
    st.error("The pseudonym key cannot be used, so the explorer is off.")
    st.code(str(error), language=None, wrap_lines=True)
    st.stop()
if key.is_ephemeral:
    st.warning("No pseudonym key is configured, so this dashboard made a random one when it started: pseudonyms "
               "(subject_key, assignee_key) change when it restarts. Set pseudonym_key in the [privacyops] "
               f"section of .streamlit/secrets.toml, or {pseudonym.KEY_ENV}.", icon="🔑")

ex = explorer_view.explorer_for(key.value)

snapshot_bar = st.columns([4, 1], vertical_alignment="center")
refresh = snapshot_bar[1].button("🔄 Refresh", key="explorer_refresh", width="stretch",
                                 help="Take a new snapshot of the store now. Queries run on the snapshot, so "
                                      "what changed in the store since it was taken is not in the results.")
try:
    with st.spinner("Taking a pseudonymised snapshot of the store…"):
        snapshot = ex.refresh() if refresh else ex.ensure_snapshot()
except (ExplorerError, StoreError) as error:
    st.error("The explorer could not take a snapshot of the store.")
    st.code(str(error), language=None, wrap_lines=True)
    st.stop()

taken = snapshot.taken_at.astimezone(clock.STOCKHOLM).strftime("%Y-%m-%d %H:%M")
snapshot_bar[0].caption(
    f"📸 Snapshot taken {explorer_view.snapshot_age(snapshot.taken_at)} ({taken} Stockholm time) in "
    f"{snapshot.seconds:.1f} s: "
    f"{fmt_int(snapshot.rows.get('consent_facts', 0))} consent records, "
    f"{fmt_int(snapshot.rows.get('request_clock', 0))} requests, "
    f"{fmt_int(snapshot.rows.get('retention_status', 0))} retention records.")
if not any(snapshot.rows.values()):
    empty_state("The store holds no records yet, so every view is empty. The views and their columns are "
                "listed below; once data is imported, refresh the snapshot and query it here.")

# --- the views analysts can query ------------------------------------------------------------------

explorer_view.views_help(ex, snapshot)

# --- the team's saved queries ----------------------------------------------------------------------

if "explorer_sql" not in state:
    state["explorer_sql"] = views.EXAMPLE_SQL

try:
    saved = data.query("sql_explorer_saved_queries")
except StoreError as error:
    show_store_error(error)
    st.stop()
saved_by_id: dict[int, Any] = {int(row.query_id): row for row in saved.itertuples(index=False)}


def _load_saved() -> None:
    picked = state.get("explorer_pick")
    if picked is not None and int(picked) in saved_by_id:
        state["explorer_sql"] = saved_by_id[int(picked)].sql_text


def _label(query_id: int) -> str:
    row = saved_by_id[query_id]
    return f"{row.title} · {row.saved_by_name} · {row.saved_at:%Y-%m-%d}"


if saved.empty:
    st.caption("💾 The team has no saved queries yet: write one below and save it with a title.")
else:
    st.selectbox("💾 Saved queries of the team", options=list(saved_by_id), format_func=_label, index=None,
                 key="explorer_pick", on_change=_load_saved, placeholder="Pick one to load it into the editor",
                 help="Picking a query replaces the text in the editor.")

# --- the editor ---------------------------------------------------------------------------------------

st.text_area("SQL", key="explorer_sql", height=220,
             help=f"One SELECT (or WITH … SELECT) over the views above, DuckDB dialect. At most {MAX_ROWS:,} rows "
                  f"are returned and a query is stopped after {TIMEOUT_S:g} seconds. Statements that change data "
                  "or settings, and file or network access, are refused.")
run_clicked = st.button("▶️ Run", type="primary", key="explorer_run")


def _save() -> None:
    """Save the editor's query for the team under the title typed (a refused query is not saved)."""
    state.pop("explorer_save_error", None)
    state.pop("explorer_saved", None)
    try:
        saved_queries.save_query(data.store(), title=state.get("explorer_title", ""), sql=state["explorer_sql"],
                            actor=user.email)
    except ExplorerError as error:
        state["explorer_save_error"] = str(error)
        return
    except StoreError as error:
        state["explorer_save_error"] = f"{error.title}. {error}"
        return
    data.after_write()
    state["explorer_saved"] = " ".join(str(state.get("explorer_title", "")).split())
    state["explorer_title"] = ""


with st.expander("💾 Save this query for the team"):
    st.text_input("Title", key="explorer_title", max_chars=saved_queries.MAX_TITLE_LENGTH,
                  placeholder="e.g. Analytics opt-in rate per customer")
    st.button("Save", key="explorer_save", on_click=_save)
    if state.get("explorer_save_error"):
        st.error("Not saved.")
        st.code(state["explorer_save_error"], language=None, wrap_lines=True)
    elif state.get("explorer_saved"):
        st.success("Saved for the team.")
        st.text(state["explorer_saved"])

# --- running it ------------------------------------------------------------------------------------

if run_clicked:
    sql = state["explorer_sql"]
    outcome: dict[str, Any] = {"sql": sql}
    try:
        with st.spinner("Running…"):
            result = ex.execute(sql, max_rows=MAX_ROWS, timeout_s=TIMEOUT_S)
        outcome["result"] = result
        detail: dict[str, Any] = {"sql": sql, "rows": result.rows, "truncated": result.truncated}
    except ExplorerError as error:
        outcome.update(title=error.title, error=str(error))
        detail = {"sql": sql, "rows": None, "refused": error.title}
    try:
        access.log_event(data.store(), actor=user.email, event="explorer_query", target="sql", detail=detail)
    except StoreError as error:
        # Every look leaves a trace: without the log entry, the result is not shown.
        outcome = {"sql": sql, "title": "Not shown: the access log could not be written", "error": str(error)}
    state["explorer_outcome"] = outcome

outcome = state.get("explorer_outcome")
if outcome:
    explorer_view.show_outcome(outcome, taken, MAX_ROWS, user)

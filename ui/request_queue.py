"""The Requests page's queue: the headline tiles, the queue's own filters and the table of requests with
both clocks (rules.md 1-2), coloured by band; picking a row opens the request."""

from __future__ import annotations

import hashlib
from typing import Any

import pandas as pd
import streamlit as st

from privacyops.charts import STATUS_COLOURS
from privacyops.rules import lifecycle
from ui.format import empty_state, fmt_int, show_store_error

UNASSIGNED = "(unassigned)"
CLOSED_COLOUR = "#8a8f98"


def _band_style(band: Any) -> str:
    colour = STATUS_COLOURS.get(str(band), CLOSED_COLOUR)
    return f"background-color: {colour}; color: white; font-weight: 600"


def summary_tiles(summary: pd.Series, soon_days: int) -> None:
    """Open, overdue, due soon, on track, forwarding late, recipients not yet told."""
    tiles = st.columns(6)
    tiles[0].metric("Open requests", fmt_int(summary["open_requests"]),
                    help="Requests logged, forwarded, in progress or paused: not yet completed, refused or withdrawn.")
    tiles[1].metric("Overdue", fmt_int(summary["overdue"]),
                    help="Open requests whose statutory due date (one month from receipt, or three when validly "
                         "extended: GDPR Art. 12(3), counted per Regulation 1182/71) is before today. A pause "
                         "does not stop this count (rules.md 1, Pausing).")
    tiles[2].metric("Due soon", fmt_int(summary["due_soon"]),
                    help=f"Open requests due today or within {soon_days} days (setting "
                         "'soon_due_days'), and consent withdrawals, which take effect at once (Art. 7(3)).")
    tiles[3].metric("On track", fmt_int(summary["on_track"]),
                    help=f"Open requests due in more than {soon_days} days.")
    tiles[4].metric("Forwarding late", fmt_int(summary["forward_late"]),
                    help="Open requests not yet forwarded to the customer (the controller) after the forwarding "
                         "deadline in its DPA (GDPR Art. 28(3)(e); EDPB Guidelines 07/2020 paras 127-129).")
    tiles[5].metric("Recipients not yet told", fmt_int(summary["recipients_pending"]),
                    help="Open rectifications, erasures and restrictions with nothing recorded yet about telling the "
                         "recipients of the data (GDPR Art. 19); they cannot be completed until it is.")


def queue_filters(customer_names: dict[str, str], assignees: list[str]) -> None:
    """Customer, status, type, assignee, email search and the switches (widget keys rq_*)."""
    with st.container(border=True):
        row = st.columns([2, 2, 2, 2])
        row[0].selectbox("Customer", options=["", *customer_names], key="rq_customer",
                         format_func=lambda cid: "All customers" if not cid else f"{customer_names[cid]} ({cid})",
                         help="The controller the request is for. Defaults to the customer in the sidebar filter.")
        row[1].selectbox("Status", options=["", *lifecycle.STATUSES], key="rq_status",
                         format_func=lambda s: "Every status" if not s else lifecycle.STATUSES[s])
        row[2].selectbox("Type", options=["", *lifecycle.REQUEST_TYPES], key="rq_type",
                         format_func=lambda t: "Every type" if not t else lifecycle.REQUEST_TYPES[t])
        row[3].selectbox("Assignee", options=assignees, key="rq_assignee",
                         format_func=lambda a: "Everyone" if not a else a)
        row = st.columns([4, 2, 2, 2])
        row[0].text_input("Search requester email", key="rq_search", placeholder="e.g. karin@ or example.com",
                          help="Part of the requester's email address, upper or lower case. The table shows "
                               "addresses masked; the full contact details are in the request's detail.")
        row[1].checkbox("Overdue only", key="rq_overdue",
                        help="Only requests past their statutory due date (GDPR Art. 12(3)).")
        row[2].checkbox("Recipients not yet told", key="rq_recipients",
                        help="Only rectifications, erasures and restrictions whose recipients are not yet told, or "
                             "recorded as none (GDPR Art. 19).")
        row[3].toggle("Show closed requests", key="rq_closed",
                      help="Also list completed, refused and withdrawn requests, after the open ones.")


def queue_table(queue: pd.DataFrame, selected: str | None, *, show_closed: bool, soon_days: int) -> str | None:
    """The queue as a table to pick a row from; returns the picked request's id (or None)."""
    ids: list[str] = queue["request_id"].tolist()
    table = queue.assign(
        request_type=queue["request_type"].map(lifecycle.REQUEST_TYPES).fillna(queue["request_type"]),
        status=queue["status"].map(lifecycle.STATUSES).fillna(queue["status"]),
    )
    columns = ["request_id", "band", "days_left", "request_type", "customer_name", "status", "requester",
               "received_on", "forward_due_date", "is_forwarded", "effective_due_date", "is_extended",
               "recipients_pending", "assignee"]
    if show_closed:
        columns.append("closed_on")
    styled = table[columns].style.map(_band_style, subset=["band"])
    digest = hashlib.sha1("|".join(ids).encode(), usedforsecurity=False).hexdigest()[:12]
    event = st.dataframe(
        styled, key=f"rq_queue_{digest}", on_select="rerun", selection_mode="single-row", hide_index=True,
        width="stretch", column_order=columns,
        selection_default={"selection": {"rows": [ids.index(selected)]}} if selected in ids else None,
        column_config={
            "request_id": st.column_config.TextColumn("Request"),
            "band": st.column_config.TextColumn(
                "Band", help=f"Overdue: past the statutory due date. Due soon: due within {soon_days} "
                             "days (or a consent withdrawal, which takes effect at once). On track: later."),
            "days_left": st.column_config.NumberColumn(
                "Days left", format="%d",
                help="Statutory effective due date minus today; negative when overdue. Blank for a consent "
                     "withdrawal (no one-month clock) and for closed requests."),
            "request_type": st.column_config.TextColumn("Type"),
            "customer_name": st.column_config.TextColumn("Customer"),
            "status": st.column_config.TextColumn("Status"),
            "requester": st.column_config.TextColumn("Requester", help="Masked; pick the request to see it."),
            "received_on": st.column_config.DateColumn("Received", format="YYYY-MM-DD",
                                                       help="Date of receipt in Stockholm; it is not counted."),
            "forward_due_date": st.column_config.DateColumn(
                "Forward by", format="YYYY-MM-DD",
                help="Our deadline for forwarding to the customer, from its DPA (Art. 28(3)(e))."),
            "is_forwarded": st.column_config.CheckboxColumn("Forwarded"),
            "effective_due_date": st.column_config.DateColumn(
                "Statutory due", format="YYYY-MM-DD",
                help="The controller's Art. 12(3) deadline, counted from Expandra's receipt (extended if "
                     "validly extended)."),
            "is_extended": st.column_config.CheckboxColumn("Extended"),
            "recipients_pending": st.column_config.CheckboxColumn(
                "Recipients not told", help="A rectification, erasure or restriction whose recipients are not yet "
                                            "told, or recorded as none (GDPR Art. 19)."),
            "assignee": st.column_config.TextColumn("Assignee"),
            "closed_on": st.column_config.DateColumn("Closed", format="YYYY-MM-DD"),
        },
    )
    rows = event.selection.rows
    return ids[rows[0]] if rows and rows[0] < len(ids) else None


def prepare_state(customer_names: dict[str, str], shared_customer: str) -> None:
    """The queue's widget state before the widgets: the flash of the last action, a linked request
    (?request=, from Log request or Overview), the customer from the sidebar filter, ?overdue=1."""
    state = st.session_state
    if flash := state.pop("rq_flash", None):     # the answer to the last action (ui/request_actions.py)
        if flash["kind"] == "success":
            st.success(flash["text"], icon="✅")
        else:
            st.error(flash["text"], icon="🚫")
        # Also as a toast: seen wherever the page is scrolled to (the form may be far below the top).
        st.toast(flash["short"], icon="✅" if flash["kind"] == "success" else "🚫")
    if error := state.pop("rq_store_error", None):
        show_store_error(error)
    if "request" in st.query_params:             # a link from Log request: open that request
        state["rq_selected"] = st.query_params["request"]
        del st.query_params["request"]
    if "rq_customer" not in state:
        state["rq_customer"] = shared_customer if shared_customer in customer_names else ""
    elif state["rq_customer"] and state["rq_customer"] not in customer_names:
        state["rq_customer"] = ""
    if "rq_overdue" not in state:
        state["rq_overdue"] = st.query_params.get("overdue") == "1"


def assignee_options(assignees: pd.DataFrame) -> list[str]:
    options = ["", UNASSIGNED, *assignees["assignee"]]
    if st.session_state.get("rq_assignee", "") not in options:
        st.session_state["rq_assignee"] = ""
    return options


def keep_overdue_in_url() -> None:
    """'Overdue only' as ?overdue=1, so a copied link keeps it."""
    if st.session_state["rq_overdue"]:
        st.query_params["overdue"] = "1"
    elif "overdue" in st.query_params:
        del st.query_params["overdue"]


def empty_queue(open_requests: int, customer_name: str | None) -> None:
    """Why the queue shows nothing: the filters, an empty queue (good news), or nothing at all."""
    state = st.session_state
    filtered = any([state["rq_status"], state["rq_type"], state["rq_assignee"], state["rq_overdue"],
                    state.get("rq_recipients"), state["rq_search"].strip()])
    if filtered:
        empty_state("No request matches these filters. Clear a filter to see more of the queue.")
    elif open_requests == 0 and not state["rq_closed"]:
        empty_state("🎉 The queue is empty: there is no open request"
                    + (f" for {customer_name}" if customer_name else "")
                    + ". When a request arrives, log it the same minute: its clocks start at receipt.")
    else:
        empty_state("No request to show.")

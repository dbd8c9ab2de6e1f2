"""The SLAs page's tables and tiles: time to close by type and by customer, extensions and pauses, the
forwarding clock, the requests set apart from the on-time rate, and the breaches (rules.md 1-2)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from privacyops.charts import request_type_labels
from ui.format import fmt_int, fmt_pct

ON_TIME_RULE = ("On time: answered on or before the date it had to be answered by: one month from receipt, or "
                "three months when the extension was validly recorded within the first month (GDPR Art. 12(3)); "
                "a refusal within the one month even after an extension (Art. 12(4)); moved by an identity check "
                "asked for promptly (rules.md 1, Pausing). Counted per Regulation 1182/71 on the Swedish calendar. "
                "The due day itself is on time. Withdrawn requests, and requests the controller handled without "
                "telling us when it answered, are not in the rate: they are listed apart below.")


def time_to_close(close_by_type: pd.DataFrame, close_by_customer: pd.DataFrame) -> None:
    """Median, 90th percentile and longest days to close, by request type and by customer."""
    days_format = st.column_config.NumberColumn
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown("**By request type**")
        st.dataframe(
            pd.DataFrame({
                "Request type": request_type_labels(close_by_type),
                "Closed": close_by_type["closed_requests"],
                "Median days": close_by_type["median_days"],
                "90th percentile days": close_by_type["p90_days"],
                "Longest days": close_by_type["max_days"],
                "Month clock": close_by_type["has_month_clock"],
            }),
            hide_index=True, width="stretch",
            column_config={
                "Closed": days_format(format="%d", help="Requests of this type closed in the period."),
                "Median days": days_format(format="%.1f", help="Median days from receipt to closing."),
                "90th percentile days": days_format(format="%.1f", help="Nine in ten closed within this."),
                "Longest days": days_format(format="%d"),
                "Month clock": st.column_config.CheckboxColumn(
                    help="Has the one-month deadline of Art. 12(3); a consent withdrawal has none (Art. 7(3))."),
            })
    with right:
        st.markdown("**By customer** (requests with a month clock)")
        st.dataframe(
            pd.DataFrame({
                "Customer": close_by_customer["customer_name"].fillna(close_by_customer["customer_id"]),
                "Closed": close_by_customer["closed_requests"],
                "On time": close_by_customer["on_time_rate"],
                "Median days": close_by_customer["median_days"],
                "90th percentile days": close_by_customer["p90_days"],
            }),
            hide_index=True, width="stretch",
            column_config={
                "Closed": days_format(format="%d"),
                "On time": days_format(format="percent", help=ON_TIME_RULE),
                "Median days": days_format(format="%.1f"),
                "90th percentile days": days_format(format="%.1f"),
            })


def extensions_and_pauses(tools: pd.Series, received: int) -> None:
    """How often the extension and pauses were used, of the requests received in the period."""
    tiles = st.columns(4)
    tiles[0].metric("Extended", fmt_int(tools["extended_requests"]), border=True,
                    help="Requests received in the period whose deadline was extended by two further months. Allowed "
                         "once, with reasons told to the requester within the first month (Art. 12(3)).")
    tiles[1].metric("Share extended", fmt_pct(tools["extension_share"]), border=True,
                    help=f"Extended / requests with a month clock received in the period ({received:,}).")
    tiles[2].metric("Paused", fmt_int(tools["paused_requests"]), border=True,
                    help="Requests received in the period that were paused at least once while waiting for identity "
                         "proof or clarification (IMY-led practice; rules.md 1, Pausing).")
    tiles[3].metric("Share paused", fmt_pct(tools["pause_share"]), border=True,
                    help=f"Paused / requests with a month clock received in the period ({received:,}).")
    st.caption(f"Of {received:,} requests with a month clock received in the period. Pauses recorded: "
               f"{int(tools['pauses']):,} ({int(tools['identity_pauses']):,} waiting for identity proof, "
               f"{int(tools['clarification_pauses']):,} for clarification). Only an identity check asked for "
               "promptly moves the date a request must be answered by; alerts count to the un-paused due date.")


def forwarding_tiles(forwarding: pd.Series) -> None:
    """Expandra's own clock: forwarding to the customer within the DPA's term (rules.md 2)."""
    tiles = st.columns(4)
    tiles[0].metric("Forwarded on time", fmt_pct(forwarding["forward_on_time_rate"]), border=True,
                    help="Forwarded on or before the forwarding deadline in the customer's DPA / forwarded or past "
                         "that deadline (GDPR Art. 28(3)(e); EDPB Guidelines 07/2020 paras 127-129).")
    tiles[1].metric("Forwarded in time", fmt_int(forwarding["forwarded_on_time"]), border=True)
    tiles[2].metric("Forwarded late", fmt_int(forwarding["forwarded_late"]), border=True,
                    help="Forwarded after the DPA's deadline: a breach of the processor's own term.")
    tiles[3].metric("Not forwarded, past due", fmt_int(forwarding["not_forwarded_past_due"]), border=True,
                    help="Open, not yet forwarded, and past the DPA's forwarding deadline today.")
    st.caption("Requests that reached Expandra directly (not via the customer), received in the period. The "
               "controller's one-month clock runs from Expandra's receipt all the same (rules.md 2).")


def set_apart_table(set_apart: pd.DataFrame) -> None:
    """Withdrawn requests, and requests the controller handled without an answer date."""
    st.dataframe(
        pd.DataFrame({
            "Request": set_apart["request_id"],
            "Customer": set_apart["customer_name"],
            "Type": request_type_labels(set_apart),
            "Received": pd.to_datetime(set_apart["received_on"]).dt.date,
            "Closed": pd.to_datetime(set_apart["closed_on"]).dt.date,
            "Set apart as": set_apart["set_apart_as"],
            "Forwarded on time": set_apart["forwarded_on_time"],
        }),
        hide_index=True, width="stretch",
        column_config={
            "Received": st.column_config.DateColumn(format="YYYY-MM-DD"),
            "Closed": st.column_config.DateColumn(format="YYYY-MM-DD"),
            "Forwarded on time": st.column_config.CheckboxColumn(
                help="Forwarded by the customer's forwarding deadline: Expandra's own clock (rules.md 2)."),
        })
    st.caption("Handled by the controller: Expandra's part ended with the forwarding, and nobody knows when the "
               "controller answered; once support records the date the customer gives, the request counts against "
               "the statutory clock with that date. Withdrawn: there is no answer to be timely (rules.md 1).")


def breaches_table(breaches: pd.DataFrame) -> pd.DataFrame:
    """Every breach, as listed (no contact details); returns the list, for its download."""
    listed = pd.DataFrame({
        "Request": breaches["request_id"],
        "Customer": breaches["customer_name"].fillna(breaches["customer_id"]),
        "Type": request_type_labels(breaches),
        "Received": pd.to_datetime(breaches["received_on"]).dt.date,
        "Due": pd.to_datetime(breaches["effective_due_date"]).dt.date,
        "Extended": breaches["is_extended"],
        "Closed": breaches["closed"],
        "Days late": breaches["days_late"],
    })
    st.dataframe(
        listed, hide_index=True, width="stretch",
        column_config={
            "Received": st.column_config.DateColumn(format="YYYY-MM-DD", help="Europe/Stockholm date of receipt."),
            "Due": st.column_config.DateColumn(
                format="YYYY-MM-DD", help="The date it had to be answered by (open: the un-paused due date)."),
            "Extended": st.column_config.CheckboxColumn(help="Extended by two months (Art. 12(3))."),
            "Closed": st.column_config.TextColumn(help="The day it was answered, or 'open' if it still is."),
            "Days late": st.column_config.NumberColumn(
                format="%d", help="Days from the due date to the closing day, or to today while open."),
        })
    st.caption(f"{len(listed):,} breaches: requests closed in the period after their due date, and requests open "
               "today past their due date (whatever the period). No requester contact details are listed.")
    return listed

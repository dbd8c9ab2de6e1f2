"""SLAs: how well Expandra keeps the GDPR deadlines for data-subject requests. The on-time rate by month
and by request type, how long requests take to close (median and 90th percentile, by type and by
customer), how often extensions and pauses are used, the open queue by days left, and every breach,
with a CSV download of the breach list for follow-up.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from privacyops import charts
from privacyops.cases import exports
from privacyops.store import StoreError
from ui import data
from ui.auth import require_page
from ui.filters import explain_link, filter_bar
from ui.format import demo_banner, empty_state, fmt_int, fmt_pct, show_store_error

user = require_page("pages/slas.py")
filters = filter_bar()
st.title("⏱️ SLAs")
demo_banner()

ON_TIME_RULE = ("On time: answered on or before the date it had to be answered by: one month from receipt, or "
                "three months when the extension was validly recorded within the first month (GDPR Art. 12(3)); "
                "a refusal within the one month even after an extension (Art. 12(4)); moved by an identity check "
                "asked for promptly (rules.md 1, Pausing). Counted per Regulation 1182/71 on the Swedish calendar. "
                "The due day itself is on time. Withdrawn requests, and requests the controller handled without "
                "telling us when it answered, are not in the rate: they are listed apart below.")
NO_CLOCK_CAPTION = ("Consent withdrawals are left out of the on-time figures and of the days to close by customer: "
                    "they have no one-month clock, as a withdrawal takes effect at once (GDPR Art. 7(3)). "
                    "Their own row in the time-to-close table shows how fast they were carried out.")

as_of = data.today()
period = {"start": filters.start, "end": filters.end, "customer": filters.customer}

try:
    counts = data.query("store_counts")
    if not dict(zip(counts["table_name"], counts["row_count"], strict=True)).get("requests"):
        empty_state("No data-subject requests yet, so there are no deadlines to measure. Requests logged on "
                           "the Log request page appear here once they are closed or fall due.")
        st.stop()
    settings = data.rule_settings()
    summary = data.query("sla_summary", as_of=as_of, **period).iloc[0]
    by_month = data.query("sla_on_time_by_month", **period)
    by_type = data.query("sla_on_time_by_type", **period)
    close_by_type = data.query("sla_time_to_close_by_type", **period)
    close_by_customer = data.query("sla_time_to_close_by_customer", **period)
    tools = data.query("sla_extensions_pauses", **period).iloc[0]
    open_by_days = data.query("sla_open_by_days_left", as_of=as_of, customer=filters.customer,
                                soon_due_days=settings.soon_due_days)
    breaches = data.query("sla_breaches", as_of=as_of, **period)
    set_apart = data.query("sla_set_apart", **period)
except StoreError as error:
    show_store_error(error)
    st.stop()


def _days(value: object) -> str:
    """A number of days as people write it: 10 days, 10.5 days."""
    return "–" if value is None or pd.isna(value) else f"{float(value):.1f}".removesuffix(".0") + " days"


st.caption(f"Requests closed **{filters.start.isoformat()} – {filters.end.isoformat()}**"
           + (f" for customer {filters.customer_id}" if filters.customer_id else "")
           + f"; open requests and open breaches as of today ({as_of.isoformat()}). " + NO_CLOCK_CAPTION)

# --- headline figures -------------------------------------------------------------------------

closed = int(summary["closed_requests"])
tiles = st.columns(5)
tiles[0].metric("Answered on time", fmt_pct(summary["on_time_rate"]), border=True,
                help=f"{ON_TIME_RULE} Share of the requests closed in the period "
                     f"({fmt_int(summary['on_time_requests'])} of {fmt_int(closed)}).")
tiles[1].metric("Median days to close", _days(summary["median_days"]), border=True,
                help="Median calendar days from receipt to closing (Europe/Stockholm dates) of the requests closed "
                     "in the period. The month is a ceiling, not a target (Art. 12(3): 'without undue delay').")
tiles[2].metric("90th percentile", _days(summary["p90_days"]), border=True,
                help="Days to close, 90th percentile: nine in ten requests closed in the period were closed within "
                     "this many days (continuous quantile, DuckDB quantile_cont).")
tiles[3].metric("Closed late", fmt_int(summary["closed_late"]), border=True,
                help="Requests answered in the period after the date they had to be answered by (breaches of "
                     "Art. 12(3)-(4)).")
tiles[4].metric("Open and overdue", fmt_int(summary["open_overdue"]), border=True,
                help="Requests open today whose effective due date has passed, whatever the period. A pause does not "
                     "stop this count (rules.md 1, Pausing).")

handled, withdrawn = int(summary["controller_handled"]), int(summary["withdrawn_requests"])
st.caption(f"Not in the on-time rate: handled by the controller: {handled:,}, forwarded on time: "
           f"{int(summary['controller_handled_forwarded_on_time']):,}; withdrawn: {withdrawn:,} "
           "(closed in the period; listed under 'Set apart' below).")

# --- on-time rate -----------------------------------------------------------------------------

st.subheader("On-time rate")
if by_month.empty:
    empty_state("No requests with a one-month clock were closed in this period. Widen the date range in "
                       "the sidebar.")
else:
    left, right = st.columns(2, gap="large")
    with left:
        st.altair_chart(charts.on_time_by_month(by_month), width="stretch")
        st.caption("By month of closing. " + ON_TIME_RULE)
    with right:
        st.altair_chart(charts.on_time_by_type(by_type), width="stretch")
        st.caption("Requests closed in the period, by type: " + "; ".join(
            f"{label} {int(r.on_time_requests)} of {int(r.closed_requests)}"
            for label, r in zip(charts.request_type_labels(by_type), by_type.itertuples(), strict=True)) + ".")

# --- time to close ----------------------------------------------------------------------------

st.subheader("Time to close")
if close_by_type.empty:
    empty_state("No requests were closed in this period.")
else:
    days_format = st.column_config.NumberColumn
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown("**By request type**")
        st.dataframe(
            pd.DataFrame({
                "Request type": charts.request_type_labels(close_by_type),
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

# --- extensions and pauses --------------------------------------------------------------------

st.subheader("Extensions and pauses")
received = int(tools["received_requests"])
if not received:
    empty_state("No requests with a one-month clock were received in this period.")
else:
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

# --- the processor's clock: forwarding to the controller ---------------------------------------

st.subheader("Forwarding to the customer")
forwarding = data.query("sla_forwarding", as_of=as_of, **period).iloc[0]
if not int(forwarding["received_requests"]):
    empty_state("No requests that reached Expandra directly were received in this period.")
else:
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

# --- set apart from the on-time rate -------------------------------------------------------------

st.subheader("Set apart from the on-time rate")
if set_apart.empty:
    empty_state("No request closed in this period was withdrawn or handled by the controller without an "
                       "answer date.")
else:
    st.dataframe(
        pd.DataFrame({
            "Request": set_apart["request_id"],
            "Customer": set_apart["customer_name"],
            "Type": charts.request_type_labels(set_apart),
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

# --- the open queue ---------------------------------------------------------------------------

st.subheader("Open requests by days left")
if open_by_days.empty:
    empty_state("No open requests with a one-month clock" +
                       (" for this customer." if filters.customer_id else "."))
else:
    st.altair_chart(charts.open_by_days_left(open_by_days), width="stretch")
    st.caption(f"As of today. Overdue: the due date has passed; due soon: due within {settings.soon_due_days} days "
               "(setting soon_due_days); on track: later. Open consent withdrawals have no month clock and are not "
               "in this chart.")
    explain_link(user, filters, "pages/requests.py", "Open the queue →")

# --- breaches ---------------------------------------------------------------------------------

st.subheader("Breaches")
if breaches.empty:
    st.success("No breaches: every request closed in the period was answered on time, and no open request is "
               "overdue.", icon="✅")
else:
    listed = pd.DataFrame({
        "Request": breaches["request_id"],
        "Customer": breaches["customer_name"].fillna(breaches["customer_id"]),
        "Type": charts.request_type_labels(breaches),
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
    cols = st.columns([1, 3])
    with cols[0]:
        st.download_button(
            "⬇️ Download breaches (CSV)",
            data=data.logged_export(user, "sla_breaches", lambda: exports.csv_bytes(listed),
                                      start=filters.start.isoformat(), end=filters.end.isoformat()),
            file_name=f"sla-breaches-{filters.start.isoformat()}-{filters.end.isoformat()}.csv", mime="text/csv",
            on_click="ignore", help="The list above as a CSV file; it holds no requester contact details.")
    with cols[1]:
        explain_link(user, filters, "pages/requests.py", "See the overdue open requests →", overdue="1")

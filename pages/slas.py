"""SLAs: how well Expandra keeps the GDPR deadlines for data-subject requests. The on-time rate by month
and by request type, how long requests take to close (median and 90th percentile, by type and by
customer), how often extensions and pauses are used, the open queue by days left, and every breach,
with a CSV download of the breach list for follow-up.
"""

from __future__ import annotations

import streamlit as st

from privacyops import charts
from privacyops.cases import exports
from privacyops.store import StoreError
from ui import data, sla_tables
from ui.auth import require_page
from ui.filters import explain_link, filter_bar
from ui.format import demo_banner, empty_state, fmt_days, fmt_int, fmt_pct, show_store_error

user = require_page("pages/slas.py")
filters = filter_bar()
st.title("⏱️ SLAs")
demo_banner()

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



st.caption(f"Requests closed **{filters.start.isoformat()} – {filters.end.isoformat()}**"
           + (f" for customer {filters.customer_id}" if filters.customer_id else "")
           + f"; open requests and open breaches as of today ({as_of.isoformat()}). " + NO_CLOCK_CAPTION)

# --- headline figures -------------------------------------------------------------------------

closed = int(summary["closed_requests"])
tiles = st.columns(5)
tiles[0].metric("Answered on time", fmt_pct(summary["on_time_rate"]), border=True,
                help=f"{sla_tables.ON_TIME_RULE} Share of the requests closed in the period "
                     f"({fmt_int(summary['on_time_requests'])} of {fmt_int(closed)}).")
tiles[1].metric("Median days to close", fmt_days(summary["median_days"]), border=True,
                help="Median calendar days from receipt to closing (Europe/Stockholm dates) of the requests closed "
                     "in the period. The month is a ceiling, not a target (Art. 12(3): 'without undue delay').")
tiles[2].metric("90th percentile", fmt_days(summary["p90_days"]), border=True,
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
        st.caption("By month of closing. " + sla_tables.ON_TIME_RULE)
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
    sla_tables.time_to_close(close_by_type, close_by_customer)

# --- extensions and pauses --------------------------------------------------------------------

st.subheader("Extensions and pauses")
received = int(tools["received_requests"])
if not received:
    empty_state("No requests with a one-month clock were received in this period.")
else:
    sla_tables.extensions_and_pauses(tools, received)

# --- the processor's clock: forwarding to the controller ---------------------------------------

st.subheader("Forwarding to the customer")
forwarding = data.query("sla_forwarding", as_of=as_of, **period).iloc[0]
if not int(forwarding["received_requests"]):
    empty_state("No requests that reached Expandra directly were received in this period.")
else:
    sla_tables.forwarding_tiles(forwarding)

# --- set apart from the on-time rate -------------------------------------------------------------

st.subheader("Set apart from the on-time rate")
if set_apart.empty:
    empty_state("No request closed in this period was withdrawn or handled by the controller without an "
                "answer date.")
else:
    sla_tables.set_apart_table(set_apart)

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
    listed = sla_tables.breaches_table(breaches)
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

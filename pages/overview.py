"""Overview: the management landing page. One tile per headline figure of Expandra's privacy operations
(valid consent, the request queue and its deadlines, the retention backlog), each with its change against
the previous period, a small trend, and a link to the page and filter that explains it; then the few
requests that need attention first.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from privacyops.rules.lifecycle import REQUEST_TYPES, STATUSES
from privacyops.store import StoreError
from ui import data
from ui.auth import require_page
from ui.filters import explain_link, filter_bar, link, link_params
from ui.format import (
    demo_banner,
    empty_state,
    fmt_count_change,
    fmt_days,
    fmt_days_change,
    fmt_int,
    fmt_pct,
    fmt_pp_change,
    kpi_tile,
    show_store_error,
    trend_points,
)
from ui.nav import page_spec

user = require_page("pages/overview.py")
filters = filter_bar()
st.title("📊 Overview")
demo_banner()

ATTENTION_ROWS = 5
QUEUE_LABELS = {"Overdue": "🔴 Overdue", "Due soon": "🟠 Due soon", "On track": "🟢 On track"}

as_of = data.today()
period_days = (filters.end - filters.start).days + 1
prev_start = filters.start - timedelta(days=period_days)
prev_end = filters.start - timedelta(days=1)
before_on = as_of - timedelta(days=period_days)
# Short periods get a weekly trend, longer ones a monthly trend (a sparkline stays readable).
grain = "week" if period_days <= 120 else "month"
period = {"start": filters.start, "end": filters.end, "customer": filters.customer}

try:
    counts = data.query("store_counts")
    rows = dict(zip(counts["table_name"], counts["row_count"], strict=True))
    if not (rows.get("requests") or rows.get("consent_records") or rows.get("retention_records")):
        empty_state(
            "Nothing to show yet: the store holds no requests, consent records or retention records. "
            "Log a request on the Log request page, or try the dashboard on demo data: "
            "`python -m privacyops --db data/demo.duckdb demo`, then start it with PRIVACYOPS_DB=data/demo.duckdb.")
        st.stop()
    settings = data.rule_settings()
    consent = data.query("overview_consent_rates", **period).iloc[0]
    consent_trend = data.query("overview_consent_trend", grain=grain, **period)
    req = data.query("overview_request_kpis", as_of=as_of, **period).iloc[0]
    req_trend = data.query("overview_request_trend", as_of=as_of, grain=grain, **period)
    backlog = data.query("overview_backlog", as_of=as_of, **period).iloc[0]
    backlog_trend = data.query("overview_backlog_trend", as_of=as_of, grain=grain, **period)
    attention = data.query("overview_needs_attention", as_of=as_of, customer=filters.customer,
                           soon_due_days=settings.soon_due_days, limit=ATTENTION_ROWS)
except StoreError as error:
    show_store_error(error)
    st.stop()


# --- the tiles --------------------------------------------------------------------------------

prev_text = f"vs. {prev_start.isoformat()} – {prev_end.isoformat()}"
before_text = f"vs. {before_on.isoformat()}"
st.caption(
    f"Period **{filters.start.isoformat()} – {filters.end.isoformat()}** ({period_days} days), compared with the "
    f"{period_days} days before it. Open, overdue and backlog counts are as of today ({as_of.isoformat()}), compared "
    f"with {period_days} days earlier ({before_on.isoformat()}); the on-time share covers the last 90 days. "
    f"Trends under the tiles: by {grain}.")

st.subheader("Data-subject requests")
cols = st.columns(4)
with cols[0]:
    kpi_tile("Open requests", fmt_int(req["open_requests"]),
             delta=fmt_count_change(req["open_requests"], req["open_requests_prev"]), delta_text=before_text,
             delta_color="off",
             help_text=("Requests received and not yet completed, refused or withdrawn, today. Includes consent "
                        "withdrawals, which take effect at once (GDPR Art. 7(3))."),
             trend=trend_points(req_trend, "open_requests"),
             link=lambda: explain_link(user, filters, "pages/requests.py", "Open the queue →"))
with cols[1]:
    kpi_tile("Overdue requests", fmt_int(req["overdue_requests"]),
             delta=fmt_count_change(req["overdue_requests"], req["overdue_requests_prev"]), delta_text=before_text,
             delta_color="inverse",
             help_text=("Open requests whose effective due date is before today: one month from receipt, or three "
                        "when validly extended (GDPR Art. 12(3); counted per Regulation 1182/71, rules.md 1). The due "
                        "day itself is still on time. A pause does not stop this count (rules.md 1, Pausing)."),
             trend=trend_points(req_trend, "overdue_requests"),
             link=lambda: explain_link(user, filters, "pages/requests.py", "See the overdue requests →",
                                       overdue="1"))
with cols[2]:
    kpi_tile("On time, last 90 days", fmt_pct(req["on_time_share"]),
             delta=fmt_pp_change(req["on_time_share"], req["on_time_share_prev"]), delta_text="vs. the 90 days before",
             help_text=("Requests answered in the last 90 days on or before the date they had to be answered by / "
                        f"all requests answered in those days ({fmt_int(req['on_time_last_90'])} / "
                        f"{fmt_int(req['closed_last_90'])}); GDPR Art. 12(3)-(4): a refusal within the one "
                        "month, an extended request within three. Consent withdrawals, withdrawn requests and "
                        "requests the controller handled without an answer date are left out. Trend: the share per "
                        "period of the date range."),
             trend=trend_points(req_trend, "on_time_share"), chart_type="line",
             link=lambda: explain_link(user, filters, "pages/slas.py", "Explain on SLAs →"))
    st.caption(f"Not in the rate (last 90 days): handled by the controller "
               f"{fmt_int(req['controller_handled_last_90'])}, withdrawn "
               f"{fmt_int(req['withdrawn_last_90'])}.")
with cols[3]:
    kpi_tile("Median days to close", fmt_days(req["median_days_to_close"]),
             delta=fmt_days_change(req["median_days_to_close"], req["median_days_to_close_prev"]), delta_text=prev_text,
             delta_color="inverse",
             help_text=("Median of the calendar days from receipt to the answer (Stockholm dates) of the requests "
                        f"answered in the period ({fmt_int(req['closed_in_period'])}). The month of Art. 12(3) "
                        "is a ceiling, not a target. Consent withdrawals, withdrawn requests and requests the "
                        "controller handled without an answer date are left out."),
             trend=trend_points(req_trend, "median_days_to_close"), chart_type="line",
             link=lambda: explain_link(user, filters, "pages/slas.py", "Explain on SLAs →"))


consent_side, retention_side = st.columns(2, gap="large")
with consent_side:
    st.subheader("Consent")
    cols = st.columns(2)
    with cols[0]:
        kpi_tile("Analytics opt-in", fmt_pct(consent["analytics_rate"]),
                 delta=fmt_pp_change(consent["analytics_rate"], consent["prev_analytics_rate"]), delta_text=prev_text,
                 help_text=("Valid analytics opt-ins / consent decisions recorded in the period "
                            f"({fmt_int(consent['analytics_opt_ins'])} / {fmt_int(consent['decisions'])}). "
                            "Only accept all, reject all and custom choices are valid; implied-by-use and pre-ticked "
                            "records count as decisions but never as opt-ins (rules.md 3; CJEU C-673/17 Planet49; "
                            "EDPB Guidelines 05/2020 para 86). Withdrawals are not decisions."),
                 trend=trend_points(consent_trend, "analytics_rate"), chart_type="line",
                 link=lambda: explain_link(user, filters, "pages/consent.py", "Explain on Consent →"))
    with cols[1]:
        kpi_tile("Marketing opt-in", fmt_pct(consent["marketing_rate"]),
                 delta=fmt_pp_change(consent["marketing_rate"], consent["prev_marketing_rate"]), delta_text=prev_text,
                 help_text=("Valid marketing opt-ins / consent decisions recorded in the period "
                            f"({fmt_int(consent['marketing_opt_ins'])} / {fmt_int(consent['decisions'])}). "
                            "Same rule as analytics: implied and pre-ticked records are in the denominator, never "
                            "opt-ins (rules.md 3)."),
                 trend=trend_points(consent_trend, "marketing_rate"), chart_type="line",
                 link=lambda: explain_link(user, filters, "pages/consent.py", "Explain on Consent →"))
    invalid = int(consent["invalid_consents"] or 0)
    if invalid:
        st.caption(f"{fmt_int(invalid)} of {fmt_int(consent['decisions'])} consent decisions in the "
                   "period were implied by use or pre-ticked: not consent, so never counted as opt-ins.")
with retention_side:
    st.subheader("Retention")
    cols = st.columns(2)
    with cols[0]:
        kpi_tile("Retention backlog", fmt_int(backlog["backlog_records"]),
                 delta=fmt_count_change(backlog["backlog_records"], backlog["backlog_records_prev"]),
                 delta_text=before_text, delta_color="inverse",
                 help_text=("Records whose retention has ended and that are not yet deleted or anonymised, today "
                            "(rules.md 4; the privacy policy, section 5). Retention ends on the date the source system "
                            "set, else on the last use plus the customer's term for the data category."),
                 trend=trend_points(backlog_trend, "backlog_records"),
                 link=lambda: explain_link(user, filters, "pages/retention.py", "Explain on Retention →"))
    with cols[1]:
        kpi_tile("Oldest in backlog", fmt_days(backlog["oldest_days"]),
                 delta=fmt_days_change(backlog["oldest_days"], backlog["oldest_days_prev"]), delta_text=before_text,
                 delta_color="inverse",
                 help_text="Days since the retention of the longest-waiting backlog record ended (0 on the day it "
                           "ends).",
                 trend=None,
                 link=lambda: explain_link(user, filters, "pages/retention.py", "See the worklist →"))

# --- needs attention --------------------------------------------------------------------------

st.subheader("Needs attention")
if attention.empty:
    empty_state("No open requests" + (" for this customer." if filters.customer_id else "."))
else:
    shown = pd.DataFrame({
        "Request": attention["request_id"],
        "Customer": attention["customer_name"].fillna(attention["customer_id"]),
        "Type": attention["request_type"].map(REQUEST_TYPES).fillna(attention["request_type"]),
        "Status": attention["status"].map(STATUSES).fillna(attention["status"]),
        "Due": pd.to_datetime(attention["effective_due_date"]).dt.date,
        "Days left": attention["days_left"],
        "Queue": attention["queue_status"].map(QUEUE_LABELS).fillna(attention["queue_status"]),
    })
    st.dataframe(
        shown, hide_index=True, width="stretch",
        column_config={
            "Request": st.column_config.TextColumn(help="The request's id; open it on the Requests page."),
            "Due": st.column_config.DateColumn(format="YYYY-MM-DD",
                                               help="The effective due date (extended if validly extended)."),
            "Days left": st.column_config.NumberColumn(
                format="%d", help="0 on the due day (still on time), negative once overdue; empty for a consent "
                                  "withdrawal, which takes effect at once."),
            "Queue": st.column_config.TextColumn(
                help=f"Overdue; due soon (within {settings.soon_due_days} days, setting soon_due_days, or a "
                     "consent withdrawal); on track."),
        })
    st.caption(f"The {ATTENTION_ROWS} open requests due soonest: overdue first, then consent withdrawals (due at "
               "once), then by due date. Contact details are on the request itself.")
    if user.role in page_spec("pages/requests.py").roles:
        for col, request_id in zip(st.columns(ATTENTION_ROWS), attention["request_id"], strict=False):
            with col:
                link("pages/requests.py", label=f"{request_id} →",
                     query_params=link_params(filters, request=str(request_id)))
    explain_link(user, filters, "pages/requests.py", "Open the queue →")

"""Retention: how many personal-data records are past the end of their retention and not yet deleted or
anonymised (the backlog, rules.md 4), where they are (data category, customer), how long they have
waited, how the backlog moved week by week (under the terms in force on each day), when it clears at the
current deletion pace, the customers whose deletion instruction or contract end made their records due,
and the deletion worklist to download.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from privacyops import charts
from privacyops.cases import access, exports
from privacyops.cases import contacts as own_retention
from privacyops.rules import forecast
from privacyops.rules.retention import AGING_BUCKETS, DATA_CATEGORIES, END_ACTIONS
from privacyops.store import StoreError
from ui import data
from ui.auth import require_page
from ui.customer_disposal import instruction_columns
from ui.filters import filter_bar
from ui.format import demo_banner, empty_state, fmt_int, show_store_error

user = require_page("pages/retention.py")
filters = filter_bar()
st.title("🗄️ Retention")
demo_banner()

BACKLOG_RULE = ("A record is in the backlog from the day its retention ends until it is deleted or anonymised "
                "(rules.md 4; the privacy policy, section 5). Retention ends on the date the source system set, "
                "else on the last use plus the customer's term for the data category; after a term change, on "
                "the later of that and the day of the change (a processor is late only from the day it got the "
                "instruction, Art. 28(3)(a)). A customer's deletion instruction or contract end makes every "
                "record of that customer due from that day (Art. 28(3)(g)).")
PREVIEW_ROWS = 50


as_of = data.today()
try:
    summary = data.query("retention_backlog_summary", as_of=as_of, customer=filters.customer).iloc[0]
    by_category = data.query("retention_backlog_by_category", as_of=as_of, customer=filters.customer)
    by_customer = data.query("retention_backlog_by_customer", as_of=as_of, customer=filters.customer)
    aging = data.query("retention_aging", as_of=as_of, customer=filters.customer)
    pace_rows = data.query("retention_pace", as_of=as_of, customer=filters.customer)
    weekly = data.query("retention_backlog_weekly", start=filters.start, end=filters.end, as_of=as_of,
                        customer=filters.customer)
except StoreError as error:
    show_store_error(error)
    st.stop()

backlog = int(summary["backlog_records"])
if int(summary["records_in_inventory"]) == 0:
    empty_state("No personal-data records are in the retention inventory"
                + (" for this customer" if filters.customer_id else "")
                + " yet. Once the quote service's records are imported, this page shows which of them "
                "are past their end of retention and must be deleted or anonymised.")
    st.stop()

st.caption(f"Counted on {as_of.isoformat()} under each customer's DPA terms as they stood on each day: a "
           "shortened retention term puts records in the backlog from the day of the change, never in the weeks "
           "before it; a record already late under the old term stays late from its old end.")

# --- the forecast at the chosen pace ----------------------------------------------------------
window = st.radio("Deletion pace measured over the last", options=list(forecast.PACE_WINDOWS),
                  format_func=lambda days: f"{days} days", horizontal=True, key="retention_pace_window",
                  help="The deletion pace is the records deleted or anonymised after their end of retention "
                       "per day, minus the records reaching their end of retention per day, over this window.")
pace_row = pace_rows.set_index("window_days").loc[window]
pace = forecast.Pace(int(window), int(pace_row["left_backlog"]), int(pace_row["entered_backlog"]),
                     int(pace_row["released_backlog"]))
outlook = forecast.clearance_forecast(backlog, pace, as_of)

tiles = st.columns(4)
tiles[0].metric("Backlog now", fmt_int(backlog), border=True, help=BACKLOG_RULE)
tiles[1].metric("Oldest, days past end", fmt_int(summary["oldest_days_past_end"]), border=True,
                help="Days since the retention of the longest-waiting backlog record ended (0 on the day it ends).")
tiles[2].metric(f"Net deletion pace ({window} days)", f"{pace.net_per_day:+.1f} / day", border=True,
                help=f"{pace.disposed_per_day:.1f} records a day left the backlog (deleted or anonymised) minus "
                     f"{pace.entering_per_day:.1f} a day that reached their end of retention, over the last "
                     f"{window} days. Positive: the backlog shrinks."
                     + (f" Not counted: {pace.released} records a lengthened retention term took out of the "
                        "backlog (no deletion)." if pace.released else ""))
tiles[3].metric("Backlog clears", "now" if backlog == 0 else
                (outlook.clears_on.isoformat() if outlook.clears_on else "does not clear"), border=True,
                help="The day the backlog reaches zero if the net deletion pace holds.")
if outlook.clears:
    st.success(outlook.sentence(), icon="📉")
else:
    st.warning(outlook.sentence(), icon="⚠️")
st.caption(f"Of the backlog, {fmt_int(summary['backlog_to_delete'])} records are to be deleted and "
           f"{fmt_int(summary['backlog_to_anonymise'])} anonymised (the customer's end action).")
if int(summary["records_without_end"]) > 0:
    st.warning(f"{fmt_int(summary['records_without_end'])} records have no end of retention: neither the "
               "source system nor their customer's DPA terms set one. An admin adds the missing terms on the Customers "
               "page.",
               icon="❓")

# --- where the backlog is ---------------------------------------------------------------------
if backlog:
    left, right = st.columns(2)
    with left:
        st.subheader("By data category")
        st.altair_chart(charts.backlog_by_category(by_category), width="stretch")
    with right:
        st.subheader("By customer")
        st.altair_chart(charts.backlog_by_customer(by_customer), width="stretch")

    st.subheader("How long past the end of retention")
    st.altair_chart(charts.backlog_aging(aging, [label for label, _, _ in AGING_BUCKETS]), width="stretch")
else:
    st.success("No record is past its end of retention.", icon="✅")

# --- the backlog over time --------------------------------------------------------------------
st.subheader("The backlog at the end of each week")
if weekly.empty:
    empty_state("The date range has no days up to today: pick a range in the sidebar.")
else:
    weekly = weekly.assign(week_end=pd.to_datetime(weekly["week_end"]))
    trend = forecast.weekly_trend([d.date() for d in weekly["week_end"]], weekly["backlog_records"].tolist())
    st.altair_chart(charts.backlog_weekly(weekly, trend), width="stretch")
    if trend is not None:
        st.caption(f"From {weekly['week_end'].iloc[0].date().isoformat()} to "
                   f"{weekly['week_end'].iloc[-1].date().isoformat()}: {trend.sentence()}. The dashed line marks the "
                   f"change over the last {trend.recent_weeks} weeks. Each point counts the records in the backlog "
                   "on that day (a Sunday, or the range's last day), under the terms in force that day.")

# --- the deletion worklist --------------------------------------------------------------------
st.subheader("Deletion worklist")
if backlog:
    def worklist_csv() -> bytes:
        """The full worklist, built only when the button is pressed."""
        frame = data.query("retention_worklist", as_of=as_of, customer=filters.customer, limit=None)
        return exports.csv_bytes(frame)

    st.download_button(f"⬇️ Download the worklist ({fmt_int(backlog)} records, CSV)",
                       data=data.logged_export(user, "retention_worklist", worklist_csv,
                                               customer=filters.customer, as_of=as_of.isoformat()),
                       file_name=f"retention-worklist-{filters.customer_id or 'all'}-{as_of.isoformat()}.csv",
                       mime="text/csv", on_click="ignore",
                       help="record_id, customer_id, data_category, effective_end_on, days past end, end_action: "
                            "identifiers and terms only, no personal data.")
    preview = data.query("retention_worklist", as_of=as_of, customer=filters.customer, limit=PREVIEW_ROWS)
    st.caption(f"The {min(PREVIEW_ROWS, backlog)} longest overdue of {fmt_int(backlog)} records:")
    st.dataframe(
        preview.assign(data_category=preview["data_category"].map(DATA_CATEGORIES).fillna(preview["data_category"]),
                       end_action=preview["end_action"].map(END_ACTIONS)),
        hide_index=True, width="stretch",
        column_config={
            "record_id": st.column_config.TextColumn("Record"),
            "customer_id": st.column_config.TextColumn("Customer"),
            "data_category": st.column_config.TextColumn("Data category"),
            "effective_end_on": st.column_config.DateColumn("Retention ended", format="YYYY-MM-DD"),
            "days_past_end": st.column_config.NumberColumn("Days past end", format="%d"),
            "end_action": st.column_config.TextColumn(
                "End action", help="What the customer's DPA says to do: delete or anonymise. Empty: no term."),
        },
    )
else:
    st.caption("Nothing to delete or anonymise today.")

# --- customers' deletion instructions and contract ends (Art. 28(3)(g)) --------------------------
instructed = data.query("retention_customer_instructions", as_of=as_of, customer=filters.customer)
if not instructed.empty:
    st.subheader("Deletion instructions and ended contracts")
    made_due = int(instructed["made_due_records"].sum())
    st.caption(f"{len(instructed)} {'customer has' if len(instructed) == 1 else 'customers have'} instructed "
               f"deletion or ended the contract (GDPR Art. 28(3)(g), rules.md 4): every record of theirs is due for "
               f"disposal from that day. {fmt_int(made_due)} records in the backlog are there only because of "
               "it (their own end of retention has not come). An admin records the dates on the Customers page.")
    st.dataframe(instructed, hide_index=True, width="stretch", column_config=instruction_columns())

# --- Privacy Ops' own personal data -----------------------------------------------------------
st.subheader("Privacy Ops' own data: requesters' contact details and subject ids")
own_settings = data.rule_settings()
evidence_years = own_settings.contact_evidence_years
own = data.query("own_contacts_summary", as_of=as_of, evidence_years=evidence_years).iloc[0]
st.caption(f"Requesters' email, name, subject id and description are kept while the request is open and for "
           f"{evidence_years} years after it closes, as evidence of how it was handled (rules.md 4; setting "
           "contact_evidence_years); then they are anonymised. The request history never holds them. The daily "
           f"backups keep them {own_settings.backup_keep_days} days longer: a contact anonymised today is gone from "
           "every backup after that (setting backup_keep_days).")
tiles = st.columns(4)
tiles[0].metric("Held for open requests", fmt_int(own["held_open"]), border=True)
tiles[1].metric("Held as evidence (closed)", fmt_int(own["held_closed"]), border=True)
tiles[2].metric("Due for anonymisation", fmt_int(own["due_for_anonymisation"]), border=True,
                help="Closed requests whose evidence period has ended; anonymised automatically once a day.")
tiles[3].metric("Anonymised", fmt_int(own["anonymised"]), border=True)
if int(own["due_for_anonymisation"]) and access.may(user.role, "edit_access"):
    if st.button("Anonymise them now", help="Removes email, name, subject id and description from those requests; "
                                            "each gets a history entry and the access log records it."):
        done = own_retention.anonymise_expired_contacts(data.store(), today=as_of, actor=user.email)
        data.after_write()
        st.success(f"Anonymised the contact details of {done} closed requests.")
        st.rerun()

"""Explore: the consent records themselves, for analysts. Filter by date range and customer (sidebar) and
by country, purpose, method, policy version and source; see the totals, records per week by method and the
newest records, and download the whole filtered set as CSV or Parquet. No subject ids (not even
pseudonymous ones) and no requester contact data appear here or in the downloads.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from privacyops import charts
from privacyops.cases import exports
from privacyops.rules.consent import CONSENT_PURPOSES, METHODS, PURPOSES, SOURCES
from privacyops.store import StoreError
from ui import data
from ui.auth import require_page
from ui.filters import filter_bar
from ui.format import demo_banner, empty_state, fmt_int, fmt_pct, show_store_error

user = require_page("pages/explore.py")
filters = filter_bar()
st.title("🔎 Explore consent records")
demo_banner()

PREVIEW_ROWS = 1_000
LARGE_CSV_ROWS = 1_000_000
RATE_RULE = ("Valid opt-in rate = valid opt-ins / consent decisions (rules.md 3): implied and pre-ticked records "
             "are decisions without a valid answer and never opt-ins; withdrawals are not decisions.")

try:
    options = data.query("explore_filter_options")
except StoreError as error:
    show_store_error(error)
    st.stop()
if options.empty:
    empty_state("There are no consent records in the store yet. Once cookie-banner choices are imported, "
                "this page lets you filter them, chart them and download them as CSV or Parquet.")
    st.stop()


def values(dimension: str) -> list[str]:
    return options.loc[options["dimension"] == dimension, "value"].tolist()


# --- the filters ------------------------------------------------------------------------------
row = st.columns(5)
countries = row[0].multiselect("Country", values("country"), key="explore_countries", placeholder="All countries",
                               help="The visitor's country as the banner recorded it.")
purposes = row[1].multiselect("Purpose", list(CONSENT_PURPOSES), format_func=PURPOSES.get, key="explore_purposes",
                              placeholder="Any purpose",
                              help="Keeps records in which at least one of these purposes is switched on, whatever "
                                   "the method: a pre-ticked or implied record has its purposes on too but is not "
                                   "consent (rules.md 3). Combine with Method to see valid opt-ins only.")
methods = row[2].multiselect("Method", values("method"), format_func=lambda m: METHODS.get(m, m),
                             key="explore_methods", placeholder="All methods",
                             help="How the choice was made. Implied by use and pre-ticked boxes are not consent "
                                  "(CJEU Planet49 C-673/17; EDPB 05/2020 para 86); withdrawal is Art. 7(3).")
versions = row[3].multiselect("Policy version", values("policy_version"), key="explore_policy_versions",
                              placeholder="All versions", help="The privacy policy version shown with the banner, "
                                                               "in the order the versions first appeared.")
sources = row[4].multiselect("Source", values("source"), format_func=lambda s: SOURCES.get(s, s),
                             key="explore_sources", placeholder="All sources",
                             help="Where the choice was recorded: the banner, the settings page or the API.")

params = {"start": filters.start, "end": filters.end, "customer": filters.customer, "countries": countries,
          "purposes": purposes, "methods": methods, "policy_versions": versions, "sources": sources}
try:
    summary = data.query("explore_summary", **params).iloc[0]
except StoreError as error:
    show_store_error(error)
    st.stop()

total = int(summary["records"])
if total == 0:
    empty_state(f"No consent records match these filters between {filters.start.isoformat()} and "
                f"{filters.end.isoformat()}. Clear a filter or widen the date range in the sidebar.")
    st.stop()

# --- totals -------------------------------------------------------------------------------------
tiles = st.columns(6)
tiles[0].metric("Records", fmt_int(total), border=True, help="Consent records matching every filter.")
tiles[1].metric("Valid choices", fmt_int(summary["valid_choices"]), border=True,
                help="Accept all, reject all or a custom choice: a clear affirmative act (GDPR Art. 4(11)).")
tiles[2].metric("Not consent", fmt_int(summary["invalid_records"]), border=True,
                help="Implied by use or pre-ticked boxes: never counted as opt-ins (rules.md 3).")
tiles[3].metric("Withdrawals", fmt_int(summary["withdrawals"]), border=True,
                help="Withdrawals of consent (GDPR Art. 7(3)).")
tiles[4].metric("Analytics opt-in", fmt_pct(summary["analytics_rate"]), border=True, help=RATE_RULE)
tiles[5].metric("Marketing opt-in", fmt_pct(summary["marketing_rate"]), border=True, help=RATE_RULE)

# --- records per week ---------------------------------------------------------------------------
st.subheader("Records per week by method")
try:
    weekly = data.query("explore_weekly", **params)
except StoreError as error:
    show_store_error(error)
    st.stop()
st.altair_chart(charts.records_per_week_by_method(weekly), width="stretch")

# --- the records --------------------------------------------------------------------------------
st.subheader("Records")
try:
    preview = data.query("explore_records", **params, row_limit=PREVIEW_ROWS)
except StoreError as error:
    show_store_error(error)
    st.stop()
shown = len(preview)
if shown < total:
    st.caption(f"The newest {fmt_int(shown)} of {fmt_int(total)} matching records. The downloads "
               "hold all of them.")
else:
    st.caption(f"All {fmt_int(total)} matching records, newest first.")
st.dataframe(
    preview.assign(method=preview["method"].map(METHODS).fillna(preview["method"]),
                   source=preview["source"].map(SOURCES).fillna(preview["source"])),
    hide_index=True, width="stretch", height=420,
    column_config={
        "consent_id": st.column_config.TextColumn("Record"),
        "customer_id": st.column_config.TextColumn("Customer"),
        "customer_name": st.column_config.TextColumn("Customer name"),
        "given_at": st.column_config.DatetimeColumn("Given (UTC)", format="YYYY-MM-DD HH:mm:ss"),
        "method": st.column_config.TextColumn("Method"),
        "is_valid_choice": st.column_config.CheckboxColumn(
            "Valid choice", help="Accept all, reject all or custom: a clear affirmative act (rules.md 3)."),
        "policy_version": st.column_config.TextColumn("Policy version"),
        "source": st.column_config.TextColumn("Source"),
        "country": st.column_config.TextColumn("Country"),
        "necessary": st.column_config.CheckboxColumn("Necessary"),
        "functional": st.column_config.CheckboxColumn("Functional"),
        "analytics": st.column_config.CheckboxColumn("Analytics"),
        "marketing": st.column_config.CheckboxColumn("Marketing"),
    },
)

# --- downloads ----------------------------------------------------------------------------------
store = data.store()
export_params = {**params, "row_limit": None}
stem = f"consent-records-{filters.customer_id or 'all'}-{filters.start.isoformat()}-{filters.end.isoformat()}"


def export_file(fmt: str) -> Callable[[], bytes]:
    """A callable for st.download_button: DuckDB writes the whole filtered set when the button is pressed."""
    return data.logged_export(user, f"consent_records.{fmt}",
                              lambda: exports.export_query(store, "explore_records", fmt, **export_params),
                              **{k: (list(v) if isinstance(v, tuple | list) else str(v))
                                   for k, v in export_params.items()})


left, right = st.columns(2)
for column, fmt in ((left, "csv"), (right, "parquet")):
    spec = exports.FORMATS[fmt]
    column.download_button(
        f"⬇️ Download {fmt_int(total)} records ({spec.label})", data=export_file(fmt),
        file_name=f"{stem}.{spec.extension}", mime=spec.mime, on_click="ignore", width="stretch",
        key=f"explore_download_{fmt}",
        help="Every matching record (not just the preview), written by DuckDB. No subject ids and no contact data. "
             + ("In the CSV, text cells that start with =, +, -, @, a tab or a carriage return get a leading ' so "
                "a spreadsheet does not run them as formulas." if fmt == "csv" else
                "Typed columns (timestamps in UTC, booleans), compressed: the better choice for large sets."))
if total > LARGE_CSV_ROWS:
    st.caption(f"{fmt_int(total)} records make a CSV of roughly {total * 100 / 1e6:,.0f} MB: "
               "prefer Parquet or narrow the filters.")

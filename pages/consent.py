"""Consent: how many visitors give a valid opt-in per purpose (functional, analytics, marketing) and how that
moves over time and across customers, countries, sources and policy versions; the records that are not
consent at all (implied by use, pre-ticked boxes) kept apart; withdrawals; which subjects the banner must ask
again; and what the last policy change did to the opt-in rates. Every definition is rules.md section 3.
"""

from __future__ import annotations

import streamlit as st

from privacyops import charts
from privacyops.rules.consent import CONSENT_PURPOSES, PURPOSES
from privacyops.store import StoreError
from ui import consent_tables, data
from ui.auth import require_page
from ui.filters import filter_bar
from ui.format import demo_banner, empty_state, fmt_int, fmt_pct, show_store_error

user = require_page("pages/consent.py")
filters = filter_bar()
st.title("✅ Consent")
demo_banner()

GRAINS = {"week": "Week", "month": "Month"}
DIMENSIONS = {"customer": "Customer", "country": "Country", "source": "Source", "policy_version": "Policy version"}

as_of = data.today()
try:
    summary = data.query("consent_summary", start=filters.start, end=filters.end, customer=filters.customer).iloc[0]
except StoreError as error:
    show_store_error(error)
    st.stop()
rules = data.rule_settings()

scope = " for this customer" if filters.customer_id else ""
period = f"{filters.start.isoformat()} – {filters.end.isoformat()}"
if int(summary["records"]) == 0:
    empty_state(f"No consent records{scope} between {period}. Once cookie-banner choices are imported, "
                "this page shows the valid opt-in rate per purpose, the records that are not consent, "
                "withdrawals and which subjects must be asked again. Try a wider date range in the sidebar.")
    st.stop()


# --- the range in numbers ---------------------------------------------------------------------
st.caption(f"Consent records given {period} (UTC dates){scope}. Proof of consent per GDPR Art. 7(1): who "
           "(a pseudonymous id), when, which policy version, how, and the choice per purpose.")
tiles = st.columns(5)
for tile, purpose in zip(tiles, CONSENT_PURPOSES, strict=False):
    tile.metric(f"{PURPOSES[purpose]} opt-in rate", fmt_pct(summary[f"{purpose}_rate"]), border=True,
                help=f"{consent_tables.RATE_RULE} {fmt_int(summary['decisions'])} consent decisions in the range.")
tiles[3].metric("Not consent, share", fmt_pct(summary["invalid_share"]), border=True,
                help=f"{consent_tables.INVALID_RULE} {fmt_int(summary['implied_records'])} implied, "
                     f"{fmt_int(summary['pre_ticked_records'])} pre-ticked.")
tiles[4].metric("Withdrawals", fmt_int(summary["withdrawals"]), border=True, help=consent_tables.WITHDRAWAL_RULE)

# --- over time ----------------------------------------------------------------------------------
st.subheader("Valid opt-in rate over time")
grain = st.segmented_control("Per", options=list(GRAINS), format_func=GRAINS.get, default="week", required=True,
                             key="consent_grain", help="Weeks start on Monday; periods use the UTC date of the record.")
grain = grain or "week"
try:
    rates = data.query("consent_rate_over_time", start=filters.start, end=filters.end,
                       customer=filters.customer, grain=grain)
    events = data.query("consent_events_over_time", start=filters.start, end=filters.end,
                        customer=filters.customer, grain=grain)
except StoreError as error:
    show_store_error(error)
    st.stop()

grain_title = GRAINS[grain]
if rates.empty:
    empty_state("The range holds withdrawals only, no consent decisions: there is no rate to show.")
else:
    st.altair_chart(charts.consent_rate_over_time(rates, grain_title), width="stretch")
    st.caption(consent_tables.RATE_RULE)

left, right = st.columns(2)
with left:
    st.markdown("**Records that are not consent**", help=consent_tables.INVALID_RULE)
    st.altair_chart(charts.not_consent_records(events, grain_title), width="stretch")
with right:
    st.markdown("**Share of consent decisions that are not consent**", help=consent_tables.INVALID_RULE)
    st.altair_chart(charts.not_consent_share(events, grain_title), width="stretch")

st.markdown("**Withdrawals**", help=consent_tables.WITHDRAWAL_RULE)
st.altair_chart(charts.withdrawals(events, grain_title), width="stretch")

# --- break down ---------------------------------------------------------------------------------
st.subheader("Break down")
dimension = st.segmented_control("Break down by", options=list(DIMENSIONS), format_func=DIMENSIONS.get,
                                 default="customer", required=True, key="consent_dimension",
                                 help="The valid opt-in rate per purpose for each customer, visitor country, "
                                      "source of the record (banner, settings page, API) or policy version shown.")
dimension = dimension or "customer"
try:
    breakdown = data.query("consent_breakdown", start=filters.start, end=filters.end, customer=filters.customer,
                           dimension=dimension)
except StoreError as error:
    show_store_error(error)
    st.stop()
label = DIMENSIONS[dimension]
st.altair_chart(charts.consent_rate_by_group(breakdown, label), width="stretch")
consent_tables.breakdown_table(breakdown, label)

# --- renewal ------------------------------------------------------------------------------------
st.subheader("Due to be asked again")
try:
    renewal = data.query("consent_renewal_due", as_of=as_of, customer=filters.customer,
                         renewal_months=rules.consent_renewal_months,
                         refusal_quiet_months=rules.refusal_quiet_months)
except StoreError as error:
    show_store_error(error)
    st.stop()
st.caption(f"As of {as_of.isoformat()}, over every record up to today (the date range does not apply here).")
try:
    policies = data.query("customers_consent_policy")
except StoreError as error:
    show_store_error(error)
    st.stop()
if filters.customer_id:
    policies = policies[policies["customer_id"] == filters.customer_id]
consent_tables.unconfirmed_policies_warning(policies, user, filters)
if renewal.empty:
    empty_state(f"No consent records{scope} up to today.")
else:
    consent_tables.renewal_figures(renewal, rules)

# --- the last policy change ----------------------------------------------------------------------
st.subheader("Before and after the last policy change")
weeks = int(st.columns([1, 3])[0].number_input(
    "Weeks on each side", min_value=1, max_value=26, value=8, step=1, key="consent_change_weeks",
    help="Compare this many weeks before the day the customer's current policy took effect (set on the Customers "
         "page) with as many weeks from that day (up to today)."))
try:
    change = data.query("consent_policy_change_summary", as_of=as_of, customer=filters.customer, weeks=weeks)
    around = data.query("consent_policy_change_weekly", as_of=as_of, customer=filters.customer, weeks=weeks)
except StoreError as error:
    show_store_error(error)
    st.stop()
if change.empty:
    empty_state(f"No policy change to compare{scope}: no current policy has taken effect after records of an "
                "earlier version. An admin sets each customer's current policy on the Customers page.")
else:
    consent_tables.policy_change_caption(change)
    st.altair_chart(charts.consent_rate_around_policy_change(around), width="stretch")
    consent_tables.policy_change_table(change)

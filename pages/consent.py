"""Consent: how many visitors give a valid opt-in per purpose (functional, analytics, marketing) and how that
moves over time and across customers, countries, sources and policy versions; the records that are not
consent at all (implied by use, pre-ticked boxes) kept apart; withdrawals; which subjects the banner must ask
again; and what the last policy change did to the opt-in rates. Every definition is rules.md section 3.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from privacyops import charts
from privacyops.rules.consent import CONSENT_PURPOSES, PURPOSES
from privacyops.store import StoreError
from ui import data
from ui.auth import require_page
from ui.filters import explain_link, filter_bar
from ui.format import demo_banner, empty_state, fmt_int, fmt_pct, md_escape, show_store_error

user = require_page("pages/consent.py")
filters = filter_bar()
st.title("✅ Consent")
demo_banner()

RATE_RULE = ("Valid opt-in rate = valid opt-ins / consent decisions (rules.md 3). A consent decision is every "
             "record except a withdrawal. Only a clear affirmative act counts as an opt-in: accept all, or a "
             "custom choice with the purpose switched on. Implied-by-use and pre-ticked records stay in the "
             "denominator and are never opt-ins (CJEU Planet49 C-673/17; EDPB Guidelines 05/2020 para 86).")
INVALID_RULE = ("Records that are not consent (rules.md 3): 'implied by use' (scrolling or continued browsing, "
                "EDPB 05/2020 para 86) and pre-ticked boxes (CJEU Planet49 C-673/17). They are counted apart and "
                "never as opt-ins; share = these records / consent decisions.")
WITHDRAWAL_RULE = ("A withdrawal (GDPR Art. 7(3), rules.md 3) takes effect at once and must be as easy as giving "
                   "consent. It is an event on an earlier consent, not a consent decision.")
GRAINS = {"week": "Week", "month": "Month"}
DIMENSIONS = {"customer": "Customer", "country": "Country", "source": "Source", "policy_version": "Policy version"}
PERCENT = "%.1f %%"

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


def purpose_label(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(purpose=frame["purpose"].map(PURPOSES).fillna(frame["purpose"]))


def as_points(frame: pd.DataFrame, *shares: str) -> pd.DataFrame:
    """Shares (0-1) as percentages for a table, shown with one decimal (PERCENT)."""
    return frame.assign(**{column: frame[column] * 100 for column in shares})


# --- the range in numbers ---------------------------------------------------------------------
st.caption(f"Consent records given {period} (UTC dates){scope}. Proof of consent per GDPR Art. 7(1): who "
           "(a pseudonymous id), when, which policy version, how, and the choice per purpose.")
tiles = st.columns(5)
for tile, purpose in zip(tiles, CONSENT_PURPOSES, strict=False):
    tile.metric(f"{PURPOSES[purpose]} opt-in rate", fmt_pct(summary[f"{purpose}_rate"]), border=True,
                help=f"{RATE_RULE} {fmt_int(summary['decisions'])} consent decisions in the range.")
tiles[3].metric("Not consent, share", fmt_pct(summary["invalid_share"]), border=True,
                help=f"{INVALID_RULE} {fmt_int(summary['implied_records'])} implied, "
                     f"{fmt_int(summary['pre_ticked_records'])} pre-ticked.")
tiles[4].metric("Withdrawals", fmt_int(summary["withdrawals"]), border=True, help=WITHDRAWAL_RULE)

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
    st.caption(RATE_RULE)

left, right = st.columns(2)
with left:
    st.markdown("**Records that are not consent**", help=INVALID_RULE)
    st.altair_chart(charts.not_consent_records(events, grain_title), width="stretch")
with right:
    st.markdown("**Share of consent decisions that are not consent**", help=INVALID_RULE)
    st.altair_chart(charts.not_consent_share(events, grain_title), width="stretch")

st.markdown("**Withdrawals**", help=WITHDRAWAL_RULE)
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
st.dataframe(
    as_points(breakdown, "functional_rate", "analytics_rate", "marketing_rate", "invalid_share"),
    hide_index=True, width="stretch",
    column_order=["group_label", "decisions", "functional_rate", "analytics_rate", "marketing_rate",
                  "invalid_records", "invalid_share", "withdrawals", "first_seen_on"],
    column_config={
        "group_label": st.column_config.TextColumn(label),
        "decisions": st.column_config.NumberColumn("Consent decisions", format="localized",
                                                   help="Every record but a withdrawal (rules.md 3)."),
        "functional_rate": st.column_config.NumberColumn("Functional", format=PERCENT, help=RATE_RULE),
        "analytics_rate": st.column_config.NumberColumn("Analytics", format=PERCENT, help=RATE_RULE),
        "marketing_rate": st.column_config.NumberColumn("Marketing", format=PERCENT, help=RATE_RULE),
        "invalid_records": st.column_config.NumberColumn("Not consent", format="localized", help=INVALID_RULE),
        "invalid_share": st.column_config.NumberColumn("Not consent, share", format=PERCENT, help=INVALID_RULE),
        "withdrawals": st.column_config.NumberColumn("Withdrawals", format="localized", help=WITHDRAWAL_RULE),
        "first_seen_on": st.column_config.DateColumn("First seen in range", format="YYYY-MM-DD"),
        "valid_choices": None,
    },
)

# --- renewal ------------------------------------------------------------------------------------
st.subheader("Due to be asked again")
RENEWAL_RULE = (f"Each subject's latest record decides (rules.md 3; settings consent_renewal_months = "
                f"{rules.consent_renewal_months}, refusal_quiet_months = {rules.refusal_quiet_months}): a choice "
                "recorded under another policy version than the customer's current one (set explicitly on the "
                "Customers page, in force from the day it took effect) is always asked again; an "
                "implied or pre-ticked record is no consent, so ask now; a valid consent (accept all, custom) is "
                f"renewed after {rules.consent_renewal_months} months; a refusal (reject all, withdrawal) may be "
                f"asked again after {rules.refusal_quiet_months} months, not before.")
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
unconfirmed = policies[~policies["consent_policy_confirmed"].astype(bool)]
if not unconfirmed.empty:
    listed = ", ".join(f"{md_escape(n)} ({md_escape(c)})"
                       for n, c in zip(unconfirmed["name"], unconfirmed["customer_id"], strict=True))
    st.warning(f"**Current policy not confirmed** for {listed}. It was guessed from the consent records (the "
               "version whose first record came last) when the store moved to explicit policies, and may be wrong: "
               "an admin confirms it, or enters the right version and date, on the Customers page (rules.md 3: set "
               "explicitly, never guessed).", icon="⚠️")
    explain_link(user, filters, "pages/customers.py", "Confirm the policies on the Customers page")
if renewal.empty:
    empty_state(f"No consent records{scope} up to today.")
else:
    totals = renewal[["subjects", "due_total", "policy_changed", "no_valid_consent", "consent_expired",
                      "refusal_quiet_over"]].sum()
    tiles = st.columns(5)
    tiles[0].metric("Subjects to ask again", fmt_int(totals["due_total"]), border=True,
                    help=f"{RENEWAL_RULE} Out of {fmt_int(totals['subjects'])} subjects.")
    tiles[1].metric("Policy changed", fmt_int(totals["policy_changed"]), border=True,
                    help="Latest choice recorded under an older policy version than the customer's current one: "
                         "always ask again when the policy or its purposes change (rules.md 3).")
    tiles[2].metric(f"Consent > {rules.consent_renewal_months} months",
                    fmt_int(totals["consent_expired"]), border=True,
                    help="Accept all or a custom choice older than the setting consent_renewal_months "
                         "(default 12, inside CNIL's 13-month cap; rules.md 3).")
    tiles[3].metric(f"Refusals > {rules.refusal_quiet_months} months", fmt_int(totals["refusal_quiet_over"]),
                    border=True, help="Reject all or a withdrawal older than the setting refusal_quiet_months "
                                      "(default 6): the banner may ask again (rules.md 3).")
    tiles[4].metric("No valid consent", fmt_int(totals["no_valid_consent"]), border=True,
                    help="Latest record implied by use or pre-ticked: that is no consent, so ask now (rules.md 3).")
    without = renewal[renewal["current_policy_version"].isna()]
    if not without.empty:
        st.info("No consent policy in force for "
                + ", ".join(f"{md_escape(n)} ({md_escape(c)})"
                            for n, c in zip(without["customer_name"], without["customer_id"], strict=True))
                + ": their subjects are asked again by age only, never for a policy change. An admin sets the "
                  "policy on the Customers page when one takes effect.", icon="ℹ️")
    renewal = renewal.assign(policy_state=[
        "no policy (by age only)" if pd.isna(v) else ("confirmed" if c else "not confirmed")
        for v, c in zip(renewal["current_policy_version"], renewal["policy_confirmed"], strict=True)])
    st.dataframe(
        renewal, hide_index=True, width="stretch",
        column_order=["customer_name", "customer_id", "current_policy_version", "current_policy_since",
                      "policy_state", "subjects",
                      "due_total", "policy_changed", "consent_expired", "refusal_quiet_over", "no_valid_consent",
                      "not_due"],
        column_config={
            "customer_name": st.column_config.TextColumn("Customer"),
            "customer_id": st.column_config.TextColumn("Id"),
            "current_policy_version": st.column_config.TextColumn(
                "Current policy", help="The customer's current policy version, set explicitly on the Customers "
                                       "page (rules.md 3). Empty: no policy in force, renewals by age only."),
            "current_policy_since": st.column_config.DateColumn("Took effect", format="YYYY-MM-DD"),
            "policy_state": st.column_config.TextColumn(
                "Policy", help="Not confirmed: guessed from the consent records when the store moved to explicit "
                               "policies; an admin confirms it on the Customers page."),
            "policy_confirmed": None,
            "subjects": st.column_config.NumberColumn("Subjects", format="localized"),
            "due_total": st.column_config.NumberColumn("Ask again", format="localized", help=RENEWAL_RULE),
            "policy_changed": st.column_config.NumberColumn("Policy changed", format="localized"),
            "consent_expired": st.column_config.NumberColumn(f"Consent > {rules.consent_renewal_months} mo",
                                                             format="localized"),
            "refusal_quiet_over": st.column_config.NumberColumn(f"Refusal > {rules.refusal_quiet_months} mo",
                                                                format="localized"),
            "no_valid_consent": st.column_config.NumberColumn("No valid consent", format="localized"),
            "not_due": st.column_config.NumberColumn("Not due", format="localized"),
        },
    )

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
    first = change.iloc[0]
    changed_on = pd.Timestamp(first["changed_on"]).date()
    last_changed_on = pd.Timestamp(first["last_changed_on"]).date()
    if int(first["customers"]) == 1:
        which = (f"Policy {md_escape(first['policy_version'])} took effect on {changed_on.isoformat()} "
                 f"(previous: {md_escape(first['previous_version'])}). Before: "
                 f"{pd.Timestamp(first['before_from']).date().isoformat()} – "
                 f"{(changed_on - timedelta(days=1)).isoformat()}; after: {changed_on.isoformat()} – "
                 f"{pd.Timestamp(first['after_to']).date().isoformat()}.")
    else:
        which = (f"{int(first['customers'])} customers, each around the day its own current policy took effect "
                 f"({changed_on.isoformat()} – {last_changed_on.isoformat()}; policies "
                 f"{md_escape(first['policy_version'])}, previous "
                 f"{md_escape(first['previous_version'])}).")
    st.caption(f"{which} The date range does not apply here. Weeks are counted from the day the policy took effect "
               "(week 0 starts on it).")
    if int(first["decisions_after"]) == 0:
        st.info("No answers under the new policy yet: every subject who answered before it is due to be asked "
                "again (see above).", icon="ℹ️")
    st.altair_chart(charts.consent_rate_around_policy_change(around), width="stretch")
    table = purpose_label(change)
    st.dataframe(
        as_points(table, "rate_before", "rate_after"), hide_index=True, width="stretch",
        column_order=["purpose", "rate_before", "rate_after", "difference_points", "decisions_before",
                      "decisions_after"],
        column_config={
            "purpose": st.column_config.TextColumn("Purpose"),
            "rate_before": st.column_config.NumberColumn("Before", format=PERCENT, help=RATE_RULE),
            "rate_after": st.column_config.NumberColumn("After", format=PERCENT, help=RATE_RULE),
            "difference_points": st.column_config.NumberColumn(
                "Difference (points)", format="%+.1f", help="After minus before, in percentage points."),
            "decisions_before": st.column_config.NumberColumn("Decisions before", format="localized"),
            "decisions_after": st.column_config.NumberColumn("Decisions after", format="localized"),
        },
    )

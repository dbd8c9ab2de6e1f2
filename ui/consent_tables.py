"""The Consent page's rules in words and its tables: the break-down by customer, country, source or policy
version, who is due to be asked again (with the policies not yet confirmed), and the rates before and after
the last policy change. Every definition is rules.md section 3."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from privacyops.rules.consent import PURPOSES
from privacyops.rules.settings import RuleSettings
from ui.auth import User
from ui.filters import Filters, explain_link
from ui.format import fmt_int, md_escape

RATE_RULE = ("Valid opt-in rate = valid opt-ins / consent decisions (rules.md 3). A consent decision is every "
             "record except a withdrawal. Only a clear affirmative act counts as an opt-in: accept all, or a "
             "custom choice with the purpose switched on. Implied-by-use and pre-ticked records stay in the "
             "denominator and are never opt-ins (CJEU Planet49 C-673/17; EDPB Guidelines 05/2020 para 86).")
INVALID_RULE = ("Records that are not consent (rules.md 3): 'implied by use' (scrolling or continued browsing, "
                "EDPB 05/2020 para 86) and pre-ticked boxes (CJEU Planet49 C-673/17). They are counted apart and "
                "never as opt-ins; share = these records / consent decisions.")
WITHDRAWAL_RULE = ("A withdrawal (GDPR Art. 7(3), rules.md 3) takes effect at once and must be as easy as giving "
                   "consent. It is an event on an earlier consent, not a consent decision.")
PERCENT = "%.1f %%"


def renewal_rule(rules: RuleSettings) -> str:
    """When a subject is asked again, with the DPO's settings."""
    return (f"Each subject's latest record decides (rules.md 3; settings consent_renewal_months = "
            f"{rules.consent_renewal_months}, refusal_quiet_months = {rules.refusal_quiet_months}): a choice "
            "recorded under another policy version than the customer's current one (set explicitly on the "
            "Customers page, in force from the day it took effect) is always asked again; an "
            "implied or pre-ticked record is no consent, so ask now; a valid consent (accept all, custom) is "
            f"renewed after {rules.consent_renewal_months} months; a refusal (reject all, withdrawal) may be "
            f"asked again after {rules.refusal_quiet_months} months, not before.")


def purpose_label(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(purpose=frame["purpose"].map(PURPOSES).fillna(frame["purpose"]))


def as_points(frame: pd.DataFrame, *shares: str) -> pd.DataFrame:
    """Shares (0-1) as percentages for a table, shown with one decimal (PERCENT)."""
    return frame.assign(**{column: frame[column] * 100 for column in shares})


def breakdown_table(breakdown: pd.DataFrame, label: str) -> None:
    """The rates per group, as a table (the chart above shows the same)."""
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


def unconfirmed_policies_warning(policies: pd.DataFrame, user: User, filters: Filters) -> None:
    """The customers whose current policy was guessed, not confirmed (rules.md 3: set explicitly)."""
    unconfirmed = policies[~policies["consent_policy_confirmed"].astype(bool)]
    if not unconfirmed.empty:
        listed = ", ".join(f"{md_escape(n)} ({md_escape(c)})"
                           for n, c in zip(unconfirmed["name"], unconfirmed["customer_id"], strict=True))
        st.warning(f"**Current policy not confirmed** for {listed}. It was guessed from the consent records (the "
                   "version whose first record came last) when the store moved to explicit policies, and may be wrong: "
                   "an admin confirms it, or enters the right version and date, on the Customers page (rules.md 3: set "
                   "explicitly, never guessed).", icon="⚠️")
        explain_link(user, filters, "pages/customers.py", "Confirm the policies on the Customers page")


def renewal_figures(renewal: pd.DataFrame, rules: RuleSettings) -> None:
    """Subjects to ask again, by reason, in tiles and per customer."""
    rule = renewal_rule(rules)
    totals = renewal[["subjects", "due_total", "policy_changed", "no_valid_consent", "consent_expired",
                      "refusal_quiet_over"]].sum()
    tiles = st.columns(5)
    tiles[0].metric("Subjects to ask again", fmt_int(totals["due_total"]), border=True,
                    help=f"{rule} Out of {fmt_int(totals['subjects'])} subjects.")
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
            "due_total": st.column_config.NumberColumn("Ask again", format="localized", help=rule),
            "policy_changed": st.column_config.NumberColumn("Policy changed", format="localized"),
            "consent_expired": st.column_config.NumberColumn(f"Consent > {rules.consent_renewal_months} mo",
                                                             format="localized"),
            "refusal_quiet_over": st.column_config.NumberColumn(f"Refusal > {rules.refusal_quiet_months} mo",
                                                                format="localized"),
            "no_valid_consent": st.column_config.NumberColumn("No valid consent", format="localized"),
            "not_due": st.column_config.NumberColumn("Not due", format="localized"),
        },
    )



def policy_change_caption(change: pd.DataFrame) -> None:
    """Which policy change is compared (one customer's, or several customers' each around its own)."""
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


def policy_change_table(change: pd.DataFrame) -> None:
    """The rate per purpose before and after the change, and the difference in points."""
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

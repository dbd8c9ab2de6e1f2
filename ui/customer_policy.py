"""The Customers page's consent policy (rules.md 3): every customer's current policy and whether it is
confirmed, and the form that sets (and so confirms) the picked customer's policy. Keys: cpol_{customer}_*."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from privacyops.cases import customers
from privacyops.store import StoreError
from ui import auth, data
from ui.customer_terms import field_label, show_error
from ui.format import md_escape

POLICY_RULE = ("The current consent policy of each customer, and the day it took effect, is set explicitly, never "
               "guessed from the data (rules.md 3). Every choice recorded under another version is asked again; "
               "without a policy the banner asks again by age only.")


def _record_policy(customer_id: str, change: Callable[[], list[str]]) -> None:
    """Run a policy change and keep its outcome for the next run: saved (the changed fields), the field errors,
    or the store's error."""
    state = st.session_state
    state.pop("cpol_result", None)
    try:
        changed = change()
    except customers.CustomerInputError as error:
        state["cpol_result"] = (customer_id, "errors", error.errors)
        return
    except StoreError as error:
        state["cpol_result"] = (customer_id, "store_error", (error.title, str(error)))
        return
    data.after_write()
    state["cpol_result"] = (customer_id, "saved", changed)


def _save_policy(customer_id: str) -> None:
    """The consent policy form's callback: set (and so confirm) the customer's current policy."""
    state = st.session_state
    _record_policy(customer_id, lambda: customers.set_consent_policy(
        data.store(), customer_id, state.get(f"cpol_{customer_id}_version"),
        state.get(f"cpol_{customer_id}_effective_on"), actor=auth.current_user().email, today=data.today()))


def _confirm_no_policy(customer_id: str) -> None:
    """The 'no policy yet' button's callback: confirm that the customer has none."""
    def confirm() -> list[str]:
        changed = customers.confirm_no_consent_policy(data.store(), customer_id, actor=auth.current_user().email)
        return ["consent_policy_confirmed"] if changed else []
    _record_policy(customer_id, confirm)


def _policy_state(version: object, confirmed: object) -> str:
    if not bool(confirmed):
        return "⚠️ Not confirmed (guessed)"
    return "✅ Confirmed" if isinstance(version, str) else "✅ No policy yet: renewals by age only"


def policies_table(policies: pd.DataFrame) -> None:
    """Every customer's current policy, and a warning for the ones not confirmed."""
    st.subheader("Consent policy per customer", help=POLICY_RULE)
    not_confirmed = policies[~policies["consent_policy_confirmed"].astype(bool)]
    if not not_confirmed.empty:
        st.warning(f"**{len(not_confirmed)} {'policy is' if len(not_confirmed) == 1 else 'policies are'} not "
                   "confirmed.** When the store moved to explicit policies, they were guessed from the consent "
                   "records (the version whose first record came last). Check each with the customer, then confirm "
                   "it or enter the right one below (pick the customer).", icon="⚠️")

    st.dataframe(
        pd.DataFrame({
            "customer": policies["name"], "customer_id": policies["customer_id"],
            "version": policies["consent_policy_version"], "effective_on": policies["consent_policy_effective_on"],
            "state": [_policy_state(v, c) for v, c in zip(policies["consent_policy_version"],
                                                          policies["consent_policy_confirmed"], strict=True)],
        }),
        hide_index=True, width="stretch", height=min(38 + 35 * len(policies), 400),
        column_config={
            "customer": st.column_config.TextColumn("Customer", pinned=True),
            "customer_id": st.column_config.TextColumn("Id"),
            "version": st.column_config.TextColumn("Current policy", help=POLICY_RULE),
            "effective_on": st.column_config.DateColumn("Took effect", format="YYYY-MM-DD"),
            "state": st.column_config.TextColumn("State"),
        })


def policy_section(pick: str, existing: bool) -> None:
    """The picked customer's policy and the form to set or confirm it."""
    st.subheader("Consent policy", help=POLICY_RULE)
    if not existing:
        st.caption("Add the customer first, then set its current consent policy here. Until then it has none: its "
                   "banner asks again by age only.")
        return
    found_policy = data.query("customer_consent_policy", customer_id=pick)
    policy_row = found_policy.iloc[0].to_dict() if not found_policy.empty else {}
    version = policy_row.get("consent_policy_version")
    has_policy = isinstance(version, str)
    confirmed = bool(policy_row.get("consent_policy_confirmed", True))
    effective = pd.Timestamp(policy_row["consent_policy_effective_on"]).date() if has_policy else None
    result = st.session_state.get("cpol_result")
    policy_errors: dict[str, str] = {}
    if result and result[0] == pick:
        kind, detail = result[1], result[2]
        if kind == "saved" and detail:
            st.success("Saved and confirmed. Changed: " + ", ".join(field_label(f) for f in detail)
                       + ". The change log below records the old and new values.", icon="✅")
        elif kind == "saved":
            st.info("Nothing changed: the form had the stored, confirmed values.", icon="ℹ️")
        elif kind == "store_error":
            st.error(f"{detail[0]}. Nothing was saved.", icon="🛑")
            st.text(detail[1])
        else:
            policy_errors = detail
            st.error(f"Not saved: {len(detail)} {'field needs' if len(detail) == 1 else 'fields need'} attention "
                     "(see below). Nothing was written.", icon="🛑")
    if has_policy and confirmed:
        st.markdown(f"✅ **Confirmed**: policy **{md_escape(version)}**, in force since "
                    f"{effective.isoformat() if effective else '–'}.")
    elif has_policy:
        st.warning(f"**Not confirmed**: policy **{md_escape(version)}** in force since "
                   f"{effective.isoformat() if effective else '–'} was guessed from the consent records when the "
                   "store was updated. Confirm it if it is right, or set the right version and date.", icon="⚠️")
    elif confirmed:
        st.info("This customer has **no consent policy yet**: its banner asks again by age only (rules.md 3). Set "
                "one when its policy takes effect.", icon="ℹ️")
    else:
        st.warning("**Not confirmed**: no consent records were found for this customer when the store was "
                   "updated, so it has no policy (renewals by age only). Confirm that, or set its policy.",
                   icon="⚠️")
        st.button("Confirm: no policy yet", key=f"cpol_{pick}_confirm_none", on_click=_confirm_no_policy,
                  args=(pick,))
    with st.form(f"consent_policy_form_{pick}", clear_on_submit=False, border=True):
        cols = st.columns([2, 1])
        with cols[0]:
            st.text_input("Current policy version", value=version if has_policy else "", max_chars=64,
                          key=f"cpol_{pick}_version", placeholder="e.g. 2025-09",
                          help="As the banner records it in each consent record (policy_version).")
            show_error(policy_errors, "consent_policy_version")
        with cols[1]:
            st.date_input("Took effect on", value=effective or data.today(), max_value=data.today(),
                          key=f"cpol_{pick}_effective_on", format="YYYY-MM-DD",
                          help="The day the customer's banner started showing this version. Every choice recorded "
                               "under another version is asked again from then on.")
            show_error(policy_errors, "consent_policy_effective_on")
        label = "Confirm policy" if has_policy and not confirmed else "Save policy"
        st.form_submit_button(label, type="primary", on_click=_save_policy, args=(pick,))

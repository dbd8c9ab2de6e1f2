"""The Customers page's customer form: the customer's details, its DPA forwarding term and a retention term
per data category (rules.md 2 and 4); the table of every customer's terms with the warnings for forwarding
terms that can end after the statutory due date; the messages after a save. Widget keys: cust_{suffix}_{field}.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from privacyops.cases import customers
from privacyops.rules import customer_terms as terms_rules
from privacyops.rules import forwarding
from privacyops.rules.retention import DATA_CATEGORIES, END_ACTIONS
from privacyops.store import StoreError
from ui import auth, data
from ui.format import empty_state, fmt_int, md_escape

NEW = ""  # the picker's value for "add a new customer"
NEW_FORM = "_new"  # the new-customer form's key suffix (a customer id cannot start with _)
DEFAULT_FORWARD_DAYS = 5
DEFAULT_RETENTION_DAYS = 365
DEFAULT_END_ACTION = "delete"
FIELD_LABELS = {"customer_id": "Customer id", "name": "Name", "org_number": "Organisation number",
                "forward_working_days": "Forwarding term (working days)"}
TERM_LABELS = {"retention_days": "retention days", "end_action": "end action"}
# The consent policy (rules.md 3) has its own section below; its fields in the change log.
FIELD_LABELS |= {"consent_policy_version": "Consent policy version",
                 "consent_policy_effective_on": "Consent policy took effect on",
                 "consent_policy_confirmed": "Consent policy confirmed"}
FIELD_LABELS.update(terms_rules.DISPOSAL_DATE_FIELDS)  # the deletion instruction and contract end (last section)


def _key(suffix: str, field: str) -> str:
    return f"cust_{suffix}_{field}"


def field_label(field: str) -> str:
    """'email.retention_days' -> 'Email address: retention days'."""
    if "." in field:
        category, term = field.split(".", 1)
        return f"{DATA_CATEGORIES.get(category, category)}: {TERM_LABELS.get(term, term)}"
    return FIELD_LABELS.get(field, field)


def save(suffix: str, existing: bool) -> None:
    """The form's submit callback: validate and save through privacyops.cases.customers, keep what was typed on
    an error (the form is not cleared), reset the new-customer form after a save."""
    state = st.session_state

    def value(field: str) -> Any:
        return state.get(_key(suffix, field))

    customer_id = str(value("customer_id") or "").strip()
    customer = terms_rules.Customer(
        customer_id=customer_id,
        name=str(value("name") or ""),
        org_number=str(value("org_number") or ""),
        forward_working_days=int(value("forward_working_days") or 0),
        terms={category: terms_rules.RetentionTerm(int(value(f"{category}.retention_days") or 0),
                                                 str(value(f"{category}.end_action") or ""))
               for category in DATA_CATEGORIES},
    )
    state["cust_errors"] = {}
    state.pop("cust_store_error", None)
    state.pop("cust_saved", None)
    try:
        changed = customers.save(data.store(), customer, actor=auth.current_user().email,
                                 create_only=not existing)
    except customers.CustomerInputError as error:
        state["cust_errors"] = {suffix: error.errors}
        return
    except StoreError as error:
        state["cust_store_error"] = (error.title, str(error))
        return
    data.after_write()
    state["cust_saved"] = (customer_id, existing, changed)
    if not existing:
        for key in [k for k in state if str(k).startswith(_key(NEW_FORM, ""))]:
            del state[key]
        state["cust_pick"] = customer_id


def forwarding_warning(name: str, customer_id: str, days: int) -> str | None:
    """The warning for a forwarding term that can end after the statutory due date (rules.md 2), or None."""
    rules = data.rule_settings()
    worst = forwarding.forwarding_term_can_pass_due_date(days, data.today(),
                                                        eves_are_holidays=rules.eves_are_holidays)
    if worst is None:
        return None
    return (f"**{md_escape(name)}** ({md_escape(customer_id)}): forwarding within {days} working days "
            f"can end after the statutory due date. A request received on {worst.received_on.isoformat()} is due "
            f"{worst.due_on.isoformat()}, only {worst.working_days} working days later: the controller's month "
            "counts from Expandra's receipt and cannot be extended because a processor is involved (rules.md 2). "
            f"Agree a term of at most {worst.working_days} working days.")


def show_error(errors: dict[str, str], field: str) -> None:
    """The error of one field, right under it (the messages are privacyops' own text)."""
    if field in errors:
        st.error(errors[field])


def terms_table(overview: pd.DataFrame) -> None:
    """Every customer with its forwarding term and retention terms, then the forwarding warnings."""
    st.subheader("Customers and their DPA terms")
    if overview.empty:
        empty_state("No customers yet. Add the first one with the form below: its forwarding term and a "
                    "retention term for each data category.")
        return
    table = pd.DataFrame({
        "customer": overview["name"],
        "customer_id": overview["customer_id"],
        "org_number": overview["org_number"],
        "forward_working_days": overview["forward_working_days"],
    })
    for category in DATA_CATEGORIES:
        days, action = overview[f"{category}_days"], overview[f"{category}_action"]
        table[category] = [
            "no term" if pd.isna(d) else f"{fmt_int(d)} days, {END_ACTIONS.get(a, a).lower()}"
            for d, a in zip(days, action, strict=True)]
    table["last_changed_at"] = overview["last_changed_at"]
    column_config: dict[str, Any] = {
        "customer": st.column_config.TextColumn("Customer", pinned=True),
        "customer_id": st.column_config.TextColumn("Id"),
        "org_number": st.column_config.TextColumn("Org. number"),
        "forward_working_days": st.column_config.NumberColumn(
            "Forward within (working days)", format="%d",
            help="The DPA's forwarding term: Expandra forwards a data-subject request to the customer within this "
                 "many working days of receipt (rules.md 2; EDPB 07/2020 para 129)."),
        "last_changed_at": st.column_config.DatetimeColumn("Terms last changed (UTC)", format="YYYY-MM-DD HH:mm"),
    }
    for category, label in DATA_CATEGORIES.items():
        column_config[category] = st.column_config.TextColumn(
            label, help=f"How long {label.lower()} records are kept after their last use, and whether they are "
                        "then deleted or anonymised (rules.md 4).")
    st.dataframe(table, hide_index=True, width="stretch", column_config=column_config,
                 height=min(38 + 35 * len(table), 600))
    forwarding_warnings = [w for w in (forwarding_warning(n, c, int(d)) for n, c, d in zip(
        overview["name"], overview["customer_id"], overview["forward_working_days"], strict=True)) if w]
    if forwarding_warnings:
        st.warning("**Forwarding terms that can end after the statutory due date** (rules.md 2)\n\n"
                   + "\n\n".join(f"- {w}" for w in forwarding_warnings), icon="⚠️")


def saved_messages(overview: pd.DataFrame, suffix: str) -> dict[str, str]:
    """What the last save did (or why it did not); returns the field errors of this form."""
    saved = st.session_state.pop("cust_saved", None)
    if saved:
        saved_id, was_existing, changed = saved
        # The id is typed text: shown with st.text, never as Markdown.
        if changed and not was_existing:
            st.success("Added the customer with its forwarding term and retention terms. The change log below "
                       "records every value.", icon="✅")
        elif changed:
            st.success("Saved. Changed: " + ", ".join(field_label(f) for f in changed)
                       + ". The change log below records the old and new values.", icon="✅")
        else:
            st.info("Nothing changed: the form had the stored values.", icon="ℹ️")
        st.text(f"Customer id: {saved_id}")
        saved_row = overview[overview["customer_id"] == saved_id]
        if not saved_row.empty:
            warning = forwarding_warning(str(saved_row["name"].iloc[0]), saved_id,
                                         int(saved_row["forward_working_days"].iloc[0]))
            if warning:
                st.warning(warning, icon="⚠️")
    store_error = st.session_state.pop("cust_store_error", None)
    if store_error:
        title, message = store_error
        st.error(f"{title}. Nothing was saved.", icon="🛑")
        st.text(message)  # may quote typed values: plain text
    errors: dict[str, str] = st.session_state.get("cust_errors", {}).get(suffix, {})
    if errors:
        st.error(f"Not saved: {len(errors)} {'field needs' if len(errors) == 1 else 'fields need'} attention "
                 "(see below). Nothing was written.", icon="🛑")
    return errors


def terms_form(pick: str, existing: bool, suffix: str, errors: dict[str, str]) -> None:
    """The customer's details and terms; submitting calls save() (the form is not cleared on an error)."""
    current: dict[str, Any] = {}
    terms: dict[str, tuple[int, str]] = {}
    if existing:
        row = data.query("customer", customer_id=pick)
        if not row.empty:
            current = row.iloc[0].to_dict()
        for t in data.query("customer_terms", customer_id=pick).itertuples(index=False):
            terms[t.data_category] = (int(t.retention_days), str(t.end_action))

    with st.form(f"customer_form_{suffix}", clear_on_submit=False, border=True):
        top = st.columns([1, 2, 1.2, 1.2])
        with top[0]:
            st.text_input("Customer id", value=pick if existing else "", key=_key(suffix, "customer_id"),
                          disabled=existing, max_chars=32, placeholder="e.g. C13",
                          help="1-32 letters, digits, - or _. Fixed once the customer is added.")
            show_error(errors, "customer_id")
        with top[1]:
            st.text_input("Name", value=str(current.get("name", "")), key=_key(suffix, "name"),
                          placeholder="e.g. Exempel AB")
            show_error(errors, "name")
        with top[2]:
            st.text_input("Organisation number", value=str(current.get("org_number", "")),
                          key=_key(suffix, "org_number"), placeholder="NNNNNN-NNNN",
                          help="Swedish format, NNNNNN-NNNN.")
            show_error(errors, "org_number")
        with top[3]:
            st.number_input("Forward within (working days)", min_value=0, max_value=30, step=1,
                            value=int(current.get("forward_working_days", DEFAULT_FORWARD_DAYS)),
                            key=_key(suffix, "forward_working_days"),
                            help="The DPA's forwarding term (rules.md 2): applies to requests logged from now on.")
            show_error(errors, "forward_working_days")

        st.markdown("**Retention per data category** (rules.md 4: kept as long as needed after the last use, then "
                    "deleted or anonymised)")
        show_error(errors, "terms")
        heads = st.columns([1.2, 1, 1])
        heads[0].caption("Data category")
        heads[1].caption("Kept after the last use (days)")
        heads[2].caption("At the end")
        for category, label in DATA_CATEGORIES.items():
            days, action = terms.get(category, (DEFAULT_RETENTION_DAYS, DEFAULT_END_ACTION))
            cols = st.columns([1.2, 1, 1])
            cols[0].markdown(f"{label}")
            cols[1].number_input(f"{label}: retention (days)", min_value=1, max_value=36500, step=1, value=days,
                                 key=_key(suffix, f"{category}.retention_days"), label_visibility="collapsed",
                                 help=f"Days {label.lower()} records are kept after their last use.")
            actions = list(END_ACTIONS)
            cols[2].selectbox(f"{label}: at the end", options=actions, index=actions.index(action)
                              if action in actions else 0, format_func=END_ACTIONS.get,
                              key=_key(suffix, f"{category}.end_action"), label_visibility="collapsed")
            if f"terms.{category}" in errors:
                with cols[0]:
                    show_error(errors, f"terms.{category}")

        st.form_submit_button("Save changes" if existing else "Add customer", type="primary",
                              on_click=save, args=(suffix, existing))

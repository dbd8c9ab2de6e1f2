"""Customers (admin): the controllers Expandra serves and the terms of each one's data processing agreement
(DPA): how many working days Expandra has to forward a data-subject request (rules.md 2), and how long each
data category is kept and what happens at the end (rules.md 4). Add a customer, change its terms, and
see every change: who, when, which field, old and new value.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from privacyops.cases import customers
from privacyops.rules.retention import DATA_CATEGORIES, END_ACTIONS
from privacyops.store import StoreError
from ui import auth, data
from ui.auth import require_page
from ui.format import demo_banner, empty_state, fmt_int, md_escape, show_store_error

user = require_page("pages/customers.py")
st.title("🏢 Customers")
demo_banner()

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
FIELD_LABELS.update(customers.DISPOSAL_DATE_FIELDS)  # the deletion instruction and contract end (last section)

st.info(
    "New terms apply from the moment they are saved. The **forwarding term** applies to requests logged from "
    "then on (requests already logged keep the forwarding deadline they were given). A changed **retention "
    "term** applies from the day it is saved (rules.md 4, Art. 28(3)(a)): under a shorter term a record is "
    "due on the later of its last use + the new term and that day, so records enter the backlog today at the "
    "earliest, never in the weeks before.",
    icon="🕒",
)


def _key(suffix: str, field: str) -> str:
    return f"cust_{suffix}_{field}"


def _field_label(field: str) -> str:
    """'email.retention_days' -> 'Email address: retention days'."""
    if "." in field:
        category, term = field.split(".", 1)
        return f"{DATA_CATEGORIES.get(category, category)}: {TERM_LABELS.get(term, term)}"
    return FIELD_LABELS.get(field, field)


def _save(suffix: str, existing: bool) -> None:
    """The form's submit callback: validate and save through privacyops.cases.customers, keep what was typed on
    an error (the form is not cleared), reset the new-customer form after a save."""
    state = st.session_state

    def value(field: str) -> Any:
        return state.get(_key(suffix, field))

    customer_id = str(value("customer_id") or "").strip()
    customer = customers.Customer(
        customer_id=customer_id,
        name=str(value("name") or ""),
        org_number=str(value("org_number") or ""),
        forward_working_days=int(value("forward_working_days") or 0),
        terms={category: customers.RetentionTerm(int(value(f"{category}.retention_days") or 0),
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


def _forwarding_warning(name: str, customer_id: str, days: int) -> str | None:
    """The warning for a forwarding term that can end after the statutory due date (rules.md 2), or None."""
    rules = data.rule_settings()
    worst = customers.forwarding_term_can_pass_due_date(days, data.today(),
                                                        eves_are_holidays=rules.eves_are_holidays)
    if worst is None:
        return None
    return (f"**{md_escape(name)}** ({md_escape(customer_id)}): forwarding within {days} working days "
            f"can end after the statutory due date. A request received on {worst.received_on.isoformat()} is due "
            f"{worst.due_on.isoformat()}, only {worst.working_days} working days later: the controller's month "
            "counts from Expandra's receipt and cannot be extended because a processor is involved (rules.md 2). "
            f"Agree a term of at most {worst.working_days} working days.")


def _save_policy(customer_id: str) -> None:
    """The consent policy form's callback: set (and so confirm) the customer's current policy."""
    state = st.session_state
    state.pop("cpol_result", None)
    try:
        changed = customers.set_consent_policy(
            data.store(), customer_id, state.get(f"cpol_{customer_id}_version"),
            state.get(f"cpol_{customer_id}_effective_on"), actor=auth.current_user().email, today=data.today())
    except customers.CustomerInputError as error:
        state["cpol_result"] = (customer_id, "errors", error.errors)
        return
    except StoreError as error:
        state["cpol_result"] = (customer_id, "store_error", (error.title, str(error)))
        return
    data.after_write()
    state["cpol_result"] = (customer_id, "saved", changed)


def _confirm_no_policy(customer_id: str) -> None:
    state = st.session_state
    state.pop("cpol_result", None)
    try:
        changed = customers.confirm_no_consent_policy(data.store(), customer_id,
                                                      actor=auth.current_user().email)
    except customers.CustomerInputError as error:
        state["cpol_result"] = (customer_id, "errors", error.errors)
        return
    except StoreError as error:
        state["cpol_result"] = (customer_id, "store_error", (error.title, str(error)))
        return
    data.after_write()
    state["cpol_result"] = (customer_id, "saved", ["consent_policy_confirmed"] if changed else [])


def _show_error(errors: dict[str, str], field: str) -> None:
    """The error of one field, right under it (the messages are privacyops' own text)."""
    if field in errors:
        st.error(errors[field])


# --- the customers and their terms ------------------------------------------------------------
try:
    overview = data.query("customers_overview")
except StoreError as error:
    show_store_error(error)
    st.stop()

st.subheader("Customers and their DPA terms")
if overview.empty:
    empty_state("No customers yet. Add the first one with the form below: its forwarding term and a "
                       "retention term for each data category.")
else:
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
    forwarding_warnings = [w for w in (_forwarding_warning(n, c, int(d)) for n, c, d in zip(
        overview["name"], overview["customer_id"], overview["forward_working_days"], strict=True)) if w]
    if forwarding_warnings:
        st.warning("**Forwarding terms that can end after the statutory due date** (rules.md 2)\n\n"
                   + "\n\n".join(f"- {w}" for w in forwarding_warnings), icon="⚠️")

# --- the consent policy of each customer (rules.md 3) ---------------------------------------------
POLICY_RULE = ("The current consent policy of each customer, and the day it took effect, is set explicitly, never "
               "guessed from the data (rules.md 3). Every choice recorded under another version is asked again; "
               "without a policy the banner asks again by age only.")
policies = data.query("customers_consent_policy")
if not policies.empty:
    st.subheader("Consent policy per customer", help=POLICY_RULE)
    not_confirmed = policies[~policies["consent_policy_confirmed"].astype(bool)]
    if not not_confirmed.empty:
        st.warning(f"**{len(not_confirmed)} {'policy is' if len(not_confirmed) == 1 else 'policies are'} not "
                   "confirmed.** When the store moved to explicit policies, they were guessed from the consent "
                   "records (the version whose first record came last). Check each with the customer, then confirm "
                   "it or enter the right one below (pick the customer).", icon="⚠️")

    def _state(version: object, confirmed: object) -> str:
        if not bool(confirmed):
            return "⚠️ Not confirmed (guessed)"
        return "✅ Confirmed" if isinstance(version, str) else "✅ No policy yet: renewals by age only"

    st.dataframe(
        pd.DataFrame({
            "customer": policies["name"], "customer_id": policies["customer_id"],
            "version": policies["consent_policy_version"], "effective_on": policies["consent_policy_effective_on"],
            "state": [_state(v, c) for v, c in zip(policies["consent_policy_version"],
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

# --- add or edit ------------------------------------------------------------------------------
st.subheader("Add or change a customer")
names = dict(zip(overview["customer_id"], overview["name"], strict=True))
linked = st.query_params.get("customer")
if linked in names and st.session_state.get("cust_linked") != linked:   # e.g. the Consent page's confirm link
    st.session_state["cust_pick"] = linked
    st.session_state["cust_linked"] = linked
if st.session_state.get("cust_pick") not in (NEW, *names):
    st.session_state["cust_pick"] = NEW
pick = st.selectbox("Customer", options=[NEW, *names], key="cust_pick",
                    format_func=lambda cid: "➕ A new customer" if cid == NEW else f"{names[cid]} ({cid})",
                    help="Pick a customer to change its details or terms, or add a new one.")
existing = pick != NEW
suffix = pick if existing else NEW_FORM

saved = st.session_state.pop("cust_saved", None)
if saved:
    saved_id, was_existing, changed = saved
    # The id is typed text: shown with st.text, never as Markdown.
    if changed and not was_existing:
        st.success("Added the customer with its forwarding term and retention terms. The change log below "
                   "records every value.", icon="✅")
    elif changed:
        st.success("Saved. Changed: " + ", ".join(_field_label(f) for f in changed)
                   + ". The change log below records the old and new values.", icon="✅")
    else:
        st.info("Nothing changed: the form had the stored values.", icon="ℹ️")
    st.text(f"Customer id: {saved_id}")
    saved_row = overview[overview["customer_id"] == saved_id]
    if not saved_row.empty:
        warning = _forwarding_warning(str(saved_row["name"].iloc[0]), saved_id,
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
        _show_error(errors, "customer_id")
    with top[1]:
        st.text_input("Name", value=str(current.get("name", "")), key=_key(suffix, "name"),
                      placeholder="e.g. Exempel AB")
        _show_error(errors, "name")
    with top[2]:
        st.text_input("Organisation number", value=str(current.get("org_number", "")),
                      key=_key(suffix, "org_number"), placeholder="NNNNNN-NNNN", help="Swedish format, NNNNNN-NNNN.")
        _show_error(errors, "org_number")
    with top[3]:
        st.number_input("Forward within (working days)", min_value=0, max_value=30, step=1,
                        value=int(current.get("forward_working_days", DEFAULT_FORWARD_DAYS)),
                        key=_key(suffix, "forward_working_days"),
                        help="The DPA's forwarding term (rules.md 2): applies to requests logged from now on.")
        _show_error(errors, "forward_working_days")

    st.markdown("**Retention per data category** (rules.md 4: kept as long as needed after the last use, then "
                "deleted or anonymised)")
    _show_error(errors, "terms")
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
                _show_error(errors, f"terms.{category}")

    st.form_submit_button("Save changes" if existing else "Add customer", type="primary",
                          on_click=_save, args=(suffix, existing))

# --- the consent policy of the picked customer (rules.md 3) -----------------------------------------
st.subheader("Consent policy", help=POLICY_RULE)
if not existing:
    st.caption("Add the customer first, then set its current consent policy here. Until then it has none: its "
               "banner asks again by age only.")
else:
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
            st.success("Saved and confirmed. Changed: " + ", ".join(_field_label(f) for f in detail)
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
            _show_error(policy_errors, "consent_policy_version")
        with cols[1]:
            st.date_input("Took effect on", value=effective or data.today(), max_value=data.today(),
                          key=f"cpol_{pick}_effective_on", format="YYYY-MM-DD",
                          help="The day the customer's banner started showing this version. Every choice recorded "
                               "under another version is asked again from then on.")
            _show_error(policy_errors, "consent_policy_effective_on")
        label = "Confirm policy" if has_policy and not confirmed else "Save policy"
        st.form_submit_button(label, type="primary", on_click=_save_policy, args=(pick,))

# --- the change log ---------------------------------------------------------------------------
st.subheader("Change log")
st.text(f"{names[pick]} ({pick})" if existing else "All customers")
changes = data.query("customers_changes", customer=pick if existing else "")
if changes.empty:
    empty_state("No changes recorded yet. Every change to a customer or its terms is recorded here: who, "
                       "when, which field, the old and the new value.")
else:
    log = changes.assign(field=changes["field"].map(_field_label))
    st.dataframe(
        log[["changed_at", "changed_by", "customer_id", "customer_name", "field", "old_value", "new_value"]],
        hide_index=True, width="stretch",
        column_config={
            "changed_at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm:ss"),
            "changed_by": st.column_config.TextColumn("Who"),
            "customer_id": st.column_config.TextColumn("Id"),
            "customer_name": st.column_config.TextColumn("Customer"),
            "field": st.column_config.TextColumn("Field"),
            "old_value": st.column_config.TextColumn("Old", help="Empty: the customer was added."),
            "new_value": st.column_config.TextColumn("New"),
        },
    )


# --- the customer's deletion instruction and contract end (GDPR Art. 28(3)(g); rules.md 4) -------------
DISPOSAL_HELP = {
    "deletion_instructed_on": "The day the customer instructed Expandra to delete (or return) all its personal data.",
    "contract_ended_on": "The day the customer's contract (and so the processing) ended.",
}


def _disposal_key(customer_id: str, field: str) -> str:
    return f"cust_disposal_{customer_id}_{field}"


def _save_disposal(customer_id: str) -> None:
    """The disposal form's submit callback: validate and save through privacyops.cases.customers."""
    state = st.session_state
    state.pop("cust_disposal_errors", None)
    state.pop("cust_disposal_saved", None)
    dates = {field: state.get(_disposal_key(customer_id, field)) for field in customers.DISPOSAL_DATE_FIELDS}
    try:
        changed = customers.save_disposal_dates(
            data.store(), customer_id, deletion_instructed_on=dates["deletion_instructed_on"],
            contract_ended_on=dates["contract_ended_on"], actor=auth.current_user().email, today=data.today())
    except customers.CustomerInputError as error:
        state["cust_disposal_errors"] = (customer_id, error.errors)
        return
    except StoreError as error:
        state["cust_store_error_disposal"] = (error.title, str(error))
        return
    data.after_write()
    state["cust_disposal_saved"] = (customer_id, changed)


st.subheader("Deletion instruction and end of contract")
st.caption("GDPR Art. 28(3)(g), rules.md 4: when a customer instructs Expandra to delete its data, or its contract "
           "ends, every record of that customer is due for disposal from that day (the earlier of the two; a record "
           "created later from the day it was created). Record the day once it has happened; the Retention page "
           "shows the records it made due. Clear a date to take it back; every change is in the change log.")
if not names:
    st.caption("Add a customer first.")
else:
    instructed = data.query("retention_customer_instructions", as_of=data.today(), customer="")
    if instructed.empty:
        st.caption("No customer has a deletion instruction or a contract end recorded.")
    else:
        st.dataframe(
            instructed[["customer_name", "customer_id", "deletion_instructed_on", "contract_ended_on",
                        "disposal_due_from", "records_held", "made_due_records"]],
            hide_index=True, width="stretch",
            column_config={
                "customer_name": st.column_config.TextColumn("Customer"),
                "customer_id": st.column_config.TextColumn("Id"),
                "deletion_instructed_on": st.column_config.DateColumn("Deletion instruction", format="YYYY-MM-DD"),
                "contract_ended_on": st.column_config.DateColumn("Contract ended", format="YYYY-MM-DD"),
                "disposal_due_from": st.column_config.DateColumn("Records due from", format="YYYY-MM-DD"),
                "records_held": st.column_config.NumberColumn("Records still held", format="%d"),
                "made_due_records": st.column_config.NumberColumn(
                    "Made due by it", format="%d",
                    help="Records in the backlog today whose own end of retention has not come (or that have none)."),
            })
    disposal_pick = st.selectbox("Customer", options=list(names), key="cust_disposal_pick",
                                 format_func=lambda cid: f"{names[cid]} ({cid})",
                                 help="The customer whose deletion instruction or contract end you record.")
    saved_disposal = st.session_state.pop("cust_disposal_saved", None)
    if saved_disposal and saved_disposal[0] == disposal_pick:
        if saved_disposal[1]:
            st.success("Saved. Changed: " + ", ".join(customers.DISPOSAL_DATE_FIELDS[f] for f in saved_disposal[1])
                       + ". The change log above records the old and new values.", icon="✅")
        else:
            st.info("Nothing changed: the form had the stored dates.", icon="ℹ️")
    disposal_store_error = st.session_state.pop("cust_store_error_disposal", None)
    if disposal_store_error:
        st.error(f"{disposal_store_error[0]}. Nothing was saved.", icon="🛑")
        st.text(disposal_store_error[1])
    failed = st.session_state.get("cust_disposal_errors")
    disposal_errors: dict[str, str] = failed[1] if failed and failed[0] == disposal_pick else {}
    if disposal_errors:
        st.error("Not saved: check the dates below. Nothing was written.", icon="🛑")
    stored = data.query("customer_disposal_dates", customer_id=disposal_pick)
    with st.form(f"customer_disposal_form_{disposal_pick}", border=True):
        cols = st.columns(2)
        for col, (field, label) in zip(cols, customers.DISPOSAL_DATE_FIELDS.items(), strict=True):
            value = stored.iloc[0][field] if not stored.empty else None
            with col:
                st.date_input(label, value=None if value is None or pd.isna(value) else pd.Timestamp(value).date(),
                              min_value=date(1990, 1, 1), max_value=date(2100, 12, 31),
                              format="YYYY-MM-DD", key=_disposal_key(disposal_pick, field),
                              help=DISPOSAL_HELP[field] + " Empty: none.")
                if field in disposal_errors:
                    st.error(disposal_errors[field])
        st.form_submit_button("Save dates", on_click=_save_disposal, args=(disposal_pick,))

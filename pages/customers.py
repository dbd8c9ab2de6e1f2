"""Customers (admin): the controllers Expandra serves and the terms of each one's data processing agreement
(DPA): how many working days Expandra has to forward a data-subject request (rules.md 2), and how long each
data category is kept and what happens at the end (rules.md 4). Add a customer, change its terms, set its
consent policy (rules.md 3), record its deletion instruction or contract end, and see every change: who,
when, which field, old and new value. The sections' forms are in ui/customer_*.py.
"""

from __future__ import annotations

import streamlit as st

from privacyops.store import StoreError
from ui import customer_disposal, customer_policy, customer_terms, data
from ui.auth import require_page
from ui.customer_terms import NEW, NEW_FORM
from ui.format import demo_banner, empty_state, show_store_error

user = require_page("pages/customers.py")
st.title("🏢 Customers")
demo_banner()

st.info(
    "New terms apply from the moment they are saved. The **forwarding term** applies to requests logged from "
    "then on (requests already logged keep the forwarding deadline they were given). A changed **retention "
    "term** applies from the day it is saved (rules.md 4, Art. 28(3)(a)): under a shorter term a record is "
    "due on the later of its last use + the new term and that day, so records enter the backlog today at the "
    "earliest, never in the weeks before.",
    icon="🕒",
)

# --- the customers, their terms and their consent policies -----------------------------------
try:
    overview = data.query("customers_overview")
except StoreError as error:
    show_store_error(error)
    st.stop()
customer_terms.terms_table(overview)
policies = data.query("customers_consent_policy")
if not policies.empty:
    customer_policy.policies_table(policies)

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
errors = customer_terms.saved_messages(overview, suffix)
customer_terms.terms_form(pick, existing, suffix, errors)
customer_policy.policy_section(pick, existing)

# --- the change log ---------------------------------------------------------------------------
st.subheader("Change log")
st.text(f"{names[pick]} ({pick})" if existing else "All customers")
changes = data.query("customers_changes", customer=pick if existing else "")
if changes.empty:
    empty_state("No changes recorded yet. Every change to a customer or its terms is recorded here: who, "
                "when, which field, the old and the new value.")
else:
    log = changes.assign(field=changes["field"].map(customer_terms.field_label))
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


customer_disposal.disposal_section(names)

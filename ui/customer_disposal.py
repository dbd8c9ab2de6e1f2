"""The Customers page's deletion instruction and contract end (GDPR Art. 28(3)(g); rules.md 4): the customers
that have them, and the form that records (or clears) the two dates. Keys: cust_disposal_*."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from privacyops.cases import customers
from privacyops.rules import customer_terms as terms_rules
from privacyops.store import StoreError
from ui import auth, data

DISPOSAL_HELP = {
    "deletion_instructed_on": "The day the customer instructed Expandra to delete (or return) all its personal data.",
    "contract_ended_on": "The day the customer's contract (and so the processing) ended.",
}



def instruction_columns() -> dict[str, object]:
    """The columns of a customers-with-a-deletion-instruction table (queries/retention_customer_instructions.sql),
    shown the same way on the Customers and Retention pages."""
    return {
        "customer_id": st.column_config.TextColumn("Id"),
        "customer_name": st.column_config.TextColumn("Customer"),
        "deletion_instructed_on": st.column_config.DateColumn("Deletion instruction", format="YYYY-MM-DD"),
        "contract_ended_on": st.column_config.DateColumn("Contract ended", format="YYYY-MM-DD"),
        "disposal_due_from": st.column_config.DateColumn("Records due from", format="YYYY-MM-DD"),
        "records_held": st.column_config.NumberColumn("Records still held", format="%d"),
        "backlog_records": st.column_config.NumberColumn("In the backlog", format="%d"),
        "made_due_records": st.column_config.NumberColumn(
            "Made due by it", format="%d",
            help="Records in the backlog today whose own end of retention has not come (or that have none)."),
    }

def _disposal_key(customer_id: str, field: str) -> str:
    return f"cust_disposal_{customer_id}_{field}"


def _save_disposal(customer_id: str) -> None:
    """The disposal form's submit callback: validate and save through privacyops.cases.customers."""
    state = st.session_state
    state.pop("cust_disposal_errors", None)
    state.pop("cust_disposal_saved", None)
    dates = {field: state.get(_disposal_key(customer_id, field)) for field in terms_rules.DISPOSAL_DATE_FIELDS}
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




def disposal_section(names: dict[str, str]) -> None:
    """The customers with a deletion instruction or contract end, and the form for the picked one."""
    st.subheader("Deletion instruction and end of contract")
    st.caption("GDPR Art. 28(3)(g), rules.md 4: when a customer instructs Expandra to delete its data, or its "
               "contract ends, every record of that customer is due for disposal from that day (the earlier of the "
               "two; a record created later from the day it was created). Record the day once it has happened; "
               "the Retention page shows the records it made due. Clear a date to take it back; every change is in "
               "the change log.")
    if not names:
        st.caption("Add a customer first.")
        return
    instructed = data.query("retention_customer_instructions", as_of=data.today(), customer="")
    if instructed.empty:
        st.caption("No customer has a deletion instruction or a contract end recorded.")
    else:
        st.dataframe(
            instructed[["customer_name", "customer_id", "deletion_instructed_on", "contract_ended_on",
                        "disposal_due_from", "records_held", "made_due_records"]],
            hide_index=True, width="stretch",
            column_config=instruction_columns())
    disposal_pick = st.selectbox("Customer", options=list(names), key="cust_disposal_pick",
                                 format_func=lambda cid: f"{names[cid]} ({cid})",
                                 help="The customer whose deletion instruction or contract end you record.")
    saved_disposal = st.session_state.pop("cust_disposal_saved", None)
    if saved_disposal and saved_disposal[0] == disposal_pick:
        if saved_disposal[1]:
            st.success("Saved. Changed: " + ", ".join(terms_rules.DISPOSAL_DATE_FIELDS[f] for f in saved_disposal[1])
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
        for col, (field, label) in zip(cols, terms_rules.DISPOSAL_DATE_FIELDS.items(), strict=True):
            value = stored.iloc[0][field] if not stored.empty else None
            with col:
                st.date_input(label, value=None if value is None or pd.isna(value) else pd.Timestamp(value).date(),
                              min_value=date(1990, 1, 1), max_value=date(2100, 12, 31),
                              format="YYYY-MM-DD", key=_disposal_key(disposal_pick, field),
                              help=DISPOSAL_HELP[field] + " Empty: none.")
                if field in disposal_errors:
                    st.error(disposal_errors[field])
        st.form_submit_button("Save dates", on_click=_save_disposal, args=(disposal_pick,))


"""Log request: record a data-subject request the minute it reaches Expandra.

Both clocks start at receipt (rules.md 1-2): the customer's DPA forwarding deadline and the
controller's statutory one-month due date (GDPR Art. 12(3)), counted from Expandra's receipt because
the controller's deadline "cannot be extended" by a processor being involved (EDPB 07/2020). The
form checks every field (privacyops.cases.requests.validate_new), warns about a likely duplicate before
writing, and logs through privacyops.cases.requests.log: one request and its first history entry.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import streamlit as st

from privacyops.cases import requests
from privacyops.clock import STOCKHOLM, now_utc
from privacyops.rules import lifecycle
from privacyops.store import StoreError
from ui import data, timing
from ui.auth import require_page
from ui.filters import link, shared_customer
from ui.format import ANY_DATE, demo_banner, empty_state, md_escape, show_store_error
from ui.nav import page_spec

user = require_page("pages/log_request.py")
st.title("✍️ Log request")
demo_banner()

FIELDS = ("lr_type", "lr_day", "lr_time", "lr_channel", "lr_email", "lr_name", "lr_description", "lr_confirm")
FIELD_LABELS = {
    "customer_id": "Customer", "request_type": "Type", "received_at": "Received", "channel": "Channel",
    "requester_email": "Requester email", "requester_name": "Requester name", "description": "Description",
}
state = st.session_state

customers = data.query("customer_list")
if customers.empty:
    empty_state("A customer must be added first: every request is logged for the customer (the "
                "controller) whose data it concerns, and that customer's DPA sets the forwarding deadline.")
    if user.role in page_spec("pages/customers.py").roles:
        link("pages/customers.py", label="Add a customer", icon="🏢")
    else:
        st.caption("Ask an admin to add the customer on the Customers page.")
    st.stop()
customer_names = dict(zip(customers["customer_id"], customers["name"], strict=True))
# Expandra itself is the controller of its own website statistics (policy section 2): offered last.
controller_choices = {**{cid: f"{name} ({cid})" for cid, name in customer_names.items()},
                      requests.EXPANDRA_AS_CONTROLLER: f"{requests.EXPANDRA_LABEL}: its own website statistics"}


def _now_local() -> datetime:
    return now_utc().astimezone(STOCKHOLM).replace(second=0, microsecond=0)


def _initialise() -> None:
    """Defaults for an empty form; the customer comes from the shared filter bar when one is chosen."""
    now = _now_local()
    shared = shared_customer()
    if state.get("lr_customer") not in controller_choices:
        state["lr_customer"] = shared if shared in customer_names else next(iter(customer_names))
    defaults: dict[str, Any] = {"lr_type": "access", "lr_day": now.date(), "lr_time": now.time(),
                                "lr_channel": "email", "lr_email": "", "lr_name": "", "lr_description": ""}
    for key, value in defaults.items():
        state.setdefault(key, value)


def _typed_request() -> requests.NewRequest:
    received = datetime.combine(state["lr_day"], state["lr_time"]).replace(tzinfo=STOCKHOLM)
    return requests.NewRequest(
        customer_id=None if state["lr_customer"] == requests.EXPANDRA_AS_CONTROLLER else state["lr_customer"],
        request_type=state["lr_type"], received_at=received,
        channel=state["lr_channel"], requester_email=state["lr_email"], requester_name=state["lr_name"],
        description=state["lr_description"])


def _submit() -> None:
    """The submit button's callback: validate, warn about duplicates, log. Fields are cleared only
    when the request was logged, so a mistake never costs what was typed."""
    state.pop("lr_logged", None)
    state.pop("lr_store_error", None)
    store = data.store()
    new = _typed_request()
    try:
        errors = requests.validate_new(store, new)
        if errors:
            state["lr_errors"] = errors
            return
        state["lr_errors"] = {}
        duplicates = requests.find_possible_duplicates(store, new)
        signature = [new.customer_id, new.request_type, new.requester_email.strip().lower(), duplicates]
        warned = state.get("lr_duplicates")
        if duplicates and not (state.get("lr_confirm") and warned and warned["signature"] == signature):
            state["lr_duplicates"] = {"ids": duplicates, "signature": signature}
            state["lr_confirm"] = False
            return
        with timing.timed("action", "log request"):
            logged = requests.log(store, new, actor=user.email)
    except requests.RequestInputError as error:
        state["lr_errors"] = error.errors
        return
    except StoreError as error:
        state["lr_store_error"] = error
        return
    data.after_write()
    state["lr_logged"] = {"request_id": logged.request_id, "due_date": logged.due_date,
                          "forward_due_date": logged.forward_due_date, "explanation": logged.explanation,
                          "warnings": logged.warnings,
                          "customer": (requests.EXPANDRA_LABEL if new.customer_id is None
                                       else customer_names.get(new.customer_id, new.customer_id))}
    for key in (*FIELDS, "lr_errors", "lr_duplicates"):
        state.pop(key, None)


_initialise()
errors: dict[str, str] = state.get("lr_errors") or {}

if logged := state.get("lr_logged"):
    due = logged["due_date"]
    with st.container(border=True):
        st.success(f"Logged **{md_escape(logged['request_id'])}** for {md_escape(logged['customer'])}.",
                   icon="✅")
        cols = st.columns(2)
        cols[0].metric("Statutory due date", "At once" if due is None else f"{due:%a %Y-%m-%d}",
                       help="GDPR Art. 12(3): one month from receipt, counted per Regulation 1182/71 on the "
                            "Swedish calendar; a consent withdrawal takes effect at once (Art. 7(3)).")
        forward_due = logged["forward_due_date"]
        cols[1].metric("Forward to the customer by", "–" if forward_due is None else f"{forward_due:%a %Y-%m-%d}",
                       help="The forwarding deadline in the customer's DPA (GDPR Art. 28(3)(e)); none where "
                            "Expandra is itself the controller.")
        for warning in logged.get("warnings", ()):
            st.warning(warning, icon="⚠️")
        st.caption(f"Why: {logged['explanation']}")
        link("pages/requests.py", label=f"Open {logged['request_id']} in the request queue", icon="📥",
             query_params={"request": logged["request_id"]})

if error := state.get("lr_store_error"):
    show_store_error(error)
if errors:
    st.error("**Not logged.** Fix the fields marked below; what you typed is kept.")


def _field_error(field: str) -> None:
    if field in errors:
        st.error(f"**{FIELD_LABELS[field]}:** {md_escape(errors[field])}")


duplicates = state.get("lr_duplicates")
if duplicates and not errors:
    ids = md_escape(", ".join(duplicates["ids"]))
    st.warning(f"**Likely duplicate of {ids}**: same requester, customer and type within 30 days. "
               "Check that it is not the same request before logging it again; to log it anyway, tick the "
               "confirmation at the bottom of the form and submit again.", icon="⚠️")

with st.form("lr_form", clear_on_submit=False, border=True):
    left, right = st.columns(2)
    with left:
        st.selectbox("Customer (the controller)", options=list(controller_choices), key="lr_customer",
                     format_func=lambda cid: controller_choices[cid],
                     help="The controller whose data the request concerns; its DPA sets the forwarding deadline. "
                          "Choose Expandra for its own website statistics: then nothing is forwarded and the "
                          "statutory clock is Expandra's own (rules.md 2).")
        _field_error("customer_id")
        st.selectbox("Type", options=list(lifecycle.REQUEST_TYPES), key="lr_type",
                     format_func=lambda t: lifecycle.REQUEST_TYPES[t],
                     help="Arts. 15-22 requests are due within one month of receipt (Art. 12(3)); a consent "
                          "withdrawal takes effect at once (Art. 7(3)).")
        _field_error("request_type")
        when = st.columns(2)
        # Any date (a typed one outside the range would be dropped silently); validate_new says what is wrong.
        when[0].date_input("Received on", key="lr_day", **ANY_DATE, format="YYYY-MM-DD",
                           help="When it reached Expandra, in any channel. The month is counted from this "
                                "Stockholm date; the day itself is not counted (Regulation 1182/71 Art. 3(1)).")
        when[1].time_input("at (Stockholm time)", key="lr_time", step=60,
                           help="Europe/Stockholm local time. It cannot be in the future.")
        _field_error("received_at")
        st.selectbox("Channel", options=list(lifecycle.CHANNELS), key="lr_channel",
                     format_func=lambda c: lifecycle.CHANNELS[c])
        _field_error("channel")
    with right:
        st.text_input("Requester email", key="lr_email", placeholder="name@example.com",
                      help="Needed to answer the requester. Kept only as long as the request's evidence is "
                           "needed, then anonymised (rules.md 4).")
        _field_error("requester_email")
        # No max_chars: the widget would drop a longer paste without a word. validate_new refuses it by name.
        st.text_input("Requester name (optional)", key="lr_name",
                      help=f"At most {requests.MAX_LENGTHS['requester_name']} characters.")
        _field_error("requester_name")
        st.text_area("Description (optional)", key="lr_description", height=140,
                     help="What the requester asked for, in their words, at most "
                          f"{requests.MAX_LENGTHS['description']:,} characters. Shown as plain text.")
        _field_error("description")
    if duplicates and not errors:
        st.checkbox(f"This is a new request, not a duplicate of {', '.join(duplicates['ids'])}: log it anyway",
                    key="lr_confirm")
    st.form_submit_button("Log request", type="primary", on_click=_submit)

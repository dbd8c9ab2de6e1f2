"""Requests: the support queue of data-subject requests and the one place to move a request on.

The queue lists every open request with both clocks (rules.md 1-2): our forwarding deadline from the
customer's DPA and the controller's statutory Art. 12(3) due date, counted from Expandra's receipt.
Picking a row shows the request's detail: the due date with its reasoning in words, the requester's
contact details (shown nowhere else), the history, and only the actions its status allows. Every
action goes through privacyops.cases.request_actions.apply, which checks the lifecycle and writes the change and
its history entry in one transaction (ui/request_actions.py: one form per action).
"""

from __future__ import annotations

import streamlit as st

from privacyops.cases import request_clock, requests
from privacyops.rules import lifecycle
from privacyops.store import StoreError
from ui import data, request_actions, request_detail, request_queue
from ui.auth import require_page
from ui.filters import link, shared_customer
from ui.format import demo_banner, fmt_local_time, md_escape

user = require_page("pages/requests.py")
st.title("📥 Requests")
demo_banner()

MAX_ROWS = 1000          # rows listed at once (the colour styling slows down beyond a few thousand)

# --- the queue --------------------------------------------------------------------------------

settings = data.rule_settings()
as_of = data.today()
customers = data.query("customer_list")
customer_names = dict(zip(customers["customer_id"], customers["name"], strict=True))
state = st.session_state
request_queue.prepare_state(customer_names, shared_customer())

summary = data.query("requests_queue_summary", as_of=as_of, soon_days=settings.soon_due_days,
                     customer=state["rq_customer"]).iloc[0]
request_queue.summary_tiles(summary, settings.soon_due_days)
assignees = request_queue.assignee_options(data.query("requests_queue_assignees", customer=state["rq_customer"]))
request_queue.queue_filters(customer_names, assignees)
request_queue.keep_overdue_in_url()

queue = data.query(
    "requests_queue_requests", as_of=as_of, soon_days=settings.soon_due_days, customer=state["rq_customer"],
    status=state["rq_status"], request_type=state["rq_type"], assignee=state["rq_assignee"],
    overdue_only=bool(state["rq_overdue"]), include_closed=bool(state["rq_closed"]),
    recipients_pending_only=bool(state.get("rq_recipients")), email_search=state["rq_search"], max_rows=MAX_ROWS)

if queue.empty:
    request_queue.empty_queue(int(summary["open_requests"]), customer_names.get(state["rq_customer"]))
    link("pages/log_request.py", label="Log a new request", icon="✍️")
    state["rq_selected"] = None
    st.stop()

selected = request_queue.queue_table(queue, state.get("rq_selected"), show_closed=bool(state["rq_closed"]),
                                     soon_days=settings.soon_due_days)
state["rq_selected"] = selected
matching = int(queue["matching_requests"].iloc[0])
if matching > len(queue):
    st.warning(f"Showing the first {len(queue):,} of {matching:,} matching requests: narrow the list with the "
               "filters or the email search.", icon="✂️")
st.caption(f"{matching:,} request{'s' if matching != 1 else ''}, open ones soonest due first"
           + (", then closed ones, latest first" if state["rq_closed"] else "")
           + ". Pick a row to see the request and act on it.")

if selected is None:
    st.stop()

# --- one request ------------------------------------------------------------------------------

store = data.store()
detail_frame = data.query("request_detail", request_id=selected)
if detail_frame.empty:
    st.stop()
detail = detail_frame.iloc[0]
request_type = str(detail["request_type"])
try:
    req_clock = request_clock.clock(store, selected, as_of)
except (requests.RequestInputError, StoreError) as error:
    st.error(str(error))
    st.stop()

st.divider()
st.subheader(f"{md_escape(selected)} · {lifecycle.REQUEST_TYPES.get(request_type, request_type)}")
controller = (detail["customer_name"] if bool(detail["is_own_request"])
              else f"{detail['customer_name']} ({detail['customer_id']})")
st.text(f"For {controller} · received {fmt_local_time(detail['received_at'])}"
        f" via {lifecycle.CHANNELS.get(detail['channel'], detail['channel'])}")
request_detail.clock_tiles(detail, req_clock)

left, right = st.columns([3, 2])
with left:
    request_detail.clock_explained(detail, req_clock)
with right, st.container(border=True):
    request_detail.requester(user, selected, detail)

st.markdown("**Act on this request**")
request_actions.act_on_request(selected, detail, user.email)
request_detail.history(selected)

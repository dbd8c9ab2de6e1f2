"""Requests: the support queue of data-subject requests and the one place to move a request on.

The queue lists every open request with both clocks (rules.md 1-2): our forwarding deadline from the
customer's DPA and the controller's statutory Art. 12(3) due date, counted from Expandra's receipt.
Picking a row shows the request's detail: the due date with its reasoning in words, the requester's
contact details (shown nowhere else), the history, and only the actions its status allows. Every
action goes through privacyops.cases.requests.apply, which checks the lifecycle and writes the change and
its history entry in one transaction.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, time
from typing import Any

import pandas as pd
import streamlit as st

from privacyops.cases import access, requests
from privacyops.charts import STATUS_COLOURS
from privacyops.clock import STOCKHOLM, now_utc
from privacyops.rules import lifecycle
from privacyops.store import StoreError
from ui import data
from ui.auth import require_page
from ui.filters import link, shared_customer
from ui.format import demo_banner, empty_state, fmt_int, md_escape, show_store_error

user = require_page("pages/requests.py")
st.title("📥 Requests")
demo_banner()

UNASSIGNED = "(unassigned)"
MAX_ROWS = 1000          # rows listed at once (the colour styling slows down beyond a few thousand)
CLOSED_COLOUR = "#8a8f98"
FIELD_LABELS = {
    "at": "Time of the action", "pause_reason": "Waiting for", "extension_reason": "Reason for the extension",
    "notified_at": "Requester told at", "request_id": "Request", "refusal_ground": "Ground for refusal",
    "refusal_reasons": "Reasons told to the requester", "refusal_remedies_told": "Told of IMY and the courts",
    "refusal_notified_at": "Requester told of the refusal at", "recipients_notice": "Recipients",
    "recipients_told_at": "Recipients told at",
}


# --- helpers (presentation only) --------------------------------------------------------------

def _shared_customer(known: set[str]) -> str:
    """The customer chosen in the shared filter bar (or the URL), if it still exists."""
    chosen = shared_customer()
    return chosen if chosen in known else ""


def _reveal(request_id: str) -> None:
    """Show a requester's contact details, leaving a trace in the access log (issue: sign-in and roles)."""
    access.log_event(data.store(), actor=user.email, event="reveal", target=request_id,
                     detail={"fields": ["requester_email", "requester_name", "subject_id"]})
    st.session_state[f"rq_revealed_{request_id}"] = True


def _fmt_date(value: Any) -> str:
    if value is None or pd.isna(value):
        return "–"
    day = value.date() if hasattr(value, "date") and callable(value.date) else value
    return f"{day:%a %Y-%m-%d}"


def _local_time(value: Any) -> str:
    """A stored naive-UTC timestamp as Stockholm wall-clock time."""
    if value is None or pd.isna(value):
        return "–"
    moment = pd.Timestamp(value).tz_localize("UTC").tz_convert(STOCKHOLM)
    return f"{moment:%Y-%m-%d %H:%M} (Stockholm)"


def _iso_local(value: Any) -> Any:
    """An ISO timestamp from the history (naive UTC) as Stockholm wall-clock time; anything else unchanged."""
    try:
        return _local_time(datetime.fromisoformat(value)) if isinstance(value, str) else value
    except ValueError:
        return value


def _band_style(band: Any) -> str:
    colour = STATUS_COLOURS.get(str(band), CLOSED_COLOUR)
    return f"background-color: {colour}; color: white; font-weight: 600"


def _readable_changes(raw: str) -> str:
    try:
        changes = json.loads(raw)
    except (TypeError, ValueError):
        return str(raw)
    parts = []
    for field, pair in changes.items():
        old, new = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        if field == "status":
            old, new = lifecycle.STATUSES.get(old, old), lifecycle.STATUSES.get(new, new)
        if field == "request_type":
            new = lifecycle.REQUEST_TYPES.get(new, new)
        if field.endswith("_at"):
            old, new = _iso_local(old), _iso_local(new)
        parts.append(f"{field.replace('_', ' ')}: {new}" if old is None else
                     f"{field.replace('_', ' ')}: {old} → {new}")
    return "; ".join(parts)


def _stockholm_moment(day: date, clock_time: time) -> datetime:
    """A date and time typed in Stockholm local time, as an aware datetime."""
    return datetime.combine(day, clock_time).replace(tzinfo=STOCKHOLM)


def _show_input_errors(error: requests.RequestInputError) -> None:
    lines = [f"- **{FIELD_LABELS.get(field, field.replace('_', ' ').capitalize())}:** {message}"
             for field, message in error.errors.items()]
    st.error("**Not done.** Nothing was saved:\n\n" + "\n".join(lines))


def _show_refusal_notice(detail: pd.Series) -> None:
    """The ground and the notice the requester was given (Art. 12(4)); stored text shown as text."""
    if pd.isna(detail["refusal_ground"]):
        return
    st.markdown("**Refusal (Art. 12(4))**")
    ground = lifecycle.REFUSAL_GROUNDS.get(detail["refusal_ground"], detail["refusal_ground"])
    if pd.isna(detail["refusal_notified_at"]):
        st.text(f"Ground: {ground}")
        st.caption("No refusal notice was recorded (refused before the notice was recorded).")
        return
    told = "yes" if pd.notna(detail["refusal_remedies_told"]) and bool(detail["refusal_remedies_told"]) else "no"
    st.text(f"Ground: {ground}\nReasons told: {detail['refusal_reasons']}\n"
            f"Told of the right to complain to IMY and to a judicial remedy: {told}\n"
            f"Requester told: {_local_time(detail['refusal_notified_at'])}")


def _show_recipients(detail: pd.Series, request_type: str) -> None:
    """Art. 19: whether the recipients were told, for a rectification, erasure or restriction."""
    if request_type not in lifecycle.TYPES_NOTIFYING_RECIPIENTS:
        return
    st.markdown("**Recipients (Art. 19)**")
    if detail["recipients_notice"] == "told":
        st.text(f"Recipients told: {_local_time(detail['recipients_told_at'])}")
    elif detail["recipients_notice"] == "none":
        st.text("There are no recipients to tell.")
    elif bool(detail["recipients_pending"]) and bool(detail["is_open"]):
        st.warning("Recipients not yet told: record whether they were told, or that there are none, before "
                   "the request can be completed (GDPR Art. 19).", icon="📣")
    elif bool(detail["recipients_pending"]):
        st.warning("Completed before the recipients were recorded: record whether they were told, or that there "
                   "are none (GDPR Art. 19).", icon="📣")
    elif detail["outcome"] == "forwarded_only":
        st.caption("Handled by the controller: telling the recipients is the controller's part (rules.md 2).")
    else:
        st.caption("Nothing to pass on: the request was not carried out.")


# --- the queue --------------------------------------------------------------------------------

settings = data.rule_settings()
as_of = data.today()
customers = data.query("customer_list")
customer_names = dict(zip(customers["customer_id"], customers["name"], strict=True))
state = st.session_state

if flash := state.pop("rq_flash", None):
    st.success(flash, icon="✅")

if "request" in st.query_params:             # a link from Log request: open that request
    state["rq_selected"] = st.query_params["request"]
    del st.query_params["request"]
if "rq_customer" not in state:
    state["rq_customer"] = _shared_customer(set(customer_names))
elif state["rq_customer"] and state["rq_customer"] not in customer_names:
    state["rq_customer"] = ""
if "rq_overdue" not in state:
    state["rq_overdue"] = st.query_params.get("overdue") == "1"

summary = data.query("queue_summary", as_of=as_of, soon_days=settings.soon_due_days,
                       customer=state["rq_customer"]).iloc[0]
tiles = st.columns(6)
tiles[0].metric("Open requests", fmt_int(summary["open_requests"]),
                help="Requests logged, forwarded, in progress or paused: not yet completed, refused or withdrawn.")
tiles[1].metric("Overdue", fmt_int(summary["overdue"]),
                help="Open requests whose statutory due date (one month from receipt, or three when validly "
                     "extended: GDPR Art. 12(3), counted per Regulation 1182/71) is before today. A pause "
                     "does not stop this count (rules.md 1, Pausing).")
tiles[2].metric("Due soon", fmt_int(summary["due_soon"]),
                help=f"Open requests due today or within {settings.soon_due_days} days (setting "
                     "'soon_due_days'), and consent withdrawals, which take effect at once (Art. 7(3)).")
tiles[3].metric("On track", fmt_int(summary["on_track"]),
                help=f"Open requests due in more than {settings.soon_due_days} days.")
tiles[4].metric("Forwarding late", fmt_int(summary["forward_late"]),
                help="Open requests not yet forwarded to the customer (the controller) after the forwarding "
                     "deadline in its DPA (GDPR Art. 28(3)(e); EDPB Guidelines 07/2020 paras 127-129).")
tiles[5].metric("Recipients not yet told", fmt_int(summary["recipients_pending"]),
                help="Open rectifications, erasures and restrictions with nothing recorded yet about telling the "
                     "recipients of the data (GDPR Art. 19); they cannot be completed until it is.")

assignees = data.query("queue_assignees", customer=state["rq_customer"])
assignee_options = ["", UNASSIGNED, *assignees["assignee"]]
if state.get("rq_assignee", "") not in assignee_options:
    state["rq_assignee"] = ""

with st.container(border=True):
    row = st.columns([2, 2, 2, 2])
    row[0].selectbox("Customer", options=["", *customer_names], key="rq_customer",
                     format_func=lambda cid: "All customers" if not cid else f"{customer_names[cid]} ({cid})",
                     help="The controller the request is for. Defaults to the customer in the sidebar filter.")
    row[1].selectbox("Status", options=["", *lifecycle.STATUSES], key="rq_status",
                     format_func=lambda s: "Every status" if not s else lifecycle.STATUSES[s])
    row[2].selectbox("Type", options=["", *lifecycle.REQUEST_TYPES], key="rq_type",
                     format_func=lambda t: "Every type" if not t else lifecycle.REQUEST_TYPES[t])
    row[3].selectbox("Assignee", options=assignee_options, key="rq_assignee",
                     format_func=lambda a: "Everyone" if not a else a)
    row = st.columns([4, 2, 2, 2])
    row[0].text_input("Search requester email", key="rq_search", placeholder="e.g. karin@ or example.com",
                      help="Part of the requester's email address, upper or lower case. The table shows "
                           "addresses masked; the full contact details are in the request's detail.")
    row[1].checkbox("Overdue only", key="rq_overdue",
                    help="Only requests past their statutory due date (GDPR Art. 12(3)).")
    row[2].checkbox("Recipients not yet told", key="rq_recipients",
                    help="Only rectifications, erasures and restrictions whose recipients are not yet told, or "
                         "recorded as none (GDPR Art. 19).")
    row[3].toggle("Show closed requests", key="rq_closed",
                  help="Also list completed, refused and withdrawn requests, after the open ones.")

if state["rq_overdue"]:
    st.query_params["overdue"] = "1"
elif "overdue" in st.query_params:
    del st.query_params["overdue"]

queue = data.query(
    "queue_requests", as_of=as_of, soon_days=settings.soon_due_days, customer=state["rq_customer"],
    status=state["rq_status"], request_type=state["rq_type"], assignee=state["rq_assignee"],
    overdue_only=bool(state["rq_overdue"]), include_closed=bool(state["rq_closed"]),
    recipients_pending_only=bool(state.get("rq_recipients")), email_search=state["rq_search"], max_rows=MAX_ROWS)

if queue.empty:
    filtered = any([state["rq_status"], state["rq_type"], state["rq_assignee"], state["rq_overdue"],
                    state.get("rq_recipients"), state["rq_search"].strip()])
    if filtered:
        empty_state("No request matches these filters. Clear a filter to see more of the queue.")
    elif int(summary["open_requests"]) == 0 and not state["rq_closed"]:
        empty_state("🎉 The queue is empty: there is no open request"
                           + (f" for {customer_names[state['rq_customer']]}" if state["rq_customer"] else "")
                           + ". When a request arrives, log it the same minute: its clocks start at receipt.")
    else:
        empty_state("No request to show.")
    link("pages/log_request.py", label="Log a new request", icon="✍️")
    state["rq_selected"] = None
    st.stop()

ids: list[str] = queue["request_id"].tolist()
table = queue.assign(
    request_type=queue["request_type"].map(lifecycle.REQUEST_TYPES).fillna(queue["request_type"]),
    status=queue["status"].map(lifecycle.STATUSES).fillna(queue["status"]),
)
columns = ["request_id", "band", "days_left", "request_type", "customer_name", "status", "requester",
           "received_on", "forward_due_date", "is_forwarded", "effective_due_date", "is_extended",
           "recipients_pending", "assignee"]
if state["rq_closed"]:
    columns.append("closed_on")
styled = table[columns].style.map(_band_style, subset=["band"])
selected = state.get("rq_selected")
digest = hashlib.sha1("|".join(ids).encode(), usedforsecurity=False).hexdigest()[:12]
event = st.dataframe(
    styled, key=f"rq_queue_{digest}", on_select="rerun", selection_mode="single-row", hide_index=True,
    width="stretch", column_order=columns,
    selection_default={"selection": {"rows": [ids.index(selected)]}} if selected in ids else None,
    column_config={
        "request_id": st.column_config.TextColumn("Request"),
        "band": st.column_config.TextColumn(
            "Band", help=f"Overdue: past the statutory due date. Due soon: due within {settings.soon_due_days} "
                         "days (or a consent withdrawal, which takes effect at once). On track: later."),
        "days_left": st.column_config.NumberColumn(
            "Days left", format="%d",
            help="Statutory effective due date minus today; negative when overdue. Blank for a consent "
                 "withdrawal (no one-month clock) and for closed requests."),
        "request_type": st.column_config.TextColumn("Type"),
        "customer_name": st.column_config.TextColumn("Customer"),
        "status": st.column_config.TextColumn("Status"),
        "requester": st.column_config.TextColumn("Requester", help="Masked; pick the request to see it."),
        "received_on": st.column_config.DateColumn("Received", format="YYYY-MM-DD",
                                                   help="Date of receipt in Stockholm; it is not counted."),
        "forward_due_date": st.column_config.DateColumn(
            "Forward by", format="YYYY-MM-DD",
            help="Our deadline for forwarding to the customer, from its DPA (Art. 28(3)(e))."),
        "is_forwarded": st.column_config.CheckboxColumn("Forwarded"),
        "effective_due_date": st.column_config.DateColumn(
            "Statutory due", format="YYYY-MM-DD",
            help="The controller's Art. 12(3) deadline, counted from Expandra's receipt (extended if "
                 "validly extended)."),
        "is_extended": st.column_config.CheckboxColumn("Extended"),
        "recipients_pending": st.column_config.CheckboxColumn(
            "Recipients not told", help="A rectification, erasure or restriction whose recipients are not yet "
                                        "told, or recorded as none (GDPR Art. 19)."),
        "assignee": st.column_config.TextColumn("Assignee"),
        "closed_on": st.column_config.DateColumn("Closed", format="YYYY-MM-DD"),
    },
)
rows = event.selection.rows
selected = ids[rows[0]] if rows and rows[0] < len(ids) else None
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
status = str(detail["status"])
try:
    req_clock = requests.clock(store, selected, as_of)
except (requests.RequestInputError, StoreError) as error:
    st.error(str(error))
    st.stop()

st.divider()
st.subheader(f"{md_escape(selected)} · {lifecycle.REQUEST_TYPES.get(request_type, request_type)}")
controller = (detail["customer_name"] if bool(detail["is_own_request"])
              else f"{detail['customer_name']} ({detail['customer_id']})")
st.text(f"For {controller} · received {_local_time(detail['received_at'])}"
        f" via {lifecycle.CHANNELS.get(detail['channel'], detail['channel'])}")

tiles = st.columns([3, 2, 1, 2])
tiles[0].metric("Status", lifecycle.STATUSES.get(status, status))
if req_clock.due_date is None:
    tiles[1].metric("Statutory due date", "At once",
                    help="A consent withdrawal takes effect at once (GDPR Art. 7(3)); it has no one-month clock.")
    tiles[2].metric("Days left", "–")
else:
    tiles[1].metric("Statutory due date", _fmt_date(req_clock.effective_due_date),
                    help="GDPR Art. 12(3): one month from receipt (three when validly extended), counted per "
                         "Regulation 1182/71 on the Swedish calendar.")
    tiles[2].metric("Days left", "–" if not bool(detail["is_open"]) else f"{req_clock.days_left:d}",
                    help="Statutory due date minus today; negative when overdue. A pause does not stop it.")
if req_clock.forward_due_date is None:
    tiles[3].metric("Forward by", "–", help="Expandra is the controller of this request: nothing to forward.")
else:
    tiles[3].metric("Forward by", _fmt_date(req_clock.forward_due_date),
                    help="Our forwarding deadline from the customer's DPA (GDPR Art. 28(3)(e); EDPB 07/2020 "
                         "paras 127-129).")
for warning in req_clock.warnings:
    st.warning(warning, icon="⚠️")

left, right = st.columns([3, 2])
with left:
    st.markdown("**Why this due date**")
    st.caption(req_clock.explanation)
    if status == "paused" and req_clock.paused_due_date is not None:
        st.warning(f"Paused while we wait for the requester. The paused deadline is "
                   f"{_fmt_date(req_clock.paused_due_date)}; alerts still count to the un-paused date "
                   f"{_fmt_date(req_clock.effective_due_date)} (rules.md 1, Pausing).", icon="⏸️")
    elif status == "paused":
        st.warning("Paused while we wait for the requester. This pause does not move the deadline: only an identity "
                   "check asked for within the set working days of receipt does (rules.md 1, Pausing).", icon="⏸️")
    elif req_clock.paused_due_date is not None and req_clock.paused_due_date != req_clock.effective_due_date:
        st.caption(f"With its pauses, the deadline would be {_fmt_date(req_clock.paused_due_date)}; "
                   "alerts count to the un-paused date.")
    if req_clock.answer_by_date is not None and req_clock.answer_by_date != req_clock.effective_due_date:
        st.caption(f"The on-time figures measure this request against {_fmt_date(req_clock.answer_by_date)}, the "
                   "date it had to be answered by (rules.md 1).")
    if detail["outcome"] == "forwarded_only":
        st.caption("Handled by the controller: Expandra's part ended with the forwarding. "
                   + (f"The customer answered on {_fmt_date(detail['controller_answered_on'])}; the request counts "
                      "against the statutory clock with that date." if pd.notna(detail["controller_answered_on"])
                      else "The customer has not told us when it answered, so the request is not in the on-time "
                           "rate; record the date when they do."))
    if bool(detail["is_own_request"]):
        pass  # no forwarding clock: Expandra is the controller (the explanation says so)
    elif pd.notna(detail["forwarded_at"]):
        on_time = detail["forwarded_on"] <= detail["forward_due_date"]
        st.caption(f"Forwarded to the customer {_local_time(detail['forwarded_at'])}, "
                   + ("within" if on_time else "after") + f" the DPA deadline {_fmt_date(detail['forward_due_date'])}.")
    elif bool(detail["is_open"]):
        st.caption(f"Not yet forwarded: the customer's DPA asks for it by {_fmt_date(detail['forward_due_date'])}.")
    if bool(detail["is_extended"]):
        st.markdown("**Extension (Art. 12(3))**")
        st.text(f"Reason: {detail['extension_reason']}\nRequester told: {_local_time(detail['extension_notified_at'])}")
    _show_refusal_notice(detail)
    _show_recipients(detail, request_type)
    st.markdown("**Description**")
    st.text(detail["description"] if pd.notna(detail["description"]) else "(none given)")
with right, st.container(border=True):
    st.markdown("**Requester** (personal data: do not copy it elsewhere)")
    if pd.notna(detail["contact_anonymised_at"]):
        st.caption(f"Contact details anonymised {_local_time(detail['contact_anonymised_at'])} (rules.md 4).")
    elif not access.may(user.role, "reveal_contact"):
        st.caption("Your role does not show requesters' contact details.")
    elif not state.get(f"rq_revealed_{selected}"):
        st.caption("Hidden until you need them; showing them is recorded in the access log.")
        st.button("Show contact details", key=f"rq_reveal_{selected}", on_click=_reveal, args=(selected,))
    else:
        contact = [f"Email:   {detail['requester_email'] if pd.notna(detail['requester_email']) else '–'}",
                   f"Name:    {detail['requester_name'] if pd.notna(detail['requester_name']) else '–'}"]
        if pd.notna(detail["subject_id"]):
            contact.append(f"Subject: {detail['subject_id']}")
        st.text("\n".join(contact))
    st.text(f"Assignee: {detail['assignee'] if pd.notna(detail['assignee']) else 'nobody yet'}")

# actions ---------------------------------------------------------------------------------------
st.markdown("**Act on this request**")
allowed = requests.allowed_actions(data.store(), selected)
if not allowed:
    st.caption("This request is closed: no further action is possible.")
else:
    action = st.selectbox("Action", options=allowed, key=f"rq_action_{selected}",
                          format_func=lambda a: lifecycle.ACTIONS[a],
                          help="Only the actions the request's status allows are offered.")
    prefix = f"rq_{selected}_{action}"
    now_local = now_utc().astimezone(STOCKHOLM)
    if action in ("extend", "refuse", "record_recipients") and f"{prefix}_told_day" not in state:
        # default: told just now
        state[f"{prefix}_told_day"] = now_local.date()
        state[f"{prefix}_told_time"] = now_local.time().replace(second=0, microsecond=0)
    with st.form(f"{prefix}_form"):
        extra: dict[str, Any] = {}
        if action == "pause":
            st.selectbox("Waiting for", options=list(lifecycle.PAUSE_REASONS), key=f"{prefix}_reason",
                         format_func=lambda r: lifecycle.PAUSE_REASONS[r],
                         help="Only an identity check asked for within the setting's working days of receipt "
                              "moves the deadline (rules.md 1, Pausing); other pauses are recorded and shown.")
            asked = st.columns(2)
            asked[0].date_input("Asked the requester on", key=f"{prefix}_asked_day", value=now_local.date(),
                                max_value=now_local.date(), format="YYYY-MM-DD")
            asked[1].time_input("at (Stockholm time)", key=f"{prefix}_asked_time",
                                value=now_local.time().replace(second=0, microsecond=0), step=60)
        elif action == "record_controller_answer":
            st.date_input("The controller answered the requester on", key=f"{prefix}_answered_on",
                          value=now_local.date(), max_value=now_local.date(), format="YYYY-MM-DD",
                          help="The date the customer (the controller) says it answered; the request then counts "
                               "against the statutory clock with that date (rules.md 2).")
        elif action == "extend":
            st.text_area("Reason for the extension", key=f"{prefix}_reason", max_chars=1000,
                         help="Art. 12(3): the requester must be told, with reasons, within the first month.")
            told = st.columns(2)
            told[0].date_input("Requester told on", key=f"{prefix}_told_day", max_value=now_local.date(),
                               format="YYYY-MM-DD")
            told[1].time_input("at (Stockholm time)", key=f"{prefix}_told_time", step=60)
        elif action == "refuse":
            grounds = lifecycle.refusal_grounds_for(request_type)
            st.selectbox("Ground for refusal", options=list(grounds), key=f"{prefix}_ground",
                         format_func=lambda g: grounds[g],
                         help="Every right: identity not confirmed, manifestly unfounded or excessive, or the "
                              "controller's decision; an erasure also when no Art. 17(1) ground applies or on an "
                              "Art. 17(3) ground (rules.md 1-2).")
            st.text_area("Reasons told to the requester", key=f"{prefix}_reasons", max_chars=2000,
                         help="Art. 12(4): the reasons for not taking action, as the requester was told them.")
            st.checkbox("The requester was told of the right to complain to IMY and to seek a judicial remedy",
                        key=f"{prefix}_remedies", help="Art. 12(4) requires both in the refusal notice.")
            told = st.columns(2)
            told[0].date_input("Requester told on", key=f"{prefix}_told_day", max_value=now_local.date(),
                               format="YYYY-MM-DD")
            told[1].time_input("at (Stockholm time)", key=f"{prefix}_told_time", step=60)
        elif action == "record_recipients":
            st.radio("Recipients", options=list(lifecycle.RECIPIENTS_NOTICES), key=f"{prefix}_notice",
                     format_func=lambda n: lifecycle.RECIPIENTS_NOTICES[n], horizontal=True,
                     help="GDPR Art. 19: each recipient the data was disclosed to is told of the rectification, "
                          "erasure or restriction, unless that is impossible or involves disproportionate effort.")
            told = st.columns(2)
            told[0].date_input("Recipients told on", key=f"{prefix}_told_day", max_value=now_local.date(),
                               format="YYYY-MM-DD", help="Only when they were told; ignored for 'no recipients'.")
            told[1].time_input("at (Stockholm time)", key=f"{prefix}_told_time", step=60)
        elif action == "complete" and bool(detail["recipients_pending"]):
            st.info("Record first whether the recipients were told, or that there are none (GDPR Art. 19): "
                    f"choose '{lifecycle.ACTIONS['record_recipients']}'.", icon="📣")
        elif action == "start":
            st.checkbox("Assign to me", value=True, key=f"{prefix}_assign_me")
        st.text_input("Note (optional)", key=f"{prefix}_note", max_chars=500)
        submitted = st.form_submit_button(lifecycle.ACTIONS[action], type="primary")
    if submitted:
        if action == "pause":
            extra["pause_reason"] = state[f"{prefix}_reason"]
            extra["asked_at"] = _stockholm_moment(state[f"{prefix}_asked_day"], state[f"{prefix}_asked_time"])
        elif action == "record_controller_answer":
            extra["controller_answered_on"] = state[f"{prefix}_answered_on"]
        elif action == "extend":
            extra["extension_reason"] = state[f"{prefix}_reason"]
            extra["notified_at"] = _stockholm_moment(state[f"{prefix}_told_day"], state[f"{prefix}_told_time"])
        elif action == "refuse":
            extra["refusal_ground"] = state[f"{prefix}_ground"]
            extra["refusal_reasons"] = state[f"{prefix}_reasons"]
            extra["remedies_told"] = bool(state[f"{prefix}_remedies"])
            extra["refusal_notified_at"] = _stockholm_moment(state[f"{prefix}_told_day"],
                                                             state[f"{prefix}_told_time"])
        elif action == "record_recipients":
            extra["recipients_notice"] = state[f"{prefix}_notice"]
            if state[f"{prefix}_notice"] == "told":
                extra["recipients_told_at"] = _stockholm_moment(state[f"{prefix}_told_day"],
                                                                state[f"{prefix}_told_time"])
        elif action == "start" and state[f"{prefix}_assign_me"]:
            extra["assignee"] = user.email
        try:
            new_status = requests.apply(store, selected, action, actor=user.email,
                                        note=state[f"{prefix}_note"], **extra)
        except lifecycle.TransitionError as error:
            st.error(f"**Not done.** {error}")
        except requests.RequestInputError as error:
            _show_input_errors(error)
        except StoreError as error:
            show_store_error(error)
        else:
            data.after_write()
            message = f"{selected}: {lifecycle.ACTIONS[action].lower()} done; it is now " \
                      f"'{lifecycle.STATUSES.get(new_status, new_status)}'."
            if new_status in lifecycle.CLOSED_STATUSES and not state["rq_closed"]:
                message += " It has left the open queue (switch on 'Show closed requests' to see it)."
            state["rq_flash"] = message
            st.rerun()

st.markdown("**History**")
hist = data.query("request_history", request_id=selected)
st.dataframe(
    pd.DataFrame({
        "When": [_local_time(v) for v in hist["recorded_at"]],
        "Who": hist["actor"],
        "What": [lifecycle.ACTIONS.get(a, "Logged" if a == "create" else a) for a in hist["action"]],
        "Changes": [_readable_changes(c) for c in hist["changes"]],
        "Note": hist["note"],
    }),
    hide_index=True, width="stretch", key=f"rq_history_{selected}",
)
st.caption("The history is append-only and hash-chained (GDPR Art. 5(2), accountability).")

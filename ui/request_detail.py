"""The Requests page's view of one request: its clocks (both deadlines with the reasoning in words), the
refusal notice and the recipients (Art. 12(4), Art. 19), the requester's contact details (shown nowhere else,
and only on demand, with an access-log entry), and the append-only history."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from privacyops.cases import access, request_clock
from privacyops.rules import lifecycle
from ui import data
from ui.auth import User
from ui.format import fmt_iso_local, fmt_local_time, fmt_weekday_date


def reveal(user: User, request_id: str) -> None:
    """Show a requester's contact details, leaving a trace in the access log (issue: sign-in and roles)."""
    access.log_event(data.store(), actor=user.email, event="reveal", target=request_id,
                     detail={"fields": ["requester_email", "requester_name", "subject_id"]})
    st.session_state[f"rq_revealed_{request_id}"] = True


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
            old, new = fmt_iso_local(old), fmt_iso_local(new)
        parts.append(f"{field.replace('_', ' ')}: {new}" if old is None else
                     f"{field.replace('_', ' ')}: {old} → {new}")
    return "; ".join(parts)


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
            f"Requester told: {fmt_local_time(detail['refusal_notified_at'])}")


def _show_recipients(detail: pd.Series, request_type: str) -> None:
    """Art. 19: whether the recipients were told, for a rectification, erasure or restriction."""
    if request_type not in lifecycle.TYPES_NOTIFYING_RECIPIENTS:
        return
    st.markdown("**Recipients (Art. 19)**")
    if detail["recipients_notice"] == "told":
        st.text(f"Recipients told: {fmt_local_time(detail['recipients_told_at'])}")
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


def clock_tiles(detail: pd.Series, req_clock: request_clock.RequestClock) -> None:
    """Status, the statutory due date, days left and our forwarding deadline; the clock's warnings."""
    status = str(detail["status"])
    tiles = st.columns([3, 2, 1, 2])
    tiles[0].metric("Status", lifecycle.STATUSES.get(status, status))
    if req_clock.due_date is None:
        tiles[1].metric("Statutory due date", "At once",
                        help="A consent withdrawal takes effect at once (GDPR Art. 7(3)); it has no one-month clock.")
        tiles[2].metric("Days left", "–")
    else:
        tiles[1].metric("Statutory due date", fmt_weekday_date(req_clock.effective_due_date),
                        help="GDPR Art. 12(3): one month from receipt (three when validly extended), counted per "
                             "Regulation 1182/71 on the Swedish calendar.")
        tiles[2].metric("Days left", "–" if not bool(detail["is_open"]) else f"{req_clock.days_left:d}",
                        help="Statutory due date minus today; negative when overdue. A pause does not stop it.")
    if req_clock.forward_due_date is None:
        tiles[3].metric("Forward by", "–", help="Expandra is the controller of this request: nothing to forward.")
    else:
        tiles[3].metric("Forward by", fmt_weekday_date(req_clock.forward_due_date),
                        help="Our forwarding deadline from the customer's DPA (GDPR Art. 28(3)(e); EDPB 07/2020 "
                             "paras 127-129).")
    for warning in req_clock.warnings:
        st.warning(warning, icon="⚠️")


def clock_explained(detail: pd.Series, req_clock: request_clock.RequestClock) -> None:
    """Why this due date, pauses, the controller's answer, forwarding, extension, refusal, recipients."""
    status, request_type = str(detail["status"]), str(detail["request_type"])
    st.markdown("**Why this due date**")
    st.caption(req_clock.explanation)
    if status == "paused" and req_clock.paused_due_date is not None:
        st.warning(f"Paused while we wait for the requester. The paused deadline is "
                   f"{fmt_weekday_date(req_clock.paused_due_date)}; alerts still count to the un-paused date "
                   f"{fmt_weekday_date(req_clock.effective_due_date)} (rules.md 1, Pausing).", icon="⏸️")
    elif status == "paused":
        st.warning("Paused while we wait for the requester. This pause does not move the deadline: only an identity "
                   "check asked for within the set working days of receipt does (rules.md 1, Pausing).", icon="⏸️")
    elif req_clock.paused_due_date is not None and req_clock.paused_due_date != req_clock.effective_due_date:
        st.caption(f"With its pauses, the deadline would be {fmt_weekday_date(req_clock.paused_due_date)}; "
                   "alerts count to the un-paused date.")
    if req_clock.answer_by_date is not None and req_clock.answer_by_date != req_clock.effective_due_date:
        st.caption(f"The on-time figures measure this request against {fmt_weekday_date(req_clock.answer_by_date)}, "
                   "the date it had to be answered by (rules.md 1).")
    if detail["outcome"] == "forwarded_only":
        st.caption("Handled by the controller: Expandra's part ended with the forwarding. "
                   + (f"The customer answered on {fmt_weekday_date(detail['controller_answered_on'])}; the request "
                      "counts against the statutory clock with that date." if pd.notna(detail["controller_answered_on"])
                      else "The customer has not told us when it answered, so the request is not in the on-time "
                      "rate; record the date when they do."))
    if bool(detail["is_own_request"]):
        pass  # no forwarding clock: Expandra is the controller (the explanation says so)
    elif pd.notna(detail["forwarded_at"]):
        on_time = detail["forwarded_on"] <= detail["forward_due_date"]
        st.caption(f"Forwarded to the customer {fmt_local_time(detail['forwarded_at'])}, "
                   + ("within" if on_time else "after")
                   + f" the DPA deadline {fmt_weekday_date(detail['forward_due_date'])}.")
    elif bool(detail["is_open"]):
        st.caption("Not yet forwarded: the customer's DPA asks for it by "
                   f"{fmt_weekday_date(detail['forward_due_date'])}.")
    if bool(detail["is_extended"]):
        st.markdown("**Extension (Art. 12(3))**")
        st.text(f"Reason: {detail['extension_reason']}\n"
                f"Requester told: {fmt_local_time(detail['extension_notified_at'])}")
    _show_refusal_notice(detail)
    _show_recipients(detail, request_type)
    st.markdown("**Description**")
    st.text(detail["description"] if pd.notna(detail["description"]) else "(none given)")


def requester(user: User, request_id: str, detail: pd.Series) -> None:
    """The requester's contact details, hidden until asked for (personal data)."""
    st.markdown("**Requester** (personal data: do not copy it elsewhere)")
    if pd.notna(detail["contact_anonymised_at"]):
        st.caption(f"Contact details anonymised {fmt_local_time(detail['contact_anonymised_at'])} (rules.md 4).")
    elif not access.may(user.role, "reveal_contact"):
        st.caption("Your role does not show requesters' contact details.")
    elif not st.session_state.get(f"rq_revealed_{request_id}"):
        st.caption("Hidden until you need them; showing them is recorded in the access log.")
        st.button("Show contact details", key=f"rq_reveal_{request_id}", on_click=reveal, args=(user, request_id))
    else:
        contact = [f"Email:   {detail['requester_email'] if pd.notna(detail['requester_email']) else '–'}",
                   f"Name:    {detail['requester_name'] if pd.notna(detail['requester_name']) else '–'}"]
        if pd.notna(detail["subject_id"]):
            contact.append(f"Subject: {detail['subject_id']}")
        st.text("\n".join(contact))
    st.text(f"Assignee: {detail['assignee'] if pd.notna(detail['assignee']) else 'nobody yet'}")


def history(request_id: str) -> None:
    st.markdown("**History**")
    hist = data.query("request_history", request_id=request_id)
    st.dataframe(
        pd.DataFrame({
            "When": [fmt_local_time(v) for v in hist["recorded_at"]],
            "Who": hist["actor"],
            "What": [lifecycle.ACTIONS.get(a, "Logged" if a == "create" else a) for a in hist["action"]],
            "Changes": [_readable_changes(c) for c in hist["changes"]],
            "Note": hist["note"],
        }),
        hide_index=True, width="stretch", key=f"rq_history_{request_id}",
    )
    st.caption("The history is append-only and hash-chained (GDPR Art. 5(2), accountability).")

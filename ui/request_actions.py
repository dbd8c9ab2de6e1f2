"""The Requests page's action forms: one small form per action, in one table (ACTION_FORMS), so adding an
action touches one place. Each entry draws the action's own widgets inside the form and reads them back into
the arguments of privacyops.cases.request_actions.apply, which checks the lifecycle and writes the change and its
history entry in one transaction. Widget keys: rq_{request}_{action}_{field}.

No widget limits what is typed (no max_chars; every date: ui.format.ANY_DATE): a widget would drop or replace it
silently, while apply refuses it with the field named. A submission is handled by its callback (`_submit`)
before the page is drawn again, against the version of the request its user saw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import pandas as pd
import streamlit as st

from privacyops.cases import request_actions, requests
from privacyops.clock import STOCKHOLM, now_utc
from privacyops.rules import lifecycle
from privacyops.store import StoreError
from ui import data
from ui.format import ANY_DATE, md_escape

FIELD_LABELS = {
    "at": "Time of the action", "pause_reason": "Waiting for", "extension_reason": "Reason for the extension",
    "notified_at": "Requester told at", "request_id": "Request", "refusal_ground": "Ground for refusal",
    "refusal_reasons": "Reasons told to the requester", "refusal_remedies_told": "Told of IMY and the courts",
    "refusal_notified_at": "Requester told of the refusal at", "recipients_notice": "Recipients",
    "recipients_told_at": "Recipients told at",
}


@dataclass(frozen=True)
class FormContext:
    """What an action's form knows: its key prefix, the time now in Stockholm, the request and who acts."""
    prefix: str
    now: datetime
    detail: pd.Series
    actor: str

    def key(self, name: str) -> str:
        return f"{self.prefix}_{name}"

    def value(self, name: str) -> Any:
        return st.session_state[self.key(name)]

    def moment(self, name: str) -> datetime:
        """The {name}_day and {name}_time widgets as an aware datetime (typed in Stockholm local time)."""
        return datetime.combine(self.value(f"{name}_day"), self.value(f"{name}_time")).replace(tzinfo=STOCKHOLM)

    @property
    def today(self) -> date:
        return self.now.date()

    @property
    def minute(self) -> time:
        return self.now.time().replace(second=0, microsecond=0)


def _told_at(ctx: FormContext, label: str = "Requester told on", help_text: str | None = None) -> None:
    told = st.columns(2)
    told[0].date_input(label, key=ctx.key("told_day"), **ANY_DATE, format="YYYY-MM-DD", help=help_text)
    told[1].time_input("at (Stockholm time)", key=ctx.key("told_time"), step=60)


def _draw_pause(ctx: FormContext) -> None:
    st.selectbox("Waiting for", options=list(lifecycle.PAUSE_REASONS), key=ctx.key("reason"),
                 format_func=lambda r: lifecycle.PAUSE_REASONS[r],
                 help="Only an identity check asked for within the setting's working days of receipt "
                      "moves the deadline (rules.md 1, Pausing); other pauses are recorded and shown.")
    asked = st.columns(2)
    asked[0].date_input("Asked the requester on", key=ctx.key("asked_day"), value=ctx.today, **ANY_DATE,
                        format="YYYY-MM-DD")
    asked[1].time_input("at (Stockholm time)", key=ctx.key("asked_time"), value=ctx.minute, step=60)


def _read_pause(ctx: FormContext) -> dict[str, Any]:
    return {"pause_reason": ctx.value("reason"), "asked_at": ctx.moment("asked")}


def _draw_controller_answer(ctx: FormContext) -> None:
    st.date_input("The controller answered the requester on", key=ctx.key("answered_on"),
                  value=ctx.today, **ANY_DATE, format="YYYY-MM-DD",
                  help="The date the customer (the controller) says it answered; the request then counts "
                       "against the statutory clock with that date (rules.md 2).")


def _read_controller_answer(ctx: FormContext) -> dict[str, Any]:
    return {"controller_answered_on": ctx.value("answered_on")}


def _draw_extend(ctx: FormContext) -> None:
    st.text_area("Reason for the extension", key=ctx.key("reason"),
                 help="Art. 12(3): the requester must be told, with reasons, within the first month.")
    _told_at(ctx)


def _read_extend(ctx: FormContext) -> dict[str, Any]:
    return {"extension_reason": ctx.value("reason"), "notified_at": ctx.moment("told")}


def _draw_refuse(ctx: FormContext) -> None:
    grounds = lifecycle.refusal_grounds_for(str(ctx.detail["request_type"]))
    st.selectbox("Ground for refusal", options=list(grounds), key=ctx.key("ground"),
                 format_func=lambda g: grounds[g],
                 help="Every right: identity not confirmed, manifestly unfounded or excessive, or the "
                      "controller's decision; an erasure also when no Art. 17(1) ground applies or on an "
                      "Art. 17(3) ground (rules.md 1-2).")
    st.text_area("Reasons told to the requester", key=ctx.key("reasons"),
                 help="Art. 12(4): the reasons for not taking action, as the requester was told them.")
    st.checkbox("The requester was told of the right to complain to IMY and to seek a judicial remedy",
                key=ctx.key("remedies"), help="Art. 12(4) requires both in the refusal notice.")
    _told_at(ctx)


def _read_refuse(ctx: FormContext) -> dict[str, Any]:
    return {"refusal_ground": ctx.value("ground"), "refusal_reasons": ctx.value("reasons"),
            "remedies_told": bool(ctx.value("remedies")), "refusal_notified_at": ctx.moment("told")}


def _draw_recipients(ctx: FormContext) -> None:
    st.radio("Recipients", options=list(lifecycle.RECIPIENTS_NOTICES), key=ctx.key("notice"),
             format_func=lambda n: lifecycle.RECIPIENTS_NOTICES[n], horizontal=True,
             help="GDPR Art. 19: each recipient the data was disclosed to is told of the rectification, "
                  "erasure or restriction, unless that is impossible or involves disproportionate effort.")
    _told_at(ctx, "Recipients told on", help_text="Only when they were told; ignored for 'no recipients'.")


def _read_recipients(ctx: FormContext) -> dict[str, Any]:
    extra: dict[str, Any] = {"recipients_notice": ctx.value("notice")}
    if ctx.value("notice") == "told":
        extra["recipients_told_at"] = ctx.moment("told")
    return extra


def _draw_complete(ctx: FormContext) -> None:
    if bool(ctx.detail["recipients_pending"]):
        st.info("Record first whether the recipients were told, or that there are none (GDPR Art. 19): "
                f"choose '{lifecycle.ACTIONS['record_recipients']}'.", icon="📣")


def _draw_start(ctx: FormContext) -> None:
    st.checkbox("Assign to me", value=True, key=ctx.key("assign_me"))


def _read_start(ctx: FormContext) -> dict[str, Any]:
    return {"assignee": ctx.actor} if ctx.value("assign_me") else {}


def _nothing(ctx: FormContext) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class ActionForm:
    draw: Callable[[FormContext], None] = lambda ctx: None    # the action's own widgets, inside the form
    read: Callable[[FormContext], dict[str, Any]] = _nothing  # those widgets as request_actions.apply's arguments
    told_now: bool = False                                    # default its 'told on' day and time to now


# Actions not listed (forward, resume, withdraw, ...) have only the note.
ACTION_FORMS: dict[str, ActionForm] = {
    "pause": ActionForm(_draw_pause, _read_pause),
    "record_controller_answer": ActionForm(_draw_controller_answer, _read_controller_answer),
    "extend": ActionForm(_draw_extend, _read_extend, told_now=True),
    "refuse": ActionForm(_draw_refuse, _read_refuse, told_now=True),
    "record_recipients": ActionForm(_draw_recipients, _read_recipients, told_now=True),
    "complete": ActionForm(_draw_complete),
    "start": ActionForm(_draw_start, _read_start),
}


def _show_input_errors(errors: dict[str, str]) -> None:
    lines = [f"- **{FIELD_LABELS.get(name, name.replace('_', ' ').capitalize())}:** {md_escape(message)}"
             for name, message in errors.items()]
    st.error("**Not done.** Nothing was saved:\n\n" + "\n".join(lines))


def _answer(kind: str, text: str, short: str) -> None:
    """The answer to the last action, shown after the rerun at the top of the page (request_queue.prepare_state)."""
    st.session_state["rq_flash"] = {"kind": kind, "text": text, "short": short}


def _submit(request_id: str, action: str, seen_version: int, ctx: FormContext) -> None:
    """The submit button's callback, run before the page is drawn again: apply the action to the version of the
    request its user saw, and leave the answer (done, or not done and why) for the rerun to show."""
    state = st.session_state
    state.pop(ctx.key("errors"), None)
    form = ACTION_FORMS.get(action, ActionForm())
    try:
        new_status = request_actions.apply(data.store(), request_id, action, actor=ctx.actor, note=ctx.value("note"),
                                           expected_version=seen_version, **form.read(ctx))
    except request_actions.RequestChangedError as error:
        data.after_write()   # what this user saw is older than the store: every figure is read afresh
        _answer("error", f"**Not done.** {md_escape(str(error))}",
                f"Not done: {md_escape(request_id)} was changed by {md_escape(error.changed_by)} first.")
    except lifecycle.TransitionError as error:
        _answer("error", f"**Not done.** {md_escape(str(error))}", "Not done: see the message at the top.")
    except requests.RequestInputError as error:
        state[ctx.key("errors")] = error.errors     # shown in the form, which is drawn again as it was
    except StoreError as error:
        state["rq_store_error"] = error
    else:
        data.after_write()
        message = f"{request_id}: {lifecycle.ACTIONS[action].lower()} done; it is now " \
                  f"'{lifecycle.STATUSES.get(new_status, new_status)}'."
        if new_status in lifecycle.CLOSED_STATUSES and not state["rq_closed"]:
            message += " It has left the open queue (switch on 'Show closed requests' to see it)."
        _answer("success", md_escape(message), md_escape(message))


def act_on_request(request_id: str, detail: pd.Series, actor: str) -> None:
    """The action picker and the picked action's form, for the state of the request shown (`detail`, with its
    version). The submission is handled by `_submit` before the next run draws anything."""
    state = st.session_state
    allowed = request_actions.actions_for(detail.to_dict())
    if not allowed:
        st.caption("This request is closed: no further action is possible.")
        return
    action = st.selectbox("Action", options=allowed, key=f"rq_action_{request_id}",
                          format_func=lambda a: lifecycle.ACTIONS[a],
                          help="Only the actions the request's status allows are offered.")
    form = ACTION_FORMS.get(action, ActionForm())
    ctx = FormContext(f"rq_{request_id}_{action}", now_utc().astimezone(STOCKHOLM), detail, actor)
    if form.told_now and ctx.key("told_day") not in state:   # default: told just now
        state[ctx.key("told_day")] = ctx.today
        state[ctx.key("told_time")] = ctx.minute
    with st.form(f"{ctx.prefix}_form"):
        form.draw(ctx)
        st.text_input("Note (optional)", key=ctx.key("note"),
                      help=f"At most {request_actions.MAX_LENGTHS['note']} characters.")
        if errors := state.pop(ctx.key("errors"), None):   # the last submit's, shown once
            _show_input_errors(errors)
        st.form_submit_button(lifecycle.ACTIONS[action], type="primary", on_click=_submit,
                              args=(request_id, action, int(detail["version"]), ctx))

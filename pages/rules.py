"""Rules (admin): every rule behind the numbers, in words, with the settings a DPO signs off.

rules.md: "every rule must be visible and explainable in the UI"; where sources disagree, the default
is the reading that is never late, and it is a setting.
"""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from privacyops.cases import access
from privacyops.cases import settings as rule_settings
from privacyops.rules import deadline_words, deadlines, retention, swedish_calendar
from privacyops.rules.settings import SETTINGS
from ui import data
from ui.auth import require_page

user = require_page("pages/rules.py")
st.title("📜 Rules and settings")
st.caption("The legal rules Privacy Ops counts with, and the choices a DPO signs off. Not legal advice.")

current = data.rule_settings()
values = {key: str(getattr(current, key)).lower() for key in SETTINGS}

st.subheader("Settings")
stored = data.query("rule_settings")
changed = {row.key: (row.updated_at, row.updated_by) for row in stored.itertuples()}
st.dataframe(pd.DataFrame([
    {"Setting": s.label, "Value": values[key], "Default": s.default, "Why": s.why,
     "Last changed": f"{changed[key][0]:%Y-%m-%d %H:%M} UTC by {changed[key][1]}" if key in changed else "never"}
    for key, s in SETTINGS.items()]), hide_index=True, width="stretch")


def _save() -> None:
    state = st.session_state
    try:
        saved = rule_settings.save_setting(data.store(), state["rule_key"], state["rule_value"],
                                           actor=user.email, actor_role=user.role)
    except (ValueError, access.AccessError) as error:
        state["rule_message"] = ("error", str(error))
        return
    data.after_write()
    state["rule_message"] = ("success", "Saved." if saved else "That is already the value.")


if access.may(user.role, "edit_settings"):
    with st.form("rule_form"):
        left, right = st.columns([2, 1])
        left.selectbox("Setting", list(SETTINGS), key="rule_key", format_func=lambda k: SETTINGS[k].label)
        right.text_input("New value", key="rule_value", placeholder="true / false, or a number")
        st.form_submit_button("Save setting", type="primary", on_click=_save)
    if message := st.session_state.pop("rule_message", None):
        (st.error if message[0] == "error" else st.success)(message[0].title())
        st.text(message[1])
    st.caption("A change applies from the moment it is saved and is recorded in the access log. Requests already "
               "logged keep the due date counted when they arrived.")

st.subheader("The one-month deadline (GDPR Art. 12(3), Regulation 1182/71)")
st.markdown(
    "- The day of receipt (a Europe/Stockholm date) is not counted.\n"
    "- The period ends on the same date in the following month, or on that month's last day when the date "
    "does not exist.\n"
    "- A Saturday, Sunday or Swedish public holiday moves the end to the next working day, repeatedly.\n"
    "- An extension of two further months counts three months from receipt, and applies only if decided and "
    "told to the requester by the one-month date.\n"
    "- Each request keeps the dates counted when it arrived, and the eves reading they were counted under: a later "
    "change of the setting moves no logged request's deadline, and an extension is checked against the request's "
    "own one-month date.")
today = data.today()
example = st.date_input("Try a receipt date", value=today, key="rule_example")
if isinstance(example, date):
    st.text(deadline_words.explain_due_date(example, eves_are_holidays=current.eves_are_holidays))
    st.text("Extended: " + deadline_words.explain_due_date(example, months=3,
                                                      eves_are_holidays=current.eves_are_holidays))

st.subheader("Which requests count in the on-time rate, and against which date")
example_received = date(2025, 3, 5)
one_month = deadlines.due_date(example_received)
three_months = deadlines.extended_due_date(example_received)
paused = deadlines.paused_due_date(example_received, [(date(2025, 3, 10), date(2025, 3, 12))], today)
st.markdown(
    "- **The date a request must be answered by** is one column every figure uses (on time, late, breaches, by "
    "month). A completed request counts by the day it was closed, a refusal by the day the requester was told "
    "the reasons.\n"
    f"- **A refusal is due within the one month, even after an extension** (Art. 12(4)): received "
    f"{example_received:%-d %B %Y}, extended to {three_months:%-d %B %Y}, a refusal had to be sent by "
    f"{one_month:%-d %B %Y}; one sent on 20 May 2025 is late.\n"
    "- **Handled by the controller** (rules.md 2): when the customer answers the requester itself, Expandra's "
    "part ends with the forwarding. Such a request counts on the forwarding clock and is listed apart ('handled "
    "by the controller: N, forwarded on time: M'), not in the statutory on-time rate, the time to close or the "
    "breaches, until support records the date the customer says it answered; then it counts against the "
    "statutory clock with that date.\n"
    "- **Withdrawn requests** have no answer to be timely: they are listed, never counted in a rate or the time "
    "to close.\n"
    f"- **Pauses** (rules.md 1, Pausing): only an identity check asked for within "
    f"{current.identity_pause_working_days} working days of receipt (a setting) moves the date; other pauses are "
    "recorded and shown but move nothing. The paused days are added to the unrolled one-month date, which is "
    f"then rolled to a working day: received {example_received:%-d %B %Y} (one month: Saturday 5 April), paused "
    f"10-12 March, answer by {paused:%A %-d %B %Y} (not 9 April). Alerts keep counting to the un-paused date.\n"
    "- **Expandra as the controller** (its own website statistics, policy section 2): no customer and no "
    "forwarding clock; the statutory clock is Expandra's own.\n"
    "- **A forwarding term that ends after the statutory due date** is warned about on the customer and on the "
    "request: forward at once.")

st.subheader("Swedish public holidays counted")
years = [today.year, today.year + 1]
holidays = [{"Date": day, "Weekday": f"{day:%A}", "Holiday": name}
            for year in years
            for day, name in sorted(swedish_calendar.public_holidays(
                year, eves_are_holidays=current.eves_are_holidays).items())]
st.dataframe(pd.DataFrame(holidays), hide_index=True, width="stretch",
             column_config={"Date": st.column_config.DateColumn(format="YYYY-MM-DD")})

# --- retention: when a record is late (rules.md 4; issue 8) -------------------------------------------
st.subheader("Retention: from when a record is late (rules.md 4, GDPR Art. 28(3)(a) and (g))")
st.markdown(
    "- A record is in the retention backlog from the day its retention ends until it is deleted or anonymised. "
    "Retention ends on the date the source system set, else on the last use plus the customer's term for the "
    "data category.\n"
    "- Expandra is a processor: it can be late only from the day it got the instruction (Art. 28(3)(a)). When a "
    "customer **changes** a term, the change applies from the day it was saved: under the new term a record's "
    "end is the **later** of last use + the new term and the day of the change. A shorter term never puts "
    "records in the backlog in the weeks before it was given.\n"
    "- A record that was already late under the old term, and is still due under the new one, stays late from "
    "its old end. A **longer** term takes a record that is no longer due out of the backlog on the day of the "
    "change; it was late before, and is due again at last use + the new term.\n"
    "- The **first** terms of a customer apply since the processing began: the data processing agreement comes "
    "before the first record, so the day the terms were typed into Privacy Ops is not the day they were given.\n"
    "- The backlog's course over time (the weekly chart, the Overview trend, the deletion pace) counts each day "
    "under the terms in force that day.\n"
    "- A customer's **deletion instruction** or the **end of its contract** (Art. 28(3)(g)) makes every record of "
    "that customer due for disposal from that day (the earlier of the two): a record's end is the earlier of its "
    "own end and that day. An admin records both on the Customers page.")
retention_used, retention_changed = date(2025, 1, 1), date(2025, 6, 30)
shortened = retention.term_periods(30, [retention.TermChange(retention_changed, 365, 30)])
shortened_end = retention.effective_end(retention_used, shortened)
lengthened = retention.term_periods(365, [retention.TermChange(retention_changed, 30, 365)])
st.markdown("**Worked example**")
st.text(
    f"A record last used {retention_used.isoformat()}; its customer keeps email 365 days and shortens the term to "
    f"30 days on {retention_changed.isoformat()}.\n"
    f"Last use + 30 days is {(retention_used + timedelta(days=30)).isoformat()}, but the instruction came on "
    f"{retention_changed.isoformat()}: retention ends on {shortened_end.isoformat() if shortened_end else '-'}, "
    f"{retention.days_past_end(shortened_end, retention_changed) if shortened_end else '-'} days past its end that "
    f"day (not {retention.days_past_end(retention_used + timedelta(days=30), retention_changed)}), and the weeks "
    "before the change show no backlog for it.\n"
    f"Had the term been lengthened from 30 to 365 days that day instead, the record would have been late from "
    f"{(retention_used + timedelta(days=30)).isoformat()} until {retention_changed.isoformat()}, then out of the "
    f"backlog until {retention.effective_end(retention_used, lengthened)}.")

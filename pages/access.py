"""Access (admin): who may see what, and the trace of every look at personal data.

Sign-in says who someone is; the grants here say what they may do. Every change of a grant, every
sign-in, every reveal of a requester's contact details, every export and every explorer query is in
the access log, which is append-only and hash-chained.
"""

from datetime import timedelta

import streamlit as st

from privacyops.cases import access, exports
from privacyops.store import StoreError
from ui import auth, data
from ui.auth import require_page
from ui.format import empty_state

user = require_page("pages/access.py")
st.title("Access")
st.caption("Roles are Privacy Ops' own: the identity provider says who someone is, these grants say what "
           "they may do. An email grant and a group grant may both apply; the wider role wins.")

if not auth.sign_in_configured():
    st.info("Sign-in is off, so the one local user is an admin and these grants are not used yet. Configure "
            "[auth] in .streamlit/secrets.toml (see .streamlit/secrets.example.toml) to turn it on.", icon="🔓")

# --- grants -----------------------------------------------------------------------------------
st.subheader("Roles")
grants = data.query("access_grants")
if grants.empty:
    empty_state("No one has been given a role yet. Bootstrap admins come from [privacyops] admins in "
                "the secrets; give everyone else a role here.")
else:
    st.dataframe(grants, hide_index=True, width="stretch", column_config={
        "principal_kind": st.column_config.TextColumn("Kind"),
        "principal": st.column_config.TextColumn("Email or group"),
        "role": st.column_config.TextColumn("Role"),
        "granted_at": st.column_config.DatetimeColumn("Granted (UTC)", format="YYYY-MM-DD HH:mm"),
        "granted_by": st.column_config.TextColumn("Granted by"),
    })


def _save_grant() -> None:
    state = st.session_state
    role = state["grant_role"]
    try:
        access.set_grant(data.store(), access.Grant(state["grant_kind"], state["grant_principal"],
                                                    None if role == "none" else role),
                         actor=user.email, actor_role=user.role)
    except (ValueError, access.AccessError, StoreError) as error:
        state["grant_error"] = str(error)
        return
    data.after_write()
    state["grant_error"] = ""
    state["grant_saved"] = f"Saved: {state['grant_principal'].strip()} -> {role}"
    state["grant_principal"] = ""


with st.form("grant"):
    st.markdown("**Give, change or remove a role**")
    left, middle, right = st.columns([1, 2, 1])
    left.selectbox("Kind", ["email", "group"], key="grant_kind")
    middle.text_input("Email address or group name", key="grant_principal", placeholder="name@example.com")
    right.selectbox("Role", ["analyst", "management", "support", "admin", "none"], key="grant_role",
                    format_func=lambda r: "No access (remove)" if r == "none" else access.ROLES[r])
    st.form_submit_button("Save", type="primary", on_click=_save_grant)
if st.session_state.get("grant_error"):
    st.error("Not saved:")
    st.text(st.session_state["grant_error"])
elif st.session_state.get("grant_saved"):
    st.success(st.session_state.pop("grant_saved"))

# --- the access log ---------------------------------------------------------------------------
st.subheader("Access log")
today = data.today()
left, right = st.columns([1, 2])
event = left.selectbox("Event", ["", *access.EVENTS], format_func=lambda e: access.EVENTS.get(e, "Every event"))
span = right.date_input("Days (UTC)", value=(today - timedelta(days=30), today), max_value=today)
start, end = (span if isinstance(span, tuple) and len(span) == 2 else (today - timedelta(days=30), today))
log = data.query_live("access_log_recent", event=event, start=start, end=end)
problems = access.verify_access_log(data.store())
if problems:
    # Name the access-log entry (ChainProblem's own wording speaks of request history entries).
    st.error("The access log has been tampered with: "
             + "; ".join(f"access-log entry {p.entry_id}: {p.reason}" for p in problems[:5]))
else:
    st.caption("The access log's hash chain is intact: no entry was changed, removed or reordered.")
if log.empty:
    empty_state("Nothing in the access log for these days.")
else:
    st.dataframe(log, hide_index=True, width="stretch", column_config={
        "entry_id": st.column_config.NumberColumn("#"),
        "recorded_at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm:ss"),
        "actor": "Who", "event": "Event", "target": "What", "detail": "Detail",
    })

    st.download_button("Download the access log (CSV)",
                       data=data.logged_export(user, "access_log", lambda: exports.csv_bytes(log), rows=len(log)),
                       file_name="access_log.csv",
                       mime="text/csv", on_click="ignore")

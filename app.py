"""Privacy Ops: the router. Who is the user, which pages they get; nothing else."""

import streamlit as st

from ui import timing, upkeep
from ui.auth import gate
from ui.deeplinks import follow_deep_link, routed
from ui.nav import ROLES, navigation, pages_for

st.set_page_config(page_title="Privacy Ops", page_icon="🛡️", layout="wide")

upkeep.watch_inbox()
upkeep.require_store()
user = gate()
upkeep.daily_housekeeping()
upkeep.sweep_uploads()
page = navigation(user.role)
follow_deep_link({spec.path for spec in pages_for(user.role)})

with st.sidebar:
    st.text(f"Signed in as {user.name} · {ROLES[user.role]}")
    if user.signed_in:
        st.button("Sign out", on_click=st.logout)
    else:
        st.warning("Sign-in is off: this dashboard serves only this machine (127.0.0.1).", icon="🔓")

with routed(), timing.timed("page", page.url_path or "overview"):
    page.run()

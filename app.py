"""Privacy Ops: the router. Who is the user, which pages they get; nothing else."""

import streamlit as st

from ui import common
from ui.nav import PAGES, ROLES, SECTION_ORDER, pages_for

st.set_page_config(page_title="Privacy Ops", page_icon="🛡️", layout="wide")

user = common.gate()
common.daily_housekeeping()
allowed = pages_for(user.role)
sections: dict[str, list[st.Page]] = {}
for spec in PAGES:
    if spec in allowed:
        sections.setdefault(spec.section, []).append(
            st.Page(spec.path, title=spec.title, icon=spec.icon, url_path=spec.url_path,
                    default=spec == allowed[0]))
page = st.navigation({section: sections[section] for section in SECTION_ORDER if section in sections})
common.follow_deep_link({spec.path for spec in allowed})

with st.sidebar:
    st.caption(f"Signed in as **{user.name}** · {ROLES[user.role]}")
    if user.signed_in:
        st.button("Sign out", on_click=st.logout)
    else:
        st.warning("Sign-in is off: this dashboard serves only this machine (127.0.0.1).", icon="🔓")

with common.routed():
    page.run()

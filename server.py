"""The dashboard's server: `streamlit run server.py` (./dev run does it).

app.py runs once per visit; this file gives the server a start. Streamlit's App (st.App, the documented hook
for a server's start and stop: its lifespan runs once per process) opens the store and starts the import
inbox's watcher before anyone visits (ui.upkeep.server_lifespan), so a command line started after the
dashboard hands its import over instead of taking the store from it.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import streamlit as st


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    # Imported here, after st.App has started Streamlit's runtime, so ui.data's caches are the runtime's
    # (Streamlit's notes on st.App: a module-level import would bind them to a temporary in-memory cache).
    from ui import upkeep

    async with upkeep.server_lifespan(app):
        yield


app = st.App("app.py", lifespan=lifespan)

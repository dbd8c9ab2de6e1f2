"""The shared filter bar (date range and customer) that carries across pages and into the URL, and the
links to other pages that carry it along."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from ui import data
from ui.auth import User
from ui.nav import ROLES, page_spec


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    customer_id: str | None

    @property
    def customer(self) -> str:
        """The customer as a query parameter: '' means all customers."""
        return self.customer_id or ""


def _parse_date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _initial_filters() -> Filters:
    params = st.query_params
    today = data.today()
    # A copied link may carry dates past today (or reversed): clamp them, the date picker allows neither.
    end = min(_parse_date(params.get("to")) or today, today)
    start = min(_parse_date(params.get("from")) or (end - timedelta(days=364)), today)
    if start > end:
        start, end = end, start
    return Filters(start, end, params.get("customer") or None)


def filter_bar() -> Filters:
    """The date range and customer filter in the sidebar; kept in the session across pages and
    written to the URL (st.query_params) so a copied link reproduces the view."""
    state = st.session_state
    if "filters" not in state:
        state["filters"] = _initial_filters()
    current: Filters = state["filters"]
    customers = data.query("customer_list")
    names = dict(zip(customers["customer_id"], customers["name"], strict=True))
    if current.customer_id and current.customer_id not in names:
        current = Filters(current.start, current.end, None)
    if "flt_dates" not in state:
        state["flt_dates"] = (current.start, current.end)
    if "flt_customer" not in state:
        state["flt_customer"] = current.customer_id or ""

    with st.sidebar:
        st.subheader("Filters")
        picked = st.date_input("Date range", key="flt_dates", max_value=data.today(), format="YYYY-MM-DD",
                               help="Applies to every page that shows figures over time.")
        st.selectbox("Customer", options=["", *names], key="flt_customer",
                     format_func=lambda cid: "All customers" if not cid else f"{names[cid]} ({cid})",
                     help="The controller whose data you are looking at.")
    start, end = current.start, current.end
    if isinstance(picked, tuple | list) and len(picked) == 2:
        start, end = picked
    chosen = Filters(start, end, state["flt_customer"] or None)
    state["filters"] = chosen
    st.query_params.update({"from": chosen.start.isoformat(), "to": chosen.end.isoformat()})
    if chosen.customer_id:
        st.query_params["customer"] = chosen.customer_id
    elif "customer" in st.query_params:
        del st.query_params["customer"]
    return chosen


def shared_customer() -> str:
    """The customer chosen in the shared filter bar (or the URL's ?customer=), '' for all; for pages that
    use the customer but not the date range."""
    filters = st.session_state.get("filters")
    if isinstance(filters, Filters):
        return filters.customer
    return st.query_params.get("customer") or ""


def link_params(filters: Filters, **extra: str) -> dict[str, str]:
    """Query parameters for a link to another page with the same filters (plus its own)."""
    params = {"from": filters.start.isoformat(), "to": filters.end.isoformat()}
    if filters.customer_id:
        params["customer"] = filters.customer_id
    params.update(extra)
    return params


def link(page: str, label: str, *, query_params: dict[str, str] | None = None, icon: str | None = None) -> None:
    """st.page_link that degrades to plain text when the page is run without app.py's navigation."""
    try:
        st.page_link(page, label=label, query_params=query_params, icon=icon)
    except StreamlitPageNotFoundError:
        st.caption(f"{label} (on the {page_spec(page).title} page)")


def explain_link(user: User, filters: Filters, page: str, label: str, **extra: str) -> None:
    """A link to the page that explains a figure, with the same filters (and `extra` query parameters);
    a caption naming the page when the user's role cannot open it (a link to it would fail)."""
    spec = page_spec(page)
    if user.role in spec.roles:
        try:
            st.page_link(page, label=label, query_params=link_params(filters, **extra))
        except StreamlitPageNotFoundError:  # run without app.py's navigation (a deep link on a fresh server)
            st.caption(f"Explained on the {spec.title} page.")
    else:
        who = " or ".join(ROLES[r] for r in sorted(spec.roles) if r in ROLES)
        st.caption(f"Explained on the {spec.title} page ({who}).")

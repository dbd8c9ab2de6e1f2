"""What every page shares: the store, cached named queries, the user and their role, the filter
bar that carries across pages and into the URL, the demo label, and error display.

UI only; everything it knows about data comes from privacyops.
"""

from __future__ import annotations

import re
import threading
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException, StreamlitPageNotFoundError, StreamlitSecretNotFoundError
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from privacyops import clock
from privacyops.cases import access
from privacyops.importing import uploads
from privacyops.rules.settings import RuleSettings
from privacyops.store import Store, StoreError, default_db_path, open_store
from privacyops.store import settings as stored_settings
from ui.nav import PAGES, ROLES, SECTION_ORDER, page_spec, pages_for

PROJECT_ROOT = Path(__file__).resolve().parent.parent


# --- the store and cached reads ---------------------------------------------------------------

@st.cache_resource(show_spinner=False, on_release=lambda store: store.close())
def _store(path: str) -> Store:
    return open_store(path)


def store() -> Store:
    """The process's store, opened once (the path is the cache key, so tests can point elsewhere)."""
    return _store(str(default_db_path().resolve()))


@st.cache_data(ttl=600, show_spinner=False, max_entries=500)
def _cached_query(path: str, name: str, params: tuple[tuple[str, Any], ...]) -> pd.DataFrame:
    return _store(path).query(name, **dict(params))


def query(name: str, **params: Any) -> pd.DataFrame:
    """Run queries/NAME.sql through the cache; the store path is part of the key."""
    return _cached_query(str(default_db_path().resolve()), name, tuple(sorted(params.items())))


def query_live(name: str, **params: Any) -> pd.DataFrame:
    """Run queries/NAME.sql without the cache, for what changes on every look (the access log)."""
    return store().query(name, **params)


def after_write() -> None:
    """Every cached figure may have changed: drop them all so every page shows the new numbers."""
    _cached_query.clear()


def today() -> date:
    return clock.today()


@st.cache_resource(show_spinner=False, max_entries=4)
def _housekeeping_done(path: str, day: date) -> int:
    from privacyops.cases import housekeeping
    return housekeeping.daily(_store(path), today=day).anonymised


def daily_housekeeping() -> None:
    """Once a day per process: anonymise requester contacts whose evidence period has ended, and take the day's
    verified backup (rules.md 4; privacyops.cases.housekeeping)."""
    try:
        if _housekeeping_done(str(default_db_path().resolve()), today()):
            after_write()
    except StoreError as error:
        show_store_error(error)


def session_id() -> str:
    """This browser session's id (Streamlit's), '' outside a script run."""
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else ""


def _kept_sessions() -> set[str] | None:
    """The sessions the server still keeps (connected, or disconnected and within Streamlit's
    server.disconnectedSessionTTL); None when no server runs this script (AppTest) or it cannot say."""
    if not Runtime.exists():
        return None
    try:
        return {info.session.id for info in Runtime.instance()._session_mgr.list_sessions()}
    except AttributeError:  # Streamlit's session manager is not public API: go by age then
        return None


def sweep_uploads() -> None:
    """Remove uploaded files whose session has ended or whose server has stopped (privacyops.importing.uploads). Run on
    every script run: Streamlit has no session-end hook, and the first run of a process is the server's start."""
    uploads.sweep(_kept_sessions())


# --- who is looking ---------------------------------------------------------------------------

@dataclass(frozen=True)
class User:
    email: str
    name: str
    role: str | None
    signed_in: bool
    refusal: str | None = None   # why this sign-in is refused (an email address not proven to be theirs)


LOCAL_ADMIN = User(email="local.admin@localhost", name="Local admin", role="admin", signed_in=False)
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _secrets(section: str) -> dict[str, Any]:
    try:
        return dict(st.secrets.get(section, {}))
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return {}


def secret(section: str, key: str, default: Any = None) -> Any:
    """One value from .streamlit/secrets.toml (documented in secrets.example.toml), or `default`."""
    return _secrets(section).get(key, default)


def sign_in_configured() -> bool:
    """Sign-in is on when `.streamlit/secrets.toml` has an [auth] section (see secrets.example.toml)."""
    return bool(_secrets("auth"))


def listening_address() -> str:
    return str(st.get_option("server.address") or "0.0.0.0")


def current_user() -> User:
    """Who is looking. Without sign-in configured, the one local user is an admin; with it, the
    identity provider says who they are and our grants say what they may do (None: no access)."""
    if not sign_in_configured():
        return LOCAL_ADMIN
    if not st.user.get("is_logged_in"):
        return User(email="", name="", role=None, signed_in=False)
    settings = _secrets("privacyops")
    email = str(st.user.get("email") or "")
    refusal = access.unverified_email_refusal(
        st.user.to_dict(), require_claim=bool(settings.get("require_email_verified", True)))
    if refusal:
        return User(email=email, name=str(st.user.get("name") or email), role=None, signed_in=True,
                    refusal=refusal)
    groups = st.user.get(str(settings.get("group_claim", "groups"))) or []
    if isinstance(groups, str):
        groups = [groups]
    role = access.resolve_role(store(), email, groups, bootstrap_admins=settings.get("admins", []))
    return User(email=email, name=str(st.user.get("name") or email), role=role, signed_in=True)


@st.cache_data(ttl=30, show_spinner=False)
def _provider_answers(metadata_url: str) -> bool:
    """Whether the identity provider's discovery document answers (checked before offering Sign in)."""
    try:
        with urllib.request.urlopen(metadata_url, timeout=3) as reply:
            return reply.status == 200
    except (OSError, ValueError):
        return False


def gate() -> User:
    """Stop the script unless it may serve data to this user; returns the user when it may.

    Without sign-in the dashboard serves only this machine; asked to listen on another address it
    refuses (issue: sign-in and roles). With sign-in, a stranger sees a sign-in button, and someone
    no admin has granted a role sees a polite request to ask for access, and nothing else.
    """
    if not sign_in_configured():
        address = listening_address()
        if address not in LOOPBACK:
            st.error(f"Privacy Ops is listening on {address} without sign-in, so it serves no data. "
                     "Either configure sign-in ([auth] in .streamlit/secrets.toml, see "
                     ".streamlit/secrets.example.toml) or listen on 127.0.0.1 only.")
            _stop_without_pages()
        return LOCAL_ADMIN
    user = current_user()
    if not user.signed_in:
        st.title("Privacy Ops")
        st.write("Privacy Ops holds personal data: sign in with your company account to continue.")
        metadata_url = str(_secrets("auth").get("server_metadata_url") or "")
        if metadata_url and not _provider_answers(metadata_url):
            # Streamlit's own page for this says only "Authentication error": say what is wrong instead.
            st.error("Sign-in is not available right now: the company's identity provider does not answer. "
                     "Try again in a few minutes; if it lasts, tell IT.")
            st.button("Try again", on_click=_provider_answers.clear)
            _stop_without_pages()
        st.button("Sign in", type="primary", on_click=st.login)
        _stop_without_pages()
    if not user.email:
        # The provider said who signed in but sent no email address: no grant can match, and the person
        # should know why rather than be told to ask for a role.
        st.title("Privacy Ops")
        st.error("You are signed in, but your identity provider did not send your email address, so Privacy "
                 "Ops cannot tell who you are and gives you no access. Ask IT to release the email claim to "
                 "Privacy Ops.")
        st.button("Sign out", on_click=st.logout)
        _log_once(User(email=f"(no email; sub {st.user.get('sub') or 'unknown'})", name="", role=None,
                       signed_in=True), "access_denied", reason="no email claim")
        _stop_without_pages()
    if user.refusal:
        st.title("Privacy Ops")
        st.error("**You cannot sign in to Privacy Ops with this account.**", icon="🚫")
        st.text(user.refusal)
        st.button("Sign out", on_click=st.logout)
        _log_once(user, "access_denied", reason="email address not verified",
                  email_verified=st.user.get("email_verified", "(not said)"))
        _stop_without_pages()
    if user.role is None:
        st.title("Privacy Ops")
        st.warning("You are signed in, but you have no access to Privacy Ops yet. Ask an admin to give "
                   "you a role (management, support, analyst or admin).")
        st.text(f"Signed in as {user.email}")
        st.button("Sign out", on_click=st.logout)
        _log_once(user, "access_denied")
        _stop_without_pages()
    _log_once(user, "sign_in")
    return user


def navigation(user: User) -> StreamlitPage:
    """The user's pages in the sidebar, by section, the first one the default (app.py runs the one picked).
    Absolute paths: the script running may be a page file (a deep link on a fresh server), not app.py."""
    allowed = pages_for(user.role)
    sections: dict[str, list[StreamlitPage]] = {}
    for spec in allowed:
        sections.setdefault(spec.section, []).append(
            st.Page(PROJECT_ROOT / spec.path, title=spec.title, icon=spec.icon, url_path=spec.url_path,
                    default=spec == allowed[0]))
    return st.navigation({section: sections[section] for section in SECTION_ORDER if section in sections})


def _no_page() -> None:
    """The only 'page' of someone who gets none: what the gate drew is all they see."""


def _stop_without_pages() -> NoReturn:
    """Stop with no page list showing. On a freshly started server the `pages/` folder makes Streamlit list
    every page file in the sidebar (and run a deep-linked file without app.py) until some run calls
    st.navigation: calling it here, hidden, replaces that list and ends that mode for the whole server.
    Every registered URL gets a placeholder, so a deep link shows no "Page not found" dialog."""
    placeholders = [st.Page(_no_page, title="Privacy Ops", url_path="privacy-ops", default=True)]
    placeholders += [st.Page(_no_page, title="Privacy Ops", url_path=spec.url_path) for spec in PAGES]
    st.navigation(placeholders, position="hidden")
    st.stop()


def _log_once(user: User, event: str, **detail: Any) -> None:
    """One access-log entry per session for a sign-in (or a refused one)."""
    flag = f"_logged_{event}"
    if not st.session_state.get(flag):
        access.log_event(store(), actor=user.email, event=event, target="session",
                         detail={"role": user.role, **detail})
        st.session_state[flag] = True


_routing = threading.local()


@contextmanager
def routed() -> Iterator[None]:
    """Marks the current script run as coming through app.py's navigation (see require_page)."""
    _routing.active = True
    try:
        yield
    finally:
        _routing.active = False


def require_page(path: str) -> User:
    """Stop the page unless the user's role may see it. Called at the top of every page file, since
    a deep link may run a page without app.py on a freshly started server (Streamlit's legacy mode for
    a `pages/` folder). The first such run of a session is sent through app.py, which opens the same
    page and query; from then on the session has app.py's navigation."""
    user = gate()
    spec = page_spec(path)
    if user.role not in spec.roles:
        st.error(f"The {spec.title} page is not available to the {ROLES.get(user.role or '', 'unknown')} role. "
                 "Ask an admin if you need it.")
        navigation(user)  # their own pages, in place of the page-file list a fresh server shows
        st.stop()
    if not getattr(_routing, "active", False) and not st.session_state.get("_navigated"):
        st.session_state["_deep_link"] = (path, st.query_params.to_dict())
        try:
            st.switch_page("app.py")
        except StreamlitAPIException:
            st.session_state.pop("_deep_link", None)  # no app.py to go through (a bare test run): render here
    return user


def follow_deep_link(allowed_paths: set[str]) -> None:
    """In app.py, after the navigation exists: open the page a direct deep link asked for."""
    st.session_state["_navigated"] = True
    target = st.session_state.pop("_deep_link", None)
    if target and target[0] in allowed_paths:
        st.switch_page(target[0], query_params=target[1] or None)


# --- the shared filter bar --------------------------------------------------------------------

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
    # A copied link may carry dates past today (or reversed): clamp them, the date picker allows neither.
    end = min(_parse_date(params.get("to")) or today(), today())
    start = min(_parse_date(params.get("from")) or (end - timedelta(days=364)), today())
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
    customers = query("customer_list")
    names = dict(zip(customers["customer_id"], customers["name"], strict=True))
    if current.customer_id and current.customer_id not in names:
        current = Filters(current.start, current.end, None)
    if "flt_dates" not in state:
        state["flt_dates"] = (current.start, current.end)
    if "flt_customer" not in state:
        state["flt_customer"] = current.customer_id or ""

    with st.sidebar:
        st.subheader("Filters")
        picked = st.date_input("Date range", key="flt_dates", max_value=today(), format="YYYY-MM-DD",
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


def rule_settings() -> RuleSettings:
    """The DPO's rule settings as stored now."""
    return stored_settings.current(store())


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


def logged_export(user: User, what: str, build: Callable[[], bytes], **detail: Any) -> Callable[[], bytes]:
    """Wrap a download's builder so the export is recorded in the access log when it is taken."""
    def build_and_log() -> bytes:
        data = build()
        access.log_event(store(), actor=user.email, event="export", target=what,
                         detail={**detail, "bytes": len(data)})
        return data
    return build_and_log


# --- labels and messages ----------------------------------------------------------------------

def demo_banner() -> None:
    """Say plainly when the figures are demo data."""
    meta = query("store_meta")
    values = dict(zip(meta["key"], meta["value"], strict=True))
    if values.get("contents") == "demo":
        st.info(f"**Demo data.** Everything shown here is invented (generated "
                f"{values.get('demo_generated_at', '')[:10]}); no real person or customer is in it.",
                icon="🧪")


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>#~$|])")


def md_escape(text: Any) -> str:
    """Stored or typed text made safe to put inside a Markdown string: every Markdown character is
    escaped, so a name like '**x**' or '[a](b)' shows as typed and never becomes a link or HTML."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(text))


def show_store_error(error: StoreError) -> None:
    """The title in bold; the message (which may quote typed values) as plain text."""
    st.error(f"**{error.title}.**")
    st.text(str(error))


def empty_state(message: str) -> None:
    st.info(message, icon="ℹ️")


def fmt_int(value: Any) -> str:
    return "–" if value is None or pd.isna(value) else f"{int(value):,}".replace(",", " ")


def fmt_pct(value: Any, digits: int = 1) -> str:
    return "–" if value is None or pd.isna(value) else f"{float(value) * 100:.{digits}f} %"

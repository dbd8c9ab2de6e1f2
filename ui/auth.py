"""Who is looking and what they may see: the secrets, the current user and their role, the sign-in gate
with its messages, and the role check at the top of every page.

Sign-in (st.login, OIDC) says who the user is; our grants (privacyops.cases.access) say what they may do.
"""

from __future__ import annotations

import urllib.request
from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from privacyops.cases import access
from ui import data
from ui.deeplinks import send_through_app, stop_without_pages
from ui.nav import ROLES, navigation, page_spec


@dataclass(frozen=True)
class User:
    email: str
    name: str
    role: str | None
    signed_in: bool
    refusal: str | None = None   # why this sign-in is refused (an email address not proven to be theirs)


LOCAL_ADMIN = User(email="local.admin@localhost", name="Local admin", role="admin", signed_in=False)
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@st.cache_data(ttl=30, show_spinner=False)
def _provider_answers(metadata_url: str) -> bool:
    """Whether the identity provider's discovery document answers (checked before offering Sign in)."""
    try:
        with urllib.request.urlopen(metadata_url, timeout=3) as reply:
            return reply.status == 200
    except (OSError, ValueError):
        return False


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
    role = access.resolve_role(data.store(), email, groups, bootstrap_admins=settings.get("admins", []))
    return User(email=email, name=str(st.user.get("name") or email), role=role, signed_in=True)


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
            stop_without_pages()
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
            stop_without_pages()
        st.button("Sign in", type="primary", on_click=st.login)
        stop_without_pages()
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
        stop_without_pages()
    if user.refusal:
        st.title("Privacy Ops")
        st.error("**You cannot sign in to Privacy Ops with this account.**", icon="🚫")
        st.text(user.refusal)
        st.button("Sign out", on_click=st.logout)
        _log_once(user, "access_denied", reason="email address not verified",
                  email_verified=st.user.get("email_verified", "(not said)"))
        stop_without_pages()
    if user.role is None:
        st.title("Privacy Ops")
        st.warning("You are signed in, but you have no access to Privacy Ops yet. Ask an admin to give "
                   "you a role (management, support, analyst or admin).")
        st.text(f"Signed in as {user.email}")
        st.button("Sign out", on_click=st.logout)
        _log_once(user, "access_denied")
        stop_without_pages()
    _log_once(user, "sign_in")
    return user


def _log_once(user: User, event: str, **detail: Any) -> None:
    """One access-log entry per session for a sign-in (or a refused one)."""
    flag = f"_logged_{event}"
    if not st.session_state.get(flag):
        access.log_event(data.store(), actor=user.email, event=event, target="session",
                         detail={"role": user.role, **detail})
        st.session_state[flag] = True


def require_page(path: str) -> User:
    """Stop the page unless the user's role may see it. Called at the top of every page file, since
    a deep link may run a page without app.py on a freshly started server (ui.deeplinks)."""
    user = gate()
    spec = page_spec(path)
    if user.role not in spec.roles:
        st.error(f"The {spec.title} page is not available to the {ROLES.get(user.role or '', 'unknown')} role. "
                 "Ask an admin if you need it.")
        navigation(user.role)  # their own pages, in place of the page-file list a fresh server shows
        st.stop()
    send_through_app(path)
    return user

"""Every role x every page x every permission, with sign-in configured: allowed ones work, the rest are
refused; a page file run directly (a deep link on a freshly started server) shows nothing to the wrong
role; no email address reaches an analyst."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from streamlit.testing.v1 import AppTest

from privacyops.cases import access
from tests.app.conftest import ROOT
from ui.nav import PAGES

PEOPLE = {
    "management": "mona.manager@example.com",
    "support": "sam.support@example.com",
    "analyst": "ana.analyst@example.com",
    "admin": "dpo@example.com",          # a bootstrap admin from the secrets
}
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")

# What each role may do, written out by hand from the issue: the code's table must equal it.
EXPECTED_PERMISSIONS = {
    "management": set(),
    "support": {"reveal_contact", "work_requests", "import_data"},
    "analyst": {"import_data", "export_consent", "run_explorer"},
    "admin": set(access.PERMISSIONS),
}
# Who sees which page, written out by hand from the README's page table ("The pages": the "for" column;
# admin sees every page). Not derived from ui/nav.py: giving a role one page too many must fail here.
EXPECTED_MATRIX = {
    "pages/overview.py": {"management", "admin"},
    "pages/slas.py": {"management", "admin"},
    "pages/consent.py": {"management", "analyst", "admin"},
    "pages/rules.py": {"management", "admin"},
    "pages/retention.py": {"management", "admin"},
    "pages/requests.py": {"support", "admin"},
    "pages/log_request.py": {"support", "admin"},
    "pages/explore.py": {"analyst", "admin"},
    "pages/sql.py": {"analyst", "admin"},
    "pages/import.py": {"support", "analyst", "admin"},
    "pages/customers.py": {"admin"},
    "pages/access.py": {"admin"},
}


def may_see(role: str, path: str) -> bool:
    return role in EXPECTED_MATRIX[path]


def signed_in(at: AppTest, role: str) -> AppTest:
    at.secrets["auth"] = {"client_id": "privacyops-test", "client_secret": "x", "redirect_uri":
                          "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "x",
                          "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}
    at.secrets["privacyops"] = {"admins": [PEOPLE["admin"]], "group_claim": "groups"}
    at.user["is_logged_in"] = True
    at.user["email"] = PEOPLE[role]
    at.user["email_verified"] = True
    at.user["name"] = role.title()
    return at


@pytest.fixture
def granted_store(demo_app_store):
    for role in ("management", "support", "analyst"):
        access.set_grant(demo_app_store, access.Grant("email", PEOPLE[role], role), actor="dpo@example.com",
                         actor_role="admin")
    return demo_app_store


@pytest.mark.parametrize("role", list(PEOPLE))
def test_permissions_table(role):
    assert {p for p in access.PERMISSIONS if access.may(role, p)} == EXPECTED_PERMISSIONS[role]


def test_pages_per_role_match_the_readme():
    assert {spec.path: set(spec.roles) for spec in PAGES} == EXPECTED_MATRIX


@pytest.mark.parametrize("role", list(PEOPLE))
def test_each_role_reaches_exactly_its_pages(granted_store, role):
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), role)
    at.run()
    assert not at.exception, at.exception
    for spec in PAGES:
        if may_see(role, spec.path):
            at.switch_page(str(ROOT / spec.path))
            at.run()
            assert not at.exception, (role, spec.path, at.exception)
            assert not [e.value for e in at.error if "not available" in e.value], (role, spec.path)
        else:
            # Not in this role's navigation. AppTest either refuses the switch, or (once it has run other
            # pages) runs the file directly as a deep link would: then the page's own check must stop it.
            try:
                at.switch_page(str(ROOT / spec.path))
            except ValueError as refused:
                assert "Could not find a navigation page" in str(refused)
            else:
                at.run()
                assert [e.value for e in at.error if "not available" in e.value], (role, spec.path)
                assert not at.dataframe and not at.metric and not at.form, (role, spec.path)
    log = granted_store.query("access_log_chain")
    assert ("sign_in", PEOPLE[role]) in list(zip(log["event"], log["actor"], strict=True))


@pytest.mark.parametrize("spec", PAGES, ids=[s.url_path for s in PAGES])
@pytest.mark.parametrize("role", list(PEOPLE))
def test_a_page_run_directly_shows_nothing_to_the_wrong_role(granted_store, role, spec):
    at = signed_in(AppTest.from_file(str(ROOT / spec.path), default_timeout=60), role)
    at.run()
    assert not at.exception, at.exception
    if may_see(role, spec.path):
        assert not [e.value for e in at.error if "not available" in e.value]
    else:
        assert [e.value for e in at.error if "not available" in e.value]
        assert not at.dataframe and not at.metric and not at.get("vega_lite_chart") and not at.form


def test_a_stranger_sees_only_the_request_for_access(granted_store):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    signed_in(at, "analyst")
    at.user["email"] = "stranger@example.com"
    at.run()
    assert any("no access to Privacy Ops yet" in w.value for w in at.warning)
    assert not at.dataframe and not at.metric
    log = granted_store.query("access_log_chain")
    assert ("access_denied", "stranger@example.com") in list(zip(log["event"], log["actor"], strict=True))


@pytest.fixture
def provider_up() -> Iterator[str]:
    """A stand-in discovery address that answers (the sign-in page checks the provider before offering Sign in)."""
    class Discovery(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b'{"issuer": "http://127.0.0.1"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Discovery)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/.well-known/openid-configuration"
    server.shutdown()
    server.server_close()


def test_signed_out_visitor_sees_only_the_sign_in_button(granted_store, provider_up):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    signed_in(at, "analyst")
    at.secrets["auth"] = {**at.secrets["auth"], "server_metadata_url": provider_up}
    at.user["is_logged_in"] = False
    at.run()
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.error
    assert not at.dataframe and not at.metric


def test_a_provider_that_does_not_answer_is_said_plainly(granted_store):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    signed_in(at, "analyst")          # its server_metadata_url is port 9 on loopback: nobody answers
    at.user["is_logged_in"] = False
    at.run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [
        "Sign-in is not available right now: the company's identity provider does not answer. Try again in a "
        "few minutes; if it lasts, tell IT."]
    assert [b.label for b in at.button] == ["Try again"]
    assert not at.dataframe and not at.metric
    assert granted_store.query("access_log_chain")["event"].tolist() == ["role_change"] * 3


def test_no_email_claim_is_said_plainly_and_grants_nothing(granted_store):
    # Even a group with a grant gives nothing without an email address to name the person by.
    access.set_grant(granted_store, access.Grant("group", GROUP, "admin"), actor=PEOPLE["admin"],
                     actor_role="admin")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    signed_in(at, "analyst")
    at.user["email"] = None
    at.user["sub"] = "user-4711"
    at.user["groups"] = [GROUP]
    at.run()
    assert not at.exception, at.exception
    assert len(at.error) == 1 and "did not send your email address" in at.error[0].value
    assert [b.label for b in at.button] == ["Sign out"]
    assert not at.dataframe and not at.metric and not at.sidebar.text
    log = granted_store.query("access_log_chain")
    assert list(zip(log["event"], log["actor"], strict=True))[-1] == ("access_denied", "(no email; sub user-4711)")
    assert "sign_in" not in log["event"].tolist()


def test_only_an_admin_may_change_roles(granted_store):
    with pytest.raises(access.AccessError):
        access.set_grant(granted_store, access.Grant("email", "x@example.com", "admin"),
                         actor=PEOPLE["support"], actor_role="support")
    assert "x@example.com" not in granted_store.query("access_grants")["principal"].tolist()


def visible_text(at: AppTest) -> str:
    parts = [str(e.value) for kind in ("markdown", "text", "caption", "title", "header", "subheader", "error",
                                       "warning", "info", "success", "code") for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    for frame in at.dataframe:
        parts.append(frame.value.to_csv())
    for widget in list(at.selectbox) + list(at.multiselect):
        parts.extend(str(o) for o in widget.options)
    return "\n".join(parts)


def test_no_email_address_reaches_an_analyst(granted_store):
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), "analyst")
    at.run()
    for spec in PAGES:
        if not may_see("analyst", spec.path):
            continue
        at.switch_page(str(ROOT / spec.path))
        at.run()
        found = set(EMAIL.findall(visible_text(at))) - {PEOPLE["analyst"]}
        assert not found, (spec.path, sorted(found)[:5])


@pytest.mark.parametrize(("verified", "require", "admitted"), [
    (False, True, False),        # the provider says the address is not theirs (yet): never
    (False, False, False),
    ("false", True, False),      # some providers send the claim as text
    (None, True, False),         # the provider says nothing: refused by default
    (None, False, True),         # ... unless the secrets say the provider's addresses can be trusted
    ("true", True, True),
], ids=["false", "false-claim-optional", "text-false", "absent", "absent-claim-optional", "text-true"])
def test_an_admin_address_the_provider_has_not_verified_gets_nothing(granted_store, verified, require, admitted):
    """Someone who registered the DPO's address at a provider that did not check it is refused, told why,
    and the refusal is in the access log."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    signed_in(at, "admin")
    at.secrets["privacyops"] = {**at.secrets["privacyops"], "require_email_verified": require}
    if verified is None:
        del at.user["email_verified"]
    else:
        at.user["email_verified"] = verified
    at.run()
    assert not at.exception, at.exception
    log = granted_store.query("access_log_chain")
    denied = log[(log["event"] == "access_denied") & (log["actor"] == PEOPLE["admin"])]
    if admitted:
        assert any("Signed in as Admin" in t.value for t in at.sidebar.text)
        assert denied.empty
        return
    assert [e.value for e in at.error] == ["**You cannot sign in to Privacy Ops with this account.**"]
    reason = [t.value for t in at.text if "Your identity provider" in t.value]
    assert len(reason) == 1 and PEOPLE["admin"] in reason[0]
    assert ("is not verified" if verified is not None else "did not say whether") in reason[0]
    assert [b.label for b in at.button] == ["Sign out"]
    assert not at.dataframe and not at.metric and not at.sidebar.text
    assert len(denied) == 1 and "email address not verified" in denied["detail"].iloc[0]
    assert not (log["event"] == "sign_in").any()


# --- several grants, and the shapes a group claim comes in ------------------------------------------

GROUP = "privacy-team"
PERSON = "kim.colleague@example.com"


def signed_in_with_groups(store, email_role: str | None, group_role: str | None, groups) -> AppTest:
    for kind, principal, role in (("email", PERSON, email_role), ("group", GROUP, group_role)):
        if role:
            access.set_grant(store, access.Grant(kind, principal, role), actor=PEOPLE["admin"], actor_role="admin")
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), "analyst")
    at.user["email"] = PERSON
    at.user["name"] = "Kim Colleague"
    if groups is not None:
        at.user["groups"] = groups
    at.run()
    assert not at.exception, at.exception
    return at


def shown_role(at: AppTest) -> str:
    said = [t.value for t in at.sidebar.text if t.value.startswith("Signed in as")]
    assert len(said) == 1, said
    return said[0]


def logged_role(store) -> str | None:
    log = store.query("access_log_chain")
    entries = [json.loads(d) for a, e, d in zip(log["actor"], log["event"], log["detail"], strict=True)
               if a == PERSON and e == "sign_in"]
    assert len(entries) == 1, entries
    return entries[0]["role"]


# README: roles are granted by email or group; someone with both gets the wider one (ROLE_RANK, written
# out here: analyst < management < support < admin), whichever of the two grants it.
@pytest.mark.parametrize(("email_role", "group_role", "wider"), [
    ("analyst", "support", "support"),
    ("support", "analyst", "support"),
    ("management", "analyst", "management"),
    ("analyst", "admin", "admin"),
])
def test_the_wider_role_wins_whether_granted_by_email_or_group(granted_store, email_role, group_role, wider):
    at = signed_in_with_groups(granted_store, email_role, group_role, [GROUP, "someone-else"])
    assert shown_role(at) == f"Signed in as Kim Colleague · {access.ROLES[wider]}"
    assert logged_role(granted_store) == wider


def test_a_group_claim_given_as_one_string_counts(granted_store):
    at = signed_in_with_groups(granted_store, None, "support", GROUP)
    assert shown_role(at) == "Signed in as Kim Colleague · Support"
    assert logged_role(granted_store) == "support"


@pytest.mark.parametrize("groups", [None, [], "", "privacy", ["privacy-team-x"]],
                         ids=["no-claim", "empty-list", "empty-string", "part-of-the-name", "another-group"])
def test_no_matching_group_grants_nothing(granted_store, groups):
    at = signed_in_with_groups(granted_store, None, "support", groups)
    assert any("no access to Privacy Ops yet" in w.value for w in at.warning)
    assert not at.dataframe and not at.metric
    log = granted_store.query("access_log_chain")
    assert ("access_denied", PERSON) in list(zip(log["event"], log["actor"], strict=True))

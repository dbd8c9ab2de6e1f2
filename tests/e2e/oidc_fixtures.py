"""Sign-in fixtures: a real OpenID Connect provider (the npm package `oidc-provider`, tests/e2e/oidc/) on
127.0.0.1 and a `streamlit run` whose [auth] secrets point at it, over a store in which admins have
already granted roles.

Nothing is skipped: without node/npm, the provider's packages or Authlib the tests fail and say what
to install (CI must run them). One host name everywhere, 127.0.0.1: the browser's state cookie and the
redirect URI must agree on it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from privacyops.cases import access
from privacyops.store import open_store
from tests.e2e.conftest import ROOT, Server, free_port

OIDC_DIR = ROOT / "tests" / "e2e" / "oidc"
HOST = "127.0.0.1"
CLIENT_ID = "privacyops-test"
CLIENT_SECRET = "privacyops-test-client-secret"  # a test-only client of a test-only provider

# The provider's static accounts (tests/e2e/oidc/provider.mjs) and what the store grants them.
ADMIN = "dpo@example.com"                 # an admin through [privacyops] admins (bootstrap), no grant
ANALYST = "ana.analyst@example.com"
SUPPORT = "sam.support@example.com"
MANAGER = "mia.manager@example.com"       # management through the group claim "privacy-management"
STRANGER = "stranger@example.com"         # nobody granted anything
IMPOSTOR = "impostor@example.com"         # signs in with the DPO's address, which the provider did not verify
NO_EMAIL = "no.email.claim@example.com"   # the provider sends no email claim for it (its group has a role)
MANAGEMENT_GROUP = "privacy-management"
PSEUDONYM_KEY = "test-key-for-the-sign-in-tests"  # pseudonym.check_key wants 16 characters or more
SIGNED_IN_ACCOUNTS = (ADMIN, ANALYST, SUPPORT, MANAGER, STRANGER)
GRANTS = (
    access.Grant("email", ANALYST, "analyst"),
    access.Grant("email", SUPPORT, "support"),
    access.Grant("group", MANAGEMENT_GROUP, "management"),
)


def log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# --- what must be installed -------------------------------------------------------------------

def node_tools() -> tuple[str, str]:
    """node and npm, or a failed test that says how to get them (never a skip: CI must run these)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.fail("The sign-in tests need Node.js and npm for their OpenID Connect provider "
                    f"(node: {node or 'missing'}, npm: {npm or 'missing'}). Install them "
                    "(apt-get install -y nodejs npm) and run ./dev test, which runs "
                    "`npm ci --prefix tests/e2e/oidc`.", pytrace=False)
    return node, npm


def node_modules_current() -> bool:
    """npm writes node_modules/.package-lock.json on install; older than package-lock.json: stale."""
    installed = OIDC_DIR / "node_modules" / ".package-lock.json"
    return installed.exists() and installed.stat().st_mtime >= (OIDC_DIR / "package-lock.json").stat().st_mtime


def ensure_provider_packages(npm: str) -> None:
    """`npm ci` in tests/e2e/oidc unless its node_modules is current (./dev test does the same)."""
    if node_modules_current():
        return
    done = subprocess.run([npm, "ci", "--prefix", str(OIDC_DIR), "--no-audit", "--no-fund"],
                          capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0 or not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        pytest.fail(f"`npm ci --prefix {OIDC_DIR}` failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}",
                    pytrace=False)


def require_authlib() -> None:
    """st.login needs the streamlit[auth] extra (Authlib); without it the app cannot sign anyone in."""
    if importlib.util.find_spec("authlib") is None:
        pytest.fail("Streamlit's st.login needs Authlib: requirements.txt must install streamlit[auth] "
                    "(Authlib and httpx). Run ./dev setup after adding it.", pytrace=False)


# --- the provider -----------------------------------------------------------------------------

class OidcProvider:
    """`node provider.mjs PORT APP_PORT` on 127.0.0.1, up once its discovery document answers."""

    def __init__(self, app_port: int, log: Path) -> None:
        node, npm = node_tools()
        ensure_provider_packages(npm)
        self.port = free_port()
        while self.port == app_port:  # the app's port is chosen but not yet bound
            self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.metadata_url = f"{self.url}/.well-known/openid-configuration"
        self.log_path = log
        self.log = log.open("w")
        env = {**os.environ, "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET}
        self.process = subprocess.Popen([node, "provider.mjs", str(self.port), str(app_port)], cwd=OIDC_DIR,
                                        env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.flush()
                raise RuntimeError(f"the OpenID provider exited early:\n{log_tail(self.log_path)}")
            try:
                with urllib.request.urlopen(self.metadata_url, timeout=2) as reply:
                    if json.load(reply).get("issuer") == self.url:
                        return
            except (OSError, ValueError):
                time.sleep(0.2)
        raise TimeoutError(f"the OpenID provider did not answer in {timeout} s:\n{log_tail(self.log_path)}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# --- the app ----------------------------------------------------------------------------------

def write_secrets(path: Path, *, app_url: str | None, provider: OidcProvider | None,
                  metadata_url: str | None = None) -> Path:
    """A secrets.toml for `streamlit run --secrets.files`; with a provider (or just its discovery address,
    metadata_url, for a provider that is down) it turns sign-in on."""
    lines = []
    metadata_url = metadata_url or (provider.metadata_url if provider is not None else None)
    if metadata_url is not None and app_url is not None:
        lines += [
            "[auth]",
            f'redirect_uri = "{app_url}/oauth2callback"',
            f'cookie_secret = "{os.urandom(24).hex()}"',
            f'client_id = "{CLIENT_ID}"',
            f'client_secret = "{CLIENT_SECRET}"',
            f'server_metadata_url = "{metadata_url}"',
            'client_kwargs = { prompt = "login" }',
            "",
        ]
    lines += [
        "[privacyops]",
        f'admins = ["{ADMIN}"]',
        'group_claim = "groups"',
        f'pseudonym_key = "{PSEUDONYM_KEY}"',
        "",
    ]
    path.write_text("\n".join(lines))
    return path


class SecretsServer(Server):
    """tests/e2e/conftest.py's Server, with its own secrets file (so no developer's
    .streamlit/secrets.toml leaks in), a chosen port and a chosen listening address."""

    def __init__(self, db: Path, log: Path, secrets: Path, *, port: int | None = None,
                 address: str = HOST) -> None:
        self.port = port or free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log = log.open("a")
        env = {**os.environ, "PRIVACYOPS_DB": str(db)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", address,
             "--server.port", str(self.port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none", "--secrets.files", str(secrets)],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_healthy()

    @property
    def running(self) -> bool:
        return self.process.poll() is None and not self.log.closed

    def stop(self) -> None:
        if not self.log.closed:
            super().stop()


def grant_roles(db: Path) -> None:
    """The grants an admin would have made on the settings page; the store is locked once the app runs."""
    store = open_store(db)
    try:
        for grant in GRANTS:
            access.set_grant(store, grant, actor=ADMIN, actor_role="admin")
    finally:
        store.close()


@dataclass
class SignInApp:
    """The provider, the app signing in through it, and the store behind the app."""

    folder: Path
    db: Path
    secrets: Path
    provider: OidcProvider
    server: SecretsServer
    signed_in: set[str] = field(default_factory=set)   # accounts a test has signed in (this module)

    @property
    def url(self) -> str:
        return self.server.url

    def restart(self) -> SecretsServer:
        """Stop the app and start a fresh one on the same port (same origin, so sign-in cookies still
        hold): a fresh server is where a `pages/` folder lets deep links skip app.py."""
        self.server.stop()
        self.server = SecretsServer(self.db, self.folder / "streamlit.log", self.secrets, port=self.server.port)
        return self.server

    def stop(self) -> None:
        self.server.stop()

    def logs(self) -> str:
        return (f"--- streamlit log ---\n{log_tail(self.folder / 'streamlit.log')}\n"
                f"--- provider log ---\n{log_tail(self.provider.log_path)}")


@pytest.fixture(scope="module")
def sign_in_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SignInApp]:
    """Sign-in on: a provider, secrets naming it, a store with grants, and the app (module scope)."""
    require_authlib()
    folder = tmp_path_factory.mktemp("sign_in")
    db = folder / "store.duckdb"
    grant_roles(db)
    app_port = free_port()
    provider = OidcProvider(app_port, folder / "provider.log")
    try:
        secrets = write_secrets(folder / "secrets.toml", app_url=f"http://{HOST}:{app_port}", provider=provider)
        server = SecretsServer(db, folder / "streamlit.log", secrets, port=app_port)
    except BaseException:
        provider.stop()
        raise
    app = SignInApp(folder, db, secrets, provider, server)
    yield app
    app.stop()
    provider.stop()


@pytest.fixture(scope="module")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecretsServer]:
    """Sign-in off, yet asked to listen on every interface (0.0.0.0): the app must refuse to serve."""
    folder = tmp_path_factory.mktemp("no_sign_in")
    db = folder / "store.duckdb"
    grant_roles(db)
    secrets = write_secrets(folder / "secrets.toml", app_url=None, provider=None)
    server = SecretsServer(db, folder / "streamlit.log", secrets, address="0.0.0.0")  # every interface: the point
    yield server
    server.stop()


@pytest.fixture(scope="module")
def provider_down_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecretsServer]:
    """Sign-in on, but the identity provider does not answer: its address is a loopback port nobody listens on."""
    require_authlib()
    folder = tmp_path_factory.mktemp("provider_down")
    db = folder / "store.duckdb"
    grant_roles(db)
    app_port, closed_port = free_port(), free_port()
    while closed_port == app_port:
        closed_port = free_port()
    secrets = write_secrets(folder / "secrets.toml", app_url=f"http://{HOST}:{app_port}", provider=None,
                            metadata_url=f"http://{HOST}:{closed_port}/.well-known/openid-configuration")
    server = SecretsServer(db, folder / "streamlit.log", secrets, port=app_port)
    server.folder = folder
    yield server
    server.stop()

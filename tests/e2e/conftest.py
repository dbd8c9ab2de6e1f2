"""End-to-end fixtures: a real `streamlit run` on a free loopback port over a real demo store, and
Debian's chromium driven by Playwright (Playwright cannot download its own browser here)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "e2e" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A streamlit server started for a test module, stopped at its end: `streamlit run server.py`, as ./dev run
    starts it (the store opened and the import inbox watched from the server's start); kill() and restart()
    play a crash."""

    def __init__(self, db: Path, log: Path, script: str = "server.py") -> None:
        self.db = db
        self.script = script
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log.open("w")
        self._start()

    def _start(self) -> None:
        env = {**os.environ, "PRIVACYOPS_DB": str(self.db)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", self.script, "--server.address", "127.0.0.1",
             "--server.port", str(self.port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_healthy()

    def kill(self) -> None:
        """SIGKILL, as a crash or the OOM killer ends it: no shutdown, no checkpoint, the WAL left as it is."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=15)
        self.log.write(f"\n--- test: server killed with SIGKILL (exit {self.process.returncode}) ---\n")
        self.log.flush()

    def restart(self) -> None:
        """Start it again on the same store and port, after kill() or stop(); returns once it is healthy."""
        if self.process.poll() is None:
            raise RuntimeError("the server is still running: kill() or stop() it first")
        if self.log.closed:
            self.log = Path(self.log.name).open("a")   # closed again in stop()
        self.log.write("\n--- test: server restarted ---\n")
        self.log.flush()
        self._start()

    def _wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited early; see {self.log.name}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise TimeoutError(f"streamlit did not become healthy in {timeout} s")

    def stop(self) -> None:
        if self.process.poll() is not None:
            self.log.close()
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture(scope="session")
def e2e_demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo store made the way a user makes one: through the command line."""
    path = tmp_path_factory.mktemp("e2e") / "demo.duckdb"
    subprocess.run([sys.executable, "-m", "privacyops", "--db", str(path), "demo", "--events", "50000"],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)
    return path


@pytest.fixture(scope="module")
def server(e2e_demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("server")
    db = folder / "store.duckdb"
    db.write_bytes(e2e_demo_db.read_bytes())
    running = Server(db, folder / "streamlit.log")
    yield running
    running.stop()


def on_loopback(url: str) -> bool:
    """Whether a browser request stays on this machine (the tests let nothing else through)."""
    host = url.split("/")[2].split(":")[0] if "://" in url else ""
    return host in ("127.0.0.1", "localhost", "") or url.startswith(("data:", "blob:"))


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: ./dev test installs it (apt-get install chromium).")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1440, "height": 1000})

    # Nothing leaves this machine: anything not on loopback is refused.
    def only_loopback(route) -> None:
        if on_loopback(route.request.url):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_loopback)
    tab = context.new_page()
    yield tab
    context.close()


def wait_for_app(page, timeout: float = 60_000) -> None:
    """Wait until the script has finished running and the page is drawn."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=timeout, state="attached")
    page.wait_for_timeout(300)  # let charts paint after the last delta
    page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=timeout, state="attached")


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path

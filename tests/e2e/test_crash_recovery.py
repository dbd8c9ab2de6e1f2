"""A crash in the middle of the day (issue 11, "Done when"), in real browsers against a real server: 10 sessions
log requests through the Log request page while the server is killed with SIGKILL and started again on the same
store and port. Every request a page acknowledged (its success message with the request id) is stored exactly
once with the email that session typed; a submission in flight at the kill may be stored or not, never twice;
the numbering has no duplicates or gaps; both hash chains verify; nothing is half-written.

One Chromium, one browser context per session, driven by Playwright's async API in a thread of its own (so it
never meets the sync API the other e2e tests use). Every wait polls a state with a cap; no fixed sleeps.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from privacyops.store import open_store
from privacyops.store.history import verify_access_log
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, Server, on_loopback

pytestmark = pytest.mark.e2e

SESSIONS = 10
REQUESTS_PER_SESSION = 6         # submissions per session, before and after the kill together
KILL_AFTER_ACKNOWLEDGED = 20     # the kill comes once this many were acknowledged: about a third of the way
ANSWER_TIMEOUT = 45.0            # s a live server may take to answer one submission (2 loaded cores)
RECOVERY_TIMEOUT = 60.0          # s for the server to be healthy again, and for a page to be usable again
POLL = 0.1                       # s between two looks at a page
REQUEST_ID = re.compile(r"DSR-\d{6}")
EMAIL = "kill-s{session:02d}-n{number:02d}@example.com"   # unique per submission: no duplicate warning

# One look at the page in one round trip (a locator would wait for elements that a rerun may remove). A problem
# is an error or a warning in the main area (the sidebar always warns that sign-in is off on 127.0.0.1).
LOOK = """() => {
  const texts = (selector) => Array.from(document.querySelectorAll(selector), (e) => e.innerText);
  const app = document.querySelector('[data-test-script-state]');
  const box = document.querySelector('input[aria-label="Requester email"]');
  return {success: texts('[data-testid="stAlertContentSuccess"]'),
          problems: texts(['stAlertContentError', 'stException', 'stAlertContentWarning']
                          .map((id) => `[data-testid="stMain"] [data-testid="${id}"]`).join(', ')),
          script: app ? app.getAttribute('data-test-script-state') : null,
          form_ready: !!box && !box.disabled && box.value === ''};
}"""


class ServerGone(Exception):
    """The server this page was talking to was killed: what the page was doing has no answer."""


@dataclass
class Crash:
    """What the sessions know of the server: which life it is in (0 before the kill) and whether it is up."""
    server: Server
    up: asyncio.Event
    life: int = 0
    killed_at: float | None = None
    restart_seconds: float | None = None     # from the kill to healthy again


@dataclass
class Session:
    index: int
    acknowledged: dict[str, str] = field(default_factory=dict)   # email -> the request id its page showed
    unanswered: dict[str, bool] = field(default_factory=dict)    # email -> clicked before the kill
    waiting: bool = False                                        # clicked, no answer yet
    acknowledged_after_restart: int = 0
    first_load_seconds: float | None = None                      # the form's first load, before the kill
    recovery_seconds: float | None = None                        # from healthy again to a usable form


async def look(page) -> dict:
    try:
        return await page.evaluate(LOOK)
    except Exception:   # noqa: BLE001 (a page between two documents, or its connection gone: look again)
        return {"success": [], "problems": [], "script": None, "form_ready": False}


async def until_ready(page, crash: Crash, life: int, timeout: float) -> None:
    """Wait until the form is drawn, empty and enabled, and the script has finished its run."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if crash.life != life:
            raise ServerGone
        seen = await look(page)
        if seen["problems"]:
            raise AssertionError(f"the Log request page shows a problem: {seen['problems']}")
        if seen["form_ready"] and seen["script"] == "notRunning":
            return
        await asyncio.sleep(POLL)
    raise AssertionError(f"the Log request form was not usable within {timeout:.0f} s")


async def open_form(page, crash: Crash, session: Session) -> int:
    """Load Log request on the server's current life; after a crash, a page that recovers. Returns the life."""
    for _attempt in range(3):
        await asyncio.wait_for(crash.up.wait(), RECOVERY_TIMEOUT)
        life = crash.life
        started = time.monotonic()
        try:
            await page.goto(f"{crash.server.url}/log_request", timeout=RECOVERY_TIMEOUT * 1000)
            await until_ready(page, crash, life, RECOVERY_TIMEOUT)
        except ServerGone:
            continue     # killed while this page was loading: load it on the next life
        except Exception:
            if crash.life == life:
                raise
            continue
        if life == 0:
            session.first_load_seconds = time.monotonic() - started
        elif session.recovery_seconds is None:
            session.recovery_seconds = time.monotonic() - started
        return life
    raise AssertionError(f"session {session.index}: the Log request page never loaded")


async def answer(page, crash: Crash, life: int, email: str, previous: str | None) -> str | None:
    """The request id the page acknowledges this submission with; None when the server died before answering."""
    deadline = time.monotonic() + ANSWER_TIMEOUT
    gone_since: float | None = None
    while time.monotonic() < deadline:
        seen = await look(page)
        shown = [m.group(0) for text in seen["success"] if (m := REQUEST_ID.search(text))]
        if shown and shown[0] != previous:
            return shown[0]
        if seen["problems"]:
            await page.wait_for_timeout(1000)   # let the rest of the answer draw, to name the field
            raise AssertionError(f"{email}: the page answered with a problem: {(await look(page))['problems']}")
        if crash.life != life:
            # The server died. What it sent before dying is on the page already; give the page a moment after
            # the restart (it reconnects by itself) so that nothing it shows then goes unnoticed.
            await asyncio.wait_for(crash.up.wait(), RECOVERY_TIMEOUT)
            gone_since = gone_since or time.monotonic()
            if time.monotonic() - gone_since > 2:
                return None
            deadline = max(deadline, time.monotonic() + 3)
        await asyncio.sleep(POLL)
    raise AssertionError(f"{email}: no answer within {ANSWER_TIMEOUT:.0f} s from a live server")


async def submit(page, crash: Crash, life: int, session: Session, email: str, previous: str | None) -> str | None:
    """Type a request and log it; the request id acknowledged, or None (no answer: the server was killed)."""
    try:
        await until_ready(page, crash, life, ANSWER_TIMEOUT)
        await page.get_by_role("textbox", name="Requester email").fill(email, timeout=10_000)
        await page.get_by_role("textbox", name="Requester name (optional)").fill(
            f"Crash Tester {session.index}", timeout=10_000)
        if crash.life != life:
            return None      # never submitted
        session.unanswered[email] = crash.killed_at is None
        session.waiting = True
        await page.get_by_role("button", name="Log request").click(timeout=10_000)
        request_id = await answer(page, crash, life, email, previous)
    except ServerGone:
        return None
    except Exception:
        if crash.life == life:
            raise
        return None          # a widget disabled by the lost connection, a page gone: the kill's doing
    finally:
        session.waiting = False
    if request_id is not None:
        del session.unanswered[email]
        session.acknowledged[email] = request_id
        session.acknowledged_after_restart += life > 0
    return request_id


async def only_loopback(route) -> None:
    if on_loopback(route.request.url):
        await route.continue_()
    else:
        await route.abort()


async def run_session(browser, crash: Crash, session: Session) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    await context.route("**/*", only_loopback)
    page = await context.new_page()
    try:
        life = await open_form(page, crash, session)
        previous: str | None = None
        for number in range(REQUESTS_PER_SESSION):
            if crash.life != life:
                life, previous = await open_form(page, crash, session), None
            email = EMAIL.format(session=session.index, number=number)
            previous = await submit(page, crash, life, session, email, previous) or previous
        # Every page must come back after the crash, also one that finished before it or on an unanswered
        # submission: wait (bounded) for the kill and the restart, then load the form once more.
        deadline = time.monotonic() + 2 * RECOVERY_TIMEOUT
        while crash.life == 0 and time.monotonic() < deadline:
            await asyncio.sleep(POLL)
        if crash.life != life:
            await open_form(page, crash, session)
    finally:
        await context.close()


async def crash_midway(crash: Crash, sessions: list[Session]) -> None:
    """SIGKILL the server once enough requests were acknowledged, while submissions are in flight; start it
    again on the same store and port."""
    deadline = time.monotonic() + 90
    while sum(len(s.acknowledged) for s in sessions) < KILL_AFTER_ACKNOWLEDGED and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    # Kill while several pages wait for an answer, so that some write is likely under way (bounded wait).
    busy_deadline = time.monotonic() + 5
    while sum(s.waiting for s in sessions) < 3 and time.monotonic() < busy_deadline:
        await asyncio.sleep(0.01)
    crash.up.clear()
    crash.life += 1
    crash.killed_at = time.monotonic()
    crash.server.kill()
    await asyncio.to_thread(crash.server.restart)
    crash.restart_seconds = time.monotonic() - crash.killed_at
    crash.up.set()


async def browse(server: Server) -> tuple[Crash, list[Session]]:
    from playwright.async_api import async_playwright

    crash = Crash(server=server, up=asyncio.Event())
    crash.up.set()
    sessions = [Session(index) for index in range(SESSIONS)]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            async with asyncio.timeout(240), asyncio.TaskGroup() as group:
                group.create_task(crash_midway(crash, sessions))
                for session in sessions:
                    group.create_task(run_session(browser, crash, session))
        finally:
            await browser.close()
    return crash, sessions


@pytest.fixture
def crash_server(e2e_demo_db: Path, tmp_path: Path):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: ./dev test installs it (apt-get install chromium).")
    db = tmp_path / "store.duckdb"
    shutil.copyfile(e2e_demo_db, db)
    running = Server(db, tmp_path / "streamlit.log")
    yield running
    running.stop()


def test_every_acknowledged_request_survives_a_kill_once(crash_server: Server):
    server, db = crash_server, crash_server.db
    with ThreadPoolExecutor(max_workers=1) as pool:   # asyncio.run in a thread of its own, see the docstring
        crash, sessions = pool.submit(asyncio.run, browse(server)).result(timeout=300)
    server.stop()

    acknowledged = {email: rid for s in sessions for email, rid in s.acknowledged.items()}
    unanswered = {email: before for s in sessions for email, before in s.unanswered.items()}
    in_flight = [email for email, before in unanswered.items() if before]

    verify = subprocess.run([sys.executable, "-m", "privacyops", "--db", str(db), "verify-history"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0, verify.stdout + verify.stderr

    store = open_store(db)
    try:
        with store.cursor() as cur:
            stored = cur.execute(
                "SELECT requester_email, request_id FROM requests WHERE requester_email LIKE 'kill-s%@example.com'"
            ).fetchall()
            ids = [row[0] for row in cur.execute("SELECT request_id FROM requests").fetchall()]
            numbers = sorted(int(rid[4:]) for rid in ids if re.fullmatch(r"DSR-\d{6}", rid))
            without_create = cur.execute(
                "SELECT r.request_id FROM requests r WHERE (SELECT count(*) FROM request_history h "
                "WHERE h.request_id = r.request_id AND h.action = 'create') <> 1").fetchall()
            orphans = cur.execute("SELECT DISTINCT request_id FROM request_history "
                                  "WHERE request_id NOT IN (SELECT request_id FROM requests)").fetchall()
            access_problems = verify_access_log(cur)
    finally:
        store.close()

    by_email: dict[str, list[str]] = {}
    for email, rid in stored:
        by_email.setdefault(email, []).append(rid)
    not_sent = SESSIONS * REQUESTS_PER_SESSION - len(acknowledged) - len(unanswered)
    summary = (f"acknowledged {len(acknowledged)}, stored {len(stored)}, in flight at the kill "
               f"{len(in_flight)} ({sum(1 for e in in_flight if e in by_email)} of them stored), unanswered "
               f"after the kill {len(unanswered) - len(in_flight)}, typed but cut off before the click {not_sent}; "
               f"server healthy again {crash.restart_seconds or float('nan'):.1f} s after the kill; "
               "the form's load took at most "
               f"{max(s.first_load_seconds or 0 for s in sessions):.1f} s at the start, "
               f"{max(s.recovery_seconds or 0 for s in sessions):.1f} s after the restart")
    print(f"\ncrash test: {summary}")

    assert crash.killed_at is not None, "the server was never killed"
    assert len(acknowledged) >= KILL_AFTER_ACKNOWLEDGED + SESSIONS, "too few requests acknowledged to judge"
    assert all(s.recovery_seconds is not None for s in sessions), "every page came back after the restart"
    assert sum(s.acknowledged_after_restart for s in sessions), "no request was acknowledged after the restart"

    for email, rid in acknowledged.items():
        assert by_email.get(email) == [rid], f"{email} was acknowledged as {rid}, stored as {by_email.get(email)}"
    doubled = {email: rids for email, rids in by_email.items() if len(rids) > 1}
    assert not doubled, f"stored more than once: {doubled}"
    strangers = set(by_email) - set(acknowledged) - set(unanswered)
    assert not strangers, f"stored though never submitted: {strangers}"
    assert len(ids) == len(set(ids)), "request ids repeat"
    assert len(numbers) == len(set(numbers)), "request numbers repeat"
    ours = sorted(int(rid[4:]) for rids in by_email.values() for rid in rids)
    assert ours == list(range(ours[0], ours[0] + len(ours))), f"gaps in the numbering of this run: {ours}"
    assert ours[0] > max(n for n in numbers if n not in set(ours)), "a new request took an old number"
    assert not without_create, f"requests without exactly one create entry: {without_create[:5]}"
    assert not orphans, f"history entries without their request: {orphans[:5]}"
    assert not access_problems, [str(p) for p in access_problems[:5]]

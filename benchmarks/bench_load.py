"""Load benchmark (issue 11): one Chromium with N browser contexts against one real dashboard on a demo store,
each context logging requests and opening pages. The server measures its own time per logged request and per
page rerun (ui/timing.py, switched on by PRIVACYOPS_TIMINGS); the browsers share the machine's two cores with
the server, so their times are shown but not judged.

    ./dev bench load --events 10000000 --contexts 20 --rounds 3

Targets (issue 11): with 20 contexts at 10M consent records, server-side p95 under 100 ms for logging a
request and under 1 s for any page rerun. Traffic goes only to 127.0.0.1; every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
PAGES = ("", "requests", "slas", "consent", "retention")     # "" is the Overview at /
TARGETS = {"action": 0.100, "page": 1.0}
NAVIGATION_TIMEOUT_MS = 180_000


def demo_store(events: int) -> Path:
    """A demo store of `events` consent records under data/bench/, built once and reused."""
    path = ROOT / "data" / "bench" / f"demo-{events}.duckdb"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"building {path} ({events:,} consent records) ...", flush=True)
        subprocess.run([sys.executable, "-m", "privacyops", "--db", str(path), "demo", "--events", str(events)],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db: Path, timings: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "PRIVACYOPS_DB": str(db), "PRIVACYOPS_TIMINGS": str(timings)}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1", "--server.port",
         str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"], cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return process, url
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise TimeoutError(f"the dashboard did not start; see {log}")


async def settle(page) -> None:
    await page.wait_for_selector('[data-test-script-state="notRunning"]', state="attached")


async def one_user(browser, url: str, number: int, rounds: int, seen: list[dict]) -> None:
    """One person: per round, log a request, then open each page (bounded: rounds x (1 + pages) actions)."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(NAVIGATION_TIMEOUT_MS)
    page = await context.new_page()
    await page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(url)
                     else route.abort())
    async def log_request(round_no: int) -> None:
        await page.goto(f"{url}/log_request")
        await settle(page)
        await page.get_by_role("textbox", name="Requester email").fill(f"load.{number}.{round_no}@example.com")
        await page.get_by_role("button", name="Log request").click()
        await page.locator('[data-testid="stAlertContentSuccess"]').first.wait_for()

    async def open_page(name: str) -> None:
        await page.goto(f"{url}/{name}")
        await settle(page)

    try:
        for round_no in range(rounds):
            steps = [("log request", lambda r=round_no: log_request(r))]
            steps += [(name or "overview", lambda n=name: open_page(n)) for name in PAGES]
            for label, step in steps:
                started = time.perf_counter()
                try:
                    await step()
                    seen.append({"kind": "browser", "name": label, "seconds": time.perf_counter() - started})
                except PlaywrightTimeout:   # counted, not fatal: an overloaded server is a result too
                    seen.append({"kind": "browser", "name": label, "seconds": None})
    finally:
        await context.close()


async def drive(url: str, contexts: int, rounds: int) -> list[dict]:
    from playwright.async_api import async_playwright

    seen: list[dict] = []
    async with async_playwright() as play:
        browser = await play.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            await asyncio.gather(*(one_user(browser, url, n, rounds, seen) for n in range(contexts)))
        finally:
            await browser.close()
    return seen


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summarise(rows: list[dict]) -> list[dict]:
    groups: dict[tuple[str, str], list[float | None]] = {}
    for row in rows:
        groups.setdefault((row["kind"], row["name"]), []).append(row["seconds"])
    out = []
    for (kind, name), raw in sorted(groups.items()):
        values = [float(v) for v in raw if v is not None]
        timeouts = len(raw) - len(values)
        target = TARGETS.get(kind)
        p95 = percentile(values, 0.95) if values else float("inf")
        out.append({"kind": kind, "name": name, "n": len(values), "timeouts": timeouts,
                    "p50": statistics.median(values) if values else float("inf"), "p95": p95,
                    "max": max(values) if values else float("inf"), "target": target,
                    "met": None if target is None else (p95 < target and not timeouts)})
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200_000, help="consent records in the demo store")
    parser.add_argument("--contexts", type=int, default=20, help="browser contexts (people) at once")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per context (a request and every page)")
    args = parser.parse_args()
    source = demo_store(args.events)
    with tempfile.TemporaryDirectory(prefix="privacyops-load-") as folder:
        work = Path(folder)
        db = work / "store.duckdb"
        shutil.copyfile(source, db)         # the run's requests do not pile up in the reused store
        timings = work / "timings.jsonl"
        server, url = start_server(db, timings, work / "server.log")
        try:
            started = time.perf_counter()
            browser_rows = asyncio.run(drive(url, args.contexts, args.rounds))
            wall = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=30)
        server_rows = [json.loads(line) for line in timings.read_text("utf-8").splitlines()] if timings.exists() else []
    table = summarise(server_rows + browser_rows)
    print(f"\n{args.contexts} contexts x {args.rounds} rounds on {args.events:,} consent records, {wall:.1f} s wall\n")
    print(f"{'where':8} {'what':16} {'n':>5} {'t/o':>4} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}  target")
    for row in table:
        verdict = "" if row["target"] is None else (f"< {row['target'] * 1000:.0f} ms "
                                                      + ("met" if row["met"] else "NOT met"))
        print(f"{row['kind']:8} {row['name']:16} {row['n']:5d} {row['timeouts']:4d} {row['p50'] * 1000:9.1f} "
              f"{row['p95'] * 1000:9.1f} "
              f"{row['max'] * 1000:9.1f}  {verdict}")
    finite = [{k: (None if isinstance(v, float) and v == float("inf") else v) for k, v in row.items()}
              for row in table]
    print(json.dumps({"benchmark": "load", "events": args.events, "contexts": args.contexts, "rounds": args.rounds,
                      "wall_seconds": round(wall, 2), "rows": finite}))
    return 0 if all(row["met"] in (None, True) for row in table) else 1


if __name__ == "__main__":
    sys.exit(main())

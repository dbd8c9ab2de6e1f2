"""Page benchmark (issue 10): every page as a user sees it, in Chromium, on a demo store of N consent records,
against a trivial Streamlit page (a title, a metric, a line chart) timed in the same run on the same machine.

    ./dev bench pages --events 10000000

Cold: the page opened on a freshly started server. Warm: the same page from a new browser session on that
server. The trivial page's own times are Streamlit's and the browser's cost; the table shows what each page
adds on top ("+cold", "+warm"), the figures issue 10's goals are stated in. The machine is shared and noisy:
compare within one run. Prints a table and one JSON line. Traffic goes only to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
PAGES = ("overview", "slas", "consent", "retention", "rules", "requests", "log_request", "explore", "sql",
         "import", "customers", "access")
TRIVIAL = '''import pandas as pd
import streamlit as st

st.title("Trivial page")
st.metric("A figure", 42)
st.line_chart(pd.DataFrame({"x": range(30), "y": [i * i % 17 for i in range(30)]}).set_index("x"))
'''


def demo_store(events: int) -> Path:
    path = ROOT / "data" / "bench" / f"demo-{events}.duckdb"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"building {path} ({events:,} consent records) ...", flush=True)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "privacyops", "--db", str(path), "demo", "--events", str(events)],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        print(f"built in {time.perf_counter() - started:.1f} s", flush=True)
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, script: Path, cwd: Path, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.address", "127.0.0.1",
             "--server.port", str(self.port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"], cwd=cwd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise TimeoutError(f"the server did not start; see {log}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def load(browser, url: str) -> float:
    """Seconds from navigation until the script has finished and the page is drawn (charts included)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1")
               else route.abort())
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_selector('[data-testid="stApp"]', timeout=300_000)
    for _ in range(2):   # a run can start a second (a deep link sent through app.py): wait for quiet twice
        page.wait_for_selector('[data-test-script-state="notRunning"]', state="attached", timeout=300_000)
        page.wait_for_timeout(150)
    seconds = time.perf_counter() - started - 0.3
    context.close()
    return seconds


def time_page(browser, script: Path, cwd: Path, env: dict[str, str], path: str, log: Path) -> tuple[float, float]:
    server = Server(script, cwd, env, log)
    try:
        url = f"{server.url}/{'' if path == 'overview' else path}"
        return load(browser, url), load(browser, url)
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="consent records in the demo store")
    parser.add_argument("--pages", nargs="*", default=list(PAGES), help="which pages (URL paths; overview = /)")
    args = parser.parse_args()
    store = demo_store(args.events)
    from playwright.sync_api import sync_playwright

    results = []
    with tempfile.TemporaryDirectory(prefix="privacyops-pages-") as folder, sync_playwright() as play:
        work = Path(folder)
        trivial = work / "trivial.py"
        trivial.write_text(TRIVIAL, "utf-8")
        browser = play.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            base_cold, base_warm = time_page(browser, trivial, work, dict(os.environ), "overview", work / "t.log")
            env = {**os.environ, "PRIVACYOPS_DB": str(store)}
            for name in args.pages:
                cold, warm = time_page(browser, ROOT / "app.py", ROOT, env, name, work / f"{name}.log")
                results.append({"page": name, "cold": cold, "warm": warm, "cold_over_trivial": cold - base_cold,
                                "warm_over_trivial": warm - base_warm})
                print(f"  {name:12} cold {cold:6.2f} s  warm {warm:6.2f} s", flush=True)
        finally:
            browser.close()
    print(f"\ntrivial page: cold {base_cold:.2f} s, warm {base_warm:.2f} s ({args.events:,} consent records)\n")
    print(f"{'page':12} {'cold':>7} {'warm':>7} {'+cold':>7} {'+warm':>7}")
    for row in results:
        print(f"{row['page']:12} {row['cold']:7.2f} {row['warm']:7.2f} {row['cold_over_trivial']:+7.2f} "
              f"{row['warm_over_trivial']:+7.2f}")
    print(json.dumps({"benchmark": "pages", "events": args.events, "trivial_cold": round(base_cold, 3),
                      "trivial_warm": round(base_warm, 3),
                      "pages": [{k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items()}
                                for r in results]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

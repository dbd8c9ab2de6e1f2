"""The README's run command, as a new user runs it: `./dev run` on an empty store fills it with demo data
and serves a dashboard that says it is demo data."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request

import pytest

from tests.e2e.conftest import ROOT, free_port, wait_for_app

pytestmark = pytest.mark.e2e


def test_dev_run_fills_an_empty_store_and_serves_it(tmp_path, page):
    port = free_port()
    db = tmp_path / "fresh.duckdb"
    env = {**os.environ, "PORT": str(port), "PRIVACYOPS_DB": str(db), "PRIVACYOPS_DEMO_EVENTS": "5000"}
    log = (tmp_path / "run.log").open("w")
    run = subprocess.Popen(["./dev", "run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                           start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert run.poll() is None, (tmp_path / "run.log").read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("./dev run did not serve the dashboard in 180 s")
        page.goto(f"http://127.0.0.1:{port}/")
        wait_for_app(page)
        page.get_by_text("Demo data.").first.wait_for(timeout=30_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert "The store is empty: filling it with demo data" in (tmp_path / "run.log").read_text()
    finally:
        os.killpg(run.pid, signal.SIGTERM)
        run.wait(timeout=30)
        log.close()

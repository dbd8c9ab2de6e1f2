"""The command line next to a running dashboard (issue 11, items 3 and 4), with a real `streamlit run server.py`
on a demo store: the dashboard holds the store from its start (before anyone visits), and
`python -m privacyops import` hands its file to the dashboard, which imports it and sends back the report."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from privacyops.importing import inbox
from privacyops.store import open_store
from tests.e2e.conftest import ROOT, Server, wait_for_app

pytestmark = pytest.mark.e2e
SAMPLES = ROOT / "data" / "samples"


def privacyops(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "privacyops", "--db", str(db), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_the_command_line_imports_through_the_running_dashboard(e2e_demo_db, tmp_path, page):
    db = tmp_path / "store.duckdb"
    shutil.copy(e2e_demo_db, db)
    server = Server(db, tmp_path / "streamlit.log")
    try:
        # nobody has visited: the store is the dashboard's already, and the refusal names it
        stats = privacyops(db, "stats")
        assert stats.returncode == 1
        assert (f"held by a Privacy Ops dashboard (streamlit run server.py), process {server.process.pid}"
                in stats.stderr)

        customers = privacyops(db, "import", "customers", str(SAMPLES / "customers.csv"), "--json")
        assert customers.returncode == 0, customers.stderr
        consent = privacyops(db, "import", "consent", str(SAMPLES / "consent.csv"), "--json")
        assert consent.returncode == 0, consent.stderr
        assert "handing consent.csv to it through its inbox" in consent.stderr
        report = json.loads(consent.stdout.strip().splitlines()[-1])
        assert (report["file_name"], report["read"], report["imported"], report["rejected"]) == (
            "consent.csv", 12, 12, 0)
        # the copies (personal data) are gone from the inbox once imported
        assert [p.name for p in inbox.inbox_folder(db).iterdir()] == [inbox.WATCHER_FILE]

        # the dashboard still serves, and its Import page was told of the new runs
        page.goto(f"{server.url}/import")
        wait_for_app(page)
        page.get_by_text("Recent imports").first.wait_for(timeout=30_000)
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        server.stop()
    runs = open_store(db).query("import_runs", kind="")
    inbox_runs = runs[runs["actor"].str.endswith("(command line, inbox)")]
    assert sorted(inbox_runs["file_name"]) == ["consent.csv", "customers.csv"]
    assert inbox_runs.loc[inbox_runs["file_name"] == "consent.csv", "rows_imported"].tolist() == [12]

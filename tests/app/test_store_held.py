"""A dashboard whose store another program holds shows a page-level message naming that program, never a
traceback, and works once the program is done (issue 11, item 3). The holder is a real command-line import
in a second process, frozen (SIGSTOP) while it holds the store so the test does not race it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from privacyops.cases import customers
from privacyops.store import open_store
from tests.app.conftest import ROOT, texts
from tests.conftest import make_customer
from tests.data.test_import_files import HEADER, lines, row, write


@pytest.fixture
def held_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, subprocess.Popen]]:
    """A store with a customer, held by `python -m privacyops import consent nightly.csv` (stopped midway)."""
    db = tmp_path / "held.duckdb"
    store = open_store(db)
    customers.save(store, make_customer("C01", "Testkund Ett AB"), actor="fixture@example.com")
    store.close()
    path = write(tmp_path, "nightly.csv", lines(HEADER, *(row(f"N{i}", subject=f"S{i}") for i in range(20_000))))
    importing = subprocess.Popen([sys.executable, "-m", "privacyops", "--db", str(db), "import", "consent", str(path)],
                                 cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert importing.stderr.readline().startswith("Importing consent from nightly.csv")   # the store is open
    os.kill(importing.pid, signal.SIGSTOP)
    monkeypatch.setenv("PRIVACYOPS_DB", str(db))
    monkeypatch.chdir(ROOT)
    try:
        yield db, importing
    finally:
        if importing.poll() is None:
            os.kill(importing.pid, signal.SIGCONT)
            importing.kill()
        importing.communicate()


def test_the_page_names_the_command_line_import_that_holds_the_store(held_store):
    db, importing = held_store
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    shown = texts(at) + "\n".join(t.value for t in at.text)
    assert "The store is in use by another program." in shown
    assert (f"held by the command line import (python -m privacyops import consent nightly.csv), "
            f"process {importing.pid}") in shown
    assert "Privacy Ops dashboard" not in shown           # the old message blamed a dashboard
    assert "reload this page" in shown
    assert not at.sidebar.button and not at.metric         # the page stopped there: no navigation, no figures

    # the import goes on and ends; the next visit gets the store, with the command line's rows in it
    os.kill(importing.pid, signal.SIGCONT)
    assert importing.wait(timeout=120) == 0
    at.run()
    assert not at.exception, at.exception
    assert "The store is in use" not in texts(at)
    runs = open_store(db).query("import_runs", kind="consent")
    assert runs["file_name"].tolist() == ["nightly.csv"] and runs["rows_imported"].tolist() == [20_000]

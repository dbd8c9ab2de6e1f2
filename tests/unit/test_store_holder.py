"""Who holds the store (privacyops.store.errors): the program named from its command line, as Linux's
/proc/PID/cmdline gives it, so a refused user reads which program to wait for or stop (issue 11, item 3).
Command lines are fed as lists, and /proc as a folder of the test's own; no database."""

from __future__ import annotations

from pathlib import Path

import pytest

from privacyops.store.errors import holder_cmdline, locked_error, name_holder

# DuckDB 1.5's lock message, as open_store sees it when another process holds the file.
DUCKDB_LOCK = ('IO Error: Could not set lock on file "/srv/data/privacyops.duckdb": Conflicting lock is held in '
               "/usr/bin/python3.11 (PID 4242) by user privacyops. See also https://duckdb.org/docs/stable/"
               "connect/concurrency")


@pytest.mark.parametrize(("cmdline", "kind", "words"), [
    (["/srv/po/.venv/bin/python", "/srv/po/.venv/bin/streamlit", "run", "app.py", "--server.port", "8501"],
     "dashboard", "a Privacy Ops dashboard (streamlit run app.py)"),
    (["python3", "-m", "streamlit", "run", "/srv/po/server.py", "--server.headless", "true"],
     "dashboard", "a Privacy Ops dashboard (streamlit run server.py)"),
    (["/srv/po/.venv/bin/python", "-m", "privacyops", "--db", "data/x.duckdb", "import", "consent",
      "/home/anna/exports/consent-2026-11.csv", "--json"],
     "import", "the command line import (python -m privacyops import consent consent-2026-11.csv)"),
    (["python", "-m", "privacyops", "import", "--delimiter", ";", "requests", "requests.csv"],
     "import", "the command line import (python -m privacyops import requests requests.csv)"),
    (["python", "/srv/po/privacyops/__main__.py", "demo", "--events", "5000"],
     "command line", "the Privacy Ops command line (python -m privacyops demo)"),
    (["/usr/bin/duckdb", "/srv/data/privacyops.duckdb"], "other",
     "another program (duckdb /srv/data/privacyops.duckdb)"),
    (["python3", "-c", "import duckdb"], "other", "another program (python3 -c import duckdb)"),
    (None, "unknown", "another process"),
    ([], "unknown", "another process"),
])
def test_the_holder_is_named_from_its_command_line(cmdline, kind, words):
    holder = name_holder(cmdline)
    assert (holder.kind, holder.words) == (kind, words)


def test_a_long_command_line_is_cut_short():
    holder = name_holder(["/usr/bin/some-tool", "x" * 200])
    assert holder.words.startswith("another program (some-tool xxx") and holder.words.endswith("...)")
    assert len(holder.words) < 110


def fake_proc(root: Path, pid: int, cmdline: list[str]) -> Path:
    folder = root / str(pid)
    folder.mkdir(parents=True)
    (folder / "cmdline").write_bytes(b"\0".join(part.encode() for part in cmdline) + b"\0")
    return root


def test_the_command_line_is_read_from_proc(tmp_path):
    proc = fake_proc(tmp_path, 4242, ["python", "-m", "privacyops", "import", "consent", "c.csv"])
    assert holder_cmdline(4242, proc) == ["python", "-m", "privacyops", "import", "consent", "c.csv"]
    assert holder_cmdline(4243, proc) is None      # gone (or not ours to read)


def test_the_lock_message_names_the_command_line_import_not_a_dashboard(tmp_path):
    proc = fake_proc(tmp_path, 4242, ["/srv/po/.venv/bin/python", "-m", "privacyops", "import", "consent",
                                      "/tmp/consent.csv"])
    error = locked_error(DUCKDB_LOCK, Path("/srv/data/privacyops.duckdb"), proc)
    assert error.pid == 4242 and error.holder.kind == "import"
    text = str(error)
    assert "held by the command line import (python -m privacyops import consent consent.csv), process 4242" in text
    assert "dashboard (streamlit" not in text and "most likely" not in text
    assert "Wait until that import has finished" in text


def test_the_lock_message_names_a_dashboard_and_the_way_to_import_while_it_runs(tmp_path):
    proc = fake_proc(tmp_path, 4242, ["/srv/po/.venv/bin/python", "/srv/po/.venv/bin/streamlit", "run", "app.py"])
    error = locked_error(DUCKDB_LOCK, Path("/srv/data/privacyops.duckdb"), proc)
    assert error.holder.kind == "dashboard"
    assert "held by a Privacy Ops dashboard (streamlit run app.py), process 4242" in str(error)
    assert "hands the file to it" in str(error)


def test_a_holder_that_is_gone_is_still_given_by_its_pid(tmp_path):
    error = locked_error(DUCKDB_LOCK, Path("/srv/data/privacyops.duckdb"), tmp_path)
    assert "is held by process 4242. DuckDB lets one program" in str(error)

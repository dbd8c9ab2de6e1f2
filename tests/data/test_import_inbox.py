"""The import inbox (privacyops.importing.inbox, inbox_watcher, cli's hand-over): while a dashboard holds the
store, `python -m privacyops import` hands the file over and prints the dashboard's report (issue 11, item 4).

The test process plays the dashboard: it holds the store (open_store) and runs the real watcher; the command
line is a real second process (`python -m privacyops import ...`), so DuckDB's lock is the real one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from privacyops.importing import inbox
from privacyops.importing.inbox_watcher import InboxWatcher
from tests.data.test_import_files import HEADER, lines, row, write

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def watcher(customer_store):
    """The dashboard's side: the store held by this process, its inbox watched."""
    running = InboxWatcher(customer_store.path, poll_every_s=0.2).start()
    yield running
    running.stop()


def command(store_path: Path, kind: str, file: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "privacyops", "--db", str(store_path), "import", kind, str(file),
                             *extra], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finished(process: subprocess.Popen, timeout: float = 120) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def left_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != inbox.WATCHER_FILE)


def test_a_handed_over_file_is_imported_by_the_dashboard_and_the_command_prints_its_report(
        customer_store, watcher, tmp_path):
    path = write(tmp_path, "consent-nightly.csv", lines(HEADER, row("CR1"), row("CR2", subject="S2")))
    code, out, err = finished(command(customer_store.path, "consent", path, "--json"))
    assert code == 0, err
    assert "handing consent-nightly.csv to it through its inbox" in err and "Waiting for the dashboard" in err
    assert "2 rows read = 2 imported + 0 rejected + 0 already present" in err
    report = json.loads(out.strip().splitlines()[-1])
    assert (report["read"], report["imported"], report["file_name"]) == (2, 2, "consent-nightly.csv")
    # in the dashboard's store, recorded as the command line's (by the OS user) through the inbox
    counts = customer_store.query("store_counts")
    assert int(counts.set_index("table_name")["row_count"]["consent_records"]) == 2
    runs = customer_store.query("import_runs", kind="consent")
    assert runs["rows_imported"].tolist() == [2] and runs["file_name"].tolist() == ["consent-nightly.csv"]
    assert runs["actor"].iloc[0].endswith("(command line, inbox)")
    # the copy (personal data), the request and the result are gone; the inbox is private
    assert left_in(watcher.folder) == []
    assert watcher.folder.stat().st_mode & 0o777 == 0o700


def test_the_plain_report_and_its_rejects_come_back_for_a_bad_file(customer_store, watcher, tmp_path):
    path = write(tmp_path, "consent.csv", lines(HEADER, row("CR1", customer="C99"),
                                                row("CR2", given="2025-02-30T10:00:00Z")))
    code, out, _ = finished(command(customer_store.path, "consent", path))
    assert code == 1                    # nothing could be imported, as when the command imports itself
    assert out.splitlines()[0].startswith("2 rows read = 0 imported + 2 rejected + 0 already present")
    assert "customer_id: is not a customer in the store" in out
    rejects = Path(out.split("Every rejected row, with its line number and reasons: ")[1].strip())
    assert rejects.exists() and rejects.parent == customer_store.path.parent / "rejects"
    assert customer_store.query("import_runs", kind="consent")["rows_rejected"].tolist() == [2]
    assert left_in(watcher.folder) == []


def test_two_commands_at_once_each_get_their_own_report(customer_store, watcher, tmp_path):
    first = write(tmp_path, "a.csv", lines(HEADER, *(row(f"A{i}") for i in range(50))))
    second = write(tmp_path, "b.csv", lines(HEADER, *(row(f"B{i}") for i in range(30)), row("B-bad", customer="C9")))
    running = [command(customer_store.path, "consent", first, "--json"),
               command(customer_store.path, "consent", second, "--json")]
    (code_a, out_a, err_a), (code_b, out_b, err_b) = [finished(p) for p in running]
    assert (code_a, code_b) == (0, 0), err_a + err_b
    a, b = (json.loads(out.strip().splitlines()[-1]) for out in (out_a, out_b))
    assert (a["file_name"], a["imported"], a["rejected"]) == ("a.csv", 50, 0)
    assert (b["file_name"], b["imported"], b["rejected"]) == ("b.csv", 30, 1)
    runs = customer_store.query("import_runs", kind="consent")
    assert sorted(runs["file_name"]) == ["a.csv", "b.csv"]
    assert left_in(watcher.folder) == []


def test_partial_files_are_never_taken(customer_store, tmp_path):
    folder = inbox.ensure_folder(inbox.inbox_folder(customer_store.path))
    path = write(tmp_path, "consent.csv", lines(HEADER, row("CR1")))
    request = inbox.hand_over(folder, path, "consent", customer_store.path, as_json=False)
    # a command still copying: its copy and request under temporary names only
    (folder / f".{request.id}-2.data.partial").write_bytes(path.read_bytes())
    os.replace(folder / f"{request.id}.request.json", folder / f".{request.id}.request.json.partial")
    watcher = InboxWatcher(customer_store.path)
    assert watcher.poll_once() == 0
    assert customer_store.query("import_runs", kind="")["run_id"].tolist() == []
    # once renamed into place it is taken, the copy removed
    os.replace(folder / f".{request.id}.request.json.partial", folder / f"{request.id}.request.json")
    assert watcher.poll_once() == 1
    assert inbox.state_of(folder, request.id) == "done"
    assert not request.data_path(folder).exists()


def test_requests_for_another_store_are_left_alone(customer_store, tmp_path):
    folder = inbox.ensure_folder(inbox.inbox_folder(customer_store.path))
    path = write(tmp_path, "consent.csv", lines(HEADER, row("CR1")))
    other = inbox.hand_over(folder, path, "consent", tmp_path / "other.duckdb", as_json=False)
    assert InboxWatcher(customer_store.path).poll_once() == 0
    assert inbox.state_of(folder, other.id) == "waiting"


def test_a_request_taken_by_a_stopped_dashboard_is_imported_by_the_next(customer_store, tmp_path):
    folder = inbox.ensure_folder(inbox.inbox_folder(customer_store.path))
    path = write(tmp_path, "consent.csv", lines(HEADER, row("CR1")))
    request = inbox.hand_over(folder, path, "consent", customer_store.path, as_json=True)
    assert inbox.take_next(folder, customer_store.path) == request   # taken, then the dashboard was killed
    assert inbox.state_of(folder, request.id) == "working"
    watcher = InboxWatcher(customer_store.path, poll_every_s=0.1).start()
    try:
        deadline = time.monotonic() + 30
        while inbox.state_of(folder, request.id) != "done" and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        watcher.stop()
    result = inbox.collect(folder, request.id)
    assert result["exit_code"] == 0 and json.loads(result["stdout"].strip().splitlines()[-1])["imported"] == 1


def test_ctrl_c_withdraws_a_request_the_dashboard_has_not_taken(customer_store, tmp_path):
    folder = inbox.ensure_folder(inbox.inbox_folder(customer_store.path))
    inbox.beat(folder, customer_store.path)    # a dashboard that watches, but is busy: nothing is taken
    path = write(tmp_path, "consent.csv", lines(HEADER, row("CR1")))
    process = command(customer_store.path, "consent", path)
    deadline = time.monotonic() + 60
    while not list(folder.glob("*.request.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(folder.glob("*.request.json")), "the command handed nothing over"
    process.send_signal(signal.SIGINT)
    code, _, err = finished(process)
    assert code == 130
    assert "Cancelled: the dashboard had not started on the file; nothing was imported." in err
    assert left_in(folder) == []


def test_a_wait_that_runs_out_withdraws_the_request(customer_store, tmp_path):
    folder = inbox.ensure_folder(inbox.inbox_folder(customer_store.path))
    inbox.beat(folder, customer_store.path)
    path = write(tmp_path, "consent.csv", lines(HEADER, row("CR1")))
    code, _, err = finished(command(customer_store.path, "consent", path, "--timeout", "1"))
    assert code == 1
    assert "Gave up: the dashboard did not finish within 1 s. The request was withdrawn; nothing was imported." in err
    assert left_in(folder) == []


def test_without_a_watching_dashboard_the_command_is_refused_naming_the_holder(customer_store, tmp_path):
    path = write(tmp_path, "consent.csv", lines(HEADER, row("CR1")))
    code, _, err = finished(command(customer_store.path, "consent", path))
    assert code == 1
    assert f"process {os.getpid()}" in err and "Nothing was imported." in err
    assert not inbox.inbox_folder(customer_store.path).exists()


def test_the_sweep_removes_leftovers_but_not_what_a_command_waits_for(tmp_path):
    folder = inbox.ensure_folder(tmp_path / "store.inbox")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_id = f"20260101T000000000000Z-p{gone.stdout.strip()}-0badc0de"
    live_id = f"20260101T000000000000Z-p{os.getpid()}-600dc0de"
    for name in (f".{dead_id}.data.partial", f"{dead_id}.result.json", f"{live_id}.request.json", f"{live_id}.data"):
        (folder / name).write_text("{}")
        old = time.time() - 2 * inbox.LEFTOVER_AGE_S
        os.utime(folder / name, (old, old))
    assert sorted(inbox.sweep(folder)) == sorted([f".{dead_id}.data.partial", f"{dead_id}.result.json"])
    assert left_in(folder) == sorted([f"{live_id}.data", f"{live_id}.request.json"])

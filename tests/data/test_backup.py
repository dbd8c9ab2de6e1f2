"""Backups (issue 11): online copies that verify, taken while people log requests; keeping time; restore."""

from __future__ import annotations

import stat
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from privacyops.__main__ import main as cli
from privacyops.cases import backup, requests
from privacyops.cases.requests import NewRequest
from privacyops.store import history, open_store

AGENT = "agent@example.com"
ROOT = Path(__file__).resolve().parents[2]


def log_one(store, n: int) -> str:
    new = NewRequest(customer_id="C01", request_type="access", channel="email",
                     requester_email=f"person{n}@example.com",
                     received_at=datetime.now(UTC) - timedelta(days=1))
    return requests.log(store, new, actor=AGENT).request_id


def consistent(path: Path) -> tuple[int, int]:
    """Requests and their create entries in a restored store: equal when nothing was half-copied."""
    con = duckdb.connect(str(path))
    try:
        assert history.verify_request_history(con) == []
        assert history.verify_access_log(con) == []
        return con.execute("SELECT (SELECT count(*) FROM requests), "
                           "(SELECT count(*) FROM request_history WHERE action = 'create')").fetchone()
    finally:
        con.close()


def test_a_backup_is_private_verified_and_restores(customer_store, tmp_path):
    ids = [log_one(customer_store, n) for n in range(3)]
    check = backup.take(customer_store, folder=tmp_path / "backups")
    assert check.ok and check.counts["requests"] == 3
    assert stat.S_IMODE(check.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(check.path.parent.stat().st_mode) == 0o700
    log_one(customer_store, 99)                     # after the backup
    target = tmp_path / "restored.duckdb"
    assert backup.restore(check.path, target) is None
    assert consistent(target) == (3, 3)
    con = duckdb.connect(str(target))
    assert sorted(r[0] for r in con.execute("SELECT request_id FROM requests").fetchall()) == sorted(ids)
    con.close()


def test_backups_taken_while_requests_are_logged_restore_consistent(customer_store, tmp_path):
    stop = threading.Event()
    logged: list[str] = []

    def keep_logging() -> None:
        n = 0
        while not stop.is_set() and n < 400:
            logged.append(log_one(customer_store, n))
            n += 1

    writer = threading.Thread(target=keep_logging)
    writer.start()
    checks = []
    try:
        for k in range(4):
            time.sleep(0.05)
            checks.append(backup.take(customer_store, folder=tmp_path / "backups",
                                      at=datetime(2026, 11, 29, 10, 0, k, tzinfo=UTC)))
    finally:
        stop.set()
        writer.join()
    assert len(logged) > 0
    seen = []
    for check in checks:
        target = tmp_path / f"restored-{check.path.stem}.duckdb"
        backup.restore(check.path, target)
        requests_count, creates = consistent(target)
        assert requests_count == creates
        seen.append(requests_count)
    assert seen == sorted(seen)                    # later backups hold at least as much


def test_a_changed_backup_is_refused(customer_store, tmp_path):
    log_one(customer_store, 1)
    log_one(customer_store, 2)
    check = backup.take(customer_store, folder=tmp_path)
    con = duckdb.connect(str(check.path))
    con.execute("UPDATE request_history SET note = 'edited' WHERE entry_id = 1")
    con.close()
    again = backup.verify(check.path)
    assert not again.ok and again.history_problems >= 1
    with pytest.raises(backup.BackupError, match="did not verify"):
        backup.restore(check.path, tmp_path / "target.duckdb")
    assert not (tmp_path / "target.duckdb").exists()


def test_old_backups_are_removed_after_the_keeping_time(customer_store, tmp_path):
    folder = tmp_path / "backups"
    for days_ago in (20, 15, 14, 1):
        backup.take(customer_store, folder=folder, at=datetime(2026, 11, 29, 3, tzinfo=UTC) - timedelta(days=days_ago))
    removed = backup.prune(folder, keep_days=14, today=date(2026, 11, 29))
    assert [backup.taken_on(p) for p in removed] == [date(2026, 11, 9), date(2026, 11, 14)]
    assert [backup.taken_on(p) for p in backup.backups(folder)] == [date(2026, 11, 15), date(2026, 11, 28)]
    made = backup.ensure_daily(customer_store, keep_days=14, folder=folder, at=datetime(2026, 11, 29, 4, tzinfo=UTC))
    assert made is not None and backup.ensure_daily(customer_store, keep_days=14, folder=folder,
                                                    at=datetime(2026, 11, 29, 9, tzinfo=UTC)) is None


def test_restore_refuses_a_store_another_program_holds(tmp_path):
    target = tmp_path / "held.duckdb"
    store = open_store(target)
    store.close()
    source = tmp_path / "src.duckdb"
    src = open_store(source)
    check = backup.take(src, folder=tmp_path / "backups")
    src.close()
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(target)!r}); "
                               "print('held', flush=True); time.sleep(30)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(backup.BackupError, match="in use by another program"):
            backup.restore(check.path, target)
    finally:
        holder.kill()
        holder.wait()


def test_the_command_line_backs_up_and_restores(customer_store, tmp_path, capsys):
    log_one(customer_store, 1)
    path = customer_store.path
    customer_store.close()
    assert cli(["--db", str(path), "backup"]) == 0
    made = backup.backups(backup.backup_folder(path))
    assert len(made) == 1 and "both hash chains intact" in capsys.readouterr().out
    assert cli(["--db", str(path), "restore", str(made[0])]) == 2          # asks for --yes first
    assert cli(["--db", str(path), "restore", str(made[0]), "--yes"]) == 0
    assert "kept as" in capsys.readouterr().out
    assert consistent(path) == (1, 1)

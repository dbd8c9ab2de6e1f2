"""Uploaded files on disk (privacyops.importing.uploads): who owns a folder, and the sweep that removes the folders
whose session or server is gone. Real folders in the test's own temporary folder; no database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from privacyops.importing import uploads


@pytest.fixture
def root(tmp_path, monkeypatch) -> Path:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    return tmp_path


def folder_of(root: Path, pid: int, session: str, age_s: float = 0) -> Path:
    folder = root / f"{uploads.PREFIX}p{pid}-s{session}-{int(age_s):08d}"
    folder.mkdir()
    (folder / "upload.csv").write_text("requester_email\nanna@example.com\n")
    if age_s:
        stamp = time.time() - age_s
        os.utime(folder, (stamp, stamp))
    return folder


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_new_folder_names_its_process_and_session(root):
    folder = uploads.new_folder("0b5e-41c2-9f")
    assert folder.parent == root and folder.is_dir()
    assert uploads.owner(folder) == uploads.Owner(os.getpid(), "0b5e41c29f")
    assert oct(folder.stat().st_mode & 0o777) == "0o700"   # private to the dashboard's user
    uploads.remove(folder)
    assert not folder.exists()
    uploads.remove(folder)   # gone already: no error


def test_the_sweep_removes_what_no_session_or_server_owns_any_more(root):
    mine = os.getpid()
    kept_session = folder_of(root, mine, "live1")
    ended_session = folder_of(root, mine, "gone1")
    stopped_server = folder_of(root, dead_pid(), "any")
    running_server = folder_of(root, os.getppid(), "theirs")          # another process that still runs
    day_old = folder_of(root, mine, "live1", age_s=uploads.MAX_AGE_S + 60)
    unowned_old = root / f"{uploads.PREFIX}k2j3h4g5"                  # named before owners were
    unowned_old.mkdir()
    stamp = time.time() - uploads.UNOWNED_AGE_S - 60
    os.utime(unowned_old, (stamp, stamp))
    unowned_new = root / f"{uploads.PREFIX}z9y8x7w6"
    unowned_new.mkdir()
    not_ours = root / "someone-else-upload"
    not_ours.mkdir()

    removed = uploads.sweep(["live-1"], root=root)   # session ids are compared without their dashes
    assert sorted(p.name for p in removed) == sorted(
        p.name for p in (ended_session, stopped_server, day_old, unowned_old))
    assert not any(p.exists() for p in removed)
    assert all(p.exists() for p in (kept_session, running_server, unowned_new, not_ours))


def test_without_the_server_s_sessions_this_process_s_folders_go_by_age(root):
    recent = folder_of(root, os.getpid(), "s1")
    old = folder_of(root, os.getpid(), "s2", age_s=uploads.MAX_AGE_S + 1)
    assert uploads.sweep(None) == [old]
    assert recent.exists()

"""Uploaded files on disk: one private temporary folder per upload, named after the process and the
dashboard session that owns it, removed after the import and swept when its owner is gone.

Uploads hold personal data (request lists, consent logs), so a copy must not outlive its use. Streamlit has
no session-end hook to rely on, hence the sweep, run by the dashboard on every script run (the first run of a
process is the server's start): a folder goes when
- its process is no longer running (a server stopped or killed: leftovers from before this start), or
- its process is this one and its session is not among the sessions the server still keeps (a closed tab,
  once Streamlit forgets the session: `server.disconnectedSessionTTL`), or
- it is older than MAX_AGE whatever its owner, or its name does not say the owner and it is older than
  UNOWNED_AGE (folders from before owners were named).
`tempfile.mkdtemp` makes each folder readable by the dashboard's user only; the sweep touches only that
user's folders.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

PREFIX = "privacyops-upload-"
MAX_AGE_S = 24 * 3600       # no upload is worked on for a day; the sweep removes it whatever its owner
UNOWNED_AGE_S = 3600        # a folder without an owner in its name (made before owners were named)
_OWNED = re.compile(rf"^{re.escape(PREFIX)}p(\d+)-s([0-9A-Za-z]*)-")


@dataclass(frozen=True)
class Owner:
    pid: int
    session: str


def _session_tag(session_id: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", session_id)[:64]


def new_folder(session_id: str) -> Path:
    """A new private folder for one upload of this process's session `session_id`."""
    return Path(tempfile.mkdtemp(prefix=f"{PREFIX}p{os.getpid()}-s{_session_tag(session_id)}-"))


def remove(folder: str | Path) -> None:
    """Remove an upload's folder and everything in it (no error when it is gone already)."""
    shutil.rmtree(folder, ignore_errors=True)


def owner(folder: Path) -> Owner | None:
    """Who made an upload folder, from its name (None: made before owners were named)."""
    match = _OWNED.match(folder.name)
    return Owner(int(match.group(1)), match.group(2)) if match else None


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True     # someone else's process: running
    return True


def _stale(folder: Path, *, age_s: float, live_sessions: Collection[str] | None) -> bool:
    made_by = owner(folder)
    if made_by is None:
        return age_s > UNOWNED_AGE_S
    if age_s > MAX_AGE_S:
        return True
    if made_by.pid != os.getpid():
        return not _running(made_by.pid)
    return live_sessions is not None and made_by.session not in {_session_tag(s) for s in live_sessions}


def sweep(live_sessions: Collection[str] | None, *, root: Path | None = None, now: float | None = None) -> list[Path]:
    """Remove the upload folders whose owner is gone (see the module docstring); returns those removed.
    `live_sessions`: the ids of the sessions this process's server still keeps (None: not known, then this
    process's own folders go by age only)."""
    base = Path(root or tempfile.gettempdir())
    clock = time.time() if now is None else now
    removed: list[Path] = []
    try:
        entries = list(os.scandir(base))
    except OSError:
        return removed
    uid = os.getuid()
    for entry in entries:
        if not entry.name.startswith(PREFIX):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not entry.is_dir(follow_symlinks=False) or info.st_uid != uid:
            continue
        folder = Path(entry.path)
        if _stale(folder, age_s=clock - info.st_mtime, live_sessions=live_sessions):
            remove(folder)
            removed.append(folder)
    return removed


__all__ = ["MAX_AGE_S", "PREFIX", "UNOWNED_AGE_S", "Owner", "new_folder", "owner", "remove", "sweep"]

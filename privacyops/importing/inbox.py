"""The import inbox: how `python -m privacyops import KIND FILE` hands a file to a running dashboard.

DuckDB lets one program at a time open the store, and a running dashboard holds it. So the command line
copies the file into the inbox beside the store with a small request; the dashboard (which watches the
inbox: inbox_watcher.py) imports it with the same checks and writes the result next to the request; the
command prints that result as if it had imported the file itself. Nightly jobs import this way without
stopping the dashboard.

The folder is `<store>.inbox` beside the store (data/privacyops.inbox for data/privacyops.duckdb), private
to the dashboard's user (0700; each file 0600): the copies hold personal data. For a request ID (UTC time,
the command's process id and a random part, so names sort by arrival), the files are:

    .ID.data.partial    the copy being written: never taken (only complete requests are)
    ID.data             the complete copy, renamed into place before the request appears
    ID.request.json     the request (kind, reading options, the file's own name, --json); renamed into place last
    ID.working.json     the dashboard took it (a rename: one taker, and the command can no longer cancel it)
    ID.result.json      the dashboard's answer: the exit code and what the command prints
    watcher.json        the dashboard's heartbeat: its process id, its store, when it last looked

A request's copy is removed as soon as it is imported (or cancelled); results nobody collects, partial copies
left by a killed command and requests of a store that is not the watcher's are removed after an hour.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import secrets
import shutil
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

WATCHER_FILE = "watcher.json"
BEAT_EVERY_S = 2.0
BEAT_STALE_S = 30.0        # a heartbeat older than this: no dashboard watches the inbox
LEFTOVER_AGE_S = 3600.0    # uncollected results and partial copies are removed after this
_ID = re.compile(r"^\d{8}T\d{6}\d{6}Z-p\d+-[0-9a-f]{8}$")


def inbox_folder(store_path: str | Path) -> Path:
    """The store's inbox: `<store>.inbox` beside the store file."""
    return Path(store_path).expanduser().resolve().with_suffix(".inbox")


def ensure_folder(folder: Path) -> Path:
    """Create the inbox, private to this user (it receives files with personal data)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    return folder


def _write_atomically(target: Path, text: str) -> None:
    """Write under a temporary name, then rename: a reader never sees half a file."""
    partial = target.with_name(f".{target.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(partial, target)


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:   # alive, another user's
        return True
    return True


# --- the request ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One hand-over: what to import and how; `options` are the command line's reading options."""

    id: str
    kind: str
    file_name: str
    store: str
    as_json: bool = False
    options: dict[str, Any] = field(default_factory=dict)
    pid: int = 0
    requested_at: str = ""

    def data_path(self, folder: Path) -> Path:
        return folder / f"{self.id}.data"


def _new_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}Z-p{os.getpid()}-{secrets.token_hex(4)}"


def _files(folder: Path, request_id: str) -> dict[str, Path]:
    return {state: folder / f"{request_id}.{state}.json" for state in ("request", "working", "result")}


# --- the command line's side --------------------------------------------------------------------------


def watching_dashboard(folder: Path, store_path: str | Path, now: float | None = None) -> int | None:
    """The process id of the dashboard that watches this inbox for this store, None when none does (no
    heartbeat, an old one, another store's, or its process is gone)."""
    beat = _read_json(folder / WATCHER_FILE)
    if not beat:
        return None
    fresh = (now or time.time()) - float(beat.get("beat_at", 0)) < BEAT_STALE_S
    same_store = beat.get("store") == str(Path(store_path).expanduser().resolve())
    pid = int(beat.get("pid", 0))
    return pid if fresh and same_store and pid and _alive(pid) else None


def hand_over(folder: Path, file: Path, kind: str, store_path: str | Path, *, as_json: bool,
              options: dict[str, Any] | None = None) -> Request:
    """Copy the file into the inbox, then put the request beside it (the copy first: a request is only ever
    seen with its whole file). Raises OSError when the inbox is not writable (another user's dashboard)."""
    request = Request(_new_id(), kind, file.name, str(Path(store_path).expanduser().resolve()), as_json,
                      dict(options or {}), os.getpid(), datetime.now(UTC).isoformat(timespec="seconds"))
    target = request.data_path(folder)
    partial = folder / f".{target.name}.partial"
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as copy, file.open("rb") as source:
            shutil.copyfileobj(source, copy, 1024 * 1024)
        os.replace(partial, target)
        _write_atomically(_files(folder, request.id)["request"], json.dumps(asdict(request)))
    except BaseException:
        partial.unlink(missing_ok=True)
        target.unlink(missing_ok=True)
        raise
    return request


def state_of(folder: Path, request_id: str) -> str:
    """waiting (not taken yet), working (the dashboard is importing it), done (a result waits), or gone."""
    files = _files(folder, request_id)
    for state, name in (("done", "result"), ("working", "working"), ("waiting", "request")):
        if files[name].exists():
            return state
    return "gone"


def collect(folder: Path, request_id: str) -> dict[str, Any] | None:
    """The dashboard's result (exit_code, stdout, stderr), removed from the inbox once read."""
    path = _files(folder, request_id)["result"]
    result = _read_json(path)
    if result is not None:
        path.unlink(missing_ok=True)
    return result


def cancel(folder: Path, request_id: str) -> bool:
    """Withdraw a request the dashboard has not taken yet (its copy is removed); False when it already has."""
    try:
        _files(folder, request_id)["request"].unlink()
    except FileNotFoundError:
        return False
    (folder / f"{request_id}.data").unlink(missing_ok=True)
    return True


# --- the dashboard's side -----------------------------------------------------------------------------


def beat(folder: Path, store_path: str | Path) -> None:
    """Tell the command line that this process watches the inbox for this store."""
    _write_atomically(folder / WATCHER_FILE, json.dumps(
        {"pid": os.getpid(), "store": str(Path(store_path).expanduser().resolve()), "beat_at": time.time()}))


def requester(folder: Path, request_id: str) -> str:
    """Who asked: the operating-system user who owns the request file (the inbox is private, so only the
    dashboard's user, or root, can have put it there)."""
    try:
        owner = pwd.getpwuid((folder / f"{request_id}.working.json").stat().st_uid).pw_name
    except (KeyError, OSError):
        return "command line (inbox)"
    return f"{owner} (command line, inbox)"


def take_next(folder: Path, store_path: str | Path) -> Request | None:
    """Take the oldest complete request for this store (rename to .working: nobody else takes it)."""
    store = str(Path(store_path).expanduser().resolve())
    for path in sorted(folder.glob("*.request.json")):
        request_id = path.name.removesuffix(".request.json")
        if not _ID.match(request_id):
            continue
        found = _read_json(path)
        if not found or found.get("store") != store or found.get("id") != request_id:
            continue      # another store's (the sweep removes it after an hour) or not ours at all
        working = _files(folder, request_id)["working"]
        try:
            os.replace(path, working)
        except FileNotFoundError:
            continue      # cancelled a moment ago
        known = {name for name in Request.__dataclass_fields__}
        return Request(**{key: value for key, value in found.items() if key in known})
    return None


def finish(folder: Path, request: Request, exit_code: int, stdout: str, stderr: str) -> None:
    """Leave the result for the command, then remove the copy (it holds personal data) and the claim."""
    _write_atomically(_files(folder, request.id)["result"],
                      json.dumps({"id": request.id, "exit_code": exit_code, "stdout": stdout, "stderr": stderr}))
    request.data_path(folder).unlink(missing_ok=True)
    _files(folder, request.id)["working"].unlink(missing_ok=True)


def requeue_abandoned(folder: Path) -> list[str]:
    """Put back the requests a stopped dashboard had taken: its import was one transaction, so a stop midway
    wrote nothing, and the waiting command gets its answer from this dashboard."""
    requeued = []
    for path in folder.glob("*.working.json"):
        request_id = path.name.removesuffix(".working.json")
        os.replace(path, _files(folder, request_id)["request"])
        requeued.append(request_id)
    return requeued


def _pid_of(request_id: str) -> int:
    """The process id of the command that made the request (it is part of the id)."""
    match = re.search(r"-p(\d+)-", request_id)
    return int(match.group(1)) if match else 0


def sweep(folder: Path, now: float | None = None) -> list[str]:
    """Remove what nobody will use: results whose command has gone (or older than an hour), partial copies of a
    killed command, and requests older than an hour whose command has gone (another store's: no watcher takes
    them). Requests whose command still waits are left alone, however old."""
    now = now or time.time()
    removed = []
    for path in folder.iterdir():
        name = path.name
        request_id = name.removeprefix(".").split(".")[0]
        try:
            age = now - path.stat().st_mtime
        except FileNotFoundError:
            continue
        waiting = _alive(_pid_of(request_id)) if _ID.match(request_id) else False
        if name.endswith(".result.json"):
            remove = age > LEFTOVER_AGE_S or (not waiting and age > BEAT_STALE_S)
        elif name.endswith((".partial", ".request.json", ".data")):
            remove = age > LEFTOVER_AGE_S and not waiting and not (folder / f"{request_id}.working.json").exists()
        else:
            continue
        if remove:
            path.unlink(missing_ok=True)
            removed.append(name)
    return removed

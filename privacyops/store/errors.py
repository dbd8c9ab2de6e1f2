"""The store's errors, and DuckDB's errors turned into messages people can act on."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb


class StoreError(Exception):
    """An error people can act on: `title` is short, the message says what to do."""

    title = "The privacy store could not do that"

    def __init__(self, message: str, *, title: str | None = None) -> None:
        super().__init__(message)
        if title:
            self.title = title


class StoreLockedError(StoreError):
    title = "The store is in use by another program"

    def __init__(self, message: str, pid: int | None, holder: Holder | None = None) -> None:
        super().__init__(message)
        self.pid = pid
        self.holder = holder or Holder("unknown", "another process")


class StoreVersionError(StoreError):
    title = "The store was written by a newer Privacy Ops"


class DiskFullError(StoreError):
    title = "The disk is full"


class QueryError(StoreError):
    title = "A named query could not run"


_LOCK_PID = re.compile(r"\(PID (\d+)\)")


# --- who holds the store ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Holder:
    """The program that holds the store: `kind` is dashboard, import (the command line's import),
    command line (another Privacy Ops command), other or unknown; `words` name it for people."""

    kind: str
    words: str


def holder_cmdline(pid: int, proc: Path = Path("/proc")) -> list[str] | None:
    """The command line of process `pid` (Linux's /proc/PID/cmdline), None when it cannot be read
    (gone, another system, not ours to read)."""
    try:
        raw = (proc / str(pid) / "cmdline").read_bytes()
    except OSError:
        return None
    parts = [part.decode("utf-8", "replace") for part in raw.split(b"\0")]
    return parts[:-1] if parts and parts[-1] == "" else parts or None


_OPTIONS_WITH_VALUES = {"--db", "--delimiter", "--encoding", "--format", "--mapping", "--timeout"}


def _words_after(args: Sequence[str], index: int) -> list[str]:
    """The words after args[index] that are not options nor an option's value."""
    words, skip = [], False
    for arg in args[index + 1:]:
        if skip:
            skip = False
        elif arg in _OPTIONS_WITH_VALUES:
            skip = True
        elif not arg.startswith("-"):
            words.append(arg)
    return words


def _program_at(args: Sequence[str], i: int) -> tuple[str, int] | None:
    """('streamlit' or 'privacyops', the index of its last word) when args[i] starts one of them."""
    if args[i] == "-m" and i + 1 < len(args) and args[i + 1] in ("streamlit", "privacyops"):
        return args[i + 1], i + 1
    if Path(args[i]).name == "streamlit":
        return "streamlit", i
    if args[i].replace("\\", "/").endswith("privacyops/__main__.py"):
        return "privacyops", i
    return None


def name_holder(cmdline: Sequence[str] | None) -> Holder:
    """Name the program from its command line: a Privacy Ops dashboard (streamlit run ...), the command
    line's import (python -m privacyops import ...), another Privacy Ops command, or another program."""
    if not cmdline:
        return Holder("unknown", "another process")
    args = list(cmdline)
    for i in range(len(args)):
        found = _program_at(args, i)
        if found is None:
            continue
        program, last = found
        words = _words_after(args, last)
        if program == "streamlit" and words[:1] == ["run"]:
            script = Path(words[1]).name if len(words) > 1 else "app.py"
            return Holder("dashboard", f"a Privacy Ops dashboard (streamlit run {script})")
        if program == "privacyops" and words[:1] == ["import"]:
            shown = " ".join(["import", *words[1:2], *(Path(word).name for word in words[2:3])])
            return Holder("import", f"the command line import (python -m privacyops {shown})")
        if program == "privacyops":
            return Holder("command line", f"the Privacy Ops command line (python -m privacyops {' '.join(words[:1])})")
    shown = " ".join([Path(args[0]).name, *args[1:]])
    return Holder("other", f"another program ({shown[:80]}{'...' if len(shown) > 80 else ''})")


_HOLDER_ADVICE = {
    "dashboard": "While the dashboard runs, `python -m privacyops import KIND FILE` hands the file to it (the "
                 "dashboard imports it and the command prints the report), and its Import page takes files too; "
                 "for the other commands, stop the dashboard first.",
    "import": "Wait until that import has finished, then try again (a running dashboard opens the store by "
              "itself a few seconds later: reload the page).",
    "command line": "Wait until that command has finished, then try again (a running dashboard opens the store "
                    "by itself a few seconds later: reload the page).",
}


def locked_error(text: str, path: Path, proc: Path = Path("/proc")) -> StoreLockedError:
    """DuckDB's lock message (it gives the holder's PID) as a message naming the program that holds the store."""
    match = _LOCK_PID.search(text)
    if match is None:
        return StoreLockedError(f"{path} is held by another process. DuckDB lets one program at a time open the "
                                "store. Stop that program (or wait until it has finished), then try again.", None)
    pid = int(match.group(1))
    holder = name_holder(holder_cmdline(pid, proc))
    who = f"process {pid}" if holder.kind == "unknown" else f"{holder.words}, process {pid}"
    advice = _HOLDER_ADVICE.get(holder.kind, "Stop that program (or wait until it has finished), then try again.")
    return StoreLockedError(f"{path} is held by {who}. DuckDB lets one program at a time open the store. {advice}",
                            pid, holder)


def translate(error: duckdb.Error, path: Path) -> StoreError:
    text = str(error)
    if "Could not set lock" in text or "Conflicting lock" in text:
        return locked_error(text, path)
    if "No space left on device" in text or "database has been invalidated" in text:
        # DuckDB stops the whole database after a failed checkpoint; the Store reopens it on the next call
        return DiskFullError(f"No space left on the disk that holds the store ({path.parent}): nothing was "
                             "saved. Free some space there; the store then works again by itself.")
    if isinstance(error, duckdb.ConstraintException):
        return StoreError(f"The change breaks a rule of the store and was not saved: {text}",
                          title="Not saved")
    if isinstance(error, duckdb.TransactionException) and "Conflict" in text:
        return StoreError("Someone else changed the same record at the same moment; nothing was "
                          "saved. Reload and try again.", title="Not saved")
    if "Catalog Error" in text or "Binder Error" in text:
        return QueryError(text)
    return StoreError(text)

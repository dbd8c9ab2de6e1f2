"""`python -m privacyops import KIND FILE`: the command line's import, run by whoever operates the machine
and holds the file (it imports as an admin, and records the operating system's user as the actor).

When a running dashboard holds the store, the command hands the file to it through the store's inbox
(privacyops.importing.inbox), waits, and prints the dashboard's report as its own: the same words, the same
--json line, the same exit code. The dashboard runs the same function on its copy (`import_request`).
"""

from __future__ import annotations

import getpass
import io
import json
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from privacyops.importing import contract, inbox
from privacyops.importing.mappings import apply_saved, saved_mappings
from privacyops.importing.options import ImportInputError, ImportOptions
from privacyops.importing.pipeline import run_import
from privacyops.importing.read import inspect_file
from privacyops.importing.report import ImportReport
from privacyops.store import Store, StoreError, StoreLockedError, default_db_path, open_store

DEFAULT_ACTOR = "command line"
DEFAULT_WAIT_S = 3600.0     # how long the command waits for the dashboard to import a handed-over file
DELIMITER_WORDS = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}


def _cli_actor() -> str:
    """Who ran the command line: the operating system's user name (the history and runs record it)."""
    try:
        return f"{getpass.getuser()} (command line)"
    except (KeyError, OSError):
        return DEFAULT_ACTOR


def cli_import(store_or_path: Store | str | Path | None, kind: str, file: str | Path, *, as_json: bool = False,
               delimiter: str | None = None, encoding: str | None = None, decimal_comma: bool | None = None,
               file_format: str | None = None, mapping: str | None = None, actor: str | None = None,
               rejects_dir: Path | None = None, out: TextIO | None = None, err: TextIO | None = None,
               file_name: str | None = None, wait_s: float = DEFAULT_WAIT_S) -> int:
    """`python -m privacyops import KIND FILE`: import, print the report; exit code 0 when the import ran
    (even with rejects), 1 when nothing could be imported, 2 for bad usage. Progress goes to stderr; with
    `as_json` the last line on stdout is one JSON object (read, imported, rejected, duplicates, rejects_path...).
    When a dashboard that watches the inbox holds the store, the file is handed to it (`wait_s` at most).
    `file_name`: the file's own name when `file` is a copy (the inbox's).
    """
    out = out or sys.stdout
    err = err or sys.stderr
    path = Path(file)
    name = file_name or path.name

    def fail(message: str, code: int, **extra: Any) -> int:
        print(message, file=err)
        if as_json:
            print(json.dumps({"kind": kind, "file_name": name, "read": 0, "imported": 0, "rejected": 0,
                              "duplicates": 0, "rejects_path": None, "error": message, **extra}), file=out)
        return code

    if kind not in contract.KINDS:
        return fail(f"'{kind}' is not an import kind; kinds: {', '.join(contract.KINDS)}.", 2)
    if not path.is_file():
        return fail(f"There is no file {path}.", 2)
    try:
        store = store_or_path if isinstance(store_or_path, Store) else open_store(store_or_path)
    except StoreLockedError as error:
        folder = inbox.inbox_folder(store_or_path or default_db_path())
        dashboard = inbox.watching_dashboard(folder, store_or_path or default_db_path())
        if dashboard is None:
            return fail(f"{error.title}: {error} Nothing was imported.", 1)
        handed = HandOver(folder, store_or_path or default_db_path(), dashboard, wait_s, out, err)
        return handed.run(path, kind, as_json, {"delimiter": delimiter, "encoding": encoding, "mapping": mapping,
                                                "decimal_comma": decimal_comma, "file_format": file_format})
    except StoreError as error:
        return fail(f"{error.title}: {error}", 1)
    options = inspect_file(path, name).default_options()
    try:
        if mapping:
            saved = saved_mappings(store, kind)
            if mapping not in saved:
                names = ", ".join(saved) or "none saved yet (save one on the Import page)"
                return fail(f"There is no saved {kind} mapping '{mapping}'; saved: {names}.", 2)
            options = apply_saved(options, saved[mapping])
        options = ImportOptions(
            file_format or options.format, encoding or options.encoding,
            DELIMITER_WORDS.get(delimiter or "", delimiter) or options.delimiter,
            options.decimal_comma if decimal_comma is None else decimal_comma, options.mapping, options.mapping_name)
        result = _run(store, path, kind, options, actor=actor or _cli_actor(), name=name,
                      rejects_dir=rejects_dir or store.path.parent / "rejects", err=err)
    except ImportInputError as error:
        return fail(str(error), 2)
    except StoreError as error:
        plain = plain_file_words(str(error), name, options)
        return fail(f"{plain} Nothing was imported." if plain else f"{error.title}: {error} Nothing was imported.", 1)
    if result.file_problem:
        result.file_problem = plain_file_words(result.file_problem, name, options) or result.file_problem
    _print_report(result, out if not as_json else err)
    if as_json:
        print(json.dumps(result.to_dict(), default=str), file=out)
    return 0 if result.succeeded else 1


def plain_file_words(engine_text: str, name: str, options: ImportOptions) -> str | None:
    """What the file is and what to do, for the messages of the readers (DuckDB's CSV and Parquet readers,
    Python's csv module) that name their own state instead; None for any other message."""
    if "CSV Parser state machine reached an invalid state" in engine_text or "Invalid unicode" in engine_text:
        return (f"{name} cannot be read as CSV: part of it is not {options.encoding} text (bytes that are no "
                "characters), so the file is damaged or is not a CSV file. Open it in the program that made it and "
                "export it again as CSV UTF-8 (or JSON Lines or Parquet), then import that file.")
    if "new-line character seen in unquoted field" in engine_text:
        return (f"{name} ends its lines with a carriage return only (the line ending of old Mac programs), which "
                "the import cannot read. Save it again as CSV UTF-8 (Windows or Unix line endings), then import "
                "that file.")
    if "No magic bytes found" in engine_text or "not a readable Parquet file" in engine_text:
        return (f"{name} is not a Parquet file (a Parquet file ends with the marker PAR1). Leave out --format "
                "so the import detects what the file is, or export it as Parquet again.")
    return None


def _run(store: Store, path: Path, kind: str, options: ImportOptions, *, actor: str, name: str, rejects_dir: Path,
         err: TextIO) -> ImportReport:
    """The import, telling on stderr what it reads and how far it has come."""
    started = time.perf_counter()

    def progress(step: str, fraction: float) -> None:
        print(f"  [{fraction:4.0%}] {step} ({time.perf_counter() - started:.1f} s)", file=err, flush=True)

    print(f"Importing {kind} from {name} ({options.format}, {options.encoding}"
          + (f", delimiter {options.delimiter!r}, decimal {'comma' if options.decimal_comma else 'point'}"
             if options.format == "csv" else "") + ") into " + str(store.path), file=err, flush=True)
    return run_import(store, path, kind, options, actor=actor, name=name, progress=progress, rejects_dir=rejects_dir)


def _print_report(result: ImportReport, out: TextIO) -> None:
    if result.file_problem and not result.read:
        print(f"Nothing imported: {result.file_problem}", file=out)
        return
    print(f"{result.sentence()} (import run {result.run_id}, {result.seconds:.1f} s).", file=out)
    if result.file_problem:
        print(f"Nothing could be imported: {result.file_problem}", file=out)
    for warning in result.warnings:
        print(f"Note: {warning}", file=out)
    if result.summary:
        print("Problems (rows):", file=out)
        for column, reason, rows in result.summary[:20]:
            print(f"  {rows:>10,}  {column}: {reason}", file=out)
    if result.rejects_path:
        print(f"Every rejected row, with its line number and reasons: {result.rejects_path}", file=out)


# --- the hand-over to a running dashboard ---------------------------------------------------------------


class HandOver:
    """The command's side of the inbox: hand the file over, wait with progress dots on stderr, print the result.

    Ctrl-C (or the wait running out) withdraws a request the dashboard has not taken yet: nothing is imported.
    A request the dashboard has taken is finished there (one transaction) and shows on the Import page."""

    def __init__(self, folder: Path, store_path: str | Path | Store, dashboard: int, wait_s: float, out: TextIO,
                 err: TextIO) -> None:
        self.folder, self.dashboard, self.wait_s, self.out, self.err = folder, dashboard, wait_s, out, err
        self.store_path = store_path.path if isinstance(store_path, Store) else Path(store_path)

    def say(self, text: str, end: str = "\n") -> None:
        print(text, file=self.err, end=end, flush=True)

    def run(self, path: Path, kind: str, as_json: bool, options: dict[str, Any]) -> int:
        self.say(f"The store is open in the dashboard (process {self.dashboard}): handing {path.name} to it through "
                 f"its inbox ({self.folder}).")
        try:
            request = inbox.hand_over(self.folder, path, kind, self.store_path, as_json=as_json, options=options)
        except OSError as error:
            self.say(f"The dashboard's inbox cannot take the file ({error.strerror or error}): run the command as "
                     "the dashboard's user, or import on the dashboard's Import page. Nothing was imported.")
            return 1
        try:
            return self._wait(request.id)
        except KeyboardInterrupt:
            if inbox.cancel(self.folder, request.id):
                self.say("\nCancelled: the dashboard had not started on the file; nothing was imported.")
            else:
                self.say("\nStopped waiting. The dashboard is importing the file already and finishes it (one "
                         "transaction); its report is in the Import page's recent imports.")
            return 130

    def _wait(self, request_id: str) -> int:
        started = time.monotonic()
        dots, taken, unwatched_since = 0.0, False, None
        self.say("Waiting for the dashboard", end="")
        while time.monotonic() - started < self.wait_s:
            state = inbox.state_of(self.folder, request_id)
            if state == "done":
                return self._print_result(request_id)
            if state == "working" and not taken:
                taken = True
                self.say(" importing", end="")
            if state == "gone":
                self.say("\nThe request left the inbox without a result (removed by someone). Nothing more is known.")
                return 1
            if time.monotonic() - dots >= 2:
                dots = time.monotonic()
                self.say(".", end="")
            watched = inbox.watching_dashboard(self.folder, self.store_path) is not None
            unwatched_since = None if watched else unwatched_since or time.monotonic()
            if unwatched_since and time.monotonic() - unwatched_since > inbox.BEAT_STALE_S and not taken:
                return self._give_up(request_id, "the dashboard stopped watching its inbox")
            time.sleep(0.2)
        return self._give_up(request_id, f"the dashboard did not finish within {self.wait_s:.0f} s")

    def _give_up(self, request_id: str, why: str) -> int:
        if inbox.cancel(self.folder, request_id):
            self.say(f"\nGave up: {why}. The request was withdrawn; nothing was imported. Run the command again "
                     "(with the dashboard stopped it imports directly).")
        else:
            self.say(f"\nStopped waiting: {why}. The dashboard is importing the file and finishes it; its report "
                     "is in the Import page's recent imports.")
        return 1

    def _print_result(self, request_id: str) -> int:
        result = inbox.collect(self.folder, request_id) or {}
        self.say(" done.")
        print(result.get("stderr", ""), file=self.err, end="", flush=True)
        print(result.get("stdout", ""), file=self.out, end="", flush=True)
        return int(result.get("exit_code", 1))


_REQUEST_OPTIONS = ("delimiter", "encoding", "decimal_comma", "file_format", "mapping")


def import_request(store: Store, folder: Path, request: inbox.Request) -> tuple[int, str, str]:
    """The dashboard's side: import a handed-over copy exactly as the command would have, into the dashboard's
    store; the exit code and what the command prints (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    options = {key: request.options.get(key) for key in _REQUEST_OPTIONS}
    try:
        code = cli_import(store, request.kind, request.data_path(folder), as_json=request.as_json,
                          file_name=request.file_name, actor=inbox.requester(folder, request.id), out=out, err=err,
                          **options)
    except Exception as error:  # noqa: BLE001 - the waiting command must get an answer, whatever happened
        message = f"The dashboard could not import the file: {error}. Nothing was imported."
        print(message, file=err)
        if request.as_json:
            print(json.dumps({"kind": request.kind, "file_name": request.file_name, "read": 0, "imported": 0,
                              "rejected": 0, "duplicates": 0, "rejects_path": None, "error": message}), file=out)
        code = 1
    return code, out.getvalue(), err.getvalue()

"""`python -m privacyops import KIND FILE`: the command line's import, run by whoever operates the machine
and holds the file (it imports as an admin, and records the operating system's user as the actor).
"""

from __future__ import annotations

import getpass
import json
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from privacyops.importing import contract
from privacyops.importing.mappings import apply_saved, saved_mappings
from privacyops.importing.options import ImportInputError, ImportOptions
from privacyops.importing.pipeline import run_import
from privacyops.importing.read import inspect_file
from privacyops.importing.report import ImportReport
from privacyops.store import Store, StoreError, StoreLockedError, open_store

DEFAULT_ACTOR = "command line"
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
               rejects_dir: Path | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """`python -m privacyops import KIND FILE`: import, print the report; exit code 0 when the import ran
    (even with rejects), 1 when nothing could be imported, 2 for bad usage. Progress goes to stderr; with
    `as_json` the last line on stdout is one JSON object (read, imported, rejected, duplicates, rejects_path...).
    """
    out = out or sys.stdout
    err = err or sys.stderr
    path = Path(file)

    def fail(message: str, code: int, **extra: Any) -> int:
        print(message, file=err)
        if as_json:
            print(json.dumps({"kind": kind, "file_name": path.name, "read": 0, "imported": 0, "rejected": 0,
                              "duplicates": 0, "rejects_path": None, "error": message, **extra}), file=out)
        return code

    if kind not in contract.KINDS:
        return fail(f"'{kind}' is not an import kind; kinds: {', '.join(contract.KINDS)}.", 2)
    if not path.is_file():
        return fail(f"There is no file {path}.", 2)
    try:
        store = store_or_path if isinstance(store_or_path, Store) else open_store(store_or_path)
    except StoreLockedError as error:
        return fail(f"{error.title}: {error} Nothing was imported.", 1)
    except StoreError as error:
        return fail(f"{error.title}: {error}", 1)
    options = inspect_file(path).default_options()
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
        result = _run(store, path, kind, options, actor=actor or _cli_actor(),
                      rejects_dir=rejects_dir or store.path.parent / "rejects", err=err)
    except ImportInputError as error:
        return fail(str(error), 2)
    except StoreError as error:
        return fail(f"{error.title}: {error} Nothing was imported.", 1)
    _print_report(result, out if not as_json else err)
    if as_json:
        print(json.dumps(result.to_dict(), default=str), file=out)
    return 0 if result.succeeded else 1


def _run(store: Store, path: Path, kind: str, options: ImportOptions, *, actor: str, rejects_dir: Path,
         err: TextIO) -> ImportReport:
    """The import, telling on stderr what it reads and how far it has come."""
    started = time.perf_counter()

    def progress(step: str, fraction: float) -> None:
        print(f"  [{fraction:4.0%}] {step} ({time.perf_counter() - started:.1f} s)", file=err, flush=True)

    print(f"Importing {kind} from {path} ({options.format}, {options.encoding}"
          + (f", delimiter {options.delimiter!r}, decimal {'comma' if options.decimal_comma else 'point'}"
             if options.format == "csv" else "") + ") into " + str(store.path), file=err, flush=True)
    return run_import(store, path, kind, options, actor=actor, progress=progress, rejects_dir=rejects_dir)


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

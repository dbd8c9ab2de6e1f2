"""The command line: `python -m privacyops [--db PATH] COMMAND`.

Exit codes: 0 done, 1 the work was refused or failed (the message says what to do), 2 bad usage.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from privacyops.demo import generator as demo
from privacyops.store import Store, StoreError, default_db_path, latest_schema_version, open_store


def _open(args: argparse.Namespace) -> Store:
    return open_store(args.db or default_db_path())


def cmd_init(args: argparse.Namespace) -> int:
    store = _open(args)
    print(f"Store ready: {store.path} (schema version {store.schema_version()}).")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    store = _open(args)
    counts = store.query("store_counts")
    meta_rows = store.query("store_meta")
    meta = dict(zip(meta_rows["key"], meta_rows["value"], strict=True))
    print(f"Store: {store.path}")
    print(f"Schema version: {store.schema_version()} (this Privacy Ops knows up to {latest_schema_version()})")
    print(f"Contents: {demo.store_contents(store)}"
          + (f" (generated {meta.get('demo_generated_at', '?')} with {int(meta.get('demo_events', 0)):,} events)"
             if meta.get("contents") == "demo" else ""))
    width = max(len(name) for name in counts["table_name"])
    for name, rows in counts.itertuples(index=False):
        print(f"  {name:<{width}}  {int(rows):>12,}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    if args.events < 1000 or args.events > 50_000_000:
        print("--events must be between 1,000 and 50,000,000.", file=sys.stderr)
        return 2
    store = _open(args)
    contents = demo.store_contents(store)
    if contents == "real":
        print(f"{store.path} holds real data; demo data goes only into an empty store. Use another "
              "file: python -m privacyops --db data/demo.duckdb demo", file=sys.stderr)
        return 1
    if contents == "demo":
        if not args.replace:
            print(f"{store.path} already holds demo data. Add --replace to generate it again.",
                  file=sys.stderr)
            return 1
        demo.clear(store)
    started = time.perf_counter()

    def progress(step: str, fraction: float) -> None:
        print(f"  [{fraction:4.0%}] {step} ({time.perf_counter() - started:.1f} s)", flush=True)

    print(f"Generating demo data ({args.events:,} consent records) into {store.path} ...", flush=True)
    counts = demo.generate(store, args.events, seed=args.seed, progress=progress)
    elapsed = time.perf_counter() - started
    print(f"Done in {elapsed:.1f} s: " + ", ".join(f"{table} {rows:,}" for table, rows in counts.items()))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from privacyops.cases.requests import verify_history

    problems = verify_history(_open(args))
    if problems:
        print(f"The request history has been tampered with ({len(problems)} problem(s)):", file=sys.stderr)
        for problem in problems[:50]:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print("The request history chain is intact.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from privacyops.importing.cli import cli_import

    return cli_import(args.db or default_db_path(), args.kind, args.file, as_json=args.json,
                      delimiter=args.delimiter, encoding=args.encoding, file_format=args.format,
                      decimal_comma=args.decimal_comma, mapping=args.mapping, wait_s=args.timeout)


def cmd_backup(args: argparse.Namespace) -> int:
    from privacyops.cases import backup
    from privacyops.store import settings as stored_settings

    store = _open(args)
    folder = Path(args.folder) if args.folder else backup.backup_folder(store.path)
    check = backup.take(store, folder=folder)
    removed = backup.prune(folder, keep_days=stored_settings.current(store).backup_keep_days,
                           today=check.taken_at.date() if check.taken_at else date.today())
    print(f"Backup written and verified: {check.path}")
    print(f"  {check.summary()}")
    if removed:
        print(f"  Removed {len(removed)} backup(s) older than the keeping time: "
              + ", ".join(p.name for p in removed))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from privacyops.cases import backup

    target = Path(args.db).expanduser() if args.db else default_db_path()
    source = Path(args.backup).expanduser()
    check = backup.verify(source)
    print(f"Backup checked: {check.summary()}")
    if not args.yes:
        print(f"This replaces {target} with the backup. Run again with --yes to do it (the current store is "
              "kept beside it as a .before-restore copy).", file=sys.stderr)
        return 2
    kept = backup.restore(source, target)
    print(f"Restored {target} from {source.name}." + (f" The store it replaced is kept as {kept}." if kept else ""))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m privacyops",
                                     description="Privacy Ops: the privacy store's command line.")
    parser.add_argument("--db", help=f"the store file (default: $PRIVACYOPS_DB or {default_db_path()})")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="create the store or migrate it to this version").set_defaults(run=cmd_init)
    sub.add_parser("stats", help="rows per table and the schema version").set_defaults(run=cmd_stats)
    demo_cmd = sub.add_parser("demo", help="fill an empty store with demo data")
    demo_cmd.add_argument("--events", type=int, default=200_000, help="consent records to generate (default 200,000)")
    demo_cmd.add_argument("--seed", type=int, default=20261125, help="the generator's seed")
    demo_cmd.add_argument("--replace", action="store_true", help="replace existing demo data")
    demo_cmd.set_defaults(run=cmd_demo)
    imp = sub.add_parser("import", help="import customers, consent, requests or retention from a file "
                                        "(CSV, JSON lines, Parquet); see docs/import.md")
    imp.add_argument("kind", choices=["customers", "consent", "requests", "retention"],
                     help="what the file holds (import customers first)")
    imp.add_argument("file", help="the file to import")
    imp.add_argument("--json", action="store_true",
                     help="end with one JSON object on stdout: read, imported, rejected, duplicates, rejects_path")
    imp.add_argument("--delimiter", help="CSV delimiter: , ; tab | (default: detected)")
    imp.add_argument("--encoding", choices=["utf-8", "windows-1252"], help="text encoding (default: detected)")
    imp.add_argument("--format", choices=["csv", "jsonl", "parquet"], help="file format (default: detected)")
    imp.add_argument("--decimal-comma", action=argparse.BooleanOptionalAction, default=None,
                     help="numbers written 5,0 (default: on for semicolon-separated files)")
    imp.add_argument("--mapping", metavar="SOURCE", help="a column mapping saved on the Import page for this kind")
    imp.add_argument("--timeout", type=float, default=3600, metavar="SECONDS",
                     help="while the dashboard runs, the file is handed to it through the store's inbox: how long "
                          "to wait for its report (default 3600; a file not yet taken by then is withdrawn)")
    imp.set_defaults(run=cmd_import)
    sub.add_parser("verify-history", help="check the request history's hash chain").set_defaults(run=cmd_verify)
    back = sub.add_parser("backup", help="write a verified backup of the store (when the dashboard is not running: "
                                         "it makes its own daily)")
    back.add_argument("--folder", help="where to write it (default: backups/ beside the store)")
    back.set_defaults(run=cmd_backup)
    rest = sub.add_parser("restore", help="bring the store back to a backup (the dashboard must be stopped)")
    rest.add_argument("backup", help="the backup file (a .duckdb file from the backups folder)")
    rest.add_argument("--yes", action="store_true", help="really replace the store (it is kept beside it)")
    rest.set_defaults(run=cmd_restore)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except StoreError as error:
        print(f"{error.title}: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (e.g. `stats | head`): stop quietly, as command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("Interrupted; nothing half-written was kept.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

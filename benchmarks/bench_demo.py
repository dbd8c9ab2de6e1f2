"""Time the demo data generator: `python benchmarks/bench_demo.py [--events N] [--seed S] [--keep PATH]`.

Creates a store in a temporary folder (or at --keep), runs demo.generate() and prints the seconds of
each step (as reported through its progress callback), the rows per table and the file size.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from privacyops.demo import generator as demo
from privacyops.store import open_store


def run(events: int, seed: int, today: date, path: Path, clear_too: bool) -> None:
    """Generate into the store at `path` and print the timings."""
    opened = time.perf_counter()
    store = open_store(path)
    print(f"store opened and migrated in {time.perf_counter() - opened:.2f} s: {path}")
    timings: list[tuple[str, float]] = []
    current: list[object] = [None, 0.0]

    def progress(step: str, fraction: float) -> None:
        now = time.perf_counter()
        if current[0] is not None:
            timings.append((str(current[0]), now - float(current[1])))
        current[0], current[1] = step, now

    started = time.perf_counter()
    counts = demo.generate(store, events, seed=seed, today=today, progress=progress)
    total = time.perf_counter() - started
    print(f"\ngenerate({events:,}) in {total:.2f} s")
    # Before the first step: the plan and the empty-store check.
    first_step_at = total - sum(seconds for _, seconds in timings)
    print(f"  {'(before the first step)':<34} {first_step_at:8.2f} s")
    for step, seconds in timings:
        print(f"  {step:<34} {seconds:8.2f} s")
    print("\nrows per table")
    for table, rows in counts.items():
        print(f"  {table:<32} {rows:>12,}")
    if clear_too:
        cleared = time.perf_counter()
        demo.clear(store)
        print(f"\nclear() in {time.perf_counter() - cleared:.2f} s")
    store.close()
    size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    print(f"\nfile size {size / 1e6:,.1f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000, help="consent records (default 10,000,000)")
    parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 25),
                        help="the demo's today (default 2026-11-25, so runs compare)")
    parser.add_argument("--keep", type=Path, help="write the store here and keep it (must not exist)")
    parser.add_argument("--clear", action="store_true", help="also time demo.clear() afterwards")
    args = parser.parse_args()
    if args.keep:
        if args.keep.exists():
            parser.error(f"{args.keep} exists; give a new path")
        run(args.events, args.seed, args.today, args.keep.resolve(), args.clear)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench_demo_") as folder:
        run(args.events, args.seed, args.today, Path(folder) / "demo.duckdb", args.clear)
    return 0


if __name__ == "__main__":
    sys.exit(main())

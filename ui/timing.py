"""Server-side timings for the load benchmark (benchmarks/bench_load.py): how long each page rerun and each
logged request took inside this process. Off unless PRIVACYOPS_TIMINGS names a file; then one JSON line per
measurement is appended (a lock keeps lines whole when sessions finish at once)."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()


@contextmanager
def timed(kind: str, name: str) -> Iterator[None]:
    """Measure the block; `kind` is 'page' or 'action', `name` the page or action."""
    target = os.environ.get("PRIVACYOPS_TIMINGS")
    if not target:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        line = json.dumps({"kind": kind, "name": name, "seconds": round(time.perf_counter() - started, 6),
                           "at": time.time()})
        with _lock, open(target, "a", encoding="utf-8") as out:
            out.write(line + "\n")

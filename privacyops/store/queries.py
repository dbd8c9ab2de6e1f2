"""Named queries: every read is a file queries/NAME.sql whose header names its parameters and columns; this
module loads them and runs them with named parameters (the one way to run a read)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from privacyops.store.errors import QueryError
from privacyops.store.versions import ALL_KINDS, known_kinds

QUERIES_DIR = Path(__file__).resolve().parents[2] / "queries"


_PARAM_LINE = re.compile(r"^--\s*param\s+\$([a-z_][a-z0-9_]*)\s*:\s*([A-Za-z\[\]]+)", re.IGNORECASE)
_RETURNS_LINE = re.compile(r"^--\s*returns:\s*(.+)$", re.IGNORECASE)
_READS_LINE = re.compile(r"^--\s*reads:\s*(.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class NamedQuery:
    """A read query from queries/NAME.sql with the parameters and columns its header declares."""

    name: str
    sql: str
    params: frozenset[str]
    columns: tuple[str, ...]
    param_types: tuple[tuple[str, str], ...] = ()
    declared_reads: tuple[str, ...] | None = None   # the `-- reads:` kinds; None: the header has no such line

    @property
    def reads(self) -> tuple[str, ...]:
        """The kinds of data (store.versions) the query reads: a cached result of it stays current until one of
        these kinds changes. Without a `-- reads:` line, every kind (tests/data/test_query_files.py wants one)."""
        return ALL_KINDS if self.declared_reads is None else self.declared_reads

    @property
    def statement(self) -> str:
        """The SQL as one statement to embed in another (`COPY (...) TO`): no trailing semicolon."""
        return self.sql.strip().rstrip(";")

    def check_params(self, params: Mapping[str, Any]) -> None:
        """QueryError unless `params` names exactly the parameters the header declares."""
        given = set(params)
        if given == self.params:
            return
        parts = []
        if missing := sorted(self.params - given):
            parts.append("missing " + ", ".join(f"${p}" for p in missing))
        if extra := sorted(given - self.params):
            parts.append("not declared " + ", ".join(f"${p}" for p in extra))
        raise QueryError(f"queries/{self.name}.sql was called with the wrong parameters: " + "; ".join(parts) + ".")


@cache
def named_query(name: str) -> NamedQuery:
    """Load queries/NAME.sql. The header lists `-- param $x: TYPE, meaning` lines, one `-- returns: a, b` line
    and one `-- reads: requests, customers` line (the kinds of data in store.versions it reads)."""
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise QueryError(f"'{name}' is not a query name (lower-case letters, digits and _ only).")
    path = QUERIES_DIR / f"{name}.sql"
    if not path.exists():
        raise QueryError(f"There is no query file queries/{name}.sql.")
    sql = path.read_text("utf-8")
    params: dict[str, str] = {}
    columns: tuple[str, ...] = ()
    reads: tuple[str, ...] | None = None
    for line in sql.splitlines():
        if m := _PARAM_LINE.match(line.strip()):
            params[m.group(1)] = m.group(2).upper()
        elif m := _RETURNS_LINE.match(line.strip()):
            columns = tuple(c.strip() for c in m.group(1).split(","))
        elif m := _READS_LINE.match(line.strip()):
            try:
                reads = known_kinds((k.strip() for k in m.group(1).split(",")), where=f"queries/{name}.sql reads")
            except ValueError as error:
                raise QueryError(str(error)) from error
    if not columns:
        raise QueryError(f"queries/{name}.sql has no '-- returns:' header line.")
    return NamedQuery(name, sql, frozenset(params), columns, tuple(sorted(params.items())), reads)


def run_named(cur: duckdb.DuckDBPyConnection, name: str, **params: Any) -> duckdb.DuckDBPyConnection:
    """Execute queries/NAME.sql on `cur` (a read inside the write path uses this too)."""
    q = named_query(name)
    q.check_params(params)
    return cur.execute(q.sql, params or None)


def query_names() -> list[str]:
    return sorted(p.stem for p in QUERIES_DIR.glob("*.sql"))

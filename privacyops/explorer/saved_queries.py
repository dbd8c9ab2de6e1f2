"""The team's saved queries in the SQL explorer: listed newest first, and saved under a title once the query
passes the explorer's checks (one SELECT it would run).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from privacyops import clock
from privacyops.explorer.errors import ExplorerError
from privacyops.explorer.sql_guard import check
from privacyops.store import Store

MAX_TITLE_LENGTH = 120


def saved_queries(store: Store) -> pd.DataFrame:
    """The team's saved queries, newest first (queries/sql_explorer_saved_queries.sql)."""
    return store.query("sql_explorer_saved_queries")


def save_query(store: Store, *, title: str, sql: str, actor: str) -> int:
    """Save a query for the team under a title; it must be one SELECT the explorer would run."""
    name = " ".join(title.split())
    if not name:
        raise ExplorerError("Give the query a title so the team can find it.", title="Not saved")
    if len(name) > MAX_TITLE_LENGTH:
        raise ExplorerError(f"A title has at most {MAX_TITLE_LENGTH} characters.", title="Not saved")
    check(sql)
    stamp = clock.to_utc_naive(clock.now_utc())

    def insert(cur: duckdb.DuckDBPyConnection) -> int:
        row = cur.execute("INSERT INTO saved_queries (title, sql_text, saved_by, saved_at) "
                          "VALUES ($title, $sql, $by, $at) RETURNING query_id",
                          {"title": name, "sql": sql.strip(), "by": actor, "at": stamp}).fetchone()
        return int(row[0])

    return store.write(insert, touches=("saved_queries",))


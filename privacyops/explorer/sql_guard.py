"""The checks on the text of an analyst's query (the third layer of privacyops.explorer.sandbox): exactly one
statement, a SELECT that starts with a query keyword, and none of the table functions that change the
instance or run SQL held in a string. Each refusal says why and what to write instead.
"""

from __future__ import annotations

import itertools
import threading

import duckdb

from privacyops.explorer.errors import ExplorerError

MAX_SQL_LENGTH = 20_000

_QUERY_KEYWORDS = frozenset({"select", "with", "from", "values", "table", "(", "summarize", "describe", "show",
                             "pivot", "unpivot", "pivot_wider", "pivot_longer"})

_REFUSED_TYPES: dict[str, str] = {
    "INSERT": "The explorer is read-only: INSERT changes data.",
    "UPDATE": "The explorer is read-only: UPDATE changes data.",
    "DELETE": "The explorer is read-only: DELETE and TRUNCATE change data.",
    "MERGE_INTO": "The explorer is read-only: MERGE changes data.",
    "CREATE": "The explorer is read-only: CREATE makes tables, views, macros or secrets. For a helper table, "
              "use a WITH clause (a common table expression) inside the SELECT. (A PIVOT without an IN list "
              "also needs one: write PIVOT ... ON column IN ('a', 'b') USING ...)",
    "DROP": "The explorer is read-only: DROP removes objects.",
    "ALTER": "The explorer is read-only: ALTER and COMMENT ON change objects.",
    "ATTACH": "ATTACH opens another database; the explorer reads only its pseudonymised views (see Schema).",
    "DETACH": "DETACH closes a database; the explorer's views are fixed.",
    "COPY": "COPY reads or writes files, and the explorer has no file access. Use the CSV download under the "
            "result instead.",
    "COPY_DATABASE": "COPY FROM DATABASE copies a database; the explorer reads only its views.",
    "EXPORT": "EXPORT DATABASE writes files, and the explorer has no file access. Use the CSV download under "
              "the result instead.",
    "LOAD": "INSTALL and LOAD add extensions; the explorer has a fixed set of functions and no network.",
    "EXTENSION": "Extension statements are not available; the explorer has a fixed set of functions.",
    "SET": "SET, RESET and USE change settings, and the explorer's settings are locked.",
    "PRAGMA": "PRAGMA statements change or show settings; they are not available in the explorer.",
    "TRANSACTION": "Every query already runs in a read-only transaction of its own: BEGIN, COMMIT and ROLLBACK "
                   "are not needed.",
    "CALL": "CALL runs a table function for its effect; the explorer runs SELECT queries only (a table "
            "function you need can be read with SELECT * FROM name(...)).",
    "EXPLAIN": "EXPLAIN is not available in the explorer; run the SELECT itself.",
    "PREPARE": "Prepared statements are not available; write the values into the query.",
    "EXECUTE": "Prepared statements are not available; write the values into the query.",
    "VACUUM": "VACUUM and ANALYZE are maintenance statements; the explorer runs SELECT queries only.",
    "ANALYZE": "VACUUM and ANALYZE are maintenance statements; the explorer runs SELECT queries only.",
}

# Table functions that change the instance (logging, profiling, checkpoints), run SQL kept in a string
# (which would hide every other check), or read memory or files through pointers.
_REFUSED_FUNCTIONS = frozenset({
    "checkpoint", "force_checkpoint", "truncate_duckdb_logs", "json_execute_serialized_sql", "query",
    "query_table", "arrow_scan", "arrow_scan_dumb", "pandas_scan", "python_map_function", "import_database",
    "copy_database", "add_parquet_key", "read_duckdb",
})
_REFUSED_FUNCTION_PREFIXES = ("enable_", "disable_", "verify_")


def _refused(message: str) -> ExplorerError:
    return ExplorerError(message + " Write a single SELECT query over the views listed under Schema.")


def _tokens(sql: str) -> list[tuple[str, str]]:
    """(text, kind) of each token of `sql`, comments left out."""
    found = duckdb.tokenize(sql)
    tokens = []
    for index, (start, kind) in enumerate(found):
        end = found[index + 1][0] if index + 1 < len(found) else len(sql)
        name = getattr(kind, "name", str(kind))
        if name != "comment":
            tokens.append((sql[start:end].strip(), name))
    return tokens


def _function_name(token: str) -> str:
    return token.strip('"').lower()


_parser_lock = threading.Lock()
_parser: duckdb.DuckDBPyConnection | None = None


def _parse(sql: str) -> list[duckdb.Statement]:
    """The statements of `sql`, parsed by a private, empty, locked in-memory instance."""
    global _parser
    with _parser_lock:
        if _parser is None:
            con = duckdb.connect(":memory:")
            con.execute("SET enable_external_access = false")
            con.execute("SET lock_configuration = true")
            _parser = con
        cur = _parser.cursor()
    try:
        return list(cur.extract_statements(sql))
    finally:
        cur.close()


def check(sql: str) -> str:
    """The one SELECT statement in `sql`, as text to run; ExplorerError saying why when it is not one."""
    if not sql or not sql.strip():
        raise ExplorerError("There is no query to run. Write a SELECT query over the views listed under Schema.",
                            title="Nothing to run")
    if len(sql) > MAX_SQL_LENGTH:
        raise ExplorerError(f"The query is {len(sql):,} characters long; the explorer takes at most "
                            f"{MAX_SQL_LENGTH:,}.", title="The query is too long")
    try:
        statements = _parse(sql)
    except duckdb.ParserException as error:
        raise ExplorerError(f"The SQL could not be read: {error}", title="The SQL could not be read") from error
    except duckdb.Error as error:
        raise ExplorerError(f"DuckDB could not read this statement: {error}",
                            title="The SQL could not be read") from error
    if not statements:
        raise ExplorerError("There is no query to run (only comments or semicolons). Write a SELECT query.",
                            title="Nothing to run")
    if len(statements) > 1:
        raise _refused(f"One statement at a time: this text holds {len(statements)} statements separated by "
                       "semicolons. Run them one by one.")
    # The checks below read the text as typed: DuckDB rewrites some statements (PRAGMA x becomes
    # SELECT * FROM pragma_x()) before statement.query shows them.
    text = sql.strip()
    tokens = _tokens(text)
    first = tokens[0][0].lower() if tokens else ""
    kind = statements[0].type.name
    if kind != "SELECT":
        message = _REFUSED_TYPES.get(kind, f"Only SELECT queries run in the explorer; this statement starts with "
                                           f"{first.upper()} and is not a query.")
        raise _refused(message)
    if first == "pragma":
        raise _refused(_REFUSED_TYPES["PRAGMA"])
    if first not in _QUERY_KEYWORDS:
        raise _refused(f"Only SELECT queries run in the explorer; this statement starts with {first.upper()}.")
    for (token, kind_of_token), (following, _) in itertools.pairwise(tokens):
        if following != "(" or kind_of_token not in ("identifier", "keyword"):
            continue
        name = _function_name(token)
        if name in _REFUSED_FUNCTIONS or name.startswith(_REFUSED_FUNCTION_PREFIXES):
            raise _refused(f"The function {name}() is not available in the explorer: it changes the database's "
                           "state or runs SQL held in a string.")
    return text


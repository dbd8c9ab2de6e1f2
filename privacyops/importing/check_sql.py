"""The SQL that parses and checks every row of a file inside DuckDB (the parse and check steps).

Everything here is generated from the contract (privacyops.importing.contract) and the rule modules, never
from a file's contents: values from the file reach DuckDB only as data (columns c0..cN of the reader)
or as bound parameters ($now, $known_customers, $decimal_comma). One statement parses and checks every
row and keeps, per row, the list of problems found: {column, reason, value}.

The statement is a chain of layers, each adding columns per contract field `x`:
  v__x  the trimmed raw text (NULL when empty)
  p__x  the parsed value (helpers for timestamps: s__x shape, f__x fast cast, m__x pattern match,
        l__x local time, o__x UTC offset in minutes, z__x whether an offset was given)
  e__x  the reason the value is wrong, or NULL
  x     the typed value, NULL when wrong
Checks across columns (check_rules.py) read the typed values of the columns that passed.
"""

# ruff: noqa: S608 - every statement here is generated from the import contract and constants; values from
# a file reach DuckDB only as data (the reader's columns) or as bound parameters, never as SQL text.

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from privacyops.importing.check_rules import cross_rules
from privacyops.importing.contract import EMAIL_PATTERN, ID_COLUMN, ID_PATTERN, Field, fields
from privacyops.rules import customer_terms as customer_rules
from privacyops.rules import lifecycle
from privacyops.store.sql import literal, string_list

# ISO 8601: a date, optionally a time (T or space), optionally an offset (Z, +01, +0100, +01:00).
TIMESTAMP_PATTERN = (r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?))?"
                     r"\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?$")
DATE_PATTERN = r"\d{4}-\d{2}-\d{2}"
EARLIEST = "1990-01-01"
TRUE_WORDS = ("true", "t", "yes", "y", "1", "ja", "j", "sant", "x")
FALSE_WORDS = ("false", "f", "no", "n", "0", "nej", "falskt")
# A character the file could not be decoded into (Windows-1252 bytes it leaves undefined).
REPLACEMENT_CHAR = "\ufffd"
EXPANDRA_AS_CONTROLLER = lifecycle.EXPANDRA_AS_CONTROLLER

ENCODING_REASON = "contains bytes that are not text in the chosen encoding"
TEXT_TYPES = ("text", "long_text", "customer_ref", "controller_ref", "id", "org_number")


def _contract_name(name: str) -> str:
    """A contract column name, checked to be lower-case letters, digits and _ only. It is spelled bare (not
    quoted) because it is also the tail of the layers' column names (v__x, p__x, e__x): the check is what
    makes that safe, so a contract change that broke it fails here rather than in the SQL."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise ValueError(f"not a contract column name: {name}")
    return name


@dataclass(frozen=True)
class _Value:
    """One mapped field's names and the CASE branches every type shares."""

    field: Field
    name: str          # the contract column (x)
    raw: str           # v__x: the trimmed text
    missing: str       # WHEN branch: empty but required (or NULL: no problem)
    encoding: str      # WHEN branch: a character the encoding could not decode
    too_long: str      # WHEN branch: over the field's maximum length

    @classmethod
    def of(cls, f: Field) -> _Value:
        n = _contract_name(f.name)
        v = f"v__{n}"
        missing = f"WHEN {v} IS NULL THEN 'is required'" if f.required else f"WHEN {v} IS NULL THEN NULL"
        encoding = f"WHEN contains({v}, {literal(REPLACEMENT_CHAR)}) THEN {literal(ENCODING_REASON)}"
        # strlen (bytes) first: counting characters is slower, and a value has at least as many bytes
        too_long = (f"WHEN strlen({v}) > {f.max_length} AND length({v}) > {f.max_length} "
                    f"THEN 'is longer than {f.max_length:,} characters'")
        return cls(f, n, v, missing, encoding, too_long)


def _id_pattern(kind: str, f: Field) -> str:
    if kind == "customers" and f.name == "customer_id":
        return customer_rules.CUSTOMER_ID_PATTERN.pattern.lstrip("^").rstrip("$")
    return ID_PATTERN


def _choice_value(f: Field, v: str) -> str:
    lowered = f"lower({v})"
    if f.synonyms:
        cases = " ".join(f"WHEN {literal(a)} THEN {literal(b)}" for a, b in f.synonyms)
        lowered = f"CASE {lowered} {cases} ELSE {lowered} END"
    # most files spell the values exactly: skip lower() for them
    return f"CASE WHEN list_contains({string_list(f.choices)}, {v}) THEN {v} ELSE {lowered} END"


# Per type: the parse layer's expressions and the check layer's expression (e__x) of one field.

def _text(kind: str, x: _Value) -> tuple[list[str], str]:
    f, n, v = x.field, x.name, x.raw
    # a controller_ref of EXPANDRA is Expandra itself as the controller: no customer (rules.md 2)
    parse = (f"CASE WHEN upper({v}) = {literal(EXPANDRA_AS_CONTROLLER)} THEN NULL ELSE {v} END AS p__{n}"
             if f.type == "controller_ref" else f"{v} AS p__{n}")
    rules = [x.missing, x.encoding, x.too_long]
    if f.type == "text":
        rules.append(f"WHEN contains({v}, chr(10)) OR contains({v}, chr(13)) "
                     "THEN 'contains a line break (a quote that is not closed?)'")
    if f.type == "id":
        rules.append(f"WHEN NOT regexp_full_match({v}, {literal(_id_pattern(kind, f))}) THEN "
                     + (literal("is not a customer id (1-32 letters, digits, - or _)") if kind == "customers"
                        else literal("is not an id (1-64 letters, digits and _ . : / -, no spaces)")))
    if f.type == "org_number":
        pattern = customer_rules.ORG_NUMBER_PATTERN.pattern.lstrip("^").rstrip("$")
        rules.append(f"WHEN NOT regexp_full_match({v}, {literal(pattern)}) "
                     "THEN 'is not an organisation number (NNNNNN-NNNN)'")
    if f.type == "customer_ref":
        rules.append(f"WHEN NOT list_contains($known_customers, {v}) "
                     "THEN 'is not a customer in the store (import or add the customer first)'")
    if f.type == "controller_ref":
        rules.append(f"WHEN upper({v}) <> {literal(EXPANDRA_AS_CONTROLLER)} "
                     f"AND NOT list_contains($known_customers, {v}) "
                     f"THEN 'is not a customer in the store (import or add the customer first), nor "
                     f"{EXPANDRA_AS_CONTROLLER} for a request where Expandra is the controller'")
    return [parse], f"CASE {' '.join(rules)} END AS e__{n}"


def _choice(kind: str, x: _Value) -> tuple[list[str], str]:
    f, n = x.field, x.name
    allowed = ", ".join(f.choices)
    return ([f"{_choice_value(f, x.raw)} AS p__{n}"],
            f"CASE {x.missing} WHEN NOT list_contains({string_list(f.choices)}, p__{n}) "
            f"THEN {literal('is not one of: ' + allowed)} END AS e__{n}")


def _boolean(kind: str, x: _Value) -> tuple[list[str], str]:
    n, v = x.name, x.raw
    return ([f"CASE {v} WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE "
             f"ELSE CASE WHEN list_contains({string_list(TRUE_WORDS)}, lower({v})) THEN TRUE "
             f"WHEN list_contains({string_list(FALSE_WORDS)}, lower({v})) THEN FALSE END END AS p__{n}"],
            f"CASE {x.missing} WHEN p__{n} IS NULL "
            f"THEN 'is not true or false (true/false, yes/no, 1/0, ja/nej)' END AS e__{n}")


def _integer(kind: str, x: _Value) -> tuple[list[str], str]:
    f, n, v = x.field, x.name, x.raw
    # spaces, no-break spaces and narrow no-break spaces group thousands in Swedish numbers
    cleaned = f"replace(replace(replace({v}, ' ', ''), chr(160), ''), chr(8239), '')"
    number = (f"TRY_CAST(CASE WHEN $decimal_comma THEN replace({cleaned}, ',', '.') ELSE {cleaned} END "
              "AS DECIMAL(38, 6))")
    return ([f"{number} AS p__{n}"],
            f"CASE {x.missing} WHEN p__{n} IS NULL THEN 'is not a number' "
            f"WHEN p__{n} <> trunc(p__{n}) THEN 'is not a whole number' "
            f"WHEN p__{n} < {f.minimum} OR p__{n} > {f.maximum} "
            f"THEN 'is not between {f.minimum:,} and {f.maximum:,}' END AS e__{n}")


def _email(kind: str, x: _Value) -> tuple[list[str], str]:
    n, v = x.name, x.raw
    return ([f"CASE WHEN regexp_full_match({v}, {literal(EMAIL_PATTERN)}) "
             f"THEN split_part({v}, '@', 1) || '@' || lower(split_part({v}, '@', 2)) END AS p__{n}"],
            f"CASE {x.missing} {x.encoding} {x.too_long} WHEN p__{n} IS NULL THEN 'is not an email address' "
            f"END AS e__{n}")


def _country(kind: str, x: _Value) -> tuple[list[str], str]:
    n, v = x.name, x.raw
    return ([f"CASE WHEN lower({v}) = 'other' THEN 'other' ELSE upper({v}) END AS p__{n}"],
            f"CASE {x.missing} WHEN NOT (regexp_full_match(p__{n}, '[A-Z]{{2}}') OR p__{n} = 'other') "
            f"THEN 'is not a two-letter country code (or other)' END AS e__{n}")


def _date(kind: str, x: _Value) -> tuple[list[str], str]:
    n, v = x.name, x.raw
    return ([f"CASE WHEN regexp_full_match({v}, {literal(DATE_PATTERN)}) THEN TRY_CAST({v} AS DATE) END "
             f"AS p__{n}"],
            f"CASE {x.missing} WHEN NOT regexp_full_match({v}, {literal(DATE_PATTERN)}) "
            f"THEN 'is not a date (YYYY-MM-DD)' "
            f"WHEN p__{n} IS NULL THEN 'is not a real date (no such day)' "
            f"WHEN p__{n} < DATE {literal(EARLIEST)} OR p__{n} > DATE '2200-12-31' "
            f"THEN 'is not between 1990 and 2200: check the year' END AS e__{n}")


def _timestamp(kind: str, x: _Value) -> tuple[list[str], str]:
    f, n, v = x.field, x.name, x.raw
    # Fast path for the two shapes machines write (2025-03-05T10:15:00Z in UTC, and 2025-03-05 11:15:00
    # as local time): a plain cast. Anything else (offsets, fractions, no seconds, errors) goes through
    # the ISO 8601 pattern, which also says exactly what is wrong.
    parse = [f"CASE WHEN {v} LIKE '____-__-__T__:__:__Z' THEN 'z' "
             f"WHEN {v} LIKE '____-__-__ __:__:__' OR {v} LIKE '____-__-__T__:__:__' THEN 'n' END AS s__{n}",
             f"CASE WHEN s__{n} IS NOT NULL THEN TRY_CAST({v} AS TIMESTAMP) END AS f__{n}",
             f"CASE WHEN f__{n} IS NULL THEN regexp_extract({v}, {literal(TIMESTAMP_PATTERN)}, ['d', 't', 'z']) "
             f"END AS m__{n}"]
    future = "" if f.future_allowed else f"WHEN p__{n} > $now THEN 'is in the future' "
    slow = f"f__{n} IS NULL AND "
    check = (f"CASE {x.missing} WHEN {slow}(m__{n}).d = '' "
             "THEN 'is not an ISO 8601 date and time (e.g. 2025-03-05T10:15:00Z or 2025-03-05 11:15)' "
             f"WHEN {slow}TRY_CAST((m__{n}).d AS DATE) IS NULL THEN 'is not a real date (no such day)' "
             f"WHEN l__{n} IS NULL THEN 'is not a real time of day' "
             f"WHEN o__{n} IS NULL THEN 'has an impossible UTC offset' "
             f"WHEN z__{n} = '' AND timezone('Europe/Stockholm', timezone('UTC', p__{n})) <> l__{n} "
             "THEN 'does not exist in Stockholm (the clocks jumped an hour forward): give the UTC offset' "
             f"{future}"
             f"WHEN p__{n} < TIMESTAMP {literal(EARLIEST)} THEN 'is before 1990: check the year' END AS e__{n}")
    return parse, check


_BY_TYPE: dict[str, Callable[[str, _Value], tuple[list[str], str]]] = {
    **dict.fromkeys(TEXT_TYPES, _text), "choice": _choice, "boolean": _boolean, "integer": _integer,
    "email": _email, "country": _country, "date": _date, "timestamp": _timestamp,
}


def field_sql(kind: str, f: Field, mapped: bool) -> tuple[list[str], list[str], str]:
    """For one field: the expressions of the parse layer (`p__name` and helpers), of the check layer
    (`e__name`, the reason or NULL) and the final typed value. `v__name` is the trimmed raw text."""
    n = _contract_name(f.name)
    if not mapped:
        # Not in the file: an optional column is NULL (necessary defaults to true); a required one is a
        # file-level problem reported once per row by the caller.
        return [], [f"CAST(NULL AS VARCHAR) AS e__{n}"], f"{_cast_null(f, f.default or 'NULL')} AS {n}"
    build = _BY_TYPE.get(f.type)
    if build is None:  # pragma: no cover - the contract's types are all handled above
        raise ValueError(f"unknown type {f.type}")
    x = _Value.of(f)
    parse, check = build(kind, x)
    typed = (f"CASE WHEN e__{n} IS NULL THEN CAST(p__{n} AS INTEGER) END AS {n}" if f.type == "integer"
             else f"CASE WHEN e__{n} IS NULL THEN p__{n} END AS {n}")
    if f.default is not None:
        # an empty value takes the contract's default; a given one is checked as usual
        checked = typed.rsplit(" AS ", 1)[0]
        typed = f"CASE WHEN {x.raw} IS NULL THEN {_cast_null(f, f.default)} ELSE {checked} END AS {n}"
    return parse, [check], typed


def _cast_null(f: Field, default: str) -> str:
    sql_type = {"boolean": "BOOLEAN", "integer": "INTEGER", "timestamp": "TIMESTAMP", "date": "DATE"}.get(
        f.type, "VARCHAR")
    return f"CAST({default} AS {sql_type})"


def timestamp_layers(f: Field) -> tuple[str, str]:
    """Two extra layers for a timestamp: the local (naive) value, its offset in minutes and whether it had
    one (z__: 'z' exact, '' local Stockholm time), then the UTC value."""
    n = f.name
    m = f"m__{n}"
    local = (f"coalesce(f__{n}, TRY_CAST(({m}).d || ' ' || coalesce(NULLIF(replace(({m}).t, ',', '.'), ''), "
             f"'00:00:00') AS TIMESTAMP)) AS l__{n}")
    z = f"({m}).z"
    digits = f"replace(substr({z}, 2), ':', '')"
    hours = f"TRY_CAST(left({digits}, 2) AS INTEGER)"
    mins = f"coalesce(TRY_CAST(NULLIF(substr({digits}, 3, 2), '') AS INTEGER), 0)"
    # offset in minutes: Z -> 0, +hh, +hhmm, +hh:mm; NULL when impossible (over 14 hours, or :60 and more)
    offset = (f"CASE WHEN s__{n} IS NOT NULL AND f__{n} IS NOT NULL THEN 0 "
              f"WHEN {m} IS NULL OR ({m}).d = '' OR {z} = '' OR lower({z}) = 'z' THEN 0 "
              f"WHEN {hours} * 60 + {mins} <= 14 * 60 AND {mins} < 60 "
              f"THEN (CASE WHEN left({z}, 1) = '-' THEN -1 ELSE 1 END) * ({hours} * 60 + {mins}) END AS o__{n}")
    zone = (f"CASE WHEN f__{n} IS NOT NULL THEN CASE s__{n} WHEN 'z' THEN 'z' ELSE '' END "
            f"WHEN {z} = '' THEN '' ELSE 'z' END AS z__{n}")
    utc = (f"CASE WHEN z__{n} = '' THEN timezone('UTC', timezone('Europe/Stockholm', l__{n})) "
           f"ELSE l__{n} - to_minutes(CAST(o__{n} AS BIGINT)) END AS p__{n}")
    return f"{local}, {offset}, {zone}", utc


@dataclass(frozen=True)
class _Layers:
    """The expressions of each layer of the statement, collected over the contract's fields."""

    values: list[str]       # v__x
    parse: list[str]        # p__x and its helpers
    local: list[str]        # timestamps: l__x, o__x, z__x
    utc: list[str]          # timestamps: p__x in UTC
    checks: list[str]       # e__x
    typed: list[str]        # x


def _layers(kind: str, mapping: Mapping[str, int]) -> _Layers:
    layers = _Layers([], [], [], [], [], [])
    for f in fields(kind):
        mapped = f.name in mapping
        if mapped:
            layers.values.append(f"{_trimmed(f'c{mapping[f.name]}')} AS v__{f.name}")
        parse, checks, typed = field_sql(kind, f, mapped)
        layers.parse.extend(parse)
        layers.checks.extend(checks)
        layers.typed.append(typed)
        if mapped and f.type == "timestamp":
            local, utc = timestamp_layers(f)
            layers.local.append(local)
            layers.utc.append(utc)
    return layers


def _problem_list(kind: str, mapping: Mapping[str, int]) -> str:
    """The `problems` expression: a list of {column, reason, value} for a row with a problem, NULL for a good
    row (the list is built only where a flag says there is one: most rows are good)."""
    contract = fields(kind)
    problems: list[str] = []
    flags: list[str] = []
    for f in contract:
        if f.name in mapping:
            problems.append(f"CASE WHEN e__{f.name} IS NOT NULL THEN {{'column': {literal(f.name)}, "
                            f"'reason': e__{f.name}, 'value': CAST(c{mapping[f.name]} AS VARCHAR)}} END")
            flags.append(f"e__{f.name} IS NOT NULL")
    missing = [f.name for f in contract if f.required and f.name not in mapping]
    if missing:
        # A required column the file does not have: one problem per row says so (no row can be imported).
        reason = (f"the file has no {', '.join(missing)} column{'s' if len(missing) > 1 else ''} "
                  "(map the file's columns to the contract)")
        problems = [f"{{'column': '(file)', 'reason': {literal(reason)}, 'value': CAST(NULL AS VARCHAR)}}"]
        flags = ["TRUE"]
    rules = [] if missing else cross_rules(kind, {f.name: f.name in mapping for f in contract})
    for condition, problem in rules:
        problems.append(f"CASE WHEN {condition} THEN {problem} END")
        flags.append(f"coalesce({condition}, FALSE)")
    has_problem = " OR ".join(flags) or "FALSE"
    return (f"CASE WHEN {has_problem} THEN list_filter([{', '.join(problems)}], x -> x IS NOT NULL) END"
            if problems else "CAST(NULL AS STRUCT(\"column\" VARCHAR, reason VARCHAR, value VARCHAR)[])")


def rows_statement(kind: str, source_sql: str, columns: int, mapping: Mapping[str, int],
                   *, row_problem_sql: str | None = None, hash_id: bool = False) -> str:
    """CREATE TEMP TABLE imp_rows: one row per row of the file, in file order (so rowid numbers the rows),
    with every contract column parsed, its problems, the raw values of a bad row, and whether it is empty.

    `source_sql` yields c0..c{columns-1} as text; `mapping` maps contract columns to those indexes;
    `row_problem_sql` (JSON lines) is a struct-or-NULL for a line that is not an object at all;
    `hash_id`: the file has no consent_id, so a record's id is a hash of its content.
    """
    raw_cols = [f"c{i}" for i in range(columns)]
    layers = _layers(kind, mapping)
    problem_list = _problem_list(kind, mapping)
    record = "to_json([" + ", ".join(raw_cols) + "])"
    empty = " AND ".join(f"{c} IS NULL" for c in raw_cols) or "TRUE"
    if row_problem_sql:
        problem_list = f"CASE WHEN row_problem IS NOT NULL THEN [row_problem] ELSE {problem_list} END"
        empty = "(raw_line IS NULL OR trim(raw_line) = '')"
        record = "CASE WHEN row_problem IS NOT NULL THEN to_json([raw_line]) ELSE " + record + " END"
    names = [f.name for f in fields(kind)]
    id_column = ID_COLUMN[kind]
    final_cols = list(names)
    if hash_id:
        # No id column: a record is identified by a hash of its content (only when it has no problem).
        content = ", ".join(
            f"coalesce(CAST({n} AS VARCHAR), '')" for n in names if n != id_column)
        final_cols = [f"CASE WHEN problems IS NULL THEN 'H' || md5(concat_ws(chr(31), {content})) END "
                      f"AS {id_column}" if n == id_column else n for n in names]
    passthrough = ", ".join(raw_cols + (["raw_line", "row_problem"] if row_problem_sql else []))
    layer_v = ", ".join([passthrough, *layers.values]) if layers.values else passthrough
    extra = f", {row_problem_sql} AS row_problem" if row_problem_sql else ""
    return f"""
        CREATE TEMP TABLE imp_rows AS
        WITH src AS (SELECT *{extra} FROM ({source_sql})),
        v AS (SELECT {layer_v} FROM src),
        p AS (SELECT *{''.join(', ' + x for x in layers.parse)} FROM v),
        l AS (SELECT *{''.join(', ' + x for x in layers.local)} FROM p),
        u AS (SELECT *{''.join(', ' + x for x in layers.utc)} FROM l),
        e AS (SELECT *, {', '.join(layers.checks)} FROM u),
        t AS (SELECT *, {', '.join(layers.typed)} FROM e),
        q AS (SELECT *, {problem_list} AS problems, {empty} AS is_empty FROM t)
        SELECT {', '.join(final_cols)}, problems,
            CASE WHEN problems IS NOT NULL AND NOT is_empty THEN {record} END AS record, is_empty
        FROM q
    """


def _trimmed(raw: str) -> str:
    """The value without surrounding spaces, NULL when empty (trim() only where needed: it is costly)."""
    return f"CASE WHEN {raw} = '' OR {raw} LIKE ' %' OR {raw} LIKE '% ' THEN NULLIF(trim({raw}), '') ELSE {raw} END"

"""The importer's SQL: how each contract type is parsed and checked, row by row, inside DuckDB.

Everything here is generated from the contract (privacyops.importing.contract) and the rule modules, never
from a file's contents: values from the file reach DuckDB only as data (columns c0..cN of the reader)
or as bound parameters ($now, $known_customers, $decimal_comma). One statement parses and checks every
row and keeps, per row, the list of problems found: {column, reason, value}.
"""

# ruff: noqa: S608 - every statement here is generated from the import contract and constants; values from
# a file reach DuckDB only as data (the reader's columns) or as bound parameters, never as SQL text.

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from privacyops.importing.contract import EMAIL_PATTERN, ID_PATTERN, Field, fields
from privacyops.rules import customer_terms as customer_rules
from privacyops.rules import lifecycle

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


def lit(text: str) -> str:
    """A SQL string literal of a constant from this code base (never of file contents)."""
    return "'" + text.replace("'", "''") + "'"


def _list(values: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(lit(v) for v in values) + "]"


def _ident(name: str) -> str:
    """Column names are contract names: lower-case letters, digits and _ only."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise ValueError(f"not a contract column name: {name}")
    return name


def _id_pattern(kind: str, f: Field) -> str:
    if kind == "customers" and f.name == "customer_id":
        return customer_rules.CUSTOMER_ID_PATTERN.pattern.lstrip("^").rstrip("$")
    return ID_PATTERN


def _choice_value(f: Field, v: str) -> str:
    lowered = f"lower({v})"
    if f.synonyms:
        cases = " ".join(f"WHEN {lit(a)} THEN {lit(b)}" for a, b in f.synonyms)
        lowered = f"CASE {lowered} {cases} ELSE {lowered} END"
    # most files spell the values exactly: skip lower() for them
    return f"CASE WHEN list_contains({_list(f.choices)}, {v}) THEN {v} ELSE {lowered} END"


def field_sql(kind: str, f: Field, mapped: bool) -> tuple[list[str], list[str], str]:
    """For one field: the expressions of the parse layer (`p__name` and helpers), of the check layer
    (`e__name`, the reason or NULL) and the final typed value. `v__name` is the trimmed raw text."""
    n = _ident(f.name)
    v = f"v__{n}"
    missing = (f"WHEN {v} IS NULL THEN 'is required'" if f.required else f"WHEN {v} IS NULL THEN NULL")
    enc = f"WHEN contains({v}, {lit(REPLACEMENT_CHAR)}) THEN {lit(ENCODING_REASON)}"
    # strlen (bytes) first: counting characters is slower, and a value has at least as many bytes
    too_long = (f"WHEN strlen({v}) > {f.max_length} AND length({v}) > {f.max_length} "
                f"THEN 'is longer than {f.max_length:,} characters'")
    parse: list[str] = []
    check: str
    typed: str
    if not mapped:
        # Not in the file: an optional column is NULL (necessary defaults to true); a required one is a
        # file-level problem reported once per row by the caller.
        return [], [f"CAST(NULL AS VARCHAR) AS e__{n}"], f"{_cast_null(f, f.default or 'NULL')} AS {n}"
    if f.type in ("text", "long_text", "customer_ref", "controller_ref", "id", "org_number"):
        # a controller_ref of EXPANDRA is Expandra itself as the controller: no customer (rules.md 2)
        parse.append(f"CASE WHEN upper({v}) = {lit(EXPANDRA_AS_CONTROLLER)} THEN NULL ELSE {v} END AS p__{n}"
                     if f.type == "controller_ref" else f"{v} AS p__{n}")
        rules = [missing, enc, too_long]
        if f.type == "text":
            rules.append(f"WHEN contains({v}, chr(10)) OR contains({v}, chr(13)) "
                         "THEN 'contains a line break (a quote that is not closed?)'")
        if f.type == "id":
            rules.append(f"WHEN NOT regexp_full_match({v}, {lit(_id_pattern(kind, f))}) THEN "
                         + (lit("is not a customer id (1-32 letters, digits, - or _)") if kind == "customers"
                            else lit("is not an id (1-64 letters, digits and _ . : / -, no spaces)")))
        if f.type == "org_number":
            pattern = customer_rules.ORG_NUMBER_PATTERN.pattern.lstrip("^").rstrip("$")
            rules.append(f"WHEN NOT regexp_full_match({v}, {lit(pattern)}) "
                         "THEN 'is not an organisation number (NNNNNN-NNNN)'")
        if f.type == "customer_ref":
            rules.append(f"WHEN NOT list_contains($known_customers, {v}) "
                         "THEN 'is not a customer in the store (import or add the customer first)'")
        if f.type == "controller_ref":
            rules.append(f"WHEN upper({v}) <> {lit(EXPANDRA_AS_CONTROLLER)} "
                         f"AND NOT list_contains($known_customers, {v}) "
                         f"THEN 'is not a customer in the store (import or add the customer first), nor "
                         f"{EXPANDRA_AS_CONTROLLER} for a request where Expandra is the controller'")
        check = f"CASE {' '.join(rules)} END AS e__{n}"
        typed = f"CASE WHEN e__{n} IS NULL THEN p__{n} END AS {n}"
    elif f.type == "choice":
        parse.append(f"{_choice_value(f, v)} AS p__{n}")
        allowed = ", ".join(f.choices)
        check = (f"CASE {missing} WHEN NOT list_contains({_list(f.choices)}, p__{n}) "
                 f"THEN {lit('is not one of: ' + allowed)} END AS e__{n}")
        typed = f"CASE WHEN e__{n} IS NULL THEN p__{n} END AS {n}"
    elif f.type == "boolean":
        parse.append(f"CASE {v} WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE "
                     f"ELSE CASE WHEN list_contains({_list(TRUE_WORDS)}, lower({v})) THEN TRUE "
                     f"WHEN list_contains({_list(FALSE_WORDS)}, lower({v})) THEN FALSE END END AS p__{n}")
        check = (f"CASE {missing} WHEN p__{n} IS NULL "
                 f"THEN 'is not true or false (true/false, yes/no, 1/0, ja/nej)' END AS e__{n}")
        typed = f"CASE WHEN e__{n} IS NULL THEN p__{n} END AS {n}"
    elif f.type == "integer":
        cleaned = (f"replace(replace(replace({v}, ' ', ''), chr(160), ''), chr(8239), '')")
        number = (f"TRY_CAST(CASE WHEN $decimal_comma THEN replace({cleaned}, ',', '.') ELSE {cleaned} END "
                  "AS DECIMAL(38, 6))")
        parse.append(f"{number} AS p__{n}")
        check = (f"CASE {missing} WHEN p__{n} IS NULL THEN 'is not a number' "
                 f"WHEN p__{n} <> trunc(p__{n}) THEN 'is not a whole number' "
                 f"WHEN p__{n} < {f.minimum} OR p__{n} > {f.maximum} "
                 f"THEN 'is not between {f.minimum:,} and {f.maximum:,}' END AS e__{n}")
        typed = f"CASE WHEN e__{n} IS NULL THEN CAST(p__{n} AS INTEGER) END AS {n}"
    elif f.type == "email":
        parse.append(f"CASE WHEN regexp_full_match({v}, {lit(EMAIL_PATTERN)}) "
                     f"THEN split_part({v}, '@', 1) || '@' || lower(split_part({v}, '@', 2)) END AS p__{n}")
        check = (f"CASE {missing} {enc} {too_long} WHEN p__{n} IS NULL THEN 'is not an email address' "
                 f"END AS e__{n}")
        typed = f"CASE WHEN e__{n} IS NULL THEN p__{n} END AS {n}"
    elif f.type == "country":
        parse.append(f"CASE WHEN lower({v}) = 'other' THEN 'other' ELSE upper({v}) END AS p__{n}")
        check = (f"CASE {missing} WHEN NOT (regexp_full_match(p__{n}, '[A-Z]{{2}}') OR p__{n} = 'other') "
                 f"THEN 'is not a two-letter country code (or other)' END AS e__{n}")
        typed = f"CASE WHEN e__{n} IS NULL THEN p__{n} END AS {n}"
    elif f.type == "date":
        parse.append(f"CASE WHEN regexp_full_match({v}, {lit(DATE_PATTERN)}) THEN TRY_CAST({v} AS DATE) END "
                     f"AS p__{n}")
        check = (f"CASE {missing} WHEN NOT regexp_full_match({v}, {lit(DATE_PATTERN)}) "
                 f"THEN 'is not a date (YYYY-MM-DD)' "
                 f"WHEN p__{n} IS NULL THEN 'is not a real date (no such day)' "
                 f"WHEN p__{n} < DATE {lit(EARLIEST)} OR p__{n} > DATE '2200-12-31' "
                 f"THEN 'is not between 1990 and 2200: check the year' END AS e__{n}")
        typed = f"CASE WHEN e__{n} IS NULL THEN p__{n} END AS {n}"
    elif f.type == "timestamp":
        # Fast path for the two shapes machines write (2025-03-05T10:15:00Z in UTC, and 2025-03-05 11:15:00
        # as local time): a plain cast. Anything else (offsets, fractions, no seconds, errors) goes through
        # the ISO 8601 pattern, which also says exactly what is wrong.
        parse.append(f"CASE WHEN {v} LIKE '____-__-__T__:__:__Z' THEN 'z' "
                     f"WHEN {v} LIKE '____-__-__ __:__:__' OR {v} LIKE '____-__-__T__:__:__' THEN 'n' END AS s__{n}")
        parse.append(f"CASE WHEN s__{n} IS NOT NULL THEN TRY_CAST({v} AS TIMESTAMP) END AS f__{n}")
        parse.append(f"CASE WHEN f__{n} IS NULL THEN regexp_extract({v}, {lit(TIMESTAMP_PATTERN)}, ['d', 't', 'z']) "
                     f"END AS m__{n}")
        future = "" if f.future_allowed else f"WHEN p__{n} > $now THEN 'is in the future' "
        slow = f"f__{n} IS NULL AND "
        check = (f"CASE {missing} WHEN {slow}(m__{n}).d = '' "
                 "THEN 'is not an ISO 8601 date and time (e.g. 2025-03-05T10:15:00Z or 2025-03-05 11:15)' "
                 f"WHEN {slow}TRY_CAST((m__{n}).d AS DATE) IS NULL THEN 'is not a real date (no such day)' "
                 f"WHEN l__{n} IS NULL THEN 'is not a real time of day' "
                 f"WHEN o__{n} IS NULL THEN 'has an impossible UTC offset' "
                 f"WHEN z__{n} = '' AND timezone('Europe/Stockholm', timezone('UTC', p__{n})) <> l__{n} "
                 "THEN 'does not exist in Stockholm (the clocks jumped an hour forward): give the UTC offset' "
                 f"{future}"
                 f"WHEN p__{n} < TIMESTAMP {lit(EARLIEST)} THEN 'is before 1990: check the year' END AS e__{n}")
        typed = f"CASE WHEN e__{n} IS NULL THEN p__{n} END AS {n}"
    else:  # pragma: no cover - the contract's types are all handled above
        raise ValueError(f"unknown type {f.type}")
    if f.default is not None:
        typed = f"CASE WHEN {v} IS NULL THEN {_cast_null(f, f.default)} ELSE {typed.rsplit(' AS ', 1)[0]} END AS {n}"
    return parse, [check], typed


def _tuple(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(lit(v) for v in values) + ")"


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


def cross_rules(kind: str, mapped: Mapping[str, bool]) -> list[tuple[str, str]]:
    """Problems that involve several columns, as (condition, problem struct) pairs; each applies only when
    the columns it reads were parsed without a problem (so one mistake is reported once)."""
    def ok(*names: str) -> str:
        return " AND ".join(f"e__{name} IS NULL" for name in names)

    def problem(column: str, reason: str, value: str) -> str:
        return f"{{'column': {lit(column)}, 'reason': {lit(reason)}, 'value': CAST({value} AS VARCHAR)}}"

    items: list[str] = []
    if kind == "consent":
        purposes = ("functional", "analytics", "marketing")
        items.append(f"CASE WHEN {ok('method', *purposes)} AND method = 'accept_all' "
                     f"AND NOT (functional AND analytics AND marketing) THEN "
                     + problem("method", "is accept_all but functional, analytics or marketing is false", "method")
                     + " END")
        items.append(f"CASE WHEN {ok('method', *purposes)} AND method IN ('reject_all', 'withdrawal') "
                     f"AND (functional OR analytics OR marketing) THEN "
                     + problem("method", "is a refusal or withdrawal but functional, analytics or marketing is true",
                               "method") + " END")
    elif kind == "requests":
        open_statuses = _list(sorted(lifecycle.OPEN_STATUSES))
        closed_statuses = _list(sorted(lifecycle.CLOSED_STATUSES))
        items += [
            f"CASE WHEN {ok('received_at', 'forwarded_at')} AND forwarded_at < received_at THEN "
            + problem("forwarded_at", "is before received_at", "forwarded_at") + " END",
            f"CASE WHEN {ok('received_at', 'closed_at')} AND closed_at < received_at THEN "
            + problem("closed_at", "is before received_at", "closed_at") + " END",
            f"CASE WHEN {ok('forwarded_at', 'closed_at')} AND closed_at < forwarded_at THEN "
            + problem("closed_at", "is before forwarded_at", "closed_at") + " END",
            f"CASE WHEN {ok('status', 'closed_at')} AND list_contains({open_statuses}, status) "
            f"AND closed_at IS NOT NULL THEN "
            + problem("closed_at", "is given but the request is open (status logged, forwarded or in_progress)",
                      "closed_at") + " END",
            f"CASE WHEN {ok('status', 'outcome')} AND list_contains({open_statuses}, status) "
            f"AND outcome IS NOT NULL THEN "
            + problem("outcome", "is given but the request is open", "outcome") + " END",
            f"CASE WHEN {ok('status', 'requester_email')} AND list_contains({open_statuses}, status) "
            f"AND requester_email IS NULL THEN "
            + problem("requester_email", "is required while the request is open (to answer the requester)",
                      "requester_email") + " END",
            f"CASE WHEN {ok('status', 'forwarded_at', 'customer_id')} AND customer_id IS NOT NULL "
            "AND status IN ('forwarded', 'in_progress') AND forwarded_at IS NULL THEN "
            + problem("forwarded_at", "is required for a forwarded or in_progress request", "forwarded_at") + " END",
            f"CASE WHEN {ok('status', 'closed_at')} AND list_contains({closed_statuses}, status) "
            f"AND closed_at IS NULL THEN "
            + problem("closed_at", "is required for a completed, refused or withdrawn request", "closed_at") + " END",
            f"CASE WHEN {ok('status', 'outcome')} AND outcome IS NOT NULL AND NOT ("
            "(status = 'completed' AND outcome IN ('completed', 'forwarded_only')) "
            "OR (status = 'refused' AND outcome = 'refused') OR (status = 'withdrawn' AND outcome = 'withdrawn')"
            f") AND list_contains({closed_statuses}, status) THEN "
            + problem("outcome", "does not fit the status", "outcome") + " END",
            f"CASE WHEN {ok('status', 'refusal_ground')} AND status = 'refused' AND refusal_ground IS NULL THEN "
            + problem("refusal_ground", "is required for a refused request (Art. 12(4): the requester is told why)",
                      "refusal_ground") + " END",
            f"CASE WHEN {ok('status', 'refusal_ground')} AND status <> 'refused' AND refusal_ground IS NOT NULL THEN "
            + problem("refusal_ground", "is given but the request is not refused", "refusal_ground") + " END",
            f"CASE WHEN {ok('request_type', 'status')} AND request_type = 'consent_withdrawal' "
            "AND status NOT IN ('logged', 'completed', 'withdrawn') THEN "
            + problem("status", "is not possible for a consent withdrawal (logged, completed or withdrawn: it "
                      "takes effect at once)", "status") + " END",
        ]
        items += _refusal_rules(ok, problem) + _recipients_rules(ok, problem) + _clock_rules(ok, problem)
    elif kind == "customers":
        # the same checks as the Customers page (privacyops.rules.customer_terms.validate_consent_policy)
        today = "CAST(timezone('Europe/Stockholm', timezone('UTC', $now)) AS DATE)"
        items += [
            f"CASE WHEN {ok('consent_policy_version', 'consent_policy_effective_on')} "
            "AND consent_policy_version IS NOT NULL AND consent_policy_effective_on IS NULL THEN "
            + problem("consent_policy_effective_on", "is required when consent_policy_version is given (the day the "
                      "policy took effect)", "consent_policy_effective_on") + " END",
            f"CASE WHEN {ok('consent_policy_version', 'consent_policy_effective_on')} "
            "AND consent_policy_version IS NULL AND consent_policy_effective_on IS NOT NULL THEN "
            + problem("consent_policy_version", "is required when consent_policy_effective_on is given",
                      "consent_policy_version") + " END",
            f"CASE WHEN {ok('consent_policy_effective_on')} AND consent_policy_effective_on > {today} THEN "
            + problem("consent_policy_effective_on", "is after today: import the policy in force (set a new one on "
                      "the Customers page the day it takes effect)", "consent_policy_effective_on") + " END",
        ]
    elif kind == "retention":
        items += [
            f"CASE WHEN {ok('created_at', 'last_used_at')} AND last_used_at < created_at THEN "
            + problem("last_used_at", "is before created_at", "last_used_at") + " END",
            f"CASE WHEN {ok('created_at', 'disposed_at')} AND disposed_at < created_at THEN "
            + problem("disposed_at", "is before created_at", "disposed_at") + " END",
            f"CASE WHEN {ok('disposed_at', 'disposal_action')} AND disposed_at IS NOT NULL "
            "AND disposal_action IS NULL THEN "
            + problem("disposal_action", "is required when disposed_at is given (deleted or anonymised)",
                      "disposal_action") + " END",
            f"CASE WHEN {ok('disposed_at', 'disposal_action')} AND disposed_at IS NULL "
            "AND disposal_action IS NOT NULL THEN "
            + problem("disposed_at", "is required when disposal_action is given", "disposed_at") + " END",
        ]
    return [_split_rule(item) for item in items]


def _clock_rules(ok: Callable[..., str], problem: Callable[[str, str, str], str]) -> list[str]:
    """Requests where Expandra is the controller (no customer: nothing is forwarded, rules.md 2) and the
    date the controller answered a request it handled itself (only for outcome forwarded_only; not before
    the Stockholm day of receipt, not after today), as request_actions.apply() checks them."""
    own = "customer_id IS NULL"
    received_on = "CAST(timezone('Europe/Stockholm', timezone('UTC', received_at)) AS DATE)"
    today = "CAST(timezone('Europe/Stockholm', timezone('UTC', $now)) AS DATE)"
    return [
        f"CASE WHEN {ok('customer_id', 'forwarded_at')} AND {own} AND forwarded_at IS NOT NULL THEN "
        + problem("forwarded_at", "is given but Expandra is the controller: there is nobody to forward to",
                  "forwarded_at") + " END",
        f"CASE WHEN {ok('customer_id', 'status')} AND {own} AND status = 'forwarded' THEN "
        + problem("status", "is forwarded but Expandra is the controller: there is nobody to forward to",
                  "status") + " END",
        f"CASE WHEN {ok('customer_id', 'channel')} AND {own} AND channel = 'customer' THEN "
        + problem("channel", "is customer but Expandra is the controller of this request", "channel") + " END",
        f"CASE WHEN {ok('customer_id', 'outcome')} AND {own} AND outcome = 'forwarded_only' THEN "
        + problem("outcome", "is forwarded_only but Expandra is the controller: it answers itself", "outcome")
        + " END",
        f"CASE WHEN {ok('controller_answered_on', 'status', 'outcome')} AND controller_answered_on IS NOT NULL "
        "AND NOT (status = 'completed' AND outcome = 'forwarded_only') THEN "
        + problem("controller_answered_on", "is given but the request was not closed as handled by the "
                  "controller (status completed, outcome forwarded_only)", "controller_answered_on") + " END",
        f"CASE WHEN {ok('controller_answered_on', 'received_at')} AND controller_answered_on < {received_on} THEN "
        + problem("controller_answered_on", "is before the request was received", "controller_answered_on")
        + " END",
        f"CASE WHEN {ok('controller_answered_on')} AND controller_answered_on > {today} THEN "
        + problem("controller_answered_on", "is in the future", "controller_answered_on") + " END",
    ]


def _refusal_rules(ok: Callable[..., str], problem: Callable[[str, str, str], str]) -> list[str]:
    """A refused request's ground (allowed for its type: lifecycle.refusal_grounds_by_type) and notice
    (lifecycle.refusal_notice_problems: reasons, remedies told, not told before receipt; the parser already
    refuses a time in the future)."""
    items = [
        f"CASE WHEN {ok('request_type', 'status', 'refusal_ground')} AND status = 'refused' "
        f"AND request_type = {lit(request_type)} AND NOT list_contains({_list(grounds)}, refusal_ground) THEN "
        + problem("refusal_ground", f"is not a ground for refusing {lifecycle.REQUEST_TYPES[request_type]}; "
                  f"allowed: {', '.join(grounds)}", "refusal_ground") + " END"
        for request_type, grounds in lifecycle.refusal_grounds_by_type().items() if grounds
    ]
    items += [
        f"CASE WHEN {ok('status', 'refusal_reasons')} AND status = 'refused' AND refusal_reasons IS NULL THEN "
        + problem("refusal_reasons", "is required for a refused request (Art. 12(4): the reasons the requester "
                  "was told)", "refusal_reasons") + " END",
        f"CASE WHEN {ok('status', 'refusal_remedies_told')} AND status = 'refused' "
        "AND refusal_remedies_told IS DISTINCT FROM TRUE THEN "
        + problem("refusal_remedies_told", "must be true for a refused request (Art. 12(4): the requester is told "
                  "of the right to complain to IMY and to seek a judicial remedy)", "refusal_remedies_told") + " END",
        f"CASE WHEN {ok('received_at', 'refusal_notified_at')} AND refusal_notified_at < received_at THEN "
        + problem("refusal_notified_at", "is before received_at", "refusal_notified_at") + " END",
    ]
    items += [
        f"CASE WHEN {ok('status', column)} AND status <> 'refused' AND {column} IS NOT NULL THEN "
        + problem(column, "is given but the request is not refused", column) + " END"
        for column in ("refusal_reasons", "refusal_remedies_told", "refusal_notified_at")
    ]
    return items


def _recipients_rules(ok: Callable[..., str], problem: Callable[[str, str, str], str]) -> list[str]:
    """Art. 19 (lifecycle.recipients_pending, lifecycle.recipients_problems): recorded only where the
    'record_recipients' action could record it, required before a completed rectification, erasure or
    restriction, and a time with 'told' only."""
    types = _list(sorted(lifecycle.TYPES_NOTIFYING_RECIPIENTS))
    outcome = "coalesce(outcome, status)"
    return [
        f"CASE WHEN {ok('request_type', 'recipients_notice')} AND recipients_notice IS NOT NULL "
        f"AND NOT list_contains({types}, request_type) THEN "
        + problem("recipients_notice", "is only for a rectification, erasure or restriction (Art. 19)",
                  "recipients_notice") + " END",
        f"CASE WHEN {ok('request_type', 'status', 'outcome', 'recipients_notice')} AND recipients_notice IS NOT NULL "
        f"AND list_contains({types}, request_type) AND (status IN ('logged', 'refused', 'withdrawn') "
        f"OR {outcome} = 'forwarded_only') THEN "
        + problem("recipients_notice", "is given but the request is logged, refused, withdrawn or handled by the "
                  "controller (then the controller tells its recipients)", "recipients_notice") + " END",
        f"CASE WHEN {ok('request_type', 'status', 'outcome', 'recipients_notice')} AND status = 'completed' "
        f"AND {outcome} = 'completed' AND list_contains({types}, request_type) AND recipients_notice IS NULL THEN "
        + problem("recipients_notice", "is required for a completed rectification, erasure or restriction: told "
                  "or none (Art. 19: the recipients are told before it closes)", "recipients_notice") + " END",
        f"CASE WHEN {ok('recipients_notice', 'recipients_told_at')} AND recipients_notice = 'told' "
        "AND recipients_told_at IS NULL THEN "
        + problem("recipients_told_at", "is required when recipients_notice is told", "recipients_told_at") + " END",
        f"CASE WHEN {ok('recipients_notice', 'recipients_told_at')} AND recipients_told_at IS NOT NULL "
        "AND recipients_notice IS DISTINCT FROM 'told' THEN "
        + problem("recipients_told_at", "is given but recipients_notice is not told", "recipients_told_at") + " END",
        f"CASE WHEN {ok('received_at', 'recipients_told_at')} AND recipients_told_at < received_at THEN "
        + problem("recipients_told_at", "is before received_at", "recipients_told_at") + " END",
    ]


def _split_rule(item: str) -> tuple[str, str]:
    """'CASE WHEN cond THEN {struct} END' -> (cond, struct)."""
    head, sep, tail = item.partition(" THEN {'column'")
    assert head.startswith("CASE WHEN ") and sep and tail.endswith(" END"), item
    return head[len("CASE WHEN "):], "{'column'" + tail[: -len(" END")]


def rows_statement(kind: str, source_sql: str, columns: int, mapping: Mapping[str, int],
                   *, row_problem_sql: str | None = None, hash_id: bool = False) -> str:
    """CREATE TEMP TABLE imp_rows: one row per row of the file, in file order (so rowid numbers the rows),
    with every contract column parsed, its problems, the raw values of a bad row, and whether it is empty.

    `source_sql` yields c0..c{columns-1} as text; `mapping` maps contract columns to those indexes;
    `row_problem_sql` (JSON lines) is a struct-or-NULL for a line that is not an object at all.
    """
    contract = fields(kind)
    raw_cols = [f"c{i}" for i in range(columns)]
    v_layer = [f"{_trimmed(f'c{mapping[f.name]}')} AS v__{f.name}" for f in contract if f.name in mapping]
    raw_of = {f.name: f"c{mapping[f.name]}" for f in contract if f.name in mapping}
    parse: list[str] = []
    checks: list[str] = []
    typed: list[str] = []
    locals_: list[str] = []
    utcs: list[str] = []
    for f in contract:
        mapped = f.name in mapping
        p, c, t = field_sql(kind, f, mapped)
        parse += p
        checks += c
        typed.append(t)
        if mapped and f.type == "timestamp":
            local, utc = timestamp_layers(f)
            locals_.append(local)
            utcs.append(utc)
    problems: list[str] = []
    flags: list[str] = []
    for f in contract:
        if f.name in mapping:
            problems.append(f"CASE WHEN e__{f.name} IS NOT NULL THEN {{'column': {lit(f.name)}, "
                            f"'reason': e__{f.name}, 'value': CAST({raw_of[f.name]} AS VARCHAR)}} END")
            flags.append(f"e__{f.name} IS NOT NULL")
    missing = [f.name for f in contract if f.required and f.name not in mapping]
    if missing:
        # A required column the file does not have: one problem per row says so (no row can be imported).
        reason = (f"the file has no {', '.join(missing)} column{'s' if len(missing) > 1 else ''} "
                  "(map the file's columns to the contract)")
        problems = [f"{{'column': '(file)', 'reason': {lit(reason)}, 'value': CAST(NULL AS VARCHAR)}}"]
        flags = ["TRUE"]
    rules = [] if missing else cross_rules(kind, {f.name: f.name in mapping for f in contract})
    for condition, problem in rules:
        problems.append(f"CASE WHEN {condition} THEN {problem} END")
        flags.append(f"coalesce({condition}, FALSE)")
    # The list is built only for rows that have a problem: a good row's `problems` is NULL.
    has_problem = " OR ".join(flags) or "FALSE"
    problem_list = (f"CASE WHEN {has_problem} THEN list_filter([{', '.join(problems)}], x -> x IS NOT NULL) END"
                    if problems else "CAST(NULL AS STRUCT(\"column\" VARCHAR, reason VARCHAR, value VARCHAR)[])")
    if row_problem_sql:
        problem_list = f"CASE WHEN row_problem IS NOT NULL THEN [row_problem] ELSE {problem_list} END"
    record = "to_json([" + ", ".join(raw_cols) + "])"
    empty = " AND ".join(f"{c} IS NULL" for c in raw_cols) or "TRUE"
    if row_problem_sql:
        empty = "(raw_line IS NULL OR trim(raw_line) = '')"
        record = "CASE WHEN row_problem IS NOT NULL THEN to_json([raw_line]) ELSE " + record + " END"
    names = [f.name for f in contract]
    id_column = {"customers": "customer_id", "consent": "consent_id", "requests": "request_id",
                 "retention": "record_id"}[kind]
    final_cols = list(names)
    if hash_id:
        # No id column: a record is identified by a hash of its content (only when it has no problem).
        content = ", ".join(
            f"coalesce(CAST({n} AS VARCHAR), '')" for n in names if n != id_column)
        final_cols = [f"CASE WHEN problems IS NULL THEN 'H' || md5(concat_ws(chr(31), {content})) END "
                      f"AS {id_column}" if n == id_column else n for n in names]
    passthrough = ", ".join(raw_cols + (["raw_line", "row_problem"] if row_problem_sql else []))
    layer_v = ", ".join([passthrough, *v_layer]) if v_layer else passthrough
    extra = f", {row_problem_sql} AS row_problem" if row_problem_sql else ""
    return f"""
        CREATE TEMP TABLE imp_rows AS
        WITH src AS (SELECT *{extra} FROM ({source_sql})),
        v AS (SELECT {layer_v} FROM src),
        p AS (SELECT *{''.join(', ' + x for x in parse)} FROM v),
        l AS (SELECT *{''.join(', ' + x for x in locals_)} FROM p),
        u AS (SELECT *{''.join(', ' + x for x in utcs)} FROM l),
        e AS (SELECT *, {', '.join(checks)} FROM u),
        t AS (SELECT *, {', '.join(typed)} FROM e),
        q AS (SELECT *, {problem_list} AS problems, {empty} AS is_empty FROM t)
        SELECT {', '.join(final_cols)}, problems,
            CASE WHEN problems IS NOT NULL AND NOT is_empty THEN {record} END AS record, is_empty
        FROM q
    """


def _trimmed(raw: str) -> str:
    """The value without surrounding spaces, NULL when empty (trim() only where needed: it is costly)."""
    return f"CASE WHEN {raw} = '' OR {raw} LIKE ' %' OR {raw} LIKE '% ' THEN NULLIF(trim({raw}), '') ELSE {raw} END"

"""The checks across the columns of one row (a refused request needs its reasons, a withdrawal of consent
refuses every purpose ...), as SQL conditions for the check step's statement (check_sql.rows_statement).

The same rules as the forms and the rule modules (privacyops.rules.lifecycle, privacyops.cases.requests,
privacyops.cases.customers), written as SQL over the typed values; each rule applies only when the columns
it reads parsed without a problem (e__x IS NULL), so one mistake is reported once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from privacyops.rules import lifecycle
from privacyops.store.sql import literal, string_list


def _ok(*names: str) -> str:
    """The columns parsed without a problem."""
    return " AND ".join(f"e__{name} IS NULL" for name in names)


def _problem(column: str, reason: str, value: str) -> str:
    """A problem struct naming the column, the reason and the column holding the value to show."""
    return f"{{'column': {literal(column)}, 'reason': {literal(reason)}, 'value': CAST({value} AS VARCHAR)}}"


def _not_before(later: str, earlier: str) -> str:
    """`later` may not be before `earlier` (both timestamps of the same row)."""
    return (f"CASE WHEN {_ok(earlier, later)} AND {later} < {earlier} THEN "
            + _problem(later, f"is before {earlier}", later) + " END")


def cross_rules(kind: str, mapped: Mapping[str, bool]) -> list[tuple[str, str]]:
    """Problems that involve several columns, as (condition, problem struct) pairs."""
    return [_split_rule(item) for item in _RULES_BY_KIND[kind]()]


def _consent_rules() -> list[str]:
    """A consent's method agrees with its purposes."""
    items: list[str] = []
    purposes = ("functional", "analytics", "marketing")
    items.append(f"CASE WHEN {_ok('method', *purposes)} AND method = 'accept_all' "
                 f"AND NOT (functional AND analytics AND marketing) THEN "
                 + _problem("method", "is accept_all but functional, analytics or marketing is false", "method")
                 + " END")
    items.append(f"CASE WHEN {_ok('method', *purposes)} AND method IN ('reject_all', 'withdrawal') "
                 f"AND (functional OR analytics OR marketing) THEN "
                 + _problem("method", "is a refusal or withdrawal but functional, analytics or marketing is true",
                            "method") + " END")
    return items


def _request_rules() -> list[str]:
    """A request's dates, status, outcome and the rules of its kind of closing (as request_actions.apply()
    checks them)."""
    items: list[str] = []
    open_statuses = string_list(sorted(lifecycle.OPEN_STATUSES))
    closed_statuses = string_list(sorted(lifecycle.CLOSED_STATUSES))
    items += [
        _not_before("forwarded_at", "received_at"),
        _not_before("closed_at", "received_at"),
        _not_before("closed_at", "forwarded_at"),
        f"CASE WHEN {_ok('status', 'closed_at')} AND list_contains({open_statuses}, status) "
        f"AND closed_at IS NOT NULL THEN "
        + _problem("closed_at", "is given but the request is open (status logged, forwarded or in_progress)",
                   "closed_at") + " END",
        f"CASE WHEN {_ok('status', 'outcome')} AND list_contains({open_statuses}, status) "
        f"AND outcome IS NOT NULL THEN "
        + _problem("outcome", "is given but the request is open", "outcome") + " END",
        f"CASE WHEN {_ok('status', 'requester_email')} AND list_contains({open_statuses}, status) "
        f"AND requester_email IS NULL THEN "
        + _problem("requester_email", "is required while the request is open (to answer the requester)",
                   "requester_email") + " END",
        f"CASE WHEN {_ok('status', 'forwarded_at', 'customer_id')} AND customer_id IS NOT NULL "
        "AND status IN ('forwarded', 'in_progress') AND forwarded_at IS NULL THEN "
        + _problem("forwarded_at", "is required for a forwarded or in_progress request", "forwarded_at") + " END",
        f"CASE WHEN {_ok('status', 'closed_at')} AND list_contains({closed_statuses}, status) "
        f"AND closed_at IS NULL THEN "
        + _problem("closed_at", "is required for a completed, refused or withdrawn request", "closed_at") + " END",
        f"CASE WHEN {_ok('status', 'outcome')} AND outcome IS NOT NULL AND NOT ("
        "(status = 'completed' AND outcome IN ('completed', 'forwarded_only')) "
        "OR (status = 'refused' AND outcome = 'refused') OR (status = 'withdrawn' AND outcome = 'withdrawn')"
        f") AND list_contains({closed_statuses}, status) THEN "
        + _problem("outcome", "does not fit the status", "outcome") + " END",
        f"CASE WHEN {_ok('status', 'refusal_ground')} AND status = 'refused' AND refusal_ground IS NULL THEN "
        + _problem("refusal_ground", "is required for a refused request (Art. 12(4): the requester is told why)",
                   "refusal_ground") + " END",
        f"CASE WHEN {_ok('status', 'refusal_ground')} AND status <> 'refused' AND refusal_ground IS NOT NULL THEN "
        + _problem("refusal_ground", "is given but the request is not refused", "refusal_ground") + " END",
        f"CASE WHEN {_ok('request_type', 'status')} AND request_type = 'consent_withdrawal' "
        "AND status NOT IN ('logged', 'completed', 'withdrawn') THEN "
        + _problem("status", "is not possible for a consent withdrawal (logged, completed or withdrawn: it "
                   "takes effect at once)", "status") + " END",
    ]
    items += _refusal_rules() + _recipients_rules() + _clock_rules()
    return items


def _customer_rules() -> list[str]:
    """The same checks as the Customers page (privacyops.rules.customer_terms.validate_consent_policy)."""
    today = "CAST(timezone('Europe/Stockholm', timezone('UTC', $now)) AS DATE)"
    return [
        f"CASE WHEN {_ok('consent_policy_version', 'consent_policy_effective_on')} "
        "AND consent_policy_version IS NOT NULL AND consent_policy_effective_on IS NULL THEN "
        + _problem("consent_policy_effective_on", "is required when consent_policy_version is given (the day the "
                   "policy took effect)", "consent_policy_effective_on") + " END",
        f"CASE WHEN {_ok('consent_policy_version', 'consent_policy_effective_on')} "
        "AND consent_policy_version IS NULL AND consent_policy_effective_on IS NOT NULL THEN "
        + _problem("consent_policy_version", "is required when consent_policy_effective_on is given",
                   "consent_policy_version") + " END",
        f"CASE WHEN {_ok('consent_policy_effective_on')} AND consent_policy_effective_on > {today} THEN "
        + _problem("consent_policy_effective_on", "is after today: import the policy in force (set a new one on "
                   "the Customers page the day it takes effect)", "consent_policy_effective_on") + " END",
    ]


def _retention_rules() -> list[str]:
    """A retention record's dates and its disposal."""
    return [
        _not_before("last_used_at", "created_at"),
        _not_before("disposed_at", "created_at"),
        f"CASE WHEN {_ok('disposed_at', 'disposal_action')} AND disposed_at IS NOT NULL "
        "AND disposal_action IS NULL THEN "
        + _problem("disposal_action", "is required when disposed_at is given (deleted or anonymised)",
                   "disposal_action") + " END",
        f"CASE WHEN {_ok('disposed_at', 'disposal_action')} AND disposed_at IS NULL "
        "AND disposal_action IS NOT NULL THEN "
        + _problem("disposed_at", "is required when disposal_action is given", "disposed_at") + " END",
    ]



def _clock_rules() -> list[str]:
    """Requests where Expandra is the controller (no customer: nothing is forwarded, rules.md 2) and the
    date the controller answered a request it handled itself (only for outcome forwarded_only; not before
    the Stockholm day of receipt, not after today), as request_actions.apply() checks them."""
    own = "customer_id IS NULL"
    received_on = "CAST(timezone('Europe/Stockholm', timezone('UTC', received_at)) AS DATE)"
    today = "CAST(timezone('Europe/Stockholm', timezone('UTC', $now)) AS DATE)"
    return [
        f"CASE WHEN {_ok('customer_id', 'forwarded_at')} AND {own} AND forwarded_at IS NOT NULL THEN "
        + _problem("forwarded_at", "is given but Expandra is the controller: there is nobody to forward to",
                   "forwarded_at") + " END",
        f"CASE WHEN {_ok('customer_id', 'status')} AND {own} AND status = 'forwarded' THEN "
        + _problem("status", "is forwarded but Expandra is the controller: there is nobody to forward to",
                   "status") + " END",
        f"CASE WHEN {_ok('customer_id', 'channel')} AND {own} AND channel = 'customer' THEN "
        + _problem("channel", "is customer but Expandra is the controller of this request", "channel") + " END",
        f"CASE WHEN {_ok('customer_id', 'outcome')} AND {own} AND outcome = 'forwarded_only' THEN "
        + _problem("outcome", "is forwarded_only but Expandra is the controller: it answers itself", "outcome")
        + " END",
        f"CASE WHEN {_ok('controller_answered_on', 'status', 'outcome')} AND controller_answered_on IS NOT NULL "
        "AND NOT (status = 'completed' AND outcome = 'forwarded_only') THEN "
        + _problem("controller_answered_on", "is given but the request was not closed as handled by the "
                   "controller (status completed, outcome forwarded_only)", "controller_answered_on") + " END",
        f"CASE WHEN {_ok('controller_answered_on', 'received_at')} AND controller_answered_on < {received_on} THEN "
        + _problem("controller_answered_on", "is before the request was received", "controller_answered_on")
        + " END",
        f"CASE WHEN {_ok('controller_answered_on')} AND controller_answered_on > {today} THEN "
        + _problem("controller_answered_on", "is in the future", "controller_answered_on") + " END",
    ]


def _refusal_rules() -> list[str]:
    """A refused request's ground (allowed for its type: lifecycle.refusal_grounds_by_type) and notice
    (lifecycle.refusal_notice_problems: reasons, remedies told, not told before receipt; the parser already
    refuses a time in the future)."""
    items = [
        f"CASE WHEN {_ok('request_type', 'status', 'refusal_ground')} AND status = 'refused' "
        f"AND request_type = {literal(request_type)} "
        f"AND NOT list_contains({string_list(grounds)}, refusal_ground) THEN "
        + _problem("refusal_ground", f"is not a ground for refusing {lifecycle.REQUEST_TYPES[request_type]}; "
                   f"allowed: {', '.join(grounds)}", "refusal_ground") + " END"
        for request_type, grounds in lifecycle.refusal_grounds_by_type().items() if grounds
    ]
    items += [
        f"CASE WHEN {_ok('status', 'refusal_reasons')} AND status = 'refused' AND refusal_reasons IS NULL THEN "
        + _problem("refusal_reasons", "is required for a refused request (Art. 12(4): the reasons the requester "
                   "was told)", "refusal_reasons") + " END",
        f"CASE WHEN {_ok('status', 'refusal_remedies_told')} AND status = 'refused' "
        "AND refusal_remedies_told IS DISTINCT FROM TRUE THEN "
        + _problem("refusal_remedies_told", "must be true for a refused request (Art. 12(4): the requester is told "
                   "of the right to complain to IMY and to seek a judicial remedy)", "refusal_remedies_told") + " END",
        _not_before("refusal_notified_at", "received_at"),
    ]
    items += [
        f"CASE WHEN {_ok('status', column)} AND status <> 'refused' AND {column} IS NOT NULL THEN "
        + _problem(column, "is given but the request is not refused", column) + " END"
        for column in ("refusal_reasons", "refusal_remedies_told", "refusal_notified_at")
    ]
    return items


def _recipients_rules() -> list[str]:
    """Art. 19 (lifecycle.recipients_pending, lifecycle.recipients_problems): recorded only where the
    'record_recipients' action could record it, required before a completed rectification, erasure or
    restriction, and a time with 'told' only."""
    types = string_list(sorted(lifecycle.TYPES_NOTIFYING_RECIPIENTS))
    outcome = "coalesce(outcome, status)"
    return [
        f"CASE WHEN {_ok('request_type', 'recipients_notice')} AND recipients_notice IS NOT NULL "
        f"AND NOT list_contains({types}, request_type) THEN "
        + _problem("recipients_notice", "is only for a rectification, erasure or restriction (Art. 19)",
                   "recipients_notice") + " END",
        f"CASE WHEN {_ok('request_type', 'status', 'outcome', 'recipients_notice')} AND recipients_notice IS NOT NULL "
        f"AND list_contains({types}, request_type) AND (status IN ('logged', 'refused', 'withdrawn') "
        f"OR {outcome} = 'forwarded_only') THEN "
        + _problem("recipients_notice", "is given but the request is logged, refused, withdrawn or handled by the "
                   "controller (then the controller tells its recipients)", "recipients_notice") + " END",
        f"CASE WHEN {_ok('request_type', 'status', 'outcome', 'recipients_notice')} AND status = 'completed' "
        f"AND {outcome} = 'completed' AND list_contains({types}, request_type) AND recipients_notice IS NULL THEN "
        + _problem("recipients_notice", "is required for a completed rectification, erasure or restriction: told "
                   "or none (Art. 19: the recipients are told before it closes)", "recipients_notice") + " END",
        f"CASE WHEN {_ok('recipients_notice', 'recipients_told_at')} AND recipients_notice = 'told' "
        "AND recipients_told_at IS NULL THEN "
        + _problem("recipients_told_at", "is required when recipients_notice is told", "recipients_told_at") + " END",
        f"CASE WHEN {_ok('recipients_notice', 'recipients_told_at')} AND recipients_told_at IS NOT NULL "
        "AND recipients_notice IS DISTINCT FROM 'told' THEN "
        + _problem("recipients_told_at", "is given but recipients_notice is not told", "recipients_told_at") + " END",
        _not_before("recipients_told_at", "received_at"),
    ]


def _split_rule(item: str) -> tuple[str, str]:
    """'CASE WHEN cond THEN {struct} END' -> (cond, struct)."""
    head, sep, tail = item.partition(" THEN {'column'")
    assert head.startswith("CASE WHEN ") and sep and tail.endswith(" END"), item
    return head[len("CASE WHEN "):], "{'column'" + tail[: -len(" END")]


_RULES_BY_KIND: dict[str, Callable[[], list[str]]] = {
    "consent": _consent_rules, "requests": _request_rules, "customers": _customer_rules,
    "retention": _retention_rules,
}

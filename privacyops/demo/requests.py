"""The demo's data-subject requests and their pauses: max(40, events // 400) requests with a consistent
lifecycle as of the snapshot.

Who asks, what, through which channel and when (`demo_request_base`); the path of each request
(request_paths.py, `demo_request_final`); the refusal notices (Art. 12(4)) and Art. 19 records; then one
INSERT into requests and one into request_pauses. Types, channels, refusal grounds, recipients notices and
statuses are lifecycle's; the demo only weights them. The first eight requests cover every type and the
next six every channel, so even the smallest store shows each.
"""

# ruff: noqa: S608 - the SQL here is written from this package's constants, lifecycle's words, ints and dates;
# no value from people or files goes into it.

from __future__ import annotations

import duckdb

from privacyops.demo import request_paths
from privacyops.demo.consent import customer_no_sql, subject_id_sql, subject_no_sql
from privacyops.demo.plan import US_PER_HOUR, Plan, Step, check_same_names, nth, pick, quoted, uniform, with_steps
from privacyops.demo.request_paths import COMPLETED, IN_PROGRESS, REFUSED
from privacyops.rules import lifecycle
from privacyops.store.sql import literal, string_list

# Every type of lifecycle.REQUEST_TYPES with its share (the order is the demo's: it fixes the draws).
REQUEST_TYPES = (("access", 0.36), ("erasure", 0.20), ("rectification", 0.10), ("consent_withdrawal", 0.10),
                 ("objection", 0.08), ("portability", 0.07), ("restriction", 0.05), ("automated_decision", 0.04))
check_same_names((t for t, _ in REQUEST_TYPES), lifecycle.REQUEST_TYPES, "request types")
CHANNELS = (("email", 0.38), ("web_form", 0.30), ("customer", 0.15), ("phone", 0.07), ("other", 0.06),
            ("letter", 0.04))
check_same_names((c for c, _ in CHANNELS), lifecycle.CHANNELS, "channels")
ERASURE, RECTIFICATION = "erasure", "rectification"   # the types of the closing cases below (issue 8)
_STAFF = (("lina.berg@expandra.example", 0.30), ("oskar.nyberg@expandra.example", 0.25),
          ("maja.holm@expandra.example", 0.20), ("erik.sandell@expandra.example", 0.15),
          ("sara.ek@expandra.example", 0.10))
_FIRST_NAMES = ("Karin", "Lars", "Anna", "Erik", "Maria", "Johan", "Eva", "Anders", "Sofia", "Mikael",
                "Elin", "Peter", "Emma", "Fredrik", "Sara", "Magnus", "Linnea", "Henrik", "Ida", "Jonas",
                "Malin", "Nils", "Frida", "Oskar", "Hanna", "Gustav", "Ebba", "Axel", "Astrid", "Olof")
_LAST_NAMES = ("Lindqvist", "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson",
               "Olsson", "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Lindberg",
               "Lindström", "Bergström", "Holmberg", "Sandberg", "Forsberg", "Sjöberg", "Wallin",
               "Engström", "Lundgren", "Nyström", "Ekström", "Hedlund", "Åberg", "Björk", "Dahl",
               "Sundqvist")
_DESCRIPTIONS = {
    "access": ("Asks for a copy of all personal data held about them, including quote history.",
               "Wants to know what the quote service stores about them and who it is shared with.",
               "Subject access request sent after receiving a quote by email."),
    RECTIFICATION: ("The company name and phone number on their quotes are wrong; asks for a correction.",
                    "Asks to correct a misspelt surname in their account."),
    ERASURE: ("Asks for their account and all quotes to be deleted.",
              "No longer a customer of the controller; wants all personal data erased.",
              "Wants their email address removed from every quote record."),
    "restriction": ("Disputes the accuracy of their data; asks for processing to be restricted meanwhile.",),
    "portability": ("Asks for their quotes and account data in a machine-readable format.",),
    "objection": ("Objects to the use of their data for follow-up offers.",
                  "Objects to processing based on legitimate interest."),
    "automated_decision": ("Asks whether the automatic quote scoring decided about them without human review.",),
    "consent_withdrawal": ("Withdraws consent to marketing cookies and newsletters.",
                           "Withdraws all consent given in the cookie banner."),
}
check_same_names(_DESCRIPTIONS, lifecycle.REQUEST_TYPES, "request descriptions")
# How often each refusal ground is used; which grounds a type may be refused on is lifecycle's (rules.md 1-2).
_GROUND_WEIGHTS = {"controller_decision": 0.30, "identity_not_confirmed": 0.25, "manifestly_unfounded": 0.10,
                   "excessive": 0.10, "no_data_held": 0.15, "no_art17_1_ground": 0.20, "art17_3_b": 0.45,
                   "art17_3_e": 0.25, "art17_3_a": 0.05, "art17_3_d": 0.04, "art17_3_c": 0.03}
# What the requester is told (Art. 12(4)), by ground; every refusal also names IMY and the courts.
_REFUSAL_REASONS = {
    "controller_decision": "The controller has decided not to act on the request and has given its reasons.",
    "identity_not_confirmed": "We asked for proof of identity and did not receive it, so we cannot tell "
                              "whose data the request concerns.",
    "manifestly_unfounded": "The request does not concern personal data processed in the quote service.",
    "excessive": "The same request was answered in full three times in the last two months.",
    "no_data_held": "No personal data about you is held in the quote service.",
    "no_art17_1_ground": "The data is still needed for the quotes you asked for and is not processed on consent.",
    "art17_3_b": "The quotes are bookkeeping records that must be kept for seven years (Bokföringslagen).",
    "art17_3_e": "The data is needed for a legal claim that is pending.",
    "art17_3_a": "The data is part of a published statement covered by freedom of expression.",
    "art17_3_d": "The data is kept in an archive in the public interest.",
    "art17_3_c": "The data is needed for reasons of public health.",
}
check_same_names(_REFUSAL_REASONS, lifecycle.REFUSAL_GROUNDS, "refusal reasons")
# An erasure refused on a ground every right shares (issue 8): identity not confirmed.
_COMMON_GROUND = "identity_not_confirmed"
TOLD, NONE_TO_TELL = "told", "none"
check_same_names((TOLD, NONE_TO_TELL), lifecycle.RECIPIENTS_NOTICES, "recipients notices")


def insert_requests(cur: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """The requests and their pauses, as of the snapshot (see the module's docstring)."""
    _create_request_base(cur, plan)
    request_paths.plan_paths(cur, plan)
    _plan_closing(cur, plan)
    cur.execute("""
        INSERT INTO requests (request_id, customer_id, request_type, received_at, channel, requester_email,
            requester_name, subject_id, description, status, assignee, forward_due_date, forwarded_at, due_date,
            extension_reason, extension_notified_at, extended_due_date, closed_at, outcome, refusal_ground,
            contact_anonymised_at, created_at, updated_at, refusal_reasons, refusal_remedies_told,
            refusal_notified_at, recipients_notice, recipients_told_at)
        SELECT request_id, customer_id, request_type, make_timestamp(received_us), channel, requester_email,
            requester_name, subject_id, description, status, assignee, forward_due_date,
            make_timestamp(forward_us), due_date, extension_reason, make_timestamp(extension_notified_us),
            CASE WHEN extend_us IS NOT NULL THEN extended_due END, make_timestamp(close_us), outcome,
            CASE WHEN outcome = $refused THEN refusal_ground_planned END, NULL,
            make_timestamp(created_us), make_timestamp(updated_us),
            refusal_reasons, CASE WHEN outcome = $refused THEN TRUE END,
            CASE WHEN outcome = $refused THEN make_timestamp(close_us) END,
            recipients_notice, CASE WHEN recipients_notice = $told THEN make_timestamp(recipients_us) END
        FROM demo_request_final
    """, {"refused": REFUSED, "told": TOLD})
    cur.execute("""
        INSERT INTO request_pauses (request_id, paused_at, reason, resumed_at, asked_at)
        SELECT request_id, make_timestamp(pause_us), pause_reason_final, make_timestamp(resume_us),
            make_timestamp(pause_us)
        FROM demo_request_final WHERE pause_us IS NOT NULL
    """)


def _ground_weights(request_type: str) -> list[tuple[str, float]]:
    """The grounds lifecycle allows for this type (rules.md 1-2), weighted by how often the demo uses them."""
    return [(g, _GROUND_WEIGHTS.get(g, 0.05)) for g in lifecycle.refusal_grounds_for(request_type)]


def _by_type(cases: dict[str, str]) -> str:
    """SQL: CASE request_type WHEN type THEN expression ... END."""
    return "CASE request_type " + " ".join(f"WHEN {literal(t)} THEN {sql}" for t, sql in cases.items()) + " END"


def _create_request_base(cur: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """demo_request_base: who asks, what, through which channel, when, and the request's deadlines."""
    s, n = plan.seed, plan.requests
    no_clock = string_list(sorted(lifecycle.TYPES_WITHOUT_MONTH_CLOCK))
    description = _by_type({t: nth(string_list(texts), "k", s, "description", len(texts))
                            for t, texts in _DESCRIPTIONS.items()})
    # the ground a refusal would give: one the type allows (a type that cannot be refused gets none)
    ground = _by_type({t: pick(uniform("k", s, "ground"), quoted(_ground_weights(t)))
                       for t in lifecycle.REQUEST_TYPES if lifecycle.refusal_grounds_for(t)})
    name = {part: nth(string_list(names), "subject_no", s, part, len(names))
            for part, names in (("first", _FIRST_NAMES), ("last", _LAST_NAMES))}
    email = ("lower(strip_accents(first_name || '.' || last_name)) || '.' "
             f"|| CAST(hash(subject_no, CAST({s} AS BIGINT), 'email') % 100 AS VARCHAR) || '@example.com'")
    steps = [
        Step("received", "each request in an hour of the period, by the requests' office-hours "
                                       "weights; evenly spread in k, so request ids follow receipt time", f"""
            SELECT p.k, s.local_on AS received_on,
                   s.slot_start_us + CAST((p.q - s.req_lo) / (s.req_hi - s.req_lo) * {US_PER_HOUR} AS BIGINT)
                       AS received_us
            FROM (SELECT k, (k + {uniform('k', s, 'received')}) / {n} AS q FROM range({n}) AS t(k)) AS p
            ASOF JOIN (SELECT * FROM demo_slots WHERE req_hi > req_lo) AS s ON p.q >= s.req_lo"""),
        Step("requesters", "the requester is the subject of an existing consent record, so the two "
                                         "can be traced", f"""
            SELECT *, {subject_no_sql(plan, 'consent_no')} AS subject_no
            FROM (SELECT *, CAST(hash(k, CAST({s} AS BIGINT), 'requester') % {plan.events} AS BIGINT)
                               AS consent_no FROM received)"""),
        Step("typed", "the subject's customer and its forwarding term; the type and channel "
                                    "(the first requests cover every one); the requester's name", f"""
            SELECT r.*, m.customer_id, m.forward_working_days,
                CASE WHEN k < {len(REQUEST_TYPES)} THEN {string_list(t for t, _ in REQUEST_TYPES)}[k + 1]
                     ELSE {pick(uniform('k', s, 'type'), quoted(REQUEST_TYPES))} END AS request_type,
                CASE WHEN k BETWEEN {len(REQUEST_TYPES)} AND {len(REQUEST_TYPES) + len(CHANNELS) - 1}
                     THEN {string_list(c for c, _ in CHANNELS)}[k - {len(REQUEST_TYPES) - 1}]
                     ELSE {pick(uniform('k', s, 'channel'), quoted(CHANNELS))} END AS channel,
                {name['first']} AS first_name, {name['last']} AS last_name
            FROM requesters AS r JOIN demo_customer_mix AS m ON m.customer_no = {customer_no_sql(plan, 'r.subject_no')}
            """),
    ]
    cur.execute("CREATE TEMP TABLE demo_request_base AS\n" + with_steps(steps, f"""
        -- the request as logged, with its deadlines from the lookup tables (the forwarding deadline at
        -- 14:00 UTC, the one-month dates as the UTC midnight that starts them)
        SELECT t.*,
            format('DSR-{{:06d}}', k + 1) AS request_id,
            {subject_id_sql(plan, 'subject_no')} AS subject_id,
            first_name || ' ' || last_name AS requester_name,
            {email} AS requester_email,
            {description} AS description,
            {pick(uniform('k', s, 'assignee'), quoted(_STAFF))} AS assignee,
            NOT list_contains({no_clock}, request_type) AS has_month_clock,
            CASE WHEN list_contains({no_clock}, request_type) THEN NULL ELSE d.due_date END AS due_date,
            d.extended_due_date AS extended_due, f.forward_due_date,
            epoch_us(CAST(f.forward_due_date AS TIMESTAMP)) + 14 * {US_PER_HOUR} AS forward_deadline_us,
            epoch_us(CAST(d.due_date AS TIMESTAMP)) AS due_start_us,
            epoch_us(CAST(d.extended_due_date AS TIMESTAMP)) AS extended_due_start_us,
            {ground} AS refusal_ground_planned
        FROM typed AS t
        JOIN demo_due AS d USING (received_on)
        JOIN demo_forward_due AS f ON f.received_on = t.received_on AND f.working_days = t.forward_working_days
    """))


def _plan_closing(cur: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """The refusal notices (Art. 12(4)) and Art. 19 records of the planned requests, and the cases the
    pages must be able to show (issue 8): an erasure refused on a ground every right shares
    (identity not confirmed), a completed erasure whose recipients were told, and an open rectification
    (the in-progress showcase) whose recipients are not yet told.

    Every refusal is told with its reasons and remedies when it is recorded. A completed rectification,
    erasure or restriction records its recipients 30 seconds before it completes: told (about 70 %) or
    none; the latest completed erasure is always 'told'."""
    reasons = " ".join(f"WHEN {literal(g)} THEN {literal(t)}" for g, t in _REFUSAL_REASONS.items())
    notifying = string_list(sorted(lifecycle.TYPES_NOTIFYING_RECIPIENTS))
    worked_on = string_list((COMPLETED, REFUSED))
    cur.execute(f"""
        ALTER TABLE demo_request_final ADD COLUMN refusal_reasons VARCHAR;
        ALTER TABLE demo_request_final ADD COLUMN recipients_notice VARCHAR;
        ALTER TABLE demo_request_final ADD COLUMN recipients_us BIGINT;
        -- the in-progress showcase is a rectification whose recipients are not yet told
        UPDATE demo_request_final SET request_type = {literal(RECTIFICATION)},
            description = {literal(_DESCRIPTIONS[RECTIFICATION][0])}
        WHERE showcase_open = {literal(IN_PROGRESS)};
        -- the oldest erasure that was worked on and closed is refused for want of identity
        UPDATE demo_request_final
        SET planned_outcome = {literal(REFUSED)}, outcome = {literal(REFUSED)}, status = {literal(REFUSED)},
            refusal_ground_planned = {literal(_COMMON_GROUND)}
        WHERE request_id = (SELECT request_id FROM demo_request_final
                            WHERE request_type = {literal(ERASURE)} AND close_us IS NOT NULL AND start_us IS NOT NULL
                              AND list_contains({worked_on}, planned_outcome) ORDER BY received_us LIMIT 1);
        UPDATE demo_request_final SET refusal_reasons = CASE refusal_ground_planned {reasons} END
        WHERE outcome = {literal(REFUSED)};
        UPDATE demo_request_final AS f
        SET recipients_us = f.close_us - 30000000,
            recipients_notice = CASE WHEN f.request_id = l.latest OR {uniform('k', plan.seed, 'recipients')} < 0.7
                                     THEN {literal(TOLD)} ELSE {literal(NONE_TO_TELL)} END
        FROM (SELECT max(request_id) AS latest FROM demo_request_final
              WHERE request_type = {literal(ERASURE)} AND outcome = {literal(COMPLETED)}) AS l
        WHERE f.outcome = {literal(COMPLETED)} AND list_contains({notifying}, f.request_type);
    """)

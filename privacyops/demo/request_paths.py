"""The path of every demo request through the lifecycle, planned in SQL as named steps.

Each request gets a planned path (forward, start, maybe a pause, maybe an extension, close) from realistic
durations; what has happened by the snapshot decides its status, so recent requests are open. The steps
read top to bottom as one statement (`demo_request_final`), each a CTE whose name says what it adds.

Statuses, actions and the outcomes they record are lifecycle's (rules.md 1-2), named once below.
"""

# ruff: noqa: S608 - the SQL here is written from this package's constants, lifecycle's words, ints and dates;
# no value from people or files goes into it.

from __future__ import annotations

from datetime import timedelta

import duckdb

from privacyops.demo.plan import US_PER_DAY, US_PER_HOUR, Plan, Step, check_same_names, nth, uniform, with_steps
from privacyops.rules import lifecycle
from privacyops.store.sql import date_literal, literal, string_list

# --- the lifecycle's words -------------------------------------------------------------------------

def status_after(action: str) -> str:
    """The status an action leads to (lifecycle.TRANSITIONS)."""
    return lifecycle.TRANSITIONS[action][1]


(LOGGED,) = lifecycle.TRANSITIONS["forward"][0]   # a request starts logged: forwarding starts from there
FORWARDED, IN_PROGRESS, PAUSED = status_after("forward"), status_after("start"), status_after("pause")
# The outcome each closing action records, as request_actions.apply() records it: the status it leads to, except
# that a request the controller handled itself ('close_forwarded_only') is completed with its own outcome.
COMPLETED, REFUSED, WITHDRAWN = status_after("complete"), status_after("refuse"), status_after("withdraw")
FORWARDED_ONLY = "forwarded_only"
CLOSING_ACTIONS = {COMPLETED: "complete", FORWARDED_ONLY: "close_forwarded_only", REFUSED: "refuse",
                   WITHDRAWN: "withdraw"}
check_same_names((LOGGED, FORWARDED, IN_PROGRESS, PAUSED), lifecycle.OPEN_STATUSES, "open statuses")
check_same_names((status_after(a) for a in CLOSING_ACTIONS.values()), lifecycle.CLOSED_STATUSES, "closed statuses")
IDENTITY, CLARIFICATION = "identity", "clarification"
check_same_names((IDENTITY, CLARIFICATION), lifecycle.PAUSE_REASONS, "pause reasons")

# A few requests are pinned so that even a small store shows every status: the four most recent (with a
# month clock) are logged / forwarded / in progress / paused, the three oldest refused / withdrawn /
# closed as forwarded-only (the oldest is refused: rule_cases.py extends it first).
OPEN_SHOWCASE = (LOGGED, FORWARDED, IN_PROGRESS, PAUSED)
CLOSED_SHOWCASE = (REFUSED, WITHDRAWN, FORWARDED_ONLY)
EXTENSION_REASONS = ("Complex request: the data is spread over several systems.",
                     "Many requests from the same requester at once.",
                     "A large volume of quote content must be reviewed before disclosure.",
                     "The controller needs input from its sub-processor.")


def plan_paths(cur: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """demo_request_final: demo_request_base with every request's path, status and outcome as of the
    snapshot (times as microseconds since the epoch, *_us)."""
    steps = [*_outcome_steps(plan), *_timing_steps(plan), *_showcase_steps(plan), *_office_hour_steps(),
             _by_snapshot_step(plan)]
    cur.execute("CREATE TEMP TABLE demo_request_final AS\n"
                + with_steps(steps, _status_select(plan)))


def _outcome_steps(plan: Plan) -> list[Step]:
    """Which requests are showcases, which are stuck past their due date, and how each will end."""
    s, as_of = plan.seed, plan.as_of_us
    stuck_count = min(12, max(3, plan.requests // 2500))
    u = uniform("k", s, "outcome")
    return [
        Step("ranked", "the newest and oldest requests with a month clock are the showcases; logged a few minutes "
                       "after receipt (never later than halfway to the snapshot)", f"""
            SELECT *,
                CASE WHEN has_month_clock THEN row_number() OVER (
                    PARTITION BY has_month_clock ORDER BY received_us DESC, k) END AS recent_rank,
                CASE WHEN has_month_clock THEN row_number() OVER (
                    PARTITION BY has_month_clock ORDER BY received_us, k) END AS oldest_rank,
                received_us + CAST(least(2 * 60 * 1000000 + {uniform('k', s, 'log lag')} * 85 * 60 * 1000000,
                                         ({as_of} - received_us) / 2) AS BIGINT) AS created_us
            FROM demo_request_base"""),
        Step("stuck_candidates", "a request of the last four months past its due date may be left stuck "
                                 "(overdue today), unless it is a showcase", f"""
            SELECT *,
                COALESCE(recent_rank > {len(OPEN_SHOWCASE)} AND oldest_rank > {len(CLOSED_SHOWCASE)}
                         AND due_date < {date_literal(plan.today)}
                         AND received_on >= {date_literal(plan.today - timedelta(days=120))}, FALSE)
                    AS stuck_eligible
            FROM ranked"""),
        Step("outcomes", f"a handful of the candidates are stuck ({stuck_count}); every request has a planned "
                         "outcome: the showcases theirs, a consent withdrawal is carried out", f"""
            SELECT *,
                CASE WHEN recent_rank <= {len(OPEN_SHOWCASE)} THEN {string_list(OPEN_SHOWCASE)}[recent_rank] END
                    AS showcase_open,
                stuck_eligible AND row_number() OVER (
                    PARTITION BY stuck_eligible ORDER BY hash(k, CAST({s} AS BIGINT), 'stuck'), k) <= {stuck_count}
                    AS stuck,
                CASE
                    WHEN oldest_rank <= {len(CLOSED_SHOWCASE)} THEN {string_list(CLOSED_SHOWCASE)}[oldest_rank]
                    WHEN NOT has_month_clock
                        THEN CASE WHEN {u} < 0.02 THEN {literal(WITHDRAWN)} ELSE {literal(COMPLETED)} END
                    WHEN {u} < 0.06 THEN {literal(REFUSED)}
                    WHEN {u} < 0.09 THEN {literal(WITHDRAWN)}
                    WHEN {u} < 0.21 THEN {literal(FORWARDED_ONLY)}
                    ELSE {literal(COMPLETED)}
                END AS planned_outcome
            FROM stuck_candidates"""),
    ]


def _timing_steps(plan: Plan) -> list[Step]:
    """When each step of the path is planned, before office hours and the snapshot are applied."""
    s, as_of, hour, day = plan.seed, plan.as_of_us, US_PER_HOUR, US_PER_DAY

    def u(salt: str) -> str:
        return uniform("k", s, salt)
    # Box-Muller turns two uniforms into a normal number, for log-normal durations
    normal = f"(sqrt(-2 * ln({u('z1')})) * cos(2 * pi() * {u('z2')}))"
    worked_on = string_list((COMPLETED, REFUSED))
    return [
        Step("durations", "who works on it, why it may pause, when it is forwarded (~6 % after the DPA term), "
                          "how long it takes: a median of ~11 days, up to 2.2x as long in the last two months "
                          "(the team fell behind, so most requests of the last five weeks are still open)", f"""
            SELECT *,
                has_month_clock AND list_contains({worked_on}, planned_outcome) AS works_on_it,
                CASE WHEN {u('pause reason')} < 0.7 THEN {literal(IDENTITY)} ELSE {literal(CLARIFICATION)} END
                    AS pause_reason,
                CASE WHEN {u('forward late')} < 0.06
                     THEN forward_deadline_us + 6 * {hour} + CAST({u('forward')} * 4 * {day} AS BIGINT)
                     ELSE created_us + 5 * 60 * 1000000 + CAST(pow({u('forward')}, 2.5)
                          * greatest(0, forward_deadline_us - created_us - 5 * 60 * 1000000) AS BIGINT)
                END AS forward_plan_us,
                least(1.0, greatest(0.0, (received_us - ({as_of} - 60 * {day})) / (60.0 * {day}))) AS slowdown,
                CAST(exp(ln(11.0) + 0.62 * {normal}) * {day} AS BIGINT) AS typical_duration_us,
                CAST((0.5 + 13.5 * pow({u('pause length')}, 1.7)) * {day} AS BIGINT) AS pause_length_us
            FROM outcomes"""),
        Step("starts", "work starts within three days of forwarding; 1 in 8 worked-on requests pauses, 1 in 10 "
                       "(not stuck) wants an extension", f"""
            SELECT *,
                works_on_it AND {u('pause')} < 0.125 AS pauses,
                works_on_it AND NOT stuck AND {u('extend')} < 0.10 AS extends_wanted,
                forward_plan_us + 20 * 60 * 1000000
                    + CAST(pow({u('start')}, 2) * 3 * {day} AS BIGINT) AS start_plan_us
            FROM durations"""),
        Step("pauses_and_extensions", "the extension is decided and told before the one-month due date "
                                      "(Art. 12(3)); a pause comes within two days of the start", f"""
            SELECT *,
                CASE WHEN pauses THEN start_plan_us + CAST({u('pause at')} * 2 * {day} AS BIGINT) END
                    AS pause_plan_us,
                extends_wanted AND due_start_us - 3 * {hour} > start_plan_us + {hour} AS extends,
                start_plan_us + CAST((0.3 + 0.6 * {u('extend at')})
                    * (due_start_us - 3 * {hour} - start_plan_us) AS BIGINT) AS extend_plan_us
            FROM starts"""),
        Step("closing_times", "when it would close by its outcome, never before its last step, and the last "
                              "instant of its (extended) due date in Stockholm, in UTC", f"""
            SELECT *,
                CASE WHEN pauses THEN pause_plan_us + pause_length_us END AS resume_plan_us,
                CASE
                    WHEN NOT has_month_clock THEN created_us + 30 * 60 * 1000000
                         + CAST(pow({u('close')}, 2) * 3 * {day} AS BIGINT)
                    WHEN planned_outcome = {literal(FORWARDED_ONLY)}
                        THEN forward_plan_us + {hour} + CAST(pow({u('close')}, 1.5) * 10 * {day} AS BIGINT)
                    WHEN planned_outcome = {literal(WITHDRAWN)}
                        THEN forward_plan_us + 2 * {hour} + CAST({u('close')} * 14 * {day} AS BIGINT)
                    WHEN extends THEN received_us + CAST((30 + 45 * {u('close')}) * {day} AS BIGINT)
                    ELSE received_us + CAST(typical_duration_us * (1 + 1.2 * slowdown) AS BIGINT)
                END + CASE WHEN pauses THEN pause_length_us ELSE 0 END AS close_raw_us,
                greatest(CASE WHEN pauses THEN pause_plan_us + pause_length_us ELSE start_plan_us END,
                         CASE WHEN extends THEN extend_plan_us END) + 2 * {hour} AS close_floor_us,
                CASE WHEN extends THEN extended_due_start_us ELSE due_start_us END + 21 * {hour} AS due_end_us
            FROM pauses_and_extensions"""),
        Step("closes", "most late answers are pulled back before the deadline, the rest are breaches; "
                       "a stuck request does not close", f"""
            SELECT *,
                CASE
                    WHEN stuck THEN NULL
                    WHEN NOT works_on_it THEN close_raw_us
                    WHEN close_raw_us > due_end_us
                         AND {u('on time')} < CASE WHEN extends THEN 0.85 ELSE 0.78 + 0.17 * slowdown END
                        THEN greatest(close_floor_us, due_end_us - 2 * {hour}
                                      - CAST({u('margin')} * 4 * {day} AS BIGINT))
                    ELSE greatest(close_raw_us, close_floor_us)
                END AS close_plan_us
            FROM closing_times"""),
    ]


def _showcase_steps(plan: Plan) -> list[Step]:
    """The four open showcases get compressed paths that stop at their status (steps *_us_0)."""
    as_of = plan.as_of_us

    def share(fraction: str) -> str:   # a point between logging and the snapshot
        return f"created_us + ({as_of} - created_us) {fraction}"
    logged, forwarded, in_progress, paused = (literal(x) for x in OPEN_SHOWCASE)
    return [Step("showcase_paths", "the open showcases stop at their status; the others keep their plan", f"""
            SELECT *,
                CASE showcase_open WHEN {logged} THEN NULL
                    WHEN {forwarded} THEN {share('// 2')}
                    WHEN {in_progress} THEN {share('* 3 // 10')}
                    WHEN {paused} THEN {share('// 5')}
                    ELSE forward_plan_us END AS forward_us_0,
                CASE showcase_open WHEN {in_progress} THEN {share('* 6 // 10')}
                    WHEN {paused} THEN {share('* 2 // 5')}
                    WHEN {logged} THEN NULL WHEN {forwarded} THEN NULL
                    ELSE CASE WHEN works_on_it THEN start_plan_us END END AS start_us_0,
                CASE WHEN showcase_open = {paused} THEN {share('* 3 // 5')}
                     WHEN showcase_open IS NULL THEN pause_plan_us END AS pause_us_0,
                CASE WHEN showcase_open IS NULL THEN resume_plan_us END AS resume_us_0,
                CASE WHEN showcase_open IS NULL AND extends THEN extend_plan_us END AS extend_us_0,
                CASE WHEN showcase_open IS NULL THEN close_plan_us END AS close_us_0
            FROM closes""")]


def _office(us: str) -> str:
    """SQL: the instant `us` squeezed into 07:00-16:00 UTC of its day (showcases keep their compressed
    times, which must stay before the snapshot)."""
    day, hour = US_PER_DAY, US_PER_HOUR
    return (f"(CASE WHEN showcase_open IS NULL THEN {us} - {us} % {day} + 7 * {hour} + ({us} % {day}) * 9 // 24 "
            f"ELSE {us} END)")


def _office_hour_steps() -> list[Step]:
    """Staff act in office hours: each step moves into 07:00-16:00 UTC of its day, which keeps the order of
    events and the day they fall on, and stays at least a minute after the step before it."""
    def after(step: str, before: str) -> str:
        return (f"CASE WHEN {step}_us_0 IS NOT NULL THEN greatest({_office(f'{step}_us_0')}, {before} + 60000000) "
                f"END AS {step}_us_1")
    last_step = "greatest(created_us, forward_us_1, start_us_1, pause_us_1, resume_us_1, extend_us_1)"
    return [
        Step("office_forward", "forwarded after it was logged (a consent withdrawal never is: it takes effect at once)",
             "SELECT *, CASE WHEN has_month_clock AND forward_us_0 IS NOT NULL\n"
             f"    THEN greatest({_office('forward_us_0')}, created_us + 60000000) END AS forward_us_1\n"
             "FROM showcase_paths"),
        Step("office_start", "started after forwarding",
             f"SELECT *, {after('start', 'forward_us_1')} FROM office_forward"),
        Step("office_pause_extend", "paused or extended after the start",
             f"SELECT *, {after('pause', 'start_us_1')}, {after('extend', 'start_us_1')} FROM office_start"),
        Step("office_resume", "resumed after the pause",
             f"SELECT *, {after('resume', 'pause_us_1')} FROM office_pause_extend"),
        Step("office_close", "closed after every other step",
             f"SELECT *, {after('close', last_step)} FROM office_resume"),
    ]


def _by_snapshot_step(plan: Plan) -> Step:
    """The steps that happened by the snapshot (steps *_us, NULL when still to come)."""
    as_of, hour = plan.as_of_us, US_PER_HOUR
    happened = ",\n".join(f"CASE WHEN {step}_us_1 <= {as_of} THEN {step}_us_1 END AS {step}_us"
                          for step in ("forward", "start", "pause", "resume", "close"))
    return Step("by_snapshot", "only what happened by the snapshot is recorded; an extension counts only if it "
                               "was decided before the one-month due date", f"""
            SELECT *, {happened},
                CASE WHEN extend_us_1 <= least({as_of}, due_start_us - 3 * {hour}) THEN extend_us_1 END
                    AS extend_us
            FROM office_close""")


def _status_select(plan: Plan) -> str:
    """The status as of the snapshot (the last step that happened), the outcome of a closed request, and
    the extension's reason and notice."""
    s, as_of, hour = plan.seed, plan.as_of_us, US_PER_HOUR
    closed_status = " ".join(f"WHEN {literal(outcome)} THEN {literal(status_after(action))}"
                             for outcome, action in CLOSING_ACTIONS.items())
    reasons = nth(string_list(EXTENSION_REASONS), "k", s, "extension", len(EXTENSION_REASONS))
    return f"""
        SELECT *,
            CASE
                WHEN close_us IS NOT NULL THEN CASE planned_outcome {closed_status} END
                WHEN pause_us IS NOT NULL AND resume_us IS NULL THEN {literal(PAUSED)}
                WHEN start_us IS NOT NULL THEN {literal(IN_PROGRESS)}
                WHEN forward_us IS NOT NULL THEN {literal(FORWARDED)}
                ELSE {literal(LOGGED)}
            END AS status,
            CASE WHEN close_us IS NOT NULL THEN planned_outcome END AS outcome,
            CASE WHEN showcase_open = {literal(PAUSED)} THEN {literal(IDENTITY)} ELSE pause_reason END
                AS pause_reason_final,
            CASE WHEN extend_us IS NOT NULL THEN {reasons} END AS extension_reason,
            CASE WHEN extend_us IS NOT NULL
                 THEN least(extend_us + CAST((5 + 55 * {uniform('k', s, 'told')}) * 60 * 1000000 AS BIGINT),
                            due_start_us - 2 * {hour}, {as_of}) END AS extension_notified_us,
            greatest(created_us, forward_us, start_us, pause_us, resume_us, extend_us, close_us) AS updated_us
        FROM by_snapshot"""

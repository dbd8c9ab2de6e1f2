"""The demo data generator on real stores: shape, determinism, consistency with the rules."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from privacyops.cases import customers, requests
from privacyops.clock import STOCKHOLM
from privacyops.demo import generator as demo
from privacyops.demo import period, plan
from privacyops.rules import lifecycle
from privacyops.rules.customer_terms import Customer, RetentionTerm
from privacyops.rules.retention import DATA_CATEGORIES
from privacyops.store import Store, history, open_store

EVENTS = 20_000
TODAY = date(2026, 3, 18)  # a fixed day, so the tests see the same store on any day they run
# The policy changed 40 % of the 104 weeks before TODAY, at midnight in Stockholm (as naive UTC).
CHANGE_AT = (datetime.combine(TODAY - timedelta(days=round(0.4 * 728)), time(0), tzinfo=STOCKHOLM)
             .astimezone(UTC).replace(tzinfo=None))


def generated(path: Path, events: int = EVENTS, seed: int = demo.DEFAULT_SEED) -> Store:
    store = open_store(path)
    demo.generate(store, events, seed=seed, today=TODAY)
    return store


def rows(store: Store, sql: str, params: dict | None = None) -> list[tuple]:
    with store.cursor() as cur:
        return cur.execute(sql, params).fetchall()


def value(store: Store, sql: str, params: dict | None = None):
    return rows(store, sql, params)[0][0]


def table_fingerprint(store: Store, table: str) -> tuple:
    """Row count and an md5 over every row as text, in a fixed order."""
    every_row = "md5(string_agg(CAST(t AS VARCHAR), '\n' ORDER BY CAST(t AS VARCHAR)))"
    sql = f"SELECT count(*), {every_row} FROM {table} AS t"  # noqa: S608 -- names from demo.DATA_TABLES
    return rows(store, sql)[0]


def luhn_ok(org_number: str) -> bool:
    digits = [int(c) for c in org_number.replace("-", "")]
    total = 0
    for position, digit in enumerate(digits[:9]):
        product = digit * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10 == digits[9]


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = generated(tmp_path_factory.mktemp("demo") / "demo.duckdb")
    yield store
    store.close()


# --- shape -----------------------------------------------------------------------------------------

def test_row_counts_follow_the_events(tmp_path):
    store = open_store(tmp_path / "counts.duckdb")
    try:
        counts = demo.generate(store, EVENTS, today=TODAY)
        assert counts["consent_records"] == EVENTS
        assert counts["requests"] == max(40, EVENTS // 400) == 50
        assert counts["retention_records"] == max(200, EVENTS // 20) == 1000
        assert (counts["customers"], counts["customer_retention_terms"]) == (12, 60)
        for table, count in counts.items():
            assert value(store, f"SELECT count(*) FROM {table}") == count  # noqa: S608 -- names from demo
    finally:
        store.close()


def test_customers_are_invented_with_varied_terms(demo_store):
    found = rows(demo_store, "SELECT customer_id, name, org_number, forward_working_days FROM customers ORDER BY 1")
    assert [r[0] for r in found] == [f"C{n:02d}" for n in range(1, 13)]
    for _, name, org_number, forward_days in found:
        assert name.endswith(" AB")
        assert len(org_number) == 11 and org_number[6] == "-" and org_number.replace("-", "").isdigit()
        assert not luhn_ok(org_number), f"{org_number} passes the Luhn check: it could be a real company"
        assert 2 <= forward_days <= 10
    terms = rows(demo_store, "SELECT customer_id, data_category, retention_days, end_action "
                             "FROM customer_retention_terms")
    assert {(c, cat) for c, cat, _, _ in terms} == {(r[0], cat) for r in found for cat in DATA_CATEGORIES}
    assert all(90 <= days <= 1825 for _, _, days, _ in terms)
    assert {action for *_, action in terms} == {"delete", "anonymise"}
    # customers differ in size: the largest has far more consent than the smallest
    shares = [r[1] for r in rows(demo_store, "SELECT customer_id, count(*) FROM consent_records GROUP BY 1 ORDER BY 2")]
    assert shares[-1] > 10 * shares[0]


def test_consent_records_are_spread_with_a_weekly_rhythm_and_growth(demo_store):
    first, last = rows(demo_store, "SELECT min(given_at), max(given_at) FROM consent_records")[0]
    as_of = datetime.combine(TODAY, demo.DEMO_SNAPSHOT_UTC)
    assert as_of - timedelta(weeks=104) <= first < as_of - timedelta(weeks=103)
    assert as_of - timedelta(days=1) < last <= as_of
    weekday, weekend = rows(demo_store, """
        SELECT count(*) FILTER (WHERE isodow(given_at) <= 5) / 5, count(*) FILTER (WHERE isodow(given_at) > 5) / 2
        FROM consent_records""")[0]
    assert weekday > 1.5 * weekend
    first_half, second_half = rows(demo_store, f"""
        SELECT count(*) FILTER (WHERE given_at < TIMESTAMP '{as_of}' - INTERVAL 52 WEEK),
               count(*) FILTER (WHERE given_at >= TIMESTAMP '{as_of}' - INTERVAL 52 WEEK)
        FROM consent_records""")[0]  # noqa: S608 -- a fixed timestamp
    assert second_half > 1.3 * first_half
    assert value(demo_store, "SELECT count(DISTINCT consent_id) FROM consent_records") == EVENTS
    assert value(demo_store, "SELECT count(*) FROM consent_records WHERE NOT regexp_full_match(subject_id, "
                             "'subj_[0-9a-f]{12}')") == 0
    returning = value(demo_store, "SELECT count(*) FROM (SELECT subject_id FROM consent_records "
                                  "GROUP BY 1 HAVING count(*) > 1)")
    assert returning > 1000
    sources = dict(rows(demo_store, "SELECT source, count(*) / sum(count(*)) OVER () FROM consent_records GROUP BY 1"))
    assert sources["banner"] > 0.8 and sources["settings_page"] > 0.05 and sources["api"] > 0.02


def test_invalid_consent_is_present_and_pre_ticked_ends_with_the_policy_change(demo_store):
    methods = dict(rows(demo_store, "SELECT method, count(*) FROM consent_records GROUP BY 1"))
    assert set(methods) == {"accept_all", "reject_all", "custom", "withdrawal", "implied", "pre_ticked"}
    assert 0.01 < methods["withdrawal"] / EVENTS < 0.03
    assert 0.02 < methods["implied"] / EVENTS < 0.04
    assert 0.005 < methods["pre_ticked"] / EVENTS < 0.02
    assert rows(demo_store, "SELECT DISTINCT policy_version FROM consent_records WHERE method = 'pre_ticked'") \
        == [("2024-05",)]
    assert value(demo_store, "SELECT max(given_at) FROM consent_records WHERE method = 'pre_ticked'") < CHANGE_AT
    versions = rows(demo_store, "SELECT policy_version, min(given_at), max(given_at) FROM consent_records "
                                "WHERE customer_id <> $c GROUP BY 1 ORDER BY 1", {"c": demo.RECENT_POLICY_CUSTOMER})
    assert [v for v, *_ in versions] == ["2024-05", "2025-09"]
    assert versions[0][2] < CHANGE_AT <= versions[1][1]
    implied_before, implied_after = rows(demo_store, """
        SELECT avg(CAST(method = 'implied' AS INTEGER)) FILTER (WHERE policy_version = '2024-05'),
               avg(CAST(method = 'implied' AS INTEGER)) FILTER (WHERE policy_version = '2025-09')
        FROM consent_records""")[0]
    assert implied_before > 3 * implied_after
    # withdrawals refuse everything but the strictly necessary
    assert rows(demo_store, "SELECT DISTINCT necessary, functional, analytics, marketing FROM consent_records "
                            "WHERE method IN ('withdrawal', 'reject_all')") == [(True, False, False, False)]
    assert value(demo_store, "SELECT bool_and(necessary) FROM consent_records")


def test_every_customer_has_an_explicit_confirmed_policy_and_one_changed_recently(demo_store):
    """Issue 8 (rules.md 3): the demo sets each policy explicitly; one customer's newest policy took effect
    six days ago, with few answers under it yet, so nearly all its subjects are due to be asked again."""
    recent_on = TODAY - timedelta(days=demo.RECENT_POLICY_DAYS_BACK)
    policies = {c: (v, on, ok) for c, v, on, ok in rows(demo_store, """
        SELECT customer_id, consent_policy_version, consent_policy_effective_on, consent_policy_confirmed
        FROM customers""")}
    assert all(ok for *_, ok in policies.values())
    recent = demo.RECENT_POLICY_CUSTOMER
    assert policies.pop(recent) == (recent_on.isoformat(), recent_on, True)
    change_on = CHANGE_AT.replace(tzinfo=UTC).astimezone(STOCKHOLM).date()
    assert set(policies.values()) == {("2025-09", change_on, True)}
    answers = dict(rows(demo_store, "SELECT policy_version, count(*) FROM consent_records WHERE customer_id = $c "
                                    "GROUP BY 1", {"c": recent}))
    assert 0 < answers[recent_on.isoformat()] < answers["2025-09"] / 10
    due = demo_store.query("consent_renewal_due", as_of=TODAY, customer=recent, renewal_months=12,
                           refusal_quiet_months=6).iloc[0]
    assert due["current_policy_version"] == recent_on.isoformat()
    assert due["policy_changed"] > 0.9 * due["subjects"]
    assert [f for (f,) in rows(demo_store, "SELECT field FROM customer_changes WHERE customer_id = $c ORDER BY 1",
                               {"c": recent})] == ["consent_policy_effective_on", "consent_policy_version"]


def test_the_policy_change_moves_the_opt_in_rates(demo_store):
    rates = {version: (marketing, analytics) for version, marketing, analytics in rows(demo_store, """
        SELECT policy_version, avg(CAST(marketing_opt_in AS INTEGER)), avg(CAST(analytics_opt_in AS INTEGER))
        FROM consent_facts WHERE is_valid_choice GROUP BY 1""")}
    assert rates["2024-05"][0] - rates["2025-09"][0] > 0.05   # marketing drops
    assert rates["2025-09"][1] - rates["2024-05"][1] > 0.01   # analytics rises
    by_country = dict(rows(demo_store, """
        SELECT country, avg(CAST(marketing_opt_in AS INTEGER)) FROM consent_facts
        WHERE is_valid_choice AND country IN ('SE', 'DE') GROUP BY 1"""))
    assert by_country["SE"] > by_country["DE"] + 0.05


# --- requests --------------------------------------------------------------------------------------

def test_every_request_type_status_and_channel_is_present(demo_store):
    def distinct(column: str) -> set[str]:
        return {r[0] for r in rows(demo_store, f"SELECT DISTINCT {column} FROM requests")}  # noqa: S608

    assert distinct("request_type") == set(lifecycle.REQUEST_TYPES)
    assert distinct("status") == set(lifecycle.STATUSES)
    assert distinct("channel") == set(lifecycle.CHANNELS)
    outcomes = {r[0] for r in rows(demo_store, "SELECT DISTINCT outcome FROM requests WHERE outcome IS NOT NULL")}
    assert outcomes == {"completed", "refused", "withdrawn", "forwarded_only"}
    ids = [r[0] for r in rows(demo_store, "SELECT request_id FROM requests ORDER BY received_at")]
    assert ids == [f"DSR-{n:06d}" for n in range(1, len(ids) + 1)]


def test_statuses_outcomes_and_timestamps_agree(demo_store):
    problems = rows(demo_store, """
        SELECT request_id, status, outcome FROM requests WHERE NOT (
            CASE status
                WHEN 'completed' THEN outcome IN ('completed', 'forwarded_only') AND refusal_ground IS NULL
                WHEN 'refused' THEN outcome = 'refused' AND refusal_ground IS NOT NULL
                WHEN 'withdrawn' THEN outcome = 'withdrawn' AND refusal_ground IS NULL
                ELSE outcome IS NULL AND closed_at IS NULL AND refusal_ground IS NULL
            END
            AND (status IN ('logged', 'forwarded', 'in_progress', 'paused')) = (closed_at IS NULL)
            AND (request_type = 'consent_withdrawal') = (due_date IS NULL)
            AND (request_type <> 'consent_withdrawal' OR forwarded_at IS NULL)
            AND (status <> 'logged' OR forwarded_at IS NULL)
            AND (status NOT IN ('forwarded', 'in_progress', 'paused') OR forwarded_at IS NOT NULL)
            AND received_at <= created_at AND created_at <= coalesce(forwarded_at, created_at)
            AND coalesce(forwarded_at, created_at) <= coalesce(closed_at, updated_at)
            AND updated_at >= greatest(created_at, forwarded_at, closed_at)
            AND updated_at <= TIMESTAMP '2026-03-18 06:00:00'
            AND requester_email LIKE '%@example.com' AND assignee LIKE '%@expandra.example'
        )""")
    assert problems == []
    grounds = rows(demo_store, "SELECT request_type, refusal_ground FROM requests WHERE outcome = 'refused'")
    assert grounds
    for request_type, ground in grounds:
        assert lifecycle.check_refusal_ground(request_type, ground) == ground
    # an extension was decided and told within the first month, and gives the three-month date
    late = rows(demo_store, """
        SELECT request_id FROM request_clock WHERE extended_due_date IS NOT NULL AND (extension_reason IS NULL
            OR CAST((extension_notified_at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Stockholm' AS DATE) > due_date)""")
    assert late == []
    # paused requests have an open pause; every pause is in order and belongs to a request
    pauses = rows(demo_store, """
        SELECT r.status, p.paused_at, p.resumed_at, r.forwarded_at, r.closed_at
        FROM request_pauses AS p JOIN requests AS r USING (request_id)""")
    assert len(pauses) == value(demo_store, "SELECT count(*) FROM request_pauses") > 0
    for status, paused_at, resumed_at, forwarded_at, closed_at in pauses:
        assert forwarded_at < paused_at
        assert (resumed_at is None) == (status == "paused")
        if resumed_at is not None:
            assert paused_at < resumed_at and (closed_at is None or resumed_at < closed_at)


def test_recent_requests_are_mostly_open_and_durations_are_realistic(tmp_path):
    store = generated(tmp_path / "bigger.duckdb", events=200_000)  # 500 requests
    try:
        recent_open = value(store, """
            SELECT avg(CAST(is_open AS INTEGER)) FROM request_clock
            WHERE received_at >= TIMESTAMP '2026-03-18 06:00:00' - INTERVAL 35 DAY""")
        assert recent_open > 0.5
        old_open = value(store, """
            SELECT count(*) FROM request_clock WHERE is_open AND received_on < DATE '2026-03-18' - INTERVAL 120 DAY""")
        assert old_open == 0
        closed = rows(store, """
            SELECT quantile_cont(date_diff('second', received_at, closed_at) / 86400, [0.5, 0.9])
            FROM requests WHERE closed_at IS NOT NULL""")[0][0]
        assert 8 < closed[0] < 16 and 20 < closed[1] < 40
        assert value(store, "SELECT count(*) FROM request_clock WHERE closed_on > effective_due_date") > 0
    finally:
        store.close()


def test_a_handful_of_open_requests_are_overdue_today(demo_store):
    overdue = rows(demo_store, """
        SELECT status, received_on FROM request_clock WHERE is_open AND effective_due_date < DATE '2026-03-18'""")
    assert 3 <= len(overdue) <= 20
    assert {status for status, _ in overdue} <= {"forwarded", "in_progress", "paused"}


# A few requests of the fixed-seed demo (TODAY, 20,000 events, default settings) with their dates worked out
# by hand from rules.md 1-2 on the Swedish calendar, not by privacyops.deadlines (which made them):
# request: (Stockholm receipt date, forwarding working days, forward by, due, extended due).
PINNED_DATES = {
    # received 23:44 UTC on 15 Dec = 00:44 on Mon 16 Dec in Stockholm. Forward 9 working days: 17-20, 23,
    # 24 (Christmas Eve is a working day by default), 25-26 holidays, 27, 30, 31. Due 16 January (a Thursday).
    "DSR-000015": (date(2024, 12, 16), 9, date(2024, 12, 31), date(2025, 1, 16), None),
    # 23:29 UTC on 23 Apr = 01:29 on Thu 24 Apr. Forward: 25, 28-30, (1 May holiday), 2, 5-8. Due 24 May is
    # a Saturday: Monday 26 May.
    "DSR-000023": (date(2025, 4, 24), 9, date(2025, 5, 8), date(2025, 5, 26), None),
    # Fri 5 Apr 2024: forward 8-12, 15-18; due 5 May is a Sunday: Monday 6 May; extended by two further
    # months to Friday 5 July.
    "DSR-000001": (date(2024, 4, 5), 9, date(2024, 4, 18), date(2024, 5, 6), date(2024, 7, 5)),
    # Expandra's own request, Saturday 31 Aug: no forwarding; due Monday 30 Sep.
    "DSR-000008": (date(2024, 8, 31), None, None, date(2024, 9, 30), None),
    # Fri 6 June is National Day (a holiday itself, receipt day not counted anyway): forward 9-12;
    # due 6 July is a Sunday: Monday 7 July.
    "DSR-000026": (date(2025, 6, 6), 4, date(2025, 6, 12), date(2025, 7, 7), None),
    # Wed 26 Nov: due 26 Dec is Boxing Day, then a weekend: Monday 29 Dec.
    "DSR-000040": (date(2025, 11, 26), 2, date(2025, 11, 28), date(2025, 12, 29), None),
    # Thu 23 Oct, 10 working days (All Saints' Day falls on Saturday 1 Nov): forward by 6 Nov; due 23 Nov is
    # a Sunday: Monday 24 Nov; extended to Friday 23 Jan.
    "DSR-000037": (date(2025, 10, 23), 10, date(2025, 11, 6), date(2025, 11, 24), date(2026, 1, 23)),
    # A consent withdrawal: no month clock. Forward 19, 22, 23, 24 Dec (Christmas Eve counts by default).
    "DSR-000042": (date(2025, 12, 18), 4, date(2025, 12, 24), None, None),
}


def test_due_dates_of_pinned_requests_are_the_ones_worked_out_by_hand(demo_store):
    found = {r[0]: tuple(r[1:]) for r in rows(demo_store, """
        SELECT v.request_id, v.received_on, c.forward_working_days, v.forward_due_date, v.due_date,
               v.extended_due_date
        FROM request_clock AS v LEFT JOIN customers AS c USING (customer_id)""")}
    assert len(found) == 50
    assert {rid: found[rid] for rid in PINNED_DATES} == PINNED_DATES


def test_every_request_s_dates_have_the_rules_shape(demo_store):
    found = rows(demo_store, """
        SELECT r.received_at, r.request_type, r.customer_id, r.due_date, r.extended_due_date, r.forward_due_date,
               v.received_on
        FROM requests AS r JOIN request_clock AS v USING (request_id)""")
    for received_at, request_type, customer_id, due, extended, forward_due, received_on in found:
        assert received_on == received_at.replace(tzinfo=UTC).astimezone(STOCKHOLM).date()
        assert (forward_due is None) == (customer_id is None)    # Expandra as controller: nothing to forward
        assert (due is None) == (request_type == "consent_withdrawal")
        if due is not None:
            # in the month after receipt, or a few days into the next (rolled past weekends and holidays)
            month_later = date(received_on.year + received_on.month // 12, received_on.month % 12 + 1, 1)
            assert month_later <= due <= month_later + timedelta(days=34), (received_on, due)
            assert due.weekday() < 5
        if extended is not None:
            assert extended > due and extended.weekday() < 5
        if forward_due is not None:
            assert received_on < forward_due <= received_on + timedelta(days=20) and forward_due.weekday() < 5


def test_every_hour_of_the_period_gets_its_stockholm_date(tmp_path):
    # The receipt dates come from a per-hour lookup; check it at every hour, midnights and both DST
    # changes included (a receipt at 22:30 UTC in summer is already the next day in Stockholm).
    slots = period.slot_table(plan.make_plan(EVENTS, demo.DEFAULT_SEED, TODAY)).to_pylist()
    assert len(slots) == 104 * 7 * 24
    assert sum(s["cnt"] for s in slots) == EVENTS
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    for slot in slots:
        start = epoch + timedelta(microseconds=slot["slot_start_us"])
        assert start.astimezone(STOCKHOLM).date() == slot["local_on"]
        assert (start + timedelta(minutes=59, seconds=59)).astimezone(STOCKHOLM).date() == slot["local_on"]
    assert any(s["local_on"] != (epoch + timedelta(microseconds=s["slot_start_us"])).date() for s in slots)


# --- history ---------------------------------------------------------------------------------------

def test_history_chain_verifies_and_tells_each_request_s_story(demo_store):
    entries = rows(demo_store, "SELECT * FROM request_history ORDER BY entry_id")
    assert history.verify_chain(entries) == []
    assert requests.verify_history(demo_store) == []
    assert [e[0] for e in entries] == list(range(1, len(entries) + 1))
    assert [e[2] for e in entries] == sorted(e[2] for e in entries)   # entry order is time order
    actions = {e[4] for e in entries}
    assert {"create", "forward", "start", "pause", "complete", "close_forwarded_only", "refuse", "withdraw"} <= actions
    assert actions <= {"create", *lifecycle.ACTIONS}
    status_of = dict(rows(demo_store, "SELECT request_id, status FROM requests"))
    story: dict[str, list[tuple]] = {}
    for entry in entries:
        story.setdefault(entry[1], []).append(entry)
    assert set(story) == set(status_of)
    for request_id, steps in story.items():
        assert steps[0][4] == "create"
        status = None
        for _, _, _, actor, action, changes, note, _, _ in steps:
            assert actor.endswith("@expandra.example") and note
            moved = json.loads(changes).get("status")
            if moved:
                assert moved[0] == status, f"{request_id}: {action} starts from {moved[0]}, not {status}"
                status = moved[1]
        assert status == status_of[request_id]


def test_history_times_are_the_request_s_times(demo_store):
    mismatches = rows(demo_store, """
        SELECT r.request_id, h.action FROM request_history AS h JOIN requests AS r USING (request_id)
        WHERE h.recorded_at IS DISTINCT FROM CASE h.action
            WHEN 'create' THEN r.created_at WHEN 'forward' THEN r.forwarded_at
            WHEN 'complete' THEN r.closed_at WHEN 'close_forwarded_only' THEN r.closed_at
            WHEN 'refuse' THEN r.closed_at WHEN 'withdraw' THEN r.closed_at
            WHEN 'pause' THEN (SELECT paused_at FROM request_pauses AS p WHERE p.request_id = r.request_id)
            WHEN 'resume' THEN (SELECT resumed_at FROM request_pauses AS p WHERE p.request_id = r.request_id)
            ELSE h.recorded_at END""")
    assert mismatches == []
    # the requester is a consent subject of the same customer, so the two can be traced
    assert value(demo_store, """
        SELECT count(*) FROM requests AS r WHERE NOT EXISTS (
            SELECT 1 FROM consent_records AS c WHERE c.subject_id = r.subject_id AND c.customer_id = r.customer_id)
            AND r.customer_id IS NOT NULL
        """) == 0


# --- retention -------------------------------------------------------------------------------------

def test_retention_records_and_backlog(tmp_path):
    store = generated(tmp_path / "retention.duckdb", events=200_000)  # 10,000 records
    try:
        assert value(store, "SELECT count(*) FROM retention_records WHERE last_used_at <= created_at") == 0
        explicit = value(store, "SELECT avg(CAST(retention_ends_on IS NOT NULL AS INTEGER)) FROM retention_records")
        assert 0.07 < explicit < 0.13
        assert value(store, """
            SELECT count(*) FROM retention_status WHERE disposed_at IS NOT NULL AND (disposed_on < effective_end_on
                OR disposal_action <> CASE end_action WHEN 'delete' THEN 'deleted' ELSE 'anonymised' END)""") == 0
        buckets = dict(rows(store, """
            SELECT CASE WHEN age <= 30 THEN '0-30' WHEN age <= 90 THEN '31-90' WHEN age <= 365 THEN '91-365'
                        ELSE 'over 365' END, count(*)
            FROM (SELECT date_diff('day', effective_end_on, DATE '2026-03-18') AS age FROM retention_status
                  WHERE effective_end_on <= DATE '2026-03-18'
                    AND (disposed_on IS NULL OR disposed_on > DATE '2026-03-18'))
            GROUP BY 1"""))
        assert set(buckets) == {"0-30", "31-90", "91-365", "over 365"}

        def backlog(day: date) -> int:
            return value(store, "SELECT count(*) FROM retention_status WHERE effective_end_on <= $d "
                                "AND (disposed_on IS NULL OR disposed_on > $d)", {"d": day})
        year_ago, peak, now = backlog(TODAY - timedelta(days=365)), backlog(TODAY - timedelta(days=100)), backlog(TODAY)
        assert year_ago < peak and now < peak * 0.7   # it grew, then the clean-up shrank it
    finally:
        store.close()


def test_small_store_still_has_a_backlog_today(demo_store):
    assert value(demo_store, """
        SELECT count(*) FROM retention_status WHERE effective_end_on <= DATE '2026-03-18'
            AND (disposed_on IS NULL OR disposed_on > DATE '2026-03-18')""") > 0


# --- determinism, contents, clear ------------------------------------------------------------------

def test_same_seed_gives_identical_contents(tmp_path, demo_store):
    # again on one thread: hash()-based numbers do not depend on how DuckDB splits the work
    again = open_store(tmp_path / "again.duckdb")
    with again.cursor() as cur:
        cur.execute("SET threads = 1")
    demo.generate(again, EVENTS, today=TODAY)
    other = generated(tmp_path / "other.duckdb", seed=7)
    try:
        for table in demo.DATA_TABLES:
            assert table_fingerprint(again, table) == table_fingerprint(demo_store, table), table
        assert table_fingerprint(other, "consent_records") != table_fingerprint(demo_store, "consent_records")
        assert table_fingerprint(other, "requests") != table_fingerprint(demo_store, "requests")
    finally:
        again.close()
        other.close()


def test_store_contents_generate_and_clear(tmp_path, monkeypatch):
    monkeypatch.setenv("PRIVACYOPS_TODAY", "2026-01-02")
    store = open_store(tmp_path / "lifecycle.duckdb")
    try:
        assert demo.store_contents(store) == "empty"
        steps: list[tuple[str, float]] = []
        demo.generate(store, 5_000, progress=lambda step, fraction: steps.append((step, fraction)))
        assert demo.store_contents(store) == "demo"
        fractions = [f for _, f in steps]
        assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
        assert len(steps) >= 6
        meta = dict(rows(store, "SELECT key, value FROM store_meta"))
        assert meta["contents"] == "demo" and meta["demo_events"] == "5000"
        assert meta["demo_seed"] == str(demo.DEFAULT_SEED) and meta["demo_today"] == "2026-01-02"
        assert datetime.fromisoformat(meta["demo_generated_at"]).tzinfo is not None
        with pytest.raises(ValueError, match="not empty"):
            demo.generate(store, 5_000)

        demo.clear(store)
        assert demo.store_contents(store) == "empty"
        for table in demo.DATA_TABLES:
            assert value(store, f"SELECT count(*) FROM {table}") == 0, table  # noqa: S608 -- names from demo
        assert rows(store, "SELECT key FROM store_meta WHERE key LIKE 'demo%' OR key = 'contents'") == []
        # the tables came back with their constraints: a duplicate key is still refused
        counts = demo.generate(store, 5_000)
        assert counts["consent_records"] == 5_000
        assert value(store, "SELECT count(*) FROM consent_facts") == 5_000   # the views still read them
        assert requests.verify_history(store) == []
        with pytest.raises(Exception, match=r"(?i)constraint|duplicate"):
            store.write(lambda cur: cur.execute("INSERT INTO consent_records SELECT * FROM consent_records LIMIT 1"))
    finally:
        store.close()


def test_real_data_is_never_cleared_or_mixed_with_demo_data(tmp_path):
    store = open_store(tmp_path / "real.duckdb")
    try:
        terms = {c: RetentionTerm(365, "delete") for c in DATA_CATEGORIES}
        customers.save(store, Customer("K1", "Riktig Kund AB", "556000-0000", 5, terms),
                       actor="dpo@example.com")
        assert demo.store_contents(store) == "real"
        with pytest.raises(ValueError, match="real data"):
            demo.clear(store)
        with pytest.raises(ValueError, match="not empty"):
            demo.generate(store, 5_000, today=TODAY)
        assert value(store, "SELECT count(*) FROM customers") == 1
    finally:
        store.close()


def test_deadlines_follow_the_eves_setting(tmp_path):
    """With Christmas and New Year's Eve counted as holidays (the DPO's other reading), pinned requests of
    the fixed-seed demo get the later dates, worked out by hand."""
    store = open_store(tmp_path / "eves.duckdb")
    try:
        store.write(lambda cur: cur.execute(
            "INSERT INTO settings VALUES ('eves_are_holidays', 'true', TIMESTAMP '2026-01-01', 'dpo@example.com')"))
        demo.generate(store, 40_000, today=TODAY)
        found = {r[0]: tuple(r[1:]) for r in rows(store, """
            SELECT request_id, CAST(timezone('Europe/Stockholm', timezone('UTC', received_at)) AS DATE),
                   forward_due_date, due_date, eves_are_holidays
            FROM requests""")}
        assert {rid: found[rid] for rid in ("DSR-000030", "DSR-000085", "DSR-000084")} == {
            # Fri 20 Dec 2024, 9 working days: 23, (24-26), 27, 30, (31 Dec, 1 Jan), 2, 3, (6 Jan), 7-10.
            # By default (eves are working days) it would be 8 January.
            "DSR-000030": (date(2024, 12, 20), date(2025, 1, 10), date(2025, 1, 20), True),
            # A withdrawal on Sat 27 Dec 2025, 9 working days: 29, 30, (31, 1), 2, 5, (6), 7-9, 12, 13.
            "DSR-000085": (date(2025, 12, 27), date(2026, 1, 13), None, True),
            # Wed 17 Dec 2025, 3 working days: 18, 19, 22; due 17 Jan is a Saturday: Monday 19 Jan.
            "DSR-000084": (date(2025, 12, 17), date(2025, 12, 22), date(2026, 1, 19), True),
        }
        assert value(store, "SELECT count(*) FROM requests WHERE eves_are_holidays IS DISTINCT FROM true") == 0
    finally:
        store.close()


def test_demo_history_holds_no_contact_details(tmp_path):
    store = open_store(tmp_path / "nocontact.duckdb")
    try:
        demo.generate(store, 5_000)
        with store.cursor() as cur:
            leaked = cur.execute(
                "SELECT count(*) FROM request_history WHERE changes LIKE '%@example.com%'").fetchone()[0]
        assert leaked == 0
    finally:
        store.close()


def test_demo_history_holds_no_subject_ids(demo_store):
    """rules.md 4: the history never holds a requester's subject id; the requests table does."""
    subjects = [r[0] for r in rows(demo_store, "SELECT subject_id FROM requests WHERE subject_id IS NOT NULL")]
    text = " ".join(r[0] for r in rows(demo_store, "SELECT changes || note FROM request_history"))
    assert subjects and not [s for s in subjects if s in text]
    marked = rows(demo_store, "SELECT count(*) FROM request_history WHERE action = 'create' "
                              "AND changes LIKE '%\"subject_id\":[null,\"(recorded; not kept in the history)\"]%'")
    assert marked == [(len(subjects),)]


def test_the_demo_shows_a_shortened_term_and_an_ended_contract(demo_store):
    changes = rows(demo_store, "SELECT customer_id, field, old_value, new_value, changed_at FROM customer_changes "
                               "WHERE field NOT LIKE 'consent_policy%' ORDER BY change_id")
    assert len(changes) == 2
    (customer_id, field, old, new, _), (ended_id, ended_field, _, ended_on, _) = changes
    # A shortened term (rules.md 4): records become due on the day of the change, not in the weeks before.
    assert (customer_id, new) == (demo.TERM_CHANGE_CUSTOMER, str(demo.TERM_CHANGE_NEW_DAYS))
    assert field.endswith(".retention_days") and int(old) > int(new)
    changed_on = TODAY - timedelta(days=demo.TERM_CHANGE_DAYS_AGO)
    assert value(demo_store, "SELECT retention_days FROM customer_retention_terms WHERE customer_id = $c AND "
                             "data_category = $k", {"c": customer_id, "k": field.split(".")[0]}) == int(new)
    made_due_that_day = value(demo_store, "SELECT sum(records) FROM retention_backlog_spans WHERE customer_id = $c "
                                          "AND start_on = $d AND episode_start_on = start_on",
                              {"c": customer_id, "d": changed_on})
    assert made_due_that_day >= 3
    # An ended contract (Art. 28(3)(g)): every record of the customer is due from that day.
    assert (ended_id, ended_field, ended_on) == (demo.CONTRACT_ENDED_CUSTOMER, "contract_ended_on",
                                                 (TODAY - timedelta(days=demo.CONTRACT_ENDED_DAYS_AGO)).isoformat())
    listed = demo_store.query("retention_customer_instructions", as_of=TODAY, customer="")
    assert listed["customer_id"].tolist() == [ended_id]
    assert listed.iloc[0]["made_due_records"] > 0
    assert value(demo_store, "SELECT count(*) FROM retention_records WHERE customer_id = $c AND "
                             "CAST(created_at AS DATE) >= $d", {"c": ended_id, "d": date.fromisoformat(ended_on)}) == 0

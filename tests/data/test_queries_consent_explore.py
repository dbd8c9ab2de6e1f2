"""The consent_ and explore_ queries and privacyops.cases.exports on a small hand-made store, value by value.

The store: two customers (C01, C02) and 18 consent records. Policy v1 is older; v2 took effect (set
explicitly, rules.md 3) on Monday 2025-03-03 for C01 and 2025-03-10 for C02, the days its first records came.
Subject ids repeat across customers (S1 is two people).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pyarrow.parquet as pq
import pytest

from privacyops.cases import customers, exports
from privacyops.rules import consent
from privacyops.store import QueryError, Store

# consent_id, customer, subject, given_at (UTC), method, policy, source, country, functional, analytics, marketing
RECORDS = [
    ("K01", "C01", "S1", datetime(2025, 1, 6, 10), "accept_all", "v1", "banner", "SE", True, True, True),
    ("K02", "C01", "S2", datetime(2025, 1, 7, 10), "custom", "v1", "banner", "SE", True, False, False),
    ("K03", "C01", "S3", datetime(2025, 1, 8, 10), "implied", "v1", "banner", "NO", True, True, True),
    ("K04", "C01", "S4", datetime(2025, 1, 14, 10), "pre_ticked", "v1", "api", "DE", True, True, True),
    ("K05", "C01", "S5", datetime(2025, 1, 15, 10), "reject_all", "v1", "settings_page", "SE", False, False, False),
    ("K06", "C01", "S1", datetime(2025, 2, 3, 9), "withdrawal", "v1", "settings_page", "SE", False, False, False),
    ("K07", "C01", "S6", datetime(2025, 3, 3, 8), "accept_all", "v2", "banner", "SE", True, True, True),
    ("K08", "C01", "S7", datetime(2025, 3, 4, 8), "custom", "v2", "banner", "SE", False, True, False),
    ("K09", "C01", "S2", datetime(2025, 3, 5, 8), "reject_all", "v2", "banner", "SE", False, False, False),
    ("K10", "C02", "S1", datetime(2024, 6, 10, 12), "accept_all", "v1", "banner", "DK", True, True, True),
    ("K11", "C02", "S8", datetime(2025, 1, 20, 12), "implied", "v1", "banner", "DK", True, True, True),
    ("K12", "C02", "S9", datetime(2025, 3, 10, 12), "accept_all", "v2", "api", "FI", True, True, True),
    ("K13", "C02", "S10", datetime(2024, 3, 1, 12), "reject_all", "v1", "banner", "FI", False, False, False),
    ("K14", "C01", "S11", datetime(2026, 2, 2, 12), "implied", "v2", "banner", "SE", True, True, True),
    ("K15", "C01", "S12", datetime(2026, 3, 2, 12), "accept_all", "v2", "banner", "SE", True, True, True),
    ("K16", "C01", "S13", datetime(2026, 1, 20, 12), "reject_all", "v2", "banner", "SE", False, False, False),
    ("K17", "C01", "S14", datetime(2025, 4, 15, 8), "accept_all", "v2", "banner", "SE", True, True, True),
    ("K18", "C01", "S15", datetime(2025, 4, 16, 8), "accept_all", "v2", "banner", "SE", True, True, True),
]
Q1 = {"start": date(2025, 1, 1), "end": date(2025, 3, 31)}   # K01-K09, K11, K12
NO_FILTERS = {"customer": "", "countries": [], "purposes": [], "methods": [], "policy_versions": [], "sources": []}


def insert_records(store: Store, rows) -> None:
    def write(cur) -> None:
        cur.executemany(
            "INSERT INTO consent_records VALUES (?, ?, ?, ?, ?, ?, ?, ?, TRUE, ?, ?, ?)", [list(r) for r in rows])
    store.write(write)


POLICIES = {"C01": ("v2", date(2025, 3, 3)), "C02": ("v2", date(2025, 3, 10))}
TODAY = date(2026, 11, 29)


def set_policies(store: Store, policies=POLICIES) -> None:
    for customer_id, (version, effective_on) in policies.items():
        customers.set_consent_policy(store, customer_id, version, effective_on, actor="fixture@example.com",
                                     today=TODAY)


@pytest.fixture
def consent_store(customer_store: Store) -> Store:
    insert_records(customer_store, RECORDS)
    set_policies(customer_store)
    return customer_store


def rows(frame, *columns):
    return [tuple(r) for r in frame[list(columns)].itertuples(index=False)]


def rates(frame) -> list[float]:
    """The three purpose rates of every row, row by row, as one flat list (for pytest.approx)."""
    return [v for r in rows(frame, "functional_rate", "analytics_rate", "marketing_rate") for v in r]


# --- consent ------------------------------------------------------------------------------------

def test_summary_counts_implied_and_pre_ticked_apart(consent_store):
    s = consent_store.query("consent_summary", **Q1, customer="").iloc[0]
    assert (s["records"], s["decisions"], s["valid_choices"]) == (11, 10, 7)
    assert (s["implied_records"], s["pre_ticked_records"], s["invalid_records"], s["withdrawals"]) == (2, 1, 3, 1)
    assert s["invalid_share"] == pytest.approx(0.3)
    # opt-ins: only accept_all / custom with the purpose on; K03, K04, K11 have every box on and count 0
    assert (s["functional_rate"], s["analytics_rate"], s["marketing_rate"]) == pytest.approx((0.4, 0.4, 0.3))
    c2 = consent_store.query("consent_summary", **Q1, customer="C02").iloc[0]
    assert (c2["records"], c2["decisions"], c2["invalid_records"], c2["functional_rate"]) == (2, 2, 1, 0.5)


def test_rate_per_week(consent_store):
    frame = consent_store.query("consent_rate_over_time", **Q1, customer="", grain="week")
    got = {(r.period_start.date(), r.purpose): (r.decisions, r.valid_opt_ins) for r in frame.itertuples()}
    assert got == {
        (date(2025, 1, 6), "functional"): (3, 2), (date(2025, 1, 6), "analytics"): (3, 1),
        (date(2025, 1, 6), "marketing"): (3, 1),
        (date(2025, 1, 13), "functional"): (2, 0), (date(2025, 1, 13), "analytics"): (2, 0),
        (date(2025, 1, 13), "marketing"): (2, 0),
        (date(2025, 1, 20), "functional"): (1, 0), (date(2025, 1, 20), "analytics"): (1, 0),
        (date(2025, 1, 20), "marketing"): (1, 0),
        # the week of 3 February has only a withdrawal: no decisions, no rate row
        (date(2025, 3, 3), "functional"): (3, 1), (date(2025, 3, 3), "analytics"): (3, 2),
        (date(2025, 3, 3), "marketing"): (3, 1),
        (date(2025, 3, 10), "functional"): (1, 1), (date(2025, 3, 10), "analytics"): (1, 1),
        (date(2025, 3, 10), "marketing"): (1, 1),
    }
    first = frame[(frame["purpose"] == "functional")].iloc[0]
    assert first["opt_in_rate"] == pytest.approx(2 / 3)


def test_rate_per_month_for_one_customer(consent_store):
    frame = consent_store.query("consent_rate_over_time", **Q1, customer="C01", grain="month")
    got = {(r.period_start.date(), r.purpose): r.opt_in_rate for r in frame.itertuples()}
    assert got == pytest.approx({
        (date(2025, 1, 1), "functional"): 2 / 5, (date(2025, 1, 1), "analytics"): 1 / 5,
        (date(2025, 1, 1), "marketing"): 1 / 5,
        (date(2025, 3, 1), "functional"): 1 / 3, (date(2025, 3, 1), "analytics"): 2 / 3,
        (date(2025, 3, 1), "marketing"): 1 / 3,
    })


def test_events_per_month(consent_store):
    frame = consent_store.query("consent_events_over_time", **Q1, customer="", grain="month")
    assert rows(frame, "decisions", "valid_choices", "implied_records", "pre_ticked_records", "invalid_records",
                "withdrawals") == [(6, 3, 2, 1, 3, 0), (0, 0, 0, 0, 0, 1), (4, 4, 0, 0, 0, 0)]
    assert [d.date() for d in frame["period_start"]] == [date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)]
    assert frame["invalid_share"].iloc[0] == pytest.approx(0.5)
    assert frame["invalid_share"].isna().iloc[1]   # withdrawals only: no decisions, no share
    assert frame["invalid_share"].iloc[2] == 0


def test_breakdown_by_customer(consent_store):
    frame = consent_store.query("consent_breakdown", **Q1, customer="", dimension="customer")
    assert rows(frame, "group_key", "group_label", "decisions", "valid_choices", "invalid_records", "withdrawals") == [
        ("C01", "Testkund Ett AB (C01)", 8, 6, 2, 1), ("C02", "Testkund Två AB (C02)", 2, 1, 1, 0)]
    assert rates(frame) == pytest.approx([3 / 8, 3 / 8, 2 / 8, 0.5, 0.5, 0.5])


def test_breakdown_by_policy_version_in_order_of_appearance(consent_store):
    frame = consent_store.query("consent_breakdown", **Q1, customer="", dimension="policy_version")
    assert rows(frame, "group_key", "decisions", "invalid_records") == [("v1", 6, 3), ("v2", 4, 0)]
    assert [d.date() for d in frame["first_seen_on"]] == [date(2025, 1, 6), date(2025, 3, 3)]
    assert rates(frame) == pytest.approx([2 / 6, 1 / 6, 1 / 6, 2 / 4, 3 / 4, 2 / 4])


@pytest.mark.parametrize(("dimension", "expected"), [
    ("country", [("SE", 6, 0), ("DE", 1, 1), ("FI", 1, 0), ("NO", 1, 1), ("DK", 1, 1)]),
    ("source", [("banner", 7, 2), ("api", 2, 1), ("settings_page", 1, 0)]),
])
def test_breakdown_by_country_and_source(consent_store, dimension, expected):
    frame = consent_store.query("consent_breakdown", **Q1, customer="", dimension=dimension)
    got = sorted(rows(frame, "group_key", "decisions", "invalid_records"), key=lambda r: (-r[1], r[0]))
    assert got == sorted(expected, key=lambda r: (-r[1], r[0]))
    assert list(frame["decisions"]) == sorted(frame["decisions"], reverse=True)


AS_OF = date(2026, 4, 15)


def test_renewal_due_per_customer(consent_store):
    frame = consent_store.query("consent_renewal_due", as_of=AS_OF, customer="", renewal_months=12,
                                refusal_quiet_months=6)
    assert rows(frame, "customer_id", "current_policy_version", "subjects", "due_total", "policy_changed",
                "no_valid_consent", "consent_expired", "refusal_quiet_over", "not_due") == [
        # C01: S1 (withdrawal), S3, S4, S5 under v1; S2 refused 2025-03-05 (quiet period over);
        # S6, S7, S14 (2025-04-15: exactly 12 months) expired; S11 implied; S12, S13, S15 not due
        ("C01", "v2", 12, 9, 4, 1, 3, 1, 3),
        ("C02", "v2", 4, 4, 3, 0, 1, 0, 0),
    ]
    assert [d.date() for d in frame["current_policy_since"]] == [date(2025, 3, 3), date(2025, 3, 10)]
    assert list(frame["customer_name"]) == ["Testkund Ett AB", "Testkund Två AB"]


def test_renewal_due_agrees_with_the_python_rule(consent_store):
    """Every subject through privacyops.rules.consent.needs_renewal must give the query's due count."""
    for months, quiet in ((12, 6), (6, 3), (24, 12)):
        latest: dict[tuple[str, str], tuple] = {}
        for r in RECORDS:
            key = (r[1], r[2])
            if key not in latest or r[3] > latest[key][3]:
                latest[key] = r
        current = {c: consent.current_policy_version(*POLICIES[c], AS_OF) for c in ("C01", "C02")}
        expected = {c: sum(consent.needs_renewal(r[3].date(), r[4], r[5], current[c], AS_OF, renewal_months=months,
                                                 refusal_quiet_months=quiet)
                           for (cc, _), r in latest.items() if cc == c) for c in ("C01", "C02")}
        frame = consent_store.query("consent_renewal_due", as_of=AS_OF, customer="", renewal_months=months,
                                    refusal_quiet_months=quiet)
        assert dict(zip(frame["customer_id"], frame["due_total"], strict=True)) == expected, (months, quiet)


def test_renewal_ignores_records_after_as_of_and_filters_customer(consent_store):
    frame = consent_store.query("consent_renewal_due", as_of=date(2025, 2, 28), customer="C01", renewal_months=12,
                                refusal_quiet_months=6)
    # v2 took effect later: no policy in force then, by age only; S1's withdrawal (2025-02-03) is recent,
    # S5's refusal too; S3/S4 are no consent
    assert rows(frame, "customer_id", "current_policy_version", "subjects", "policy_changed", "no_valid_consent",
                "consent_expired", "refusal_quiet_over", "not_due") == [("C01", None, 5, 0, 2, 0, 0, 3)]
    assert consent_store.query("consent_renewal_due", as_of=date(2020, 1, 1), customer="", renewal_months=12,
                               refusal_quiet_months=6).empty


def test_policy_change_before_and_after(consent_store):
    frame = consent_store.query("consent_policy_change_summary", as_of=date(2025, 6, 30), customer="", weeks=8)
    assert list(frame["purpose"]) == ["functional", "analytics", "marketing"]
    first = frame.iloc[0]
    assert (first["policy_version"], first["previous_version"]) == ("v2", "v1")
    # each customer around its own day: C01 from 3 March, C02 from 10 March
    assert (first["customers"], first["changed_on"].date(), first["last_changed_on"].date(),
            first["before_from"].date(), first["after_to"].date()) == (
        2, date(2025, 3, 3), date(2025, 3, 10), date(2025, 1, 6), date(2025, 5, 4))
    # before: K01-K05, K11 (6 decisions); after: K07, K08, K09, K12, K17, K18 (6 decisions)
    assert rows(frame, "decisions_before", "opt_ins_before", "decisions_after", "opt_ins_after") == [
        (6, 2, 6, 4), (6, 1, 6, 5), (6, 1, 6, 4)]
    assert list(frame["difference_points"]) == pytest.approx([100 / 3, 200 / 3, 50])


def test_policy_change_window_and_customer(consent_store):
    frame = consent_store.query("consent_policy_change_summary", as_of=date(2025, 3, 20), customer="C02", weeks=1)
    first = frame.iloc[0]
    assert first["changed_on"].date() == date(2025, 3, 10)
    assert first["after_to"].date() == date(2025, 3, 16)
    # the week before 10 March has no C02 record: no rate, no difference
    assert rows(frame, "decisions_before", "decisions_after", "opt_ins_after") == [(0, 1, 1)] * 3
    assert frame["rate_before"].isna().all() and frame["difference_points"].isna().all()


def test_policy_change_weekly_is_counted_from_each_customers_change(consent_store):
    frame = consent_store.query("consent_policy_change_weekly", as_of=date(2025, 6, 30), customer="", weeks=8)
    functional = frame[frame["purpose"] == "functional"]
    # C01 around 3 March: K01-K03 week -8, K04-K05 week -7, K07-K09 week 0, K17-K18 week 6;
    # C02 around 10 March: K11 (20 January) week -7, K12 week 0. Two days: no calendar week_start.
    assert rows(functional, "week_no", "decisions", "valid_opt_ins") == [(-8, 3, 2), (-7, 3, 0), (0, 4, 2), (6, 2, 2)]
    assert functional["week_start"].isna().all()


def test_policy_change_weekly_of_one_customer_has_calendar_weeks(consent_store):
    frame = consent_store.query("consent_policy_change_weekly", as_of=date(2025, 6, 30), customer="C01", weeks=8)
    functional = frame[frame["purpose"] == "functional"]
    assert [(n, w.date()) for n, w in zip(functional["week_no"], functional["week_start"], strict=True)] == [
        (-8, date(2025, 1, 6)), (-7, date(2025, 1, 13)), (0, date(2025, 3, 3)), (6, date(2025, 4, 14))]


def test_no_policy_change_with_one_version(consent_store):
    for name in ("consent_policy_change_summary", "consent_policy_change_weekly"):
        assert consent_store.query(name, as_of=date(2025, 2, 28), customer="", weeks=8).empty


# --- the current policy is set explicitly, never guessed (issue 8, rules.md 3) ---------------------------

def test_an_old_version_record_after_the_new_policy_does_not_flip_the_current_version(customer_store):
    """Before: the version whose first record came last was current, so an old banner still served from a
    cache (its first record here after v2's first) made 'old' current again and v2 answers 'policy changed'."""
    insert_records(customer_store, [
        ("P1", "C01", "S1", datetime(2025, 1, 6, 10), "accept_all", "v1", "banner", "SE", True, True, True),
        ("P2", "C01", "S2", datetime(2025, 3, 3, 10), "accept_all", "v2", "banner", "SE", True, True, True),
        ("P3", "C01", "S3", datetime(2025, 3, 5, 10), "accept_all", "old", "banner", "SE", True, True, True),
        ("P4", "C01", "S4", datetime(2025, 3, 6, 10), "accept_all", "v2", "banner", "SE", True, True, True),
    ])
    set_policies(customer_store, {"C01": ("v2", date(2025, 3, 3))})
    frame = customer_store.query("consent_renewal_due", as_of=date(2025, 4, 1), customer="", renewal_months=12,
                                 refusal_quiet_months=6)
    # S1 (v1) and S3 (old) are asked again; S2 and S4 answered under v2 (guessed 'old' made that 3 and 1)
    assert rows(frame, "customer_id", "current_policy_version", "policy_changed", "not_due") == [("C01", "v2", 2, 2)]
    assert frame["current_policy_since"].iloc[0].date() == date(2025, 3, 3)
    change = customer_store.query("consent_policy_change_summary", as_of=date(2025, 4, 1), customer="C01", weeks=8)
    assert (change["policy_version"].iloc[0], change["previous_version"].iloc[0]) == ("v2", "v1")
    assert change["changed_on"].iloc[0].date() == date(2025, 3, 3)


def test_a_new_policy_set_today_with_no_answers_makes_every_earlier_consent_due(consent_store):
    """Before: a policy nobody had answered under yet was unknown, so nothing was due for the change."""
    today = date(2025, 6, 30)
    customers.set_consent_policy(consent_store, "C01", "v3", today, actor="admin@example.com", today=today)
    frame = consent_store.query("consent_renewal_due", as_of=today, customer="C01", renewal_months=12,
                                refusal_quiet_months=6)
    # C01's subjects up to 30 June 2025: S1-S7, S14, S15 (9), every one recorded under v1 or v2
    assert rows(frame, "current_policy_version", "subjects", "due_total", "policy_changed") == [("v3", 9, 9, 9)]
    assert frame["current_policy_since"].iloc[0].date() == today
    change = consent_store.query("consent_policy_change_summary", as_of=today, customer="C01", weeks=8)
    assert rows(change, "policy_version", "previous_version", "decisions_after") == [("v3", "v2", 0)] * 3
    assert change["rate_after"].isna().all()


def test_renewal_without_a_policy_is_by_age_only(customer_store):
    insert_records(customer_store, RECORDS)   # no policy set: C01 and C02 have none
    frame = customer_store.query("consent_renewal_due", as_of=AS_OF, customer="", renewal_months=12,
                                 refusal_quiet_months=6)
    assert frame["current_policy_version"].isna().all() and (frame["policy_changed"] == 0).all()
    assert frame["policy_confirmed"].all()   # added after migration 008: set explicitly (none), not a guess
    for name in ("consent_policy_change_summary", "consent_policy_change_weekly"):
        assert customer_store.query(name, as_of=AS_OF, customer="", weeks=8).empty


def test_a_policy_not_yet_in_force_on_as_of_is_not_current(consent_store):
    assert consent.current_policy_version("v2", date(2025, 3, 3), date(2025, 3, 2)) is None
    assert consent.current_policy_version("v2", date(2025, 3, 3), date(2025, 3, 3)) == "v2"
    assert consent.current_policy_version(None, None, date(2025, 3, 3)) is None
    assert consent.needs_renewal(date(2025, 3, 1), "accept_all", "v1", None, date(2025, 3, 2)) is False


# --- explore ------------------------------------------------------------------------------------

def explore(store: Store, name: str, **overrides):
    params = {**Q1, **NO_FILTERS, **overrides}
    if name == "explore_records":
        params.setdefault("row_limit", None)
    return store.query(name, **params)


def test_filter_options(consent_store):
    frame = consent_store.query("explore_filter_options")
    got = {(r.dimension, r.value): r.records for r in frame.itertuples()}
    assert got[("country", "SE")] == 12 and got[("country", "DK")] == 2
    assert got[("method", "accept_all")] == 7 and got[("method", "withdrawal")] == 1
    assert got[("source", "api")] == 2
    assert frame.loc[frame["dimension"] == "policy_version", "value"].tolist() == ["v1", "v2"]
    assert sum(frame.loc[frame["dimension"] == "method", "records"]) == len(RECORDS)


def test_records_newest_first_without_subject_ids(consent_store):
    frame = explore(consent_store, "explore_records")
    assert list(frame["consent_id"]) == ["K12", "K09", "K08", "K07", "K06", "K11", "K05", "K04", "K03", "K02", "K01"]
    assert "subject_id" not in frame.columns
    assert frame.loc[frame["consent_id"] == "K11", "customer_name"].item() == "Testkund Två AB"
    assert list(explore(consent_store, "explore_records", row_limit=2)["consent_id"]) == ["K12", "K09"]


@pytest.mark.parametrize(("filters", "expected"), [
    ({"countries": ["DK", "NO"]}, {"K03", "K11"}),
    ({"methods": ["implied", "pre_ticked"]}, {"K03", "K04", "K11"}),
    ({"methods": ("implied", "pre_ticked")}, {"K03", "K04", "K11"}),          # tuples bind as lists too
    ({"purposes": ["analytics"]}, {"K01", "K03", "K04", "K07", "K08", "K11", "K12"}),
    ({"purposes": ["functional", "marketing"]}, {"K01", "K02", "K03", "K04", "K07", "K11", "K12"}),
    ({"policy_versions": ["v2"]}, {"K07", "K08", "K09", "K12"}),
    ({"sources": ["api"]}, {"K04", "K12"}),
    ({"customer": "C02"}, {"K11", "K12"}),
    ({"countries": ["SE"], "methods": ["accept_all", "custom"], "purposes": ["analytics"]}, {"K01", "K07", "K08"}),
    ({"countries": ["XX"]}, set()),
])
def test_explore_filters(consent_store, filters, expected):
    records = explore(consent_store, "explore_records", **filters)
    assert set(records["consent_id"]) == expected
    summary = explore(consent_store, "explore_summary", **filters).iloc[0]
    assert summary["records"] == len(expected)
    weekly = explore(consent_store, "explore_weekly", **filters)
    assert weekly["records"].sum() == len(expected)


def test_explore_summary_and_weekly_values(consent_store):
    s = explore(consent_store, "explore_summary").iloc[0]
    counts = (s["records"], s["decisions"], s["valid_choices"], s["invalid_records"], s["withdrawals"])
    assert counts == (11, 10, 7, 3, 1)
    assert (s["functional_rate"], s["analytics_rate"], s["marketing_rate"]) == pytest.approx((0.4, 0.4, 0.3))
    assert (s["first_given_at"], s["last_given_at"]) == (datetime(2025, 1, 6, 10), datetime(2025, 3, 10, 12))
    weekly = explore(consent_store, "explore_weekly", policy_versions=["v2"])
    assert rows(weekly, "method", "records") == [("accept_all", 1), ("custom", 1), ("reject_all", 1),
                                                 ("accept_all", 1)]
    assert [d.date() for d in weekly["week_start"]] == [date(2025, 3, 3)] * 3 + [date(2025, 3, 10)]


# --- exports ------------------------------------------------------------------------------------

def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_export_holds_the_whole_filtered_set_in_order(consent_store):
    params = {**Q1, **NO_FILTERS, "methods": ["accept_all", "custom", "reject_all"], "row_limit": None}
    expected = list(consent_store.query("explore_records", **params)["consent_id"])
    assert len(expected) == 7
    csv_rows = read_csv(exports.export_query(consent_store, "explore_records", "csv", **params))
    assert [r["consent_id"] for r in csv_rows] == expected
    assert list(csv_rows[0]) == list(consent_store.query("explore_records", **params).columns)
    assert csv_rows[0]["given_at"] == "2025-03-10 12:00:00" and csv_rows[0]["marketing"] == "true"
    table = pq.read_table(io.BytesIO(exports.export_query(consent_store, "explore_records", "parquet", **params)))
    assert table.num_rows == 7 and table.column("consent_id").to_pylist() == expected
    assert "subject_id" not in table.column_names
    # the export ignores no filter: a row limit in the parameters is honoured too
    limited = exports.export_query(consent_store, "explore_records", "csv", **{**params, "row_limit": 3})
    assert len(read_csv(limited)) == 3


def test_export_neutralises_formula_cells_in_csv_only(customer_store):
    countries = ["=1+1", "+46", "-2", "@SUM(A1)", "\tTAB", "\rCR", "SE", "S=E", ""]
    insert_records(customer_store, [
        (f"F{i}", "C01", f"S{i}", datetime(2025, 5, 1, 10, i), "accept_all", "v1", "banner", country, True, True, True)
        for i, country in enumerate(countries)])
    params = {"start": date(2025, 5, 1), "end": date(2025, 5, 1), **NO_FILTERS, "row_limit": None}
    got = read_csv(exports.export_query(customer_store, "explore_records", "csv", **params))
    by_id = {r["consent_id"]: r["country"] for r in got}
    assert len(got) == len(countries)
    assert [by_id[f"F{i}"] for i in range(len(countries))] == [
        "'=1+1", "'+46", "'-2", "'@SUM(A1)", "'\tTAB", "'\rCR", "SE", "S=E", ""]
    assert [by_id[f"F{i}"] for i in range(len(countries))] == [exports.neutralise_cell(c) for c in countries]
    table = pq.read_table(io.BytesIO(exports.export_query(customer_store, "explore_records", "parquet", **params)))
    assert sorted(table.column("country").to_pylist()) == sorted(countries)


def test_export_checks_its_parameters_and_format(consent_store):
    with pytest.raises(QueryError, match="missing"):
        exports.export_query(consent_store, "explore_records", "csv", **Q1)
    with pytest.raises(ValueError, match="unknown export format"):
        exports.export_query(consent_store, "explore_records", "xlsx", **Q1, **NO_FILTERS, row_limit=None)

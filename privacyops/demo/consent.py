"""Consent records and the customers' consent policies (rules.md 3), and who the consent subjects are:
requesters are consent subjects too, so the two can be traced (requests.py uses `subject_no_sql` & co).
"""

# ruff: noqa: S608 - the SQL here is written from this package's constants, lifecycle's words, ints and dates;
# no value from people or files goes into it.

from __future__ import annotations

from datetime import timedelta

import duckdb

from privacyops.demo.plan import (
    RECENT_POLICY_CUSTOMER,
    US_PER_HOUR,
    Plan,
    local_day,
    nth,
    pick,
    quoted,
    uniform,
)
from privacyops.store.sql import string_list

POLICY_BEFORE, POLICY_AFTER = "2024-05", "2025-09"
POLICY_ADMIN = "lina.berg@expandra.example"
# Country of the visitor: share of subjects, and how it moves the choice (accept_all, reject_all
# and custom-marketing multipliers). Swedish sites, so Sweden dominates; German visitors refuse more.
_COUNTRIES = (
    ("SE", 0.56, 1.00, 1.00, 1.00), ("NO", 0.10, 1.03, 0.92, 1.05), ("DK", 0.08, 0.97, 1.06, 0.95),
    ("FI", 0.07, 0.99, 1.00, 0.95), ("DE", 0.07, 0.80, 1.45, 0.70), ("NL", 0.05, 0.90, 1.18, 0.85),
    ("GB", 0.04, 0.95, 1.08, 0.90), ("other", 0.03, 0.92, 1.12, 0.90),
)
_OTHER_COUNTRIES = ("FR", "PL", "US", "ES", "EE", "IS")
_CHOICE_SOURCES = (("banner", 0.86), ("settings_page", 0.09), ("api", 0.05))
_WITHDRAWAL_SOURCES = (("settings_page", 0.55), ("banner", 0.35), ("api", 0.10))


# --- who the subjects are ---------------------------------------------------------------------------

def customer_no_sql(plan: Plan, subject_no: str) -> str:
    """SQL: the customer number (1..12) of a consent subject, weighted by consent volume."""
    choices = [(str(i), c.weight) for i, c in enumerate(plan.customers, start=1)]
    return pick(uniform(subject_no, plan.seed, "customer"), choices)


def subject_no_sql(plan: Plan, consent_no: str) -> str:
    """SQL: the subject of consent record number `consent_no`. Record i picks one of the first
    ~i/2.6 subjects, so the pool grows over time and subjects come back (2.6 records each on average,
    more for early ones)."""
    return (f"CAST(floor({uniform(consent_no, plan.seed, 'subject')} * greatest(1.0, {consent_no} / 2.6)) "
            "AS BIGINT)")


def subject_id_sql(plan: Plan, subject_no: str) -> str:
    """SQL: the pseudonymous id of a subject, 'subj_' + 12 hex characters."""
    return (f"'subj_' || format('{{:012x}}', hash(CAST({subject_no} AS BIGINT), CAST({plan.seed} AS BIGINT), "
            "'subject id') >> 16)")


# --- consent records -------------------------------------------------------------------------------

def insert_consent_records(cur: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """Exactly `events` consent records, in one INSERT ... SELECT over range(events).

    Record i falls in the hour whose [first_idx, first_idx + cnt) holds i, spaced evenly within it,
    so consent_id order is time order. The choice depends on customer, country and policy version:
    the 2025-09 policy splits analytics from marketing, so marketing opt-ins drop and analytics rises;
    pre-ticked boxes end with it and implied-by-use records nearly do.
    """
    s = plan.seed
    country_no = pick(uniform("subject_no", s, "country"), [(str(i), c[1]) for i, c in enumerate(_COUNTRIES, 1)])
    # the country's multipliers, indexed by country_no
    accept_by_country, reject_by_country, marketing_by_country = (
        "[" + ", ".join(str(c[column]) for c in _COUNTRIES) + "]" for column in (2, 3, 4))
    given_at = (f"make_timestamp(slot_start_us + CAST((i - first_idx + {uniform('i', s, 'second')}) / cnt "
                f"* {US_PER_HOUR} AS BIGINT))")
    country = (f"CASE WHEN country_no = {len(_COUNTRIES)} "
               f"THEN {nth(string_list(_OTHER_COUNTRIES), 'subject_no', s, 'other country', len(_OTHER_COUNTRIES))} "
               f"ELSE {string_list(c[0] for c in _COUNTRIES)}[country_no] END")
    # withdrawals come mostly from the settings page; other choices mostly from the banner
    source = (f"CASE WHEN method = 'withdrawal' THEN {pick(uniform('i', s, 'source'), quoted(_WITHDRAWAL_SOURCES))} "
              f"ELSE {pick(uniform('i', s, 'source'), quoted(_CHOICE_SOURCES))} END")

    def purpose(name: str) -> str:
        # a custom choice includes each purpose by its odds; the fixed choices include all or none
        return (f"CASE method WHEN 'custom' THEN {uniform('i', s, name)} < p_{name} "
                "ELSE method IN ('accept_all', 'implied', 'pre_ticked') END")

    cur.execute(f"""
        INSERT INTO consent_records (consent_id, customer_id, subject_id, given_at, method, policy_version,
                                     source, country, necessary, functional, analytics, marketing)
        WITH placed AS (
            -- each record in its hour of the period
            SELECT r.i, s.slot_start_us, s.first_idx, s.cnt, s.after_change
            FROM range({plan.events}) AS r(i)
            ASOF JOIN (SELECT * FROM demo_slots WHERE cnt > 0) AS s ON r.i >= s.first_idx
        ), subjects AS (
            SELECT *, {subject_no_sql(plan, 'i')} AS subject_no FROM placed
        ), who AS (
            SELECT *, {customer_no_sql(plan, 'subject_no')} AS customer_no, {country_no} AS country_no
            FROM subjects
        ), odds AS (
            SELECT w.*, m.customer_id,
                -- invalid records first: implied by use (mostly under the old banner), pre-ticked (only then)
                CASE WHEN after_change THEN 0.008 ELSE 0.055 END AS p_implied,
                CASE WHEN after_change THEN 0.0 ELSE 0.022 END AS p_pre_ticked,
                least(0.95, m.accept * {accept_by_country}[country_no]
                            - CASE WHEN after_change THEN 0.10 ELSE 0 END) AS p_accept,
                least(0.6, m.reject * {reject_by_country}[country_no]
                           + CASE WHEN after_change THEN 0.03 ELSE 0 END) AS p_reject,
                m.custom_functional AS p_functional,
                CASE WHEN after_change THEN least(0.97, m.custom_analytics + 0.40) ELSE m.custom_analytics END
                    AS p_analytics,
                m.custom_marketing * {marketing_by_country}[country_no] * CASE WHEN after_change THEN 0.6 ELSE 1 END
                    AS p_marketing,
                {uniform('i', s, 'method')} AS u_method
            FROM who AS w JOIN demo_customer_mix AS m USING (customer_no)
        ), chosen AS (
            SELECT *,
                CASE
                    WHEN u_method < 0.02 THEN 'withdrawal'
                    WHEN u_method < 0.02 + p_implied THEN 'implied'
                    WHEN u_method < 0.02 + p_implied + p_pre_ticked THEN 'pre_ticked'
                    WHEN u_method < 0.02 + p_implied + p_pre_ticked
                                    + (0.98 - p_implied - p_pre_ticked) * p_accept THEN 'accept_all'
                    WHEN u_method < 0.02 + p_implied + p_pre_ticked
                                    + (0.98 - p_implied - p_pre_ticked) * least(1.0, p_accept + p_reject)
                         THEN 'reject_all'
                    ELSE 'custom'
                END AS method
            FROM odds
        )
        SELECT 'CR' || lpad(CAST(i + 1 AS VARCHAR), 10, '0'), customer_id, {subject_id_sql(plan, 'subject_no')},
            {given_at}, method, CASE WHEN after_change THEN '{POLICY_AFTER}' ELSE '{POLICY_BEFORE}' END,
            {source}, {country}, TRUE, {purpose('functional')}, {purpose('analytics')}, {purpose('marketing')}
        FROM chosen
    """)


def set_consent_policies(cur: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """Every customer's current policy, set explicitly and confirmed (rules.md 3): POLICY_AFTER from the day
    the new banner went live; RECENT_POLICY_CUSTOMER's newest version (named by its day) from a few days
    ago, its records since then recorded under it, and the change in its change log."""
    recent_on = local_day(plan.recent_change_at)
    recent_version = recent_on.isoformat()
    cur.execute("UPDATE customers SET consent_policy_version = $version, consent_policy_effective_on = $on, "
                "consent_policy_confirmed = TRUE",
                {"version": POLICY_AFTER, "on": local_day(plan.change_at)})
    cur.execute("UPDATE consent_records SET policy_version = $version "
                "WHERE customer_id = $customer AND given_at >= $at",
                {"version": recent_version, "customer": RECENT_POLICY_CUSTOMER, "at": plan.recent_change_at})
    cur.execute("UPDATE customers SET consent_policy_version = $version, consent_policy_effective_on = $on "
                "WHERE customer_id = $customer",
                {"version": recent_version, "on": recent_on, "customer": RECENT_POLICY_CUSTOMER})
    changed_at = plan.recent_change_at - timedelta(hours=14)   # the afternoon before, in office hours
    cur.executemany(
        "INSERT INTO customer_changes (customer_id, changed_at, changed_by, field, old_value, new_value) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(RECENT_POLICY_CUSTOMER, changed_at, POLICY_ADMIN, "consent_policy_version", POLICY_AFTER, recent_version),
         (RECENT_POLICY_CUSTOMER, changed_at, POLICY_ADMIN, "consent_policy_effective_on",
          local_day(plan.change_at).isoformat(), recent_on.isoformat())])

-- Before and after the last policy change, per purpose: the valid opt-in rate (rules.md 3: valid opt-ins /
-- consent decisions) in the $weeks weeks before the day the newest policy version was first recorded and
-- in the $weeks weeks from that day (up to $as_of), and the difference in percentage points.
-- No rows when only one policy version has been recorded.
-- param $as_of: DATE, today (records after it are ignored)
-- param $customer: VARCHAR, customer id; '' means all customers
-- param $weeks: INTEGER, weeks on each side of the change
-- returns: purpose, policy_version, previous_version, changed_on, before_from, after_to, decisions_before, opt_ins_before, rate_before, decisions_after, opt_ins_after, rate_after, difference_points
WITH scoped AS NOT MATERIALIZED (
    SELECT *
    FROM consent_facts
    WHERE given_on <= $as_of
      AND ($customer = '' OR customer_id = $customer)
),
versions AS (
    SELECT policy_version, min(given_at) AS first_seen_at FROM scoped GROUP BY ALL
),
change AS (
    SELECT arg_max(policy_version, first_seen_at)                AS policy_version,
           CAST(max(first_seen_at) AS DATE)                      AS changed_on,
           arg_max(policy_version, first_seen_at, 2)[2]          AS previous_version
    FROM versions
    HAVING count(*) > 1
),
sides AS (
    SELECT
        s.given_on >= ch.changed_on                              AS is_after,
        count(*) FILTER (WHERE s.is_consent_decision)            AS decisions,
        count(*) FILTER (WHERE s.functional_opt_in)              AS functional,
        count(*) FILTER (WHERE s.analytics_opt_in)               AS analytics,
        count(*) FILTER (WHERE s.marketing_opt_in)               AS marketing
    FROM scoped AS s
    CROSS JOIN change AS ch
    WHERE s.given_on >= ch.changed_on - 7 * $weeks
      AND s.given_on < ch.changed_on + 7 * $weeks
    GROUP BY ALL
),
long AS (
    FROM sides UNPIVOT (opt_ins FOR purpose IN (functional, analytics, marketing))
),
purposes AS (
    SELECT unnest(['functional', 'analytics', 'marketing']) AS purpose, generate_subscripts(['f', 'a', 'm'], 1) AS ord
)
SELECT
    p.purpose,
    ch.policy_version,
    ch.previous_version,
    ch.changed_on,
    ch.changed_on - 7 * $weeks                                             AS before_from,
    least(ch.changed_on + 7 * $weeks - 1, $as_of)                          AS after_to,
    coalesce(b.decisions, 0)                                               AS decisions_before,
    coalesce(b.opt_ins, 0)                                                 AS opt_ins_before,
    b.opt_ins / nullif(b.decisions, 0)                                     AS rate_before,
    coalesce(a.decisions, 0)                                               AS decisions_after,
    coalesce(a.opt_ins, 0)                                                 AS opt_ins_after,
    a.opt_ins / nullif(a.decisions, 0)                                     AS rate_after,
    100 * (a.opt_ins / nullif(a.decisions, 0) - b.opt_ins / nullif(b.decisions, 0)) AS difference_points
FROM purposes AS p
CROSS JOIN change AS ch
LEFT JOIN long AS b ON b.purpose = p.purpose AND NOT b.is_after
LEFT JOIN long AS a ON a.purpose = p.purpose AND a.is_after
ORDER BY p.ord

-- The valid opt-in rate per purpose (rules.md 3: valid opt-ins / consent decisions) week by week around
-- the last policy change: the day the newest policy version (the one that first appeared last) was first
-- recorded. Weeks are counted from that day (week 0 starts on it), $weeks before and $weeks after.
-- No rows when only one policy version has been recorded.
-- param $as_of: DATE, today (records after it are ignored)
-- param $customer: VARCHAR, customer id; '' means all customers
-- param $weeks: INTEGER, weeks on each side of the change
-- returns: week_start, purpose, decisions, valid_opt_ins, opt_in_rate, changed_on, policy_version
WITH scoped AS NOT MATERIALIZED (
    SELECT *
    FROM consent_facts
    WHERE given_on <= $as_of
      AND ($customer = '' OR customer_id = $customer)
),
change AS (
    SELECT arg_max(policy_version, first_seen_at) AS policy_version,
           CAST(max(first_seen_at) AS DATE)       AS changed_on
    FROM (SELECT policy_version, min(given_at) AS first_seen_at FROM scoped GROUP BY ALL)
    HAVING count(*) > 1
),
weekly AS (
    SELECT
        ch.changed_on + CAST(7 * floor(date_diff('day', ch.changed_on, s.given_on) / 7) AS INTEGER) AS week_start,
        count(*) FILTER (WHERE s.is_consent_decision) AS decisions,
        count(*) FILTER (WHERE s.functional_opt_in)   AS functional,
        count(*) FILTER (WHERE s.analytics_opt_in)    AS analytics,
        count(*) FILTER (WHERE s.marketing_opt_in)    AS marketing
    FROM scoped AS s
    CROSS JOIN change AS ch
    WHERE s.given_on >= ch.changed_on - 7 * $weeks
      AND s.given_on < ch.changed_on + 7 * $weeks
    GROUP BY ALL
    HAVING count(*) FILTER (WHERE s.is_consent_decision) > 0
)
SELECT w.week_start, w.purpose, w.decisions, w.valid_opt_ins, w.valid_opt_ins / w.decisions AS opt_in_rate,
       ch.changed_on, ch.policy_version
FROM (FROM weekly UNPIVOT (valid_opt_ins FOR purpose IN (functional, analytics, marketing))) AS w
CROSS JOIN change AS ch
ORDER BY w.week_start, w.purpose

-- The valid opt-in rate per purpose (rules.md 3: valid opt-ins / consent decisions) week by week around each
-- customer's last policy change: the day its current policy (set explicitly per customer, rules.md 3) took
-- effect. Weeks are counted from that day (week 0 starts on it), $weeks before and $weeks after; over several
-- customers each record is placed around its own customer's day. The same customers as
-- consent_policy_change_summary (a policy in force by $as_of, and an earlier record of another version).
-- week_start is the date week week_no starts on when every customer counted changed on the same day, else NULL.
-- param $as_of: DATE, today (records after it are ignored)
-- param $customer: VARCHAR, customer id; '' means all customers
-- param $weeks: INTEGER, weeks on each side of the change
-- returns: week_no, week_start, purpose, decisions, valid_opt_ins, opt_in_rate
-- reads: consent, customers
WITH policies AS (
    SELECT customer_id, consent_policy_version AS policy_version, consent_policy_effective_on AS changed_on
    FROM customers
    WHERE consent_policy_version IS NOT NULL
      AND consent_policy_effective_on <= $as_of
      AND ($customer = '' OR customer_id = $customer)
),
changes AS (
    SELECT p.*
    FROM policies AS p
    WHERE EXISTS (SELECT 1 FROM consent_facts AS f
                  WHERE f.customer_id = p.customer_id AND f.given_on < p.changed_on
                    AND f.policy_version <> p.policy_version)
),
one_day AS (
    SELECT CASE WHEN min(changed_on) = max(changed_on) THEN min(changed_on) END AS changed_on FROM changes
),
weekly AS (
    SELECT
        CAST(floor(date_diff('day', ch.changed_on, s.given_on) / 7) AS INTEGER) AS week_no,
        count(*) FILTER (WHERE s.is_consent_decision) AS decisions,
        count(*) FILTER (WHERE s.functional_opt_in)   AS functional,
        count(*) FILTER (WHERE s.analytics_opt_in)    AS analytics,
        count(*) FILTER (WHERE s.marketing_opt_in)    AS marketing
    FROM consent_facts AS s
    JOIN changes AS ch USING (customer_id)
    WHERE s.given_on <= $as_of
      AND s.given_on >= ch.changed_on - 7 * $weeks
      AND s.given_on < ch.changed_on + 7 * $weeks
    GROUP BY ALL
    HAVING count(*) FILTER (WHERE s.is_consent_decision) > 0
)
SELECT w.week_no, d.changed_on + 7 * w.week_no AS week_start, w.purpose, w.decisions, w.valid_opt_ins,
       w.valid_opt_ins / w.decisions AS opt_in_rate
FROM (FROM weekly UNPIVOT (valid_opt_ins FOR purpose IN (functional, analytics, marketing))) AS w
CROSS JOIN one_day AS d
ORDER BY w.week_no, w.purpose

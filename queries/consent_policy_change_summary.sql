-- Before and after each customer's last policy change, per purpose: the valid opt-in rate (rules.md 3: valid
-- opt-ins / consent decisions) in the $weeks weeks before the day the customer's current policy took effect
-- and in the $weeks weeks from that day (up to $as_of), and the difference in percentage points.
-- The current policy and its day are the ones set explicitly per customer (rules.md 3), never guessed from
-- the records. A customer counts when its policy took effect by $as_of and it has a record of another version
-- from before that day (previous_version: the version of the latest such record). Over several customers each
-- record is placed around its own customer's day; policy_version and previous_version then list the versions
-- (', ' between them), changed_on and last_changed_on are the first and last of those days, and before_from /
-- after_to span every window. No rows when no customer has such a change.
-- param $as_of: DATE, today (records after it are ignored)
-- param $customer: VARCHAR, customer id; '' means all customers
-- param $weeks: INTEGER, weeks on each side of the change
-- returns: purpose, customers, policy_version, previous_version, changed_on, last_changed_on, before_from, after_to, decisions_before, opt_ins_before, rate_before, decisions_after, opt_ins_after, rate_after, difference_points
-- reads: consent, customers
WITH policies AS (
    SELECT customer_id, consent_policy_version AS policy_version, consent_policy_effective_on AS changed_on
    FROM customers
    WHERE consent_policy_version IS NOT NULL
      AND consent_policy_effective_on <= $as_of
      AND ($customer = '' OR customer_id = $customer)
),
previous AS (
    SELECT f.customer_id, arg_max(f.policy_version, f.given_at) AS previous_version
    FROM consent_facts AS f
    JOIN policies AS p USING (customer_id)
    WHERE f.given_on < p.changed_on AND f.policy_version <> p.policy_version
    GROUP BY ALL
),
changes AS (
    SELECT p.*, v.previous_version FROM policies AS p JOIN previous AS v USING (customer_id)
),
change AS (
    SELECT count(*)                                                           AS customers,
           string_agg(DISTINCT policy_version, ', ' ORDER BY policy_version)     AS policy_version,
           string_agg(DISTINCT previous_version, ', ' ORDER BY previous_version) AS previous_version,
           min(changed_on)                                                    AS changed_on,
           max(changed_on)                                                    AS last_changed_on
    FROM changes
    HAVING count(*) > 0
),
sides AS (
    SELECT
        s.given_on >= ch.changed_on                              AS is_after,
        count(*) FILTER (WHERE s.is_consent_decision)            AS decisions,
        count(*) FILTER (WHERE s.functional_opt_in)              AS functional,
        count(*) FILTER (WHERE s.analytics_opt_in)               AS analytics,
        count(*) FILTER (WHERE s.marketing_opt_in)               AS marketing
    FROM consent_facts AS s
    JOIN changes AS ch USING (customer_id)
    WHERE s.given_on <= $as_of
      AND s.given_on >= ch.changed_on - 7 * $weeks
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
    ch.customers,
    ch.policy_version,
    ch.previous_version,
    ch.changed_on,
    ch.last_changed_on,
    ch.changed_on - 7 * $weeks                                             AS before_from,
    least(ch.last_changed_on + 7 * $weeks - 1, $as_of)                     AS after_to,
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

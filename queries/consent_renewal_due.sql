-- Subjects whose consent banner is due to ask again, per customer, as of a day (rules.md 3; the same rule
-- as privacyops.consent.needs_renewal). Each subject's latest record (withdrawals included) decides, in
-- this order: recorded under an older policy version than the customer's current one (the version that
-- first appeared last) -> ask again; implied or pre-ticked -> no valid consent, ask now; accept all or
-- custom choice older than $renewal_months -> consent expired; reject all or withdrawal older than
-- $refusal_quiet_months -> may be asked again. Months clamp to the month's end (31 Jan + 1 -> 28 Feb).
-- param $as_of: DATE, today
-- param $customer: VARCHAR, customer id; '' means all customers
-- param $renewal_months: INTEGER, setting consent_renewal_months
-- param $refusal_quiet_months: INTEGER, setting refusal_quiet_months
-- returns: customer_id, customer_name, current_policy_version, current_policy_since, subjects, due_total, policy_changed, no_valid_consent, consent_expired, refusal_quiet_over, not_due
WITH scoped AS NOT MATERIALIZED (
    SELECT customer_id, subject_id, given_at, method, policy_version
    FROM consent_facts
    WHERE given_on <= $as_of
      AND ($customer = '' OR customer_id = $customer)
),
current_version AS (
    SELECT customer_id,
           arg_max(policy_version, first_seen_at) AS current_policy_version,
           CAST(max(first_seen_at) AS DATE)       AS current_policy_since
    FROM (SELECT customer_id, policy_version, min(given_at) AS first_seen_at FROM scoped GROUP BY ALL)
    GROUP BY ALL
),
latest AS (
    -- One row per subject: the method and policy version of the latest record, and its day.
    SELECT customer_id, subject_id,
           arg_max(method, given_at)               AS method,
           arg_max(policy_version, given_at)       AS policy_version,
           CAST(max(given_at) AS DATE)             AS given_on
    FROM scoped
    GROUP BY ALL
),
classified AS (
    SELECT
        l.customer_id,
        CASE
            WHEN l.policy_version <> v.current_policy_version THEN 'policy_changed'
            WHEN l.method IN ('implied', 'pre_ticked') THEN 'no_valid_consent'
            WHEN l.method IN ('accept_all', 'custom')
                 AND CAST(l.given_on + to_months($renewal_months) AS DATE) <= $as_of THEN 'consent_expired'
            WHEN l.method IN ('reject_all', 'withdrawal')
                 AND CAST(l.given_on + to_months($refusal_quiet_months) AS DATE) <= $as_of THEN 'refusal_quiet_over'
            ELSE 'not_due'
        END AS reason
    FROM latest AS l
    JOIN current_version AS v USING (customer_id)
)
SELECT
    k.customer_id,
    coalesce(c.name, k.customer_id)                            AS customer_name,
    v.current_policy_version,
    v.current_policy_since,
    count(*)                                                   AS subjects,
    count(*) FILTER (WHERE k.reason <> 'not_due')              AS due_total,
    count(*) FILTER (WHERE k.reason = 'policy_changed')        AS policy_changed,
    count(*) FILTER (WHERE k.reason = 'no_valid_consent')      AS no_valid_consent,
    count(*) FILTER (WHERE k.reason = 'consent_expired')       AS consent_expired,
    count(*) FILTER (WHERE k.reason = 'refusal_quiet_over')    AS refusal_quiet_over,
    count(*) FILTER (WHERE k.reason = 'not_due')               AS not_due
FROM classified AS k
JOIN current_version AS v USING (customer_id)
LEFT JOIN customers AS c USING (customer_id)
GROUP BY ALL
ORDER BY due_total DESC, k.customer_id

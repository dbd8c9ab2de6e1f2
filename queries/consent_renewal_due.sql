-- Subjects whose consent banner is due to ask again, per customer, as of a day (rules.md 3; the same rule
-- as privacyops.rules.consent.needs_renewal). The customer's current policy is the one set explicitly for it on the
-- Customers page (never guessed from the records), in force from the day it took effect; before that day, or
-- when the customer has no policy, current_policy_version is NULL and renewals are by age only.
-- Each subject's latest record (withdrawals included) decides, in this order: recorded under another policy
-- version than the current one -> ask again; implied or pre-ticked -> no valid consent, ask now; accept all
-- or custom choice older than $renewal_months -> consent expired; reject all or withdrawal older than
-- $refusal_quiet_months -> may be asked again. Months clamp to the month's end (31 Jan + 1 -> 28 Feb).
-- policy_confirmed is FALSE while the customer's policy is migration 008's guess (not yet confirmed).
-- param $as_of: DATE, today
-- param $customer: VARCHAR, customer id; '' means all customers
-- param $renewal_months: INTEGER, setting consent_renewal_months
-- param $refusal_quiet_months: INTEGER, setting refusal_quiet_months
-- returns: customer_id, customer_name, current_policy_version, current_policy_since, policy_confirmed, subjects, due_total, policy_changed, no_valid_consent, consent_expired, refusal_quiet_over, not_due
-- reads: consent, customers
WITH scoped AS NOT MATERIALIZED (
    SELECT customer_id, subject_id, given_at, method, policy_version
    FROM consent_facts
    WHERE given_on <= $as_of
      AND ($customer = '' OR customer_id = $customer)
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
policy AS (
    -- Every customer with records, and its policy in force on $as_of (none before it took effect).
    SELECT k.customer_id,
           c.name,
           CASE WHEN c.consent_policy_effective_on <= $as_of THEN c.consent_policy_version END      AS current_version,
           CASE WHEN c.consent_policy_effective_on <= $as_of THEN c.consent_policy_effective_on END AS current_since,
           coalesce(c.consent_policy_confirmed, FALSE)                                              AS confirmed
    FROM (SELECT DISTINCT customer_id FROM latest) AS k
    LEFT JOIN customers AS c USING (customer_id)
),
classified AS (
    SELECT
        l.customer_id,
        CASE
            WHEN p.current_version IS NOT NULL AND l.policy_version <> p.current_version THEN 'policy_changed'
            WHEN l.method IN ('implied', 'pre_ticked') THEN 'no_valid_consent'
            WHEN l.method IN ('accept_all', 'custom')
                 AND CAST(l.given_on + to_months($renewal_months) AS DATE) <= $as_of THEN 'consent_expired'
            WHEN l.method IN ('reject_all', 'withdrawal')
                 AND CAST(l.given_on + to_months($refusal_quiet_months) AS DATE) <= $as_of THEN 'refusal_quiet_over'
            ELSE 'not_due'
        END AS reason
    FROM latest AS l
    JOIN policy AS p USING (customer_id)
)
SELECT
    k.customer_id,
    coalesce(p.name, k.customer_id)                            AS customer_name,
    p.current_version                                          AS current_policy_version,
    p.current_since                                            AS current_policy_since,
    p.confirmed                                                AS policy_confirmed,
    count(*)                                                   AS subjects,
    count(*) FILTER (WHERE k.reason <> 'not_due')              AS due_total,
    count(*) FILTER (WHERE k.reason = 'policy_changed')        AS policy_changed,
    count(*) FILTER (WHERE k.reason = 'no_valid_consent')      AS no_valid_consent,
    count(*) FILTER (WHERE k.reason = 'consent_expired')       AS consent_expired,
    count(*) FILTER (WHERE k.reason = 'refusal_quiet_over')    AS refusal_quiet_over,
    count(*) FILTER (WHERE k.reason = 'not_due')               AS not_due
FROM classified AS k
JOIN policy AS p USING (customer_id)
GROUP BY ALL
ORDER BY due_total DESC, k.customer_id

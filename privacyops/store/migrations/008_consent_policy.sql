-- 008: each customer's current consent policy, set explicitly (rules.md 3: "The current policy version of
-- each customer, and the day it took effect, is set explicitly, never guessed from the data").
-- Until now the queries guessed it: the version whose first record came last. A record of an old version
-- dated after the new one's first record flipped it back, and a new policy stayed unknown until someone
-- answered under it.
--
-- consent_policy_version / consent_policy_effective_on: the version the customer's banner shows now and the
-- day it took effect (NULL, NULL: no policy yet; renewals are then by age only).
-- consent_policy_confirmed: FALSE while the values are this migration's guess; an admin confirms them (or
-- sets others) on the Customers page, with an entry in customer_changes. New customers start confirmed:
-- whoever adds one sets its policy explicitly (or none).
ALTER TABLE customers ADD COLUMN consent_policy_version VARCHAR;
ALTER TABLE customers ADD COLUMN consent_policy_effective_on DATE;
ALTER TABLE customers ADD COLUMN consent_policy_confirmed BOOLEAN DEFAULT TRUE;

-- Existing stores start from today's guess, computed exactly as the queries did: per customer, the version
-- whose first record is latest, effective on that record's (UTC) date. Every existing customer is marked not
-- confirmed, also one without consent records (that "no policy" is a guess too).
UPDATE customers AS c
SET consent_policy_version = g.policy_version,
    consent_policy_effective_on = g.effective_on
FROM (
    SELECT customer_id,
           arg_max(policy_version, first_seen_at) AS policy_version,
           CAST(max(first_seen_at) AS DATE)       AS effective_on
    FROM (SELECT customer_id, policy_version, min(given_at) AS first_seen_at
          FROM consent_records GROUP BY customer_id, policy_version)
    GROUP BY customer_id
) AS g
WHERE g.customer_id = c.customer_id;

UPDATE customers SET consent_policy_confirmed = FALSE;

-- The guess in the change log, so the history of each customer's policy starts with where it came from.
INSERT INTO customer_changes (customer_id, changed_at, changed_by, field, old_value, new_value)
SELECT customer_id, timezone('UTC', now()), 'migration 008 (guessed from the consent records, not confirmed)',
       field, NULL, new_value
FROM (
    SELECT customer_id, 'consent_policy_version' AS field, consent_policy_version AS new_value
    FROM customers WHERE consent_policy_version IS NOT NULL
    UNION ALL
    SELECT customer_id, 'consent_policy_effective_on', CAST(consent_policy_effective_on AS VARCHAR)
    FROM customers WHERE consent_policy_version IS NOT NULL
)
ORDER BY customer_id, field;

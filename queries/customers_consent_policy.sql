-- Every customer's current consent policy (rules.md 3: set explicitly on the Customers page, never guessed
-- from the data) and its forwarding term (rules.md 2), by name. consent_policy_version and _effective_on are
-- NULL when the customer has no policy yet (renewals by age only); consent_policy_confirmed is FALSE while
-- the values are migration 008's guess from the consent records.
-- returns: customer_id, name, forward_working_days, consent_policy_version, consent_policy_effective_on, consent_policy_confirmed
-- reads: customers
SELECT customer_id, name, forward_working_days, consent_policy_version, consent_policy_effective_on,
       consent_policy_confirmed
FROM customers
ORDER BY name, customer_id

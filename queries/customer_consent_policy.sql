-- One customer's current consent policy (rules.md 3: set explicitly, never guessed): the version, the day it
-- took effect (both NULL: no policy yet) and whether an admin confirmed it (FALSE: migration 008's guess).
-- param $customer_id: VARCHAR
-- returns: customer_id, consent_policy_version, consent_policy_effective_on, consent_policy_confirmed
-- reads: customers
SELECT customer_id, consent_policy_version, consent_policy_effective_on, consent_policy_confirmed
FROM customers
WHERE customer_id = $customer_id

-- Consent records matching the explore filters, newest first; no subject ids (pseudonymous or not) and
-- no requester contact data. An empty list means "any". The purpose filter keeps records in which at
-- least one of the listed purposes is switched on (whatever the method: see is_valid_choice, rules.md 3).
-- param $start: DATE, first day (UTC date of given_at)
-- param $end: DATE, last day (included)
-- param $customer: VARCHAR, customer id; '' means all customers
-- param $countries: VARCHAR[], countries to keep; [] means all
-- param $purposes: VARCHAR[], purposes (functional, analytics, marketing) of which one must be on; [] means all
-- param $methods: VARCHAR[], methods to keep; [] means all
-- param $policy_versions: VARCHAR[], policy versions to keep; [] means all
-- param $sources: VARCHAR[], sources to keep; [] means all
-- param $row_limit: BIGINT, most rows to return; NULL returns all (exports)
-- returns: consent_id, customer_id, customer_name, given_at, method, is_valid_choice, policy_version, source, country, necessary, functional, analytics, marketing
-- reads: consent, customers
WITH picked AS (
    SELECT consent_id, customer_id, given_at, method, is_valid_choice, policy_version, source, country,
           necessary, functional, analytics, marketing
    FROM explore_consent($start, $end, $customer, $countries, $purposes, $methods, $policy_versions,
                         $sources)
    ORDER BY given_at DESC, consent_id DESC
    LIMIT $row_limit
)
SELECT
    p.consent_id, p.customer_id, c.name AS customer_name, p.given_at, p.method, p.is_valid_choice,
    p.policy_version, p.source, p.country, p.necessary, p.functional, p.analytics, p.marketing
FROM picked AS p
LEFT JOIN customers AS c USING (customer_id)
ORDER BY p.given_at DESC, p.consent_id DESC

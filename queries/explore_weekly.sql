-- Consent records matching the explore filters (the same filters as explore_records) per week (Monday,
-- UTC date of given_at) and method.
-- param $start: DATE, first day (UTC date of given_at)
-- param $end: DATE, last day (included)
-- param $customer: VARCHAR, customer id; '' means all customers
-- param $countries: VARCHAR[], countries to keep; [] means all
-- param $purposes: VARCHAR[], purposes (functional, analytics, marketing) of which one must be on; [] means all
-- param $methods: VARCHAR[], methods to keep; [] means all
-- param $policy_versions: VARCHAR[], policy versions to keep; [] means all
-- param $sources: VARCHAR[], sources to keep; [] means all
-- returns: week_start, method, records
-- reads: consent
SELECT CAST(date_trunc('week', given_on) AS DATE) AS week_start, method, count(*) AS records
FROM explore_consent($start, $end, $customer, $countries, $purposes, $methods, $policy_versions,
                     $sources)
GROUP BY ALL
ORDER BY week_start, method

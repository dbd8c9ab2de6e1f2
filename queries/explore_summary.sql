-- Totals of the consent records matching the explore filters (the same filters as explore_records):
-- records, consent decisions (all but withdrawals), valid choices, records that are not consent (implied,
-- pre-ticked), withdrawals, and the valid opt-in rate per purpose (valid opt-ins / decisions, rules.md 3).
-- param $start: DATE, first day (UTC date of given_at)
-- param $end: DATE, last day (included)
-- param $customer: VARCHAR, customer id; '' means all customers
-- param $countries: VARCHAR[], countries to keep; [] means all
-- param $purposes: VARCHAR[], purposes (functional, analytics, marketing) of which one must be on; [] means all
-- param $methods: VARCHAR[], methods to keep; [] means all
-- param $policy_versions: VARCHAR[], policy versions to keep; [] means all
-- param $sources: VARCHAR[], sources to keep; [] means all
-- returns: records, decisions, valid_choices, invalid_records, withdrawals, functional_rate, analytics_rate, marketing_rate, first_given_at, last_given_at
-- reads: consent
SELECT
    count(*)                                                                    AS records,
    count(*) FILTER (WHERE is_consent_decision)                                 AS decisions,
    count(*) FILTER (WHERE is_valid_choice)                                     AS valid_choices,
    count(*) FILTER (WHERE is_invalid_consent)                                  AS invalid_records,
    count(*) FILTER (WHERE is_withdrawal)                                       AS withdrawals,
    count(*) FILTER (WHERE functional_opt_in) / nullif(count(*) FILTER (WHERE is_consent_decision), 0)
                                                                                AS functional_rate,
    count(*) FILTER (WHERE analytics_opt_in) / nullif(count(*) FILTER (WHERE is_consent_decision), 0)
                                                                                AS analytics_rate,
    count(*) FILTER (WHERE marketing_opt_in) / nullif(count(*) FILTER (WHERE is_consent_decision), 0)
                                                                                AS marketing_rate,
    min(given_at)                                                               AS first_given_at,
    max(given_at)                                                               AS last_given_at
FROM explore_consent($start, $end, $customer, $countries, $purposes, $methods, $policy_versions,
                     $sources)

-- Consent records per period (rules.md 3, consent_facts): consent decisions, valid choices, the records
-- that are NOT consent (implied by use, pre-ticked; Planet49 C-673/17, EDPB 05/2020 para 86) with their
-- share of decisions, and withdrawals (Art. 7(3)). Periods are UTC dates of given_at; weeks start Monday.
-- param $start: DATE, first day of the range
-- param $end: DATE, last day of the range (included)
-- param $customer: VARCHAR, customer id; '' means all customers
-- param $grain: VARCHAR, 'week' or 'month'
-- returns: period_start, decisions, valid_choices, implied_records, pre_ticked_records, invalid_records, invalid_share, withdrawals
-- reads: consent
SELECT
    CAST(date_trunc(CASE WHEN $grain = 'month' THEN 'month' ELSE 'week' END, given_on) AS DATE) AS period_start,
    count(*) FILTER (WHERE is_consent_decision)                         AS decisions,
    count(*) FILTER (WHERE is_valid_choice)                             AS valid_choices,
    count(*) FILTER (WHERE method = 'implied')                          AS implied_records,
    count(*) FILTER (WHERE method = 'pre_ticked')                       AS pre_ticked_records,
    count(*) FILTER (WHERE is_invalid_consent)                          AS invalid_records,
    count(*) FILTER (WHERE is_invalid_consent)
        / nullif(count(*) FILTER (WHERE is_consent_decision), 0)        AS invalid_share,
    count(*) FILTER (WHERE is_withdrawal)                               AS withdrawals
FROM consent_facts
WHERE given_on BETWEEN $start AND $end
  AND ($customer = '' OR customer_id = $customer)
GROUP BY ALL
ORDER BY period_start

-- Consent in a date range (rules.md 3, consent_facts): records, consent decisions (every record but a
-- withdrawal), valid choices, the records that are NOT consent (implied by use, pre-ticked; Planet49
-- C-673/17, EDPB 05/2020 para 86) and their share of decisions, withdrawals, and the valid opt-in rate per
-- purpose: valid opt-ins / consent decisions (an implied or pre-ticked record is never an opt-in).
-- param $start: DATE, first day of the range (UTC date of given_at)
-- param $end: DATE, last day of the range (included)
-- param $customer: VARCHAR, customer id; '' means all customers
-- returns: records, decisions, valid_choices, implied_records, pre_ticked_records, invalid_records, invalid_share, withdrawals, functional_rate, analytics_rate, marketing_rate
-- reads: consent
SELECT
    count(*)                                                         AS records,
    count(*) FILTER (WHERE is_consent_decision)                      AS decisions,
    count(*) FILTER (WHERE is_valid_choice)                          AS valid_choices,
    count(*) FILTER (WHERE method = 'implied')                       AS implied_records,
    count(*) FILTER (WHERE method = 'pre_ticked')                    AS pre_ticked_records,
    count(*) FILTER (WHERE is_invalid_consent)                       AS invalid_records,
    count(*) FILTER (WHERE is_invalid_consent)
        / nullif(count(*) FILTER (WHERE is_consent_decision), 0)     AS invalid_share,
    count(*) FILTER (WHERE is_withdrawal)                            AS withdrawals,
    count(*) FILTER (WHERE functional_opt_in)
        / nullif(count(*) FILTER (WHERE is_consent_decision), 0)     AS functional_rate,
    count(*) FILTER (WHERE analytics_opt_in)
        / nullif(count(*) FILTER (WHERE is_consent_decision), 0)     AS analytics_rate,
    count(*) FILTER (WHERE marketing_opt_in)
        / nullif(count(*) FILTER (WHERE is_consent_decision), 0)     AS marketing_rate
FROM consent_facts
WHERE given_on BETWEEN $start AND $end
  AND ($customer = '' OR customer_id = $customer)

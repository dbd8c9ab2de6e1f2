-- Valid opt-in rate per purpose and period (rules.md 3, consent_facts): valid opt-ins / consent decisions.
-- A consent decision is every record except a withdrawal; implied and pre-ticked records stay in the
-- denominator and are never opt-ins. Periods are UTC dates of given_at; a week starts on Monday.
-- param $start: DATE, first day of the range
-- param $end: DATE, last day of the range (included)
-- param $customer: VARCHAR, customer id; '' means all customers
-- param $grain: VARCHAR, 'week' or 'month'
-- returns: period_start, purpose, decisions, valid_opt_ins, opt_in_rate
-- reads: consent
WITH per_period AS (
    SELECT
        CAST(date_trunc(CASE WHEN $grain = 'month' THEN 'month' ELSE 'week' END, given_on) AS DATE) AS period_start,
        count(*) FILTER (WHERE is_consent_decision)  AS decisions,
        count(*) FILTER (WHERE functional_opt_in)    AS functional,
        count(*) FILTER (WHERE analytics_opt_in)     AS analytics,
        count(*) FILTER (WHERE marketing_opt_in)     AS marketing
    FROM consent_facts
    WHERE given_on BETWEEN $start AND $end
      AND ($customer = '' OR customer_id = $customer)
    GROUP BY ALL
    HAVING count(*) FILTER (WHERE is_consent_decision) > 0
)
SELECT period_start, purpose, decisions, valid_opt_ins, valid_opt_ins / decisions AS opt_in_rate
FROM per_period
UNPIVOT (valid_opt_ins FOR purpose IN (functional, analytics, marketing))
ORDER BY period_start, purpose

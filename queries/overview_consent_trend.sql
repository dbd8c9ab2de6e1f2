-- Valid opt-in rates for analytics and marketing per week or month of the period (the KPI tiles'
-- trend). Same definitions as overview_consent_rates; periods without decisions are left out.
-- param $start: DATE, first day of the period
-- param $end: DATE, last day of the period
-- param $customer: VARCHAR, a customer id, or '' for all customers
-- param $grain: VARCHAR, 'month' for months; anything else means weeks
-- returns: period_start, decisions, analytics_rate, marketing_rate
-- reads: consent
WITH grouped AS (
    SELECT
        CAST(date_trunc(CASE WHEN $grain = 'month' THEN 'month' ELSE 'week' END, given_on) AS DATE) AS period_start,
        is_consent_decision, analytics_opt_in, marketing_opt_in,
        count(*) AS n
    FROM consent_facts
    WHERE given_on BETWEEN CAST($start AS DATE) AND CAST($end AS DATE)
      AND ($customer = '' OR customer_id = $customer)
    GROUP BY ALL
)
SELECT
    period_start,
    CAST(sum(n) FILTER (WHERE is_consent_decision) AS BIGINT)                               AS decisions,
    coalesce(sum(n) FILTER (WHERE analytics_opt_in), 0) / sum(n) FILTER (WHERE is_consent_decision) AS analytics_rate,
    coalesce(sum(n) FILTER (WHERE marketing_opt_in), 0) / sum(n) FILTER (WHERE is_consent_decision) AS marketing_rate
FROM grouped
GROUP BY period_start
HAVING sum(n) FILTER (WHERE is_consent_decision) > 0
ORDER BY period_start

-- Days to close (received_on to closed_on, Stockholm dates) per request type, over requests closed in
-- the period: median and 90th percentile (continuous quantiles) and the longest. Consent withdrawals
-- are listed too (has_month_clock false): they take effect at once (Art. 7(3)).
-- param $start: DATE, first day of the period
-- param $end: DATE, last day of the period
-- param $customer: VARCHAR, a customer id, or '' for all customers
-- returns: request_type, has_month_clock, closed_requests, median_days, p90_days, max_days
SELECT
    request_type,
    bool_and(effective_due_date IS NOT NULL)                                      AS has_month_clock,
    count(*)                                                                      AS closed_requests,
    median(date_diff('day', received_on, closed_on))                              AS median_days,
    quantile_cont(date_diff('day', received_on, closed_on), 0.9)                  AS p90_days,
    max(date_diff('day', received_on, closed_on))                                 AS max_days
FROM request_clock
WHERE closed_on BETWEEN CAST($start AS DATE) AND CAST($end AS DATE)
  AND ($customer = '' OR customer_id = $customer)
GROUP BY request_type
ORDER BY has_month_clock DESC, median_days DESC, request_type

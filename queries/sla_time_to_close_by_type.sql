-- Days to answer (received_on to answered_on, Stockholm dates) per request type, over requests answered
-- in the period: median and 90th percentile (continuous quantiles) and the longest. Requests in the
-- statutory on-time rate only (request_clock in_on_time_rate), plus consent withdrawals carried out
-- (has_month_clock false: they take effect at once, Art. 7(3)), listed for their own speed. Withdrawn
-- requests and controller-handled ones without an answer date have no time to answer.
-- param $start: DATE, first day of the period
-- param $end: DATE, last day of the period
-- param $customer: VARCHAR, a customer id, or '' for all customers
-- returns: request_type, has_month_clock, closed_requests, median_days, p90_days, max_days
-- reads: requests
WITH answered AS (
    SELECT
        request_type,
        has_month_clock,
        CASE WHEN has_month_clock THEN answered_on ELSE closed_on END              AS answered_on,
        received_on
    FROM request_clock
    WHERE (in_on_time_rate OR (NOT has_month_clock AND outcome = 'completed'))
      AND ($customer = '' OR customer_id = $customer)
)
SELECT
    request_type,
    bool_and(has_month_clock)                                                     AS has_month_clock,
    count(*)                                                                      AS closed_requests,
    median(date_diff('day', received_on, answered_on))                            AS median_days,
    quantile_cont(date_diff('day', received_on, answered_on), 0.9)                AS p90_days,
    max(date_diff('day', received_on, answered_on))                               AS max_days
FROM answered
WHERE answered_on BETWEEN CAST($start AS DATE) AND CAST($end AS DATE)
GROUP BY request_type
ORDER BY has_month_clock DESC, median_days DESC, request_type

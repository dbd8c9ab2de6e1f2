-- On-time rate per request type: requests with a month clock (consent withdrawals have none) closed
-- in the period, and how many were closed on or before their effective due date.
-- param $start: DATE, first day of the period
-- param $end: DATE, last day of the period
-- param $customer: VARCHAR, a customer id, or '' for all customers
-- returns: request_type, closed_requests, on_time_requests, late_requests, on_time_rate
SELECT
    request_type,
    count(*)                                                                      AS closed_requests,
    count(*) FILTER (WHERE is_on_time)                       AS on_time_requests,
    count(*) FILTER (WHERE closed_on > effective_due_date)                        AS late_requests,
    count(*) FILTER (WHERE is_on_time) / count(*)            AS on_time_rate
FROM request_clock
WHERE has_month_clock
  AND closed_on BETWEEN CAST($start AS DATE) AND CAST($end AS DATE)
  AND ($customer = '' OR customer_id = $customer)
GROUP BY request_type
ORDER BY on_time_rate, request_type

-- On-time rate per calendar month of the answer: requests in the statutory on-time rate (request_clock
-- in_on_time_rate; withdrawn and controller-handled requests without an answer date stay out) answered
-- in the period, and how many were answered on or before their answer-by date.
-- param $start: DATE, first day of the period
-- param $end: DATE, last day of the period
-- param $customer: VARCHAR, a customer id, or '' for all customers
-- returns: month, closed_requests, on_time_requests, late_requests, on_time_rate
-- reads: requests
SELECT
    CAST(date_trunc('month', answered_on) AS DATE)                                AS month,
    count(*)                                                                      AS closed_requests,
    count(*) FILTER (WHERE is_on_time)                                            AS on_time_requests,
    count(*) FILTER (WHERE NOT is_on_time)                                        AS late_requests,
    count(*) FILTER (WHERE is_on_time) / count(*)                                 AS on_time_rate
FROM request_clock
WHERE in_on_time_rate
  AND answered_on BETWEEN CAST($start AS DATE) AND CAST($end AS DATE)
  AND ($customer = '' OR customer_id = $customer)
GROUP BY 1
ORDER BY 1

-- Days to answer (received_on to answered_on, Stockholm dates) and the on-time rate per controller, over
-- requests in the statutory on-time rate (request_clock in_on_time_rate) answered in the period: median
-- and 90th percentile. Requests where Expandra is the controller form their own row.
-- param $start: DATE, first day of the period
-- param $end: DATE, last day of the period
-- param $customer: VARCHAR, a customer id, or '' for all customers
-- returns: customer_id, customer_name, closed_requests, on_time_rate, median_days, p90_days
-- reads: customers, requests
SELECT
    r.customer_id,
    controller_label(r.customer_id, any_value(c.name))                            AS customer_name,
    count(*)                                                                      AS closed_requests,
    count(*) FILTER (WHERE r.is_on_time) / count(*)                               AS on_time_rate,
    median(r.days_to_answer)                                                      AS median_days,
    quantile_cont(r.days_to_answer, 0.9)                                          AS p90_days
FROM request_clock AS r
LEFT JOIN customers AS c USING (customer_id)
WHERE r.in_on_time_rate
  AND r.answered_on BETWEEN CAST($start AS DATE) AND CAST($end AS DATE)
  AND ($customer = '' OR r.customer_id = $customer)
GROUP BY r.customer_id
ORDER BY median_days DESC, r.customer_id

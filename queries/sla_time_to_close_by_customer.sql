-- Days to close (received_on to closed_on, Stockholm dates) per customer, over requests with a month
-- clock (consent withdrawals have none) closed in the period: median and 90th percentile.
-- param $start: DATE, first day of the period
-- param $end: DATE, last day of the period
-- param $customer: VARCHAR, a customer id, or '' for all customers
-- returns: customer_id, customer_name, closed_requests, on_time_rate, median_days, p90_days
SELECT
    r.customer_id,
    any_value(c.name)                                                             AS customer_name,
    count(*)                                                                      AS closed_requests,
    count(*) FILTER (WHERE r.closed_on <= r.effective_due_date) / count(*)        AS on_time_rate,
    median(date_diff('day', r.received_on, r.closed_on))                          AS median_days,
    quantile_cont(date_diff('day', r.received_on, r.closed_on), 0.9)              AS p90_days
FROM request_clock AS r
LEFT JOIN customers AS c USING (customer_id)
WHERE r.has_month_clock
  AND r.closed_on BETWEEN CAST($start AS DATE) AND CAST($end AS DATE)
  AND ($customer = '' OR r.customer_id = $customer)
GROUP BY r.customer_id
ORDER BY median_days DESC, r.customer_id

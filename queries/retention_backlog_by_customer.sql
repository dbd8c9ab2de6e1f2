-- The retention backlog (rules.md 4) by customer (the controller that set the terms).
-- param $as_of: DATE, the day the backlog is counted on (today)
-- param $customer: VARCHAR, a customer_id, or '' for all customers
-- returns: customer_id, customer_name, backlog_records, oldest_days_past_end
-- reads: customers, retention
SELECT
    r.customer_id,
    coalesce(c.name, r.customer_id)                   AS customer_name,
    count(*)                                          AS backlog_records,
    max(date_diff('day', r.effective_end_on, $as_of)) AS oldest_days_past_end
FROM retention_status AS r
LEFT JOIN customers AS c ON c.customer_id = r.customer_id
WHERE ($customer = '' OR r.customer_id = $customer)
  AND in_retention_backlog(r.effective_end_on, r.disposed_on, $as_of)
GROUP BY r.customer_id, c.name
ORDER BY backlog_records DESC, r.customer_id

-- The backlog by age: days past the end of retention, 0 on the day it ends, in the buckets of
-- privacyops.rules.retention.AGING_BUCKETS (0-30, 31-90, 91-365, over 365 days). Every bucket is listed,
-- empty ones with 0.
-- param $as_of: DATE, the day the backlog is counted on (today)
-- param $customer: VARCHAR, a customer_id, or '' for all customers
-- returns: bucket_order, aging_bucket, min_days, max_days, backlog_records
-- reads: customers, retention
WITH buckets (bucket_order, aging_bucket, min_days, max_days) AS (
    VALUES (1, '0-30 days', 0, 30), (2, '31-90 days', 31, 90), (3, '91-365 days', 91, 365),
           (4, 'over 365 days', 366, NULL)
),
ages AS (
    SELECT date_diff('day', effective_end_on, $as_of) AS days_past_end
    FROM retention_status
    WHERE ($customer = '' OR customer_id = $customer)
      AND in_retention_backlog(effective_end_on, disposed_on, $as_of)
)
SELECT
    b.bucket_order,
    b.aging_bucket,
    b.min_days,
    b.max_days,
    count(a.days_past_end) AS backlog_records
FROM buckets AS b
LEFT JOIN ages AS a
    ON a.days_past_end >= b.min_days AND (b.max_days IS NULL OR a.days_past_end <= b.max_days)
GROUP BY ALL
ORDER BY b.bucket_order

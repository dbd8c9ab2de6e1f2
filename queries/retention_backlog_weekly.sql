-- The backlog at the end of each week (Sunday) from $start to $end, and on the range's last day when
-- that is mid-week; never past $as_of. For each day d: records with effective_end_on <= d that were
-- not deleted or anonymised by d (disposed_on IS NULL OR disposed_on > d). Ends come from the current
-- terms (retention_status), so a changed term moves the past weeks too.
-- param $start: DATE, the first day of the range
-- param $end: DATE, the last day of the range
-- param $as_of: DATE, today (the range is cut here)
-- param $customer: VARCHAR, a customer_id, or '' for all customers
-- returns: week_end, backlog_records
WITH bounds AS (
    SELECT CAST($start AS DATE) AS first_day, least(CAST($end AS DATE), CAST($as_of AS DATE)) AS last_day
),
week_ends AS (
    SELECT CAST(unnest(generate_series(CAST(CAST(date_trunc('week', first_day) AS DATE) + 6 AS TIMESTAMP),
                                       CAST(last_day AS TIMESTAMP), INTERVAL 7 DAY)) AS DATE) AS week_end
    FROM bounds
    UNION
    SELECT last_day FROM bounds WHERE first_day <= last_day
),
pairs AS (  -- one row per (end, disposal) pair keeps the join small on a large inventory
    SELECT effective_end_on, disposed_on, count(*) AS records
    FROM retention_status
    WHERE ($customer = '' OR customer_id = $customer)
      AND effective_end_on <= (SELECT last_day FROM bounds)
    GROUP BY effective_end_on, disposed_on
)
SELECT
    w.week_end,
    CAST(coalesce(sum(p.records), 0) AS BIGINT) AS backlog_records
FROM week_ends AS w
LEFT JOIN pairs AS p
    ON in_retention_backlog(p.effective_end_on, p.disposed_on, w.week_end)
GROUP BY w.week_end
ORDER BY w.week_end

-- The retention backlog at the last day of each week or month of the period (capped at $as_of), for
-- the tile's trend, under the terms in force on each day (retention_backlog_spans, rules.md 4): a running
-- sum of the records entering and leaving the backlog.
-- param $as_of: DATE, today (Europe/Stockholm)
-- param $start: DATE, first day of the period
-- param $end: DATE, last day of the period
-- param $customer: VARCHAR, a customer id, or '' for all customers
-- param $grain: VARCHAR, 'month' for months; anything else means weeks
-- returns: period_start, period_end, backlog_records
-- reads: customers, retention
WITH bounds AS (
    SELECT
        CAST($start AS DATE) AS start_on,
        least(CAST($end AS DATE), CAST($as_of AS DATE)) AS end_on
),
grid AS (
    SELECT
        greatest(CAST(g.bucket AS DATE), b.start_on)                                       AS period_start,
        least(CAST(g.bucket + CASE WHEN $grain = 'month' THEN INTERVAL 1 MONTH ELSE INTERVAL 7 DAY END
                   AS DATE) - 1, b.end_on)                                                   AS period_end
    FROM bounds AS b
    CROSS JOIN generate_series(date_trunc(CASE WHEN $grain = 'month' THEN 'month' ELSE 'week' END, b.start_on), b.end_on,
                               CASE WHEN $grain = 'month' THEN INTERVAL 1 MONTH ELSE INTERVAL 7 DAY END) AS g (bucket)
),
daily AS (
    SELECT day, sum(change) AS change
    FROM (
        SELECT unnest([s.start_on, s.stop_on]) AS day, unnest([s.records, -s.records]) AS change
        FROM retention_backlog_spans AS s
        WHERE ($customer = '' OR s.customer_id = $customer)
    )
    WHERE day IS NOT NULL
    GROUP BY day
)
SELECT g.period_start, g.period_end, CAST(coalesce(sum(d.change), 0) AS BIGINT) AS backlog_records
FROM grid AS g
LEFT JOIN daily AS d ON d.day <= g.period_end
GROUP BY g.period_start, g.period_end
ORDER BY g.period_start

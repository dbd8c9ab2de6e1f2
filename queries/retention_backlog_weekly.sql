-- The backlog at the end of each week (Sunday) from $start to $end, and on the range's last day when
-- that is mid-week; never past $as_of. For each day d: the records in the backlog on d under the terms in
-- force on d (retention_backlog_spans, rules.md 4): a shortened term adds records from the day of the
-- change, never to the weeks before it; a customer's deletion instruction or contract end from its day.
-- param $start: DATE, the first day of the range
-- param $end: DATE, the last day of the range
-- param $as_of: DATE, today (the range is cut here)
-- param $customer: VARCHAR, a customer_id, or '' for all customers
-- returns: week_end, backlog_records
-- reads: customers, retention
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
events AS (  -- records entering (+) and leaving (-) the backlog per day: few rows for the week join
    SELECT day, sum(change) AS change
    FROM (
        SELECT unnest([s.start_on, s.stop_on]) AS day, unnest([s.records, -s.records]) AS change
        FROM retention_backlog_spans AS s
        WHERE ($customer = '' OR s.customer_id = $customer)
          AND s.start_on <= (SELECT last_day FROM bounds)
    )
    WHERE day IS NOT NULL AND day <= (SELECT last_day FROM bounds)
    GROUP BY day
)
SELECT
    w.week_end,
    CAST(coalesce(sum(e.change), 0) AS BIGINT) AS backlog_records
FROM week_ends AS w
LEFT JOIN events AS e ON e.day <= w.week_end
GROUP BY w.week_end
ORDER BY w.week_end

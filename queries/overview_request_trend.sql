-- The request KPIs per week or month of the period (the tiles' trends): open and overdue requests
-- at the last day of each period (capped at $as_of), and the on-time share and median days to close
-- of the requests answered within it (in the statutory on-time rate only: request_clock in_on_time_rate).
-- Same definitions as overview_request_kpis.
-- param $as_of: DATE, today (Europe/Stockholm)
-- param $start: DATE, first day of the period
-- param $end: DATE, last day of the period
-- param $customer: VARCHAR, a customer id, or '' for all customers
-- param $grain: VARCHAR, 'month' for months; anything else means weeks
-- returns: period_start, period_end, open_requests, overdue_requests, closed_requests, on_time_share, median_days_to_close
-- reads: requests
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
requests_in_scope AS (
    SELECT
        received_on, closed_on, effective_due_date,
        in_on_time_rate                                  AS has_month_clock,
        answered_on,
        is_on_time                                       AS closed_on_time,
        days_to_answer                                   AS days_to_close
    FROM request_clock
    WHERE ($customer = '' OR customer_id = $customer)
)
SELECT
    g.period_start,
    g.period_end,
    count(r.received_on) FILTER (WHERE r.closed_on IS NULL OR r.closed_on > g.period_end)     AS open_requests,
    count(r.received_on) FILTER (WHERE (r.closed_on IS NULL OR r.closed_on > g.period_end)
                                  AND r.effective_due_date < g.period_end)                    AS overdue_requests,
    count(r.received_on) FILTER (WHERE r.has_month_clock
                                  AND r.answered_on BETWEEN g.period_start AND g.period_end)  AS closed_requests,
    count(r.received_on) FILTER (WHERE r.has_month_clock AND r.closed_on_time
                                  AND r.answered_on BETWEEN g.period_start AND g.period_end)
        / nullif(count(r.received_on) FILTER (WHERE r.has_month_clock
                                  AND r.answered_on BETWEEN g.period_start AND g.period_end), 0) AS on_time_share,
    median(r.days_to_close) FILTER (WHERE r.has_month_clock
                                     AND r.answered_on BETWEEN g.period_start AND g.period_end)  AS median_days_to_close
FROM grid AS g
LEFT JOIN requests_in_scope AS r ON r.received_on <= g.period_end
GROUP BY g.period_start, g.period_end
ORDER BY g.period_start

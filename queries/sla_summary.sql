-- The SLA headline figures for the period (request_clock, Stockholm dates). Over requests with a month
-- clock (consent withdrawals have none, Art. 7(3)) closed in the period: how many, how many on time
-- (closed on or before the effective due date, Art. 12(3)), median and 90th percentile days to close
-- (received_on to closed_on). Breaches: those closed late in the period, and the requests open at
-- $as_of whose effective due date has passed (whatever the period).
-- param $as_of: DATE, today (Europe/Stockholm)
-- param $start: DATE, first day of the period
-- param $end: DATE, last day of the period
-- param $customer: VARCHAR, a customer id, or '' for all customers
-- returns: closed_requests, on_time_requests, on_time_rate, median_days, p90_days, closed_late, open_overdue
WITH scoped AS (
    SELECT
        *,
        date_diff('day', received_on, closed_on) AS days_to_close,
        closed_on BETWEEN CAST($start AS DATE) AND CAST($end AS DATE) AS closed_in_period,
        received_on <= CAST($as_of AS DATE)
            AND (closed_on IS NULL OR closed_on > CAST($as_of AS DATE)) AS open_now
    FROM request_clock
    WHERE has_month_clock
      AND ($customer = '' OR customer_id = $customer)
)
SELECT
    count(*) FILTER (WHERE closed_in_period)                                             AS closed_requests,
    count(*) FILTER (WHERE closed_in_period AND is_on_time)         AS on_time_requests,
    count(*) FILTER (WHERE closed_in_period AND is_on_time)
        / nullif(count(*) FILTER (WHERE closed_in_period), 0)                            AS on_time_rate,
    median(days_to_close) FILTER (WHERE closed_in_period)                                AS median_days,
    quantile_cont(days_to_close, 0.9) FILTER (WHERE closed_in_period)                    AS p90_days,
    count(*) FILTER (WHERE closed_in_period AND closed_on > effective_due_date)          AS closed_late,
    count(*) FILTER (WHERE open_now AND effective_due_date < CAST($as_of AS DATE))       AS open_overdue
FROM scoped

-- The request KPIs of the overview, now and one period earlier (request_clock, Stockholm dates).
-- Open at a day D: received on or before D and not closed by D. Overdue at D: open at D and its
-- effective due date (extended if validly extended, GDPR Art. 12(3)) is before D; the due day itself
-- is not late (Regulation 1182/71 Art. 3(2)(c)). Consent withdrawals have no month clock (Art. 7(3)),
-- so they are never overdue and are left out of the on-time share and the days to close.
-- On time: closed on or before the effective due date, over requests closed in the last 90 days up to
-- $as_of (previous: the 90 days before those). Days to close: received_on to closed_on, over requests
-- closed in the period (previous: the period of equal length just before it).
-- param $as_of: DATE, today (Europe/Stockholm)
-- param $start: DATE, first day of the period
-- param $end: DATE, last day of the period
-- param $customer: VARCHAR, a customer id, or '' for all customers
-- returns: open_requests, open_requests_prev, overdue_requests, overdue_requests_prev, closed_last_90, on_time_last_90, on_time_share, on_time_share_prev, closed_in_period, median_days_to_close, median_days_to_close_prev
WITH period AS (
    SELECT
        CAST($as_of AS DATE) AS as_of,
        CAST($as_of AS DATE) - CAST(date_diff('day', CAST($start AS DATE), CAST($end AS DATE)) + 1 AS INTEGER) AS before_on,
        CAST($start AS DATE) AS start_on,
        CAST($end AS DATE) AS end_on,
        CAST($start AS DATE) - CAST(date_diff('day', CAST($start AS DATE), CAST($end AS DATE)) + 1 AS INTEGER) AS prev_start_on
),
clocked AS (
    SELECT
        r.*,
        p.*,
        r.received_on <= p.as_of AND (r.closed_on IS NULL OR r.closed_on > p.as_of)            AS open_now,
        r.received_on <= p.before_on AND (r.closed_on IS NULL OR r.closed_on > p.before_on)    AS open_before,
        r.effective_due_date IS NOT NULL                                                     AS has_month_clock,
        r.closed_on <= r.effective_due_date                                                  AS closed_on_time,
        date_diff('day', r.received_on, r.closed_on)                                         AS days_to_close
    FROM request_clock AS r
    CROSS JOIN period AS p
    WHERE ($customer = '' OR r.customer_id = $customer)
),
counted AS (
    SELECT
        count(*) FILTER (WHERE open_now)                                                     AS open_requests,
        count(*) FILTER (WHERE open_before)                                                  AS open_requests_prev,
        count(*) FILTER (WHERE open_now AND effective_due_date < as_of)                      AS overdue_requests,
        count(*) FILTER (WHERE open_before AND effective_due_date < before_on)               AS overdue_requests_prev,
        count(*) FILTER (WHERE has_month_clock AND closed_on BETWEEN as_of - 89 AND as_of)   AS closed_last_90,
        count(*) FILTER (WHERE has_month_clock AND closed_on BETWEEN as_of - 89 AND as_of
                         AND closed_on_time)                                                 AS on_time_last_90,
        count(*) FILTER (WHERE has_month_clock AND closed_on BETWEEN as_of - 179 AND as_of - 90)
                                                                                             AS closed_prev_90,
        count(*) FILTER (WHERE has_month_clock AND closed_on BETWEEN as_of - 179 AND as_of - 90
                         AND closed_on_time)                                                 AS on_time_prev_90,
        count(*) FILTER (WHERE has_month_clock AND closed_on BETWEEN start_on AND end_on)    AS closed_in_period,
        median(days_to_close) FILTER (WHERE has_month_clock AND closed_on BETWEEN start_on AND end_on)
                                                                                             AS median_days_to_close,
        median(days_to_close) FILTER (WHERE has_month_clock AND closed_on BETWEEN prev_start_on AND start_on - 1)
                                                                                             AS median_days_to_close_prev
    FROM clocked
)
SELECT
    open_requests, open_requests_prev, overdue_requests, overdue_requests_prev,
    closed_last_90, on_time_last_90,
    on_time_last_90 / nullif(closed_last_90, 0)    AS on_time_share,
    on_time_prev_90 / nullif(closed_prev_90, 0)    AS on_time_share_prev,
    closed_in_period, median_days_to_close, median_days_to_close_prev
FROM counted

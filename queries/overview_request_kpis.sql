-- The request KPIs of the overview, now and one period earlier (request_clock, Stockholm dates).
-- Open at a day D: received on or before D and not closed by D. Overdue at D: open at D and its
-- effective due date (extended if validly extended, GDPR Art. 12(3)) is before D; the due day itself
-- is not late (Regulation 1182/71 Art. 3(2)(c)). On time and days to answer are the view's
-- (is_on_time, days_to_answer) over requests in the statutory on-time rate (in_on_time_rate: withdrawn
-- requests, consent withdrawals and controller-handled requests without an answer date stay out),
-- answered in the last 90 days up to $as_of (previous: the 90 days before those), and in the period
-- (previous: the period of equal length just before it). Apart: requests closed in the last 90 days
-- as handled by the controller without an answer date, and requests withdrawn in them.
-- param $as_of: DATE, today (Europe/Stockholm)
-- param $start: DATE, first day of the period
-- param $end: DATE, last day of the period
-- param $customer: VARCHAR, a customer id, or '' for all customers
-- returns: open_requests, open_requests_prev, overdue_requests, overdue_requests_prev, closed_last_90, on_time_last_90, on_time_share, on_time_share_prev, closed_in_period, median_days_to_close, median_days_to_close_prev, controller_handled_last_90, withdrawn_last_90
-- reads: requests
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
        CASE WHEN r.in_on_time_rate THEN r.answered_on END                                   AS rated_on,
        r.has_month_clock AND NOT r.in_on_time_rate AND r.closed_on BETWEEN p.as_of - 89 AND p.as_of
                                                                                             AS set_apart_last_90
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
        count(*) FILTER (WHERE rated_on BETWEEN as_of - 89 AND as_of)                        AS closed_last_90,
        count(*) FILTER (WHERE rated_on BETWEEN as_of - 89 AND as_of AND is_on_time)         AS on_time_last_90,
        count(*) FILTER (WHERE rated_on BETWEEN as_of - 179 AND as_of - 90)                  AS closed_prev_90,
        count(*) FILTER (WHERE rated_on BETWEEN as_of - 179 AND as_of - 90 AND is_on_time)   AS on_time_prev_90,
        count(*) FILTER (WHERE rated_on BETWEEN start_on AND end_on)                         AS closed_in_period,
        median(days_to_answer) FILTER (WHERE rated_on BETWEEN start_on AND end_on)           AS median_days_to_close,
        median(days_to_answer) FILTER (WHERE rated_on BETWEEN prev_start_on AND start_on - 1)
                                                                                             AS median_days_to_close_prev,
        count(*) FILTER (WHERE set_apart_last_90 AND is_controller_handled)                  AS controller_handled_last_90,
        count(*) FILTER (WHERE set_apart_last_90 AND is_withdrawn)                           AS withdrawn_last_90
    FROM clocked
)
SELECT
    open_requests, open_requests_prev, overdue_requests, overdue_requests_prev,
    closed_last_90, on_time_last_90,
    on_time_last_90 / nullif(closed_last_90, 0)    AS on_time_share,
    on_time_prev_90 / nullif(closed_prev_90, 0)    AS on_time_share_prev,
    closed_in_period, median_days_to_close, median_days_to_close_prev,
    controller_handled_last_90, withdrawn_last_90
FROM counted

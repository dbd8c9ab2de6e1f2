-- The SLA headline figures for the period (request_clock, Stockholm dates). Statutory clock: requests in
-- the on-time rate (in_on_time_rate: a month clock and an answer date) answered in the period: how many,
-- how many on time (answered on or before answer_by_date: a refusal within the one month, Art. 12(4);
-- else the validly extended deadline, Art. 12(3); moved by qualifying identity pauses), median and 90th
-- percentile days to answer. Breaches: those answered late in the period, and the requests open at
-- $as_of whose effective due date has passed (whatever the period). Apart (rules.md 1-2): requests closed
-- in the period as handled by the controller without an answer date (and how many of them were forwarded
-- by the customer's forwarding deadline), and requests withdrawn in the period: never in a rate.
-- param $as_of: DATE, today (Europe/Stockholm)
-- param $start: DATE, first day of the period
-- param $end: DATE, last day of the period
-- param $customer: VARCHAR, a customer id, or '' for all customers
-- returns: closed_requests, on_time_requests, on_time_rate, median_days, p90_days, closed_late, open_overdue, controller_handled, controller_handled_forwarded_on_time, withdrawn_requests
-- reads: requests
WITH scoped AS (
    SELECT
        *,
        in_on_time_rate AND answered_on BETWEEN CAST($start AS DATE) AND CAST($end AS DATE) AS answered_in_period,
        NOT in_on_time_rate
            AND closed_on BETWEEN CAST($start AS DATE) AND CAST($end AS DATE)            AS set_apart_in_period,
        received_on <= CAST($as_of AS DATE)
            AND (closed_on IS NULL OR closed_on > CAST($as_of AS DATE))                  AS open_now
    FROM request_clock
    WHERE has_month_clock
      AND ($customer = '' OR customer_id = $customer)
)
SELECT
    count(*) FILTER (WHERE answered_in_period)                                           AS closed_requests,
    count(*) FILTER (WHERE answered_in_period AND is_on_time)                            AS on_time_requests,
    count(*) FILTER (WHERE answered_in_period AND is_on_time)
        / nullif(count(*) FILTER (WHERE answered_in_period), 0)                          AS on_time_rate,
    median(days_to_answer) FILTER (WHERE answered_in_period)                             AS median_days,
    quantile_cont(days_to_answer, 0.9) FILTER (WHERE answered_in_period)                 AS p90_days,
    count(*) FILTER (WHERE answered_in_period AND NOT is_on_time)                        AS closed_late,
    count(*) FILTER (WHERE open_now AND effective_due_date < CAST($as_of AS DATE))       AS open_overdue,
    count(*) FILTER (WHERE set_apart_in_period AND is_controller_handled)                AS controller_handled,
    count(*) FILTER (WHERE set_apart_in_period AND is_controller_handled AND forwarded_on_time)
                                                                                         AS controller_handled_forwarded_on_time,
    count(*) FILTER (WHERE set_apart_in_period AND is_withdrawn)                         AS withdrawn_requests
FROM scoped

-- The SLA breaches: requests in the statutory on-time rate answered in the period after their answer-by
-- date (request_clock), and requests open at $as_of whose effective due date has passed (whatever the
-- period). Days late: from the date that was missed to the answer, or to $as_of while open. Withdrawn
-- requests and those the controller handled without telling us when it answered are never breaches
-- here (they are listed apart). No requester contact data.
-- param $as_of: DATE, today (Europe/Stockholm)
-- param $start: DATE, first day of the period
-- param $end: DATE, last day of the period
-- param $customer: VARCHAR, a customer id, or '' for all customers
-- returns: request_id, customer_id, customer_name, request_type, received_on, effective_due_date, is_extended, closed, days_late
-- reads: customers, requests
WITH scoped AS (
    SELECT
        r.*,
        r.received_on <= CAST($as_of AS DATE)
            AND (r.closed_on IS NULL OR r.closed_on > CAST($as_of AS DATE)) AS open_now
    FROM request_clock AS r
    WHERE r.has_month_clock
      AND ($customer = '' OR r.customer_id = $customer)
)
SELECT
    s.request_id, s.customer_id, controller_label(s.customer_id, c.name) AS customer_name, s.request_type,
    s.received_on,
    CASE WHEN s.open_now THEN s.effective_due_date ELSE s.answer_by_date END             AS effective_due_date,
    s.is_extended,
    CASE WHEN s.open_now THEN 'open' ELSE strftime(s.answered_on, '%Y-%m-%d') END        AS closed,
    CASE WHEN s.open_now THEN date_diff('day', s.effective_due_date, CAST($as_of AS DATE))
         ELSE date_diff('day', s.answer_by_date, s.answered_on) END                      AS days_late
FROM scoped AS s
LEFT JOIN customers AS c USING (customer_id)
WHERE (s.open_now AND s.effective_due_date < CAST($as_of AS DATE))
   OR (NOT s.open_now AND s.in_on_time_rate
       AND s.answered_on BETWEEN CAST($start AS DATE) AND CAST($end AS DATE)
       AND NOT s.is_on_time)
ORDER BY s.open_now DESC, days_late DESC, s.request_id

-- The open requests that need attention first: the overdue ones (most overdue first), then open consent
-- withdrawals (no month clock: they take effect at once, Art. 7(3)), then the rest by effective due
-- date. Open: received on or before $as_of and not closed by then. Days left: 0 on the due day (still
-- on time, Regulation 1182/71 Art. 3(2)(c)), negative once overdue, NULL without a month clock.
-- Queue status as on the Requests page: Overdue, Due soon (within $soon_due_days days, or no month
-- clock), On track. No requester contact data.
-- param $as_of: DATE, today (Europe/Stockholm)
-- param $customer: VARCHAR, a customer id, or '' for all customers
-- param $soon_due_days: INTEGER, the 'due soon' window in days (setting soon_due_days)
-- param $limit: INTEGER, how many requests to list
-- returns: request_id, customer_id, customer_name, request_type, status, received_on, effective_due_date, days_left, queue_status
-- reads: customers, requests
SELECT
    r.request_id, r.customer_id, controller_label(r.customer_id, c.name) AS customer_name, r.request_type,
    r.status, r.received_on,
    r.effective_due_date,
    date_diff('day', CAST($as_of AS DATE), r.effective_due_date)                AS days_left,
    CASE
        WHEN r.effective_due_date < CAST($as_of AS DATE) THEN 'Overdue'
        WHEN r.effective_due_date IS NULL
          OR date_diff('day', CAST($as_of AS DATE), r.effective_due_date) <= $soon_due_days THEN 'Due soon'
        ELSE 'On track'
    END                                                                           AS queue_status
FROM request_clock AS r
LEFT JOIN customers AS c USING (customer_id)
WHERE r.received_on <= CAST($as_of AS DATE)
  AND (r.closed_on IS NULL OR r.closed_on > CAST($as_of AS DATE))
  AND ($customer = '' OR r.customer_id = $customer)
ORDER BY
    CASE WHEN r.effective_due_date < CAST($as_of AS DATE) THEN 0 WHEN r.effective_due_date IS NULL THEN 1 ELSE 2 END,
    r.effective_due_date, r.received_on, r.request_id
LIMIT $limit

-- The open queue by days left until the effective due date: requests with a month clock open at
-- $as_of, counted per days left (0 on the due day, negative once overdue) and coloured by status:
-- Overdue (due date passed), Due soon (0 to $soon_due_days days left), On track.
-- param $as_of: DATE, today (Europe/Stockholm)
-- param $customer: VARCHAR, a customer id, or '' for all customers
-- param $soon_due_days: INTEGER, the 'due soon' window in days (setting soon_due_days)
-- returns: days_left, queue_status, requests
-- reads: requests
SELECT
    date_diff('day', CAST($as_of AS DATE), effective_due_date)                    AS days_left,
    CASE
        WHEN effective_due_date < CAST($as_of AS DATE) THEN 'Overdue'
        WHEN date_diff('day', CAST($as_of AS DATE), effective_due_date) <= $soon_due_days THEN 'Due soon'
        ELSE 'On track'
    END                                                                           AS queue_status,
    count(*)                                                                      AS requests
FROM request_clock
WHERE has_month_clock
  AND received_on <= CAST($as_of AS DATE)
  AND (closed_on IS NULL OR closed_on > CAST($as_of AS DATE))
  AND ($customer = '' OR customer_id = $customer)
GROUP BY 1, 2
ORDER BY 1

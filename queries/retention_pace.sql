-- The backlog's flow over the last 30 and 90 days up to $as_of (the deletion pace, privacyops.forecast):
-- left_backlog = records deleted or anonymised in the window after their retention had ended
-- (effective_end_on < disposed_on); entered_backlog = records whose retention ended in the window and
-- that were not disposed of by that day. backlog($as_of) = backlog(window start) + entered - left.
-- param $as_of: DATE, the last day of the windows (today)
-- param $customer: VARCHAR, a customer_id, or '' for all customers
-- returns: window_days, left_backlog, entered_backlog
WITH windows (window_days) AS (VALUES (30), (90)),
records AS (
    SELECT effective_end_on, disposed_on
    FROM retention_status
    WHERE ($customer = '' OR customer_id = $customer)
      AND effective_end_on <= $as_of
      AND (disposed_on IS NULL OR disposed_on > effective_end_on)
)
SELECT
    w.window_days,
    count(r.effective_end_on) FILTER (
        WHERE r.disposed_on > CAST($as_of AS DATE) - w.window_days AND r.disposed_on <= $as_of)      AS left_backlog,
    count(r.effective_end_on) FILTER (
        WHERE r.effective_end_on > CAST($as_of AS DATE) - w.window_days)                           AS entered_backlog
FROM windows AS w
LEFT JOIN records AS r ON TRUE
GROUP BY w.window_days
ORDER BY w.window_days

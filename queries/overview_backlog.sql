-- The retention backlog (retention_status; rules.md 4, privacy policy section 5) now and one period
-- earlier: records whose retention ended on or before the day and that were not deleted or
-- anonymised by that day, and how many days the oldest of them has waited (0 on the day it ends).
-- param $as_of: DATE, today (Europe/Stockholm)
-- param $start: DATE, first day of the period (with $end, sets the period length)
-- param $end: DATE, last day of the period
-- param $customer: VARCHAR, a customer id, or '' for all customers
-- returns: backlog_records, oldest_days, backlog_records_prev, oldest_days_prev
WITH period AS (
    SELECT
        CAST($as_of AS DATE) AS as_of,
        CAST($as_of AS DATE) - CAST(date_diff('day', CAST($start AS DATE), CAST($end AS DATE)) + 1 AS INTEGER) AS before_on
)
SELECT
    count(*) FILTER (WHERE in_retention_backlog(s.effective_end_on, s.disposed_on, p.as_of)) AS backlog_records,
    max(date_diff('day', s.effective_end_on, p.as_of))
        FILTER (WHERE in_retention_backlog(s.effective_end_on, s.disposed_on, p.as_of))      AS oldest_days,
    count(*) FILTER (WHERE in_retention_backlog(s.effective_end_on, s.disposed_on, p.before_on))
                                                                                              AS backlog_records_prev,
    max(date_diff('day', s.effective_end_on, p.before_on))
        FILTER (WHERE in_retention_backlog(s.effective_end_on, s.disposed_on, p.before_on))  AS oldest_days_prev
FROM retention_status AS s
CROSS JOIN period AS p
WHERE ($customer = '' OR s.customer_id = $customer)
  AND s.effective_end_on <= p.as_of

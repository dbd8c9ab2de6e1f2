-- The processor's own clock (rules.md 2; GDPR Art. 28(3)(e)): requests received in the period, forwarded to
-- the controller by the forwarding deadline in its DPA or not. A request still not forwarded counts as late
-- once its deadline has passed.
-- param $start: DATE, first day of the period
-- param $end: DATE, last day of the period
-- param $customer: VARCHAR, a customer id, or '' for all customers
-- param $as_of: DATE, today
-- returns: received_requests, forwarded_on_time, forwarded_late, not_forwarded_past_due, forward_on_time_rate
-- reads: requests
WITH scoped AS (
    SELECT forwarded_on, forward_due_date, is_open
    FROM request_clock
    WHERE has_month_clock
      AND received_on BETWEEN CAST($start AS DATE) AND CAST($end AS DATE)
      AND ($customer = '' OR customer_id = $customer)
      -- a request the controller received first is not ours to forward, and where Expandra is the
      -- controller there is nobody to forward to
      AND channel <> 'customer'
      AND NOT is_own_request
)
SELECT
    count(*)                                                                           AS received_requests,
    count(*) FILTER (WHERE forwarded_on <= forward_due_date)                           AS forwarded_on_time,
    count(*) FILTER (WHERE forwarded_on > forward_due_date)                            AS forwarded_late,
    count(*) FILTER (WHERE forwarded_on IS NULL AND is_open AND forward_due_date < $as_of) AS not_forwarded_past_due,
    count(*) FILTER (WHERE forwarded_on <= forward_due_date)
        / nullif(count(*) FILTER (WHERE forwarded_on IS NOT NULL
                                     OR (is_open AND forward_due_date < $as_of)), 0)   AS forward_on_time_rate
FROM scoped

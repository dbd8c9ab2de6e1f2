-- The requests closed in the period that the statutory on-time rate leaves out (rules.md 1-2), listed so
-- they can be seen: requests the controller handled itself without telling us when it answered (Expandra's
-- part ended with the forwarding: did it forward by the customer's forwarding deadline?) and withdrawn
-- requests (no answer to be timely). No requester contact data.
-- param $start: DATE, first day of the period
-- param $end: DATE, last day of the period
-- param $customer: VARCHAR, a customer id, or '' for all customers
-- returns: request_id, customer_id, customer_name, request_type, received_on, closed_on, set_apart_as, forwarded_on, forward_due_date, forwarded_on_time
-- reads: customers, requests
SELECT
    r.request_id, r.customer_id, controller_label(r.customer_id, c.name) AS customer_name, r.request_type,
    r.received_on, r.closed_on,
    CASE WHEN r.is_withdrawn THEN 'withdrawn' ELSE 'handled by the controller' END   AS set_apart_as,
    r.forwarded_on, r.forward_due_date, r.forwarded_on_time
FROM request_clock AS r
LEFT JOIN customers AS c USING (customer_id)
WHERE r.has_month_clock
  AND NOT r.in_on_time_rate
  AND (r.is_withdrawn OR r.is_controller_handled)
  AND r.closed_on BETWEEN CAST($start AS DATE) AND CAST($end AS DATE)
  AND ($customer = '' OR r.customer_id = $customer)
ORDER BY r.closed_on DESC, r.request_id

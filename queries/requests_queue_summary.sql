-- The queue's headline figures for one customer (or all): open requests by band (the same bands as
-- requests_queue_requests), and open requests not yet forwarded after the customer's DPA forwarding deadline
-- (EDPB 07/2020 paras 127-129), and open rectifications, erasures and restrictions whose recipients are not
-- yet told (Art. 19; the recipients_pending macro of migration 006).
-- param $as_of: DATE, today (Europe/Stockholm)
-- param $soon_days: INTEGER, a request is due soon within this many days (setting soon_due_days)
-- param $customer: VARCHAR, customer id; '' for all customers
-- returns: open_requests, overdue, due_soon, on_track, paused, forward_late, recipients_pending
-- reads: requests
SELECT
    count(*)                                                                          AS open_requests,
    count(*) FILTER (WHERE effective_due_date < $as_of)                               AS overdue,
    count(*) FILTER (WHERE effective_due_date IS NULL
                        OR effective_due_date BETWEEN $as_of AND $as_of + $soon_days)  AS due_soon,
    count(*) FILTER (WHERE effective_due_date > $as_of + $soon_days)                  AS on_track,
    count(*) FILTER (WHERE status = 'paused')                                         AS paused,
    count(*) FILTER (WHERE forwarded_at IS NULL AND forward_due_date < $as_of)        AS forward_late,
    count(*) FILTER (WHERE recipients_pending(request_type, outcome, recipients_notice)) AS recipients_pending
FROM request_clock
WHERE is_open
  AND ($customer = '' OR customer_id = $customer)

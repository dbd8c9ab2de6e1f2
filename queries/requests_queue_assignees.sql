-- Who has requests assigned (for the queue's assignee filter), with how many open ones each has.
-- param $customer: VARCHAR, customer id; '' for all customers
-- returns: assignee, open_requests
-- reads: requests
SELECT assignee, count(*) FILTER (WHERE is_open) AS open_requests
FROM request_clock
WHERE assignee IS NOT NULL
  AND ($customer = '' OR customer_id = $customer)
GROUP BY assignee
ORDER BY assignee

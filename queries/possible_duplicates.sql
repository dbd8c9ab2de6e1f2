-- Requests that look like the same one again: same requester email (case-insensitive), customer and
-- type, received within 30 days either side.
-- param $requester_email: VARCHAR
-- param $customer_id: VARCHAR, the customer; '' for requests where Expandra is the controller
-- param $request_type: VARCHAR
-- param $received_at: TIMESTAMP, UTC
-- returns: request_id, received_at, status
-- reads: requests
SELECT request_id, received_at, status
FROM requests
WHERE lower(requester_email) = lower($requester_email)
  AND coalesce(customer_id, '') = $customer_id
  AND request_type = $request_type
  AND received_at BETWEEN CAST($received_at AS TIMESTAMP) - INTERVAL 30 DAY
                      AND CAST($received_at AS TIMESTAMP) + INTERVAL 30 DAY
ORDER BY received_at DESC

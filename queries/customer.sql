-- One customer and its forwarding term.
-- param $customer_id: VARCHAR
-- returns: customer_id, name, org_number, forward_working_days, created_at
-- reads: customers
SELECT customer_id, name, org_number, forward_working_days, created_at
FROM customers
WHERE customer_id = $customer_id

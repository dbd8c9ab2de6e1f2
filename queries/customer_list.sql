-- Every customer (controller) for pickers and filters, by name.
-- returns: customer_id, name, org_number, forward_working_days
-- reads: customers
SELECT customer_id, name, org_number, forward_working_days
FROM customers
ORDER BY name

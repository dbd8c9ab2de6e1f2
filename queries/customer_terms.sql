-- The retention terms of one customer, one row per data category.
-- param $customer_id: VARCHAR
-- returns: data_category, retention_days, end_action
-- reads: customers
SELECT data_category, retention_days, end_action
FROM customer_retention_terms
WHERE customer_id = $customer_id
ORDER BY data_category

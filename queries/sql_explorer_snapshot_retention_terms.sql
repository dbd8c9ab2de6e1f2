-- The SQL explorer's customer_retention_terms view: each customer's retention term per data category.
-- returns: customer_id, data_category, retention_days, end_action
-- reads: customers
SELECT customer_id, data_category, retention_days, end_action
FROM customer_retention_terms

-- The SQL explorer's customers view: the controllers Expandra serves and the forwarding term of their data
-- processing agreement. The organisation number is left out (data minimisation: a sole trader's is a
-- personal identity number, and analysts do not need it).
-- returns: customer_id, name, forward_working_days, created_at
-- reads: customers
SELECT customer_id, name, forward_working_days, created_at
FROM customers

-- Every customer with the terms of its DPA: the forwarding term (working days, rules.md 2) and, per data
-- category (rules.md 4), the retention in days and the end action; and when its terms last changed.
-- returns: customer_id, name, org_number, forward_working_days, created_at, last_changed_at, name_days, name_action, email_days, email_action, company_details_days, company_details_action, user_data_days, user_data_action, quote_content_days, quote_content_action
-- reads: customers
WITH changes AS (
    SELECT customer_id, max(changed_at) AS last_changed_at FROM customer_changes GROUP BY customer_id
)
SELECT
    c.customer_id,
    c.name,
    c.org_number,
    c.forward_working_days,
    c.created_at,
    ch.last_changed_at,
    max(t.retention_days) FILTER (WHERE t.data_category = 'name')            AS name_days,
    max(t.end_action)     FILTER (WHERE t.data_category = 'name')            AS name_action,
    max(t.retention_days) FILTER (WHERE t.data_category = 'email')           AS email_days,
    max(t.end_action)     FILTER (WHERE t.data_category = 'email')           AS email_action,
    max(t.retention_days) FILTER (WHERE t.data_category = 'company_details') AS company_details_days,
    max(t.end_action)     FILTER (WHERE t.data_category = 'company_details') AS company_details_action,
    max(t.retention_days) FILTER (WHERE t.data_category = 'user_data')       AS user_data_days,
    max(t.end_action)     FILTER (WHERE t.data_category = 'user_data')       AS user_data_action,
    max(t.retention_days) FILTER (WHERE t.data_category = 'quote_content')   AS quote_content_days,
    max(t.end_action)     FILTER (WHERE t.data_category = 'quote_content')   AS quote_content_action
FROM customers AS c
LEFT JOIN customer_retention_terms AS t ON t.customer_id = c.customer_id
LEFT JOIN changes AS ch ON ch.customer_id = c.customer_id
GROUP BY c.customer_id, c.name, c.org_number, c.forward_working_days, c.created_at, ch.last_changed_at
ORDER BY c.name, c.customer_id

-- The change log of customers and their DPA terms (customer_changes): who changed which field when,
-- old and new value; newest first. A field is name, org_number, forward_working_days or
-- <data_category>.retention_days / <data_category>.end_action, or consent_policy_version /
-- consent_policy_effective_on / consent_policy_confirmed (rules.md 3); old_value is NULL when the customer
-- was added (or, for the policy, when migration 008 guessed it).
-- param $customer: VARCHAR, a customer_id, or '' for all customers
-- returns: change_id, changed_at, changed_by, customer_id, customer_name, field, old_value, new_value
-- reads: customers
SELECT
    ch.change_id,
    ch.changed_at,
    ch.changed_by,
    ch.customer_id,
    coalesce(c.name, ch.customer_id) AS customer_name,
    ch.field,
    ch.old_value,
    ch.new_value
FROM customer_changes AS ch
LEFT JOIN customers AS c ON c.customer_id = ch.customer_id
WHERE ($customer = '' OR ch.customer_id = $customer)
ORDER BY ch.changed_at DESC, ch.change_id DESC

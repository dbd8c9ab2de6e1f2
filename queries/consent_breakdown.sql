-- Valid opt-in rate per purpose broken down by customer, country, source or policy version
-- (rules.md 3, consent_facts): valid opt-ins / consent decisions; implied and pre-ticked records count as
-- decisions without a valid answer and are shown apart. Policy versions come in the order they first
-- appeared, the rest by number of decisions.
-- param $start: DATE, first day of the range
-- param $end: DATE, last day of the range (included)
-- param $customer: VARCHAR, customer id; '' means all customers
-- param $dimension: VARCHAR, 'customer', 'country', 'source' or 'policy_version'
-- returns: group_key, group_label, first_seen_on, decisions, valid_choices, invalid_records, invalid_share, functional_rate, analytics_rate, marketing_rate, withdrawals
-- reads: consent, customers
WITH grouped AS (
    SELECT
        CASE $dimension
            WHEN 'customer' THEN customer_id
            WHEN 'country' THEN country
            WHEN 'source' THEN source
            WHEN 'policy_version' THEN policy_version
        END                                                      AS group_key,
        min(given_on)                                            AS first_seen_on,
        count(*) FILTER (WHERE is_consent_decision)              AS decisions,
        count(*) FILTER (WHERE is_valid_choice)                  AS valid_choices,
        count(*) FILTER (WHERE is_invalid_consent)               AS invalid_records,
        count(*) FILTER (WHERE functional_opt_in)                AS functional_opt_ins,
        count(*) FILTER (WHERE analytics_opt_in)                 AS analytics_opt_ins,
        count(*) FILTER (WHERE marketing_opt_in)                 AS marketing_opt_ins,
        count(*) FILTER (WHERE is_withdrawal)                    AS withdrawals
    FROM consent_facts
    WHERE given_on BETWEEN $start AND $end
      AND ($customer = '' OR customer_id = $customer)
    GROUP BY ALL
)
SELECT
    g.group_key,
    CASE WHEN $dimension = 'customer' THEN coalesce(c.name || ' (' || g.group_key || ')', g.group_key)
         ELSE g.group_key END                                    AS group_label,
    g.first_seen_on,
    g.decisions,
    g.valid_choices,
    g.invalid_records,
    g.invalid_records / nullif(g.decisions, 0)                   AS invalid_share,
    g.functional_opt_ins / nullif(g.decisions, 0)                AS functional_rate,
    g.analytics_opt_ins / nullif(g.decisions, 0)                 AS analytics_rate,
    g.marketing_opt_ins / nullif(g.decisions, 0)                 AS marketing_rate,
    g.withdrawals
FROM grouped AS g
LEFT JOIN customers AS c ON $dimension = 'customer' AND c.customer_id = g.group_key
ORDER BY CASE WHEN $dimension = 'policy_version' THEN g.first_seen_on END, g.decisions DESC, g.group_key

-- The values the explore filters offer, with how many consent records carry each: country, method,
-- policy version and source (one scan, grouping sets). Policy versions in the order they appeared.
-- returns: dimension, value, records, first_seen_at
-- reads: consent
SELECT
    CASE WHEN grouping(country) = 0 THEN 'country'
         WHEN grouping(method) = 0 THEN 'method'
         WHEN grouping(policy_version) = 0 THEN 'policy_version'
         ELSE 'source' END                                       AS dimension,
    coalesce(country, method, policy_version, source)            AS value,
    count(*)                                                     AS records,
    min(given_at)                                                AS first_seen_at
FROM consent_records
GROUP BY GROUPING SETS ((country), (method), (policy_version), (source))
ORDER BY dimension, CASE WHEN dimension = 'policy_version' THEN first_seen_at END, records DESC, value

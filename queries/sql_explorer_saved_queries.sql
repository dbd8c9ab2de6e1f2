-- The SQL explorer's saved queries of the team, newest first. saved_by_name is the part of the saver's
-- email before the @: analysts see who saved a query, but no email address.
-- returns: query_id, title, sql_text, saved_by_name, saved_at
-- reads: saved_queries
SELECT query_id, title, sql_text, split_part(saved_by, '@', 1) AS saved_by_name, saved_at
FROM saved_queries
ORDER BY saved_at DESC, query_id DESC

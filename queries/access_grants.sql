-- Every role grant, for role resolution and the admin's access page.
-- returns: principal_kind, principal, role, granted_at, granted_by
-- reads: access
SELECT principal_kind, principal, role, granted_at, granted_by
FROM access_grants
ORDER BY principal_kind DESC, principal

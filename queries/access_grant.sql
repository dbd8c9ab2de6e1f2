-- The role granted to one email or group, if any.
-- param $principal_kind: VARCHAR, 'email' or 'group'
-- param $principal: VARCHAR, lower-case email or group name
-- returns: role
-- reads: access
SELECT role FROM access_grants WHERE principal_kind = $principal_kind AND principal = $principal

-- 004: who may see what, and the trace of every look at personal data (issue: sign-in and roles).

-- Roles are ours, not the identity provider's: an email or a group claim maps to one role.
CREATE TABLE access_grants (
    principal_kind VARCHAR NOT NULL CHECK (principal_kind IN ('email', 'group')),
    principal      VARCHAR NOT NULL,            -- lower-case email, or the group name as the IdP sends it
    role           VARCHAR NOT NULL CHECK (role IN ('management', 'support', 'analyst', 'admin')),
    granted_at     TIMESTAMP NOT NULL,
    granted_by     VARCHAR NOT NULL,
    PRIMARY KEY (principal_kind, principal)
);

-- Append-only and hash-chained like the request history: sign-ins, role changes, reveals of contact
-- details, exports and explorer queries.
CREATE TABLE access_log (
    entry_id    BIGINT PRIMARY KEY,
    recorded_at TIMESTAMP NOT NULL,
    actor       VARCHAR NOT NULL,
    event       VARCHAR NOT NULL CHECK (event IN (
        'sign_in', 'sign_out', 'access_denied', 'role_change', 'reveal', 'export', 'explorer_query',
        'anonymise', 'setting_change')),
    target      VARCHAR NOT NULL,
    detail      VARCHAR NOT NULL,
    prev_hash   VARCHAR NOT NULL,
    entry_hash  VARCHAR NOT NULL
);

-- The analysts' team queries for the SQL explorer.
CREATE SEQUENCE saved_query_seq START 1;
CREATE TABLE saved_queries (
    query_id   BIGINT PRIMARY KEY DEFAULT nextval('saved_query_seq'),
    title      VARCHAR NOT NULL,
    sql_text   VARCHAR NOT NULL,
    saved_by   VARCHAR NOT NULL,
    saved_at   TIMESTAMP NOT NULL
);

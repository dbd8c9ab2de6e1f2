-- 001: the first schema of the privacy store.
-- All timestamps are TIMESTAMP values in UTC (no time zone attached); the rules turn them into
-- Europe/Stockholm dates where the law counts days. Allowed values are checked here as well as in
-- Python so that an import or a hand-written statement cannot store a value the rules do not know.

CREATE TABLE store_meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE TABLE settings (
    key        VARCHAR PRIMARY KEY,
    value      VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by VARCHAR NOT NULL
);

-- The controllers Expandra serves and the terms of their data processing agreement (DPA).
CREATE TABLE customers (
    customer_id          VARCHAR PRIMARY KEY,
    name                 VARCHAR NOT NULL,
    org_number           VARCHAR NOT NULL,
    forward_working_days INTEGER NOT NULL CHECK (forward_working_days BETWEEN 0 AND 30),
    created_at           TIMESTAMP NOT NULL
);

CREATE TABLE customer_retention_terms (
    customer_id    VARCHAR NOT NULL REFERENCES customers (customer_id),
    data_category  VARCHAR NOT NULL
        CHECK (data_category IN ('name', 'email', 'company_details', 'user_data', 'quote_content')),
    retention_days INTEGER NOT NULL CHECK (retention_days BETWEEN 1 AND 36500),
    end_action     VARCHAR NOT NULL CHECK (end_action IN ('delete', 'anonymise')),
    PRIMARY KEY (customer_id, data_category)
);

-- Every change to a customer's terms: who, when, old and new value.
CREATE SEQUENCE customer_change_seq START 1;
CREATE TABLE customer_changes (
    change_id   BIGINT PRIMARY KEY DEFAULT nextval('customer_change_seq'),
    customer_id VARCHAR NOT NULL,
    changed_at  TIMESTAMP NOT NULL,
    changed_by  VARCHAR NOT NULL,
    field       VARCHAR NOT NULL,
    old_value   VARCHAR,
    new_value   VARCHAR
);

-- Proof of consent (GDPR Art. 7(1)): who, when, what was shown, how, and the choice per purpose.
CREATE TABLE consent_records (
    consent_id     VARCHAR PRIMARY KEY,
    customer_id    VARCHAR NOT NULL,
    subject_id     VARCHAR NOT NULL,
    given_at       TIMESTAMP NOT NULL,
    method         VARCHAR NOT NULL
        CHECK (method IN ('accept_all', 'reject_all', 'custom', 'withdrawal', 'implied', 'pre_ticked')),
    policy_version VARCHAR NOT NULL,
    source         VARCHAR NOT NULL CHECK (source IN ('banner', 'settings_page', 'api')),
    country        VARCHAR NOT NULL,
    necessary      BOOLEAN NOT NULL,
    functional     BOOLEAN NOT NULL,
    analytics      BOOLEAN NOT NULL,
    marketing      BOOLEAN NOT NULL
);

-- Data-subject requests. requester_email / requester_name are personal data of the dashboard's own.
CREATE TABLE requests (
    request_id            VARCHAR PRIMARY KEY,
    customer_id           VARCHAR NOT NULL,
    request_type          VARCHAR NOT NULL CHECK (request_type IN (
        'access', 'rectification', 'erasure', 'restriction', 'portability', 'objection',
        'automated_decision', 'consent_withdrawal')),
    received_at           TIMESTAMP NOT NULL,
    channel               VARCHAR NOT NULL CHECK (channel IN ('email', 'web_form', 'phone', 'letter', 'customer', 'other')),
    requester_email       VARCHAR,
    requester_name        VARCHAR,
    subject_id            VARCHAR,
    description           VARCHAR,
    status                VARCHAR NOT NULL CHECK (status IN (
        'logged', 'forwarded', 'in_progress', 'paused', 'completed', 'refused', 'withdrawn')),
    assignee              VARCHAR,
    forward_due_date      DATE NOT NULL,
    forwarded_at          TIMESTAMP,
    due_date              DATE,            -- NULL for a consent withdrawal: it takes effect at once
    extension_reason      VARCHAR,
    extension_notified_at TIMESTAMP,
    extended_due_date     DATE,
    closed_at             TIMESTAMP,
    outcome               VARCHAR CHECK (outcome IN ('completed', 'refused', 'withdrawn', 'forwarded_only')),
    refusal_ground        VARCHAR,
    contact_anonymised_at TIMESTAMP,
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL
);

-- Waiting for identity proof or clarification: the clock stops (IMY practice), the un-paused one still alerts.
CREATE TABLE request_pauses (
    request_id VARCHAR NOT NULL,
    paused_at  TIMESTAMP NOT NULL,
    reason     VARCHAR NOT NULL CHECK (reason IN ('identity', 'clarification')),
    resumed_at TIMESTAMP,
    PRIMARY KEY (request_id, paused_at)
);

-- Append-only: every create and change of a request. entry_hash chains each entry to the one before.
CREATE TABLE request_history (
    entry_id   BIGINT PRIMARY KEY,
    request_id VARCHAR NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    actor      VARCHAR NOT NULL,
    action     VARCHAR NOT NULL,
    changes    VARCHAR NOT NULL,   -- JSON object: field -> [old, new]
    note       VARCHAR NOT NULL,
    prev_hash  VARCHAR NOT NULL,
    entry_hash VARCHAR NOT NULL
);

-- The inventory of personal-data records held in the quote service.
CREATE TABLE retention_records (
    record_id         VARCHAR PRIMARY KEY,
    customer_id       VARCHAR NOT NULL,
    data_category     VARCHAR NOT NULL
        CHECK (data_category IN ('name', 'email', 'company_details', 'user_data', 'quote_content')),
    created_at        TIMESTAMP NOT NULL,
    last_used_at      TIMESTAMP NOT NULL,
    retention_ends_on DATE,              -- set by the source system; NULL: from the customer's terms
    disposed_at       TIMESTAMP,
    disposal_action   VARCHAR CHECK (disposal_action IN ('deleted', 'anonymised'))
);

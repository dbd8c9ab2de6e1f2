-- 003: imports from files (privacyops.importing.pipeline). Every run is recorded with its counts, which always
-- reconcile (read = imported + rejected + duplicates), and every rejected row is kept with its line
-- number, column and reason, so nothing in a file is silently dropped.

CREATE SEQUENCE import_run_seq START 1;
CREATE TABLE import_runs (
    run_id         BIGINT PRIMARY KEY,
    kind           VARCHAR NOT NULL CHECK (kind IN ('customers', 'consent', 'requests', 'retention')),
    file_name      VARCHAR NOT NULL,
    file_sha256    VARCHAR NOT NULL,
    file_format    VARCHAR NOT NULL CHECK (file_format IN ('csv', 'jsonl', 'parquet')),
    options        VARCHAR NOT NULL,   -- JSON: format, encoding, delimiter, decimal_comma
    mapping_name   VARCHAR,            -- the saved mapping used, if any
    mapping        VARCHAR NOT NULL,   -- JSON: contract column -> the file's column
    file_columns   VARCHAR NOT NULL,   -- JSON: the file's headers in order (the rejects keep rows in this order)
    started_at     TIMESTAMP NOT NULL,
    finished_at    TIMESTAMP NOT NULL,
    actor          VARCHAR NOT NULL,
    rows_read      BIGINT NOT NULL,
    rows_imported  BIGINT NOT NULL,
    rows_rejected  BIGINT NOT NULL,
    rows_duplicate BIGINT NOT NULL,   -- already in the store (or, for content-hashed rows, earlier in the file)
    rows_empty     BIGINT NOT NULL,   -- rows with no value at all: skipped, not counted as read
    warnings       VARCHAR NOT NULL,  -- JSON list of notes shown with the report
    CHECK (rows_read = rows_imported + rows_rejected + rows_duplicate)
);

-- One row per problem found: a rejected row has one or more. `record` is the row as it was in the file
-- (JSON list of its values in file_columns order; for a row the reader could not split, its raw text).
CREATE TABLE import_rejects (
    run_id      BIGINT NOT NULL,
    line_number BIGINT NOT NULL,
    column_name VARCHAR NOT NULL,
    reason      VARCHAR NOT NULL,
    value       VARCHAR,
    record      VARCHAR
);

-- How files from one source are read and mapped to the contract, saved from the Import page.
CREATE TABLE import_mappings (
    kind       VARCHAR NOT NULL CHECK (kind IN ('customers', 'consent', 'requests', 'retention')),
    source     VARCHAR NOT NULL,
    mapping    VARCHAR NOT NULL,   -- JSON: contract column -> the file's column
    options    VARCHAR NOT NULL,   -- JSON: format, encoding, delimiter, decimal_comma
    updated_at TIMESTAMP NOT NULL,
    updated_by VARCHAR NOT NULL,
    PRIMARY KEY (kind, source)
);

-- 011: a data version per kind of data kept in the store (issue 11 item 9). Store.write bumps the kinds a write
-- touches in the write's own transaction; the dashboard keys each cached figure by the versions of the kinds
-- its query reads (`-- reads:` in queries/*.sql), so a write refreshes only what it changed, in every session
-- and every process that reads this store. The kinds and their tables: privacyops/store/versions.py.
-- A kind's row appears at its first write (the write path inserts or bumps it); no row reads as version 0.
-- changed_at is UTC; with the version it makes a key no other store (a restored backup, a new file at the
-- same path) repeats. (Not seeded here: this migration's WAL stays small; see tests/data/test_full_disk.py.)
CREATE TABLE data_versions (
    kind       VARCHAR PRIMARY KEY,
    version    BIGINT NOT NULL,
    changed_at TIMESTAMP NOT NULL
);

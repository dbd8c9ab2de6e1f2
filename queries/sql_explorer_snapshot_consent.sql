-- The SQL explorer's consent_facts view: the consent_facts business view with the subject id replaced by its
-- keyed pseudonym (privacyops/explorer/pseudonym.py). Written to a Parquet snapshot; analysts never see subject_id.
-- param $key: VARCHAR, the pseudonym key (never shown, never written to the snapshot)
-- returns: consent_id, customer_id, subject_key, given_at, given_on, method, policy_version, source, country, necessary, functional, analytics, marketing, is_valid_choice, is_invalid_consent, is_withdrawal, is_consent_decision, functional_opt_in, analytics_opt_in, marketing_opt_in
-- reads: consent
SELECT
    consent_id,
    customer_id,
    left(sha256($key || sha256($key || '|subject|' || subject_id)), 16) AS subject_key,
    given_at,
    given_on,
    method,
    policy_version,
    source,
    country,
    necessary,
    functional,
    analytics,
    marketing,
    is_valid_choice,
    is_invalid_consent,
    is_withdrawal,
    is_consent_decision,
    functional_opt_in,
    analytics_opt_in,
    marketing_opt_in
FROM consent_facts

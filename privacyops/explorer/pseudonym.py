"""Pseudonyms for the analysts' views: a keyed hash in place of a raw identifier.

Analysts never see a raw subject id or a staff member's email address (issue 5); they see a *key*
derived from it with a secret only the dashboard holds, so the same person has the same key in every
view of one snapshot (joins and counts of distinct people still work) while nobody without the secret
can compute the key of a known id, or go back from a key to the id.

The construction, identical in Python (`pseudonym`) and in the explorer's snapshot queries
(`queries/sql_explorer_snapshot_*.sql`, which must run inside DuckDB, where there is no HMAC function)::

    key_of(value) = first 16 hex digits of sha256(K || sha256_hex(K || '|' || domain || '|' || value))

with K the secret key as UTF-8 text and `domain` naming the kind of identifier ('subject' for data
subjects, 'staff' for the people who work the requests), so a subject and a staff member with the same
text never share a key. It is the nested ("envelope") form of a keyed hash: the inner hash keeps the
value secret, and the outer hash, keyed again, rules out the length-extension trick that a single
sha256(K || value) allows. It is not HMAC (RFC 2104) byte for byte, but it needs no primitive DuckDB
lacks and gives what pseudonymisation needs: without K, the keys are unpredictable and irreversible.
16 hex digits are 64 bits: among 10 million subjects the chance of any two sharing a key is about 3e-6.

The key comes from `[privacyops] pseudonym_key` in `.streamlit/secrets.toml` (read by the UI, which
passes it in) or the `PRIVACYOPS_PSEUDONYM_KEY` environment variable. Without either, a random key is
made for this process: pseudonyms are then stable until the dashboard restarts, and the UI says so.
Changing the key changes every pseudonym (which is also how to unlink old exports).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
from dataclasses import dataclass, field

KEY_ENV = "PRIVACYOPS_PSEUDONYM_KEY"
MIN_KEY_LENGTH = 16
PSEUDONYM_HEX_DIGITS = 16

SUBJECT = "subject"   # a data subject: consent_records.subject_id, requests.subject_id
STAFF = "staff"       # someone at Expandra: requests.assignee
DOMAINS = (SUBJECT, STAFF)

SOURCES = {
    "secrets": "the pseudonym_key in the [privacyops] section of the secrets",
    "environment": f"the {KEY_ENV} environment variable",
    "ephemeral": "a random key made when the dashboard started (no key is configured)",
}


class PseudonymKeyError(ValueError):
    """The configured key cannot be used; the message says how to fix it."""


@dataclass(frozen=True)
class PseudonymKey:
    """The secret and where it came from. The secret never appears in repr() or logs."""

    value: str = field(repr=False)
    source: str

    @property
    def is_ephemeral(self) -> bool:
        return self.source == "ephemeral"

    @property
    def described(self) -> str:
        return SOURCES[self.source]


def check_key(value: str) -> str:
    """The key, stripped, if it is long enough to be a secret; else PseudonymKeyError."""
    key = value.strip()
    if len(key) < MIN_KEY_LENGTH:
        raise PseudonymKeyError(
            f"The pseudonym key must be at least {MIN_KEY_LENGTH} characters long (it is {len(key)}). "
            "Generate one with `python -c \"import secrets; print(secrets.token_urlsafe(32))\"` and set it as "
            f"pseudonym_key in the [privacyops] section of .streamlit/secrets.toml or as {KEY_ENV}.")
    return key


_ephemeral: str | None = None
_ephemeral_lock = threading.Lock()


def _ephemeral_key() -> str:
    global _ephemeral
    with _ephemeral_lock:
        if _ephemeral is None:
            _ephemeral = secrets.token_urlsafe(32)
        return _ephemeral


def resolve_key(configured: str | None = None) -> PseudonymKey:
    """The key to use: `configured` (the UI passes the secrets value) first, then the environment,
    else this process's random key. A configured key that is too short raises PseudonymKeyError
    rather than silently falling back."""
    if configured is not None and str(configured).strip():
        return PseudonymKey(check_key(str(configured)), "secrets")
    from_env = os.environ.get(KEY_ENV, "")
    if from_env.strip():
        return PseudonymKey(check_key(from_env), "environment")
    return PseudonymKey(_ephemeral_key(), "ephemeral")


def _sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def pseudonym(key: str, value: str | None, domain: str = SUBJECT) -> str | None:
    """The keyed pseudonym of `value` (None stays None); the same in SQL, see the module docstring."""
    if domain not in DOMAINS:
        raise ValueError(f"unknown pseudonym domain '{domain}'; known: {', '.join(DOMAINS)}")
    if value is None:
        return None
    inner = _sha256_hex(f"{key}|{domain}|{value}")
    return _sha256_hex(key + inner)[:PSEUDONYM_HEX_DIGITS]


def sql_pseudonym(column: str, domain: str = SUBJECT, key_param: str = "key") -> str:
    """The DuckDB expression computing `pseudonym($key, column, domain)`, as written in the
    explorer's snapshot queries (a test checks each of them uses exactly this text)."""
    if domain not in DOMAINS:
        raise ValueError(f"unknown pseudonym domain '{domain}'; known: {', '.join(DOMAINS)}")
    return (f"left(sha256(${key_param} || sha256(${key_param} || '|{domain}|' || {column})), "
            f"{PSEUDONYM_HEX_DIGITS})")

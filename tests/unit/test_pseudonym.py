"""Pseudonyms (privacyops.explorer.pseudonym): a keyed hash that is stable for one key, differs across keys and
kinds of identifier, and whose key is resolved from secrets, then the environment, else made at random."""

from __future__ import annotations

import hashlib
import re

import pytest

from privacyops.explorer import pseudonym
from privacyops.explorer.pseudonym import STAFF, SUBJECT, PseudonymKeyError, check_key, resolve_key

KEY_A = "a-secret-key-of-32-characters-xx"
KEY_B = "another-secret-key-32-characters"


def test_same_key_same_value_same_pseudonym():
    assert pseudonym.pseudonym(KEY_A, "subj_1") == pseudonym.pseudonym(KEY_A, "subj_1")


def test_pseudonyms_differ_across_keys():
    values = [f"subj_{i}" for i in range(200)]
    under_a = {pseudonym.pseudonym(KEY_A, v) for v in values}
    under_b = {pseudonym.pseudonym(KEY_B, v) for v in values}
    assert len(under_a) == len(under_b) == 200
    assert not under_a & under_b


def test_different_values_different_pseudonyms():
    keys = {pseudonym.pseudonym(KEY_A, f"subj_{i}") for i in range(10_000)}
    assert len(keys) == 10_000


def test_domains_separate_subjects_from_staff():
    assert pseudonym.pseudonym(KEY_A, "x@example.com", SUBJECT) != pseudonym.pseudonym(KEY_A, "x@example.com", STAFF)


def test_shape_is_16_hex_digits_and_none_stays_none():
    value = pseudonym.pseudonym(KEY_A, "subj_1")
    assert re.fullmatch(r"[0-9a-f]{16}", value)
    assert pseudonym.pseudonym(KEY_A, None) is None


def test_construction_is_the_documented_nested_keyed_hash():
    inner = hashlib.sha256(f"{KEY_A}|subject|subj_1".encode()).hexdigest()
    expected = hashlib.sha256((KEY_A + inner).encode()).hexdigest()[:16]
    assert pseudonym.pseudonym(KEY_A, "subj_1") == expected
    # and it is not the unkeyed hash of the id (nobody can compute it without the key)
    assert expected != hashlib.sha256(b"subj_1").hexdigest()[:16]


def test_sql_expression_text():
    assert pseudonym.sql_pseudonym("subject_id") == (
        "left(sha256($key || sha256($key || '|subject|' || subject_id)), 16)")
    assert "'|staff|'" in pseudonym.sql_pseudonym("assignee", STAFF)


def test_unknown_domain_refused():
    with pytest.raises(ValueError, match="domain"):
        pseudonym.pseudonym(KEY_A, "x", "customer")
    with pytest.raises(ValueError, match="domain"):
        pseudonym.sql_pseudonym("x", "customer")


def test_short_keys_are_refused_with_advice():
    with pytest.raises(PseudonymKeyError, match="at least 16 characters"):
        check_key("short")
    assert check_key(f"  {KEY_A}  ") == KEY_A


def test_resolve_prefers_secrets_then_environment(monkeypatch):
    monkeypatch.setenv(pseudonym.KEY_ENV, KEY_B)
    from_secrets = resolve_key(KEY_A)
    assert (from_secrets.value, from_secrets.source) == (KEY_A, "secrets")
    from_env = resolve_key(None)
    assert (from_env.value, from_env.source) == (KEY_B, "environment")
    assert resolve_key("   ").source == "environment"


def test_resolve_refuses_a_short_configured_key(monkeypatch):
    monkeypatch.setenv(pseudonym.KEY_ENV, "short")
    with pytest.raises(PseudonymKeyError):
        resolve_key(None)
    with pytest.raises(PseudonymKeyError):
        resolve_key("tiny")


def test_without_configuration_a_random_key_stable_for_the_process(monkeypatch):
    monkeypatch.delenv(pseudonym.KEY_ENV, raising=False)
    first, second = resolve_key(None), resolve_key(None)
    assert first.is_ephemeral and first.source == "ephemeral"
    assert first.value == second.value
    assert len(first.value) >= pseudonym.MIN_KEY_LENGTH
    assert "random" in first.described


def test_the_key_is_not_in_its_repr():
    key = resolve_key(KEY_A)
    assert KEY_A not in repr(key)
    assert KEY_A not in str(key)

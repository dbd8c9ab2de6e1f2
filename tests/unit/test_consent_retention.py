"""Consent validity and renewal (privacyops.rules.consent) and retention (privacyops.rules.retention)."""

from datetime import date

import pytest

from privacyops.rules import consent, retention


@pytest.mark.parametrize(("method", "valid"), [
    ("accept_all", True), ("reject_all", True), ("custom", True),
    ("implied", False), ("pre_ticked", False), ("withdrawal", False),
])
def test_valid_choice(method, valid):
    assert consent.is_valid_choice(method) is valid


def test_implied_and_pre_ticked_never_opt_in():
    assert not consent.is_valid_opt_in("implied", True)
    assert not consent.is_valid_opt_in("pre_ticked", True)
    assert consent.is_valid_opt_in("custom", True)
    assert not consent.is_valid_opt_in("custom", False)


def test_unknown_method_is_an_error():
    with pytest.raises(ValueError, match="unknown consent method"):
        consent.is_valid_choice("nodded")


def test_renewal_after_twelve_months_with_month_end():
    assert consent.renewal_due_on(date(2025, 3, 31), "accept_all") == date(2026, 3, 31)
    assert consent.renewal_due_on(date(2024, 2, 29), "custom") == date(2025, 2, 28)
    assert consent.renewal_due_on(date(2025, 1, 10), "accept_all", renewal_months=6) == date(2025, 7, 10)


def test_refusal_is_respected_for_six_months():
    assert consent.renewal_due_on(date(2025, 8, 31), "reject_all") == date(2026, 2, 28)
    assert consent.renewal_due_on(date(2025, 1, 15), "withdrawal") == date(2025, 7, 15)


def test_invalid_record_means_ask_now():
    assert consent.renewal_due_on(date(2025, 5, 5), "implied") == date(2025, 5, 5)


def test_needs_renewal():
    assert not consent.needs_renewal(date(2025, 6, 1), "accept_all", "v2", "v2", date(2026, 5, 31))
    assert consent.needs_renewal(date(2025, 6, 1), "accept_all", "v2", "v2", date(2026, 6, 1))
    # A changed policy always asks again, even a day later.
    assert consent.needs_renewal(date(2026, 5, 30), "accept_all", "v1", "v2", date(2026, 5, 31))


def test_retention_end():
    assert retention.retention_end(date(2025, 1, 1), 30) == date(2025, 1, 31)
    assert retention.retention_end(date(2025, 1, 1), 30, date(2025, 6, 1)) == date(2025, 6, 1)
    with pytest.raises(ValueError):
        retention.retention_end(date(2025, 1, 1), 0)


@pytest.mark.parametrize(("end", "disposed", "as_of", "expected"), [
    (date(2025, 5, 1), None, date(2025, 4, 30), False),   # not yet ended
    (date(2025, 5, 1), None, date(2025, 5, 1), True),     # in the backlog from the day it ends
    (date(2025, 5, 1), date(2025, 5, 10), date(2025, 5, 9), True),
    (date(2025, 5, 1), date(2025, 5, 10), date(2025, 5, 10), False),  # disposed that day
    (date(2025, 5, 1), date(2025, 4, 1), date(2025, 5, 2), False),    # disposed early
])
def test_in_backlog(end, disposed, as_of, expected):
    assert retention.in_backlog(end, disposed, as_of) is expected


@pytest.mark.parametrize(("days", "bucket"), [
    (0, "0-30 days"), (30, "0-30 days"), (31, "31-90 days"), (90, "31-90 days"),
    (91, "91-365 days"), (365, "91-365 days"), (366, "over 365 days"), (4000, "over 365 days"),
])
def test_aging_buckets(days, bucket):
    assert retention.aging_bucket(days) == bucket


def test_aging_bucket_rejects_future():
    with pytest.raises(ValueError):
        retention.aging_bucket(-1)

"""Consent validity and renewal (rules.md section 3). Pure functions; the SQL view `consent_facts`
holds the same definitions for the dashboard's queries, and a data test keeps the two in step.
"""

from __future__ import annotations

from datetime import date

from privacyops.rules.deadlines import add_months

METHODS: dict[str, str] = {
    "accept_all": "Accept all",
    "reject_all": "Reject all",
    "custom": "Custom choice",
    "withdrawal": "Withdrawal",
    "implied": "Implied by use (not consent)",
    "pre_ticked": "Pre-ticked boxes (not consent)",
}
SOURCES: dict[str, str] = {"banner": "Banner", "settings_page": "Settings page", "api": "API"}
# Strictly necessary cookies need no consent (ePrivacy Art. 5(3)); the other three do.
PURPOSES: dict[str, str] = {
    "necessary": "Strictly necessary", "functional": "Functional",
    "analytics": "Analytics", "marketing": "Marketing",
}
CONSENT_PURPOSES = ("functional", "analytics", "marketing")

VALID_CHOICE_METHODS = frozenset({"accept_all", "reject_all", "custom"})
INVALID_METHODS = frozenset({"implied", "pre_ticked"})


def is_valid_choice(method: str) -> bool:
    """A clear affirmative act (GDPR Art. 4(11)). Pre-ticked boxes are not consent (CJEU C-673/17
    Planet49) and continued browsing never is (EDPB Guidelines 05/2020 para 86)."""
    if method not in METHODS:
        raise ValueError(f"unknown consent method '{method}'; known: {', '.join(METHODS)}")
    return method in VALID_CHOICE_METHODS


def is_valid_opt_in(method: str, purpose_chosen: bool) -> bool:
    """An opt-in counts only when the choice was a valid one and the purpose was chosen."""
    return is_valid_choice(method) and purpose_chosen


def renewal_due_on(given_on: date, method: str, *, renewal_months: int = 12,
                   refusal_quiet_months: int = 6) -> date | None:
    """The day the banner should ask this subject again (rules.md 3 defaults, both settings).

    A valid consent is asked again after `renewal_months` (12, inside CNIL's 13-month cap); after a
    refusal of everything we wait `refusal_quiet_months` (6) before asking again; an invalid record
    (implied, pre-ticked) gives no consent at all, so the subject must be asked at once (the day it
    was recorded). A withdrawal is respected like a refusal.
    """
    if method in INVALID_METHODS:
        return given_on
    if method in ("reject_all", "withdrawal"):
        return add_months(given_on, refusal_quiet_months)
    if is_valid_choice(method):
        return add_months(given_on, renewal_months)
    raise ValueError(f"unknown consent method '{method}'")


def current_policy_version(version: str | None, effective_on: date | None, today: date) -> str | None:
    """The customer's policy version in force on `today`: the one set explicitly for it (rules.md 3: "set
    explicitly, never guessed from the data") once its effective date has come; None before that day or
    when the customer has no policy yet (then renewals are by age only)."""
    if version is None or effective_on is None or effective_on > today:
        return None
    return version


def needs_renewal(given_on: date, method: str, policy_version: str, current_policy_version: str | None,
                  today: date, *, renewal_months: int = 12, refusal_quiet_months: int = 6) -> bool:
    """Whether the subject is due to be asked again today: the renewal date has come, or the
    policy (its purposes) changed since the choice was recorded (always ask again then, rules.md 3).
    `current_policy_version` is the customer's explicit current version (`current_policy_version()`);
    None means no policy is in force, so only the age of the choice counts."""
    if current_policy_version is not None and policy_version != current_policy_version:
        return True
    due = renewal_due_on(given_on, method, renewal_months=renewal_months,
                         refusal_quiet_months=refusal_quiet_months)
    return due is not None and due <= today

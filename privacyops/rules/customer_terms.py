"""What a customer's details and the terms of its data processing agreement must be: pure checks, shared
by the Customers page (through privacyops.cases.customers) and the customers import.

Pure functions only: no database, no I/O. The forwarding term drives the processor's clock (rules.md 2,
see `forwarding`); the retention terms drive the backlog (rules.md 4); the consent policy in force is set
explicitly per customer (rules.md 3); a deletion instruction and the contract's end (Art. 28(3)(g))
make every record of the customer due for disposal (rules.md 4). Each check returns every problem, by
field, so a form can show them all at once; empty means the input can be saved.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from privacyops.rules.retention import DATA_CATEGORIES, END_ACTIONS

ORG_NUMBER_PATTERN = re.compile(r"^\d{6}-\d{4}$")
POLICY_VERSION_MAX_LENGTH = 64
EARLIEST_POLICY_DATE = date(1990, 1, 1)  # as the import's earliest date
CUSTOMER_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")


@dataclass(frozen=True)
class RetentionTerm:
    retention_days: int
    end_action: str


@dataclass(frozen=True)
class Customer:
    customer_id: str
    name: str
    org_number: str
    forward_working_days: int
    terms: dict[str, RetentionTerm] = field(default_factory=dict)


def validate(customer: Customer) -> dict[str, str]:
    """Every problem with a customer's details and terms, by field."""
    errors: dict[str, str] = {}
    if not CUSTOMER_ID_PATTERN.match(customer.customer_id or ""):
        errors["customer_id"] = "Use 1-32 letters, digits, - or _ (e.g. C13)."
    if not customer.name.strip():
        errors["name"] = "The customer's name is required."
    if not ORG_NUMBER_PATTERN.match(customer.org_number.strip()):
        errors["org_number"] = "Write the organisation number as NNNNNN-NNNN."
    if not 0 <= customer.forward_working_days <= 30:
        errors["forward_working_days"] = "Forwarding takes 0 to 30 working days."
    missing = sorted(set(DATA_CATEGORIES) - set(customer.terms))
    if missing:
        errors["terms"] = "Set retention for every data category; missing: " + ", ".join(missing) + "."
    for category, term in customer.terms.items():
        if category not in DATA_CATEGORIES:
            errors[f"terms.{category}"] = f"'{category}' is not a data category."
        elif not 1 <= term.retention_days <= 36500:
            errors[f"terms.{category}"] = f"Retention for {DATA_CATEGORIES[category].lower()} is 1 to 36,500 days."
        elif term.end_action not in END_ACTIONS:
            errors[f"terms.{category}"] = "The end action is delete or anonymise."
    return errors


# --- the consent policy in force (rules.md 3) ----------------------------------------------------------

def validate_consent_policy(version: str | None, effective_on: date | None, today: date) -> dict[str, str]:
    """Every problem with a policy version and its effective date, by field (the page and the customers
    import check the same). Both are required; the day it took effect is not in the future (a policy
    that has not taken effect yet is not the one in force) nor before 1990."""
    errors: dict[str, str] = {}
    text = (version or "").strip()
    if not text:
        errors["consent_policy_version"] = "The policy version is required (as the banner records it, e.g. 2025-09)."
    elif len(text) > POLICY_VERSION_MAX_LENGTH:
        errors["consent_policy_version"] = f"The policy version is at most {POLICY_VERSION_MAX_LENGTH} characters."
    elif "\n" in text or "\r" in text:
        errors["consent_policy_version"] = "The policy version is one line of text."
    if effective_on is None:
        errors["consent_policy_effective_on"] = "The day the policy took effect is required."
    elif effective_on > today:
        errors["consent_policy_effective_on"] = (
            f"The day the policy took effect is after today ({today.isoformat()}): set it on the day it takes effect.")
    elif effective_on < EARLIEST_POLICY_DATE:
        errors["consent_policy_effective_on"] = "The day the policy took effect is before 1990: check the year."
    return errors


# --- the customer's deletion instruction and contract end (Art. 28(3)(g); rules.md 4) ----------------

DISPOSAL_DATE_FIELDS: dict[str, str] = {
    "deletion_instructed_on": "Deletion instruction received",
    "contract_ended_on": "Contract ended",
}


def validate_disposal_dates(dates: Mapping[str, date | None], *, today: date,
                            existed_from: date | None) -> dict[str, str]:
    """Problems with a customer's disposal dates, by field. A date records what has happened, so it is
    not in the future; and not before the customer existed for Expandra (its first day in Privacy Ops or
    its oldest record, whichever is earlier), which catches a mistyped year. Empty: not recorded."""
    errors: dict[str, str] = {}
    for field_name, label in DISPOSAL_DATE_FIELDS.items():
        day = dates.get(field_name)
        if day is None:
            continue
        if day > today:
            errors[field_name] = (f"{label}: {day.isoformat()} is in the future. Record the day once it has come "
                                  f"(today is {today.isoformat()}).")
        elif existed_from is not None and day < existed_from:
            errors[field_name] = (f"{label}: {day.isoformat()} is before the customer existed for Expandra "
                                  f"({existed_from.isoformat()}: its first record or the day it was added).")
    return errors

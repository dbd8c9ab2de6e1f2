"""Customers (the controllers) and the terms of their data processing agreements.

The forwarding term drives the processor's clock (rules.md 2); the retention terms drive the backlog
(rules.md 4). Every change is recorded in customer_changes (who, when, old, new) in the same
transaction as the change itself; a retention term applies from the day of its change (rules.md 4,
Art. 28(3)(a)). A customer's deletion instruction and the end of its contract (Art. 28(3)(g)) make every
record of the customer due for disposal from that day (`save_disposal_dates`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

import duckdb

from privacyops import clock
from privacyops.clock import now_utc, to_utc_naive
from privacyops.rules import deadlines, swedish_calendar
from privacyops.rules.retention import DATA_CATEGORIES, END_ACTIONS
from privacyops.store import Store, run_named

ORG_NUMBER_PATTERN = re.compile(r"^\d{6}-\d{4}$")
POLICY_VERSION_MAX_LENGTH = 64
EARLIEST_POLICY_DATE = date(1990, 1, 1)  # as the import's earliest date
CUSTOMER_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")


class CustomerInputError(ValueError):
    """Input that cannot be saved; `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


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


def save(store: Store, customer: Customer, *, actor: str, at: datetime | None = None,
         create_only: bool = False) -> list[str]:
    """Add a customer or change one; records each changed field. Returns the changed fields.

    With `create_only`, an id that already belongs to a customer is refused (checked inside the
    write transaction, so two people adding the same id cannot both succeed)."""
    errors = validate(customer)
    if errors:
        raise CustomerInputError(errors)
    stamp = to_utc_naive(at or now_utc())

    def change(cur: duckdb.DuckDBPyConnection) -> list[str]:
        found = run_named(cur, "customer", customer_id=customer.customer_id).fetchone()
        old: dict[str, object] = {}
        if found and create_only:
            raise CustomerInputError({"customer_id": f"{customer.customer_id} is already a customer's id: "
                                                     "pick that customer to change it, or choose another id."})
        if found:
            old = {"name": found[1], "org_number": found[2], "forward_working_days": found[3]}
            for category, days, action in run_named(cur, "customer_terms",
                                                     customer_id=customer.customer_id).fetchall():
                old[f"{category}.retention_days"] = days
                old[f"{category}.end_action"] = action
        new: dict[str, object] = {"name": customer.name.strip(), "org_number": customer.org_number.strip(),
                                  "forward_working_days": customer.forward_working_days}
        for category, term in customer.terms.items():
            new[f"{category}.retention_days"] = term.retention_days
            new[f"{category}.end_action"] = term.end_action
        changed = [k for k in new if old.get(k) != new[k]]
        if not changed:
            return []
        params = {"id": customer.customer_id, "name": new["name"], "org": new["org_number"],
                  "days": customer.forward_working_days, "at": stamp}
        if found:
            cur.execute("UPDATE customers SET name = $name, org_number = $org, forward_working_days = $days "
                        "WHERE customer_id = $id", {k: v for k, v in params.items() if k != "at"})
        else:
            cur.execute("INSERT INTO customers (customer_id, name, org_number, forward_working_days, created_at) "
                        "VALUES ($id, $name, $org, $days, $at)", params)
        for category, term in customer.terms.items():
            cur.execute(
                "INSERT INTO customer_retention_terms VALUES ($id, $category, $days, $action) "
                "ON CONFLICT (customer_id, data_category) DO UPDATE SET "
                "retention_days = excluded.retention_days, end_action = excluded.end_action",
                {"id": customer.customer_id, "category": category, "days": term.retention_days,
                 "action": term.end_action},
            )
        for key in changed:
            cur.execute(
                "INSERT INTO customer_changes (customer_id, changed_at, changed_by, field, old_value, new_value) "
                "VALUES ($id, $at, $actor, $field, $old, $new)",
                {"id": customer.customer_id, "at": stamp, "actor": actor, "field": key,
                 "old": None if key not in old else str(old[key]), "new": str(new[key])},
            )
        return changed

    return store.write(change)


# --- the consent policy in force (rules.md 3) ----------------------------------------------------------

@dataclass(frozen=True)
class ConsentPolicy:
    """A customer's current consent policy: the version its banner shows and the day it took effect."""

    version: str
    effective_on: date


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


def set_consent_policy(store: Store, customer_id: str, version: str | None, effective_on: date | None, *,
                       actor: str, today: date, at: datetime | None = None) -> list[str]:
    """Set a customer's current consent policy explicitly (rules.md 3) and mark it confirmed; each changed
    field goes to customer_changes in the same transaction. Returns the changed fields (confirming the
    stored values unchanged returns ['consent_policy_confirmed'])."""
    errors = validate_consent_policy(version, effective_on, today)
    if errors or effective_on is None:
        raise CustomerInputError(errors)
    new = {"consent_policy_version": str(version).strip(), "consent_policy_effective_on": effective_on.isoformat(),
           "consent_policy_confirmed": "true"}
    stamp = to_utc_naive(at or now_utc())

    def change(cur: duckdb.DuckDBPyConnection) -> list[str]:
        found = run_named(cur, "customer_consent_policy", customer_id=customer_id).fetchone()
        if not found:
            raise CustomerInputError({"customer_id": f"{customer_id} is not a customer in the store."})
        _, stored_version, stored_on, stored_confirmed = found
        old = {"consent_policy_version": stored_version,
               "consent_policy_effective_on": None if stored_on is None else stored_on.isoformat(),
               "consent_policy_confirmed": "true" if stored_confirmed else "false"}
        changed = [k for k in new if old[k] != new[k]]
        if not changed:
            return []
        cur.execute("UPDATE customers SET consent_policy_version = $version, consent_policy_effective_on = $on, "
                    "consent_policy_confirmed = TRUE WHERE customer_id = $id",
                    {"id": customer_id, "version": new["consent_policy_version"], "on": effective_on})
        for key in changed:
            cur.execute(
                "INSERT INTO customer_changes (customer_id, changed_at, changed_by, field, old_value, new_value) "
                "VALUES ($id, $at, $actor, $field, $old, $new)",
                {"id": customer_id, "at": stamp, "actor": actor, "field": key, "old": old[key], "new": new[key]})
        return changed

    return store.write(change)


def confirm_no_consent_policy(store: Store, customer_id: str, *, actor: str, at: datetime | None = None) -> bool:
    """Confirm that a customer has no consent policy yet (its renewals are then by age only). Only for a
    customer without a policy; returns whether anything changed (an entry in customer_changes)."""
    stamp = to_utc_naive(at or now_utc())

    def change(cur: duckdb.DuckDBPyConnection) -> bool:
        found = run_named(cur, "customer_consent_policy", customer_id=customer_id).fetchone()
        if not found:
            raise CustomerInputError({"customer_id": f"{customer_id} is not a customer in the store."})
        if found[1] is not None:
            raise CustomerInputError({"consent_policy_version": "This customer has a policy: confirm it by saving "
                                                                "its version and date."})
        if found[3]:
            return False
        cur.execute("UPDATE customers SET consent_policy_confirmed = TRUE WHERE customer_id = $id", {"id": customer_id})
        cur.execute(
            "INSERT INTO customer_changes (customer_id, changed_at, changed_by, field, old_value, new_value) "
            "VALUES ($id, $at, $actor, 'consent_policy_confirmed', 'false', 'true')",
            {"id": customer_id, "at": stamp, "actor": actor})
        return True

    return store.write(change)


# --- the forwarding term against the statutory clock (rules.md 2) --------------------------------------

@dataclass(frozen=True)
class ShortestMonth:
    """The receipt date whose one-month due date leaves the fewest working days to forward in."""

    received_on: date
    due_on: date
    working_days: int


@lru_cache(maxsize=64)
def shortest_statutory_month(first_received: date, days: int = 366, *,
                             eves_are_holidays: bool = False) -> ShortestMonth:
    """Over the receipt dates `first_received` .. `first_received + days - 1`: the fewest working days
    between the day of receipt (not counted) and its GDPR Art. 12(3) one-month due date (counted), as
    `deadlines.forward_due_date` counts a forwarding term. A month holds 15-19 of them around Christmas and
    Easter (17 without the eves setting in December 2025), not the 20-23 of an ordinary month.
    """
    worst: ShortestMonth | None = None
    for offset in range(days):
        received = first_received + timedelta(days=offset)
        due = deadlines.due_date(received, eves_are_holidays=eves_are_holidays)
        count = sum(1 for d in range(1, (due - received).days + 1)
                    if swedish_calendar.is_working_day(received + timedelta(days=d),
                                                       eves_are_holidays=eves_are_holidays))
        if worst is None or count < worst.working_days:
            worst = ShortestMonth(received, due, count)
    if worst is None:
        raise ValueError("days must be at least 1")
    return worst


def forwarding_term_can_pass_due_date(forward_working_days: int, today: date, *,
                                      eves_are_holidays: bool = False) -> ShortestMonth | None:
    """Whether a forwarding term can end after the statutory due date (rules.md 2: "A forwarding term longer
    than the time left on the statutory clock helps nobody: warn when the forwarding date falls after the
    due date"; the controller's month counts from Expandra's receipt and "cannot be extended" because a
    processor is involved).

    The forwarding date of a request received on day r is r + the term in working days; it falls after the
    due date exactly when the month from r holds fewer working days than the term. The term applies to
    requests logged from today on, so every receipt date of the coming year is checked: returns the worst
    one (its due date and working days) when the term is longer than the fewest working days any of those
    months holds, else None. A term equal to that number ends on the due date itself: not late.
    """
    shortest = shortest_statutory_month(today, eves_are_holidays=eves_are_holidays)
    return shortest if forward_working_days > shortest.working_days else None


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


def save_disposal_dates(store: Store, customer_id: str, *, deletion_instructed_on: date | None,
                        contract_ended_on: date | None, actor: str, today: date | None = None,
                        at: datetime | None = None) -> list[str]:
    """Record (or clear, with None) when the customer instructed deletion of its data and when its
    contract ended. From the earlier day every record of the customer is due for disposal. Each changed
    date gets a customer_changes entry in the same transaction. Returns the changed fields."""
    new = {"deletion_instructed_on": deletion_instructed_on, "contract_ended_on": contract_ended_on}
    stamp = to_utc_naive(at or now_utc())
    day = today or clock.today()

    def change(cur: duckdb.DuckDBPyConnection) -> list[str]:
        found = run_named(cur, "customer_disposal_dates", customer_id=customer_id).fetchone()
        if found is None:
            raise CustomerInputError({"customer_id": f"{customer_id} is not a customer's id."})
        old = {"deletion_instructed_on": found[1], "contract_ended_on": found[2]}
        errors = validate_disposal_dates(new, today=day, existed_from=found[3])
        if errors:
            raise CustomerInputError(errors)
        changed = [k for k in new if old[k] != new[k]]
        if not changed:
            return []
        cur.execute("UPDATE customers SET deletion_instructed_on = $instructed, contract_ended_on = $ended "
                    "WHERE customer_id = $id",
                    {"id": customer_id, "instructed": deletion_instructed_on, "ended": contract_ended_on})
        for key in changed:
            cur.execute(
                "INSERT INTO customer_changes (customer_id, changed_at, changed_by, field, old_value, new_value) "
                "VALUES ($id, $at, $actor, $field, $old, $new)",
                {"id": customer_id, "at": stamp, "actor": actor, "field": key,
                 "old": None if old[key] is None else old[key].isoformat(),
                 "new": None if new[key] is None else new[key].isoformat()})
        return changed

    return store.write(change)

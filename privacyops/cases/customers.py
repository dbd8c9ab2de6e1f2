"""Customers (the controllers) and the terms of their data processing agreements: the writes.

What the details and terms must be is checked first by the pure rules of privacyops.rules.customer_terms
(the forwarding term against the statutory clock: privacyops.rules.forwarding). The forwarding term drives
the processor's clock (rules.md 2); the retention terms drive the backlog (rules.md 4). Every change is
recorded in customer_changes (who, when, old, new) in the same transaction as the change itself; a
retention term applies from the day of its change (rules.md 4, Art. 28(3)(a)). A customer's deletion
instruction and the end of its contract (Art. 28(3)(g)) make every record of the customer due for
disposal from that day (`save_disposal_dates`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

import duckdb

from privacyops import clock
from privacyops.clock import now_utc, to_utc_naive
from privacyops.rules.customer_terms import (
    Customer,
    validate,
    validate_consent_policy,
    validate_disposal_dates,
)
from privacyops.store import Store, run_named


class CustomerInputError(ValueError):
    """Input that cannot be saved; `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


def _record_changes(cur: duckdb.DuckDBPyConnection, customer_id: str, *, at: datetime, actor: str,
                    changes: Mapping[str, tuple[str | None, str | None]]) -> None:
    """One customer_changes row per changed field (field -> (old, new) as text), in the caller's transaction."""
    for key, (old, new) in changes.items():
        cur.execute(
            "INSERT INTO customer_changes (customer_id, changed_at, changed_by, field, old_value, new_value) "
            "VALUES ($id, $at, $actor, $field, $old, $new)",
            {"id": customer_id, "at": at, "actor": actor, "field": key, "old": old, "new": new})


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
        _record_changes(cur, customer.customer_id, at=stamp, actor=actor,
                        changes={k: (None if k not in old else str(old[k]), str(new[k])) for k in changed})
        return changed

    return store.write(change, touches=("customers",))


# --- the consent policy in force (rules.md 3) ----------------------------------------------------------

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
        _record_changes(cur, customer_id, at=stamp, actor=actor, changes={k: (old[k], new[k]) for k in changed})
        return changed

    return store.write(change, touches=("customers",))


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
        _record_changes(cur, customer_id, at=stamp, actor=actor,
                        changes={"consent_policy_confirmed": ("false", "true")})
        return True

    return store.write(change, touches=("customers",))


# --- the customer's deletion instruction and contract end (Art. 28(3)(g); rules.md 4) ----------------

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
        _record_changes(cur, customer_id, at=stamp, actor=actor,
                        changes={k: (None if old[k] is None else old[k].isoformat(),
                                     None if new[k] is None else new[k].isoformat()) for k in changed})
        return changed

    return store.write(change, touches=("customers",))

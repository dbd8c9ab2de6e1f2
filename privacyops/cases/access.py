"""Who may do what, and the trace every look at personal data leaves.

OpenID Connect says who someone is; what they may do is ours: an email or a group claim maps to a
role in `access_grants`, edited by admins. The access log is append-only and hash-chained like the
request history (GDPR Art. 5(2) and 32: we can show who saw personal data, and tampering shows).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from privacyops.clock import now_utc, to_utc_naive
from privacyops.store import Store, history, run_named

ROLES: dict[str, str] = {
    "management": "Management",
    "support": "Support",
    "analyst": "Analyst",
    "admin": "Admin",
}
# When someone holds several grants (their email and a group), the widest role wins.
ROLE_RANK = {"analyst": 1, "management": 2, "support": 3, "admin": 4}

EVENTS: dict[str, str] = {
    "sign_in": "Signed in",
    "sign_out": "Signed out",
    "access_denied": "Access denied",
    "role_change": "Role changed",
    "reveal": "Contact details revealed",
    "export": "Export downloaded",
    "explorer_query": "Explorer query",
    "anonymise": "Contact details anonymised",
    "setting_change": "Rule setting changed",
}

# What each role may do beyond seeing its pages (the pages themselves: ui/nav.py).
PERMISSIONS: dict[str, frozenset[str]] = {
    "reveal_contact": frozenset({"support", "admin"}),
    "work_requests": frozenset({"support", "admin"}),
    "import_data": frozenset({"support", "analyst", "admin"}),
    "export_consent": frozenset({"analyst", "admin"}),
    "run_explorer": frozenset({"analyst", "admin"}),
    "edit_customers": frozenset({"admin"}),
    "edit_access": frozenset({"admin"}),
    "view_access_log": frozenset({"admin"}),
    "edit_settings": frozenset({"admin"}),
}


# Who may import (and see the runs and rejects of) each kind of file: customers and their DPA terms are
# the admin's (as on the Customers page); request files hold requesters' contact details, which only
# support and admins see; consent and retention files hold pseudonymous ids only.
IMPORT_ROLES: dict[str, frozenset[str]] = {
    "customers": frozenset({"admin"}),
    "requests": frozenset({"support", "admin"}),
    "consent": frozenset({"support", "analyst", "admin"}),
    "retention": frozenset({"support", "analyst", "admin"}),
}


def importable_kinds(role: str | None) -> list[str]:
    """The kinds of file this role may import, in the order they should be imported."""
    return [kind for kind, roles in IMPORT_ROLES.items() if role in roles]


class AccessError(PermissionError):
    """The user's role does not allow this; nothing was done."""


def may(role: str | None, permission: str) -> bool:
    """Whether a role holds a permission (unknown roles and permissions hold nothing)."""
    return role is not None and role in PERMISSIONS.get(permission, frozenset())


def require(role: str | None, permission: str) -> None:
    if not may(role, permission):
        who = ROLES.get(role or "", "an unknown user")
        raise AccessError(f"The {who} role may not {permission.replace('_', ' ')}. Ask an admin if you need to.")


def normalise_principal(kind: str, principal: str) -> str:
    return principal.strip().lower() if kind == "email" else principal.strip()


def email_verified(claims: Mapping[str, Any]) -> bool | None:
    """What the identity provider's `email_verified` claim says: True, False, or None when it says nothing.
    Some providers send the claim as the text "true"/"false"; any other value counts as not verified."""
    value = claims.get("email_verified")
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return value is True


def unverified_email_refusal(claims: Mapping[str, Any], *, require_claim: bool = True) -> str | None:
    """Why a sign-in must be refused because its email address is not proven to be the person's, or None.

    Roles are granted by email address, so an address the provider has not verified (someone registered or
    changed to an admin's address without proof) must not get that address's role. Refused always when the
    provider says `email_verified: false`; when it says nothing, refused unless `require_claim` is off (the
    setting `require_email_verified` in [privacyops] of the secrets, for providers that never send the claim
    because the company assigns every address itself, such as Microsoft Entra ID)."""
    email = str(claims.get("email") or "")
    verified = email_verified(claims)
    if verified:
        return None
    if verified is False:
        return (f"Your identity provider says the email address {email} is not verified, so Privacy Ops cannot "
                "tell that it is yours, and roles are given by email address. Verify the address with your "
                "identity provider (or ask your IT department to), then sign in again.")
    if not require_claim:
        return None
    return (f"Your identity provider did not say whether the email address {email} is verified (the sign-in "
            "has no email_verified claim), so Privacy Ops cannot tell that it is yours, and roles are given by "
            "email address. Ask an admin: if your company's provider assigns every address itself, they can "
            "set require_email_verified = false under [privacyops] in the dashboard's secrets.")


def resolve_role(store: Store, email: str | None, groups: Iterable[str] = (),
                 bootstrap_admins: Iterable[str] = ()) -> str | None:
    """The role of a signed-in person: bootstrap admins (from secrets) first, then the widest of their
    email's and their groups' grants; None for someone nobody has granted access."""
    address = (email or "").strip().lower()
    if not address:
        return None
    if address in {a.strip().lower() for a in bootstrap_admins}:
        return "admin"
    grants = store.query("access_grants")
    roles = [row.role for row in grants.itertuples()
             if (row.principal_kind == "email" and row.principal == address)
             or (row.principal_kind == "group" and row.principal in set(groups))]
    return max(roles, key=ROLE_RANK.__getitem__) if roles else None


def append_in_transaction(cur: duckdb.DuckDBPyConnection, *, actor: str, event: str, target: str,
            detail: Mapping[str, Any] | str, at: datetime) -> int:
    last = run_named(cur, "access_log_last").fetchone()
    entry_id, prev = (last[0] + 1, last[1]) if last else (1, history.GENESIS_HASH)
    detail_text = detail if isinstance(detail, str) else history.canonical_changes(detail)
    digest = history.entry_hash(prev, entry_id, target, at, actor, event, detail_text, "")
    cur.execute("INSERT INTO access_log VALUES ($id, $at, $actor, $event, $target, $detail, $prev, $hash)",
                {"id": entry_id, "at": at, "actor": actor, "event": event, "target": target,
                 "detail": detail_text, "prev": prev, "hash": digest})
    return entry_id


def log_event(store: Store, *, actor: str, event: str, target: str = "",
              detail: Mapping[str, Any] | str = "", at: datetime | None = None) -> int:
    """Append one entry to the access log (its own transaction)."""
    if event not in EVENTS:
        raise ValueError(f"unknown access event '{event}'")
    stamp = to_utc_naive(at or now_utc())
    return store.write(lambda cur: append_in_transaction(cur, actor=actor, event=event, target=target,
                                                         detail=detail, at=stamp), touches=("access",))


@dataclass(frozen=True)
class Grant:
    principal_kind: str
    principal: str
    role: str | None   # None removes the grant


def set_grant(store: Store, grant: Grant, *, actor: str, actor_role: str | None) -> None:
    """Give, change or remove a role; the change and its access-log entry land together."""
    require(actor_role, "edit_access")
    if grant.principal_kind not in ("email", "group"):
        raise ValueError("A grant is for an email address or a group.")
    principal = normalise_principal(grant.principal_kind, grant.principal)
    if not principal:
        raise ValueError("Say whose access this is (an email address or a group name).")
    if grant.principal_kind == "email" and "@" not in principal:
        raise ValueError(f"'{principal}' is not an email address.")
    if grant.role is not None and grant.role not in ROLES:
        raise ValueError(f"'{grant.role}' is not a role; roles: {', '.join(ROLES)}.")
    stamp = to_utc_naive(now_utc())

    def change(cur: duckdb.DuckDBPyConnection) -> None:
        before = run_named(cur, "access_grant", principal_kind=grant.principal_kind, principal=principal).fetchone()
        old_role = before[0] if before else None
        if old_role == grant.role:
            return
        if grant.role is None:
            cur.execute("DELETE FROM access_grants WHERE principal_kind = $k AND principal = $p",
                        {"k": grant.principal_kind, "p": principal})
        else:
            cur.execute("INSERT INTO access_grants VALUES ($k, $p, $role, $at, $by) "
                        "ON CONFLICT (principal_kind, principal) DO UPDATE SET role = excluded.role, "
                        "granted_at = excluded.granted_at, granted_by = excluded.granted_by",
                        {"k": grant.principal_kind, "p": principal, "role": grant.role, "at": stamp, "by": actor})
        append_in_transaction(cur, actor=actor, event="role_change", target=f"{grant.principal_kind}:{principal}",
                detail={"role": [old_role, grant.role]}, at=stamp)

    store.write(change, touches=("access",))


def verify_access_log(store: Store) -> list[history.ChainProblem]:
    """Check the access log's hash chain; [] when nothing was changed, removed or reordered."""
    frame = store.query("access_log_chain")
    rows = ((int(r.entry_id), r.target, r.recorded_at.to_pydatetime(), r.actor, r.event, r.detail, "",
             r.prev_hash, r.entry_hash) for r in frame.itertuples(index=False))
    return history.verify_chain(rows)

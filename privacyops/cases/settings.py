"""Changing the DPO's rule settings: validated, stored with who and when, and traced in the access log."""

from __future__ import annotations

from datetime import datetime

import duckdb

from privacyops.cases import access
from privacyops.clock import now_utc, to_utc_naive
from privacyops.rules import settings
from privacyops.store import Store
from privacyops.store import settings as stored_settings


def save_setting(store: Store, key: str, raw: str, *, actor: str, actor_role: str | None,
                 at: datetime | None = None) -> bool:
    """Store a new value for one setting; returns False when it was already that value.

    Settings apply from the moment they change: requests already logged keep the due date counted when
    they arrived (their explanation says which reading was used)."""
    access.require(actor_role, "edit_settings")
    value = settings.parse(key, raw)
    stamp = to_utc_naive(at or now_utc())

    def change(cur: duckdb.DuckDBPyConnection) -> bool:
        old = str(getattr(stored_settings.read(cur), key)).lower()
        if old == value:
            return False
        cur.execute("INSERT INTO settings VALUES ($k, $v, $at, $by) ON CONFLICT (key) DO UPDATE SET "
                    "value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                    {"k": key, "v": value, "at": stamp, "by": actor})
        access.append_in_transaction(cur, actor=actor, event="setting_change", target=key,
                                     detail={key: [old, value]}, at=stamp)
        return True

    return store.write(change, touches=("settings", "access"))

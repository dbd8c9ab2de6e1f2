"""The DPO's rule settings as stored, read the one way: from a cursor (inside a write transaction, so a
write counts with the settings it sees) or from the store. A key not set means its default
(privacyops.rules.settings)."""

from __future__ import annotations

import duckdb

from privacyops.rules.settings import RuleSettings
from privacyops.store.database import Store
from privacyops.store.queries import run_named


def read(cur: duckdb.DuckDBPyConnection) -> RuleSettings:
    """The settings as this cursor sees them."""
    return RuleSettings.from_values({row[0]: row[1] for row in run_named(cur, "rule_settings").fetchall()})


def current(store: Store) -> RuleSettings:
    """The settings as stored now."""
    with store.cursor() as cur:
        return read(cur)

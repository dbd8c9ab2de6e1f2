"""The dashboard's daily housekeeping, once a day per process: anonymise requester contacts whose evidence
period has ended (rules.md 4) and take the day's verified backup, pruning those past their keeping time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from privacyops.cases import backup, contacts
from privacyops.cases.backup import BackupCheck
from privacyops.store import Store
from privacyops.store import settings as stored_settings


@dataclass(frozen=True)
class Housekeeping:
    anonymised: int
    backup: BackupCheck | None      # None: today's backup was already there


def daily(store: Store, *, today: date, actor: str = "privacyops (daily)") -> Housekeeping:
    """Both daily jobs; the backup comes second so it never holds a contact that was due to go today."""
    anonymised = contacts.anonymise_expired_contacts(store, today=today, actor=actor)
    made = backup.ensure_daily(store, keep_days=stored_settings.current(store).backup_keep_days)
    return Housekeeping(anonymised, made)

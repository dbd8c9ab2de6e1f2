"""What time it is, in the terms the rules use: UTC instants and Europe/Stockholm dates.

`PRIVACYOPS_TODAY` (YYYY-MM-DD) pins today's date, so a demo store or a test sees the same
deadlines on any day it runs.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def now_utc() -> datetime:
    """The current instant, timezone-aware UTC."""
    return datetime.now(UTC)


def today() -> date:
    """Today's Europe/Stockholm date (or PRIVACYOPS_TODAY when set)."""
    pinned = os.environ.get("PRIVACYOPS_TODAY")
    if pinned:
        return date.fromisoformat(pinned)
    return now_utc().astimezone(STOCKHOLM).date()


def to_utc_naive(moment: datetime) -> datetime:
    """A timezone-aware datetime as the naive UTC value the store keeps."""
    if moment.tzinfo is None:
        raise ValueError("a timestamp must be timezone-aware before it is stored")
    return moment.astimezone(UTC).replace(tzinfo=None)


def from_utc_naive(stored: datetime) -> datetime:
    """A stored naive UTC value as a timezone-aware datetime."""
    return stored.replace(tzinfo=UTC)

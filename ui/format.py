"""How figures and messages look on every page: numbers, percentages, days and dates, Stockholm times,
empty states, store errors, Markdown escaping of stored text, and the demo-data banner."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pandas as pd
import streamlit as st

from privacyops.clock import STOCKHOLM
from privacyops.store import StoreError
from ui import data


def missing(value: Any) -> bool:
    return value is None or pd.isna(value)


def fmt_int(value: Any) -> str:
    return "–" if missing(value) else f"{int(value):,}".replace(",", " ")


def fmt_pct(value: Any, digits: int = 1) -> str:
    return "–" if missing(value) else f"{float(value) * 100:.{digits}f} %"


def fmt_days(value: Any) -> str:
    """A number of days as people write it: 10 days, 10.5 days."""
    return "–" if missing(value) else f"{float(value):.1f}".removesuffix(".0") + " days"


def fmt_weekday_date(value: Any) -> str:
    """A date (or timestamp) as 'Mon 2026-03-02'."""
    if missing(value):
        return "–"
    day = value.date() if hasattr(value, "date") and callable(value.date) else value
    return f"{day:%a %Y-%m-%d}"


def fmt_local_time(value: Any) -> str:
    """A stored naive-UTC timestamp as Stockholm wall-clock time."""
    if missing(value):
        return "–"
    moment = pd.Timestamp(value).tz_localize("UTC").tz_convert(STOCKHOLM)
    return f"{moment:%Y-%m-%d %H:%M} (Stockholm)"


def fmt_iso_local(value: Any) -> Any:
    """An ISO timestamp from the history (naive UTC) as Stockholm wall-clock time; anything else unchanged."""
    try:
        return fmt_local_time(datetime.fromisoformat(value)) if isinstance(value, str) else value
    except ValueError:
        return value


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>#~$|])")


def md_escape(text: Any) -> str:
    """Stored or typed text made safe to put inside a Markdown string: every Markdown character is
    escaped, so a name like '**x**' or '[a](b)' shows as typed and never becomes a link or HTML."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(text))


def show_store_error(error: StoreError) -> None:
    """The title in bold; the message (which may quote typed values) as plain text."""
    st.error(f"**{error.title}.**")
    st.text(str(error))


def empty_state(message: str) -> None:
    st.info(message, icon="ℹ️")


def is_demo_store() -> bool:
    meta = data.query("store_meta")
    return dict(zip(meta["key"], meta["value"], strict=True)).get("contents") == "demo"


def demo_banner() -> None:
    """Say plainly when the figures are demo data."""
    meta = data.query("store_meta")
    values = dict(zip(meta["key"], meta["value"], strict=True))
    if values.get("contents") == "demo":
        st.info(f"**Demo data.** Everything shown here is invented (generated "
                f"{values.get('demo_generated_at', '')[:10]}); no real person or customer is in it.",
                icon="🧪")

"""How figures and messages look on every page: numbers, percentages, days and dates, Stockholm times,
empty states, store errors, Markdown escaping of stored text, and the demo-data banner."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
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


# A date_input's range, for dates the server checks: every date that can be typed. A date typed outside a
# date_input's min/max is not sent (the widget keeps its old value), so a narrower range would silently replace
# a typed date; the use case refuses a wrong one with the field named instead (issue 11).
ANY_DATE: dict[str, date] = {"min_value": date.min, "max_value": date.max}


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


# --- changes against an earlier period, and the KPI tile that shows them (Overview) -----------------

def fmt_pp_change(now: Any, before: Any) -> str | None:
    """A change of a share, in percentage points."""
    return None if missing(now) or missing(before) else f"{(float(now) - float(before)) * 100:+.1f} pp"


def fmt_count_change(now: Any, before: Any) -> str | None:
    return None if missing(now) or missing(before) else f"{int(now) - int(before):+d}"


def fmt_days_change(now: Any, before: Any) -> str | None:
    if missing(now) or missing(before):
        return None
    change = float(now) - float(before)
    return ("+" if change >= 0 else "-") + f"{fmt_days(abs(change))}"


def trend_points(frame: pd.DataFrame, column: str) -> list[float] | None:
    """A column's values for a tile's small trend; None when there are fewer than two."""
    values = [float(v) for v in frame[column] if not missing(v)] if column in frame else []
    return values if len(values) >= 2 else None


def kpi_tile(label: str, value: str, *, delta: str | None, delta_text: str, help_text: str,
             trend: list[float] | None, chart_type: str = "area", delta_color: str = "normal",
             link: Callable[[], None]) -> None:
    """A headline figure with its change, its small trend and a link to the page that explains it."""
    st.metric(label, value, delta=delta, delta_color=delta_color, help=f"{help_text} Change: {delta_text}.",
              border=True, chart_data=trend, chart_type=chart_type)
    link()

"""privacyops/charts.py draws every chart from its query's DataFrame without Streamlit, so a command-line
report can render the same charts as the pages."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pandas as pd

from privacyops import charts
from privacyops.rules.forecast import weekly_trend


def test_charts_import_no_streamlit() -> None:
    """Importing the charts in a fresh interpreter loads no Streamlit (a later PDF report runs without it)."""
    probe = "import sys, privacyops.charts; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_consent_rate_chart_labels_purposes_and_keeps_the_style() -> None:
    rates = pd.DataFrame({"period_start": pd.to_datetime(["2026-01-05", "2026-01-05"]),
                          "purpose": ["analytics", "marketing"], "opt_in_rate": [0.5, 0.25],
                          "valid_opt_ins": [5, 2], "decisions": [10, 8]})
    spec = charts.consent_rate_over_time(rates, "Week").to_dict()
    assert spec["encoding"]["color"]["scale"]["range"] == charts.PALETTE
    assert spec["encoding"]["x"]["title"] == "Week starting"
    values = next(iter(spec["datasets"].values()))
    assert {row["purpose"] for row in values} == {"Analytics", "Marketing"}   # labels, not codes


def test_open_by_days_left_colours_the_bands() -> None:
    frame = pd.DataFrame({"days_left": [-2, 3, 20], "queue_status": ["Overdue", "Due soon", "On track"],
                          "requests": [1, 2, 3]})
    scale = charts.open_by_days_left(frame).to_dict()["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"], strict=True)) == charts.STATUS_COLOURS


def test_backlog_weekly_draws_the_recent_trend_only_when_there_is_one() -> None:
    weeks = [date(2026, 1, 4), date(2026, 1, 11), date(2026, 1, 18), date(2026, 1, 25), date(2026, 2, 1)]
    counts = [10, 12, 15, 15, 20]
    weekly = pd.DataFrame({"week_end": pd.to_datetime(weeks), "backlog_records": counts})
    with_trend = charts.backlog_weekly(weekly, weekly_trend(weeks, counts)).to_dict()
    assert len(with_trend["layer"]) == 2
    assert with_trend["layer"][1]["mark"]["strokeDash"] == [6, 4]
    assert "layer" not in charts.backlog_weekly(weekly, None).to_dict()

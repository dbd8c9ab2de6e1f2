"""Every chart of Privacy Ops, in one look: the same colours, readable axis titles, tooltips on every mark.

Each chart is a function from the DataFrame its named query returns (durations already numbers: Altair
rejects timedeltas) to an Altair chart. The pages hand it to st.altair_chart; a command-line report can
render the same chart (vl-convert) without Streamlit, which is why nothing here imports it (the layer check
allows privacyops.rules only). The style helpers (line, bars, sparkline) come first, then the charts by page.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from privacyops.rules.consent import CONSENT_PURPOSES, METHODS, PURPOSES
from privacyops.rules.forecast import Trend
from privacyops.rules.lifecycle import REQUEST_TYPES
from privacyops.rules.retention import DATA_CATEGORIES

# Colour-blind-safe categorical palette, used for every series in the same order.
PALETTE = ["#1f5fa8", "#e07b39", "#3a9d5d", "#c2414b", "#7b5ea7", "#8c6d31", "#3fa7b5", "#d4a017"]
# Meaning colours for the queue and breaches.
STATUS_COLOURS = {"Overdue": "#c2414b", "Due soon": "#e0a030", "On track": "#3a9d5d"}
HEIGHT = 280


def _axis_format(fmt: str | None) -> dict:
    return {"format": fmt} if fmt else {}


def line(frame: pd.DataFrame, x: str, y: str, *, color: str | None = None, x_title: str = "",
         y_title: str = "", y_format: str | None = None, height: int = HEIGHT,
         tooltip: list | None = None, y_zero: bool = True) -> alt.Chart:
    """A time line. `y_zero=False` fits the y axis to the data, for a rate that moves near 100 %."""
    encode = {
        "x": alt.X(f"{x}:T", title=x_title),
        "y": alt.Y(f"{y}:Q", title=y_title, axis=alt.Axis(**_axis_format(y_format)),
                   scale=alt.Scale(zero=y_zero)),
        "tooltip": tooltip or [alt.Tooltip(f"{x}:T", title=x_title or x),
                               alt.Tooltip(f"{y}:Q", title=y_title or y, format=y_format or ",")],
    }
    if color:
        encode["color"] = alt.Color(f"{color}:N", title=None, scale=alt.Scale(range=PALETTE),
                                    legend=alt.Legend(orient="bottom"))
        encode["tooltip"] = [*encode["tooltip"], alt.Tooltip(f"{color}:N")]
    chart = alt.Chart(frame).mark_line(point=alt.OverlayMarkDef(size=18)).encode(**encode)
    return chart.properties(height=height)


def bars(frame: pd.DataFrame, category: str, value: str, *, color: str | None = None,
         horizontal: bool = True, category_title: str = "", value_title: str = "",
         value_format: str | None = None, height: int | None = None, sort: str | list | None = "-x",
         colour_map: dict[str, str] | None = None, stack: bool = True) -> alt.Chart:
    """Bars by category; horizontal by default so long names stay readable."""
    cat_enc = (alt.Y if horizontal else alt.X)(f"{category}:N", title=category_title,
                                               sort=sort if horizontal else None,
                                               axis=alt.Axis(labelLimit=260))
    val_enc = (alt.X if horizontal else alt.Y)(f"{value}:Q", title=value_title,
                                               axis=alt.Axis(**_axis_format(value_format)),
                                               stack=True if stack else None)
    tooltip = [alt.Tooltip(f"{category}:N", title=category_title or category),
               alt.Tooltip(f"{value}:Q", title=value_title or value, format=value_format or ",")]
    encode = {"y": cat_enc, "x": val_enc} if horizontal else {"x": cat_enc, "y": val_enc}
    if color:
        scale = (alt.Scale(domain=list(colour_map), range=list(colour_map.values())) if colour_map
                 else alt.Scale(range=PALETTE))
        encode["color"] = alt.Color(f"{color}:N", title=None, scale=scale, legend=alt.Legend(orient="bottom"))
        tooltip.append(alt.Tooltip(f"{color}:N"))
    else:
        encode["color"] = alt.value(PALETTE[0])
    encode["tooltip"] = tooltip
    n = frame[category].nunique() if not frame.empty else 1
    chart = alt.Chart(frame).mark_bar().encode(**encode)
    return chart.properties(height=height or (max(120, 26 * n) if horizontal else HEIGHT))



def _period_tooltip(grain_title: str) -> alt.Tooltip:
    return alt.Tooltip("period_start:T", title=f"{grain_title} starting")


def _purposes(frame: pd.DataFrame) -> pd.DataFrame:
    """Purpose codes as their labels (the legend and the tooltips show labels)."""
    return frame.assign(purpose=frame["purpose"].map(PURPOSES).fillna(frame["purpose"]))


# --- Consent (queries consent_*) ------------------------------------------------------------------

def consent_rate_over_time(rates: pd.DataFrame, grain_title: str) -> alt.Chart:
    """Valid opt-in rate per purpose and period (consent_rate_over_time)."""
    return line(_purposes(rates), "period_start", "opt_in_rate", color="purpose", x_title=f"{grain_title} starting",
                y_title="Valid opt-in rate", y_format=".0%",
                tooltip=[_period_tooltip(grain_title),
                         alt.Tooltip("purpose:N", title="Purpose"),
                         alt.Tooltip("opt_in_rate:Q", title="Valid opt-in rate", format=".1%"),
                         alt.Tooltip("valid_opt_ins:Q", title="Valid opt-ins", format=","),
                         alt.Tooltip("decisions:Q", title="Consent decisions", format=",")])


def not_consent_records(events: pd.DataFrame, grain_title: str) -> alt.Chart:
    """Implied-by-use and pre-ticked records per period, stacked (consent_events_over_time)."""
    invalid = events.melt(id_vars=["period_start"], value_vars=["implied_records", "pre_ticked_records"],
                          var_name="kind", value_name="records")
    invalid = invalid.assign(kind=invalid["kind"].map({"implied_records": "Implied by use",
                                                       "pre_ticked_records": "Pre-ticked boxes"}))
    return alt.Chart(invalid).mark_bar().encode(
        x=alt.X("period_start:T", title=f"{grain_title} starting"),
        y=alt.Y("records:Q", title="Records (not consent)", stack=True),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(range=[PALETTE[3], PALETTE[1]]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[_period_tooltip(grain_title), alt.Tooltip("kind:N", title="Kind"),
                 alt.Tooltip("records:Q", title="Records", format=",")],
    ).properties(height=HEIGHT)


def not_consent_share(events: pd.DataFrame, grain_title: str) -> alt.Chart:
    """The share of consent decisions that are not consent, per period (consent_events_over_time)."""
    shares = events.dropna(subset=["invalid_share"])
    return line(shares, "period_start", "invalid_share", x_title=f"{grain_title} starting",
                y_title="Share of decisions", y_format=".0%",
                tooltip=[_period_tooltip(grain_title),
                         alt.Tooltip("invalid_share:Q", title="Not consent", format=".1%"),
                         alt.Tooltip("invalid_records:Q", title="Records (not consent)", format=","),
                         alt.Tooltip("decisions:Q", title="Consent decisions", format=",")])


def withdrawals(events: pd.DataFrame, grain_title: str) -> alt.Chart:
    """Withdrawals per period (consent_events_over_time)."""
    return alt.Chart(events).mark_bar(color=PALETTE[4]).encode(
        x=alt.X("period_start:T", title=f"{grain_title} starting"),
        y=alt.Y("withdrawals:Q", title="Withdrawals"),
        tooltip=[_period_tooltip(grain_title), alt.Tooltip("withdrawals:Q", title="Withdrawals", format=",")],
    ).properties(height=200)


def consent_rate_by_group(breakdown: pd.DataFrame, group_title: str) -> alt.Chart:
    """Valid opt-in rate per purpose for each group (customer, country, ...), grouped bars (consent_breakdown)."""
    long = breakdown.melt(id_vars=["group_label", "decisions"], value_vars=[f"{p}_rate" for p in CONSENT_PURPOSES],
                          var_name="purpose", value_name="rate")
    long = long.assign(purpose=long["purpose"].str.removesuffix("_rate").map(PURPOSES)).dropna(subset=["rate"])
    group_order = breakdown["group_label"].tolist()
    return alt.Chart(long).mark_bar().encode(
        y=alt.Y("group_label:N", title=group_title, sort=group_order, axis=alt.Axis(labelLimit=260)),
        yOffset=alt.YOffset("purpose:N", sort=[PURPOSES[p] for p in CONSENT_PURPOSES]),
        x=alt.X("rate:Q", title="Valid opt-in rate", axis=alt.Axis(format=".0%")),
        # the same colours as line() gives the purposes (alphabetical order, the shared palette)
        color=alt.Color("purpose:N", title=None, scale=alt.Scale(range=PALETTE), legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("group_label:N", title=group_title), alt.Tooltip("purpose:N", title="Purpose"),
                 alt.Tooltip("rate:Q", title="Valid opt-in rate", format=".1%"),
                 alt.Tooltip("decisions:Q", title="Consent decisions", format=",")],
    ).properties(height=max(140, 54 * len(group_order)))


def consent_rate_around_policy_change(around: pd.DataFrame) -> alt.LayerChart:
    """Valid opt-in rate per purpose by week from the policy change, week 0 marked
    (consent_policy_change_weekly)."""
    chart = alt.Chart(_purposes(around)).mark_line(point=alt.OverlayMarkDef(size=18)).encode(
        x=alt.X("week_no:Q", title="Weeks from the day the policy took effect", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("opt_in_rate:Q", title="Valid opt-in rate", axis=alt.Axis(format=".0%")),
        color=alt.Color("purpose:N", title=None, scale=alt.Scale(range=PALETTE),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("week_no:Q", title="Week from the change"),
                 alt.Tooltip("week_start:T", title="Week starting"),
                 alt.Tooltip("purpose:N", title="Purpose"),
                 alt.Tooltip("opt_in_rate:Q", title="Valid opt-in rate", format=".1%"),
                 alt.Tooltip("decisions:Q", title="Consent decisions", format=",")])
    marker = alt.Chart(pd.DataFrame({"at": [0], "label": ["policy took effect"]}))
    chart = chart + marker.mark_rule(strokeDash=[4, 4], color="#666").encode(x="at:Q") + \
        marker.mark_text(align="left", dx=4, dy=-6, color="#666").encode(x="at:Q", y=alt.value(8), text="label:N")
    return chart.properties(height=HEIGHT)


# --- Explore (queries explore_*) --------------------------------------------------------------------

def records_per_week_by_method(weekly: pd.DataFrame) -> alt.Chart:
    """Consent records per week, stacked by method (explore_weekly)."""
    frame = weekly.assign(method_label=weekly["method"].map(METHODS).fillna(weekly["method"]))
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("week_start:T", title="Week starting (Monday)"),
        y=alt.Y("records:Q", title="Consent records", stack=True),
        color=alt.Color("method_label:N", title=None, scale=alt.Scale(range=PALETTE),
                        legend=alt.Legend(orient="bottom", labelLimit=260)),
        tooltip=[alt.Tooltip("week_start:T", title="Week starting"), alt.Tooltip("method_label:N", title="Method"),
                 alt.Tooltip("records:Q", title="Records", format=",")],
    ).properties(height=HEIGHT)


# --- SLAs (queries sla_*) ----------------------------------------------------------------------------

def request_type_labels(frame: pd.DataFrame) -> pd.Series:
    """The request_type column as the types' names."""
    return frame["request_type"].map(REQUEST_TYPES).fillna(frame["request_type"])


def on_time_by_month(by_month: pd.DataFrame) -> alt.Chart:
    """The on-time rate by month of closing (sla_on_time_by_month)."""
    return line(by_month, "month", "on_time_rate", x_title="Month closed", y_title="Answered on time", y_format=".0%",
                y_zero=False,
                tooltip=[alt.Tooltip("month:T", title="Month", format="%B %Y"),
                         alt.Tooltip("on_time_rate:Q", title="On time", format=".1%"),
                         alt.Tooltip("on_time_requests:Q", title="On time (requests)"),
                         alt.Tooltip("late_requests:Q", title="Late (requests)"),
                         alt.Tooltip("closed_requests:Q", title="Closed (requests)")])


def on_time_by_type(by_type: pd.DataFrame) -> alt.Chart:
    """The on-time rate by request type (sla_on_time_by_type)."""
    typed = by_type.assign(request_type_label=request_type_labels(by_type))
    return bars(typed, "request_type_label", "on_time_rate", category_title="Request type",
                value_title="Answered on time", value_format=".0%", height=max(160, 36 * len(typed)))


def open_by_days_left(open_by_days: pd.DataFrame) -> alt.Chart:
    """Open requests by days left, coloured by queue band (sla_open_by_days_left)."""
    return alt.Chart(open_by_days).mark_bar().encode(
        x=alt.X("days_left:Q", bin=alt.Bin(step=1),
                title="Days left until the effective due date (negative: overdue)"),
        y=alt.Y("requests:Q", title="Open requests", stack=True, axis=alt.Axis(format="d", tickMinStep=1)),
        color=alt.Color("queue_status:N", title=None, legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values()))),
        tooltip=[alt.Tooltip("days_left:Q", title="Days left"), alt.Tooltip("queue_status:N", title="Status"),
                 alt.Tooltip("requests:Q", title="Open requests")],
    ).properties(height=HEIGHT)


# --- Retention (queries retention_*) -------------------------------------------------------------------

def _bar_height(bars: int) -> int:
    """Room for every bar and its label, with the axis below."""
    return 60 + 30 * max(bars, 3)


def backlog_by_category(by_category: pd.DataFrame) -> alt.Chart:
    """Records in the backlog per data category (retention_backlog_by_category)."""
    frame = by_category.assign(category=by_category["data_category"].map(DATA_CATEGORIES)
                               .fillna(by_category["data_category"]))
    return bars(frame, "category", "backlog_records", category_title="Data category",
                value_title="Records in the backlog", height=_bar_height(len(frame))).configure_axisY(labelLimit=220)


def backlog_by_customer(by_customer: pd.DataFrame) -> alt.Chart:
    """Records in the backlog per customer (retention_backlog_by_customer)."""
    frame = by_customer.assign(customer=by_customer["customer_name"] + " (" + by_customer["customer_id"] + ")")
    return bars(frame, "customer", "backlog_records", category_title="Customer",
                value_title="Records in the backlog", height=_bar_height(len(frame))).configure_axisY(labelLimit=220)


def backlog_aging(aging: pd.DataFrame, order: Sequence[str]) -> alt.Chart:
    """Records in the backlog by how long past their end of retention, buckets in `order` (retention_aging)."""
    order = list(order)
    return bars(aging, "aging_bucket", "backlog_records", horizontal=False, sort=order,
                category_title="Days past the end of retention", value_title="Records in the backlog").encode(
                    x=alt.X("aging_bucket:N", sort=order, title="Days past the end of retention",
                            axis=alt.Axis(labelAngle=0)))


def backlog_weekly(weekly: pd.DataFrame, trend: Trend | None) -> alt.Chart | alt.LayerChart:
    """The backlog at the end of each week (retention_backlog_weekly, week_end as datetimes), with the recent
    trend as a dashed line when there is one."""
    chart = line(weekly, "week_end", "backlog_records", x_title="Week ending", y_title="Records in the backlog")
    if trend is None or not trend.recent_from < trend.recent_to:
        return chart
    (start_on, start_count), (end_on, end_count) = trend.line
    recent = pd.DataFrame({"week_end": pd.to_datetime([start_on, end_on]),
                           "backlog_records": [start_count, end_count]})
    return chart + alt.Chart(recent).mark_line(strokeDash=[6, 4], color=PALETTE[1], strokeWidth=2.5).encode(
        x="week_end:T", y="backlog_records:Q",
        tooltip=[alt.Tooltip("week_end:T", title="Day"),
                 alt.Tooltip("backlog_records:Q", title="Records in the backlog", format=",")])

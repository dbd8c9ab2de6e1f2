"""One look for every chart: the same colours, readable axis titles, tooltips on every mark.

Pages pass tidy DataFrames (durations already numbers: Altair rejects timedeltas) and get an
Altair chart back to hand to st.altair_chart.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

# Colour-blind-safe categorical palette, used for every series in the same order.
PALETTE = ["#1f5fa8", "#e07b39", "#3a9d5d", "#c2414b", "#7b5ea7", "#8c6d31", "#3fa7b5", "#d4a017"]
# Meaning colours for the queue and breaches.
STATUS_COLOURS = {"Overdue": "#c2414b", "Due soon": "#e0a030", "On track": "#3a9d5d"}
HEIGHT = 280


def _axis_format(fmt: str | None) -> dict:
    return {"format": fmt} if fmt else {}


def line(frame: pd.DataFrame, x: str, y: str, *, color: str | None = None, x_title: str = "",
         y_title: str = "", y_format: str | None = None, height: int = HEIGHT,
         tooltip: list | None = None, rule_at: str | None = None, y_zero: bool = True) -> alt.Chart:
    """A time line; `rule_at` (an ISO date) draws a labelled vertical marker, e.g. a policy change.
    `y_zero=False` fits the y axis to the data, for a rate that moves near 100 %."""
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
    if rule_at:
        marker = alt.Chart(pd.DataFrame({"at": [rule_at], "label": ["policy change"]}))
        chart = chart + marker.mark_rule(strokeDash=[4, 4], color="#666").encode(x="at:T") + \
            marker.mark_text(align="left", dx=4, dy=-6, color="#666").encode(x="at:T", y=alt.value(8),
                                                                            text="label:N")
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


def sparkline(frame: pd.DataFrame, x: str, y: str, *, y_format: str | None = None) -> alt.Chart:
    """A small trend for a KPI tile."""
    return alt.Chart(frame).mark_area(line={"color": PALETTE[0]}, color=PALETTE[0], opacity=0.15).encode(
        x=alt.X(f"{x}:T", axis=None),
        y=alt.Y(f"{y}:Q", axis=None, scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip(f"{x}:T", title="period"), alt.Tooltip(f"{y}:Q", format=y_format or ",")],
    ).properties(height=60)

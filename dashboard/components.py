"""Pieces every chart shares: the source/as-of caption and a CSV download of the plotted data."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import polars as pl
import streamlit as st


def chart_footer(data: pl.DataFrame, *, source: str, as_of: object, key: str) -> None:
    st.caption(f"Source: {source} · data as of {as_of}")
    st.download_button("Download CSV", data.write_csv(), file_name=f"{key}.csv", mime="text/csv",
                       key=f"download-{key}")


def require_rows(rows: int, message: str) -> None:
    """Explain on the page and stop when the marts a page reads hold nothing yet."""
    if not rows:
        st.info(message, icon="ℹ️")
        st.stop()


# One colour per licence class wherever a chart splits by class (Market share, Licences).
LICENCE_CLASS_COLOURS = {
    "permissive": "#2ca02c",
    "copyleft": "#1f77b4",
    "open-restricted": "#ff7f0e",
    "non-commercial": "#d62728",
    "unknown": "#7f7f7f",
}
OTHER_COLOUR = "#c7c7c7"


def percent(share: float | None) -> str:
    """A 0-1 share for a sentence or metric: whole percent, one decimal below 10 %."""
    if share is None:
        return "–"
    return f"{share:.0%}" if share >= 0.095 else f"{share:.1%}"


def snapshot_date_axis(figure, first_date: date, latest_date: date, snapshots: int) -> None:
    """An x axis of daily snapshots: one tick per day while history is short, and a few hours of
    margin each side, so the newest day's tick is drawn (plotly drops a tick on the range edge)."""
    margin = timedelta(hours=4)
    figure.update_xaxes(tickformat="%Y-%m-%d",
                        range=[datetime.combine(first_date, time()) - margin,
                               datetime.combine(latest_date, time()) + margin],
                        **({"dtick": 86_400_000} if snapshots <= 14 else {}))

"""Pieces every chart shares: the source/as-of caption and a CSV download of the plotted data."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import polars as pl
import streamlit as st


def chart_footer(data: pl.DataFrame, *, source: str, as_of: object, key: str) -> None:
    st.caption(f"Source: {source} · data as of {as_of}")
    st.download_button("Download CSV", data.write_csv(), file_name=f"{key}.csv", mime="text/csv",
                       key=f"download-{key}")


DEMO_HINT = "No network here? `make demo` shows every page populated with generated sample data."


def require_rows(rows: int, message: str) -> None:
    """Explain on the page and stop when the marts a page reads hold nothing yet."""
    if not rows:
        st.info(f"{message} {DEMO_HINT}", icon="ℹ️")
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


def _to_url(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def from_url(key: str, default: object, *, options: list | None = None, many: bool = False,
             parse=str) -> None:
    """Seed widget `key` from the page URL (`?key=value`, repeated for a list) on its first run in the
    session, else from `default`, so a shared link opens the same view. Create the widget afterwards
    without a default of its own, then call `to_url` to mirror its value back into the URL. A value
    the URL holds that is not among `options` (or does not parse) falls back to the default."""
    if key in st.session_state:
        return
    raw = st.query_params.get_all(key) if many else st.query_params.get(key)
    value = default
    try:
        if many and raw:
            value = [parse(item) for item in raw]
        elif not many and raw is not None:
            value = parse(raw)
    except ValueError:
        value = default
    if options is not None:
        value = [item for item in value if item in options] if many else value if value in options else default
    st.session_state[key] = value


def to_url(*keys: str) -> None:
    """Write these widgets' current values into the page URL (see `from_url`)."""
    for key in keys:
        value = st.session_state.get(key)
        if value is None:
            st.query_params.pop(key, None)
        else:
            st.query_params[key] = [_to_url(item) for item in value] if isinstance(value, list) else _to_url(value)


def parse_bool(text: str) -> bool:
    if text not in ("true", "false"):
        raise ValueError(text)
    return text == "true"

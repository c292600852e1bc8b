"""Overview: is every source fresh, what did the last runs do, how big is each mart."""

from datetime import UTC, datetime

import polars as pl
import streamlit as st

from collectors.pipeline import SOURCES
from dashboard.data import require_data, run_query

path = require_data()
published_at = run_query("published_at", path)["published_at"][0]
st.title("Open Model Observatory")
st.caption(f"Published {published_at:%Y-%m-%d %H:%M} UTC")

freshness = run_query("source_freshness", path)
kpis = run_query("price_kpis", path).row(0, named=True)
now = datetime.now(UTC)


def _age_h(ts: datetime | None) -> float | None:
    return None if ts is None else (now - ts).total_seconds() / 3600


ages = [_age_h(ts) for ts in freshness["last_success_at"]]
flags = []
for source, status, age in zip(freshness["source"], freshness["last_status"], ages):
    limit = getattr(SOURCES.get(source), "EXPECTED_CADENCE_H", 24) * 2
    flags.append("NEVER SUCCEEDED" if age is None else "LAST RUN FAILED" if status == "failed"
                 else "STALE" if age > limit else "fresh")

cols = st.columns(4)
cols[0].metric("Sources fresh", f"{flags.count('fresh')} / {len(flags)}")
cols[1].metric("Models with a current API price", f"{kpis['priced_models']:,}")
cols[2].metric("API providers", f"{kpis['providers']:,}")
cols[3].metric("Dated price changes, last 365 days", f"{kpis['dated_changes_365d']:,}")

st.subheader("Source freshness")
table = freshness.with_columns(
    pl.Series("freshness", flags),
    pl.Series("age_h", [None if a is None else round(a, 1) for a in ages], dtype=pl.Float64),
).select("source", "freshness", "last_status", "last_success_at", "age_h", "last_success_rows",
         "last_error", "last_success_detail")
st.dataframe(table, hide_index=True, width="stretch", column_config={
    "age_h": st.column_config.NumberColumn("age (hours)"),
    "last_success_rows": st.column_config.NumberColumn("rows loaded", format="%d"),
})
if any(flag != "fresh" for flag in flags):
    st.warning("A source is stale or failing: run `omo collect all && omo build`, and see "
               "`omo status` and data/logs/omo.jsonl for the error.")

left, right = st.columns(2)
with left:
    st.subheader("Recent collector runs")
    st.dataframe(run_query("recent_runs", path), hide_index=True, width="stretch")
with right:
    st.subheader("Published tables")
    st.dataframe(run_query("mart_sizes", path), hide_index=True, width="stretch")

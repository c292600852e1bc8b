"""Ecosystem: one row per model family (or organisation) joining Hub downloads, derivatives,
licences, GitHub stars, API prices and quality scores."""

import polars as pl
import streamlit as st

from dashboard.components import chart_footer, from_url, require_rows, to_url
from dashboard.data import require_data, run_query

SOURCE = ("Hugging Face Hub (downloads, lineage, licences), GitHub (stars), genai-prices and OpenRouter "
          "(prices), Epoch AI, LMArena and Artificial Analysis (quality)")
DIMENSIONS = {"Family": "family", "Organisation": "organization"}
NO_HUB = "No Hub snapshots yet: run `omo collect hf` then `omo build`, and reload this page."

path = require_data({"family_scorecard"}, "ecosystem")
st.title("Ecosystem scorecard")
st.caption("Each model family (or organisation) across every source: 30-day downloads with derivatives "
           "credited to their base model's family, how that share moved, how many fine-tunes, "
           "quantizations, adapters and merges build on it, how much of its use is under permissive "
           "licences, the stars of the repositories that serve it, and the cheapest API price and best "
           "quality score of the models its Hub repos stand for. Click a column to sort.")

from_url("ecosystem_dimension", "Family", options=list(DIMENSIONS))
dimension_label = st.radio("One row per", list(DIMENSIONS), horizontal=True, key="ecosystem_dimension")
to_url("ecosystem_dimension")
board = run_query("ecosystem_scorecard", path, dimension=DIMENSIONS[dimension_label])
require_rows(board.height, NO_HUB)
as_of = board["as_of"][0]

shown = board.drop("as_of")
st.dataframe(shown, hide_index=True, width="stretch", height=620, column_config={
    "key": st.column_config.TextColumn(dimension_label, pinned=True),
    "models": st.column_config.NumberColumn("models", format="%d"),
    "downloads_30d": st.column_config.NumberColumn("downloads, 30 days", format="%d"),
    "share_of_downloads_30d": st.column_config.NumberColumn("share", format="percent"),
    "share_change_7d_pp": st.column_config.NumberColumn("share Δ 7 d (pp)", format="%+.2f",
                                                        help="Change in share, in percentage points, since the "
                                                             "latest snapshot at least 7 days earlier"),
    "share_change_30d_pp": st.column_config.NumberColumn("share Δ 30 d (pp)", format="%+.2f"),
    "downloads_30d_trend": st.column_config.LineChartColumn(
        "30-day downloads, last 30 snapshots", help="One point per daily snapshot, oldest first"),
    "derivatives": st.column_config.NumberColumn("derivatives", format="%d"),
    "derivatives_created_30d": st.column_config.NumberColumn("new derivatives, 30 d", format="%d",
                                                             help="Created on the Hub in the last 30 days"),
    "permissive_share_of_downloads": st.column_config.NumberColumn("permissive share", format="percent"),
    "repo_stars": st.column_config.NumberColumn("GitHub stars", format="%d"),
    "cheapest_blended_usd_per_mtok": st.column_config.NumberColumn(
        "cheapest $/Mtok", format="%.3f", help="Blended 3 input : 1 output, across providers, today"),
    "best_epoch_eci": st.column_config.NumberColumn("best ECI", format="%.1f"),
    "best_lmarena_text": st.column_config.NumberColumn("best Arena", format="%.0f"),
    "best_aa_intelligence_index": st.column_config.NumberColumn("best AA index", format="%.1f"),
})
st.caption("Stars sum the tracked repositories (warehouse/reference/github_repos.csv) tagged with the family or "
           "organisation. Prices and scores come only for models a Hub repo of the family stands for "
           "(OpenRouter's Hub link, or the same name); closed API models have no family here.")
chart_footer(shown.with_columns(pl.col("downloads_30d_trend").list.eval(pl.element().cast(pl.String))
                                .list.join(" ")), source=SOURCE, as_of=as_of, key=f"scorecard_{DIMENSIONS[dimension_label]}")

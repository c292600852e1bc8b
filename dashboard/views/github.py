"""GitHub: stars of the open-model repositories over time, how fast they grow, who leads each
category, and which model families the repos serve."""

import plotly.express as px
import polars as pl
import streamlit as st

from dashboard.components import (
    chart_footer,
    from_url,
    parse_bool,
    require_rows,
    to_url,
)
from dashboard.data import require_data, run_query

SOURCE = "GitHub REST/GraphQL API"
NO_GITHUB = "No GitHub data yet: run `omo collect github` then `omo build`, and reload this page."
GITHUB_MARTS = {"repo_stars_daily", "repo_growth"}
DEFAULT_REPOS = 8  # the most-starred repos charted when the page opens
MARKERS_UP_TO = 31  # points per series; denser lines read better without markers


def _line_chart(data: pl.DataFrame, y: str, axis_title: str, title: str, log: bool = False):
    """One line per series; a null point (a day without a figure) breaks the line. Returns the
    figure and the rows with a figure (what the CSV holds)."""
    known = data.filter(pl.col(y).is_not_null())
    markers = known.height <= MARKERS_UP_TO * max(known["series"].n_unique(), 1)
    # SVG, not WebGL: plotly picks WebGL past 1 000 points, and a WebGL context costs more to set
    # up than these few thousand points of line cost to draw (~0.4 s per chart in a browser
    # without a GPU); a line of a few thousand points is one SVG path.
    figure = px.line(data, x="date", y=y, color="series", log_y=log, markers=markers, title=title,
                     labels={"date": "Date", y: axis_title, "series": "Repository"}, render_mode="svg")
    figure.update_layout(legend={"orientation": "h", "y": -0.2}, legend_title_text=None)
    return figure, known


path = require_data(GITHUB_MARTS, "GitHub")
summary = run_query("github_summary", path).row(0, named=True)
require_rows(summary["repos_with_stars"], NO_GITHUB)
as_of, snapshot_days = summary["as_of"], summary["snapshot_days"]

st.title("Open-model repositories on GitHub")
st.caption("Stars of the tracked repositories. From a repo's first daily snapshot on, GitHub's own "
           "count (unstars included); before it, the backfilled stargazer history: today's "
           "stargazers by the day they starred.")
if snapshot_days < 8 and not summary["history_days"]:
    plural = "" if snapshot_days == 1 else "s"
    st.info(f"Short history: {snapshot_days} daily snapshot{plural} so far ({summary['first_date']} to "
            f"{as_of}) and no backfilled stargazer history, so every series grows by one point per "
            "`omo collect github`; gains and velocity need a week or more.", icon="ℹ️")

# -- stars over time -------------------------------------------------------------------------------
st.subheader("Stars over time")
options = run_query("github_repo_options", path)
c1, c2 = st.columns([5, 1])
from_url("github_repos", options["repo"].head(DEFAULT_REPOS).to_list(), options=options["repo"].to_list(), many=True)
from_url("github_log", False, parse=parse_bool)
chosen = c1.multiselect("Repositories", options["repo"].to_list(), key="github_repos")
log_y = c2.toggle("Log scale", key="github_log")
to_url("github_repos", "github_log")

if chosen:
    history = run_query("github_star_history", path, repos=chosen)
    figure, plotted = _line_chart(history, "stars", "Stars", "Stars over time", log_y)
    figure.update_traces(hovertemplate="%{fullData.name}<br>%{x|%Y-%m-%d}: %{y:,} stars<extra></extra>")
    st.plotly_chart(figure, width="stretch", key="github_stars_chart")
    capped = options.filter(pl.col("history_capped") & pl.col("repo").is_in(chosen))["repo"].to_list()
    if capped:
        st.caption(f"History capped at 40k stars ({', '.join(capped)}): GitHub's REST API lists only the "
                   "first 40 000 stargazers, so the line follows those up to the day the 40 000th arrived "
                   "and resumes at the first daily snapshot; the days between are left blank, not estimated.")
    chart_footer(plotted.select("series", "date", "stars", "source_of_figure"), source=SOURCE, as_of=as_of,
                 key="github_star_history")

    # -- velocity ----------------------------------------------------------------------------------
    st.subheader("Velocity")
    velocity = run_query("github_star_velocity", path, repos=chosen)
    speed, plotted = _line_chart(velocity, "stars_per_day_7d", "Stars per day (7-day average)",
                                 "Stars gained per day, 7-day rolling average")
    speed.update_traces(hovertemplate="%{fullData.name}<br>%{x|%Y-%m-%d}: %{y:,.1f} stars/day<extra></extra>")
    st.plotly_chart(speed, width="stretch", key="github_velocity_chart")
    st.caption("The average of the known days among the last 7: a day between snapshots that no history "
               "covers is left out, and a snapshot after such a gap has no daily gain.")
    chart_footer(plotted.select("series", "date", "stars_per_day_7d"), source=SOURCE, as_of=as_of,
                 key="github_velocity")
else:
    st.info("Pick one or more repositories to chart their stars and velocity.", icon="ℹ️")

# -- category leaderboard --------------------------------------------------------------------------
st.subheader("Category leaderboard")
categories = run_query("github_categories", path)
repo_counts = dict(zip(categories["category"], categories["repos"]))
from_url("github_category", next(iter(repo_counts), None), options=list(repo_counts))
category = st.columns([2, 3])[0].selectbox(
    "Category", list(repo_counts), format_func=lambda c: f"{c} ({repo_counts[c]} repos)",
    key="github_category")
to_url("github_category")
board = run_query("github_leaderboard", path, category=category)
st.dataframe(board, hide_index=True, width="stretch", column_config={
    "rank": st.column_config.NumberColumn("rank", format="%d", help="By stars gained over 30 days"),
    "repo": st.column_config.TextColumn("repository"),
    "status": st.column_config.TextColumn("status", help="renamed: GitHub answers under a new name; "
                                          "not found: deleted or made private"),
    "stars": st.column_config.NumberColumn("stars", format="localized"),
    "stars_gained_7d": st.column_config.NumberColumn("gained 7d", format="localized"),
    "stars_gained_30d": st.column_config.NumberColumn("gained 30d", format="localized"),
    "stars_gained_90d": st.column_config.NumberColumn("gained 90d", format="localized"),
    "growth_7d": st.column_config.NumberColumn("growth 7d", format="percent"),
    "growth_30d": st.column_config.NumberColumn("growth 30d", format="percent"),
    "growth_90d": st.column_config.NumberColumn("growth 90d", format="percent"),
    "stars_per_day_30d": st.column_config.NumberColumn("stars/day (30d)", format="%.1f"),
    "history_capped": st.column_config.CheckboxColumn("history capped", help="REST history holds only "
                                                      "the first 40 000 stars"),
})
if board["rank"].is_null().all():
    st.caption("No repo in this category has a figure 30 days back yet: listed by stars until then.")
elif board["rank"].is_null().any():
    st.caption("Unranked repos have no figure 30 days back yet.")
flags = board.filter(pl.col("status") != "ok")
if flags.height:
    st.caption(f"Flagged: {', '.join(f'{r} ({s})' for r, s in zip(flags['repo'], flags['status']))}. "
               "A renamed repo keeps its tracked name here; a repo not found shows its last known stars.")
st.caption("Gains compare the latest stars with the latest figure on or before 7, 30 and 90 days back; "
           "growth is that gain as a share of the stars then.")
chart_footer(board, source=SOURCE, as_of=as_of, key="github_leaderboard")

# -- model families --------------------------------------------------------------------------------
st.subheader("Repositories by the model family they serve")
families = run_query("github_families", path)
bars = px.bar(families, x="stars", y="family", orientation="h", text="repos",
              title="Stars of the tracked repositories, by the model family they serve",
              labels={"stars": "Stars", "family": "Model family", "repos": "Repositories"},
              custom_data=["repo_list"])
bars.update_yaxes(categoryorder="total ascending")
bars.update_traces(marker_color="#1f77b4", texttemplate="%{text} repos", textposition="outside",
                   hovertemplate="%{y}: %{x:,} stars<br>%{customdata[0]}<extra></extra>")
st.plotly_chart(bars, width="stretch", key="github_families_chart")
st.dataframe(families.select("family", "repos", "stars", "repo_list"), hide_index=True, width="stretch",
             column_config={
                 "repos": st.column_config.NumberColumn("repos", format="%d"),
                 "stars": st.column_config.NumberColumn("stars", format="localized"),
                 "repo_list": st.column_config.TextColumn("repositories", width="large"),
             })
st.caption('"Engines and tools (any family)": repos that run or train models of every family. '
           "A repo not found today no longer counts.")
chart_footer(families, source=SOURCE, as_of=as_of, key="github_families")

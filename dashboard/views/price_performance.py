"""Price & performance: what a level of quality costs, how fast that falls, and open vs closed."""

from datetime import date

import plotly.express as px
import plotly.graph_objects as go
import polars as pl
import streamlit as st

from dashboard.components import chart_footer, from_url, require_rows, to_url
from dashboard.data import require_data, run_query

PP_MARTS = {"price_performance", "cheapest_price_at_quality", "open_vs_closed_gap", "model_identity",
            "price_source_disagreements"}
NO_SCORES = ("No priced model has a quality score yet. Quality boards and OpenRouter's list need the "
             "network: run `omo collect quality` and `omo collect openrouter`, then `omo build`, and "
             "reload this page. (`omo status` shows how many names matched.)")
BENCHMARKS = {
    "epoch_eci": ("Epoch Capabilities Index", "ECI points", "Epoch AI Benchmarking Hub (CC BY 4.0)"),
    "lmarena_text": ("LMArena text leaderboard", "Arena score", "LMArena text leaderboard"),
    "aa_intelligence_index": ("Artificial Analysis Intelligence Index", "index points",
                              "Artificial Analysis, as republished in OpenRouter's model list"),
}
OPENNESS_COLOURS = {"open weights": "#2ca02c", "closed": "#d62728", "openness unknown": "#9e9e9e"}
PRICE_AXIS = "USD per 1M tokens, blended 3 input : 1 output (log)"
PRICE_SOURCES = "genai-prices and OpenRouter price lists"


def _label(benchmark: str) -> str:
    return BENCHMARKS.get(benchmark, (benchmark,))[0]


def _unit(benchmark: str) -> str:
    return BENCHMARKS.get(benchmark, (None, "score"))[1]


def _source(benchmark: str) -> str:
    board = BENCHMARKS.get(benchmark, (None, None, benchmark))[2]
    return f"{PRICE_SOURCES}; quality: {board}"


path = require_data(PP_MARTS, "price-performance")
summary = run_query("pp_summary", path).row(0, named=True)
st.title("Price & performance")
st.caption("What a level of quality costs per 1M tokens, how fast that price falls, and how open-weight "
           "models compare with closed APIs. A model's price is its cheapest standard offer (no batch or "
           "free routes) across providers, blended at 3 input tokens to 1 output token.")
require_rows(summary["rows"], NO_SCORES)
as_of = f"prices {summary['prices_as_of']}, quality {summary['quality_as_of']}"

benchmarks = run_query("pp_benchmarks", path)
c1, c2 = st.columns([2, 1])
from_url("pp_benchmark", benchmarks["benchmark"][0], options=benchmarks["benchmark"].to_list())
benchmark = c1.selectbox("Quality score", benchmarks["benchmark"].to_list(), format_func=_label, key="pp_benchmark")
months = run_query("pp_months", path, benchmark=benchmark)["month_start"].to_list()
from_url("pp_month", months[0], options=months, parse=date.fromisoformat)
if st.session_state["pp_month"] not in months:  # another board's month list may lack it
    st.session_state["pp_month"] = months[0]
month = c2.selectbox("Month", months, format_func=lambda m: m.strftime("%Y-%m"), key="pp_month")
to_url("pp_benchmark", "pp_month")
unit = _unit(benchmark)

# -- frontier scatter ------------------------------------------------------------------------------
st.subheader("Price vs quality")
points = run_query("pp_scatter", path, benchmark=benchmark, month=month)
figure = px.scatter(points, x="blended_usd_per_mtok", y="quality_score", color="openness", log_x=True,
                    color_discrete_map=OPENNESS_COLOURS, hover_name="model",
                    hover_data={"organization": True, "cheapest_provider": True, "openness": False},
                    title=f"{_label(benchmark)} vs price, {month:%Y-%m}",
                    labels={"blended_usd_per_mtok": PRICE_AXIS, "quality_score": f"{_label(benchmark)} ({unit})",
                            "openness": "", "cheapest_provider": "cheapest provider"})
frontier = points.filter(pl.col("is_on_frontier")).sort("blended_usd_per_mtok")
figure.add_trace(go.Scatter(x=frontier["blended_usd_per_mtok"].to_list(), y=frontier["quality_score"].to_list(),
                            mode="lines", line={"shape": "hv", "color": "#444", "dash": "dot"},
                            name="Pareto frontier", hoverinfo="skip"))
figure.update_layout(legend={"orientation": "h", "y": -0.2})
st.plotly_chart(figure, width="stretch", key="pp_scatter_chart")
st.caption("The frontier joins the models no other model beats on both price and quality that month: "
           "the best score money can buy at each price. Openness comes from the quality board's licence "
           "or access field, or a Hub repo OpenRouter links; grey means no source says.")
chart_footer(points.select("model", "organization", "openness", "blended_usd_per_mtok", "quality_score",
                           "is_on_frontier"), source=_source(benchmark), as_of=as_of, key="price_vs_quality")

st.markdown("**Frontier models**")
frontier_table = frontier.select("model", "organization", "openness", "blended_usd_per_mtok", "quality_score",
                                 "cheapest_provider", "cheapest_price_source", "price_offers",
                                 "price_start_is_assumed", "quality_model_name", "quality_source",
                                 "quality_as_of", "hf_repo_id")
st.dataframe(frontier_table, hide_index=True, width="stretch", column_config={
    "blended_usd_per_mtok": st.column_config.NumberColumn("blended $/Mtok", format="%.3f"),
    "quality_score": st.column_config.NumberColumn(unit, format="%.1f"),
    "cheapest_price_source": "price source",
    "price_offers": st.column_config.NumberColumn("offers", help="Price rows (provider × price list) for this model"),
    "price_start_is_assumed": st.column_config.CheckboxColumn(
        "price date assumed", help="The price list gives no start date: taken to apply since the model's release "
                                   "or first listing"),
    "quality_model_name": "board's name",
    "quality_source": "quality source",
    "quality_as_of": "score as of",
    "hf_repo_id": "Hub repo",
})
chart_footer(frontier_table, source=_source(benchmark), as_of=as_of, key="frontier_models")

# -- price of a fixed quality over time -----------------------------------------------------------
st.subheader("Price of a fixed quality over time")
curve = run_query("pp_price_of_quality", path, benchmark=benchmark).with_columns(
    pl.format("≥ {}", pl.col("quality_threshold").round(0).cast(pl.Int64)).alias("threshold"))
if curve.is_empty():
    st.info("No model reaches any tracked threshold of this score yet "
            "(thresholds: warehouse/reference/quality_thresholds.csv).", icon="ℹ️")
else:
    decline = px.line(curve, x="month_start", y="cheapest_blended_usd_per_mtok", color="threshold", log_y=True,
                      markers=True, line_shape="hv", hover_name="cheapest_model_name",
                      title=f"Cheapest model reaching each {_label(benchmark)} level",
                      labels={"month_start": "Month", "cheapest_blended_usd_per_mtok": PRICE_AXIS,
                              "threshold": unit})
    decline.update_layout(legend={"orientation": "h", "y": -0.2})
    st.plotly_chart(decline, width="stretch", key="pp_price_of_quality_chart")
    fits = curve.group_by("threshold", "quality_threshold").agg(
        pl.col("yearly_decline_factor").first(), pl.col("fitted_months").first()).sort("quality_threshold")
    lines = [f"{row['threshold']}: {row['yearly_decline_factor']:.1f}× cheaper per year "
             f"(fitted over {row['fitted_months']} months)" if row["yearly_decline_factor"] is not None
             else f"{row['threshold']}: {row['fitted_months']} months, too few to fit (needs 12)"
             for row in fits.iter_rows(named=True)]
    st.caption("Fitted yearly decline (log-linear fit of the cheapest price against time; 2× = halves every "
               "year): " + "; ".join(lines) + ".")
    chart_footer(curve.select("month_start", "quality_threshold", "cheapest_blended_usd_per_mtok",
                              "cheapest_model_name", "cheapest_is_open_weights", "yearly_decline_factor"),
                 source=_source(benchmark), as_of=as_of, key="price_of_fixed_quality")

# -- open vs closed --------------------------------------------------------------------------------
st.subheader("Open weights vs closed APIs")
gap = run_query("pp_open_closed_gap", path, benchmark=benchmark).with_columns(
    pl.when(pl.col("quality_band_to").is_null())
    .then(pl.format("≥ {}", pl.col("quality_band_from").round(0).cast(pl.Int64)))
    .otherwise(pl.format("{}–{}", pl.col("quality_band_from").round(0).cast(pl.Int64),
                         pl.col("quality_band_to").round(0).cast(pl.Int64))).alias("band"))
both = gap.filter(pl.col("closed_to_open_price_ratio").is_not_null())
if both.is_empty():
    st.info("No quality band has both an open-weight and a closed model with a price yet, so there is no "
            "gap to show (models of unknown openness are left out).", icon="ℹ️")
else:
    ratio = px.line(both, x="month_start", y="closed_to_open_price_ratio", color="band", log_y=True, markers=True,
                    title=f"How many times dearer the cheapest closed model is than the cheapest open one, "
                          f"per {_label(benchmark)} band",
                    labels={"month_start": "Month", "closed_to_open_price_ratio": "closed ÷ open price (log)",
                            "band": unit})
    ratio.add_hline(y=1, line_dash="dot", line_color="#888", annotation_text="same price")
    ratio.update_layout(legend={"orientation": "h", "y": -0.2})
    st.plotly_chart(ratio, width="stretch", key="pp_gap_chart")
    st.caption("Above 1: within the band, open weights are cheaper to use through an API. Bands start at "
               "the tracked thresholds; a month shows only when both kinds have a priced model in the band.")
    chart_footer(both.select("month_start", "band", "cheapest_open_model", "cheapest_open_usd_per_mtok",
                             "cheapest_closed_model", "cheapest_closed_usd_per_mtok", "closed_to_open_price_ratio"),
                 source=_source(benchmark), as_of=as_of, key="open_vs_closed_gap")

# -- identity and disagreements --------------------------------------------------------------------
with st.expander("How names were matched across sources"):
    rates = run_query("pp_match_rates", path)
    st.dataframe(rates, hide_index=True, width="stretch", column_config={
        "match_rate": st.column_config.ProgressColumn("matched", format="percent", min_value=0, max_value=1)})
    st.caption("A price-list id and a leaderboard name match when they normalise to the same key, or are "
               "linked by OpenRouter's Hub repo or dated slug, or a dated snapshot meets its undated alias. "
               "Fix a wrong or missing match in warehouse/reference/model_identity_overrides.csv.")
    unmatched = run_query("pp_unmatched", path, limit=1000)
    st.markdown(f"**Unmatched names** (newest first, up to 1 000 of {int(rates['names'].sum() - rates['matched'].sum()):,})")
    st.dataframe(unmatched, hide_index=True, width="stretch")
    chart_footer(unmatched, source=_source(benchmark), as_of=as_of, key="unmatched_names")

disagreements = run_query("pp_disagreements", path)
with st.expander(f"Price lists that disagree ({disagreements.height})"):
    st.caption("The same provider and model, priced differently today by two price lists. Both prices are "
               "kept in the price history; the ratio is this list's blended price over the other's.")
    st.dataframe(disagreements, hide_index=True, width="stretch", column_config={
        "blended_price_ratio": st.column_config.NumberColumn("ratio", format="%.2f")})
    chart_footer(disagreements, source=PRICE_SOURCES, as_of=as_of, key="price_disagreements")

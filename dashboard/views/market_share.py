"""Market share: who wins open-model downloads (directly or through lineage), and how concentrated."""

import plotly.express as px
import polars as pl
import streamlit as st

from dashboard.components import (
    LICENCE_CLASS_COLOURS,
    OTHER_COLOUR,
    chart_footer,
    from_url,
    percent,
    require_rows,
    snapshot_date_axis,
    to_url,
)
from dashboard.data import require_data, run_query

SOURCE = "Hugging Face Hub /api/models"
NO_HUB = "No Hub snapshots yet: run `omo collect hf` then `omo build`, and reload this page."
HUB_MARTS = {"market_share_daily", "market_concentration_daily", "data_freshness", "download_adjustment_summary"}
DIMENSIONS = {"Organisation": "organization", "Family": "family", "Country": "country",
              "Licence class": "license_class"}
PLURALS = {"Organisation": "organisations", "Family": "families", "Country": "countries",
           "Licence class": "licence classes"}
ATTRIBUTIONS = {"Direct": "direct", "Lineage": "lineage"}
BASES = {"Raw": "raw", "Adjusted": "adjusted"}
BASIS_HELP = ("Raw: the Hub's own 30-day counts. Adjusted: the same counts after the named rules below "
              "(quantized re-uploads counted for their base, machine-flat repos and isolated spikes left "
              "out). Raw figures are never changed; both are kept.")
RULE_NAMES = {"quantized_rollup": "Quantized re-uploads rolled into their base",
              "flat_daily_downloads": "Implausibly flat daily downloads left out",
              "download_spike": "Isolated one-day spikes cut to the usual level"}
ATTRIBUTION_HELP = ("Direct: a repo counts for its own author. Lineage: fine-tunes, quantizations, "
                    "adapters and merges are credited to their root base model's organisation, "
                    "family, country and licence class.")
SHARE_AXIS = "Share of 30-day downloads (%)"
MODERATE_HHI, HIGH_HHI = 1500, 2500

path = require_data(HUB_MARTS, "Hub")
history = run_query("market_share_snapshots", path).row(0, named=True)
require_rows(history["snapshots"], NO_HUB)
snapshots, first_date, as_of = history["snapshots"], history["first_date"], history["latest_date"]
plural = "" if snapshots == 1 else "s"

st.title("Open-model market share")
scope = run_query("hub_crawl_scope", path)
scope_text = scope["scope"][0] if scope.height else None
if scope_text == "full Hub":
    st.caption("Shares of 30-day downloads across every public model on the Hub (the last `hf` "
               "run crawled the full Hub).")
else:
    st.caption("Shares of 30-day downloads among the models in the crawl, not the whole Hub: the "
               f"last `hf` run took the {scope_text or 'models it listed'}.")
if snapshots < 8:
    st.info(f"Short history: {snapshots} daily snapshot{plural} so far ({first_date} to {as_of}). "
            "The Hub has no history API, so every series grows by one point per `omo collect hf`; "
            "trends need a week or more.", icon="ℹ️")

c1, c2, c3, c4 = st.columns([2, 2, 2, 1])
from_url("share_dimension", next(iter(DIMENSIONS)), options=list(DIMENSIONS))
from_url("share_attribution", next(iter(ATTRIBUTIONS)), options=list(ATTRIBUTIONS))
from_url("share_basis", next(iter(BASES)), options=list(BASES))
from_url("share_top_n", 10, options=list(range(1, 51)), parse=int)
dimension_label = c1.selectbox("Dimension", list(DIMENSIONS), key="share_dimension")
attribution_label = c2.radio("Attribution", list(ATTRIBUTIONS), horizontal=True, key="share_attribution",
                             help=ATTRIBUTION_HELP)
basis_label = c3.radio("Downloads", list(BASES), horizontal=True, key="share_basis", help=BASIS_HELP)
top_n = int(c4.number_input("Top N", min_value=1, max_value=50, step=1, key="share_top_n"))
to_url("share_dimension", "share_attribution", "share_basis", "share_top_n")
st.caption(ATTRIBUTION_HELP)
slice_params = {"attribution": ATTRIBUTIONS[attribution_label], "dimension": DIMENSIONS[dimension_label],
                "downloads_basis": BASES[basis_label]}
basis_suffix = ", adjusted downloads" if basis_label == "Adjusted" else ""

# -- what the adjustments touched ------------------------------------------------------------------
adjustments = run_query("download_adjustments", path)
if adjustments.height:
    totals = adjustments.row(0, named=True)
    raw_total = totals["downloads_30d_raw"]
    change = totals["downloads_30d_adjusted"] / raw_total - 1 if raw_total else 0
    with st.expander(f"Adjusted downloads: {change:+.1%} against raw on {totals['snapshot_date']} "
                     "(what each rule touched)", expanded=basis_label == "Adjusted"):
        st.caption(BASIS_HELP + " Rules and their thresholds: `warehouse/reference/download_adjustment_rules.csv`.")
        rules_table = adjustments.with_columns(
            name=pl.col("rule").replace_strict(RULE_NAMES, default=pl.col("rule")))
        st.dataframe(rules_table.select("name", "enabled", "models_touched", "share_of_downloads_30d_touched",
                                        "downloads_30d_removed", "downloads_30d_moved", "description"),
                     hide_index=True, width="stretch", column_config={
                         "name": st.column_config.TextColumn("rule", width="medium"),
                         "enabled": st.column_config.CheckboxColumn("on"),
                         "models_touched": st.column_config.NumberColumn("repos touched", format="localized"),
                         "share_of_downloads_30d_touched": st.column_config.NumberColumn(
                             "share of raw 30-day downloads touched", format="percent"),
                         "downloads_30d_removed": st.column_config.NumberColumn("30-day downloads left out",
                                                                                format="localized"),
                         "downloads_30d_moved": st.column_config.NumberColumn("30-day downloads moved to a base",
                                                                              format="localized"),
                         "description": st.column_config.TextColumn("rule, in full", width="large"),
                     })
        chart_footer(adjustments.select("rule", "enabled", "models_touched", "downloads_30d_touched",
                                        "share_of_downloads_30d_touched", "downloads_30d_removed",
                                        "downloads_30d_moved"),
                     source=SOURCE, as_of=totals["snapshot_date"], key="download_adjustments")

# -- stacked area ----------------------------------------------------------------------------------
area = run_query("market_share_area", path, **slice_params, top_n=top_n)
order = area.filter(pl.col("snapshot_date") == as_of).sort("series_order")["key"].to_list()
colours = {"Other": OTHER_COLOUR}
if slice_params["dimension"] == "license_class":
    colours |= LICENCE_CLASS_COLOURS
rest = " + Other" if "Other" in order else ""
figure = px.area(
    area, x="snapshot_date", y="share_of_downloads_30d", color="key", markers=True,
    category_orders={"key": order}, color_discrete_map=colours,
    title=f"Share of 30-day downloads by {dimension_label.lower()}, top {top_n}{rest} "
          f"({attribution_label.lower()} attribution{basis_suffix})",
    labels={"snapshot_date": "Snapshot date", "share_of_downloads_30d": SHARE_AXIS, "key": dimension_label},
)
figure.update_yaxes(tickformat=".0%", range=[0, 1])
snapshot_date_axis(figure, first_date, as_of, snapshots)
figure.update_traces(hovertemplate="%{fullData.name}<br>%{x|%Y-%m-%d}: %{y:.1%}<extra></extra>")
figure.update_layout(legend={"orientation": "h", "y": -0.2}, legend_title_text=None)
st.plotly_chart(figure, width="stretch", key="market_share_chart")
chart_footer(area.select("snapshot_date", "key", "share_of_downloads_30d"), source=SOURCE, as_of=as_of,
             key="market_share")

# -- top-N table -----------------------------------------------------------------------------------
st.subheader(f"Top {top_n} {PLURALS[dimension_label]} on {as_of}{basis_suffix}")
top = run_query("market_share_top", path, **slice_params, top_n=top_n)
date_7d, date_30d = top["compared_with_7d"][0], top["compared_with_30d"][0]
table = top.select("key", "share_now", "change_7d_pp", "change_30d_pp", "downloads_30d", "models")
st.dataframe(table, hide_index=True, width="stretch", column_config={
    "key": st.column_config.TextColumn(dimension_label, width="medium"),
    "share_now": st.column_config.NumberColumn("share now", format="percent"),
    "change_7d_pp": st.column_config.NumberColumn("change vs 7 days ago (pp)", format="%+.1f"),
    "change_30d_pp": st.column_config.NumberColumn("change vs 30 days ago (pp)", format="%+.1f"),
    "downloads_30d": st.column_config.NumberColumn("30-day downloads", format="localized"),
    "models": st.column_config.NumberColumn("models", format="%d"),
})
short = [label for label, day in (("7-day", date_7d), ("30-day", date_30d)) if day is None]
if short:
    st.caption(f"History starts {first_date} ({snapshots} snapshot{plural}): "
               f"{' and '.join(short)} changes need more days.")
compared = [f"{label} change vs the snapshot of {day}"
            for label, day in (("7-day", date_7d), ("30-day", date_30d)) if day is not None]
if compared:
    st.caption("Percentage points; " + ", ".join(compared) + " (the latest on or before that many days back).")
chart_footer(table, source=SOURCE, as_of=as_of, key="market_share_top")

# -- concentration ---------------------------------------------------------------------------------
st.subheader("Concentration")
concentration = run_query("market_concentration", path, **slice_params)
now = concentration.row(-1, named=True)
level = ("highly concentrated" if now["hhi"] > HIGH_HHI else
         "moderately concentrated" if now["hhi"] >= MODERATE_HHI else "unconcentrated")
left, right = st.columns([3, 1])
with left:
    hhi_chart = px.line(
        concentration, x="snapshot_date", y="hhi", markers=True,
        title=f"Herfindahl-Hirschman index of 30-day downloads by {dimension_label.lower()} "
              f"({attribution_label.lower()} attribution{basis_suffix})",
        labels={"snapshot_date": "Snapshot date", "hhi": "HHI (0–10 000)"},
    )
    hhi_chart.update_yaxes(range=[0, 10_000], tickformat=",d")
    snapshot_date_axis(hhi_chart, first_date, as_of, snapshots)
    for threshold, label, colour in ((MODERATE_HHI, "moderately concentrated", "#ff7f0e"),
                                     (HIGH_HHI, "highly concentrated", "#d62728")):
        hhi_chart.add_hline(y=threshold, line_dash="dash", line_color=colour,
                            annotation_text=f"{threshold:,}: {label}", annotation_position="top left",
                            annotation_font_color=colour)
    st.plotly_chart(hhi_chart, width="stretch", key="market_concentration_chart")
    chart_footer(concentration.select("snapshot_date", "hhi"), source=SOURCE, as_of=as_of,
                 key="market_concentration")
with right:
    st.metric("HHI now", f"{now['hhi']:,.0f}", help="Sum of squared shares × 10 000. Above 1 500 "
              "is moderately, above 2 500 highly concentrated (2010 US merger guidelines).")
    st.caption(f"{level.capitalize()}: {now['keys']} {PLURALS[dimension_label]} share the downloads.")
    top_key = f" ({top['key'][0]})" if top.height else ""
    st.metric(f"Top-1 share{top_key}", percent(now["top1_share"]))
    st.metric("Top-5 share", percent(now["top5_share"]))

"""Licences: how much open-model use is under which licence class, and do derivatives keep it."""

import plotly.express as px
import polars as pl
import streamlit as st

from dashboard.components import (
    LICENCE_CLASS_COLOURS,
    chart_footer,
    from_url,
    parse_bool,
    percent,
    require_rows,
    snapshot_date_axis,
    to_url,
)
from dashboard.data import require_data, run_query

SOURCE = "Hugging Face Hub /api/models; licence classes: warehouse/reference/licenses.csv"
NO_HUB = "No Hub snapshots yet: run `omo collect hf` then `omo build`, and reload this page."
HUB_MARTS = {"license_share_daily", "derivative_license_changes", "hf_model_profile", "data_freshness"}
CLASS_ORDER = list(LICENCE_CLASS_COLOURS)
MEASURES = {  # toggle off / on
    False: ("share_of_downloads_30d", "Share of 30-day downloads (%)", "30-day downloads"),
    True: ("share_of_models", "Share of models (%)", "model count"),
}


def _class_order(classes) -> list[str]:
    """Known classes in taxonomy order, then any class the taxonomy adds later."""
    present = set(classes)
    return [c for c in CLASS_ORDER if c in present] + sorted(present - set(CLASS_ORDER))


path = require_data(HUB_MARTS, "Hub")
history = run_query("licence_snapshots", path).row(0, named=True)
require_rows(history["snapshots"], NO_HUB)
as_of = history["latest_date"]

st.title("Open-model licences")
scope = run_query("hub_crawl_scope", path)
scope_text = scope["scope"][0] if scope.height else None
st.caption("Licence ids from the Hub's `license:` tags, grouped into classes by "
           "warehouse/reference/licenses.csv. " +
           ("Every public model on the Hub." if scope_text == "full Hub" else
            f"Shares are of the models in the crawl ({scope_text or 'as listed'}), not the whole Hub."))

# -- headline --------------------------------------------------------------------------------------
head = run_query("licence_headline", path).row(0, named=True)
m1, m2, m3 = st.columns(3)
m1.metric("Downloads under permissive licences", percent(head["permissive_share"]),
          help="Share of 30-day downloads on the latest snapshot under a permissive licence "
               "(Apache-2.0, MIT, BSD, CC-BY, ...).")
m2.metric("Downloads with no recognised licence", percent(head["unrecognised_share"]),
          help="No `license:` tag at all, or a licence id outside the taxonomy.")
m3.metric("Models in the crawl", f"{head['models']:,}")
no_tag = head["missing_share"]
st.markdown(
    f"On {head['snapshot_date']}, **{percent(head['permissive_share'])}** of 30-day downloads are under "
    f"permissive licences, and **{percent(head['unrecognised_share'])} of downloads have no recognised "
    f"licence** ({head['unrecognised_models']:,} of {head['models']:,} models; "
    f"{percent(no_tag)} of downloads carry no licence tag at all).")

# -- class share over time -------------------------------------------------------------------------
st.subheader("Licence classes over time")
from_url("licence_by_models", False, parse=parse_bool)
by_models = st.toggle("Measure by model count instead of downloads", key="licence_by_models")
to_url("licence_by_models")
measure, axis_title, measure_label = MEASURES[by_models]
shares = run_query("licence_class_share", path)
classes = _class_order(shares["license_class"])
figure = px.area(
    shares, x="snapshot_date", y=measure, color="license_class", markers=True,
    category_orders={"license_class": classes}, color_discrete_map=LICENCE_CLASS_COLOURS,
    title=f"Share of {measure_label} by licence class",
    labels={"snapshot_date": "Snapshot date", measure: axis_title, "license_class": "Licence class"},
)
figure.update_yaxes(tickformat=".0%", range=[0, 1])
snapshot_date_axis(figure, history["first_date"], as_of, history["snapshots"])
figure.update_traces(hovertemplate="%{fullData.name}<br>%{x|%Y-%m-%d}: %{y:.1%}<extra></extra>")
figure.update_layout(legend={"orientation": "h", "y": -0.2}, legend_title_text=None)
st.plotly_chart(figure, width="stretch", key="licence_share_chart")
st.caption('Class "unknown": no licence tag, a custom licence (Hub id `other`) or an id the taxonomy '
           "does not know; treat as restricted until checked.")
chart_footer(shares.select("snapshot_date", "license_class", measure), source=SOURCE, as_of=as_of,
             key="licence_share")

# -- top licences ----------------------------------------------------------------------------------
st.subheader(f"Top licences on {as_of}")
top = run_query("licence_top", path, limit=25)
st.dataframe(top, hide_index=True, width="stretch", column_config={
    "license_id": st.column_config.TextColumn("licence id"),
    "license_class": st.column_config.TextColumn("class"),
    "commercial_use": st.column_config.TextColumn("commercial use"),
    "license_status": st.column_config.TextColumn("status", help="recognised, missing (no licence tag) "
                                                  "or unrecognised (an id outside the taxonomy)"),
    "models": st.column_config.NumberColumn("models", format="%d"),
    "downloads_30d": st.column_config.NumberColumn("30-day downloads", format="localized"),
    "share_of_downloads_30d": st.column_config.NumberColumn("share of downloads", format="percent"),
})
chart_footer(top, source=SOURCE, as_of=as_of, key="licence_top")

# -- derivatives -----------------------------------------------------------------------------------
st.subheader("Do derivatives keep their base's licence class?")
coverage = run_query("derivative_coverage", path).row(0, named=True)
st.caption(f"{coverage['with_parent_in_crawl']:,} of {coverage['derivatives']:,} derivatives in the crawl "
           "have their parent repo in the crawl too; only those can be compared. Each model as last "
           "listed; a merge is compared with its first listed base.")
if not coverage["with_parent_in_crawl"]:
    st.info("No derivative has its parent in the crawl yet, so there is nothing to compare.", icon="ℹ️")
    st.stop()

relations = run_query("derivative_class_change_by_relation", path)
relation_options = ["all", *relations.filter(pl.col("derivatives") > 0)["relation"]]
from_url("licence_relation", "all", options=relation_options)
relation = st.columns([1, 2])[0].selectbox("Relation shown in the class matrix", relation_options,
                                          key="licence_relation")
to_url("licence_relation")
left, right = st.columns(2)
with left:
    plotted = relations.with_columns(
        (pl.col("relation") + " (" + pl.col("derivatives").cast(pl.String) + ")").alias("relation_label"),
        pl.when(pl.col("derivatives") > 0)
          .then(pl.col("changed_class").cast(pl.String) + " of " + pl.col("derivatives").cast(pl.String))
          .otherwise(pl.lit("")).alias("label"),
    )
    bars = px.bar(plotted, x="relation_label", y="share_changing_class", text="label",
                  title="Derivatives that change licence class, by relation",
                  labels={"relation_label": "Relation to parent (derivatives compared)",
                          "share_changing_class": "Derivatives changing class (%)"})
    bars.update_yaxes(tickformat=".0%", range=[0, 1.05])
    bars.update_traces(textposition="outside", marker_color="#1f77b4",
                       hovertemplate="%{x}: %{y:.1%} change class<extra></extra>")
    st.plotly_chart(bars, width="stretch", key="derivative_change_chart")
    chart_footer(relations, source=SOURCE, as_of=as_of, key="derivative_class_changes")

with right:
    matrix = run_query("derivative_class_matrix", path, relation=relation)
    parents = _class_order(matrix["parent_license_class"])
    children = _class_order(matrix["derivative_license_class"])
    grid = (pl.DataFrame({"parent_license_class": parents})
            .join(pl.DataFrame({"derivative_license_class": children}), how="cross")
            .join(matrix, on=["parent_license_class", "derivative_license_class"], how="left")
            .with_columns(pl.col("derivatives").fill_null(0)))
    counts = [[grid.filter((pl.col("parent_license_class") == p) & (pl.col("derivative_license_class") == c))
               ["derivatives"][0] for c in children] for p in parents]
    which = "all relations" if relation == "all" else relation + "s"
    heatmap = px.imshow(counts, x=children, y=parents, text_auto=True, color_continuous_scale="Blues",
                        aspect="auto", title=f"Derivatives by parent's and own licence class ({which})",
                        labels={"x": "Derivative's licence class", "y": "Parent's licence class",
                                "color": "Derivatives"})
    heatmap.update_xaxes(side="bottom")
    heatmap.update_layout(coloraxis_showscale=False)  # the counts are written in the cells
    st.plotly_chart(heatmap, width="stretch", key="derivative_matrix_chart")
    st.caption("The diagonal kept its parent's class; every other cell changed it.")
    chart_footer(grid, source=SOURCE, as_of=as_of, key="derivative_class_matrix")

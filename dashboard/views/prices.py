"""Prices: how the price of chosen models moved, and what is cheapest today."""

import plotly.express as px
import streamlit as st

from dashboard.components import chart_footer, from_url, parse_bool, to_url
from dashboard.data import require_data, run_query

SOURCE = "genai-prices (pydantic/genai-prices price list)"
METRICS = {
    "Blended, 3 input : 1 output": "blended_3to1_usd_per_mtok",
    "Input": "input_usd_per_mtok",
    "Output": "output_usd_per_mtok",
}

path = require_data()
as_of = run_query("price_kpis", path)["as_of"][0]
st.title("LLM API prices")
st.caption("USD per 1 million tokens, standard (non-batch) processing, base tier of tiered prices.")

options = run_query("price_model_options", path)
labels = dict(zip(options["model_key"], options["label"]))
# The models whose price moved most make the default view informative rather than flat.
default_keys = options.filter(options["versions"] > 1)["model_key"].head(5).to_list() \
    or options["model_key"].head(5).to_list()

st.subheader("Price history")
from_url("price_models", default_keys, options=list(labels), many=True)
from_url("price_metric", next(iter(METRICS)), options=list(METRICS))
from_url("price_log", False, parse=parse_bool)
chosen = st.multiselect("Models", list(labels), format_func=labels.get, key="price_models")
c1, c2 = st.columns([3, 1])
metric_label = c1.radio("Price", list(METRICS), horizontal=True, key="price_metric")
log_y = c2.toggle("Log scale", key="price_log")
to_url("price_models", "price_metric", "price_log")
metric = METRICS[metric_label]

if chosen:
    steps = run_query("price_steps", path, model_keys=chosen)
    figure = px.line(steps, x="day", y=metric, color="series", line_shape="hv",
                     markers=True, log_y=log_y,
                     title=f"{metric_label} price over time",
                     labels={"day": "Date", metric: "USD per 1M tokens", "series": "Provider · model"})
    figure.update_layout(legend={"orientation": "h", "y": -0.25})
    st.plotly_chart(figure, width="stretch", key="price_history_chart")
    st.caption("A step starts on the date the provider's new price took effect. Where the source "
               "gives no start date, the step starts on the first day the price is known to apply.")
    chart_footer(steps.select("series", "day", metric), source=SOURCE, as_of=as_of, key="price_history")
else:
    st.info("Pick one or more models to chart their price history.")

st.subheader("Cheapest models today")
f1, f2 = st.columns([3, 1])
provider_options = run_query("price_providers", path)["provider_name"].to_list()
from_url("cheap_providers", [], options=provider_options, many=True)
from_url("cheap_min_context", 0, parse=int)
providers = f1.multiselect("Providers", provider_options, key="cheap_providers")
min_context_k = f2.number_input("Min. context (k tokens)", min_value=0, step=8, key="cheap_min_context")
to_url("cheap_providers", "cheap_min_context")
cheapest = run_query("cheapest_current", path, providers=providers,
                     min_context_tokens=int(min_context_k * 1000), limit=100)
st.dataframe(cheapest, hide_index=True, width="stretch", column_config={
    "input_usd_per_mtok": st.column_config.NumberColumn("input $/Mtok", format="%.3f"),
    "output_usd_per_mtok": st.column_config.NumberColumn("output $/Mtok", format="%.3f"),
    "blended_3to1_usd_per_mtok": st.column_config.NumberColumn("blended 3:1 $/Mtok", format="%.3f"),
    "cache_read_usd_per_mtok": st.column_config.NumberColumn("cache read $/Mtok", format="%.3f"),
    "context_window_tokens": st.column_config.NumberColumn("context (tokens)", format="%d"),
})
chart_footer(cheapest, source=SOURCE, as_of=as_of, key="cheapest_current")

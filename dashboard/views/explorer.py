"""Model explorer: one model's downloads over time, lineage, licence, family and country, its prices
across providers and its quality scores."""

import plotly.express as px
import streamlit as st

from dashboard.components import chart_footer, from_url, to_url
from dashboard.data import require_data, run_query

HUB_SOURCE = "Hugging Face Hub API (model listings)"
PRICE_SOURCE = "genai-prices and OpenRouter price lists"
EXPLORER_MARTS = {"hf_model_profile", "model_downloads_daily", "hf_model_price_links", "model_identity",
                  "model_quality", "current_prices"}
MATCHES = 50

path = require_data(EXPLORER_MARTS, "model explorer")
st.title("Model explorer")
st.caption("Search a Hugging Face repo id (e.g. `Qwen/Qwen2.5-7B-Instruct`) or an API model name (e.g. "
           "`gpt-5`): its downloads, lineage, licence, prices across providers and quality scores.")

# -- find the model --------------------------------------------------------------------------------
from_url("explorer_model", None)
chosen_from_url = st.session_state.get("explorer_model")
from_url("explorer_search", chosen_from_url.split(":", 1)[1] if chosen_from_url else "")
text = st.text_input("Search", key="explorer_search", placeholder="repo id or model name, any part of it")
if not text.strip():
    to_url("explorer_search")
    st.info("Type part of a model id to begin.", icon="ℹ️")
    st.stop()
matches = run_query("explorer_search", path, text=text.strip(), limit=MATCHES)
if matches.is_empty():
    to_url("explorer_search")
    st.info(f"No Hub repo, price-list id or leaderboard name contains “{text.strip()}”.", icon="ℹ️")
    st.stop()
labels = dict(zip(matches["choice"], [f"{label} ({kind})" for label, kind in zip(matches["label"], matches["kind"])]))
if st.session_state.get("explorer_model") not in labels:
    st.session_state["explorer_model"] = matches["choice"][0]
choice = st.selectbox(f"Matches (first {MATCHES}, most downloaded first)", list(labels), format_func=labels.get,
                      key="explorer_model")
to_url("explorer_search", "explorer_model")
kind, name = choice.split(":", 1)

# -- Hub side --------------------------------------------------------------------------------------
if kind == "hub":
    profile = run_query("explorer_profile", path, model_id=name).row(0, named=True)
    model_keys = run_query("explorer_model_keys", path, model_id=name)["model_key"].to_list()
    st.header(name)
    c = st.columns(4)
    c[0].metric("Organisation", profile["organization"], help=f"country: {profile['country']}")
    c[1].metric("Family", profile["family"], help=f"through its base model: {profile['lineage_family']}")
    c[2].metric("Licence", profile["license_id"] or "none", help=f"class: {profile['license_class']} "
                f"({profile['license_status']})")
    c[3].metric("Country", profile["country"])
    st.caption(f"Pipeline {profile['pipeline_tag'] or '–'} · library {profile['library_name'] or '–'} · "
               f"parameters {profile['parameters'] or '–'} · created {profile['created_at'] or '–'} · "
               f"seen {profile['first_seen_date']} to {profile['last_seen_date']}")

    downloads = run_query("explorer_downloads", path, model_id=name)
    figure = px.line(downloads, x="snapshot_date", y="downloads_30d", markers=True,
                     title=f"{name}: downloads over the last 30 days, per snapshot",
                     labels={"snapshot_date": "Snapshot date", "downloads_30d": "Downloads, last 30 days"})
    st.plotly_chart(figure, width="stretch", key="explorer_downloads_chart")
    chart_footer(downloads, source=HUB_SOURCE, as_of=profile["last_seen_date"], key="model_downloads")

    st.subheader("Lineage")
    if profile["parent_model_id"]:
        st.markdown(f"**{profile['relation_to_parent']}** of `{profile['parent_model_id']}`; root base model "
                    f"`{profile['root_model_id']}` ({profile['lineage_depth']} step(s) up"
                    f"{', walk cut short' if profile['lineage_truncated'] else ''}).")
    else:
        st.markdown("A base model: its card names no `base_model`.")
    relations = run_query("explorer_derivatives_by_relation", path, model_id=name)
    if relations.is_empty():
        st.caption("No derivative of this model in the crawl.")
    else:
        st.caption("Derivatives in the crawl: " + ", ".join(
            f"{n:,} {relation}" for relation, n in zip(relations["relation"], relations["derivatives"])))
        top = run_query("explorer_top_derivatives", path, model_id=name, limit=20)
        st.dataframe(top, hide_index=True, width="stretch", column_config={
            "downloads_30d": st.column_config.NumberColumn("downloads, last 30 days", format="%d")})
        chart_footer(top, source=HUB_SOURCE, as_of=profile["last_seen_date"], key="model_derivatives")
else:
    model_keys = [name]
    st.header(labels[choice].rsplit(" (", 1)[0])
    st.caption("No Hub repo in the crawl stands for this model (a closed API, or a repo outside the crawl).")

# -- prices and quality ----------------------------------------------------------------------------
st.subheader("Prices across providers")
prices = run_query("explorer_prices", path, model_keys=model_keys)
if prices.is_empty():
    st.caption("No price list prices this model (or its names did not match: see the Price & performance "
               "page's match table).")
else:
    st.dataframe(prices, hide_index=True, width="stretch", column_config={
        "input_usd_per_mtok": st.column_config.NumberColumn("input $/Mtok", format="%.3f"),
        "output_usd_per_mtok": st.column_config.NumberColumn("output $/Mtok", format="%.3f"),
        "blended_3to1_usd_per_mtok": st.column_config.NumberColumn("blended 3:1 $/Mtok", format="%.3f"),
        "context_window_tokens": st.column_config.NumberColumn("context (tokens)", format="%d"),
    })
    chart_footer(prices, source=PRICE_SOURCE, as_of=prices["price_since"].max(), key="model_prices")

st.subheader("Quality scores")
quality = run_query("explorer_quality", path, model_keys=model_keys)
if quality.is_empty():
    st.caption("No quality board scores this model.")
else:
    st.dataframe(quality, hide_index=True, width="stretch")
    chart_footer(quality, source="quality boards (Epoch AI, LMArena, Artificial Analysis via OpenRouter)",
                 as_of=quality["quality_as_of"].max(), key="model_quality")
if model_keys:
    with st.expander("Names this model goes by"):
        st.dataframe(run_query("explorer_names", path, model_keys=model_keys), hide_index=True, width="stretch")

"""Overview: the headline figures with their change, this week's movers, and whether every source
is fresh."""

from datetime import UTC, datetime

import polars as pl
import streamlit as st

from collectors.pipeline import SOURCES
from dashboard.components import DEMO_HINT, chart_footer, percent
from dashboard.data import require_data, run_query

HUB_SOURCE = "Hugging Face Hub API (model listings)"
MOVERS = 10

path = require_data({"model_downloads_weekly_change", "license_share_daily"}, "Overview")
published_at = run_query("published_at", path)["published_at"][0]
st.title("Open Model Observatory")
st.caption(f"Published {published_at:%Y-%m-%d %H:%M} UTC")
now = datetime.now(UTC)


def _age_h(ts: datetime | None) -> float | None:
    return None if ts is None else (now - ts).total_seconds() / 3600


def _freshness() -> pl.DataFrame:
    """One row per known source, including those that never ran, with a plain-words flag."""
    ran = run_query("source_freshness", path)
    missing = [name for name in SOURCES if name not in set(ran["source"])]
    if missing:
        ran = pl.concat([ran, pl.DataFrame({"source": missing}, schema={"source": pl.String})], how="diagonal_relaxed")
    flags, ages = [], []
    for source, status, last_ok in zip(ran["source"], ran["last_status"], ran["last_success_at"]):
        age = _age_h(last_ok)
        limit = getattr(SOURCES.get(source), "EXPECTED_CADENCE_H", 24) * 2
        flags.append("NEVER RUN" if status is None else "NEVER SUCCEEDED" if age is None
                     else "LAST RUN FAILED" if status == "failed" else "STALE" if age > limit else "fresh")
        ages.append(None if age is None else round(age, 1))
    return ran.with_columns(pl.Series("freshness", flags), pl.Series("age_h", ages, dtype=pl.Float64))


# -- headline figures ------------------------------------------------------------------------------
hub = run_query("overview_hub_kpis", path)
price_kpis = run_query("price_kpis", path).row(0, named=True)
reference = run_query("overview_reference_price", path)
freshness = _freshness()

def _delta_colour(change: float | None, inverse: bool = False) -> str:
    """No arrow colour for no change (Streamlit would paint "+0" green)."""
    return "off" if not change else "inverse" if inverse else "normal"


def _usd(amount: float) -> str:
    return f"${amount:,.2f}" if amount >= 1 else f"${amount:.3f}"


cols = st.columns(5)
if hub.is_empty():
    cols[0].metric("Models tracked", "–", help="No Hub snapshot yet: run `omo collect hf`.")
else:
    latest = hub.row(0, named=True)
    before = hub.row(1, named=True) if hub.height > 1 else None
    since = f"since {before['snapshot_date']}" if before else "one snapshot so far"
    changes = {name: latest[name] - before[name] if before else None
               for name in ("models", "downloads_30d", "permissive_share", "top_family_share")}
    cols[0].metric("Models tracked", f"{latest['models']:,}",
                   delta=f"{changes['models']:+,} {since}" if before else None,
                   delta_color=_delta_colour(changes["models"]),
                   help=f"Hub models in the latest crawl ({latest['snapshot_date']}), {since}.")
    cols[1].metric("Downloads, last 30 days", f"{latest['downloads_30d'] / 1e6:,.1f} M",
                   delta=f"{changes['downloads_30d'] / 1e6:+,.1f} M" if before else None,
                   delta_color=_delta_colour(changes["downloads_30d"]),
                   help="Sum of the Hub's rolling 30-day download counts over the tracked models.")
    cols[2].metric("Permissive share", percent(latest["permissive_share"]),
                   delta=f"{changes['permissive_share'] * 100:+.1f} pp" if before else None,
                   delta_color=_delta_colour(changes["permissive_share"]),
                   help="Share of 30-day downloads under a permissive licence (Apache-2.0, MIT, …).")
    cols[3].metric(f"Top family: {latest['top_family']}", percent(latest["top_family_share"]),
                   delta=f"{changes['top_family_share'] * 100:+.1f} pp" if before else None,
                   delta_color=_delta_colour(changes["top_family_share"]),
                   help="Share of 30-day downloads, derivatives credited to their base model's family.")
if reference.is_empty():
    cols[4].metric("$/1M tokens, ref. quality", "–",
                   help="Needs prices and quality scores: `omo collect openrouter`, `omo collect quality`.")
else:
    ref = reference.row(0, named=True)
    change = ref["cheapest_blended_usd_per_mtok"] / ref["compare_blended_usd_per_mtok"] - 1
    compared = ref["compare_month"] < ref["month_start"]
    cols[4].metric("$/1M tokens, ref. quality", _usd(ref["cheapest_blended_usd_per_mtok"]),
                   delta=f"{change:+.0%} since {ref['compare_month']:%Y-%m}" if compared else None,
                   delta_color=_delta_colour(round(change, 2), inverse=True),
                   help=f"The cheapest model reaching the reference quality, {ref['benchmark']} ≥ "
                        f"{ref['quality_threshold']:g}: {ref['cheapest_model_name']}, USD per 1M tokens blended "
                        f"3 input : 1 output, {ref['month_start']:%Y-%m}. See the Price & performance page.")
st.caption(f"API prices: {price_kpis['priced_models']:,} models from {price_kpis['providers']:,} providers; "
           f"{price_kpis['dated_changes_365d']:,} dated price changes in the last 365 days.")

# -- movers ----------------------------------------------------------------------------------------
movers = run_query("overview_movers", path, limit=MOVERS)
st.subheader("Biggest movers this week")
if movers.is_empty():
    st.info("Movers need two Hub snapshots with changed figures: run `omo collect hf` again on another day."
            if hub.height < 2 else f"No model's 30-day downloads changed between {hub['snapshot_date'][1]} and "
            f"{hub['snapshot_date'][0]}.", icon="ℹ️")
else:
    compared_with = movers["compared_with"][0]
    st.caption(f"Models whose 30-day downloads grew most since {compared_with} (the snapshot closest to a week "
               "before the latest one).")
    shown = movers.drop("compared_with")
    st.dataframe(shown, hide_index=True, width="stretch", column_config={
        "downloads_30d_before": st.column_config.NumberColumn(f"30-day downloads {compared_with}", format="%d"),
        "downloads_30d_now": st.column_config.NumberColumn("30-day downloads now", format="%d"),
        "change": st.column_config.NumberColumn("change", format="%+d"),
        "change_ratio": st.column_config.NumberColumn("change %", format="percent"),
    })
    chart_footer(shown, source=HUB_SOURCE, as_of=hub["snapshot_date"][0], key="movers")

# -- freshness -------------------------------------------------------------------------------------
st.subheader("Source freshness")
flagged = freshness.filter(pl.col("freshness") != "fresh")
st.caption(f"{freshness.height - flagged.height} of {freshness.height} sources fresh (last success within "
           "twice the source's cadence).")
st.dataframe(freshness.select("source", "freshness", "last_status", "last_success_at", "age_h",
                              "last_success_rows", "last_error", "last_success_detail"),
             hide_index=True, width="stretch", column_config={
                 "age_h": st.column_config.NumberColumn("age (hours)"),
                 "last_success_rows": st.column_config.NumberColumn("rows loaded", format="%d"),
             })
if not flagged.is_empty():
    listed = ", ".join(f"{s} ({f.lower()})" for s, f in zip(flagged["source"], flagged["freshness"]))
    st.warning(f"Not fresh: {listed}. Run `omo collect all && omo build`; `omo status` and "
               f"data/logs/omo.jsonl say why a run failed. {DEMO_HINT}", icon="⚠️")

left, right = st.columns(2)
with left:
    st.subheader("Recent collector runs")
    st.dataframe(run_query("recent_runs", path), hide_index=True, width="stretch")
with right:
    st.subheader("Published tables")
    st.dataframe(run_query("mart_sizes", path), hide_index=True, width="stretch")

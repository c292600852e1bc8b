"""Queries of the Ecosystem page: the family (or organisation) scorecard."""

QUERIES: dict[str, str] = {
    "ecosystem_scorecard": """
        SELECT key, country, models, downloads_30d, share_of_downloads_30d,
               100 * share_change_7d AS share_change_7d_pp, 100 * share_change_30d AS share_change_30d_pp,
               downloads_30d_trend, derivatives, finetunes, quantizations, adapters,
               merges, derivatives_created_30d, permissive_share_of_downloads, repo_stars, repos,
               cheapest_blended_usd_per_mtok, cheapest_priced_model, best_epoch_eci, best_lmarena_text,
               best_aa_intelligence_index, as_of
        FROM marts.family_scorecard
        WHERE dimension = $dimension
        ORDER BY downloads_30d DESC, key""",
}

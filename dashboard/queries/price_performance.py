"""Queries of the Price & performance page: one per chart or table."""

QUERIES: dict[str, str] = {
    "pp_summary": """
        SELECT
            (SELECT count(*) FROM marts.price_performance) AS rows,
            (SELECT max(last_seen_date) FROM marts.model_identity WHERE name_role = 'price') AS prices_as_of,
            (SELECT max(last_seen_date) FROM marts.model_identity WHERE name_role = 'quality') AS quality_as_of""",

    # the benchmarks with priced, scored models, the one with most models this month first
    "pp_benchmarks": """
        SELECT benchmark, any_value(score_scale) AS score_scale,
               count(DISTINCT model_key) FILTER (WHERE month_start = date_trunc('month', current_date)) AS models_now,
               count(DISTINCT month_start) AS months
        FROM marts.price_performance
        GROUP BY benchmark ORDER BY models_now DESC, benchmark""",

    "pp_months": """
        SELECT DISTINCT month_start FROM marts.price_performance
        WHERE benchmark = $benchmark ORDER BY month_start DESC""",

    "pp_scatter": """
        SELECT display_name AS model, organization,
               CASE is_open_weights WHEN true THEN 'open weights' WHEN false THEN 'closed'
                    ELSE 'openness unknown' END AS openness,
               blended_usd_per_mtok, quality_score, is_on_frontier,
               cheapest_provider, cheapest_price_source, price_offers, price_start_is_assumed,
               quality_model_name, quality_source, quality_as_of, hf_repo_id, model_key
        FROM marts.price_performance
        WHERE benchmark = $benchmark AND month_start = $month
        ORDER BY blended_usd_per_mtok, quality_score DESC""",

    "pp_price_of_quality": """
        SELECT month_start, quality_threshold, cheapest_blended_usd_per_mtok, cheapest_model_name,
               cheapest_model_quality_score, cheapest_is_open_weights, cheapest_provider,
               models_reaching, yearly_decline_factor, fitted_months
        FROM marts.cheapest_price_at_quality
        WHERE benchmark = $benchmark
        ORDER BY quality_threshold, month_start""",

    "pp_open_closed_gap": """
        SELECT month_start, quality_band_from, quality_band_to,
               cheapest_open_model, cheapest_open_usd_per_mtok, open_models,
               cheapest_closed_model, cheapest_closed_usd_per_mtok, closed_models,
               closed_to_open_price_ratio
        FROM marts.open_vs_closed_gap
        WHERE benchmark = $benchmark
        ORDER BY quality_band_from, month_start""",

    "pp_match_rates": """
        SELECT name_source, name_role, count(*) AS names,
               count(*) FILTER (WHERE is_matched) AS matched,
               count(*) FILTER (WHERE is_matched) / count(*) AS match_rate
        FROM marts.model_identity
        GROUP BY ALL ORDER BY name_role, name_source""",

    "pp_unmatched": """
        SELECT name_source, name_role, source_model_id, display_name, exact_key, match_method, last_seen_date
        FROM marts.model_identity
        WHERE NOT is_matched
        ORDER BY last_seen_date DESC, name_source, source_model_id
        LIMIT $limit""",

    "pp_disagreements": """
        SELECT provider_id, model_id, model_name, source, input_usd_per_mtok, output_usd_per_mtok,
               price_since, other_source, other_input_usd_per_mtok, other_output_usd_per_mtok,
               other_price_since, blended_price_ratio
        FROM marts.price_source_disagreements
        ORDER BY abs(ln(blended_price_ratio)) DESC NULLS LAST, provider_id, model_id""",
}

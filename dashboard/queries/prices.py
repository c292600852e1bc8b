"""Queries of the Prices page (and price KPIs on the Overview)."""

QUERIES: dict[str, str] = {
    "price_kpis": """
        SELECT
            (SELECT count(*) FROM marts.current_prices) AS priced_models,
            (SELECT count(DISTINCT provider_id) FROM marts.current_prices) AS providers,
            (SELECT count(*) FROM marts.price_history
              WHERE valid_from_is_exact AND valid_from > current_date - INTERVAL 365 DAY
                AND valid_from <= current_date) AS dated_changes_365d,
            (SELECT max(last_seen_date) FROM marts.price_history) AS as_of""",

    "price_model_options": """
        SELECT provider_id || '/' || model_id AS model_key,
               provider_name || ' · ' || model_name AS label,
               count(*) AS versions
        FROM marts.price_history
        GROUP BY ALL ORDER BY versions DESC, label""",

    "price_steps": """
        WITH picked AS (
            SELECT provider_name || ' · ' || model_name AS series, valid_from, valid_to,
                   valid_from_is_exact, input_usd_per_mtok, output_usd_per_mtok,
                   (3 * input_usd_per_mtok + output_usd_per_mtok) / 4 AS blended_3to1_usd_per_mtok
            FROM marts.price_history
            WHERE list_contains($model_keys, provider_id || '/' || model_id)
        ),
        points AS (
            SELECT series, valid_from AS day, valid_from_is_exact AS start_is_exact,
                   input_usd_per_mtok, output_usd_per_mtok, blended_3to1_usd_per_mtok
            FROM picked
            UNION ALL
            -- carry the price in effect to today so the last step is visible
            SELECT series, greatest(current_date, valid_from), NULL,
                   input_usd_per_mtok, output_usd_per_mtok, blended_3to1_usd_per_mtok
            FROM picked WHERE valid_to IS NULL AND valid_from < current_date
        )
        SELECT * FROM points ORDER BY series, day""",

    "price_providers": "SELECT DISTINCT provider_name FROM marts.current_prices ORDER BY 1",

    "cheapest_current": """
        SELECT provider_name, model_name, input_usd_per_mtok, output_usd_per_mtok,
               blended_3to1_usd_per_mtok, cache_read_usd_per_mtok, context_window_tokens,
               price_since, price_since_is_exact, is_tiered
        FROM marts.current_prices
        WHERE coalesce(context_window_tokens, 0) >= $min_context_tokens
          AND (len($providers) = 0 OR list_contains($providers, provider_name))
          AND blended_3to1_usd_per_mtok > 0
        ORDER BY blended_3to1_usd_per_mtok, provider_name, model_name
        LIMIT $limit""",
}

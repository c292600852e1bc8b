"""Queries of the Model explorer page: find a model, then everything known about it."""

QUERIES: dict[str, str] = {
    # Hub repos and priced or scored models whose name contains the search text: an exact id first,
    # then the most downloaded
    "explorer_search": """
        WITH latest AS (
            -- a filter on the latest date (not a window over every day) lets DuckDB skip old row groups
            SELECT model_id, downloads_30d FROM marts.model_downloads_daily
            WHERE snapshot_date = (SELECT max(snapshot_date) FROM marts.model_downloads_daily)
        ),
        hub AS (
            SELECT 'hub:' || profiles.model_id AS choice, profiles.model_id AS label, 'Hub repo' AS kind,
                   coalesce(latest.downloads_30d, 0) AS weight
            FROM marts.hf_model_profile AS profiles
            LEFT JOIN latest USING (model_id)
            WHERE profiles.model_id ILIKE '%' || $text || '%'
        ),
        priced_or_scored AS (
            -- a model no Hub repo stands for (closed APIs), found by any of its names
            SELECT 'model:' || model_key AS choice, any_value(display_name) AS label,
                   'priced or scored model' AS kind, -1 AS weight
            FROM marts.model_identity
            WHERE model_key IS NOT NULL
              AND model_key NOT IN (SELECT model_key FROM marts.hf_model_price_links)
            GROUP BY model_key
            HAVING bool_or(source_model_id ILIKE '%' || $text || '%' OR display_name ILIKE '%' || $text || '%')
        )
        SELECT choice, label, kind FROM (SELECT * FROM hub UNION ALL SELECT * FROM priced_or_scored)
        -- an exact id first, then the most used
        ORDER BY lower(label) = lower($text) OR lower(choice) = 'model:' || lower($text) DESC, weight DESC, label
        LIMIT $limit""",

    "explorer_profile": """
        SELECT model_id, author, organization, country, org_type, family, lineage_family, license_id,
               license_status, license_class, lineage_license_class, pipeline_tag, library_name, parameters,
               gated, created_at, first_seen_date, last_seen_date, parent_model_id, relation_to_parent,
               root_model_id, lineage_depth, lineage_truncated
        FROM marts.hf_model_profile WHERE model_id = $model_id""",

    "explorer_downloads": """
        SELECT snapshot_date, downloads_30d, downloads_all_time, downloads_per_day, likes
        FROM marts.model_downloads_daily WHERE model_id = $model_id ORDER BY snapshot_date""",

    "explorer_derivatives_by_relation": """
        SELECT relation_to_parent AS relation, count(*) AS derivatives
        FROM marts.hf_model_profile WHERE parent_model_id = $model_id
        GROUP BY ALL ORDER BY derivatives DESC, relation""",

    "explorer_top_derivatives": """
        WITH latest AS (
            -- a filter on the latest date (not a window over every day) lets DuckDB skip old row groups
            SELECT model_id, downloads_30d FROM marts.model_downloads_daily
            WHERE snapshot_date = (SELECT max(snapshot_date) FROM marts.model_downloads_daily)
        )
        SELECT profiles.model_id, profiles.relation_to_parent AS relation, profiles.license_id,
               profiles.license_class, latest.downloads_30d
        FROM marts.hf_model_profile AS profiles
        LEFT JOIN latest USING (model_id)
        WHERE profiles.parent_model_id = $model_id
        ORDER BY latest.downloads_30d DESC NULLS LAST, profiles.model_id
        LIMIT $limit""",

    "explorer_model_keys": "SELECT model_key FROM marts.hf_model_price_links WHERE model_id = $model_id",

    # today's price of every offer of the model: each provider on each price list
    "explorer_prices": """
        SELECT prices.provider_name, prices.model_id AS listed_as, prices.source, prices.input_usd_per_mtok,
               prices.output_usd_per_mtok, prices.blended_3to1_usd_per_mtok, prices.context_window_tokens,
               prices.price_since, prices.price_since_is_exact
        FROM marts.model_identity AS names
        JOIN marts.current_prices AS prices
            ON prices.source = names.name_source
            AND prices.provider_id || '/' || prices.model_id = names.source_model_id
        WHERE names.name_role = 'price' AND list_contains($model_keys, names.model_key)
        ORDER BY prices.blended_3to1_usd_per_mtok, prices.provider_name""",

    "explorer_quality": """
        SELECT benchmark, quality_score, score_scale, quality_source, quality_model_name, quality_as_of,
               quality_as_of_basis
        FROM marts.model_quality WHERE list_contains($model_keys, model_key)
        ORDER BY benchmark""",

    "explorer_names": """
        SELECT name_source, source_model_id, display_name, match_method
        FROM marts.model_identity WHERE list_contains($model_keys, model_key)
        ORDER BY name_role, name_source, source_model_id""",
}

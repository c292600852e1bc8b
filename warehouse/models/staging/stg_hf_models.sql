-- one row per snapshot_date, model_id: a Hub model as listed that day
with one_per_day as (
    -- a model listed twice in one crawl (rankings shift while it pages) was collapsed to its
    -- later sighting when the run was loaded (warehouse/load.py ROW_KEYS, migration 0008)
    select * from raw.hf_models
),

final as (
    select
        snapshot_date,
        model_id,
        coalesce(author, split_part(model_id, '/', 1)) as author,
        downloads_30d,
        downloads_all_time,
        likes,
        trending_score,
        pipeline_tag,
        library_name,
        lower(license_id) as license_id,
        base_models,
        parameters,
        gated,
        created_at,
        last_modified,
        collected_at,
        run_id
    from one_per_day
)

select * from final

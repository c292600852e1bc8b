-- one row per snapshot_date, model_id: a Hub model as listed that day, repeats across pages collapsed
with listings as (
    select * from raw.hf_models
),

one_per_day as (
    -- rankings shift while a crawl pages, so a model can be listed twice in one day; the later
    -- sighting is the fresher count
    select *
    from listings
    qualify row_number() over (
        partition by snapshot_date, model_id
        order by collected_at desc, downloads_all_time desc nulls last
    ) = 1
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

-- one row per benchmark, model_key: the score a model gets on a benchmark, from the newest reading of each board
with scores as (
    select * from staging.stg_quality_scores
),

identity as (
    select * from marts.model_identity
),

newest_reading as (
    select * from scores
    qualify snapshot_date = max(snapshot_date) over (partition by source)
),

final as (
    -- the board's name for the model itself beats a linked one (a dated snapshot), then the newest
    -- score, then the best configuration (Epoch scores reasoning efforts separately)
    select
        newest_reading.benchmark,
        quality_names.model_key,
        newest_reading.score as quality_score,
        newest_reading.score_scale,
        newest_reading.source as quality_source,
        newest_reading.model_name as quality_model_name,
        newest_reading.display_name as quality_display_name,
        newest_reading.as_of as quality_as_of,
        newest_reading.as_of_basis as quality_as_of_basis,
        newest_reading.snapshot_date as read_on
    from newest_reading
    join identity as quality_names
        on quality_names.name_role = 'quality'
        and quality_names.name_source = newest_reading.source
        and quality_names.source_model_id = newest_reading.model_name
        and quality_names.model_key is not null
    qualify row_number() over (
        partition by newest_reading.benchmark, quality_names.model_key
        order by quality_names.exact_key = quality_names.model_key desc, newest_reading.as_of desc nulls last,
                 newest_reading.score desc, newest_reading.model_name
    ) = 1
)

select * from final

-- one row per snapshot_date, source, benchmark, model_name, as_of: a model's score on a public quality board, plus the Artificial Analysis indices OpenRouter republishes beside its prices
with boards as (
    select * from raw.quality_scores
),

openrouter as (
    select * from raw.openrouter_models
),

board_scores as (
    select
        snapshot_date,
        source,
        benchmark,
        model_name,
        coalesce(display_name, model_name) as display_name,
        organization,
        score,
        score_scale,
        as_of,
        as_of_basis,
        license_or_access,
        open_weights
    from boards
),

republished_scores as (
    select
        snapshot_date,
        'artificial-analysis' as source,
        'aa_intelligence_index' as benchmark,
        model_id as model_name,
        coalesce(model_name, model_id) as display_name,
        null as organization,
        aa_intelligence_index as score,
        'Artificial Analysis Intelligence Index (via OpenRouter)' as score_scale,
        snapshot_date as as_of,
        'collection_date' as as_of_basis,
        null as license_or_access,
        -- OpenRouter names a Hub repo only for open-weight models; its absence proves nothing
        case when hugging_face_id is not null then true end as open_weights
    from openrouter
    where aa_intelligence_index is not null
),

final as (
    select * from board_scores
    union all by name
    select * from republished_scores
)

select * from final

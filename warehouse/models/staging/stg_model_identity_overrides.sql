-- one row per name_source, source_model_id: a curated model_key for a name the rules get wrong (warehouse/reference/model_identity_overrides.csv; a blank model_key keeps the name unmatched on purpose)
with overrides as (
    select * from ref.model_identity_overrides
),

final as (
    select
        name_source,
        source_model_id,
        nullif(trim(model_key), '') as model_key,
        nullif(trim(hf_repo_id), '') as hf_repo_id,
        note
    from overrides
)

select * from final

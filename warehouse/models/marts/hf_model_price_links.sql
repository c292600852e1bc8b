-- one row per model_id, model_key: a Hub repo and the priced or scored model it is, by OpenRouter's Hub link or by name
with profiles as (
    select * from marts.hf_model_profile
),

downloads as (
    select * from marts.model_downloads_daily
),

identity as (
    select * from marts.model_identity
),

latest_downloads as (
    select model_id, downloads_30d
    from downloads
    where snapshot_date = (select max(snapshot_date) from downloads)
),

named_candidates as (
    -- only repos with real use are matched by name: price lists price popular models, and
    -- normalising every one of two million Hub ids would cost seconds on each build
    select profiles.model_id, staging.model_exact_key(profiles.model_id) as name_key
    from profiles
    join latest_downloads using (model_id)
    where latest_downloads.downloads_30d >= 1000
),

by_hub_link as (
    select distinct profiles.model_id, identity.model_key, 'hub_link' as linked_by
    from profiles
    join identity on lower(identity.model_hf_repo_id) = lower(profiles.model_id)
),

by_name as (
    select distinct named_candidates.model_id, identity.model_key, 'name' as linked_by
    from named_candidates
    join identity on identity.exact_key = named_candidates.name_key and identity.model_key is not null
),

final as (
    select model_id, model_key, min(linked_by) as linked_by
    from (select * from by_hub_link union all select * from by_name)
    group by all
)

select * from final

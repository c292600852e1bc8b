-- one row per relation_to_parent, parent_license_class, license_class: derivatives (latest listing) and whether they kept their parent's licence class
with profiles as (
    select * from marts.hf_model_profile
),

derivatives as (
    select
        child.relation_to_parent,
        parent.license_class as parent_license_class,
        child.license_class,
        child.model_id,
        child.last_seen_date
    from profiles as child
    join profiles as parent on parent.model_id = child.parent_model_id
    where child.parent_model_id is not null
),

latest_downloads as (
    select * from marts.model_downloads_daily
),

final as (
    select
        derivatives.relation_to_parent,
        derivatives.parent_license_class,
        derivatives.license_class,
        derivatives.parent_license_class <> derivatives.license_class as changes_class,
        count(*) as derivatives,
        sum(latest_downloads.downloads_30d)::bigint as downloads_30d
    from derivatives
    join latest_downloads
        on latest_downloads.model_id = derivatives.model_id
       and latest_downloads.snapshot_date = derivatives.last_seen_date
    group by all
)

select * from final

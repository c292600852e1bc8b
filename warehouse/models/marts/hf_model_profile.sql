-- one row per model_id: who made it, its family, country and licence class, directly and through its root base model
with models as (
    select * from staging.stg_hf_models
),

lineage as (
    select * from marts.hf_model_lineage
),

organizations as (
    select * from staging.stg_organizations
),

licenses as (
    select * from staging.stg_licenses
),

seen as (
    select model_id, min(snapshot_date) as first_seen_date, max(snapshot_date) as last_seen_date
    from models
    group by model_id
),

latest as materialized (
    -- each model's latest listing (staging holds one per model per day). An aggregate and a join,
    -- not a window over every day, and computed once: several CTEs below read it
    select models.*, seen.first_seen_date, seen.last_seen_date
    from models
    join seen on seen.model_id = models.model_id and seen.last_seen_date = models.snapshot_date
),

ids as (
    -- every id we need a family and an owner for: the models and their roots (listed or not)
    select model_id as id from latest
    union
    select root_model_id from lineage
),

families as (
    -- the first rule of families.csv that matches (the family_of macro is built from the rules)
    select id, staging.family_of(id) as family
    from ids
    where family is not null
),

owners as (
    select
        ids.id,
        coalesce(organizations.organization, split_part(ids.id, '/', 1)) as organization,
        coalesce(organizations.country, 'unknown') as country,
        coalesce(organizations.org_type, 'unlisted') as org_type
    from ids
    left join organizations on organizations.author_key = lower(split_part(ids.id, '/', 1))
),

classified_licenses as (
    select
        latest.model_id,
        latest.license_id,
        case
            when latest.license_id is null then 'missing'
            when licenses.license_id is null then 'unrecognised'
            else 'recognised'
        end as license_status,
        coalesce(licenses.license_class, 'unknown') as license_class
    from latest
    left join licenses using (license_id)
),

final as (
    select
        latest.model_id,
        latest.author,
        own.organization,
        own.country,
        own.org_type,
        coalesce(own_family.family, '(unclassified)') as family,
        classified_licenses.license_id,
        classified_licenses.license_status,
        classified_licenses.license_class,
        latest.pipeline_tag,
        latest.library_name,
        latest.parameters,
        latest.gated,
        latest.created_at,
        latest.first_seen_date,
        latest.last_seen_date,
        -- not listed in the latest crawl: deleted, renamed, made private or out of the top-N scope
        latest.last_seen_date = (select max(last_seen_date) from seen) as is_in_latest_crawl,
        lineage.parent_model_id,
        lineage.relation_to_parent,
        lineage.root_model_id,
        lineage.lineage_depth,
        lineage.lineage_truncated,
        lineage.root_is_listed,
        -- lineage attribution: credit the root's owner and family; a root whose name matches no
        -- family rule keeps the derivative's own family
        root.organization as lineage_organization,
        root.country as lineage_country,
        coalesce(root_family.family, own_family.family, '(unclassified)') as lineage_family,
        coalesce(root_license.license_class, classified_licenses.license_class) as lineage_license_class
    from latest
    join lineage using (model_id)
    join owners as own on own.id = latest.model_id
    join owners as root on root.id = lineage.root_model_id
    join classified_licenses using (model_id)
    left join families as own_family on own_family.id = latest.model_id
    left join families as root_family on root_family.id = lineage.root_model_id
    left join classified_licenses as root_license
        on root_license.model_id = lineage.root_model_id and root_license.license_status = 'recognised'
)

select * from final

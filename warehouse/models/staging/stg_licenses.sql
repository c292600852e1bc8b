-- one row per license_id: the curated Hub licence taxonomy (warehouse/reference/licenses.csv)
with licenses as (
    select * from ref.licenses
),

classes as (
    select * from ref.license_classes
),

final as (
    select
        lower(licenses.license_id) as license_id,
        licenses.license_class,
        licenses.commercial_use,
        licenses.use_restrictions,
        classes.attribution_required,
        licenses.note
    from licenses
    left join classes using (license_class)
)

select * from final

-- one row per benchmark, quality_threshold: the score levels whose cheapest price we track (warehouse/reference/quality_thresholds.csv)
with thresholds as (
    select * from ref.quality_thresholds
),

final as (
    select
        benchmark,
        quality_threshold,
        -- the band a threshold opens runs up to the next threshold (the top band is open-ended)
        lead(quality_threshold) over (partition by benchmark order by quality_threshold) as next_threshold,
        -- the level the Overview quotes ("cheapest price at a reference quality")
        coalesce(is_reference, false) as is_reference,
        note
    from thresholds
)

select * from final

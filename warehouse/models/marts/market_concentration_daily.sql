-- one row per snapshot_date, attribution, dimension: how concentrated 30-day downloads are (HHI, top-1 and top-5 share), raw and adjusted
-- incremental by snapshot_date
with shares as (
    select * from marts.market_share_daily
    where snapshot_date >= staging.build_from()
),

final as (
    select
        snapshot_date,
        attribution,
        dimension,
        count(*) as keys,
        -- Herfindahl-Hirschman index on a 0-10 000 scale; above 2 500 counts as highly concentrated
        round(10000 * sum(share_of_downloads_30d * share_of_downloads_30d), 1) as hhi,
        max(share_of_downloads_30d) as top1_share,
        sum(share_of_downloads_30d) filter (where rank_by_downloads_30d <= 5) as top5_share,
        round(10000 * sum(share_of_downloads_30d_adjusted * share_of_downloads_30d_adjusted), 1) as hhi_adjusted,
        max(share_of_downloads_30d_adjusted) as top1_share_adjusted,
        sum(share_of_downloads_30d_adjusted) filter (where rank_by_downloads_30d_adjusted <= 5)
            as top5_share_adjusted
    from shares
    group by all
)

select * from final

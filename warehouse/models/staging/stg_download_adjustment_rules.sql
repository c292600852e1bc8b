-- one row per rule: the named adjustments behind downloads_30d_adjusted and their parameters (warehouse/reference/download_adjustment_rules.csv)
with rules as (
    select * from ref.download_adjustment_rules
),

final as (
    select
        rule,
        -- a rule the file leaves blank is off, never on by accident
        coalesce(enabled, false) as enabled,
        window_days,
        min_days,
        min_downloads_per_day,
        threshold,
        description
    from rules
)

select * from final

-- one row per source, provider_id, model_id, valid_from: a price and the dates it applied (SCD type 2)
with prices as (
    select * from staging.stg_prices
),

latest_word as (
    -- the newest snapshot's word on a given start date wins over older snapshots
    select *
    from prices
    qualify row_number() over (
        partition by source, provider_id, model_id, valid_from order by snapshot_date desc
    ) = 1
),

with_previous as (
    select
        *,
        lag({'i': input_usd_per_mtok, 'o': output_usd_per_mtok, 'cr': cache_read_usd_per_mtok,
             'cw': cache_write_usd_per_mtok, 't': is_tiered})
            over (partition by source, provider_id, model_id order by valid_from) as previous_price
    from latest_word
),

changes_only as (
    -- a snapshot that repeats the price in effect is not a new version
    select *
    from with_previous
    where previous_price is null
       or previous_price is distinct from {'i': input_usd_per_mtok, 'o': output_usd_per_mtok,
              'cr': cache_read_usd_per_mtok, 'cw': cache_write_usd_per_mtok, 't': is_tiered}
),

seen as (
    select source, provider_id, model_id, max(snapshot_date) as last_seen_date
    from prices
    group by all
),

latest_snapshot as (
    select source, max(snapshot_date) as latest_snapshot_date
    from prices
    group by all
),

latest_names as (
    select source, provider_id, model_id, provider_name, model_name, context_window_tokens, is_deprecated
    from prices
    qualify row_number() over (partition by source, provider_id, model_id order by snapshot_date desc) = 1
),

versions as (
    select
        changes_only.source,
        changes_only.provider_id,
        changes_only.model_id,
        changes_only.valid_from,
        lead(changes_only.valid_from) over (
            partition by changes_only.source, changes_only.provider_id, changes_only.model_id
            order by changes_only.valid_from
        ) as valid_to,
        changes_only.valid_from_is_exact,
        changes_only.input_usd_per_mtok,
        changes_only.output_usd_per_mtok,
        changes_only.cache_read_usd_per_mtok,
        changes_only.cache_write_usd_per_mtok,
        changes_only.is_tiered
    from changes_only
),

final as (
    select
        versions.source,
        versions.provider_id,
        latest_names.provider_name,
        versions.model_id,
        latest_names.model_name,
        versions.valid_from,
        versions.valid_to,
        versions.valid_from_is_exact,
        versions.input_usd_per_mtok,
        versions.output_usd_per_mtok,
        versions.cache_read_usd_per_mtok,
        versions.cache_write_usd_per_mtok,
        versions.is_tiered,
        latest_names.context_window_tokens,
        latest_names.is_deprecated,
        seen.last_seen_date,
        seen.last_seen_date = latest_snapshot.latest_snapshot_date as is_listed,
        versions.valid_from <= current_date
            and (versions.valid_to is null or versions.valid_to > current_date)
            and seen.last_seen_date = latest_snapshot.latest_snapshot_date as is_current
    from versions
    join seen using (source, provider_id, model_id)
    join latest_snapshot using (source)
    join latest_names using (source, provider_id, model_id)
)

select * from final

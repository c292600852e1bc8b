-- one row per provider_id, model_id, source, other_source: today's price for the same provider and model from two price lists that disagree (both are kept in price_history)
with prices as (
    select * from marts.current_prices
),

final as (
    select
        mine.provider_id,
        mine.model_id,
        mine.model_name,
        mine.source,
        theirs.source as other_source,
        mine.input_usd_per_mtok,
        theirs.input_usd_per_mtok as other_input_usd_per_mtok,
        mine.output_usd_per_mtok,
        theirs.output_usd_per_mtok as other_output_usd_per_mtok,
        mine.price_since,
        theirs.price_since as other_price_since,
        mine.blended_3to1_usd_per_mtok / nullif(theirs.blended_3to1_usd_per_mtok, 0) as blended_price_ratio
    from prices as mine
    join prices as theirs
        on theirs.provider_id = mine.provider_id
        and theirs.model_id = mine.model_id
        and theirs.source > mine.source
    -- to the millionth of a dollar: both lists quote decimal prices, stored as doubles
    where round(mine.input_usd_per_mtok, 6) is distinct from round(theirs.input_usd_per_mtok, 6)
       or round(mine.output_usd_per_mtok, 6) is distinct from round(theirs.output_usd_per_mtok, 6)
)

select * from final

-- one row per name_source, source_model_id: how each price-list id and leaderboard name maps to a model_key shared across sources; unmatched names are kept (match_method 'none')
with prices as (
    select * from staging.stg_prices
),

scores as (
    select * from staging.stg_quality_scores
),

overrides as (
    select * from staging.stg_model_identity_overrides
),

organizations as (
    select * from staging.stg_organizations
),

price_names as (
    select
        source as name_source,
        'price' as name_role,
        provider_id || '/' || model_id as source_model_id,
        model_id as model_name,
        arg_max(model_name, snapshot_date) as display_name,
        provider_id,
        arg_max(hf_repo_id, snapshot_date) as hf_repo_id,
        null::varchar as board_organization,
        -- OpenRouter names a Hub repo only for open-weight models; no link proves nothing
        case when arg_max(hf_repo_id, snapshot_date) is not null then true end as open_weights,
        arg_max(canonical_slug, snapshot_date) as canonical_slug,
        min(listed_since) as available_from,
        max(snapshot_date) as last_seen_date
    from prices
    group by source, provider_id, model_id
),

quality_names as (
    select
        source as name_source,
        'quality' as name_role,
        model_name as source_model_id,
        model_name,
        arg_max(display_name, snapshot_date) as display_name,
        null::varchar as provider_id,
        null::varchar as hf_repo_id,
        arg_max(organization, snapshot_date) as board_organization,
        arg_max(open_weights, snapshot_date) as open_weights,
        null::varchar as canonical_slug,
        min(as_of) filter (where as_of_basis = 'release_date') as available_from,
        max(snapshot_date) as last_seen_date
    from scores
    group by source, model_name
),

names as (
    select * from price_names
    union all by name
    select * from quality_names
),

keyed as (
    select
        names.*,
        overrides.source_model_id is not null as is_overridden,
        staging.model_exact_key(overrides.model_key) as override_key,
        staging.model_variant(names.model_name) as variant,
        staging.model_exact_key(names.model_name) as exact_key,
        -- a blocked name (override with a blank key) links to nothing
        -- the override's key is spelled freely ('DeepSeek-V3.2') and normalised like any name
        case when overrides.source_model_id is null then staging.model_exact_key(names.model_name)
             else staging.model_exact_key(overrides.model_key) end as base_key,
        coalesce(overrides.hf_repo_id, names.hf_repo_id) as linked_hf_repo_id
    from names
    left join overrides
        on overrides.name_source = names.name_source
        and lower(overrides.source_model_id) = lower(names.source_model_id)
),

links as (
    -- names that are one model: a name's own key is linked to the Hub repo it names
    -- ('deepseek/deepseek-chat-v3-0324' -> deepseek-ai/DeepSeek-V3-0324), to OpenRouter's dated slug
    -- ('openai/gpt-5' -> openai/gpt-5-2025-08-07), and a dated snapshot to its undated alias when some
    -- source uses that alias ('gpt-4o-2024-08-06' -> 'gpt-4o'). Keys are compared whole, never by
    -- similarity: 'gpt-4o-mini' never meets 'gpt-4o'.
    select base_key as key_a, staging.model_exact_key(linked_hf_repo_id) as key_b
    from keyed where linked_hf_repo_id is not null and base_key is not null
    union
    select base_key, staging.model_exact_key(canonical_slug)
    from keyed where canonical_slug is not null and base_key is not null
    union
    select keyed.base_key, aliases.base_key
    from keyed
    join keyed as aliases
        on aliases.base_key = staging.model_undated_key(keyed.base_key)
        and aliases.base_key <> keyed.base_key
),

edges as (
    select key_a as from_key, key_b as to_key from links
    union
    select key_b, key_a from links
),

reachable as (
    -- each key with every key it is linked to, however indirectly (the components are small)
    with recursive walk(start_key, reached_key) as (
        select distinct base_key, base_key from keyed where base_key is not null
        union
        select walk.start_key, edges.to_key
        from walk
        join edges on edges.from_key = walk.reached_key
    )
    select * from walk
),

clusters as (
    -- a component is named by its shortest key ('gpt-5' over 'gpt-5-20250807')
    select start_key as base_key, arg_min(reached_key, (length(reached_key), reached_key)) as model_key
    from reachable
    group by all
),

clustered as (
    select keyed.*, case when keyed.is_overridden and keyed.override_key is null then null
                         else clusters.model_key end as model_key
    from keyed
    left join clusters using (base_key)
),

role_base_keys as (
    select distinct name_role, base_key from keyed where base_key is not null
),

resolved as (
    select
        clustered.*,
        case
            when clustered.is_overridden and clustered.override_key is null then 'blocked'
            when clustered.is_overridden then 'override'
            when same_key.base_key is not null then 'exact'
            when other_role.model_key is not null then 'linked'
            else 'none'
        end as match_method
    from clustered
    left join role_base_keys as same_key
        on same_key.base_key = clustered.base_key and same_key.name_role <> clustered.name_role
    left join (select distinct name_role, model_key from clustered where model_key is not null) as other_role
        on other_role.model_key = clustered.model_key and other_role.name_role <> clustered.name_role
),

matches as (
    select
        mine.name_source,
        mine.source_model_id,
        count(theirs.source_model_id) as matched_names,
        list(theirs.name_source || ': ' || theirs.source_model_id order by theirs.name_source, theirs.source_model_id)[1:5]
            as matched_examples
    from resolved as mine
    left join resolved as theirs
        on theirs.model_key = mine.model_key and theirs.name_role <> mine.name_role
    group by all
),

with_org as (
    select
        resolved.*,
        coalesce(
            resolved.board_organization,
            hub_owner.organization,
            -- OpenRouter ids and hosted Hub ids start with the maker: 'qwen/qwen3-32b'
            vendor.organization
        ) as organization
    from resolved
    left join organizations as hub_owner
        on hub_owner.author_key = lower(split_part(resolved.linked_hf_repo_id, '/', 1))
    left join organizations as vendor
        on vendor.author_key = lower(split_part(resolved.model_name, '/', 1))
        and resolved.model_name like '%/%'
),

final as (
    select
        with_org.name_source,
        with_org.name_role,
        with_org.source_model_id,
        with_org.model_name,
        with_org.display_name,
        with_org.provider_id,
        with_org.variant,
        with_org.exact_key,
        with_org.model_key,
        with_org.match_method,
        matches.matched_names > 0 as is_matched,
        matches.matched_names,
        matches.matched_examples,
        with_org.linked_hf_repo_id as hf_repo_id,
        -- every name of a model shares the Hub repo any of them is linked to
        case when with_org.model_key is not null
            then max(with_org.linked_hf_repo_id) over (partition by with_org.model_key) end as model_hf_repo_id,
        with_org.open_weights,
        with_org.organization,
        with_org.available_from,
        case when with_org.model_key is not null
            then min(with_org.available_from) over (partition by with_org.model_key) end as model_available_from,
        with_org.last_seen_date
    from with_org
    join matches using (name_source, source_model_id)
)

select * from final

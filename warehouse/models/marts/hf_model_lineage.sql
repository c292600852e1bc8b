-- one row per model_id: its parent and root base model, walked through base_model tags as last listed
with models as (
    select * from staging.stg_hf_models
),

latest as materialized (
    -- lineage is a property of the repo, not of the day: take each model's latest listing
    select model_id, arg_max(base_models, snapshot_date) as base_models
    from models
    group by model_id
),

parents as (
    -- a merge names several bases; the first listed one is the parent we credit
    select
        model_id,
        base_models[1].base_model_id as parent_model_id,
        base_models[1].relation as relation_to_parent
    from latest
    where len(base_models) > 0 and base_models[1].base_model_id <> model_id
),

walk as (
    -- depth-limited and cycle-safe: a step never revisits a model already on the path
    with recursive steps(model_id, node_id, depth, path) as (
        select model_id, model_id, 0, [model_id] from latest
        union all
        select steps.model_id, parents.parent_model_id, steps.depth + 1,
               list_append(steps.path, parents.parent_model_id)
        from steps
        join parents on parents.model_id = steps.node_id
        where steps.depth < 10 and not list_contains(steps.path, parents.parent_model_id)
    )
    select * from steps
),

roots as (
    select
        model_id,
        arg_max(node_id, depth) as root_model_id,
        max(depth) as lineage_depth
    from walk
    group by model_id
),

final as (
    select
        latest.model_id,
        parents.parent_model_id,
        parents.relation_to_parent,
        roots.root_model_id,
        roots.lineage_depth,
        -- the walk stopped on a cycle or at the depth limit while the root still had a parent
        root_parent.parent_model_id is not null as lineage_truncated,
        root_model.model_id is not null as root_is_listed
    from latest
    join roots using (model_id)
    left join parents on parents.model_id = latest.model_id
    left join parents as root_parent on root_parent.model_id = roots.root_model_id
    left join latest as root_model on root_model.model_id = roots.root_model_id
)

select * from final

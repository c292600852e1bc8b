-- one row per priority: model id or author -> family, the lowest priority number that matches wins
with rules as (
    select * from ref.families
)

select priority, match_on, pattern, family from rules

-- one row per author: who a Hub namespace belongs to (warehouse/reference/organizations.csv)
with organizations as (
    select * from ref.organizations
)

select
    author,
    lower(author) as author_key,
    organization,
    coalesce(country, 'unknown') as country,
    org_type,
    tracked
from organizations

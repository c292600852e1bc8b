"""Every query the dashboard runs, by name. Pages hold no SQL: they ask for a query by name.

One module per page area, each with a QUERIES dict; names must be unique across modules.
Parameters are DuckDB named parameters ($name). Queries read only the serving copy (marts.*).
"""

from dashboard.queries import (
    common,
    ecosystem,
    explorer,
    github,
    licences,
    market_share,
    overview,
    price_performance,
    prices,
    sql_page,
)

QUERIES: dict[str, str] = {}
for _module in (common, overview, prices, price_performance, market_share, licences, github, explorer, sql_page,
                ecosystem):
    _clash = QUERIES.keys() & _module.QUERIES.keys()
    assert not _clash, f"query names defined twice: {_clash}"
    QUERIES.update(_module.QUERIES)

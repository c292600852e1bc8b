"""The SQL page rendered by streamlit.testing on the fixture warehouse (`built_warehouse`):
the schema browser, the example queries, results, limits, refusals and downloads."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import duckdb
import pytest
from pandas.testing import assert_frame_equal
from streamlit.testing.v1 import AppTest

from dashboard.queries.sql_page import EXAMPLES
from warehouse.serving import current_serving_file

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
PAGE = "views/sql.py"


def _app() -> AppTest:
    from streamlit.runtime.caching import cache_data, cache_resource

    cache_data.clear()  # every test sees its own warehouse
    cache_resource.clear()
    return AppTest.from_file(APP, default_timeout=60)


@pytest.fixture
def published(built_warehouse) -> Path:
    return current_serving_file(built_warehouse.serving_dir)


@pytest.fixture
def app(published) -> AppTest:
    app = _app()
    app.switch_page(PAGE).run()
    assert not app.exception
    return app


def _run(app: AppTest, query: str, **limits: int) -> AppTest:
    app.text_area(key="sql_query").input(query)
    for key, value in limits.items():
        app.number_input(key=f"sql_{key}").set_value(value)
    return app.button(key="sql_run").click().run()


def _read(published: Path, query: str) -> list[tuple]:
    with duckdb.connect(str(published), read_only=True) as con:
        return con.execute(query).fetchall()


def test_page_shows_the_editor_the_limits_and_no_result_yet(app):
    assert app.title[0].value == "SQL"
    assert app.selectbox(key="sql_example").options == list(EXAMPLES)
    assert app.text_area(key="sql_query").value == next(iter(EXAMPLES.values()))  # the first example
    assert app.number_input(key="sql_max_rows").value == 10_000
    assert app.number_input(key="sql_timeout").value == 10
    assert app.button(key="sql_run").label == "Run"
    assert not app.dataframe and not app.error and not app.get("download_button")


def test_schema_browser_lists_every_mart_with_its_grain_and_columns(app, published):
    marts = _read(published, """SELECT table_name, comment FROM duckdb_tables()
                                WHERE schema_name = 'marts' ORDER BY table_name""")
    assert len(marts) > 10
    assert [expander.label for expander in app.expander] == [f"marts.{table}" for table, _ in marts]
    for expander, (table, grain) in zip(app.expander, marts):
        assert grain.startswith("one row per ")
        assert expander.caption[0].value == grain
        columns = _read(published, f"SELECT column_name, data_type FROM duckdb_columns() "
                                   f"WHERE schema_name = 'marts' AND table_name = '{table}' ORDER BY column_index")
        listed = [f"- `{name}` · `{data_type}`" for name, data_type in columns]
        assert expander.markdown[0].value.splitlines() == listed


def test_every_example_runs_on_the_published_marts_and_shows_their_rows(app, published):
    for name, query in EXAMPLES.items():
        app.selectbox(key="sql_example").set_value(name).run()
        assert app.text_area(key="sql_query").value == query
        app.button(key="sql_run").click().run()
        assert not app.exception and not app.error, name
        with duckdb.connect(str(published), read_only=True) as con:
            expected = con.sql(query).pl().to_pandas()
        assert len(expected), f"{name}: the fixture warehouse gives this example no rows"
        assert_frame_equal(app.dataframe[0].value, expected, check_dtype=False, obj=name)
        assert any(c.value.startswith(f"{len(expected):,} row") for c in app.caption), name


def test_a_result_shows_its_rows_count_and_downloads(app, published):
    query = "SELECT source, provider_id, model_id FROM marts.current_prices ORDER BY ALL"
    expected = _read(published, query)
    _run(app, query)
    assert not app.exception and not app.warning
    assert list(app.dataframe[0].value.itertuples(index=False, name=None)) == expected
    assert any(c.value.startswith(f"{len(expected):,} rows · 3 columns · ") for c in app.caption)
    assert [button.key for button in app.get("download_button")] == ["sql_download_csv", "sql_download_parquet"]


def test_a_result_over_the_row_limit_is_cut_and_says_so(app):
    _run(app, "SELECT range AS n FROM range(25)", max_rows=10)
    assert not app.exception
    assert app.warning[0].value.startswith("Showing the first 10 rows; the result has more.")
    assert list(app.dataframe[0].value["n"]) == list(range(10))
    assert any(c.value.startswith("first 10 rows · 1 column · ") for c in app.caption)


@pytest.mark.parametrize("query, expected", [
    ("SELECT * FROM read_csv('/etc/passwd')", "disabled by configuration"),
    ("DROP TABLE marts.current_prices", "DROP is not allowed: the published warehouse is read-only"),
    ("SET enable_external_access = true", "SET is not allowed: the sandbox's configuration is locked"),
    ("SELECT * FROM marts.no_such_table", "Table with name no_such_table does not exist"),
    ('SELECT * FROM "$x$ *y*"', "Table with name $x$ *y* does not exist"),  # not maths, not italics
])
def test_a_refused_query_shows_one_error_and_changes_nothing(app, published, query, expected):
    before = hashlib.sha256(published.read_bytes()).hexdigest()
    _run(app, query)
    assert not app.exception
    [error] = app.error
    shown = re.sub(r"\\(.)", r"\1", error.value)  # as markdown renders it
    assert expected in shown and "\n" not in shown
    assert not app.dataframe and not app.get("download_button")
    assert hashlib.sha256(published.read_bytes()).hexdigest() == before


def test_a_query_over_the_time_limit_is_interrupted(app):
    _run(app, "SELECT sum(a.range * b.range) FROM range(1000000) AS a, range(1000000) AS b", timeout=1)
    assert not app.exception
    assert app.error[0].value.startswith("interrupted after 1 s")


def test_editing_the_query_clears_the_previous_result(app):
    _run(app, "SELECT 42 AS answer")
    assert list(app.dataframe[0].value["answer"]) == [42]
    app.text_area(key="sql_query").input("SELECT 43 AS answer").run()
    assert not app.dataframe  # the result on screen always belongs to the query above it


def test_nothing_published_explains_what_to_run(data_dir):
    app = _app()
    app.switch_page(PAGE).run()
    assert not app.exception
    assert app.info[0].value.startswith("No data published yet")
    assert not app.get("text_area")

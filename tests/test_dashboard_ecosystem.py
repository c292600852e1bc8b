"""The Ecosystem scorecard page on the fixture warehouse (streamlit.testing)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")


@pytest.fixture
def app(built_warehouse):
    from streamlit.runtime.caching import cache_data, cache_resource

    cache_data.clear()
    cache_resource.clear()
    app = AppTest.from_file(APP, default_timeout=60)
    app.switch_page("views/ecosystem.py").run()
    return app


def test_one_row_per_family_then_per_organisation(app, built_warehouse):
    assert not app.exception
    with duckdb.connect(str(built_warehouse.warehouse_path), read_only=True) as con:
        expected = {dimension: [key for (key,) in con.execute(
            "SELECT key FROM marts.family_scorecard WHERE dimension = ? ORDER BY downloads_30d DESC, key",
            [dimension]).fetchall()] for dimension in ("family", "organization")}
    board = app.dataframe[0].value
    assert list(board["key"]) == expected["family"] and len(expected["family"]) > 1
    # downloads with lineage attribution sum to the whole crawl
    assert board["share_of_downloads_30d"].sum() == pytest.approx(1.0)
    app.radio(key="ecosystem_dimension").set_value("Organisation").run()
    assert list(app.dataframe[0].value["key"]) == expected["organization"]
    assert app.query_params["ecosystem_dimension"] == "Organisation"
    assert any(c.value.startswith("Source:") for c in app.caption)

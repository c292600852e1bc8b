"""The read-only SQL sandbox (dashboard/sql_sandbox.py) behind the SQL page and `omo sql`.

Hostile queries run against a real serving copy: the real build() and publish() over an empty
warehouse, once for the module (the attacks need the marts to exist, not their rows). Queries
whose rows matter run on `built_warehouse`. Every hostile query must be refused with a clear
QueryRefused, leave the published file byte for byte as it was and create no file anywhere.
"""

from __future__ import annotations

import hashlib
import io
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dashboard.sql_sandbox import QueryRefused, csv_bytes, open_sandbox, parquet_bytes, run_readonly
from tests.conftest import run_omo
from warehouse.serving import current_serving_file, open_serving

SLOW_QUERY = "SELECT sum(a.range * b.range) FROM range(1000000) AS a, range(1000000) AS b"  # 10^12 rows


@pytest.fixture(scope="module")
def sandbox_data_dir(tmp_path_factory) -> Path:
    """A data directory holding a real serving copy of the (empty) marts."""
    from warehouse.build import build
    from warehouse.db import open_writer
    from warehouse.publish import publish

    path = tmp_path_factory.mktemp("sandbox") / "data"
    with open_writer(path / "omo.duckdb") as con:
        build(con)
        publish(con, path / "serving")
    return path


@pytest.fixture(scope="module")
def serving_file(sandbox_data_dir) -> Path:
    return current_serving_file(sandbox_data_dir / "serving")


@pytest.fixture
def outside(tmp_path) -> Path:
    """A directory outside the serving directory, for files a query must not create."""
    return tmp_path


def _fingerprint(directory: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(directory.iterdir())}


def _format(query: str, serving_file: Path, outside: Path) -> str:
    return query.format(serving=serving_file, serving_dir=serving_file.parent, outside=outside)


# (query, what the refusal says). {serving}, {serving_dir} and {outside} are filled in per test.
HOSTILE = {
    "insert": ("INSERT INTO marts.current_prices SELECT * FROM marts.current_prices", "INSERT is not allowed"),
    "create": ("CREATE TABLE marts.x AS SELECT 1", "read-only"),
    "create temp": ("CREATE TEMP TABLE x AS SELECT 1", "CREATE is not allowed"),
    "drop": ("DROP TABLE marts.current_prices", "DROP is not allowed"),
    "update": ("UPDATE marts.current_prices SET model_id = 'x'", "UPDATE is not allowed"),
    "delete": ("DELETE FROM marts.current_prices", "DELETE is not allowed"),
    "truncate": ("TRUNCATE marts.current_prices", "TRUNCATE is not allowed"),
    "alter": ("ALTER TABLE marts.current_prices ADD COLUMN x INTEGER", "ALTER is not allowed"),
    "comment": ("COMMENT ON TABLE marts.current_prices IS 'x'", "COMMENT is not allowed"),
    "copy to": ("COPY marts.current_prices TO '{outside}/stolen.csv'", "COPY is not allowed"),
    "copy beside the serving copy": ("COPY (SELECT 1) TO '{serving}.wal'", "COPY is not allowed"),
    "export": ("EXPORT DATABASE '{outside}/export'", "EXPORT is not allowed"),
    "read_csv": ("SELECT * FROM read_csv('/etc/passwd')", "disabled by configuration"),
    "read_text": ("SELECT * FROM read_text('/etc/passwd')", "disabled by configuration"),
    "read_blob": ("SELECT * FROM read_blob('/etc/passwd')", "disabled by configuration"),
    "csv by name": ("SELECT * FROM '{outside}/data.csv'", "disabled by configuration"),
    "glob": ("SELECT * FROM glob('/etc/*')", "disabled by configuration"),
    # the serving directory is no exception: the published data is read through the attach only
    "read the serving dir": ("SELECT * FROM read_parquet('{serving_dir}/*.parquet')", "disabled by configuration"),
    "glob the serving dir": ("SELECT * FROM glob('{serving_dir}/*')", "disabled by configuration"),
    "read the serving file": ("SELECT * FROM read_blob('{serving}')", "disabled by configuration"),
    "url": ("SELECT * FROM read_csv('https://example.com/data.csv')", "disabled by configuration"),
    "install": ("INSTALL httpfs", "INSTALL is not allowed"),
    "load": ("LOAD httpfs", "LOAD is not allowed"),
    "enable external access": ("SET enable_external_access = true", "configuration is locked"),
    "allow every directory": ("SET allowed_directories = ['/']", "configuration is locked"),
    "unlock": ("RESET lock_configuration", "configuration is locked"),
    "unlock by set": ("SET lock_configuration = false", "configuration is locked"),
    "pragma memory": ("PRAGMA memory_limit = '64GB'", "configuration is locked"),
    "pragma threads": ("PRAGMA threads = 64", "configuration is locked"),
    "use another database": ("USE memory", "configuration is locked"),
    "attach a file": ("ATTACH '{outside}/x.duckdb' AS x", "ATTACH is not allowed"),
    "attach in memory": ("ATTACH ':memory:' AS scratch", "ATTACH is not allowed"),
    "detach": ("DETACH published", "DETACH is not allowed"),
    "checkpoint": ("CHECKPOINT", "CHECKPOINT is not allowed"),
    "call": ("CALL pragma_version()", "CALL is not allowed"),
    "transaction": ("BEGIN TRANSACTION", "BEGIN is not allowed"),
    "a write inside query()": ("SELECT * FROM query('CREATE TABLE x AS SELECT 1')", "Expected a single SELECT"),
    "a second statement": ("SELECT 1; DROP TABLE marts.current_prices", "one statement at a time"),
    "dynamic pivot": ("PIVOT marts.current_prices ON source USING count(*)", "list the values"),
    "syntax error": ("selec 1", "syntax error"),
    "empty": ("-- nothing to run", "the query is empty"),
}


@pytest.mark.parametrize("query, expected", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_query_is_refused_cleanly_and_changes_nothing(serving_file, outside, query, expected):
    before = _fingerprint(serving_file.parent)
    with pytest.raises(QueryRefused) as refused:
        run_readonly(serving_file, _format(query, serving_file, outside), max_rows=10, timeout_s=10)
    message = str(refused.value)
    assert expected in message and "\n" not in message and "Traceback" not in message
    assert _fingerprint(serving_file.parent) == before  # no file changed or added beside it
    assert not any(outside.iterdir())


# What the connection refuses by itself, before any statement check: writes, files, extensions
# and security settings. (Harmless in-memory statements such as CREATE TEMP TABLE, USE memory or
# CHECKPOINT pass this layer; the statement check refuses them.)
CONNECTION_REFUSES = ["insert", "create", "drop", "update", "delete", "truncate", "alter", "comment", "copy to",
                      "copy beside the serving copy", "export", "read_csv", "read_text", "read_blob", "csv by name",
                      "glob", "read the serving dir", "glob the serving dir", "read the serving file", "url",
                      "install", "load", "enable external access", "allow every directory", "unlock",
                      "unlock by set", "pragma memory", "pragma threads", "attach a file", "a write inside query()"]


@pytest.mark.parametrize("name", CONNECTION_REFUSES)
def test_the_connection_alone_refuses_it_too(serving_file, outside, name):
    query, _ = HOSTILE[name]
    before = _fingerprint(serving_file.parent)
    con = open_sandbox(serving_file)
    try:
        with pytest.raises(duckdb.Error):
            con.execute(_format(query, serving_file, outside)).fetchall()
        settings = dict(con.execute("""SELECT name, value FROM duckdb_settings() WHERE name IN
            ('enable_external_access', 'lock_configuration', 'threads')""").fetchall())
    finally:
        con.close()
    assert settings == {"enable_external_access": "false", "lock_configuration": "true", "threads": "2"}
    assert _fingerprint(serving_file.parent) == before
    assert not any(outside.iterdir())


def test_a_query_over_the_time_limit_is_interrupted(serving_file):
    started = time.monotonic()
    with pytest.raises(QueryRefused, match=r"^interrupted after 1 s"):
        run_readonly(serving_file, SLOW_QUERY, max_rows=10, timeout_s=1)
    assert time.monotonic() - started < 15  # interrupted, not run to its end (hours)


@pytest.mark.parametrize("rows, max_rows, truncated", [(1000, 100, True), (100, 100, False), (99, 100, False)])
def test_a_result_over_the_row_limit_is_truncated_and_flagged(serving_file, rows, max_rows, truncated):
    result = run_readonly(serving_file, f"SELECT range AS n FROM range({rows}) ORDER BY n DESC", max_rows=max_rows,
                          timeout_s=10)
    assert result.truncated is truncated
    assert result.columns == ["n"]
    assert result.rows["n"].to_list() == list(range(rows - 1, -1, -1))[:max_rows]  # the first rows, in order


def test_only_the_rows_shown_are_produced(serving_file):
    # ten billion rows: materialising them would take minutes and far more than the memory limit
    result = run_readonly(serving_file, "SELECT range FROM range(10000000000)", max_rows=5, timeout_s=10)
    assert result.truncated and result.rows["range"].to_list() == [0, 1, 2, 3, 4]


def test_a_result_over_the_memory_limit_fails_cleanly(serving_file):
    with pytest.raises(QueryRefused, match="Out of Memory"):
        run_readonly(serving_file, "SELECT list(range) FROM range(300000000)", max_rows=1, timeout_s=30,
                     memory_limit="64MB")


def test_a_column_polars_cannot_hold_is_named(serving_file):
    with pytest.raises(QueryRefused, match=r"cannot show gap \(INTERVAL\): cast it to VARCHAR"):
        run_readonly(serving_file, "SELECT 1 AS n, INTERVAL 1 DAY AS gap", max_rows=1, timeout_s=10)


def test_a_missing_serving_file_is_refused(tmp_path):
    with pytest.raises(QueryRefused, match="cannot open the published copy"):
        run_readonly(tmp_path / "gone.duckdb", "SELECT 1", max_rows=1, timeout_s=10)


def test_marts_queries_return_the_published_rows(built_warehouse):
    published = current_serving_file(built_warehouse.serving_dir)
    query = "SELECT * FROM marts.current_prices ORDER BY source, provider_id, model_id"
    with duckdb.connect(str(published), read_only=True) as con:
        expected = con.execute(query).fetchall()
        columns = [column for column, *_ in con.execute(query).description]
    assert len(expected) > 1
    result = run_readonly(published, query, max_rows=1000, timeout_s=10)
    assert result.columns == columns and not result.truncated and result.elapsed_s > 0
    assert result.rows.rows() == expected
    # the attach's name qualifies too, and the serving copy's own table is there
    qualified = run_readonly(published, "SELECT count(*) AS n FROM published.marts.current_prices", max_rows=1,
                             timeout_s=10)
    assert qualified.rows["n"].to_list() == [len(expected)]


def test_the_sandbox_runs_beside_the_dashboards_reader_of_the_same_file(built_warehouse):
    published = current_serving_file(built_warehouse.serving_dir)
    reader = open_serving(published)  # as dashboard.data holds it for the whole process
    try:
        counted = reader.execute("SELECT count(*) FROM marts.price_history").fetchone()[0]
        result = run_readonly(published, "SELECT count(*) AS n FROM marts.price_history", max_rows=1, timeout_s=10)
        assert result.rows["n"].to_list() == [counted] and counted > 0
        assert reader.execute("SELECT count(*) FROM marts.price_history").fetchone()[0] == counted
    finally:
        reader.close()


def test_downloads_hold_exactly_the_rows_shown(serving_file):
    result = run_readonly(serving_file, """
        SELECT range AS n, [range, range + 1] AS pair, {'n': range} AS record, 'x'::BLOB AS raw,
               DATE '2026-11-21' + range::INTEGER AS day
        FROM range(5)""", max_rows=3, timeout_s=10)
    assert result.truncated
    assert pl.read_parquet(io.BytesIO(parquet_bytes(result.rows))).equals(result.rows)
    written = pl.read_csv(io.BytesIO(csv_bytes(result.rows)), infer_schema=False)  # as text
    assert written.columns == result.columns
    assert written.rows() == [
        ("0", "[0, 1]", '{"n": 0}', "78", "2026-11-21"),  # JSON for lists and structs, hex for blobs
        ("1", "[1, 2]", '{"n": 1}', "78", "2026-11-22"),
        ("2", "[2, 3]", '{"n": 2}', "78", "2026-11-23"),
    ]


# -- omo sql goes through the same sandbox -----------------------------------------------------------

def test_cli_interrupts_a_query_over_its_timeout(sandbox_data_dir):
    result = run_omo("sql", SLOW_QUERY, "--timeout", "1", env={"OMO_DATA_DIR": str(sandbox_data_dir)}, timeout=60)
    assert result.returncode == 1
    assert result.stderr.startswith("omo: error: query failed: interrupted after 1 s")
    assert "Traceback" not in result.stderr


def test_cli_truncates_and_says_so(sandbox_data_dir):
    result = run_omo("sql", "SELECT range AS n FROM range(10)", "--max-rows", "3", "--csv", "--timeout", "5",
                     env={"OMO_DATA_DIR": str(sandbox_data_dir)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["n", "0", "1", "2"]
    assert "showing the first 3 rows" in result.stderr


def test_cli_prints_a_message_that_looks_like_markup_as_it_is(sandbox_data_dir):
    result = run_omo("sql", 'SELECT * FROM "[/]"', env={"OMO_DATA_DIR": str(sandbox_data_dir)})
    assert result.returncode == 1
    assert result.stderr.startswith("omo: error: query failed:") and "[/]" in result.stderr
    assert "Traceback" not in result.stderr

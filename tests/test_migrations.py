"""Migrations on a real DuckDB file: from empty, idempotent, and N -> N+1 in place."""

import duckdb

from warehouse.migrate import applied_versions, available_migrations, migrate


def test_from_empty_then_again_is_a_no_op(tmp_path):
    path = tmp_path / "omo.duckdb"
    with duckdb.connect(str(path)) as con:
        applied = migrate(con)
        assert applied == [m.version for m in available_migrations()]
        tables = {r[0] for r in con.execute(
            "SELECT schema_name || '.' || table_name FROM duckdb_tables()").fetchall()}
        assert {"raw.collector_runs", "raw.prices", "main.schema_migrations"} <= tables
    with duckdb.connect(str(path)) as con:
        assert migrate(con) == []
        assert con.execute("SELECT count(*) FROM main.schema_migrations").fetchone()[0] == len(applied)


def test_warehouse_at_n_upgrades_to_n_plus_1_in_place(tmp_path):
    path = tmp_path / "omo.duckdb"
    versions = [m.version for m in available_migrations()]
    assert len(versions) >= 2, "need two migrations to test an upgrade"
    first = versions[0]
    with duckdb.connect(str(path)) as con:
        assert migrate(con, target=first) == [first]
        con.execute("""INSERT INTO raw.collector_runs (run_id, source, started_at, finished_at, status)
                       VALUES ('old-run', 'prices', now(), now(), 'ok')""")
    with duckdb.connect(str(path)) as con:
        assert migrate(con) == versions[1:]
        assert applied_versions(con) == set(versions)
        # data written at version N survives the upgrade
        assert con.execute("SELECT run_id FROM raw.collector_runs").fetchall() == [("old-run",)]


def test_failing_migration_leaves_no_trace(tmp_path, monkeypatch):
    import warehouse.migrate as m

    real = m.available_migrations()
    broken = m.Migration(real[-1].version + 1, "broken", "CREATE TABLE raw.half (x INT); SELECT nope FROM nowhere;")
    monkeypatch.setattr(m, "available_migrations", lambda: [*real, broken])
    with duckdb.connect(str(tmp_path / "omo.duckdb")) as con:
        try:
            migrate(con)
        except duckdb.Error:
            pass
        else:
            raise AssertionError("a broken migration must raise")
        assert broken.version not in applied_versions(con)
        assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'half'").fetchone()[0] == 0

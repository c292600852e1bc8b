"""Readers never open the writer's file: two real processes, one holding the write lock."""

import subprocess
import sys
import textwrap

from tests.conftest import run_omo

HOLD_WRITER = textwrap.dedent("""
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])
    con.execute("BEGIN TRANSACTION")
    con.execute("DELETE FROM raw.prices")   # uncommitted work in flight
    print("locked", flush=True)
    time.sleep(60)
""")

READ_DASHBOARD_COPY = textwrap.dedent("""
    from collectors.settings import Settings
    from warehouse.serving import current_serving_file, open_serving
    con = open_serving(current_serving_file(Settings().serving_dir))
    print(con.execute("SELECT count(*) FROM marts.current_prices").fetchone()[0])
""")


def test_reader_answers_from_published_copy_while_writer_holds_lock(built_warehouse):
    writer = subprocess.Popen([sys.executable, "-c", HOLD_WRITER, str(built_warehouse.warehouse_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "locked"
        reader = subprocess.run([sys.executable, "-c", READ_DASHBOARD_COPY], capture_output=True,
                                text=True, timeout=60)
        assert reader.returncode == 0, reader.stderr
        assert int(reader.stdout.strip()) > 0

        # a collector or build that meets the lock skips with exit 75 and changes nothing
        collect = run_omo("collect", "prices")
        assert collect.returncode == 75, collect.stderr
        assert "locked by another process" in collect.stderr
        build = run_omo("build")
        assert build.returncode == 75

        # `omo status` falls back to the published copy instead of failing
        status = run_omo("status")
        assert status.returncode == 0 and "last published state" in status.stdout
    finally:
        writer.kill()
        writer.wait()

"""History at scale: a warehouse of N Hub models x D daily snapshots, built and queried.

    python -m bench.history [--models 2000000] [--days 365] [--quick] [--repeat 20]

Generates the Hub snapshots straight into landing Parquet (the model set from bench.hf_pages, the
same generator the collection bench and the demo serve; all-time counts grow each day by 60-140 %
of a thirtieth of the 30-day figure), loads them into raw.hf_models with one INSERT per day, then
measures, in one run on one machine:

- warehouse bytes per model-day (the DuckDB file after the full build, divided by models x days);
- the full `omo build` (warehouse.build.build + publish) on all D days;
- the build after one more day is loaded (what a daily cron run pays);
- every named query the dashboard runs (dashboard.queries.QUERIES), p50 and p95 over --repeat runs
  on the published copy, with parameters taken from the data (see QUERY_PARAMS).

Prints one Markdown report on stdout. Targets (DESIGN.md section 7): incremental build under 30 s,
dashboard queries p95 under 100 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl

from bench.hf_pages import generate_pages

QUICK = {"models": 20_000, "days": 30, "repeat": 5}


def hub_day_frames(n_models: int, days: int, first_day: date):
    """(day, raw.hf_models frame) for each day, oldest first: day 0 is the generated listing parsed
    by the real collector's parser; later days grow the all-time counts."""
    from collectors.hf_models import parse_page
    from collectors.runs import RunContext

    started = datetime.now(UTC)
    frames = []
    for url, (body, _) in generate_pages(n_models, page_size=10_000, seed=7, base_url="http://bench").items():
        ctx = RunContext("bench-history", "hf", first_day, started)
        frames.append(parse_page(body, url, ctx))
    base = pl.concat(frames)
    usual_per_day = (base["downloads_30d"] // 30).fill_null(0)
    model_seed = base["model_id"].hash(seed=7)
    all_time = base["downloads_all_time"].fill_null(0)
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        if offset:
            # people download with swings: a model's day is 60-140 % of its usual, varying by model
            # and day (an exact thirtieth every day would be "implausibly flat" to the adjustments)
            swing = ((model_seed + offset * 7919) % 801).cast(pl.Float64) / 1000 + 0.6
            all_time = all_time + (usual_per_day * swing).cast(pl.Int64)
        yield day, base.with_columns(
            snapshot_date=pl.lit(day),
            downloads_all_time=all_time,
            run_id=pl.lit(f"bench-{day}"),
        )


def load_days(con: duckdb.DuckDBPyConnection, landing: Path, frames) -> int:
    rows = 0
    for day, frame in frames:
        path = landing / f"hf-{day}.parquet"
        frame.write_parquet(path)
        con.execute(f"INSERT INTO raw.hf_models SELECT * FROM read_parquet('{path}')")
        rows += frame.height
    return rows


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def query_params(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    """Parameters for each named query that takes any, from the data (what a user would pick)."""
    def one(sql: str, default=None):
        try:
            rows = con.execute(sql).fetchall()
        except duckdb.Error:
            return default
        return rows[0][0] if rows and rows[0][0] is not None else default

    top_model = one("SELECT model_id FROM marts.model_downloads_daily ORDER BY downloads_30d DESC LIMIT 1", "x/y")
    top_repos = [r for (r,) in con.execute("SELECT repo FROM marts.repo_growth ORDER BY stars DESC NULLS LAST "
                                           "LIMIT 8").fetchall()] if one("SELECT 1 FROM marts.repo_growth LIMIT 1") \
        else []
    benchmark = one("SELECT benchmark FROM marts.price_performance LIMIT 1", "epoch_eci")
    month = one("SELECT max(month_start) FROM marts.price_performance", date.today().replace(day=1))
    price_keys = [k for (k,) in con.execute("SELECT provider_id || '/' || model_id FROM marts.price_history "
                                            "LIMIT 5").fetchall()]
    return {
        "attribution": "lineage", "dimension": "family", "top_n": 10, "limit": 25,
        "model_id": top_model, "text": top_model.split("/")[-1][:6], "model_keys": price_keys or ["x"],
        "repos": top_repos or ["x/y"], "category": "inference-server", "benchmark": benchmark,
        "month": month, "providers": [], "min_context_tokens": 0, "relation": "all",
        "measure": "downloads", "downloads_basis": "adjusted",
    }


def query_latencies(serving_file: Path, repeat: int) -> list[tuple[str, float, float, int]]:
    """(query, p50 ms, p95 ms, rows) for every named dashboard query, on one read-only connection
    (as the dashboard holds one), parameters bound by name."""
    from dashboard.queries import QUERIES

    con = duckdb.connect(str(serving_file), read_only=True)
    params = query_params(con)
    results = []
    for name, sql in sorted(QUERIES.items()):
        wanted = {key: value for key, value in params.items() if f"${key}" in sql}
        times, rows = [], 0
        for _ in range(repeat):
            started = time.perf_counter()
            try:
                rows = len(con.execute(sql, wanted or None).fetchall())
            except duckdb.Error as exc:
                results.append((name, float("nan"), float("nan"), -1))
                print(f"query {name} failed: {str(exc).splitlines()[0]}", file=sys.stderr)
                break
            times.append((time.perf_counter() - started) * 1000)
        else:
            times.sort()
            results.append((name, statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)], rows))
    con.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=2_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help=f"small sizes for CI: {QUICK}")
    args = parser.parse_args()
    if args.quick:
        args.models, args.days, args.repeat = QUICK["models"], QUICK["days"], QUICK["repeat"]

    from warehouse.build import build
    from warehouse.migrate import migrate
    from warehouse.publish import publish

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        landing = scratch / "landing"
        landing.mkdir()
        warehouse = scratch / "omo.duckdb"
        first_day = date.today() - timedelta(days=args.days)
        frames = hub_day_frames(args.models, args.days + 1, first_day)
        con = duckdb.connect(str(warehouse))
        migrate(con)
        started = time.perf_counter()
        history = [next(frames) for _ in range(args.days)]
        rows = load_days(con, landing, history)
        load_s = time.perf_counter() - started
        del history
        full_models: dict[str, float] = {}
        full_s = timed(lambda: build(con, on_model=lambda m, s: full_models.__setitem__(m.relation, s)))
        con.execute("CHECKPOINT")
        size = warehouse.stat().st_size
        publish_s = timed(lambda: publish(con, scratch / "serving"))
        load_days(con, landing, [next(frames)])
        next_models: dict[str, float] = {}
        incremental_s = timed(lambda: build(con, on_model=lambda m, s: next_models.__setitem__(m.relation, s)))
        serving = publish(con, scratch / "serving")
        con.close()
        latencies = query_latencies(serving, args.repeat)

    model_days = args.models * args.days
    print(f"## History scale: {args.models:,} models x {args.days} days ({rows:,} rows), {date.today()}\n")
    print("| measure | figure | target |\n|---|---:|---|")
    print(f"| load of the landed days (INSERT from Parquet) | {load_s:.1f} s | |")
    print(f"| warehouse bytes per model-day | {size / model_days:.1f} B ({size / 2**20:,.0f} MiB) | |")
    print(f"| full build | {full_s:.1f} s | |")
    print(f"| publish | {publish_s:.1f} s | |")
    print(f"| build after one more day | {incremental_s:.1f} s | < 30 s |")
    print("\nSlowest models of the build after one more day (where the next-day time goes):\n")
    print("| model | full build s | next-day build s |\n|---|---:|---:|")
    for relation, seconds in sorted(next_models.items(), key=lambda kv: -kv[1])[:8]:
        print(f"| {relation} | {full_models.get(relation, float('nan')):.1f} | {seconds:.1f} |")
    slow = [r for r in latencies if not r[2] < 100]
    print(f"\nDashboard queries on the published copy ({len(latencies)} queries, {args.repeat} runs each; "
          f"{len(slow)} with p95 of 100 ms or more):\n")
    print("| query | p50 ms | p95 ms | rows |\n|---|---:|---:|---:|")
    for name, p50, p95, n in sorted(latencies, key=lambda r: -r[2] if r[2] == r[2] else 0):
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {n:,} |")
    print(f"\nCommand: `python -m bench.history {'--quick' if args.quick else f'--models {args.models} --days {args.days}'}`")


if __name__ == "__main__":
    main()

"""Model-identity match rates on the real price-list and leaderboard samples in ../shared/data.

    python -m bench.identity_rates [--shared ../shared/data]

Serves the shared samples as they are from 127.0.0.1 (nothing is copied), runs the real
collectors against them into a temporary data directory (genai-prices: the packaged copy;
OpenRouter's 2026-08-19 list; Epoch's ECI CSV; the LMArena text leaderboard history), builds the
warehouse, and prints the match rate per source plus a sample of the unmatched names.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import tempfile
import threading
from datetime import date
from pathlib import Path

SAMPLES = {
    "openrouter": "prices/openrouter_api_v1_models_2026-08-19.json",
    "epoch": "quality/epoch_capabilities_index_2026-04.csv",
    "lmarena": "quality/lmarena_text_leaderboard_history.csv",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parents[2] / "shared" / "data"
    parser.add_argument("--shared", type=Path, default=default, help="the shared data folder")
    args = parser.parse_args()
    missing = [name for name in SAMPLES.values() if not (args.shared / name).is_file()]
    if missing:
        raise SystemExit(f"identity_rates: samples not found under {args.shared}: {', '.join(missing)}")

    handler = functools.partial(_QuietHandler, directory=str(args.shared))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    with tempfile.TemporaryDirectory() as data_dir:
        os.environ.update(OMO_DATA_DIR=data_dir, OMO_OPENROUTER_URL=base + SAMPLES["openrouter"])
        import duckdb

        from collectors.pipeline import run_source
        from collectors.settings import Settings
        from warehouse.build import build
        from warehouse.db import open_writer

        day = date.today()
        run_source("prices", Settings(), snapshot_date=day, mode="packaged")
        run_source("openrouter", Settings(), snapshot_date=day)
        for board in ("epoch", "lmarena"):
            os.environ["OMO_QUALITY_URL"] = base + SAMPLES[board]
            run_source("quality", Settings(), snapshot_date=day)
        settings = Settings()
        with open_writer(settings.warehouse_path) as con:
            build(con)
        with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
            rates = con.execute("""
                SELECT name_source, name_role, count(*), count(*) FILTER (WHERE is_matched),
                       count(*) FILTER (WHERE match_method = 'exact'), count(*) FILTER (WHERE match_method = 'linked'),
                       count(*) FILTER (WHERE match_method = 'override')
                FROM marts.model_identity GROUP BY ALL ORDER BY name_role, name_source""").fetchall()
            recent = con.execute("""
                SELECT name_source, source_model_id FROM marts.model_identity
                WHERE NOT is_matched AND name_role = 'quality' AND name_source = 'epoch-ai'
                ORDER BY available_from DESC NULLS LAST LIMIT 12""").fetchall()
            performance = con.execute("""
                SELECT benchmark, count(DISTINCT model_key), count(DISTINCT month_start)
                FROM marts.price_performance GROUP BY ALL ORDER BY 1""").fetchall()
    server.shutdown()

    print("| names from | kind | names | matched | rate | exact | linked | override |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for source, role, names, matched, exact, linked, override in rates:
        print(f"| {source} | {role} | {names:,} | {matched:,} | {matched / names:.0%} | {exact:,} | "
              f"{linked:,} | {override:,} |")
    print("\nprice_performance: " + "; ".join(f"{b}: {m} models over {n} months" for b, m, n in performance))
    print("\nnewest unmatched Epoch names: " + ", ".join(name for _, name in recent))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


if __name__ == "__main__":
    main()

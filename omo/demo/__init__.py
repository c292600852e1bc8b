"""Demo mode: `omo demo` (`make demo`) shows every dashboard page populated, without network or tokens.

What it does (omo/demo/run.py): generates a sample of every source for the last N days (default
14), serves it from a local server on 127.0.0.1 shaped like the real APIs (omo/demo/server.py),
runs the real collectors against that server one snapshot date at a time, builds and publishes
the marts, and opens the dashboard, all in a separate data directory: `<data_dir>-demo`, marked
with a SAMPLE_DATA file. Demo rows never reach the real warehouse: the demo never opens the real
data directory, and `omo collect` refuses to write into a marked one.

The sample (same window of days, same bytes: one fixed seed):
- omo/demo/hub.py: Hub listings, bench.hf_pages' generator grown day by day (4 000 models,
  downloads growing, a few new and vanished models a day).
- omo/demo/repos.py: 26 tracked GitHub repos, stars growing daily, stargazer lists behind them.
- omo/demo/llms.py: a genai-prices data.json, OpenRouter's model list, Epoch AI's capabilities
  index and an LMArena leaderboard for ~50 real models, with generated prices and scores.
Names (models, organisations, repositories) are real; every figure is generated.

The dashboard asks is_sample_data_dir(data_dir) to label its pages as sample data.
"""

from omo.demo.run import (
    DemoError,
    demo_command,
    demo_data_dir,
    is_sample_data_dir,
    run_demo,
)

__all__ = ["DemoError", "demo_command", "demo_data_dir", "is_sample_data_dir", "run_demo"]

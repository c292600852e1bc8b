"""Sample Hub: bench.hf_pages' generated models, grown day by day, served as GET /api/models.

The first day's listing is bench.hf_pages.generate_records (power-law downloads, real
organisations, licence mix, ~40 % derivatives with base_model tags). Each later day:
- a model's 30-day downloads drift by its own trend (some rise, some fade) with daily noise,
- its all-time downloads grow by that day's downloads (a thirtieth of the 30-day figure, noisy),
  so marts.model_downloads_daily always has a positive daily figure,
- likes creep up,
- about 1 % of models download like a machine (the same count every day: a CI job) and about 1 %
  have one day of 30 times their usual downloads mid-window (a viral link), so each adjustment
  rule of download_adjustment_rules.csv has something to touch,
- a few models appear (created that day, counts starting from nothing) and a few vanish (deleted
  or made private), as on the real Hub.
The listing is sorted by 30-day downloads like the Hub's, and served a page at a time with the
Hub's `Link: <…?cursor=…>; rel="next"` paging. 4 000 models are generated and the demo collects
the top 3 000, so models near the cut drift in and out of scope as on the real Hub.
"""

from __future__ import annotations

import base64
import json
import math
import random
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

from bench import hf_pages
from omo.demo.server import JSON_TYPE, NOT_FOUND, Response, json_response

GENERATED_MODELS = 4_000
ARRIVALS_PER_DAY = 3
VANISHED_EVERY_DAYS = 4
MAX_PAGE_SIZE = 1_000  # the Hub's cap on `limit`
MACHINE_SHARE = SPIKE_SHARE = 0.01


class HubSample:
    def __init__(self, days: list[date], seed: int, base_url: str, n_models: int = GENERATED_MODELS) -> None:
        self.base_url = base_url.rstrip("/")
        self.day_index = 0
        first_day = hf_pages.generate_records(n_models, seed)
        self.listings = self._grow(first_day, days, random.Random(f"omo-demo-hub-{seed}"))

    @staticmethod
    def _grow(first_day: list[dict], days: list[date], rng: random.Random) -> list[list[dict]]:
        """One listing per day, each sorted as the Hub sorts (30-day downloads, then id)."""
        later_days = len(days) - 1
        movers = rng.sample(range(100, len(first_day)),  # the very top stays put
                            ARRIVALS_PER_DAY * later_days + later_days // VANISHED_EVERY_DAYS)
        arrivals = movers[:ARRIVALS_PER_DAY * later_days]
        arrival_day = {index: 1 + k // ARRIVALS_PER_DAY for k, index in enumerate(arrivals)}
        vanish_day = {index: rng.randint(1, later_days) for index in movers[len(arrivals):]}
        listings: list[list[dict]] = [[] for _ in days]
        for index, record in enumerate(first_day):
            for day_index, today in _model_days(record, days, arrival_day.get(index),
                                                vanish_day.get(index, len(days)), rng):
                listings[day_index].append(today)
        for listing in listings:
            listing.sort(key=lambda r: (-r["downloads"], r["_id"]))
        return listings

    def serve(self, path: str, query: list[tuple[str, str]]) -> Response:
        """GET /api/models: a page of today's listing, from the cursor on."""
        if path.rstrip("/") != "/api/models":
            return NOT_FOUND
        params = dict(query)
        narrowing = [name for name in hf_pages.NARROWING_PARAMS if name in params]
        if narrowing:  # the demo collects the top N only (see omo/demo/run.py)
            return json_response({"error": "omo demo sample Hub: unsupported parameter(s) "
                                           + ", ".join(narrowing)}, 400)
        listing = self.listings[self.day_index]
        limit = min(int(params.get("limit") or MAX_PAGE_SIZE), MAX_PAGE_SIZE)
        start = _seek(listing, params.get("cursor"))
        page = listing[start:start + limit]
        headers = {"Content-Type": JSON_TYPE}
        if start + limit < len(listing):
            cursor = hf_pages.page_cursor(page[-1])
            next_query = [("cursor", cursor)] + [(k, v) for k, v in query if k != "cursor"]
            headers["Link"] = f'<{self.base_url}/api/models?{urlencode(next_query)}>; rel="next"'
        return Response(200, json.dumps(page, separators=(",", ":")).encode(), headers)


def _model_days(record: dict, days: list[date], arrives: int | None, vanishes: int,
                rng: random.Random) -> list[tuple[int, dict]]:
    """(day index, the model's record that day) for every day it is listed."""
    trend = rng.gauss(0, 0.012)  # its 30-day downloads drift by this much a day
    likes_per_day = record["likes"] * rng.uniform(0, 0.004)
    noise = [math.exp(rng.gauss(0, 0.15)) for _ in days]  # a day's downloads: ~1/30 of the 30-day count
    # drawn from the id, not rng, so the other models' figures stay as they were
    behaviour = random.Random(f"behaviour-{record['id']}").random()
    if behaviour < MACHINE_SHARE:
        noise = [1.0] * len(days)
    elif behaviour < MACHINE_SHARE + SPIKE_SHARE:
        noise[len(days) // 2] *= 30
    has_all_time = isinstance(record.get("downloadsAllTime"), int)  # missing or null on some, as on the Hub
    all_time = record.get("downloadsAllTime")
    if arrives is not None:
        created = datetime.combine(days[arrives], datetime.min.time(), UTC) + timedelta(seconds=rng.randrange(86_400))
        stamp = created.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    listed = []
    for day_index in range(arrives or 0, vanishes):
        if arrives is not None:  # new: everything it has was downloaded within the last 30 days
            downloads = all_time = max(1, round(record["downloads"] * (day_index - arrives + 1) / 30))
        else:
            downloads = max(1, round(record["downloads"] * math.exp(trend * day_index)))
            if has_all_time and day_index > 0:
                all_time += round(downloads / 30 * noise[day_index])
        today = {**record, "downloads": downloads, "likes": round(record["likes"] + likes_per_day * day_index)}
        if has_all_time:
            today["downloadsAllTime"] = all_time
        if arrives is not None:
            today.update(createdAt=stamp, lastModified=stamp)
        listed.append((day_index, today))
    return listed


def _seek(listing: list[dict], cursor: str | None) -> int:
    """Where a page starts: after the sort key bench.hf_pages.page_cursor encoded (downloads
    descending, then _id), read the way the Hub reads its own cursor."""
    if not cursor:
        return 0
    after = json.loads(base64.b64decode(cursor))["$or"][1]
    downloads, last_id = after["downloads"], after["_id"]["$gt"]
    for position, record in enumerate(listing):
        if record["downloads"] < downloads or (record["downloads"] == downloads and record["_id"] > last_id):
            return position
    return len(listing)

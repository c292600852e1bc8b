"""`omo collect quality`: Epoch's ECI (zip or CSV) and an LMArena CSV, replayed from 127.0.0.1.

Fixtures are real rows: tests/fixtures/quality/epoch_capabilities_index.csv is 14 rows of Epoch AI's
epoch_capabilities_index.csv (April 2026) and lmarena_text.csv is 12 rows of LMArena's text board as
fboulnois/llm-leaderboard-csv published it on 2025-08-06, verbatim.
"""

import io
import zipfile
from datetime import date

import duckdb
import pytest

from collectors.pipeline import run_source
from collectors.runs import SourceError, SourceUnreachable
from collectors.settings import Settings
from tests.conftest import FIXTURES, run_omo
from tests.replay import Reply

EPOCH_CSV = (FIXTURES / "quality" / "epoch_capabilities_index.csv").read_bytes()
LMARENA_CSV = (FIXTURES / "quality" / "lmarena_text.csv").read_bytes()
DAY = date(2026, 4, 20)


def _zip(member: str = "epoch_capabilities_index.csv", body: bytes = EPOCH_CSV) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("gpqa_diamond.csv", b"Model version,mean_score\ngpt-5-2025-08-07_high,0.85\n")
        archive.writestr(member, body)
    return buffer.getvalue()


CSV_HEADERS = {"Content-Type": "text/csv; charset=utf-8"}


@pytest.fixture
def epoch_url(replay, monkeypatch) -> str:
    url = replay.route("/data/benchmark_data.zip", Reply(body=_zip(), headers={"Content-Type": "application/zip"}))
    monkeypatch.setenv("OMO_QUALITY_URL", url)
    return url


def _rows(where: str = "true") -> dict[str, dict]:
    with duckdb.connect(str(Settings().warehouse_path), read_only=True) as con:
        cursor = con.execute(f"SELECT * FROM raw.quality_scores WHERE {where}")
        names = [d[0] for d in cursor.description]
        return {row[names.index("model_name")]: dict(zip(names, row)) for row in cursor.fetchall()}


def _last_run() -> tuple:
    with duckdb.connect(str(Settings().warehouse_path), read_only=True) as con:
        return con.execute("""SELECT status, rows_loaded, detail, error FROM raw.collector_runs
                              WHERE source = 'quality' ORDER BY started_at DESC LIMIT 1""").fetchone()


def test_epoch_archive_is_normalised_with_release_dates_and_access(data_dir, epoch_url):
    run = run_source("quality", Settings(), snapshot_date=DAY)
    assert run.status == "ok" and run.rows_loaded == 10
    rows = _rows()
    deepseek = rows["DeepSeek-V3-0324"]
    assert deepseek["source"] == "epoch-ai" and deepseek["benchmark"] == "epoch_eci"
    assert deepseek["score"] == pytest.approx(137.16063968362883)
    assert (deepseek["as_of"], deepseek["as_of_basis"]) == (date(2025, 3, 24), "release_date")
    assert (deepseek["organization"], deepseek["country"]) == ("DeepSeek", "China")
    assert deepseek["license_or_access"] == "Open weights (restricted use)" and deepseek["open_weights"] is True
    assert deepseek["rank"] is None and deepseek["snapshot_date"] == DAY and deepseek["run_id"] == run.run_id
    assert rows["claude-3-5-sonnet-20240620"]["score"] == 130.0  # the ECI anchor
    assert rows["gpt-5-2025-08-07_high"]["open_weights"] is False
    assert rows["gpt-5-2025-08-07_high"]["display_name"] == "GPT-5 (high)"
    assert rows["gemini-2.0-pro-exp-02-05"]["open_weights"] is False  # hosted access, no API
    assert rows["openai/gpt-oss-120b_high"]["open_weights"] is True
    # a blank accessibility stays unknown; a blank release date stays null, the score is kept
    assert rows["claude-mythos-2026-04-07"]["open_weights"] is None
    assert rows["claude-mythos-2026-04-07"]["license_or_access"] is None
    assert rows["gemma-2-9b"]["as_of"] is None and rows["gemma-2-9b"]["score"] == pytest.approx(119.8265056)
    # models Epoch lists without a score are counted, not loaded
    assert {"davinci-002", "gpt-3.5-turbo-instruct", "mistral-large-2411", "gpt-5.3-codex_high"}.isdisjoint(rows)
    status, _, detail, _ = _last_run()
    assert status == "ok" and "epoch_eci_csv" in detail and "no_score 4" in detail


def test_bare_epoch_csv_reads_the_same(data_dir, replay, monkeypatch):
    monkeypatch.setenv("OMO_QUALITY_URL", replay.route("/eci.csv", Reply(body=EPOCH_CSV, headers=CSV_HEADERS)))
    assert run_source("quality", Settings(), snapshot_date=DAY).rows_loaded == 10  # format told by its header


def test_lmarena_csv_ranks_votes_licences_and_duplicates(data_dir, replay, monkeypatch):
    url = replay.route("/fboulnois/llm-leaderboard-csv/main/csv/lmarena_text.csv",
                       Reply(body=LMARENA_CSV, headers=CSV_HEADERS))
    monkeypatch.setenv("OMO_QUALITY_URL", url)
    run = run_source("quality", Settings(), snapshot_date=DAY)
    assert run.rows_loaded == 11  # Yi-34B-Chat is listed twice by the board: kept once
    rows = _rows()
    top = rows["Gemini-2.5-Pro"]
    assert (top["source"], top["benchmark"], top["rank"], top["score"], top["votes"], top["score_ci"]) == \
        ("lmarena", "lmarena_text", 1, 1470.0, 26019, "+5/-5")
    # the file carries no date: the day it was read, and the basis says so
    assert (top["as_of"], top["as_of_basis"]) == (DAY, "collection_date")
    assert top["open_weights"] is False and rows["GLM-4.5"]["open_weights"] is True
    assert rows["Claude 3.5 Haiku (20241022)"]["open_weights"] is False  # the board's 'Propretary'
    assert rows["Meta-Llama-3.1-405B-Instruct-bf16"]["license_or_access"] == "Llama 3.1 Community"
    assert rows["Meta-Llama-3.1-405B-Instruct-bf16"]["open_weights"] is True
    assert rows["InternLM2.5-20B-chat"]["open_weights"] is None  # 'Other': unknown
    assert rows["Llama-4-Maverick-03-26-Experimental"]["open_weights"] is None  # blank licence
    assert rows["Yi-34B-Chat"]["rank"] == 200
    assert "duplicate_model 1" in _last_run()[2]


def test_lmarena_history_file_keeps_each_leaderboard_date(data_dir, replay, monkeypatch):
    body = (b"snapshot_date,source_commit,source_file,rank,rank_stylectrl,model,arena_score,95_pct_ci,votes,"
            b"organization,license,knowledge_cutoff,url\n"
            b"2024-06-19,3792cf00e845,csv/lmsys.csv,1,,GPT-4o-2024-05-13,1287,+3/-3,42046,OpenAI,Proprietary,"
            b"2023/10,https://openai.com/index/hello-gpt-4o/\n"
            b"2025-08-06,e964e252a171,csv/lmarena_text.csv,3,2,GLM-4.5,1434,+9/-9,4112,Z.ai,MIT,,"
            b"https://z.ai/blog/glm-4.5\n")
    monkeypatch.setenv("OMO_QUALITY_URL", replay.route("/history.csv", Reply(body=body, headers=CSV_HEADERS)))
    monkeypatch.setenv("OMO_QUALITY_FORMAT", "lmarena_csv")
    run_source("quality", Settings(), snapshot_date=DAY)
    rows = _rows()
    assert (rows["GPT-4o-2024-05-13"]["as_of"], rows["GPT-4o-2024-05-13"]["as_of_basis"]) == \
        (date(2024, 6, 19), "leaderboard_date")
    assert rows["GPT-4o-2024-05-13"]["rank"] == 1 and rows["GLM-4.5"]["as_of"] == date(2025, 8, 6)


def test_rerun_same_day_replaces_and_other_days_and_boards_stay(data_dir, epoch_url, replay, monkeypatch):
    first = run_source("quality", Settings(), snapshot_date=DAY)
    run_source("quality", Settings(), snapshot_date=date(2026, 4, 13))
    second = run_source("quality", Settings(), snapshot_date=DAY)
    with duckdb.connect(str(Settings().warehouse_path), read_only=True) as con:
        per_day = dict(con.execute("""SELECT snapshot_date, count(*) FROM raw.quality_scores
                                      GROUP BY 1""").fetchall())
        run_ids = {r[0] for r in con.execute(
            "SELECT DISTINCT run_id FROM raw.quality_scores WHERE snapshot_date = ?", [DAY]).fetchall()}
    assert per_day == {DAY: 10, date(2026, 4, 13): 10}
    assert run_ids == {second.run_id} != {first.run_id}
    # another board the same day adds its rows and leaves Epoch's alone
    monkeypatch.setenv("OMO_QUALITY_URL", replay.route("/csv/lmarena_text.csv", Reply(body=LMARENA_CSV)))
    run_source("quality", Settings(), snapshot_date=DAY)
    with duckdb.connect(str(Settings().warehouse_path), read_only=True) as con:
        assert dict(con.execute("""SELECT source, count(*) FROM raw.quality_scores WHERE snapshot_date = ?
                                   GROUP BY 1""", [DAY]).fetchall()) == {"epoch-ai": 10, "lmarena": 11}


def test_offline_says_it_needs_the_network_in_one_line(data_dir):
    # conftest points OMO_QUALITY_URL at a closed 127.0.0.1 port: the same failure as no network
    result = run_omo("collect", "quality")
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("omo: error: quality: needs the network")
    assert "http://127.0.0.1:" in lines[0] and "/benchmark_data.zip" in lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    with duckdb.connect(str(data_dir / "omo.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw.quality_scores").fetchone()[0] == 0
        status, error = con.execute("SELECT status, error FROM raw.collector_runs WHERE source = 'quality'").fetchone()
    assert status == "failed" and "needs the network" in error


def test_offline_raises_unreachable(data_dir):
    from collectors.quality import fetch_board

    settings = Settings()

    with pytest.raises(SourceUnreachable, match="needs the network"):
        fetch_board(settings)


TRUNCATED = EPOCH_CSV[: EPOCH_CSV.index(b"Meta-Llama-3-70B") + 40]
MISSING_COLUMN = EPOCH_CSV.replace(b"Model version,ECI Score,", b"Model version,ECI,", 1)


@pytest.mark.parametrize("reply, expected", [
    (Reply(200, b"<!DOCTYPE html><html><head><title>Epoch AI</title></head><body>Not found</body></html>",
           {"Content-Type": "text/html"}), "returned an HTML page, not a CSV file"),
    (Reply(200, TRUNCATED, CSV_HEADERS), "looks truncated (line 8 has 3 fields"),
    (Reply(200, MISSING_COLUMN, CSV_HEADERS), "lacks column(s) 'ECI Score'"),
    (Reply(200, _zip(member="notable_ai_models.csv"), {"Content-Type": "application/zip"}),
     "has no epoch_capabilities_index.csv"),
    (Reply(200, _zip()[:300], {"Content-Type": "application/zip"}), "broken zip archive"),
    (Reply(503, b"upstream unavailable", {"Content-Type": "text/plain"}), "HTTP 503"),
])
def test_broken_source_is_one_clear_line_and_loads_nothing(data_dir, replay, reply, expected):
    good = replay.route("/good/benchmark_data.zip", Reply(body=_zip()))
    assert run_omo("collect", "quality", env={"OMO_QUALITY_URL": good}).returncode == 0
    with duckdb.connect(str(data_dir / "omo.duckdb"), read_only=True) as con:
        before = con.execute("SELECT count(*), sum(hash(COLUMNS(*))) FROM raw.quality_scores").fetchall()

    bad = replay.route("/bad/benchmark_data.zip", reply)
    result = run_omo("collect", "quality", env={"OMO_QUALITY_URL": bad, "OMO_HTTP_RETRIES": "1"})
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("omo: error: quality:") and expected in lines[0], lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    with duckdb.connect(str(data_dir / "omo.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*), sum(hash(COLUMNS(*))) FROM raw.quality_scores").fetchall() == before
        assert con.execute("""SELECT status FROM raw.collector_runs WHERE source = 'quality'
                              ORDER BY started_at DESC LIMIT 1""").fetchone() == ("failed",)


def test_missing_lmarena_column_is_named_and_unknown_format_asks_for_the_setting():
    from collectors.quality import normalise_board

    kw = {"snapshot_date": DAY, "run_id": "r", "collected_at": None}
    without_score = LMARENA_CSV.replace(b",arena_score,", b",score,", 1)
    with pytest.raises(SourceError, match="lacks column\\(s\\) 'arena_score'"):
        normalise_board(without_score, url="http://127.0.0.1/csv/lmarena_text.csv",
                        fmt_setting="auto", **kw)
    with pytest.raises(SourceError, match="set OMO_QUALITY_FORMAT"):
        normalise_board(b"name,value\na,1\n", url="http://127.0.0.1/scores.csv", fmt_setting="auto", **kw)


def test_bad_format_setting_names_the_variable(data_dir):
    result = run_omo("collect", "quality", env={"OMO_QUALITY_FORMAT": "xlsx"})
    assert result.returncode == 2 and "OMO_QUALITY_FORMAT" in result.stderr

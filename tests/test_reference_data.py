"""Checks for the hand-curated reference tables in warehouse/reference/.

The tables are plain CSV so they can be reviewed in a diff; these tests keep them
well-formed (keys, vocabularies, regexes that work in both Python and DuckDB) and
check that the family rules classify real model ids as documented.
"""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import duckdb
import polars as pl
import pytest

REFERENCE = Path(__file__).parents[1] / "warehouse" / "reference"
SHARED_DATA = Path(__file__).parents[2] / "shared" / "data"

COLUMNS = {
    "license_classes.csv": ["license_class", "commercial_use", "attribution_required", "use_restrictions", "description"],
    "licenses.csv": ["license_id", "license_class", "commercial_use", "use_restrictions", "note"],
    "organizations.csv": ["author", "organization", "country", "org_type", "tracked"],
    "families.csv": ["priority", "match_on", "pattern", "family"],
}
LICENSE_CLASSES = {"permissive", "copyleft", "open-restricted", "non-commercial", "unknown"}
COMMERCIAL = {"yes", "no", "conditional"}
BOOLS = {"true", "false"}
ORG_TYPES = {"big-tech", "ai-lab", "startup", "academia", "community", "government", "nonprofit"}


def read(name: str) -> list[dict[str, str]]:
    with open(REFERENCE / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def family_rules() -> list[dict[str, str]]:
    return sorted(read("families.csv"), key=lambda r: int(r["priority"]))


def match_family(model_id: str, rules: list[dict[str, str]]) -> str | None:
    """First rule by priority wins: author rules compare the namespace exactly,
    id_regex rules search the full id case-insensitively."""
    author = model_id.split("/", 1)[0] if "/" in model_id else ""
    for rule in rules:
        if rule["match_on"] == "author" and author == rule["pattern"]:
            return rule["family"]
        if rule["match_on"] == "id_regex" and re.search(rule["pattern"], model_id, re.IGNORECASE):
            return rule["family"]
    return None


# ---------------------------------------------------------------- structure

@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_file_parses_with_expected_header(name):
    path = REFERENCE / name
    assert path.exists(), path
    with open(path, newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert header == COLUMNS[name]
    rows = read(name)
    assert rows, f"{name} is empty"
    for i, row in enumerate(rows, start=2):
        assert None not in row, f"{name}:{i} has more fields than the header"
        assert all(v is not None for v in row.values()), f"{name}:{i} has fewer fields than the header"
    df = pl.read_csv(path, infer_schema_length=0)  # all columns as strings
    assert df.columns == COLUMNS[name]
    assert df.height == len(rows)


@pytest.mark.parametrize("name,key", [
    ("license_classes.csv", ("license_class",)),
    ("licenses.csv", ("license_id",)),
    ("organizations.csv", ("author",)),
    ("families.csv", ("priority", "pattern")),
])
def test_keys_unique_and_not_empty(name, key):
    rows = read(name)
    keys = [tuple(row[k].strip() for k in key) for row in rows]
    assert all(all(part for part in k) for k in keys), f"empty key in {name}"
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    assert not dupes, f"duplicate keys in {name}: {dupes}"
    for row in rows:
        for k in key:
            assert row[k] == row[k].strip(), f"surrounding whitespace in {name}: {row[k]!r}"


# ---------------------------------------------------------------- licences

def test_license_classes_are_the_five_classes():
    rows = read("license_classes.csv")
    assert {r["license_class"] for r in rows} == LICENSE_CLASSES
    assert len(rows) == 5
    for r in rows:
        assert r["commercial_use"] in COMMERCIAL
        assert r["attribution_required"] in BOOLS
        assert r["use_restrictions"] in BOOLS
        assert r["description"].strip()


def test_licenses_use_known_classes_and_values():
    classes = {r["license_class"] for r in read("license_classes.csv")}
    for r in read("licenses.csv"):
        lid = r["license_id"]
        assert r["license_class"] in classes, lid
        assert r["commercial_use"] in COMMERCIAL, lid
        assert r["use_restrictions"] in BOOLS, lid
        assert lid == lid.lower() and " " not in lid, f"not a Hub-style id: {lid!r}"
        if r["license_class"] == "non-commercial":
            assert r["commercial_use"] == "no", lid
        if r["license_class"] in ("permissive", "copyleft"):
            assert r["commercial_use"] == "yes" and r["use_restrictions"] == "false", lid


def test_well_known_licences_are_classified_as_expected():
    by_id = {r["license_id"]: r["license_class"] for r in read("licenses.csv")}
    expected = {
        "apache-2.0": "permissive", "mit": "permissive", "bsd-3-clause": "permissive",
        "cc-by-4.0": "permissive", "cc0-1.0": "permissive", "unlicense": "permissive",
        "gpl-3.0": "copyleft", "agpl-3.0": "copyleft", "lgpl-3.0": "copyleft",
        "mpl-2.0": "copyleft", "cc-by-sa-4.0": "copyleft",
        "llama2": "open-restricted", "llama3": "open-restricted", "llama3.1": "open-restricted",
        "llama3.2": "open-restricted", "llama3.3": "open-restricted", "llama4": "open-restricted",
        "gemma": "open-restricted", "openrail": "open-restricted", "openrail++": "open-restricted",
        "creativeml-openrail-m": "open-restricted", "bigscience-openrail-m": "open-restricted",
        "bigscience-bloom-rail-1.0": "open-restricted", "tongyi-qianwen": "open-restricted",
        "deepseek": "open-restricted",
        "cc-by-nc-4.0": "non-commercial", "cc-by-nc-sa-4.0": "non-commercial",
        "cc-by-nc-nd-4.0": "non-commercial", "apple-amlr": "non-commercial",
        "other": "unknown", "unknown": "unknown",
    }
    wrong = {k: (by_id.get(k), v) for k, v in expected.items() if by_id.get(k) != v}
    assert not wrong, f"(found, expected): {wrong}"


def _shared_licence_ids() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}

    with open(SHARED_DATA / "reference" / "license_map_aikian.csv", newline="", encoding="utf-8") as f:
        found["license_map_aikian"] = {r["license"].strip() for r in csv.DictReader(f) if r["license"].strip()}

    with open(SHARED_DATA / "quality" / "open_llm_leaderboard_v2_final.csv", newline="", encoding="utf-8") as f:
        found["open_llm_leaderboard"] = {
            r["metadata_hub_license"].strip() for r in csv.DictReader(f) if r["metadata_hub_license"].strip()}

    tags: set[str] = set()
    with open(SHARED_DATA / "hf" / "model_trees_2025-04.jsonl", encoding="utf-8") as f:
        for line in f:
            meta = json.loads(line).get("metadata") or {}
            for tag in meta.get("tags") or []:
                if tag.startswith("license:"):
                    tags.add(tag.removeprefix("license:"))
    found["model_trees"] = tags

    # llm-stats mixes Hub ids (mit, gemma, deepseek, qwen) with its own snake_case names
    # (apache_2_0, llama_3_1_community_license); only the Hub-style ones are expected.
    # "proprietary" marks API-only models there and is not a Hub licence id.
    hub_style = re.compile(r"[a-z0-9][a-z0-9.+-]*")
    with open(SHARED_DATA / "llm_stats" / "licenses.jsonl", encoding="utf-8") as f:
        ids = {json.loads(line)["license_id"] for line in f if line.strip()}
    found["llm_stats"] = {i for i in ids if hub_style.fullmatch(i) and i != "proprietary"}
    return found


def test_every_licence_id_in_shared_data_is_mapped():
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not available at {SHARED_DATA}")
    known = {r["license_id"] for r in read("licenses.csv")}
    found = _shared_licence_ids()
    assert len(found["license_map_aikian"]) == 83
    assert found["open_llm_leaderboard"] and found["model_trees"] and found["llm_stats"]
    missing = {src: sorted(ids - known) for src, ids in found.items() if ids - known}
    assert not missing, f"licence ids without a class: {missing}"


# ---------------------------------------------------------------- organisations

def test_organizations_values():
    rows = read("organizations.csv")
    assert len(rows) >= 100
    for r in rows:
        author = r["author"]
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", author), f"not a Hub namespace: {author!r}"
        assert r["organization"].strip(), author
        assert r["org_type"] in ORG_TYPES, author
        assert r["tracked"] in BOOLS, author
        assert r["country"] == "" or re.fullmatch(r"[A-Z]{2}", r["country"]), f"{author}: {r['country']!r}"
        if r["country"] == "":
            assert r["org_type"] == "community", f"{author}: only community accounts may lack a country"


def test_key_labs_tracked_and_reuploaders_not():
    by_author = {r["author"]: r for r in read("organizations.csv")}
    for author in ["meta-llama", "Qwen", "google", "mistralai", "deepseek-ai", "microsoft", "zai-org",
                   "moonshotai", "MiniMaxAI", "ibm-granite", "nvidia", "allenai", "HuggingFaceTB", "openai"]:
        assert by_author[author]["tracked"] == "true", author
    for author in ["unsloth", "TheBloke", "bartowski", "lmstudio-community", "mlx-community"]:
        assert by_author[author]["tracked"] == "false", author
    assert by_author["Qwen"]["country"] == "CN"
    assert by_author["mistralai"]["country"] == "FR"
    assert by_author["tiiuae"]["country"] == "AE"


# ---------------------------------------------------------------- families

def test_family_rules_shape():
    rules = read("families.csv")
    for r in rules:
        assert r["match_on"] in {"author", "id_regex"}, r
        assert re.fullmatch(r"\d+", r["priority"]), r
        assert r["family"] == r["family"].strip().lower() and r["family"], r
    priorities = [int(r["priority"]) for r in rules]
    assert len(priorities) == len(set(priorities)), "priorities must not tie"
    regex_max = max(int(r["priority"]) for r in rules if r["match_on"] == "id_regex")
    author_min = min(int(r["priority"]) for r in rules if r["match_on"] == "author")
    assert regex_max < author_min, "id_regex rules (more specific) must come before author rules"


def test_family_author_rules_name_known_organizations():
    authors = {r["author"] for r in read("organizations.csv")}
    missing = [r["pattern"] for r in read("families.csv") if r["match_on"] == "author" and r["pattern"] not in authors]
    assert not missing, f"author rules for namespaces not in organizations.csv: {missing}"


def test_family_regexes_compile_in_python_and_duckdb():
    con = duckdb.connect()
    for r in read("families.csv"):
        if r["match_on"] != "id_regex":
            continue
        re.compile(r["pattern"], re.IGNORECASE)
        con.execute("SELECT regexp_matches('x', ?)", [r["pattern"]]).fetchall()
        con.execute("SELECT regexp_matches('x', ?, 'i')", [r["pattern"]]).fetchall()


GIVEN_EXPECT = [
    ("meta-llama/Llama-3.1-8B-Instruct", "llama"),
    ("meta-llama/Meta-Llama-3-8B", "llama"),
    ("codellama/CodeLlama-7b-hf", "llama"),
    ("NousResearch/Hermes-3-Llama-3.1-8B", "llama"),
    ("lmstudio-community/Meta-Llama-3.1-8B-Instruct-GGUF", "llama"),
    ("TheBloke/Llama-2-7B-Chat-GGUF", "llama"),
    ("cognitivecomputations/dolphin-2.9-llama3-8b", "llama"),  # "dolphin" must not read as phi
    ("Qwen/Qwen2.5-7B-Instruct", "qwen"),
    ("Qwen/QwQ-32B", "qwen"),
    ("unsloth/Qwen3-8B-GGUF", "qwen"),
    ("bartowski/gemma-2-9b-it-GGUF", "gemma"),
    ("google/gemma-3-27b-it", "gemma"),
    ("mistralai/Mixtral-8x7B-v0.1", "mistral"),
    ("mistralai/Mistral-7B-Instruct-v0.3", "mistral"),
    ("mlx-community/Mistral-7B-Instruct-v0.3-4bit", "mistral"),
    ("deepseek-ai/DeepSeek-R1", "deepseek"),
    ("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "deepseek"),  # DeepSeek's distills count as deepseek
    ("unsloth/DeepSeek-R1-Distill-Llama-8B", "deepseek"),
    ("microsoft/Phi-3-mini-4k-instruct", "phi"),
    ("microsoft/phi-2", "phi"),
    ("openai/gpt-oss-20b", "gpt-oss"),
    ("openai/whisper-large-v3", "whisper"),
    ("distil-whisper/distil-large-v3", "whisper"),
    ("google-bert/bert-base-uncased", "bert"),
    ("bert-base-uncased", "bert"),
    ("FacebookAI/xlm-roberta-base", "bert"),
    ("answerdotai/ModernBERT-base", "bert"),
    ("sentence-transformers/all-MiniLM-L6-v2", "sentence-transformers"),
    ("sentence-transformers/all-mpnet-base-v2", "sentence-transformers"),
    ("zai-org/GLM-4.5", "glm"),
    ("THUDM/chatglm3-6b", "glm"),
    ("moonshotai/Kimi-K2-Instruct", "kimi"),
    ("MiniMaxAI/MiniMax-M1-80k", "minimax"),
    ("ibm-granite/granite-3.3-8b-instruct", "granite"),
    ("nvidia/Llama-3.1-Nemotron-70B-Instruct-HF", "nemotron"),
    ("allenai/OLMo-2-1124-7B", "olmo"),
    ("allenai/OLMoE-1B-7B-0924-Instruct", "olmo"),
    ("allenai/olmOCR-7B-0825", None),  # a Qwen2.5-VL fine-tune, not OLMo
    ("HuggingFaceTB/SmolLM2-1.7B-Instruct", "smollm"),
    ("tiiuae/falcon-7b", "falcon"),
    ("tiiuae/Falcon3-7B-Instruct", "falcon"),
    ("Falconsai/nsfw_image_detection", None),
    ("01-ai/Yi-1.5-34B-Chat", "yi"),
    ("internlm/internlm2_5-7b-chat", "internlm"),
    ("baichuan-inc/Baichuan2-7B-Chat", "baichuan"),
    ("CohereForAI/c4ai-command-r-v01", "command-r"),
    ("stabilityai/stable-diffusion-xl-base-1.0", "stable-diffusion"),
    ("black-forest-labs/FLUX.1-dev", "flux"),
    ("openai/clip-vit-large-patch14", "clip"),
    ("google-t5/t5-small", "t5"),
    ("google/flan-t5-base", "t5"),
    ("intfloat/e5-mistral-7b-instruct", "e5"),
    ("intfloat/multilingual-e5-large", "e5"),
    ("BAAI/bge-m3", "bge"),
    ("openai-community/gpt2", "gpt2"),
    ("gpt2", "gpt2"),
    ("bigscience/bloom-560m", "bloom"),
    ("EleutherAI/pythia-160m", "pythia"),
]


def test_given_expect_has_enough_cases():
    assert len(GIVEN_EXPECT) >= 15


@pytest.mark.parametrize("model_id,family", GIVEN_EXPECT)
def test_family_of_real_model_ids(model_id, family):
    assert match_family(model_id, family_rules()) == family


def test_duckdb_matches_like_python():
    """The same first-match rule written in SQL gives the same family as the Python matcher."""
    rules = family_rules()
    con = duckdb.connect()
    con.execute("CREATE TABLE rules (priority INTEGER, match_on VARCHAR, pattern VARCHAR, family VARCHAR)")
    con.executemany("INSERT INTO rules VALUES (?, ?, ?, ?)",
                    [(int(r["priority"]), r["match_on"], r["pattern"], r["family"]) for r in rules])
    con.execute("CREATE TABLE ids (model_id VARCHAR)")
    con.executemany("INSERT INTO ids VALUES (?)", [(m,) for m, _ in GIVEN_EXPECT])
    got = dict(con.execute("""
        SELECT model_id, arg_min(family, priority)
        FROM ids LEFT JOIN rules ON
             (match_on = 'author' AND contains(model_id, '/') AND split_part(model_id, '/', 1) = pattern)
          OR (match_on = 'id_regex' AND regexp_matches(model_id, pattern, 'i'))
        GROUP BY model_id
    """).fetchall())
    assert got == {m: match_family(m, rules) for m, _ in GIVEN_EXPECT}

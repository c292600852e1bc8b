"""Hub-shaped `GET /api/models` listing pages, generated deterministically, and a server for them.

`generate_pages(n_models, page_size, seed, base_url)` builds the pages the Hub would send for
`/api/models?sort=downloads&direction=-1&limit=1000&expand[]=…`: compact JSON lists of records
shaped like tests/fixtures/hf_models_page.json (camelCase keys, in the Hub's key order), downloads
power-law distributed and sorted descending across pages, real organisation names and licence ids,
~40 % derivatives carrying `base_model:<relation>:<id>` tags, and fields missing where real
records lack them. Every page but the last carries `Link: <…/api/models?cursor=…&limit=…>;
rel="next"`. Same arguments, same bytes. `generate_records(n_models, seed)` gives the same records
unpaged (omo demo grows them day by day and pages them itself, with `page_cursor`).

`PageServer` serves those pages from 127.0.0.1 on a free port. Each response (status line, headers
and body) is serialised once, up front, and written with one sendall, over HTTP/1.1 keep-alive
with TCP_NODELAY, so the server costs a request-line parse and a memcpy per page: it must never be
what a throughput figure measures.
"""

from __future__ import annotations

import base64
import json
import math
import random
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import parse_qs, urlencode, urlsplit

# What the Hub is asked to expand; the same list our collector sends (collectors.hf_models.EXPAND).
try:
    from collectors.hf_models import EXPAND as _EXPAND
    EXPAND = list(_EXPAND)
except (ImportError, AttributeError):  # the generator must not depend on the collector's state
    EXPAND = ["author", "downloads", "downloadsAllTime", "likes", "trendingScore", "tags", "pipeline_tag",
              "library_name", "createdAt", "lastModified", "gated", "safetensors"]

Page = tuple[bytes, dict[str, str]]
JSON_TYPE = "application/json; charset=utf-8"

# -- the world the pages describe ------------------------------------------------------------------

# Foundation models: (id, architecture tag, pipeline_tag, library_name, licence, parameters, gated).
# Parameter counts are the published sizes, rounded; they only need to look right.
FOUNDATIONS = [
    ("sentence-transformers/all-MiniLM-L6-v2", "bert", "sentence-similarity", "sentence-transformers", "apache-2.0", 22_713_216, False),
    ("google-bert/bert-base-uncased", "bert", "fill-mask", "transformers", "apache-2.0", 110_106_428, False),
    ("openai/clip-vit-large-patch14", "clip", "zero-shot-image-classification", "transformers", None, 427_616_513, False),
    ("FacebookAI/roberta-base", "roberta", "fill-mask", "transformers", "mit", 124_697_433, False),
    ("Qwen/Qwen2.5-7B-Instruct", "qwen2", "text-generation", "transformers", "apache-2.0", 7_615_616_512, False),
    ("meta-llama/Llama-3.1-8B-Instruct", "llama", "text-generation", "transformers", "llama3.1", 8_030_261_248, "manual"),
    ("Qwen/Qwen2.5-1.5B-Instruct", "qwen2", "text-generation", "transformers", "apache-2.0", 1_543_714_304, False),
    ("openai/whisper-large-v3", "whisper", "automatic-speech-recognition", "transformers", "apache-2.0", 1_543_490_560, False),
    ("BAAI/bge-m3", "xlm-roberta", "sentence-similarity", "sentence-transformers", "mit", 567_754_752, False),
    ("google/gemma-2-9b-it", "gemma2", "text-generation", "transformers", "gemma", 9_241_705_984, "manual"),
    ("meta-llama/Llama-3.2-1B-Instruct", "llama", "text-generation", "transformers", "llama3.2", 1_235_814_400, "manual"),
    ("Qwen/Qwen3-8B", "qwen3", "text-generation", "transformers", "apache-2.0", 8_190_735_360, False),
    ("mistralai/Mistral-7B-Instruct-v0.3", "mistral", "text-generation", "transformers", "apache-2.0", 7_248_023_552, "auto"),
    ("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "qwen2", "text-generation", "transformers", "mit", 7_615_616_512, False),
    ("google/vit-base-patch16-224", "vit", "image-classification", "transformers", "apache-2.0", 86_567_656, False),
    ("Qwen/Qwen2.5-VL-7B-Instruct", "qwen2_5_vl", "image-text-to-text", "transformers", "apache-2.0", 8_292_166_656, False),
    ("microsoft/Phi-3-mini-4k-instruct", "phi3", "text-generation", "transformers", "mit", 3_821_079_552, False),
    ("google/gemma-3-4b-it", "gemma3", "image-text-to-text", "transformers", "gemma", 4_300_079_472, "manual"),
    ("meta-llama/Llama-3.3-70B-Instruct", "llama", "text-generation", "transformers", "llama3.3", 70_553_706_496, "manual"),
    ("stabilityai/stable-diffusion-xl-base-1.0", None, "text-to-image", "diffusers", "openrail++", None, False),
    ("black-forest-labs/FLUX.1-dev", None, "text-to-image", "diffusers", "other", None, "auto"),
    ("deepseek-ai/DeepSeek-R1", "deepseek_v3", "text-generation", "transformers", "mit", 684_531_386_000, False),
    ("microsoft/phi-4", "phi3", "text-generation", "transformers", "mit", 14_659_507_200, False),
    ("mistralai/Mistral-Nemo-Instruct-2407", "mistral", "text-generation", "transformers", "apache-2.0", 12_247_782_400, False),
    ("google-t5/t5-small", "t5", "translation", "transformers", "apache-2.0", 60_506_624, False),
    ("TinyLlama/TinyLlama-1.1B-Chat-v1.0", "llama", "text-generation", "transformers", "apache-2.0", 1_100_048_384, False),
    ("HuggingFaceTB/SmolLM2-1.7B-Instruct", "llama", "text-generation", "transformers", "apache-2.0", 1_711_376_384, False),
    ("ibm-granite/granite-3.1-8b-instruct", "granite", "text-generation", "transformers", "apache-2.0", 8_170_848_256, False),
    ("meta-llama/Llama-2-7b-chat-hf", "llama", "text-generation", "transformers", "llama2", 6_738_415_616, "manual"),
    ("CohereLabs/c4ai-command-r-v01", "cohere", "text-generation", "transformers", "cc-by-nc-4.0", 34_980_831_232, "auto"),
    ("intfloat/multilingual-e5-large", "xlm-roberta", "feature-extraction", "sentence-transformers", "mit", 559_890_432, False),
    ("nvidia/Llama-3.1-Nemotron-Nano-8B-v1", "llama", "text-generation", "transformers", "other", 8_030_261_248, False),
]

# Organisations that publish originals, with a rough weight; the long tail is community users.
ORIGINAL_ORGS = [
    ("Qwen", 6), ("meta-llama", 4), ("google", 6), ("mistralai", 3), ("deepseek-ai", 3), ("microsoft", 5),
    ("nvidia", 4), ("sentence-transformers", 3), ("BAAI", 3), ("openai", 2), ("FacebookAI", 1),
    ("facebook", 4), ("ibm-granite", 2), ("allenai", 3), ("HuggingFaceTB", 2), ("stabilityai", 2),
    ("tiiuae", 1), ("intfloat", 1), ("jinaai", 1), ("nomic-ai", 1), ("Salesforce", 2), ("EleutherAI", 1),
    ("bigscience", 1), ("Helsinki-NLP", 4), ("timm", 5), ("pyannote", 1), ("cardiffnlp", 1),
    ("openbmb", 1), ("THUDM", 1), ("internlm", 1), ("OpenGVLab", 1), ("apple", 1), ("amd", 1),
    ("Snowflake", 1), ("LiquidAI", 1), ("moonshotai", 1), ("zai-org", 1), ("tencent", 1),
]
QUANTIZERS = [("unsloth", 6), ("bartowski", 6), ("TheBloke", 5), ("mradermacher", 8), ("lmstudio-community", 3),
              ("mlx-community", 4), ("QuantFactory", 2), ("RichardErkhov", 3), ("MaziyarPanahi", 2),
              ("RedHatAI", 2), ("hugging-quants", 1), ("Xenova", 1), ("onnx-community", 2)]
FINETUNERS = [("NousResearch", 2), ("cognitivecomputations", 1), ("mlabonne", 2), ("teknium", 1), ("Sao10K", 1),
              ("Undi95", 1), ("DavidAU", 2), ("huihui-ai", 2), ("prithivMLmods", 2), ("Jackrong", 1),
              ("unsloth", 2), ("allenai", 1), ("nvidia", 1), ("arcee-ai", 1), ("upstage", 1)]

_SYLLABLES = ["ka", "ri", "to", "mo", "jin", "lee", "an", "dre", "sa", "mi", "no", "vel", "zh", "ang", "pa",
              "ul", "ex", "tra", "neo", "lu", "ra", "dev", "ai", "ml", "lab", "ben", "kim", "or", "ion", "el"]

# Licence ids as the Hub spells them in `license:*` tags; None = no licence tag at all ("none").
LICENSES = [("apache-2.0", 34), ("mit", 14), (None, 18), ("other", 6), ("cc-by-nc-4.0", 4), ("llama3.1", 3),
            ("llama3", 2), ("llama2", 2), ("gemma", 2), ("cc-by-4.0", 3), ("openrail", 2), ("llama3.2", 1),
            ("cc-by-sa-4.0", 1), ("creativeml-openrail-m", 2), ("bsd-3-clause", 1), ("gpl-3.0", 1),
            ("qwen", 1), ("afl-3.0", 1), ("unknown", 1)]

# pipeline_tag -> (weight, library, architecture tags, (log10 min, log10 max) parameters, name stems)
TASKS = {
    "text-generation": (40, "transformers", ["llama", "qwen2", "qwen3", "mistral", "gemma2", "gemma3_text", "phi3", "granite", "olmo2", "gpt2"], (8, 10.9),
                        ["Llama", "Qwen", "gemma", "Mistral", "Phi", "granite", "OLMo", "SmolLM", "falcon", "gpt2", "TinyStories"]),
    "sentence-similarity": (7, "sentence-transformers", ["bert", "xlm-roberta", "mpnet", "nomic_bert"], (7.3, 9),
                            ["all-mpnet", "bge", "e5", "gte", "paraphrase-multilingual", "embed"]),
    "feature-extraction": (4, "transformers", ["bert", "xlm-roberta", "dinov2"], (7.3, 9), ["dinov2", "embed", "encoder"]),
    "text-classification": (8, "transformers", ["bert", "roberta", "deberta-v2", "distilbert"], (7.5, 8.8),
                            ["sentiment", "toxic-bert", "emotion", "nli", "finbert", "deberta-v3"]),
    "token-classification": (3, "transformers", ["bert", "roberta", "xlm-roberta"], (7.5, 8.7), ["ner", "pos-tagger", "pii-detector"]),
    "fill-mask": (3, "transformers", ["bert", "roberta", "modernbert"], (7.5, 8.6), ["bert", "roberta", "camembert", "ModernBERT"]),
    "automatic-speech-recognition": (5, "transformers", ["whisper", "wav2vec2", "hubert"], (7.5, 9.2),
                                     ["whisper", "wav2vec2-large-xlsr", "parakeet", "distil-whisper"]),
    "image-classification": (5, "timm", ["vit", "convnext", "resnet", "swin"], (6.5, 8.5),
                             ["vit-base", "convnext_tiny", "resnet50", "efficientnet_b0", "swin-tiny"]),
    "text-to-image": (5, "diffusers", [], (9, 10.1), ["stable-diffusion", "sdxl-lightning", "FLUX.1", "animagine", "realvis"]),
    "image-text-to-text": (6, "transformers", ["qwen2_5_vl", "llava", "gemma3", "idefics3", "smolvlm"], (9, 10.5),
                           ["Qwen2.5-VL", "llava", "SmolVLM", "InternVL", "paligemma"]),
    "translation": (3, "transformers", ["marian", "t5", "m2m_100"], (7.7, 9), ["opus-mt", "nllb", "t5", "madlad"]),
    "summarization": (1, "transformers", ["bart", "t5", "pegasus"], (8, 9), ["bart-large-cnn", "pegasus", "led"]),
    "object-detection": (2, "transformers", ["detr", "yolos", "rt_detr"], (7, 8), ["detr-resnet-50", "yolos", "rtdetr"]),
    "reinforcement-learning": (2, "stable-baselines3", [], (3, 5), ["ppo-LunarLander-v2", "dqn-SpaceInvaders", "a2c-PandaReach"]),
    "text-to-speech": (1, "transformers", ["vits", "speecht5"], (7.5, 9), ["mms-tts", "speecht5_tts", "Kokoro"]),
}
DATASETS = ["HuggingFaceFW/fineweb-edu", "allenai/c4", "openai/gsm8k", "tatsu-lab/alpaca", "Open-Orca/OpenOrca",
            "HuggingFaceH4/ultrachat_200k", "mozilla-foundation/common_voice_11_0", "imagenet-1k", "squad", "glue"]
LANGUAGES = ["en", "zh", "fr", "de", "es", "ja", "ko", "ru", "ar", "multilingual"]
QUANT_SUFFIXES = [("-GGUF", "gguf", 10), ("-i1-GGUF", "gguf", 3), ("-AWQ", "awq", 2), ("-GPTQ-Int4", "gptq", 2),
                  ("-bnb-4bit", "bnb", 3), ("-4bit", "mlx", 2), ("-8bit", "mlx", 1), ("-FP8-dynamic", "fp8", 1),
                  ("-ONNX", "onnx", 1)]
FINETUNE_SUFFIXES = ["-sft", "-dpo", "-orpo", "-abliterated", "-uncensored", "-Instruct-v2", "-finetuned", "-lora-merged",
                     "-chat", "-ft-v1", "-grpo", "-reasoning", "-medical", "-code", "-ja", "-ko", "-roleplay"]
RELATIONS = [("finetune", 45), ("quantized", 35), ("adapter", 12), ("merge", 8)]


def _weighted(rng: random.Random, pairs):
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for value, weight in pairs:
        x -= weight
        if x < 0:
            return value
    return pairs[-1][0]


def _community_user(rng: random.Random) -> str:
    name = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
    style = rng.random()
    if style < 0.4:
        return name
    if style < 0.7:
        return f"{name}{rng.randint(1, 9999)}"
    if style < 0.85:
        return f"{name.capitalize()}-{rng.choice(['AI', 'Labs', 'NLP', 'Research', 'dev'])}"
    return f"{name}-{''.join(rng.choice(_SYLLABLES) for _ in range(2))}"


def _iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def _safetensors(rng: random.Random, total: int | None, quant: str | None = None) -> dict | None:
    if total is None or total <= 0:
        return None
    style = rng.random()
    if quant in ("awq", "gptq", "bnb", "mlx"):  # 4-bit weights packed 8 to an int32, the rest half precision
        packed = int(total * rng.uniform(0.85, 0.95))
        params = {"BF16" if quant == "mlx" else "F16": total - packed, "U32" if quant == "mlx" else "I32": packed // 8}
    elif quant == "fp8":
        params = {"BF16": total // 50, "F8_E4M3": total - total // 50}
    elif style < 0.6:
        params = {"BF16": total}
    elif style < 0.8:
        params = {"F32": total}
    elif style < 0.9:
        params = {"F16": total}
    else:
        small = max(1, total // 200)
        params = {"BF16": total - small, "F32": small}
    return {"parameters": params, "total": sum(params.values())}


class _World:
    """Models, drawn one at a time in descending-downloads order, with ids unique across pages."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()
        # (id, arch, pipeline, library, licence, parameters, gated): bases derivatives point at.
        self.bases: list[tuple] = []
        self.foundations = list(FOUNDATIONS)
        self.epoch = datetime(2020, 3, 1, tzinfo=UTC)
        self.span_s = int((datetime(2026, 11, 1, tzinfo=UTC) - self.epoch).total_seconds())

    def _unique(self, model_id: str) -> str:
        candidate, k = model_id, 1
        while candidate in self.used:
            k += 1
            candidate = f"{model_id}-v{k}"
        self.used.add(candidate)
        return candidate

    def _pick_base(self) -> tuple:
        rng = self.rng
        if not self.bases or rng.random() < 0.55:
            return rng.choice(FOUNDATIONS[:24] if rng.random() < 0.8 else FOUNDATIONS)
        return rng.choice(self.bases[-500:] if rng.random() < 0.3 else self.bases)

    def record(self, rank: int, downloads: int) -> dict:
        rng = self.rng
        # The very top is mostly originals; the rest ~40 % derivatives, like the Hub's listing.
        if self.foundations and (rank < 6 or rng.random() < 0.02):
            spec, relation, bases = self.foundations.pop(0), None, []
            model_id = self._unique(spec[0])
            author = model_id.split("/", 1)[0]
            arch, pipeline, library, licence, params, gated = spec[1:]
            quant, safetensors = None, _safetensors(rng, params)
            if pipeline == "text-to-image":
                safetensors = None
        elif rng.random() < (0.40 if rank > 50 else 0.15):
            relation = _weighted(rng, RELATIONS)
            base = self._pick_base()
            bases = [base] + ([self._pick_base() for _ in range(rng.randint(1, 2))] if relation == "merge" else [])
            base_id, arch, pipeline, library, licence, params, gated = base
            base_name = base_id.split("/", 1)[1]
            gated = False if rng.random() < 0.95 else "auto"
            if rng.random() < 0.15:
                licence = _weighted(rng, LICENSES)
            if relation == "quantized":
                author = _weighted(rng, QUANTIZERS) if rng.random() < 0.7 else _community_user(rng)
                suffix, quant, _ = _weighted(rng, [((s, q, w), w) for s, q, w in QUANT_SUFFIXES])
                model_id = self._unique(f"{author}/{base_name}{suffix}")
                library = {"gguf": None, "mlx": "mlx", "onnx": "transformers.js"}.get(quant, library)
            else:
                quant = None
                author = _weighted(rng, FINETUNERS) if rng.random() < 0.25 else _community_user(rng)
                stem = base_name if rng.random() < 0.7 else base_name.split("-")[0]
                suffix = rng.choice(FINETUNE_SUFFIXES) if relation != "merge" else rng.choice(["-merge", "-slerp", "-TIES", "-della"])
                model_id = self._unique(f"{author}/{stem}{suffix}")
                if relation == "adapter":
                    library = "peft"
                    params = int(10 ** rng.uniform(6.3, 8)) if rng.random() < 0.4 else None
            safetensors = None if quant in ("gguf", "onnx") else _safetensors(rng, params, quant)
        else:
            relation, bases, quant = None, [], None
            pipeline = _weighted(rng, [(task, spec[0]) for task, spec in TASKS.items()])
            _, library, archs, (lo, hi), stems = TASKS[pipeline]
            arch = rng.choice(archs) if archs else None
            author = _weighted(rng, ORIGINAL_ORGS) if rng.random() < 0.35 else _community_user(rng)
            params = int(10 ** rng.uniform(lo, hi))
            size = f"{params / 1e9:.1f}B" if params >= 1e9 else f"{max(1, params // 1_000_000)}M"
            name = f"{rng.choice(stems)}-{size}" if rng.random() < 0.6 else f"{rng.choice(stems)}-{rng.choice(['base', 'small', 'large', 'v2', 'en', 'finetuned'])}"
            model_id = self._unique(f"{author}/{name}")
            licence = _weighted(rng, LICENSES)
            gated = _weighted(rng, [(False, 90), ("auto", 5), ("manual", 5)])
            if pipeline == "reinforcement-learning":
                params = None
            safetensors = _safetensors(rng, params) if rng.random() < 0.7 else None
        if relation is None:
            self.bases.append((model_id, arch, pipeline, library, licence, params, gated))

        created = self.epoch + timedelta(seconds=rng.randrange(self.span_s))
        modified = created + timedelta(seconds=rng.randrange(1, max(2, int((datetime(2026, 11, 15, tzinfo=UTC) - created).total_seconds()))))
        created = created.replace(microsecond=rng.randrange(1000) * 1000)
        modified = modified.replace(microsecond=rng.randrange(1000) * 1000)

        tags: list[str] = []
        if library and library not in ("peft",):
            tags.append(library)
        if relation == "adapter":
            tags += ["peft", "safetensors"]
        elif relation == "quantized" and quant == "gguf":
            tags.append("gguf")
        elif safetensors is not None:
            tags.append("safetensors")
        elif rng.random() < 0.5 and library in ("transformers", "sentence-transformers"):
            tags.append("pytorch")
        if arch:
            tags.append(arch)
        if relation == "merge":
            tags += ["mergekit", "merge"]
        if relation == "finetune" and rng.random() < 0.5:
            tags += rng.choice([["trl", "sft"], ["unsloth", "trl"], ["generated_from_trainer"], ["dpo"]])
        if pipeline:
            tags.append(pipeline)
        if pipeline == "text-generation" and rng.random() < 0.7:
            tags.append("conversational")
        if rng.random() < 0.05:
            tags.append("custom_code")
        if rng.random() < 0.12:
            tags += [f"dataset:{d}" for d in rng.sample(DATASETS, rng.randint(1, 3))]
        if rng.random() < 0.45:
            tags += rng.sample(LANGUAGES, rng.choice([1, 1, 1, 2, 5]))
        if rng.random() < 0.2:
            tags += [f"arxiv:{rng.randint(17, 25)}{rng.randint(1, 12):02d}.{rng.randint(1, 19999):05d}" for _ in range(rng.choice([1, 1, 2, 4, 12]))]
        for base in bases:
            tags.append(f"base_model:{base[0]}")
        for base in bases:
            tags.append(f"base_model:{relation}:{base[0]}")
        if licence:
            tags.append(f"license:{licence}")
        if library in ("transformers", "sentence-transformers") and rng.random() < 0.4:
            tags.append("autotrain_compatible")
        if pipeline == "text-generation" and rng.random() < 0.5:
            tags.append("text-generation-inference")
        if rng.random() < 0.55:
            tags.append("endpoints_compatible")
        if relation == "quantized" and quant in ("awq", "gptq", "bnb", "fp8"):
            tags += {"awq": ["4-bit", "awq"], "gptq": ["4-bit", "gptq"], "bnb": ["4-bit", "bitsandbytes"], "fp8": ["fp8"]}[quant]
        if rng.random() < 0.04:
            tags.append("deploy:azure")
        tags.append("region:us")

        downloads_all_time = int(downloads * rng.uniform(1.2, 40)) + rng.randrange(50)
        record: dict = {
            "_id": f"{rng.getrandbits(96):024x}",
            "id": model_id,
            "author": author,
            "gated": gated,
            "lastModified": _iso(modified),
            "likes": max(0, int(downloads ** 0.55 * math.exp(rng.gauss(-2.0, 1.3)))),
            "trendingScore": 0 if rng.random() < 0.8 else int(math.exp(rng.gauss(1.5, 1.3))),
            "downloads": downloads,
            "downloadsAllTime": downloads_all_time,
            "tags": tags,
            "pipeline_tag": pipeline,
            "library_name": library,
            "createdAt": _iso(created),
            "safetensors": safetensors,
        }
        # Real records omit what the Hub doesn't know (and now and then send null).
        if record["pipeline_tag"] is None or rng.random() < 0.04:
            del record["pipeline_tag"]
        if record["library_name"] is None or rng.random() < 0.03:
            del record["library_name"]
        if record["safetensors"] is None:
            del record["safetensors"]
        roll = rng.random()
        if roll < 0.06:
            del record["downloadsAllTime"]
        elif roll < 0.08:
            record["downloadsAllTime"] = None
        return record


def _downloads(rng: random.Random, n: int) -> list[int]:
    """Monthly downloads by rank: a Zipf-like power law with noise, sorted descending."""
    values = [int(120_000_000 * (rank ** -1.05) * math.exp(rng.gauss(0, 0.25))) for rank in range(1, n + 1)]
    values.sort(reverse=True)
    return values


def page_cursor(last: dict) -> str:
    """Opaque like the Hub's: base64 of the sort key where the next page starts (after `last`)."""
    key = {"$or": [{"downloads": {"$lt": last["downloads"]}},
                   {"downloads": last["downloads"], "_id": {"$gt": last["_id"]}}]}
    return base64.b64encode(json.dumps(key, separators=(",", ":")).encode()).decode()


def listing_query(page_size: int = 1000, cursor: str | None = None) -> str:
    """The query string of a listing page: the first page as our collector asks for it, later
    pages as the Hub's next links spell them (cursor first, then the original parameters)."""
    query = [("sort", "downloads"), ("direction", "-1"), ("limit", str(page_size))]
    query += [("expand[]", field) for field in EXPAND]
    if cursor is not None:
        query = [("cursor", cursor), query[2]] + query[:2] + query[3:]
    return urlencode(query)


def generate_records(n_models: int, seed: int = 0) -> list[dict]:
    """The top n_models listing records, most downloaded first: what generate_pages pages
    (omo demo evolves them day by day). Same arguments, same records."""
    if n_models < 1:
        raise ValueError("n_models must be positive")
    rng = random.Random(seed)
    world = _World(rng)
    downloads = _downloads(rng, n_models)
    return [world.record(rank, downloads[rank]) for rank in range(n_models)]


def generate_pages(n_models: int, page_size: int = 1000, seed: int = 0, *,
                   base_url: str) -> dict[str, Page]:
    """{path_and_query: (body_bytes, headers)} for the top n_models, in the Hub's page order.

    The first key is the first page; each page's `Link` header names the next page's key.
    """
    if n_models < 1 or page_size < 1:
        raise ValueError("n_models and page_size must be positive")
    listing = generate_records(n_models, seed)
    base = base_url.rstrip("/")
    pages: dict[str, Page] = {}
    key = f"/api/models?{listing_query(page_size)}"
    for start in range(0, n_models, page_size):
        records = listing[start:start + page_size]
        headers = {"Content-Type": JSON_TYPE}
        next_key = None
        if start + page_size < n_models:
            next_key = f"/api/models?{listing_query(page_size, page_cursor(records[-1]))}"
            headers["Link"] = f'<{base}{next_key}>; rel="next"'
        pages[key] = (json.dumps(records, separators=(",", ":")).encode(), headers)
        if next_key:
            key = next_key
    return pages


# -- the server ------------------------------------------------------------------------------------

def _serialise(status: str, body: bytes, headers: dict[str, str]) -> bytes:
    head = [f"HTTP/1.1 {status}"] + [f"{k}: {v}" for k, v in headers.items()]
    head.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


_NOT_FOUND = _serialise("404 Not Found", b'{"error":"not found"}', {"Content-Type": JSON_TYPE})
# The pages are one listing (every model, by downloads); a query that narrows it (an author's
# models, a search) would need other pages, so it is refused loudly rather than answered wrongly.
NARROWING_PARAMS = ("author", "search", "filter", "pipeline_tag", "library", "language", "apps", "gated",
                    "inference", "inference_provider", "num_parameters", "trained_dataset", "model_name")


class PageServer:
    """Serve generated pages on 127.0.0.1:<free port>, pre-serialised, until closed.

    Routing: the exact path and query first; else any `/api/models` request is answered by its
    `cursor` (the first page when there is none), so clients that spell the first query their own
    way (huggingface_hub sends `expand=` and its own `limit`) get the same pages, as from the Hub,
    which caps `limit` at its page size. A query that narrows the listing (`author=`, `search=`…)
    gets a 400: these pages cannot answer it.
    """

    def __init__(self) -> None:
        self._exact: dict[str, bytes] = {}
        self._by_cursor: dict[str | None, bytes] = {}
        self.requests = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_GET(self) -> None:  # http.server's naming
                server.requests += 1
                self.wfile.write(server._lookup(self.path))

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def set_pages(self, pages: dict[str, Page]) -> None:
        exact, by_cursor = {}, {}
        for i, (key, (body, headers)) in enumerate(pages.items()):
            response = _serialise("200 OK", body, headers)
            exact[key] = response
            cursor = parse_qs(urlsplit(key).query).get("cursor", [None])[0]
            by_cursor[None if i == 0 else cursor] = response
        self._exact, self._by_cursor = exact, by_cursor

    def _lookup(self, path: str) -> bytes:
        hit = self._exact.get(path)
        if hit is not None:
            return hit
        split = urlsplit(path)
        if split.path.rstrip("/") != "/api/models":
            return _NOT_FOUND
        query = parse_qs(split.query)
        narrowing = [name for name in NARROWING_PARAMS if name in query]
        if narrowing:
            message = json.dumps({"error": f"bench page server: only the whole listing is replayed; "
                                           f"unsupported parameter(s) {', '.join(narrowing)}"})
            return _serialise("400 Bad Request", message.encode(), {"Content-Type": JSON_TYPE})
        return self._by_cursor.get(query.get("cursor", [None])[0], _NOT_FOUND)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def serve_pages(n_models: int, page_size: int = 1000, seed: int = 0) -> Iterator[tuple[PageServer, dict[str, Page]]]:
    """Bind a free port, generate pages whose Link headers point at it, serve them."""
    server = PageServer()
    pages = generate_pages(n_models, page_size, seed, base_url=server.base_url)
    server.set_pages(pages)
    with server:
        yield server, pages

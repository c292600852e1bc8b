"""Settings from OMO_* environment variables and an optional .env file.

Every location lives here, never hard-coded elsewhere: pointing a source at a test server or the
data directory at another disk is a setting, not a code change.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from collectors.runs import remember_secret

GENAI_PRICES_DEFAULT_URL = (
    "https://raw.githubusercontent.com/pydantic/genai-prices/refs/heads/main/prices/new_data/v2/data.json"
)

# Epoch AI's Benchmarking Hub download (CC BY 4.0): a zip whose epoch_capabilities_index.csv holds
# the Epoch Capabilities Index per model version, with release date and accessibility.
EPOCH_BENCHMARK_DATA_URL = "https://epoch.ai/data/benchmark_data.zip"


class SettingsError(Exception):
    """A setting has a value we cannot use. The message names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OMO_", env_file=".env", extra="ignore",
                                      populate_by_name=True)

    data_dir: Path = Field(Path("data"), description="Warehouse, landing zone, serving copy and logs.")
    prices_url: str = Field(
        GENAI_PRICES_DEFAULT_URL,
        description="Live genai-prices data file; empty means: use the packaged snapshot only.",
    )
    hf_endpoint: str = Field("https://huggingface.co",
                             validation_alias=AliasChoices("OMO_HF_ENDPOINT", "HF_ENDPOINT"),
                             description="Hugging Face Hub base URL.")
    hf_token: SecretStr | None = Field(None, validation_alias=AliasChoices("OMO_HF_TOKEN", "HF_TOKEN"),
                                       description="Optional Hub token (never printed or logged).")
    hf_top_n: int = Field(5000, ge=1, description="Models collected by `omo collect hf` (by downloads).")
    hf_tracked_authors: bool = Field(True, description="Also collect the models of tracked authors.")
    hf_authors_file: Path | None = Field(
        None, description="CSV with an `author` column (and optional `tracked` true/false): Hub "
        "authors whose models are collected besides the top N. Default: the tracked organisations "
        "in warehouse/reference/organizations.csv.")
    hf_author_top_n: int = Field(1000, ge=1, description="Most-downloaded models taken per tracked author.")
    openrouter_url: str = Field("https://openrouter.ai/api/v1/models",
                                description="OpenRouter's public model list (prices, Hub links).")
    github_api_url: str = Field("https://api.github.com",
                                validation_alias=AliasChoices("OMO_GITHUB_API_URL", "GITHUB_API_URL"),
                                description="GitHub REST base URL (GitHub Enterprise: https://host/api/v3).")
    github_token: SecretStr | None = Field(None, validation_alias=AliasChoices("OMO_GITHUB_TOKEN", "GITHUB_TOKEN"),
                                           description="Optional GitHub token (never printed or logged).")
    github_repos_file: Path | None = Field(
        None, description="Your own CSV of repositories (header repo[,category,family,organization]) "
        "added to warehouse/reference/github_repos.csv; a row for a listed repo overrides it.")
    github_default_repos: bool = Field(True, description="Include the project's tracked list "
                                       "(false: only OMO_GITHUB_REPOS_FILE).")
    github_star_history: bool = Field(True, description="Backfill star history from stargazer lists.")
    github_history_pages_per_run: int = Field(300, ge=0, description="Stargazer pages one run may fetch.")
    github_rate_reserve: int = Field(1, ge=0, description="Requests left unspent in the hourly budget.")
    github_seconds_between_requests: float = Field(0.25, ge=0, description="Pause between GitHub "
                                                   "requests, as GitHub asks of serial clients.")
    http_timeout_s: float = Field(20.0, gt=0, description="Per-request timeout for live sources.")
    http_retries: int = Field(3, ge=0, le=10, description="Retries on 5xx/429 before giving up.")
    http_backoff_s: float = Field(2.0, ge=0, description="First retry wait; doubles each retry.")
    http_max_wait_s: float = Field(120.0, ge=0, description="Never sleep longer than this for a retry.")
    quality_url: str = Field(
        EPOCH_BENCHMARK_DATA_URL,
        description="Dated quality scores: Epoch AI's benchmark_data.zip (or its "
        "epoch_capabilities_index.csv), or an LMArena leaderboard CSV (fboulnois/llm-leaderboard-csv).")
    quality_format: Literal["auto", "epoch_eci_csv", "lmarena_csv"] = Field(
        "auto", description="How to read OMO_QUALITY_URL; auto: from the URL, else from the CSV header.")
    serving_versions_kept: int = Field(3, ge=1, description="Published serving copies kept on disk.")
    claims_file: Path | None = Field(None, description="The Claims page's claims (TOML); default: the "
                                     "claims shipped in dashboard/claims.toml.")

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        value = value.expanduser()
        if value.exists() and not value.is_dir():
            raise ValueError(f"{value} is not a directory")
        return value

    def model_post_init(self, context: Any) -> None:
        for token in (self.hf_token, self.github_token):
            if token is not None:
                remember_secret(token.get_secret_value())

    @cached_property
    def warehouse_path(self) -> Path:
        return self.data_dir / "omo.duckdb"

    @cached_property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    @cached_property
    def serving_dir(self) -> Path:
        return self.data_dir / "serving"

    @cached_property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"


def load_settings() -> Settings:
    """Read settings, turning pydantic's report into one line per bad variable."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"OMO_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}" for err in exc.errors()
        )
        raise SettingsError(f"bad setting: {problems}") from None

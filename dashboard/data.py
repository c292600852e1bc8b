"""The dashboard's only door to data: the current serving copy, opened read-only and cached."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import streamlit as st

from collectors.settings import load_settings
from dashboard.queries import QUERIES
from warehouse.serving import NothingPublished, current_serving_file, open_serving


def serving_file() -> Path | None:
    """The copy to read now. Read on every rerun (a tiny file) so a new publish shows at once."""
    try:
        return current_serving_file(load_settings().serving_dir)
    except NothingPublished:
        return None


# The file `omo demo` leaves in the data directory it fills (collectors.pipeline.SAMPLE_DATA_MARKER,
# which a test keeps equal): named here because importing collectors.pipeline imports every
# collector (PyGithub, huggingface_hub, httpx, ...), a third of a second on the first page load.
SAMPLE_DATA_MARKER = "SAMPLE_DATA"


def is_sample_data() -> bool:
    """True when the dashboard serves the data directory `omo demo` made (it carries the marker)."""
    return (load_settings().data_dir / SAMPLE_DATA_MARKER).is_file()


@st.cache_resource(show_spinner=False)
def _connection(path: str):
    return open_serving(Path(path))


@st.cache_data(ttl=600, show_spinner=False)
def run_query(name: str, path: str, **params: Any) -> pl.DataFrame:
    # One cursor per call: DuckDB connections are not shared across Streamlit's session threads.
    cursor = _connection(path).cursor()
    try:
        return cursor.sql(QUERIES[name], params=params or None).pl()
    finally:
        cursor.close()


def require_data(marts: set[str] = frozenset(), area: str = "") -> str:
    """The serving copy's path, or an explanation on the page and a stop: when nothing is
    published, or when the published copy predates the `marts` this page reads."""
    path = serving_file()
    if path is None:
        st.info("No data published yet. Run `make run` (or `omo collect all && omo build`) and "
                "reload this page.", icon="ℹ️")
        st.stop()
    missing = set(marts) - set(run_query("published_marts", str(path))["table_name"]) if marts else set()
    if missing:
        st.info(f"The published warehouse predates the {area} marts ({', '.join(sorted(missing))}): "
                "run `omo build` and reload this page.", icon="ℹ️")
        st.stop()
    return str(path)

"""Pieces every chart shares: the source/as-of caption and a CSV download of the plotted data."""

from __future__ import annotations

import polars as pl
import streamlit as st


def chart_footer(data: pl.DataFrame, *, source: str, as_of: object, key: str) -> None:
    st.caption(f"Source: {source} · data as of {as_of}")
    st.download_button("Download CSV", data.write_csv(), file_name=f"{key}.csv", mime="text/csv",
                       key=f"download-{key}")

"""SQL: ad-hoc read-only queries over the published warehouse, beside a browser of its marts.

Queries run in the sandbox `omo sql` uses too (dashboard/sql_sandbox.py): a fresh read-only
connection per run, one statement, no files, network or settings, a row limit and a time limit.
"""

import re
from pathlib import Path

import polars as pl
import streamlit as st

from dashboard.data import require_data, run_query
from dashboard.queries.sql_page import EXAMPLES
from dashboard.sql_sandbox import (DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT_S, QueryRefused, SqlResult, csv_bytes,
                                   parquet_bytes, run_readonly)

# Upper bounds of the limits a user may pick: the dashboard is shared, and every row shown is
# held in this session's memory and sent to the browser.
MAX_ROWS_CAP = 100_000
TIMEOUT_CAP_S = 60
LAST_RUN = "sql_last_run"  # session state: (query, SqlResult or the refusal's message)


def _load_example() -> None:
    st.session_state.sql_query = EXAMPLES[st.session_state.sql_example]


def _schema_browser(path: str) -> None:
    st.subheader("Schema")
    st.caption("The published copy's tables, each with its grain (what one row is) and its columns.")
    columns = run_query("sql_schema_columns", path)
    for table, grain in run_query("sql_schema_tables", path).iter_rows():
        with st.expander(f"marts.{table}"):
            st.caption(grain or "No grain recorded.")
            table_columns = columns.filter(pl.col("table_name") == table)
            st.markdown("\n".join(f"- `{name}` · `{data_type}`"
                                  for name, data_type in table_columns.select("column_name", "data_type").iter_rows()))


def _verbatim(text: str) -> str:
    """Text for a markdown element, shown as written: a refusal quotes the user's names, and
    `$x$` or `*x*` there must not turn into maths or italics."""
    return re.sub(r"([\\`*_{}\[\]<>#+|~$])", r"\\\1", text)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _show_result(result: SqlResult) -> None:
    shown = result.rows.height
    if result.truncated:
        st.warning(f"Showing the first {shown:,} rows; the result has more. Raise the row limit "
                   f"(up to {MAX_ROWS_CAP:,}) or narrow the query.", icon=":material/content_cut:")
    st.dataframe(result.rows, hide_index=True, width="stretch")
    rows = f"first {_count(shown, 'row')}" if result.truncated else _count(shown, "row")
    st.caption(f"{rows} · {_count(len(result.columns), 'column')} · {result.elapsed_s:.2f} s")
    # Exactly the rows shown. "ignore": a download does not rerun the page.
    with st.container(horizontal=True):
        st.download_button("Download CSV", csv_bytes(result.rows), file_name="query.csv", mime="text/csv",
                           key="sql_download_csv", on_click="ignore")
        st.download_button("Download Parquet", parquet_bytes(result.rows), file_name="query.parquet",
                           mime="application/vnd.apache.parquet", key="sql_download_parquet", on_click="ignore")


path = require_data()

st.title("SQL")
st.caption("Ad-hoc SQL over the published warehouse: the `marts.*` tables listed under Schema. One "
           "read-only statement at a time (SELECT, WITH, FROM, DESCRIBE, SUMMARIZE …); writes, files, "
           "network and settings are refused, long queries are interrupted and long results cut at the "
           "row limit. The same rules apply to `omo sql` on the command line.")

editor, schema = st.columns([2, 1], gap="large")
with schema:
    _schema_browser(path)

with editor:
    st.session_state.setdefault("sql_query", EXAMPLES[next(iter(EXAMPLES))])
    st.selectbox("Example queries", list(EXAMPLES), key="sql_example", on_change=_load_example,
                 help="Picking one replaces the query below.")
    query = st.text_area("Query", key="sql_query", height=220, persist_state="session")
    rows_column, seconds_column, run_column = st.columns([2, 2, 1], vertical_alignment="bottom")
    max_rows = rows_column.number_input("Row limit", min_value=1, max_value=MAX_ROWS_CAP, value=DEFAULT_MAX_ROWS,
                                        step=1_000, key="sql_max_rows")
    timeout_s = seconds_column.number_input("Time limit (seconds)", min_value=1, max_value=TIMEOUT_CAP_S,
                                            value=DEFAULT_TIMEOUT_S, key="sql_timeout")
    if run_column.button("Run", type="primary", key="sql_run", width="stretch"):
        try:
            outcome = run_readonly(Path(path), query, max_rows=int(max_rows), timeout_s=timeout_s)
        except QueryRefused as refusal:
            outcome = str(refusal)
        st.session_state[LAST_RUN] = (query, outcome)

    # The last run stays on screen while its query does (other widgets rerun the page too).
    ran_query, outcome = st.session_state.get(LAST_RUN, (None, None))
    if ran_query is not None and ran_query == query:
        if isinstance(outcome, SqlResult):
            _show_result(outcome)
        else:
            st.error(_verbatim(outcome), icon=":material/block:")

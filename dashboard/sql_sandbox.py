"""The read-only SQL sandbox behind the dashboard's SQL page and `omo sql`: ad-hoc queries over the
published serving copy that cannot write, reach files or the network, change settings, run
forever or return unbounded results.

Two layers, each enough on its own to keep the published copy and the host safe:

1. The connection (open_sandbox). A fresh in-memory DuckDB database ATTACHes the serving copy
   READ_ONLY, then turns off external access and the local file system (no file, network or
   extension access afterwards) and locks its configuration (no SET, RESET or PRAGMA can undo
   any of it).
2. The statement (run_readonly). Only one statement, and only a query (SELECT, WITH, FROM,
   VALUES, TABLE, DESCRIBE, SHOW, SUMMARIZE): a write is refused before DuckDB plans it, so even
   a serving copy attached writable by mistake would not be changed by a user's query.

The published data is read through the attach only. read_parquet/read_csv/read_blob/glob of any
path, the serving copy's own directory and file included, are refused like '/etc/passwd'. No
directory is allowed on purpose: DuckDB's allowed_directories lets writes through as well as
reads (COPY ... TO into an allowed directory succeeds), and in the serving directory a write
could replace CURRENT and so redirect every reader.
"""

from __future__ import annotations

import io
import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

DEFAULT_MAX_ROWS = 10_000
DEFAULT_TIMEOUT_S = 10
ATTACHED_AS = "published"  # `marts.<table>` resolves in it after USE; `published.marts.<table>` too

# Statement kinds a user's query may be. Everything else is refused by name: writes (INSERT,
# UPDATE, DELETE, CREATE, DROP, ALTER, COPY, MERGE, EXPORT), session changes (SET, RESET, USE,
# ATTACH, DETACH, INSTALL, LOAD, PRAGMA, CALL, transactions) and MULTI, which DuckDB builds for a
# dynamic PIVOT but also for ALTER and PRAGMA expansions, so it cannot be told safe from outside.
_QUERY_TYPES = {duckdb.StatementType.SELECT}
_SETTING_TYPES = {duckdb.StatementType.SET, duckdb.StatementType.VARIABLE_SET, duckdb.StatementType.PRAGMA}
_QUERY_WORDS = "SELECT, WITH, FROM, VALUES, TABLE, DESCRIBE, SHOW or SUMMARIZE"


class QueryRefused(Exception):
    """A query the sandbox would not or could not run; str() is one line for the user."""


@dataclass(frozen=True)
class SqlResult:
    columns: list[str]
    rows: pl.DataFrame  # at most max_rows rows
    truncated: bool  # the query returned more than max_rows rows
    elapsed_s: float


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def open_sandbox(serving_file: Path, *, memory_limit: str = "512MB", threads: int = 2) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory connection with the serving copy attached read-only and locked down.
    Raises duckdb.Error when the file cannot be attached."""
    con = duckdb.connect(":memory:")
    try:
        # The order matters. ATTACH reads a file, so it comes while the file system is still
        # reachable. Turning external access off is one-way; DuckDB then adds the attached file
        # and its WAL sidecars to allowed_paths, so a COPY ... TO '<serving copy>.wal' would
        # still write next to the published copy: disabling the local file system closes that
        # (it has to come second, as turning external access off needs the file system). Reads
        # of the attached copy go through the handle ATTACH opened and keep working. The lock
        # comes last: after it nobody, us included, can SET anything.
        for statement in (
            f"ATTACH {_quote(str(serving_file))} AS {ATTACHED_AS} (READ_ONLY)",
            f"USE {ATTACHED_AS}",
            f"SET memory_limit = {_quote(memory_limit)}",
            f"SET threads = {int(threads)}",
            # no spilling to disk: a query that outgrows memory_limit fails instead of filling it
            "SET temp_directory = ''",
            "SET autoinstall_known_extensions = false",
            "SET autoload_known_extensions = false",
            # a table name must never resolve to a variable of the Python process
            "SET python_enable_replacements = false",
            "SET enable_external_access = false",
            "SET disabled_filesystems = 'LocalFileSystem'",
            "SET lock_configuration = true",
        ):
            con.execute(statement)
    except BaseException:
        con.close()
        raise
    return con


def _single_query(query: str) -> None:
    """Refuse anything but one read-only statement (the second layer, see the module docstring)."""
    try:
        statements = duckdb.extract_statements(query)
    except duckdb.Error as exc:
        raise QueryRefused(_first_line(exc)) from None
    if not statements:
        raise QueryRefused("the query is empty")
    if len(statements) > 1:
        raise QueryRefused(f"one statement at a time: this holds {len(statements)}")
    [statement] = statements
    keyword = (statement.query.split() or ["this statement"])[0].upper()
    try:
        kind = statement.type
    except ValueError:  # a statement type the Python client has no name for (e.g. UPDATE EXTENSIONS)
        kind = duckdb.StatementType.INVALID
    if kind in _QUERY_TYPES:
        return
    if kind in _SETTING_TYPES:
        raise QueryRefused(f"{keyword} is not allowed: the sandbox's configuration is locked")
    if kind == duckdb.StatementType.MULTI:
        raise QueryRefused(f"{keyword} runs as several statements, which the sandbox does not allow; "
                           "for PIVOT, list the values: PIVOT ... ON column IN ('a', 'b')")
    raise QueryRefused(f"{keyword} is not allowed: the published warehouse is read-only; "
                       f"only queries ({_QUERY_WORDS}) run here")


def _first_line(exc: BaseException) -> str:
    # DuckDB doubles the quotes around a setting's name ("Cannot change ... ""threads""")
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0].replace('""', '"')


def run_readonly(serving_file: Path, query: str, *, max_rows: int = DEFAULT_MAX_ROWS,
                 timeout_s: float = DEFAULT_TIMEOUT_S, memory_limit: str = "512MB", threads: int = 2) -> SqlResult:
    """Run one read-only query in a fresh sandbox; at most max_rows rows come back, and a query
    still running after timeout_s seconds is interrupted. Raises QueryRefused for every failure."""
    _single_query(query)
    try:
        con = open_sandbox(serving_file, memory_limit=memory_limit, threads=threads)
    except duckdb.Error as exc:
        raise QueryRefused(f"cannot open the published copy: {_first_line(exc)}") from None

    # DuckDB has no statement timeout: a timer thread interrupts the connection instead.
    timed_out = threading.Event()

    def interrupt() -> None:
        timed_out.set()
        con.interrupt()

    timer = threading.Timer(timeout_s, interrupt)
    timer.daemon = True
    started = time.monotonic()
    timer.start()
    try:
        # A relation is lazy: the LIMIT wraps the query, so only max_rows + 1 rows are ever
        # produced and fetched, however large the full result would be.
        relation = con.sql(query)
        if relation is None:  # cannot happen for a SELECT; kept so a surprise is not a crash
            raise QueryRefused(f"only queries are allowed ({_QUERY_WORDS})")
        rows = relation.limit(max_rows + 1).pl()
    except duckdb.InterruptException:
        if timed_out.is_set():
            raise QueryRefused(f"interrupted after {timeout_s:g} s: the query ran longer than the time limit") from None
        raise QueryRefused("the query was interrupted") from None
    except duckdb.PermissionException as exc:
        raise QueryRefused(f"{_first_line(exc)} (the sandbox reads the published marts only: "
                           "no files, network or extensions)") from None
    except duckdb.Error as exc:
        raise QueryRefused(_first_line(exc)) from None
    except pl.exceptions.PolarsError:
        raise QueryRefused(_unshowable(relation)) from None
    finally:
        timer.cancel()
        con.close()
    elapsed_s = time.monotonic() - started
    return SqlResult(columns=rows.columns, rows=rows.head(max_rows), truncated=rows.height > max_rows,
                     elapsed_s=elapsed_s)


def _unshowable(relation: duckdb.DuckDBPyRelation) -> str:
    # polars has no INTERVAL or UNION columns
    odd = [f"{name} ({dtype})" for name, dtype in zip(relation.columns, relation.types)
           if str(dtype).startswith(("INTERVAL", "UNION"))]
    return f"cannot show {', '.join(odd) or 'a column of this result'}: cast it to VARCHAR"


def csv_bytes(rows: pl.DataFrame) -> bytes:
    """The rows as CSV. CSV holds text only: lists, structs and maps are written as JSON, blobs
    as hex."""
    as_text = []
    for name, dtype in rows.schema.items():
        if dtype.is_nested():
            as_text.append(pl.Series(name, [None if value is None else json.dumps(value, default=str)
                                            for value in rows[name].to_list()], dtype=pl.String))
        elif dtype == pl.Binary:
            as_text.append(pl.col(name).bin.encode("hex"))
    return rows.with_columns(as_text).write_csv().encode()


def parquet_bytes(rows: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    rows.write_parquet(buffer)
    return buffer.getvalue()

"""Building the warehouse file: raw tables, dbt, and the atomic swap."""

from __future__ import annotations

import fcntl
import hashlib
import json
import multiprocessing
import os
import shutil
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from sqlglot import exp

from ingest import __version__
from ingest.articles import ArticleBatch, read_articles
from ingest.curated import CuratedTable, check_evidence_quotes, read_curated
from ingest.errors import BuildLockedError, InputError
from ingest.paths import Paths
from ingest.schema import SQL_TYPES

RAW_SCHEMA = "raw"

# DuckDB names a database's catalog after its file; a file named like one
# of our schemas (or DuckDB's own "main") makes every name ambiguous.
RESERVED_CATALOG_NAMES = frozenset(
    {"raw", "staging", "intermediate", "marts", "reporting", "meta", "main",
     "system", "temp"}
)

# Test hook, used only by tests/test_crash.py: when this variable names a
# phase, the build stops itself (SIGSTOP) on reaching it, so the test can
# SIGKILL it at exactly that moment. Unset, reaching a phase does nothing.
STOP_AT_PHASE_VARIABLE = "AUTOWATCH_TEST_STOP_AT_PHASE"

BUILD_PHASES = (
    "lock-acquired",
    "staging-cleaned",
    "curated-read",
    "articles-read",
    "database-created",
    "raw-articles-inserted",
    "raw-loaded",
    "dbt-finished",
    "new-file-synced",
    "swapped",
)


def reached(phase: str) -> None:
    """Mark a point in the build that the crash test can stop at."""
    if os.environ.get(STOP_AT_PHASE_VARIABLE) == phase:
        os.kill(os.getpid(), signal.SIGSTOP)


# Older DuckDB clients (DBeaver's driver often lags the Python package) can
# only read files written in an older storage format; the setting sticks to
# the file, so every later writer keeps it.
STORAGE_COMPATIBILITY_VERSION = "v1.0.0"

NEWS_ARTICLE_COLUMNS = (
    ("article_id", "varchar"),
    ("file_name", "varchar"),
    ("file_path", "varchar"),
    ("title", "varchar"),
    ("language", "varchar"),
    ("source_encoding", "varchar"),
    ("byte_length", "bigint"),
    ("character_length", "bigint"),
    ("article_text", "varchar"),
    ("ingested_at", "timestamp with time zone"),
)

QUARANTINE_COLUMNS = (
    ("file_name", "varchar"),
    ("file_path", "varchar"),
    ("reason", "varchar"),
    ("quarantine_kind", "varchar"),
    ("ingested_at", "timestamp with time zone"),
)

BUILD_INFO_COLUMNS = (
    ("built_at", "timestamp with time zone"),
    ("autowatch_version", "varchar"),
    ("duckdb_version", "varchar"),
    ("article_count", "bigint"),
    ("quarantined_count", "bigint"),
    ("inputs_json", "varchar"),
)


def table_name(schema: str, name: str) -> str:
    """A schema-qualified table name, quoted by sqlglot."""
    return exp.table_(name, db=schema, quoted=True).sql(dialect="duckdb")


def identifier(name: str) -> str:
    return exp.to_identifier(name, quoted=True).sql(dialect="duckdb")


def curated_raw_table(name: str) -> str:
    return f"curated_{name}"


def _create_table(
    connection: duckdb.DuckDBPyConnection,
    name: str,
    columns: tuple[tuple[str, str], ...] | list[tuple[str, str]],
) -> None:
    column_sql = ", ".join(
        f"{identifier(column)} {sql_type}" for column, sql_type in columns
    )
    connection.execute(f"create table {table_name(RAW_SCHEMA, name)} ({column_sql})")


# The name an Arrow chunk is registered under while it is inserted.
ARROW_INSERT_VIEW = "autowatch_rows_to_insert"
INSERT_CHUNK_ROWS = 20_000


def _insert_rows(
    connection: duckdb.DuckDBPyConnection,
    name: str,
    column_names: list[str],
    rows: list[tuple],
) -> None:
    """Append rows through Arrow, a chunk at a time.

    ``executemany`` binds and inserts row by row, which at 100,000 articles
    costs more than reading them; one Arrow table per chunk is a bulk scan.
    Chunks bound the extra memory the columnar copy of the texts takes.
    """
    import pyarrow

    column_sql = ", ".join(identifier(column) for column in column_names)
    insert_sql = (
        f"insert into {table_name(RAW_SCHEMA, name)} ({column_sql}) "
        f"select {column_sql} from {identifier(ARROW_INSERT_VIEW)}"
    )
    for chunk_start in range(0, len(rows), INSERT_CHUNK_ROWS):
        chunk = rows[chunk_start : chunk_start + INSERT_CHUNK_ROWS]
        columns = list(zip(*chunk, strict=True))
        arrow_table = pyarrow.table(
            {
                column: pyarrow.array(values)
                for column, values in zip(column_names, columns, strict=True)
            }
        )
        connection.register(ARROW_INSERT_VIEW, arrow_table)
        try:
            connection.execute(insert_sql)
        finally:
            connection.unregister(ARROW_INSERT_VIEW)


@dataclass
class IngestResult:
    """What one ingest loaded and what it set aside."""

    article_count: int
    quarantined: list[str] = field(default_factory=list)
    curated_row_counts: dict[str, int] = field(default_factory=dict)
    # Wall-clock seconds per phase ("ingest", "extraction", "dbt"), for
    # `make bench`; nothing depends on them.
    phase_seconds: dict[str, float] = field(default_factory=dict)


def _load_extractions(
    connection: duckdb.DuckDBPyConnection,
    batch: ArticleBatch,
    curated: list[CuratedTable],
) -> None:
    """Read every article (mentions, figures, periods) into raw tables."""
    from ingest.extraction import EXTRACTION_TABLES, extraction_rows
    from ingest.mentions import matcher_from_rows

    rows = {table.table.name: table.rows for table in curated}
    published = {
        row["article_id"]: row["published_on"] for row in rows.get("articles", [])
    }
    articles = [
        (article.article_id, article.text, published.get(article.article_id))
        for article in batch.articles
    ]
    for name, columns in EXTRACTION_TABLES.items():
        _create_table(connection, name, columns)
    worker_count = _extraction_worker_count(len(articles))
    if worker_count < 2:
        chunk_tables = iter([extraction_rows(articles, matcher_from_rows(rows))])
        _insert_extraction_chunks(connection, chunk_tables)
        return
    chunks = [
        articles[start : start + EXTRACTION_CHUNK_ARTICLES]
        for start in range(0, len(articles), EXTRACTION_CHUNK_ARTICLES)
    ]
    # Spawned, not forked: this process has DuckDB's threads running, and a
    # fork copies locks other threads may hold.
    with ProcessPoolExecutor(
        worker_count,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_extraction_worker,
        initargs=(rows,),
    ) as executor:
        # map keeps chunk order, so the tables come out the same as a
        # serial run; each chunk is inserted and dropped as it arrives.
        _insert_extraction_chunks(connection, executor.map(_extract_chunk, chunks))


# Extraction costs tens of milliseconds per article, far more than reading
# it, so large corpora are read by one worker process per core. Below this
# many articles, starting the workers (each loads the Russian dictionaries)
# costs more than it saves.
PARALLEL_EXTRACTION_MINIMUM_ARTICLES = 400
EXTRACTION_CHUNK_ARTICLES = 250

_worker_matcher = None


def _extraction_worker_count(article_count: int) -> int:
    if article_count < PARALLEL_EXTRACTION_MINIMUM_ARTICLES:
        return 1
    return len(os.sched_getaffinity(0))


def _start_extraction_worker(curated_rows: dict[str, list[dict]]) -> None:
    global _worker_matcher
    from ingest.mentions import matcher_from_rows

    _worker_matcher = matcher_from_rows(curated_rows)


def _extract_chunk(
    articles: list[tuple[str, str, object]],
) -> dict[str, list[tuple]]:
    from ingest.extraction import extraction_rows

    return extraction_rows(articles, _worker_matcher)


def _insert_extraction_chunks(
    connection: duckdb.DuckDBPyConnection,
    chunk_tables: Iterator[dict[str, list[tuple]]],
) -> None:
    from ingest.extraction import EXTRACTION_TABLES

    for tables in chunk_tables:
        for name, columns in EXTRACTION_TABLES.items():
            _insert_rows(
                connection, name, [column for column, _ in columns], tables[name]
            )


def load_raw(
    connection: duckdb.DuckDBPyConnection,
    batch: ArticleBatch,
    curated: list[CuratedTable],
    inputs: dict[str, object],
) -> IngestResult:
    """Create schema ``raw`` and fill it, in one transaction."""
    connection.execute("begin transaction")
    connection.execute(f"create schema if not exists {identifier(RAW_SCHEMA)}")
    _create_table(connection, "news_articles", NEWS_ARTICLE_COLUMNS)
    _insert_rows(
        connection,
        "news_articles",
        [name for name, _ in NEWS_ARTICLE_COLUMNS],
        [
            (
                article.article_id,
                article.file_name,
                article.file_path,
                article.title,
                article.language,
                article.source_encoding,
                article.byte_length,
                article.character_length,
                article.text,
                article.ingested_at,
            )
            for article in batch.articles
        ],
    )
    reached("raw-articles-inserted")
    _create_table(connection, "news_article_quarantine", QUARANTINE_COLUMNS)
    now = datetime.now(UTC)
    _insert_rows(
        connection,
        "news_article_quarantine",
        [name for name, _ in QUARANTINE_COLUMNS],
        [
            (rejected.file_name, rejected.file_path, rejected.reason, kind, now)
            for kind, rejects in (
                ("unreadable", batch.rejected),
                ("duplicate", batch.duplicates),
            )
            for rejected in rejects
        ],
    )
    result = IngestResult(article_count=len(batch.articles))
    result.quarantined = [
        rejected.reason for rejected in [*batch.rejected, *batch.duplicates]
    ]
    for curated_table in curated:
        table = curated_table.table
        raw_name = curated_raw_table(table.name)
        _create_table(
            connection,
            raw_name,
            [(column.name, SQL_TYPES[column.type]) for column in table.columns]
            + [("source_line", "bigint")],
        )
        _insert_rows(
            connection,
            raw_name,
            [*table.column_names, "source_line"],
            [
                (*(row[name] for name in table.column_names), line)
                for row, line in zip(
                    curated_table.rows, curated_table.line_numbers, strict=True
                )
            ],
        )
        result.curated_row_counts[table.name] = len(curated_table.rows)
    extraction_started = time.perf_counter()
    _load_extractions(connection, batch, curated)
    result.phase_seconds["extraction"] = time.perf_counter() - extraction_started
    _create_table(connection, "build_info", BUILD_INFO_COLUMNS)
    _insert_rows(
        connection,
        "build_info",
        [name for name, _ in BUILD_INFO_COLUMNS],
        [
            (
                now,
                __version__,
                duckdb.__version__,
                len(batch.articles),
                len(result.quarantined),
                json.dumps(inputs, sort_keys=True),
            )
        ],
    )
    connection.execute("commit")
    return result


def connect_new(database_file: Path) -> duckdb.DuckDBPyConnection:
    """Open a fresh database file in the storage format older clients read."""
    return duckdb.connect(
        str(database_file),
        config={"storage_compatibility_version": STORAGE_COMPATIBILITY_VERSION},
    )


def ingest(paths: Paths, database_file: Path) -> IngestResult:
    """Validate every input, then load it into a new database file.

    Curated data is checked before anything is written, so a bad CSV never
    leaves a half-loaded file behind.
    """
    started = time.perf_counter()
    curated = read_curated(paths.seeds_dir)
    reached("curated-read")
    batch = read_articles(paths.articles_dirs)
    quote_problems = check_evidence_quotes(
        curated, {article.article_id: article.text for article in batch.articles}
    )
    if quote_problems:
        raise InputError(quote_problems)
    reached("articles-read")
    if database_file.exists():
        database_file.unlink()
    inputs = {
        "articles_dirs": [str(path) for path in paths.articles_dirs],
        "seeds_dir": str(paths.seeds_dir),
        "curated_files": sorted(table.path.name for table in curated),
    }
    connection = connect_new(database_file)
    reached("database-created")
    try:
        result = load_raw(connection, batch, curated, inputs)
    finally:
        connection.close()
    reached("raw-loaded")
    result.phase_seconds["ingest"] = (
        time.perf_counter() - started - result.phase_seconds.get("extraction", 0.0)
    )
    return result


@contextmanager
def build_lock(paths: Paths, wait: bool = False) -> Iterator[None]:
    """Hold an exclusive lock so that two builds never write at once.

    The lock is an OS file lock: the kernel drops it when its process dies,
    so a killed build never leaves a stale lock behind.
    """
    paths.warehouse_dir.mkdir(parents=True, exist_ok=True)
    with open(paths.lock_file, "a+") as lock_handle:
        flags = fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB
        try:
            fcntl.flock(lock_handle, flags)
        except BlockingIOError as error:
            raise BuildLockedError(
                f"another build is running (lock held on {paths.lock_file}); "
                "wait for it to finish, or pass --wait"
            ) from error
        try:
            yield
        finally:
            fcntl.flock(lock_handle, fcntl.LOCK_UN)


def staging_dir(paths: Paths) -> Path:
    """Where the next warehouse is built before it is swapped in.

    The file keeps the live file's name, because DuckDB names the catalog
    after the file and dbt's views refer to that catalog by name.
    """
    return paths.warehouse_dir / ".building"


def clean_staging(paths: Paths) -> None:
    """Remove what a crashed or failed build left behind."""
    shutil.rmtree(staging_dir(paths), ignore_errors=True)


def swap_in(new_file: Path, live_file: Path) -> None:
    """Atomically replace the live warehouse; open readers keep the old one."""
    with open(new_file, "rb") as handle:
        os.fsync(handle.fileno())
    reached("new-file-synced")
    os.replace(new_file, live_file)
    directory = os.open(live_file.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


@dataclass
class BuildResult:
    warehouse_file: Path
    ingest: IngestResult


def build(paths: Paths, wait_for_lock: bool = False) -> BuildResult:
    """Ingest, run ``dbt build`` into a new file, then swap it in.

    Any failure leaves the live warehouse exactly as it was.
    """
    # Imported here so that reading and validating inputs never pays for
    # importing dbt.
    from ingest import dbt

    with build_lock(paths, wait=wait_for_lock):
        reached("lock-acquired")
        clean_staging(paths)
        staging = staging_dir(paths)
        staging.mkdir(parents=True)
        reached("staging-cleaned")
        new_file = staging / paths.warehouse_file.name
        try:
            ingest_result = ingest(paths, new_file)
            dbt_started = time.perf_counter()
            dbt.build(paths, new_file)
            ingest_result.phase_seconds["dbt"] = time.perf_counter() - dbt_started
            reached("dbt-finished")
            swap_in(new_file, paths.warehouse_file)
            reached("swapped")
        finally:
            clean_staging(paths)
    return BuildResult(warehouse_file=paths.warehouse_file, ingest=ingest_result)


def table_fingerprints(
    connection: duckdb.DuckDBPyConnection,
    schemas: tuple[str, ...] = ("raw", "marts"),
    ignored_columns: frozenset[str] = frozenset(),
) -> dict[str, str]:
    """A sha256 of each base table's sorted rows, keyed ``schema.table``.

    Two builds hold the same data exactly when their fingerprints match, so
    a rebuild, a crashed build or a renamed input can be compared without
    eyeballing rows. ``ignored_columns`` names ``schema.table.column``
    values to leave out, such as the time a build ran.
    """
    fingerprints = {}
    tables = connection.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_type = 'BASE TABLE' and list_contains(?, table_schema) "
        "order by table_schema, table_name",
        [list(schemas)],
    ).fetchall()
    for schema, name in tables:
        columns = [
            column
            for (column,) in connection.execute(
                "select column_name from information_schema.columns "
                "where table_schema = ? and table_name = ? "
                "order by ordinal_position",
                [schema, name],
            ).fetchall()
            if f"{schema}.{name}.{column}" not in ignored_columns
        ]
        column_sql = ", ".join(identifier(column) for column in columns)
        rows = connection.execute(
            f"select {column_sql} from {table_name(schema, name)}"
        ).fetchall()
        digest = hashlib.sha256()
        for row_text in sorted(repr(row) for row in rows):
            digest.update(row_text.encode("utf-8"))
            digest.update(b"\n")
        fingerprints[f"{schema}.{name}"] = digest.hexdigest()
    return fingerprints

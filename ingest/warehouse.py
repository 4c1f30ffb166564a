"""Building the warehouse file: raw tables, dbt, and the atomic swap."""

from __future__ import annotations

import fcntl
import functools
import hashlib
import importlib.metadata
import json
import multiprocessing
import os
import shutil
import signal
import time
import unicodedata
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import astuple, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from sqlglot import exp

from ingest import __version__, progress
from ingest.articles import ArticleBatch, KnownFile, read_articles
from ingest.curated import (
    CuratedTable,
    check_evidence_quotes,
    read_curated,
    uncurated_articles,
    unread_articles,
)
from ingest.errors import BuildLockedError, InputError
from ingest.paths import Paths
from ingest.schema import SQL_TYPES

RAW_SCHEMA = "raw"

# DuckDB names a database's catalog after its file; a file named like one
# of our schemas (or DuckDB's own "main") makes every name ambiguous.
RESERVED_CATALOG_NAMES = frozenset(
    {
        "raw",
        "staging",
        "intermediate",
        "marts",
        "reporting",
        "meta",
        "main",
        "system",
        "temp",
    }
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
    # (file path, reason): the reason starts with the path, line and column.
    quarantined: list[tuple[str, str]] = field(default_factory=list)
    curated_row_counts: dict[str, int] = field(default_factory=dict)
    # Set by ingest(): whether the new file started as a copy of the live
    # warehouse (so dbt may update its marts incrementally), whether the
    # curated inputs differ from the live warehouse's and in which tables
    # (None: not known, as the live warehouse did not record them), and
    # how many articles were added, changed or removed
    # (raw.article_changes).
    started_from_live: bool = False
    curated_changed: bool = True
    changed_curated_tables: list[str] | None = None
    changed_article_count: int = 0
    # With extract_locally=False: the articles whose extraction could not
    # be copied from the live warehouse, left for the caller to extract
    # (the Spark target runs them in its executors).
    articles_to_extract: list[str] = field(default_factory=list)
    # Wall-clock seconds per phase ("ingest", "extraction", "dbt"), for
    # `make bench`; nothing depends on them.
    phase_seconds: dict[str, float] = field(default_factory=dict)
    # Paths of the articles read that seeds/articles.csv does not list:
    # built, but with no publication date or outlet.
    uncurated_articles: list[str] = field(default_factory=list)


EXTRACTION_KEY_COLUMNS = (
    ("article_id", "varchar"),
    ("extraction_key", "varchar"),
)
MANIFEST_COLUMNS = (
    ("file_path", "varchar"),
    ("byte_size", "bigint"),
    ("modified_ns", "bigint"),
    ("article_id", "varchar"),
)
CHANGE_COLUMNS = (
    ("article_id", "varchar"),
    ("change_kind", "varchar"),
)
# The alias under which the live warehouse is attached, read-only, while
# the next one is built: unchanged articles and their extractions are
# copied from it instead of being read and extracted again.
PREVIOUS_CATALOG = "previous_warehouse"
# The modules whose code decides an article's text and what extraction
# finds in it, the packages they call (sentence splitting, alias matching,
# dates, Russian inflection and its dictionaries), and the Unicode tables
# behind lower() and isalnum().
READING_MODULES = (
    "articles",
    "text_cleaning",
    "extraction",
    "mentions",
    "figures",
    "periods",
    "morphology",
)
READING_PACKAGES = (
    "razdel",
    "pyahocorasick",
    "python-dateutil",
    "pymorphy3",
    "pymorphy3-dicts-ru",
)
PACKAGE_DIR = Path(__file__).parent


def reading_code_version(package_dir: Path | None = None) -> str:
    """The autowatch version, plus a digest of the code that reads and
    extracts articles: ``READING_MODULES`` (in ``package_dir``, this
    package by default), ``READING_PACKAGES`` and the Unicode version.

    A rebuild reuses the live warehouse's article and extraction rows only
    when this is the same, so a change to that code reads and extracts
    again without anyone having to remember to bump the version.
    """
    if package_dir is None:
        return _running_reading_code_version()
    digest = hashlib.sha256()
    for module in READING_MODULES:
        digest.update((package_dir / f"{module}.py").read_bytes())
    for package in READING_PACKAGES:
        digest.update(f"{package}=={importlib.metadata.version(package)}".encode())
    digest.update(f"unicode {unicodedata.unidata_version}".encode())
    return f"{__version__}+{digest.hexdigest()[:12]}"


@functools.cache
def _running_reading_code_version() -> str:
    # Once per process: the code running does not change under it.
    return reading_code_version(PACKAGE_DIR)


def _extraction_keys(
    article_ids: list[str],
    curated_rows: dict[str, list[dict]],
    published: dict[str, object],
) -> dict[str, str]:
    """What an article's extraction depends on, hashed, per article.

    The text is fixed by the id; the aliases, the entity names and the
    article's publication date are not, so they are in the key (only the
    columns the matcher reads: ``matcher_inputs``), as is the version of
    the code that extracted it (``reading_code_version``). Sorted: the
    matcher reads no row order, so re-sorting a CSV extracts nothing again.
    """
    from ingest.mentions import matcher_inputs

    entities, records = matcher_inputs(curated_rows)
    key_inputs = json.dumps(
        [
            reading_code_version(),
            sorted((astuple(entity) for entity in entities), key=str),
            sorted((astuple(record) for record in records), key=str),
        ],
        default=str,
    )
    matcher_key = hashlib.sha256(key_inputs.encode("utf-8")).hexdigest()
    return {
        article_id: hashlib.sha256(
            f"{matcher_key}|{article_id}|{published.get(article_id)}".encode()
        ).hexdigest()
        for article_id in article_ids
    }


def _columns_of(
    connection: duckdb.DuckDBPyConnection,
    schema: str,
    name: str,
    catalog: str | None = None,
) -> list[str]:
    """The columns of a table or view, in order; none when it is not there.
    ``catalog`` None is the connection's own database."""
    return [
        column
        for (column,) in connection.execute(
            "select column_name from information_schema.columns "
            "where table_catalog = coalesce(?, current_database()) "
            "and table_schema = ? and table_name = ? order by ordinal_position",
            [catalog, schema, name],
        ).fetchall()
    ]


def _has_previous_table(connection: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(_columns_of(connection, RAW_SCHEMA, name, PREVIOUS_CATALOG))


def _copy_unchanged_extractions(
    connection: duckdb.DuckDBPyConnection, has_previous: bool
) -> set[str]:
    """Copy extraction rows whose key is unchanged; return their article ids."""
    from ingest.extraction import EXTRACTION_TABLES

    if not has_previous or not _has_previous_table(
        connection, "article_extraction_keys"
    ):
        return set()
    if not all(_has_previous_table(connection, name) for name in EXTRACTION_TABLES):
        return set()
    previous_keys = _previous_table("article_extraction_keys")
    current_keys = table_name(RAW_SCHEMA, "article_extraction_keys")
    reused = {
        article_id
        for (article_id,) in connection.execute(
            f"select current_keys.article_id from {current_keys} as current_keys "
            f"inner join {previous_keys} as previous_keys "
            "on current_keys.article_id = previous_keys.article_id "
            "and current_keys.extraction_key = previous_keys.extraction_key"
        ).fetchall()
    }
    for name, columns in EXTRACTION_TABLES.items():
        column_sql = ", ".join(identifier(column) for column, _ in columns)
        connection.execute(
            f"insert into {table_name(RAW_SCHEMA, name)} ({column_sql}) "
            f"select {column_sql} from {_previous_table(name)} "
            f"where article_id in (select current_keys.article_id "
            f"from {current_keys} as current_keys "
            f"inner join {previous_keys} as previous_keys "
            "on current_keys.article_id = previous_keys.article_id "
            "and current_keys.extraction_key = previous_keys.extraction_key)"
        )
    return reused


def _previous_table(name: str) -> str:
    return exp.table_(name, db=RAW_SCHEMA, catalog=PREVIOUS_CATALOG, quoted=True).sql(
        dialect="duckdb"
    )


def _raw_table_in(catalog: str | None, name: str) -> str:
    if catalog is None:
        return table_name(RAW_SCHEMA, name)
    return exp.table_(name, db=RAW_SCHEMA, catalog=catalog, quoted=True).sql(
        dialect="duckdb"
    )


def _json_of_columns(alias: str, columns: list[str]) -> str:
    """``json_object('column', alias.column, ...)``: NULLs stay distinct."""
    return (
        "json_object("
        + ", ".join(
            f"{exp.Literal.string(column).sql(dialect='duckdb')}, "
            f"{identifier(alias)}.{identifier(column)}"
            for column in columns
        )
        + ")"
    )


def _article_input_keys_sql(
    connection: duckdb.DuckDBPyConnection, catalog: str | None, with_extraction: bool
) -> str:
    """``(article_id, input_key)`` for every article of one catalog's raw.

    The key hashes everything an article's rows in the incremental marts
    are computed from: its raw row (the id fixes the text), its curated
    metadata row and, when extraction ran, its extraction key (aliases,
    entity names, publication date, autowatch version). A key that
    differs for any other reason (another DuckDB version printing JSON
    differently) only makes the build recompute more than it must.
    Columns are the ones each catalog's tables have: a live warehouse
    built before a column was added to them hashes without it, so its
    keys differ and every article is recomputed, not refused.
    """
    article_columns = [
        name
        for name in _columns_of(connection, RAW_SCHEMA, "news_articles", catalog)
        if name not in ("article_id", "article_text")
    ]
    curated_columns = _columns_of(
        connection, RAW_SCHEMA, curated_raw_table("articles"), catalog
    )
    hashed = (
        _json_of_columns("articles", article_columns)
        + ", "
        + _json_of_columns("curated", curated_columns)
    )
    extraction_join = ""
    if with_extraction:
        hashed += ", coalesce(extraction_keys.extraction_key, '')"
        extraction_join = (
            f"left join {_raw_table_in(catalog, 'article_extraction_keys')} "
            "as extraction_keys "
            "on articles.article_id = extraction_keys.article_id "
        )
    return (
        "select articles.article_id, md5(concat_ws('|', " + hashed + ")) as input_key "
        f"from {_raw_table_in(catalog, 'news_articles')} as articles "
        f"left join {_raw_table_in(catalog, curated_raw_table('articles'))} as curated "
        "on articles.article_id = curated.article_id " + extraction_join
    )


def _record_article_changes(
    connection: duckdb.DuckDBPyConnection, has_previous: bool, extract: bool
) -> int:
    """Fill raw.article_changes; return how many articles it lists.

    Against the live warehouse: every article whose input key is new,
    differs or is gone. Without one: every article, as added.
    """
    _create_table(connection, "article_changes", CHANGE_COLUMNS)
    changes = table_name(RAW_SCHEMA, "article_changes")
    current_keys = _article_input_keys_sql(connection, None, extract)
    if has_previous and _has_previous_table(connection, "news_articles"):
        previous_keys = _article_input_keys_sql(
            connection,
            PREVIOUS_CATALOG,
            _has_previous_table(connection, "article_extraction_keys"),
        )
        connection.execute(
            f"insert into {changes} (article_id, change_kind) "
            "select coalesce(current_keys.article_id, previous_keys.article_id), "
            "case when previous_keys.article_id is null then 'added' "
            "when current_keys.article_id is null then 'removed' "
            "else 'changed' end "
            f"from ({current_keys}) as current_keys "
            f"full outer join ({previous_keys}) as previous_keys "
            "on current_keys.article_id = previous_keys.article_id "
            "where current_keys.input_key is distinct from previous_keys.input_key"
        )
    else:
        connection.execute(
            f"insert into {changes} (article_id, change_kind) "
            f"select current_keys.article_id, 'added' from ({current_keys}) "
            "as current_keys"
        )
    return connection.execute(f"select count(*) from {changes}").fetchone()[0]


def _load_extractions(
    connection: duckdb.DuckDBPyConnection,
    batch: ArticleBatch,
    curated: list[CuratedTable],
    has_previous: bool = False,
    extract_locally: bool = True,
) -> list[str]:
    """Read every article (mentions, figures, periods) into raw tables.

    Returns the ids of the articles left unextracted: none, unless
    ``extract_locally`` is False, when only the unchanged articles'
    extractions are copied and the rest is left to the caller.
    """
    from ingest.extraction import EXTRACTION_TABLES, extraction_rows
    from ingest.mentions import matcher_from_rows

    rows = {table.table.name: table.rows for table in curated}
    published = {
        row["article_id"]: row["published_on"] for row in rows.get("articles", [])
    }
    for name, columns in EXTRACTION_TABLES.items():
        _create_table(connection, name, columns)
    keys = _extraction_keys(
        [article.article_id for article in batch.articles]
        + [article_id for _, article_id in batch.reused],
        rows,
        published,
    )
    _create_table(connection, "article_extraction_keys", EXTRACTION_KEY_COLUMNS)
    _insert_rows(
        connection,
        "article_extraction_keys",
        [name for name, _ in EXTRACTION_KEY_COLUMNS],
        sorted(keys.items()),
    )
    reused_ids = _copy_unchanged_extractions(connection, has_previous)
    if not extract_locally:
        return sorted(set(keys) - reused_ids)
    texts = {article.article_id: article.text for article in batch.articles}
    missing = sorted(set(keys) - reused_ids - set(texts))
    if missing:
        # Reused articles whose publication date or aliases changed: their
        # text is already in the new file.
        texts.update(
            connection.execute(
                f"select article_id, article_text "
                f"from {table_name(RAW_SCHEMA, 'news_articles')} "
                "where list_contains(?, article_id)",
                [missing],
            ).fetchall()
        )
    articles = [
        (article_id, texts[article_id], published.get(article_id))
        for article_id in sorted(set(keys) - reused_ids)
    ]
    worker_count = _extraction_worker_count(len(articles))
    if worker_count < 2:
        chunk_tables = iter([extraction_rows(articles, matcher_from_rows(rows))])
        _insert_extraction_chunks(connection, chunk_tables)
        return []
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
        _insert_extraction_chunks(
            connection,
            progress.track(
                f"extracting {len(articles)} articles (chunks of "
                f"{EXTRACTION_CHUNK_ARTICLES})",
                executor.map(_extract_chunk, chunks),
                total=len(chunks),
            ),
        )
    return []


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


def _copy_reused_articles(
    connection: duckdb.DuckDBPyConnection, batch: ArticleBatch
) -> None:
    import pyarrow

    reused = pyarrow.table(
        {
            "file_path": [file_path for file_path, _ in batch.reused],
            "article_id": [article_id for _, article_id in batch.reused],
        }
    )
    column_sql = ", ".join(
        f"previous_articles.{identifier(name)}" for name, _ in NEWS_ARTICLE_COLUMNS
    )
    connection.register(ARROW_INSERT_VIEW, reused)
    try:
        connection.execute(
            f"insert into {table_name(RAW_SCHEMA, 'news_articles')} "
            f"select {column_sql} "
            f"from {_previous_table('news_articles')} as previous_articles "
            f"inner join {identifier(ARROW_INSERT_VIEW)} as reused "
            "on previous_articles.article_id = reused.article_id "
            "and previous_articles.file_path = reused.file_path"
        )
    finally:
        connection.unregister(ARROW_INSERT_VIEW)


def load_raw(
    connection: duckdb.DuckDBPyConnection,
    batch: ArticleBatch,
    curated: list[CuratedTable],
    inputs: dict[str, object],
    previous_file: Path | None = None,
    extract: bool = True,
    extract_locally: bool = True,
) -> IngestResult:
    """Create schema ``raw`` and fill it, in one transaction.

    ``extract=False`` leaves out the extraction tables. With
    ``extract_locally=False`` they hold only the rows copied for unchanged
    articles, and ``articles_to_extract`` lists the rest, for a build that
    extracts elsewhere (the Spark target runs extraction in executors).

    With ``previous_file`` (the live warehouse), the rows of
    ``batch.reused`` articles and their unchanged extractions are copied
    from it.
    """
    has_previous = previous_file is not None
    if has_previous:
        path_literal = exp.Literal.string(str(previous_file)).sql(dialect="duckdb")
        connection.execute(
            f"attach {path_literal} as {identifier(PREVIOUS_CATALOG)} (read_only)"
        )
    connection.execute("begin transaction")
    # A file that starts as a copy of the live warehouse brings its raw
    # tables along; they are loaded afresh like in a new file. dbt's views
    # name raw tables and are bound when read, so they survive this.
    connection.execute(f"drop schema if exists {identifier(RAW_SCHEMA)} cascade")
    connection.execute(f"create schema {identifier(RAW_SCHEMA)}")
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
    if batch.reused:
        _copy_reused_articles(connection, batch)
    _create_table(connection, "article_manifest", MANIFEST_COLUMNS)
    _insert_rows(
        connection,
        "article_manifest",
        [name for name, _ in MANIFEST_COLUMNS],
        batch.manifest,
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
    result = IngestResult(article_count=len(batch.articles) + len(batch.reused))
    result.quarantined = [
        (rejected.file_path, rejected.reason)
        for rejected in [*batch.rejected, *batch.duplicates]
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
    if extract:
        result.articles_to_extract = _load_extractions(
            connection, batch, curated, has_previous, extract_locally
        )
    result.phase_seconds["extraction"] = time.perf_counter() - extraction_started
    result.changed_article_count = _record_article_changes(
        connection, has_previous, extract
    )
    _create_table(connection, "build_info", BUILD_INFO_COLUMNS)
    _insert_rows(
        connection,
        "build_info",
        [name for name, _ in BUILD_INFO_COLUMNS],
        [
            (
                now,
                reading_code_version(),
                duckdb.__version__,
                len(batch.articles) + len(batch.reused),
                len(result.quarantined),
                json.dumps(inputs, sort_keys=True),
            )
        ],
    )
    connection.execute("commit")
    return result


# DuckDB caches up to 80% of the machine's memory by default; the build
# caps it (and spills to disk past it) so that its memory does not grow
# with the corpus. dbt's connection takes the same limit from profiles.yml.
MEMORY_LIMIT_VARIABLE = "AUTOWATCH_DUCKDB_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "1GB"


def connect_new(database_file: Path) -> duckdb.DuckDBPyConnection:
    """Open a fresh database file in the storage format older clients read."""
    return duckdb.connect(
        str(database_file),
        config={
            "storage_compatibility_version": STORAGE_COMPATIBILITY_VERSION,
            "memory_limit": os.environ.get(MEMORY_LIMIT_VARIABLE, DEFAULT_MEMORY_LIMIT),
        },
    )


def _previous_files(previous_file: Path) -> dict[str, KnownFile]:
    """Files the live warehouse was built from and still holds, by path.

    Only files whose article row is theirs (not a duplicate's) count, and
    only from a warehouse built by this reading code
    (``reading_code_version``), since other code may decode or normalise
    differently.
    """
    try:
        connection = duckdb.connect(str(previous_file), read_only=True)
    except duckdb.Error:
        return {}
    try:
        (version,) = connection.execute(
            f"select max(autowatch_version) from {table_name(RAW_SCHEMA, 'build_info')}"
        ).fetchone()
        if version != reading_code_version():
            return {}
        manifest = table_name(RAW_SCHEMA, "article_manifest")
        articles = table_name(RAW_SCHEMA, "news_articles")
        rows = connection.execute(
            f"select manifest.file_path, manifest.byte_size, manifest.modified_ns, "
            f"manifest.article_id from {manifest} as manifest "
            f"inner join {articles} as articles "
            "on manifest.article_id = articles.article_id "
            "and manifest.file_path = articles.file_path"
        ).fetchall()
    except duckdb.Error:
        # An older warehouse without a manifest: read everything.
        return {}
    finally:
        connection.close()
    return {
        file_path: KnownFile(byte_size, modified_ns, article_id)
        for file_path, byte_size, modified_ns, article_id in rows
    }


def _reused_texts(
    previous_file: Path, batch: ArticleBatch, curated: list[CuratedTable]
) -> dict[str, str]:
    """Texts of reused articles that curated rows quote, for the quote check."""
    quoted = {
        row["article_id"]
        for table in curated
        for row in table.rows
        if "article_id" in row and row["article_id"]
    }
    wanted = sorted(quoted & {article_id for _, article_id in batch.reused})
    if not wanted:
        return {}
    connection = duckdb.connect(str(previous_file), read_only=True)
    try:
        return dict(
            connection.execute(
                f"select article_id, article_text "
                f"from {table_name(RAW_SCHEMA, 'news_articles')} "
                "where list_contains(?, article_id)",
                [wanted],
            ).fetchall()
        )
    finally:
        connection.close()


def dbt_project_fingerprint(paths: Paths) -> str:
    """A sha256 of the dbt project's models, macros, tests and settings.

    Incremental marts keep rows computed by the project that built them,
    so a warehouse built by another version of the project is rebuilt
    from scratch rather than updated.
    """
    project_dir = paths.dbt_project_dir
    files = [
        path
        for folder in ("models", "macros", "data-tests")
        for path in (project_dir / folder).rglob("*")
        if path.is_file()
    ]
    files += [project_dir / "dbt_project.yml", project_dir / "profiles.yml"]
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(str(path.relative_to(project_dir)).encode("utf-8"))
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def curated_fingerprint(curated: list[CuratedTable]) -> str:
    """A sha256 of every curated row and the line it came from."""
    rows = {table.table.name: [table.rows, table.line_numbers] for table in curated}
    return _sha256_of(rows)


def curated_table_fingerprints(curated: list[CuratedTable]) -> dict[str, str]:
    """``curated_fingerprint`` of each curated table on its own."""
    return {
        table.table.name: _sha256_of([table.rows, table.line_numbers])
        for table in curated
    }


def _sha256_of(value) -> str:
    return hashlib.sha256(
        json.dumps(value, sort_keys=True, default=str).encode("utf-8")
    ).hexdigest()


def _changed_tables(
    previous: dict[str, str] | None, current: dict[str, str]
) -> list[str] | None:
    """Curated tables whose fingerprints differ; None when the live
    warehouse recorded none (built before it did)."""
    if previous is None:
        return None
    return sorted(
        name
        for name in previous.keys() | current.keys()
        if previous.get(name) != current.get(name)
    )


def _previous_inputs(previous_file: Path) -> dict:
    """The inputs record of the live warehouse's build, or {}."""
    try:
        connection = duckdb.connect(str(previous_file), read_only=True)
    except duckdb.Error:
        return {}
    try:
        (inputs_json,) = connection.execute(
            f"select max(inputs_json) from {table_name(RAW_SCHEMA, 'build_info')}"
        ).fetchone()
    except duckdb.Error:
        return {}
    finally:
        connection.close()
    return json.loads(inputs_json) if inputs_json else {}


def _can_start_from(previous_file: Path, inputs: dict) -> bool:
    """Whether the live file can be copied and its marts updated in place.

    Not when another dbt project built it, nor when it has a write-ahead
    log: someone opened it for writing, and a copy of the file alone may
    miss what the log holds.
    """
    return (
        not write_ahead_log(previous_file).exists()
        and _previous_inputs(previous_file).get("dbt_project_sha256")
        == inputs["dbt_project_sha256"]
    )


def ingest(
    paths: Paths,
    database_file: Path,
    previous_file: Path | None = None,
    extract: bool = True,
    start_from_previous: bool = False,
    extract_locally: bool = True,
) -> IngestResult:
    """Validate every input, then load it into a new database file.

    Curated data is checked before anything is written, so a bad CSV never
    leaves a half-loaded file behind. With ``previous_file`` (the live
    warehouse), files unchanged since it was built are not read again and
    their extractions are copied, not recomputed. With
    ``start_from_previous`` as well, the new file starts as a copy of the
    live one (when the same dbt project built it), so that dbt only has to
    update its incremental marts; raw.article_changes lists the articles
    whose rows differ. With ``extract_locally=False`` the articles whose
    extraction is not copied are listed, not extracted (see load_raw).
    """
    started = time.perf_counter()
    curated = read_curated(paths.seeds_dir)
    reached("curated-read")
    if previous_file is not None and not previous_file.exists():
        previous_file = None
    known_files = _previous_files(previous_file) if previous_file else {}
    if not known_files:
        previous_file = None
    batch = read_articles(paths.articles_dirs, known_files)
    texts = {article.article_id: article.text for article in batch.articles}
    if previous_file is not None:
        texts.update(_reused_texts(previous_file, batch, curated))
    article_ids_by_path = {
        file_path: article_id for file_path, _, _, article_id in batch.manifest
    }
    problems = unread_articles(
        curated,
        article_ids_by_path,
        {rejected.file_path: rejected.reason for rejected in batch.rejected},
    ) + check_evidence_quotes(curated, texts)
    if problems:
        raise InputError(problems)
    reached("articles-read")
    if database_file.exists():
        database_file.unlink()
    inputs = {
        "articles_dirs": [str(path) for path in paths.articles_dirs],
        "seeds_dir": str(paths.seeds_dir),
        "curated_files": sorted(table.path.name for table in curated),
        "curated_sha256": curated_fingerprint(curated),
        "curated_table_sha256": curated_table_fingerprints(curated),
        "dbt_project_sha256": dbt_project_fingerprint(paths),
    }
    started_from_live = (
        start_from_previous
        and previous_file is not None
        and _can_start_from(previous_file, inputs)
    )
    curated_changed = True
    changed_curated_tables = None
    if started_from_live:
        previous_inputs = _previous_inputs(previous_file)
        curated_changed = (
            previous_inputs.get("curated_sha256") != inputs["curated_sha256"]
        )
        changed_curated_tables = _changed_tables(
            previous_inputs.get("curated_table_sha256"),
            inputs["curated_table_sha256"],
        )
        # The live file's builder closed it, which checkpoints it: the
        # file alone holds all of it.
        shutil.copyfile(previous_file, database_file)
    connection = connect_new(database_file)
    reached("database-created")
    try:
        result = load_raw(
            connection,
            batch,
            curated,
            inputs,
            previous_file,
            extract=extract,
            extract_locally=extract_locally,
        )
    finally:
        connection.close()
    result.started_from_live = started_from_live
    result.curated_changed = curated_changed
    result.uncurated_articles = uncurated_articles(curated, article_ids_by_path)
    result.changed_curated_tables = changed_curated_tables
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
            raise BuildLockedError(paths.lock_file) from error
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


def write_ahead_log(database_file: Path) -> Path:
    """Where DuckDB keeps the changes not yet checkpointed into the file."""
    return database_file.with_name(database_file.name + ".wal")


def swap_in(new_file: Path, live_file: Path) -> None:
    """Atomically replace the live warehouse; open readers keep the old one."""
    with open(new_file, "rb") as handle:
        os.fsync(handle.fileno())
    reached("new-file-synced")
    stale_log = write_ahead_log(live_file)
    if stale_log.exists():
        # Left by a writer that closed the live file without a checkpoint
        # (or crashed): DuckDB would replay it onto the new file. Kept
        # aside for whoever made those edits, never replayed.
        os.replace(stale_log, stale_log.with_name(stale_log.name + ".replaced"))
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


# What dbt builds when the curated inputs and the dbt project are those
# of the live warehouse: everything downstream of the articles and their
# extractions, and (eager indirect selection) every test that reads any of
# it, such as the curated facts' evidence and article relationships tests.
# Nothing else can differ from the live warehouse the file was copied from.
ARTICLES_CHANGED_SELECTION = ("source:news+",)
# When not even an article changed: the raw tables that change with every
# build (build info, quarantine load times, the empty change list).
NOTHING_CHANGED_SELECTION = (
    "source:news.build_info+",
    "source:news.article_quarantine+",
    "stg_news__article_changes",
)


def dbt_selection(ingest_result: IngestResult) -> tuple[str, ...] | None:
    """The nodes a rebuild must run, or None for every node.

    A changed curated table adds everything downstream of it (and the tests
    that read any of that). A curated change that alters what an article's
    rows are (its articles.csv metadata, the aliases extraction matches)
    also lists the article in raw.article_changes, so the article marts
    are selected and recompute it.
    """
    if not ingest_result.started_from_live:
        return None
    changed_tables = ingest_result.changed_curated_tables
    if ingest_result.curated_changed and changed_tables is None:
        return None
    articles = (
        ARTICLES_CHANGED_SELECTION
        if ingest_result.changed_article_count
        else NOTHING_CHANGED_SELECTION
    )
    return (
        *(f"source:curated.{name}+" for name in changed_tables or []),
        *articles,
    )


def build(
    paths: Paths, wait_for_lock: bool = False, full_refresh: bool = False
) -> BuildResult:
    """Ingest, run ``dbt build`` into a new file, then swap it in.

    Any failure leaves the live warehouse exactly as it was. Unless
    ``full_refresh``, articles unchanged since the live warehouse was built
    are copied from it instead of being read and extracted again, and the
    new file starts as a copy of the live one whose incremental marts dbt
    updates for the added, changed and removed articles only.
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
            ingest_result = ingest(
                paths,
                new_file,
                None if full_refresh else paths.warehouse_file,
                start_from_previous=not full_refresh,
            )
            dbt_started = time.perf_counter()
            dbt.build(
                paths,
                new_file,
                full_refresh=not ingest_result.started_from_live,
                select=dbt_selection(ingest_result),
            )
            ingest_result.phase_seconds["dbt"] = time.perf_counter() - dbt_started
            reached("dbt-finished")
            swap_in(new_file, paths.warehouse_file)
            reached("swapped")
        finally:
            clean_staging(paths)
    return BuildResult(warehouse_file=paths.warehouse_file, ingest=ingest_result)


# How a build got to its data, not the data: an incremental rebuild lists
# one added article where a build from scratch lists them all.
BUILD_RECORD_TABLES = frozenset({"raw.article_changes"})


def table_fingerprints(
    connection: duckdb.DuckDBPyConnection,
    schemas: tuple[str, ...] = ("raw", "marts"),
    ignored_columns: frozenset[str] = frozenset(),
    ignored_tables: frozenset[str] = BUILD_RECORD_TABLES,
) -> dict[str, str]:
    """A sha256 of each base table's sorted rows, keyed ``schema.table``.

    Two builds hold the same data exactly when their fingerprints match, so
    a rebuild, a crashed build or a renamed input can be compared without
    eyeballing rows. ``ignored_columns`` names ``schema.table.column``
    values to leave out, such as the time a build ran; ``ignored_tables``
    names ``schema.table`` tables to leave out.
    """
    fingerprints = {}
    tables = connection.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_type = 'BASE TABLE' and list_contains(?, table_schema) "
        "order by table_schema, table_name",
        [list(schemas)],
    ).fetchall()
    for schema, name in tables:
        if f"{schema}.{name}" in ignored_tables:
            continue
        columns = [
            column
            for column in _columns_of(connection, schema, name)
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

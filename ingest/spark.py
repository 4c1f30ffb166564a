"""Building the same warehouse on Apache Spark.

DuckDB stays the default. ``autowatch build --target spark`` validates and
reads the inputs exactly as the DuckDB build does, hands the raw tables to
Spark as Parquet files, then runs the same dbt project with dbt-spark's
``session`` method in this process: dbt-spark calls
``SparkSession.builder.getOrCreate()``, so the session configured here (its
warehouse folder, metastore, Parquet settings, quiet logs) is the one dbt
uses.

Everything Spark keeps lives under one absolute folder (``warehouse/spark``
by default): Spark's own defaults are relative to the working directory, so
a build started from another directory would silently see an empty catalog.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlglot import exp

from ingest.errors import AutowatchError
from ingest.paths import Paths

SPARK_DIRECTORY_VARIABLE = "AUTOWATCH_SPARK_DIR"
# Spark Connect: when set (sc://host:port), PySpark's builder returns a
# remote session and nothing runs in this process but the client.
SPARK_REMOTE_VARIABLE = "SPARK_REMOTE"
# A master URL other than local mode (yarn, spark://host:7077, k8s://...).
SPARK_MASTER_VARIABLE = "AUTOWATCH_SPARK_MASTER"
LOCAL_MASTER = "local[2]"
SPARK_DBT_TARGET = "spark"

MINIMUM_JAVA_VERSION = 17
JAVA_INSTALL_COMMAND = "apt-get install -y openjdk-17-jre-headless"
SPARK_INSTALL_COMMAND = "pip install -e '.[spark]'"

RAW_SCHEMA = "raw"
# The schemas dbt writes; `autowatch query` reads their Parquet tables.
MODEL_SCHEMAS = ("staging", "intermediate", "marts", "reporting")

# Spark's default log4j configuration prints WARN lines (native Hadoop
# library, Hive metastore bootstrap) that tell a user nothing actionable.
# PySpark counts as a shell, and Spark announces "Setting default log level"
# unless the level configured for its own classes equals the root's.
LOG4J_CONFIGURATION = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
logger.spark.name = org.apache.spark
logger.spark.level = error
"""


class SparkUnavailableError(AutowatchError):
    """Java or PySpark is missing, so Spark cannot start here."""


@dataclass(frozen=True)
class SparkPaths:
    """Everything Spark keeps, under one absolute folder."""

    root: Path

    @property
    def warehouse_dir(self) -> Path:
        """Spark's ``spark.sql.warehouse.dir``: one ``<schema>.db`` each."""
        return self.root / "warehouse"

    @property
    def metastore_dir(self) -> Path:
        """Derby's metastore database (one process at a time)."""
        return self.root / "metastore_db"

    @property
    def raw_dir(self) -> Path:
        """The raw tables as Parquet, one folder per table."""
        return self.root / "raw"

    @property
    def building_dir(self) -> Path:
        return self.root / ".building"

    @property
    def log4j_file(self) -> Path:
        return self.root / "log4j2.properties"

    def schema_dir(self, schema: str) -> Path:
        return self.warehouse_dir / f"{schema}.db"

    def table_dir(self, schema: str, table: str) -> Path:
        if schema == RAW_SCHEMA:
            return self.raw_dir / table
        return self.schema_dir(schema) / table


def spark_paths(paths: Paths) -> SparkPaths:
    """``$AUTOWATCH_SPARK_DIR`` if set, else ``<warehouse dir>/spark``."""
    configured = os.environ.get(SPARK_DIRECTORY_VARIABLE)
    root = Path(configured) if configured else paths.warehouse_dir / "spark"
    return SparkPaths(root=root.resolve())


def java_major_version() -> int | None:
    """The major version of the ``java`` PySpark would start, or None."""
    java_home = os.environ.get("JAVA_HOME")
    java = (
        str(Path(java_home) / "bin" / "java")
        if java_home and (Path(java_home) / "bin" / "java").exists()
        else shutil.which("java")
    )
    if java is None:
        return None
    try:
        completed = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', completed.stderr)
    if match is None:
        return None
    major = int(match.group(1))
    # Java 8 and older call themselves 1.x.
    return int(match.group(2)) if major == 1 and match.group(2) else major


def check_requirements(remote: bool = False) -> None:
    """Raise SparkUnavailableError, in one line with the fix, if Spark can't run.

    A Spark Connect client needs PySpark but no local Java.
    """
    missing_packages = [
        package
        for package, module in (
            ("pyspark", "pyspark"),
            ("dbt-spark", "dbt.adapters.spark"),
        )
        if not _importable(module)
    ]
    if missing_packages:
        raise SparkUnavailableError(
            f"--target spark needs {' and '.join(missing_packages)}, which "
            f"are not installed; install them with: {SPARK_INSTALL_COMMAND}"
        )
    if remote:
        return
    version = java_major_version()
    if version is None or version < MINIMUM_JAVA_VERSION:
        found = (
            "no java on PATH or in JAVA_HOME"
            if version is None
            else f"found Java {version}"
        )
        raise SparkUnavailableError(
            f"--target spark needs Java {MINIMUM_JAVA_VERSION} or newer "
            f"({found}); install it with: {JAVA_INSTALL_COMMAND}"
        )


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def is_remote() -> bool:
    return bool(os.environ.get(SPARK_REMOTE_VARIABLE))


def session_config(spark: SparkPaths) -> dict[str, str]:
    """Static settings for a session whose state stays under ``spark.root``."""
    java_options = " ".join(
        [
            # derby.log and Derby's own files land here, not in the cwd.
            f"-Dderby.system.home={spark.root}",
            f"-Dlog4j2.configurationFile=file:{spark.log4j_file}",
        ]
    )
    return {
        "spark.app.name": "autowatch",
        "spark.sql.warehouse.dir": str(spark.warehouse_dir),
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={spark.metastore_dir};create=true"
        ),
        "spark.driver.extraJavaOptions": java_options,
        "spark.executor.extraJavaOptions": java_options,
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        # Every model is Parquet (dbt_project.yml); these make the tables
        # Spark creates outside dbt (the raw hand-off) Parquet too, never
        # Hive text tables.
        "spark.sql.sources.default": "parquet",
        "spark.sql.legacy.createHiveTableByDefault": "false",
        # INT96 timestamps are a legacy encoding; micros with the UTC flag
        # read back in DuckDB as the same timestamp with time zone.
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
        "spark.sql.session.timeZone": "UTC",
        # The default 200 shuffle partitions turn every small join into 200
        # tasks and 200 tiny files per table.
        "spark.sql.shuffle.partitions": os.environ.get(
            "AUTOWATCH_SPARK_SHUFFLE_PARTITIONS", "4"
        ),
        "spark.driver.memory": os.environ.get("AUTOWATCH_SPARK_DRIVER_MEMORY", "2g"),
        # No _SUCCESS marker files beside the Parquet parts.
        "spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs": ("false"),
    }


def start_session(spark: SparkPaths):
    """The one SparkSession of this process, configured for ``spark``."""
    from pyspark.sql import SparkSession

    if is_remote():
        return SparkSession.builder.remote(
            os.environ[SPARK_REMOTE_VARIABLE]
        ).getOrCreate()
    spark.root.mkdir(parents=True, exist_ok=True)
    spark.log4j_file.write_text(LOG4J_CONFIGURATION, encoding="utf-8")
    # Executors' Python workers must import this package and its
    # dependencies: in local mode, the interpreter running this build.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.master(
        os.environ.get(SPARK_MASTER_VARIABLE, LOCAL_MASTER)
    ).enableHiveSupport()
    for key, value in session_config(spark).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def quoted(name: str) -> str:
    """A Spark SQL identifier, quoted by sqlglot."""
    return exp.to_identifier(name, quoted=True).sql(dialect="spark")


def export_raw_tables(database_file: Path, target_dir: Path) -> list[str]:
    """Write every table of schema ``raw`` to ``<target_dir>/<table>/``.

    This Parquet hand-off is what Spark reads as sources; its column types
    are DuckDB's, so both engines start from the same typed rows.
    """
    import duckdb

    from ingest.warehouse import table_name

    connection = duckdb.connect(str(database_file), read_only=True)
    try:
        tables = [
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables "
                "where table_schema = ? and table_type = 'BASE TABLE' "
                "order by table_name",
                [RAW_SCHEMA],
            ).fetchall()
        ]
        for name in tables:
            table_dir = target_dir / name
            table_dir.mkdir(parents=True)
            # COPY takes no bound parameter for its target; the path is
            # ours (a folder we just created), quoted as a string literal.
            target = exp.Literal.string(str(table_dir / "part-0.parquet")).sql(
                dialect="duckdb"
            )
            connection.execute(
                f"copy (select * from {table_name(RAW_SCHEMA, name)}) "
                f"to {target} (format parquet)"
            )
    finally:
        connection.close()
    return tables


def replace_directory(new_dir: Path, live_dir: Path) -> None:
    """Put ``new_dir`` where ``live_dir`` is, removing the old one."""
    retired = live_dir.with_name(live_dir.name + ".retired")
    shutil.rmtree(retired, ignore_errors=True)
    if live_dir.exists():
        os.replace(live_dir, retired)
    os.replace(new_dir, live_dir)
    shutil.rmtree(retired, ignore_errors=True)


def register_raw_tables(session, spark: SparkPaths, tables: list[str]) -> None:
    """Point Spark's ``raw`` schema at the Parquet hand-off."""
    session.sql(f"create database if not exists {quoted(RAW_SCHEMA)}")
    for name in tables:
        qualified = f"{quoted(RAW_SCHEMA)}.{quoted(name)}"
        session.sql(f"drop table if exists {qualified}")
        session.catalog.createTable(
            f"{RAW_SCHEMA}.{name}",
            path=str(spark.table_dir(RAW_SCHEMA, name)),
            source="parquet",
        )


# DuckDB column types of the extraction tables, as Spark DDL types.
SPARK_TYPES = {
    "varchar": "string",
    "bigint": "bigint",
    "double": "double",
    "date": "date",
    "boolean": "boolean",
}
# Articles per Arrow batch handed to one executor's extraction call.
EXTRACTION_BATCH_ARTICLES = 100


def _spark_schema(columns: tuple[tuple[str, str], ...]) -> str:
    return ", ".join(f"{quoted(name)} {SPARK_TYPES[kind]}" for name, kind in columns)


def _extract_partitions(curated_rows: dict[str, list[dict]], published: dict):
    """The function executors run: article batches in, extraction rows out.

    Every output row is one row of one extraction table, pickled, with the
    table's name beside it: mapInArrow has one output schema, and the four
    tables are split apart afterwards, so each article is read only once.
    """

    def extract(batches):
        import pickle

        import pyarrow

        from ingest.extraction import EXTRACTION_TABLES, extraction_rows
        from ingest.mentions import matcher_from_rows

        matcher = matcher_from_rows(curated_rows)
        for batch in batches:
            articles = [
                (article_id, text, published.get(article_id))
                for article_id, text in zip(
                    batch.column("article_id").to_pylist(),
                    batch.column("article_text").to_pylist(),
                    strict=True,
                )
            ]
            tables = extraction_rows(articles, matcher)
            names, payloads = [], []
            for name in EXTRACTION_TABLES:
                for row in tables[name]:
                    names.append(name)
                    payloads.append(pickle.dumps(row))
            yield pyarrow.RecordBatch.from_arrays(
                [
                    pyarrow.array(names, pyarrow.string()),
                    pyarrow.array(payloads, pyarrow.binary()),
                ],
                names=["table_name", "payload"],
            )

    return extract


def _unpickle_rows(columns: tuple[tuple[str, str], ...]):
    def unpickle(batches):
        import pickle

        import pyarrow

        for batch in batches:
            rows = [
                pickle.loads(payload) for payload in batch.column("payload").to_pylist()
            ]
            yield pyarrow.RecordBatch.from_pylist(
                [
                    dict(zip([name for name, _ in columns], row, strict=True))
                    for row in rows
                ],
                schema=_arrow_schema(columns),
            )

    return unpickle


def _arrow_schema(columns: tuple[tuple[str, str], ...]):
    import pyarrow

    arrow_types = {
        "varchar": pyarrow.string(),
        "bigint": pyarrow.int64(),
        "double": pyarrow.float64(),
        "date": pyarrow.date32(),
        "boolean": pyarrow.bool_(),
    }
    return pyarrow.schema([(name, arrow_types[kind]) for name, kind in columns])


def extract_on_spark(
    session, spark: SparkPaths, curated_rows: dict[str, list[dict]], target_dir: Path
) -> list[str]:
    """Run extraction in Spark's executors; write each table as Parquet.

    The same Python functions as the DuckDB build (``extraction_rows``) run
    over batches of ``raw.news_articles`` with ``mapInArrow``, so on a
    cluster every executor extracts its share of the articles.
    """
    from ingest.extraction import EXTRACTION_TABLES

    published = {
        row["article_id"]: row["published_on"]
        for row in curated_rows.get("articles", [])
    }
    articles = session.read.parquet(
        str(spark.table_dir(RAW_SCHEMA, "news_articles"))
    ).select("article_id", "article_text")
    # The hand-off is one Parquet file, which Spark would read as one task
    # on one core; one partition per batch spreads the articles over every
    # executor core the cluster has.
    partition_count = max(1, -(-articles.count() // EXTRACTION_BATCH_ARTICLES))
    articles = articles.repartition(partition_count)
    session.conf.set(
        "spark.sql.execution.arrow.maxRecordsPerBatch",
        str(EXTRACTION_BATCH_ARTICLES),
    )
    extracted_dir = spark.building_dir / "extracted_rows"
    articles.mapInArrow(
        _extract_partitions(curated_rows, published),
        "table_name string, payload binary",
    ).write.mode("overwrite").parquet(str(extracted_dir))
    extracted = session.read.parquet(str(extracted_dir))
    for name, columns in EXTRACTION_TABLES.items():
        extracted.where(extracted.table_name == name).select("payload").mapInArrow(
            _unpickle_rows(columns), _spark_schema(columns)
        ).write.mode("overwrite").parquet(str(target_dir / name))
    return list(EXTRACTION_TABLES)


@dataclass
class SparkBuildResult:
    spark_dir: Path
    ingest: object
    tables: list[str]


@contextmanager
def spark_lock(spark: SparkPaths, paths: Paths, wait: bool) -> Iterator[None]:
    """The build lock, held on the Spark folder: Derby admits one process."""
    from ingest.warehouse import build_lock

    with build_lock(dataclasses.replace(paths, warehouse_dir=spark.root), wait):
        yield


def build(paths: Paths, wait_for_lock: bool = False) -> SparkBuildResult:
    """Ingest, hand the raw tables to Spark as Parquet, run ``dbt build``.

    Inputs are validated before Spark starts or anything under the Spark
    folder changes, so bad input leaves the previous Spark warehouse as it
    was.
    """
    from ingest import dbt
    from ingest.curated import read_curated
    from ingest.warehouse import ingest

    remote = is_remote()
    check_requirements(remote=remote)
    spark = spark_paths(paths)
    spark.root.mkdir(parents=True, exist_ok=True)
    with spark_lock(spark, paths, wait_for_lock):
        shutil.rmtree(spark.building_dir, ignore_errors=True)
        spark.building_dir.mkdir(parents=True)
        try:
            handoff_file = spark.building_dir / "handoff.duckdb"
            ingest_result = ingest(paths, handoff_file, extract=False)
            new_raw_dir = spark.building_dir / "raw"
            tables = export_raw_tables(handoff_file, new_raw_dir)
            replace_directory(new_raw_dir, spark.raw_dir)
            session = start_session(spark)
            extraction_started = time.perf_counter()
            new_extraction_dir = spark.building_dir / "extracted"
            curated_rows = {
                table.table.name: table.rows for table in read_curated(paths.seeds_dir)
            }
            extracted = extract_on_spark(
                session, spark, curated_rows, new_extraction_dir
            )
            for name in extracted:
                replace_directory(new_extraction_dir / name, spark.raw_dir / name)
            tables = sorted({*tables, *extracted})
            ingest_result.phase_seconds["extraction"] = (
                time.perf_counter() - extraction_started
            )
            register_raw_tables(session, spark, tables)
            dbt_started = time.perf_counter()
            dbt.build_on_spark(paths, session)
            ingest_result.phase_seconds["dbt"] = time.perf_counter() - dbt_started
        finally:
            shutil.rmtree(spark.building_dir, ignore_errors=True)
    return SparkBuildResult(spark_dir=spark.root, ingest=ingest_result, tables=tables)


def parquet_tables(spark: SparkPaths) -> dict[tuple[str, str], Path]:
    """``(schema, table) -> folder`` of every Parquet table Spark wrote."""
    tables = {}
    for schema in (RAW_SCHEMA, *MODEL_SCHEMAS):
        parent = spark.raw_dir if schema == RAW_SCHEMA else spark.schema_dir(schema)
        if not parent.is_dir():
            continue
        for table_dir in sorted(parent.iterdir()):
            if table_dir.is_dir() and any(table_dir.rglob("*.parquet")):
                tables[(schema, table_dir.name)] = table_dir
    return tables


def _string_literal(text: str) -> str:
    """A DuckDB string literal: DDL such as CREATE VIEW binds no parameters."""
    return exp.Literal.string(text).sql(dialect="duckdb")


def _parquet_scan(table_dir: Path) -> str:
    return f"read_parquet({_string_literal(str(table_dir / '**' / '*.parquet'))})"


def connect_parquet_tables(spark: SparkPaths, connection=None):
    """A DuckDB connection with one view per Parquet table Spark wrote.

    Needs neither Java nor PySpark: the tables are plain Parquet folders,
    so ``autowatch query`` and the notebook read a Spark-built warehouse
    through DuckDB. Spark's views (staging, intermediate, reporting) live
    only in its metastore and are not available this way.
    """
    import duckdb

    from ingest.warehouse import identifier, table_name

    if connection is None:
        connection = duckdb.connect()
    for (schema, table), table_dir in parquet_tables(spark).items():
        connection.execute(f"create schema if not exists {identifier(schema)}")
        connection.execute(
            f"create or replace view {table_name(schema, table)} as "
            f"select * from {_parquet_scan(table_dir)}"
        )
    return connection


def load_handoff(raw_dir: Path, database_file: Path) -> None:
    """A DuckDB file whose schema ``raw`` is the Parquet hand-off.

    Building DuckDB from the very files Spark read makes the two builds
    comparable down to the ingest timestamps.
    """
    from ingest.warehouse import connect_new, identifier, table_name

    connection = connect_new(database_file)
    try:
        connection.execute(f"create schema {identifier(RAW_SCHEMA)}")
        for table_dir in sorted(path for path in raw_dir.iterdir() if path.is_dir()):
            connection.execute(
                f"create table {table_name(RAW_SCHEMA, table_dir.name)} as "
                f"select * from {_parquet_scan(table_dir)}"
            )
    finally:
        connection.close()


@dataclass(frozen=True)
class TableDifference:
    """How one table differs between the DuckDB and the Spark build."""

    table: str
    problem: str

    def __str__(self) -> str:
        return f"{self.table}: {self.problem}"


def compare_with_duckdb(
    database_file: Path, spark: SparkPaths, schema: str = "marts"
) -> tuple[list[str], list[TableDifference]]:
    """Compare every table of ``schema`` in a DuckDB file with Spark's.

    Returns the tables compared and their differences: a table missing on
    one side, column names or types that differ, and rows one side has that
    the other lacks (EXCEPT ALL both ways, so duplicates count).
    """
    import duckdb

    from ingest.warehouse import identifier

    connection = duckdb.connect()
    try:
        connection.execute(
            f"attach {_string_literal(str(database_file))} as duckdb_build (read_only)"
        )
        duckdb_tables = [
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = 'duckdb_build' and table_schema = ? "
                "and table_type = 'BASE TABLE' order by table_name",
                [schema],
            ).fetchall()
        ]
        spark_tables = {
            table: table_dir
            for (table_schema, table), table_dir in parquet_tables(spark).items()
            if table_schema == schema
        }
        differences = [
            TableDifference(f"{schema}.{table}", "only in the Spark build")
            for table in sorted(set(spark_tables) - set(duckdb_tables))
        ]
        for table in duckdb_tables:
            qualified = f"{schema}.{table}"
            if table not in spark_tables:
                differences.append(
                    TableDifference(qualified, "missing from the Spark build")
                )
                continue
            duckdb_relation = f"duckdb_build.{identifier(schema)}.{identifier(table)}"
            spark_relation = _parquet_scan(spark_tables[table])
            duckdb_columns = connection.execute(
                f"select column_name, column_type from "
                f"(describe select * from {duckdb_relation})"
            ).fetchall()
            spark_columns = connection.execute(
                f"select column_name, column_type from "
                f"(describe select * from {spark_relation})"
            ).fetchall()
            if duckdb_columns != spark_columns:
                differences.append(
                    TableDifference(
                        qualified,
                        f"columns differ: DuckDB {duckdb_columns}, "
                        f"Spark {spark_columns}",
                    )
                )
                continue
            for first, second, side in (
                (duckdb_relation, spark_relation, "only in DuckDB"),
                (spark_relation, duckdb_relation, "only in Spark"),
            ):
                rows = connection.execute(
                    f"select * from {first} except all select * from {second} limit 3"
                ).fetchall()
                count = connection.execute(
                    f"select count(*) from (select * from {first} "
                    f"except all select * from {second})"
                ).fetchone()[0]
                if count:
                    differences.append(
                        TableDifference(
                            qualified, f"{count} row(s) {side}, e.g. {rows}"
                        )
                    )
    finally:
        connection.close()
    return duckdb_tables, differences


class MissingSparkWarehouseError(AutowatchError):
    """No Spark build has written Parquet tables here yet."""


def run_query_on_parquet(spark: SparkPaths, sql: str):
    """One read-only statement over a Spark build's Parquet tables."""
    import duckdb

    from ingest.query import (
        COMMAND_LINE_SOURCE,
        QueryError,
        QueryResult,
        check_read_only,
    )

    check_read_only(sql)
    if not parquet_tables(spark):
        raise MissingSparkWarehouseError(
            f"{spark.root}: no Spark-built tables yet; run "
            "`autowatch build --target spark`"
        )
    connection = connect_parquet_tables(spark)
    try:
        cursor = connection.execute(sql)
        column_names = [column[0] for column in cursor.description or []]
        return QueryResult(column_names, cursor.fetchall())
    except duckdb.Error as error:
        raise QueryError(f"{COMMAND_LINE_SOURCE}: {error}") from error
    finally:
        connection.close()

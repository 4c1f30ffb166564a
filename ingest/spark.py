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
import graphlib
import importlib.util
import json
import os
import pickle
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlglot
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
# Read by profiles.yml too, for the Thrift connections dbt opens.
SHUFFLE_PARTITIONS_VARIABLE = "AUTOWATCH_SPARK_SHUFFLE_PARTITIONS"
# A Spark Thrift Server (HiveServer2 protocol: Spark's own, EMR, Kyuubi):
# when the host is set, the build speaks SQL only, through PyHive, and dbt
# runs profiles.yml's spark_thrift output, which reads the same variables.
THRIFT_HOST_VARIABLE = "AUTOWATCH_SPARK_THRIFT_HOST"
THRIFT_PORT_VARIABLE = "AUTOWATCH_SPARK_THRIFT_PORT"
THRIFT_USER_VARIABLE = "AUTOWATCH_SPARK_THRIFT_USER"
THRIFT_DEFAULT_PORT = 10000
THRIFT_DEFAULT_USER = "autowatch"
SPARK_THRIFT_DBT_TARGET = "spark_thrift"
# On a shared catalog (Connect, Thrift): a prefix for every schema a build
# writes and publishes (dev_ gives dev_marts, dev_marts_build_...), so
# that two autowatch warehouses, say dev and prod, share one catalog.
SCHEMA_PREFIX_VARIABLE = "AUTOWATCH_SPARK_SCHEMA_PREFIX"

# How a build reaches Spark.
LOCAL = "local"
CONNECT = "connect"
THRIFT = "thrift"

MINIMUM_JAVA_VERSION = 17
JAVA_INSTALL_COMMAND = "apt-get install -y openjdk-17-jre-headless"
SPARK_INSTALL_COMMAND = "pip install -e '.[spark]'"

RAW_SCHEMA = "raw"
# The schemas dbt writes; `autowatch query` reads their Parquet tables.
MODEL_SCHEMAS = ("staging", "intermediate", "marts", "reporting")
# A schema prefix: lower case, as a Hive metastore stores every name.
SCHEMA_PREFIX_PATTERN = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class CatalogNames:
    """What a build's schemas are called in the catalog it writes to.

    A local build's catalog (its own Derby metastore) is its alone: plain
    names. On a shared catalog a build writes ``<prefix><schema><suffix>``
    (the suffix is ``_<build id>``) and, once it passed, publishes
    ``<prefix><schema>`` as views; it drops only build schemas of its own
    prefix. The Parquet folders are named by plain schema in every case.
    """

    prefix: str = ""
    suffix: str = ""

    def build_schema(self, schema: str) -> str:
        return f"{self.prefix}{schema}{self.suffix}"

    def published_schema(self, schema: str) -> str:
        return f"{self.prefix}{schema}"


def schema_prefix() -> str:
    """``AUTOWATCH_SPARK_SCHEMA_PREFIX``, or an error if a metastore would
    not keep it as given (it stores names in lower case)."""
    prefix = os.environ.get(SCHEMA_PREFIX_VARIABLE, "")
    if prefix and not SCHEMA_PREFIX_PATTERN.fullmatch(prefix):
        raise AutowatchError(
            f"{SCHEMA_PREFIX_VARIABLE}={prefix!r}: a schema prefix is lower-case "
            "letters, digits and underscores, starting with a letter (e.g. dev_)"
        )
    return prefix


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
class SparkBuildPaths:
    """The state of one Spark build, in a folder of its own.

    Each build gets a new folder (warehouse, Derby metastore, raw hand-off),
    so a build that fails or is killed half-way never touches the folder
    readers use; the live one is switched only once ``dbt build`` passed.
    The folder never moves afterwards: the metastore records the tables'
    absolute locations.
    """

    root: Path

    @property
    def build_id(self) -> str:
        return self.root.name

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
    def scratch_dir(self) -> Path:
        """Intermediate files of the build, removed before it goes live."""
        return self.root / "scratch"

    @property
    def log4j_file(self) -> Path:
        return self.root / "log4j2.properties"

    @property
    def tables_manifest(self) -> Path:
        """Every table dbt made: schema, columns, partition columns.

        Written once ``dbt build`` passed; the next build registers copies
        of these tables from it in its own catalog: its own Derby
        metastore locally (one process can open only its own), its own
        suffixed schemas on a cluster.
        """
        return self.root / "tables.json"

    @property
    def reporting_views_file(self) -> Path:
        """The reporting views as DuckDB SQL over ``marts``.

        Spark's views live only in its metastore; a reader without Java
        (``connect_parquet_tables``) creates them from this file.
        """
        return self.root / "reporting_views.json"

    def schema_dir(self, schema: str) -> Path:
        return self.warehouse_dir / f"{schema}.db"

    def table_dir(self, schema: str, table: str) -> Path:
        if schema == RAW_SCHEMA:
            return self.raw_dir / table
        return self.schema_dir(schema) / table


# What the Spark folder held before builds got folders of their own; a
# successful build removes them.
LEGACY_ENTRIES = (
    "warehouse",
    "metastore_db",
    "raw",
    ".building",
    "derby.log",
    "log4j2.properties",
)
BUILD_PREFIX = "build_"


@dataclass(frozen=True)
class SparkPaths:
    """The one absolute Spark folder: the lock, the builds, the live pointer.

    ``current`` is a symbolic link to the live build's folder under
    ``builds/``. A build replaces it with ``os.replace`` of a new link,
    which is atomic: a reader resolves it once and sees either the old
    build or the new one, never a mix.
    """

    root: Path

    @property
    def builds_dir(self) -> Path:
        return self.root / "builds"

    @property
    def current_link(self) -> Path:
        return self.root / "current"

    def build_paths(self, build_id: str) -> SparkBuildPaths:
        return SparkBuildPaths(self.builds_dir / build_id)

    def live_build(self) -> SparkBuildPaths | None:
        """The build ``current`` points at, resolved once; None before any."""
        try:
            target = os.readlink(self.current_link)
        except (FileNotFoundError, OSError):
            return None
        build = SparkBuildPaths((self.root / target).resolve())
        return build if build.root.is_dir() else None

    def start_build(self) -> SparkBuildPaths:
        """A new, empty, uniquely named build folder.

        The name is a valid lower-case SQL identifier too: on a shared
        catalog it suffixes the build's schemas.
        """
        self.builds_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        root = Path(
            tempfile.mkdtemp(prefix=f"{BUILD_PREFIX}{stamp}_", dir=self.builds_dir)
        )
        return SparkBuildPaths(root)


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


def check_requirements(kind: str = LOCAL) -> None:
    """Raise SparkUnavailableError, in one line with the fix, if Spark can't run.

    A Spark Connect client needs PySpark but no local Java; a Thrift client
    needs neither, only PyHive.
    """
    required = [("dbt-spark", "dbt.adapters.spark")]
    if kind == THRIFT:
        required.append(("PyHive", "pyhive"))
    else:
        required.insert(0, ("pyspark", "pyspark"))
    if kind == CONNECT:
        # Spark Connect's client speaks gRPC (pyspark's connect extra).
        required.append(("grpcio", "grpc"))
    missing_packages = [
        package for package, module in required if not _importable(module)
    ]
    if missing_packages:
        raise SparkUnavailableError(
            f"--target spark needs {' and '.join(missing_packages)}, which "
            f"are not installed; install them with: {SPARK_INSTALL_COMMAND}"
        )
    if kind != LOCAL:
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


def connection_kind() -> str:
    """LOCAL, CONNECT (``SPARK_REMOTE`` set) or THRIFT (the Thrift host set)."""
    connect = bool(os.environ.get(SPARK_REMOTE_VARIABLE))
    thrift = bool(os.environ.get(THRIFT_HOST_VARIABLE))
    if connect and thrift:
        raise AutowatchError(
            f"both {SPARK_REMOTE_VARIABLE} (Spark Connect) and "
            f"{THRIFT_HOST_VARIABLE} (a Thrift server) are set; unset one"
        )
    if connect:
        return CONNECT
    return THRIFT if thrift else LOCAL


def is_remote() -> bool:
    return connection_kind() == CONNECT


class SparkSql:
    """SQL statements through a SparkSession (local or Spark Connect)."""

    def __init__(self, session):
        self.session = session

    def execute(self, statement: str) -> list[tuple]:
        return [tuple(row) for row in self.session.sql(statement).collect()]

    def first_rows(self, statement: str, count: int) -> tuple[list[str], list[tuple]]:
        frame = self.session.sql(statement).limit(count)
        return frame.columns, [tuple(row) for row in frame.collect()]

    def close(self) -> None:
        """The session is the process's own; dbt-spark's session uses it too."""


# A HiveServer2 session applies a setting given when it opens only under
# this prefix; a plain key is silently ignored.
THRIFT_SETTING_PREFIX = "set:hiveconf:"


def thrift_session_settings() -> dict[str, str]:
    """runtime_settings as a Thrift session's configuration.

    dbt-spark's session method turns ANSI mode off on its session; its
    Thrift method asks for the same without the prefix, so this (and
    profiles.yml's spark_thrift output) asks again with it.
    """
    return {
        THRIFT_SETTING_PREFIX + key: value
        for key, value in {
            **runtime_settings(),
            "spark.sql.ansi.enabled": "false",
        }.items()
    }


class ThriftSql:
    """SQL statements through a Spark Thrift Server (PyHive).

    The HiveServer2 protocol carries SQL only: the raw registration, the
    extraction (``extract_through_sql``), dbt's models and tests and the
    catalog switch all run on the cluster as SQL statements.
    """

    def __init__(self, host: str, port: int, user: str):
        from pyhive import hive

        self.address = f"{host}:{port}"
        try:
            self.connection = hive.connect(
                host=host,
                port=port,
                username=user,
                configuration=thrift_session_settings(),
            )
        except Exception as error:  # noqa: BLE001 - thrift and socket errors
            raise AutowatchError(
                f"cannot reach the Spark Thrift server at {self.address} "
                f"({THRIFT_HOST_VARIABLE}/{THRIFT_PORT_VARIABLE}): "
                f"{str(error).strip() or type(error).__name__}"
            ) from error

    @classmethod
    def from_environment(cls) -> ThriftSql:
        port_text = os.environ.get(THRIFT_PORT_VARIABLE) or str(THRIFT_DEFAULT_PORT)
        if not port_text.isdigit():
            raise AutowatchError(
                f"{THRIFT_PORT_VARIABLE}={port_text!r}: expected a port number"
            )
        return cls(
            os.environ[THRIFT_HOST_VARIABLE],
            int(port_text),
            os.environ.get(THRIFT_USER_VARIABLE) or THRIFT_DEFAULT_USER,
        )

    def execute(self, statement: str) -> list[tuple]:
        cursor = self.connection.cursor()
        try:
            cursor.execute(statement)
            return cursor.fetchall() if cursor.description else []
        finally:
            cursor.close()

    def first_rows(self, statement: str, count: int) -> tuple[list[str], list[tuple]]:
        cursor = self.connection.cursor()
        try:
            cursor.execute(statement)
            return [column[0] for column in cursor.description], cursor.fetchmany(count)
        finally:
            cursor.close()

    def close(self) -> None:
        self.connection.close()


def session_config(build: SparkBuildPaths) -> dict[str, str]:
    """Static settings for a session whose state stays under ``build.root``."""
    java_options = " ".join(
        [
            # derby.log and Derby's own files land here, not in the cwd.
            f"-Dderby.system.home={build.root}",
            f"-Dlog4j2.configurationFile=file:{build.log4j_file}",
            # A build is a batch job: the throughput collector spends less
            # CPU than the default G1 (full sample build about 10 % faster
            # on 2 cores, bench/RESULTS.md); results do not depend on it.
            "-XX:+UseParallelGC",
        ]
    )
    return {
        "spark.app.name": "autowatch",
        "spark.sql.warehouse.dir": str(build.warehouse_dir),
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={build.metastore_dir};create=true"
        ),
        "spark.driver.extraJavaOptions": java_options,
        "spark.executor.extraJavaOptions": java_options,
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.memory": os.environ.get("AUTOWATCH_SPARK_DRIVER_MEMORY", "2g"),
        # No _SUCCESS marker files beside the Parquet parts.
        "spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs": ("false"),
        **runtime_settings(),
    }


def runtime_settings() -> dict[str, str]:
    """SQL settings a client may set on its own session, on any server.

    The marts' types and timestamps depend on them, so a Spark Connect
    session and every Thrift connection (ours and dbt's, through
    profiles.yml's ``server_side_parameters``) set them too; the other
    settings of ``session_config`` are fixed when a server starts.
    """
    return {
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
            SHUFFLE_PARTITIONS_VARIABLE, "4"
        ),
    }


def start_session(build: SparkBuildPaths):
    """The one SparkSession of this process, configured for ``build``.

    A local session's warehouse folder and metastore are static settings,
    fixed when the JVM starts: one process builds one Spark warehouse.
    """
    from pyspark.sql import SparkSession

    if is_remote():
        session = SparkSession.builder.remote(
            os.environ[SPARK_REMOTE_VARIABLE]
        ).getOrCreate()
        # The server's static settings are its own; these are per session.
        for key, value in runtime_settings().items():
            session.conf.set(key, value)
        return session
    build.root.mkdir(parents=True, exist_ok=True)
    build.log4j_file.write_text(LOG4J_CONFIGURATION, encoding="utf-8")
    # Executors' Python workers must import this package and its
    # dependencies: in local mode, the interpreter running this build.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    # PySpark marks its process environment when it creates a Connect
    # session, and child processes inherit the mark: left there, it turns
    # this local session into a Connect one with no server to connect to.
    os.environ.pop("SPARK_CONNECT_MODE_ENABLED", None)
    builder = SparkSession.builder.master(
        os.environ.get(SPARK_MASTER_VARIABLE, LOCAL_MASTER)
    ).enableHiveSupport()
    for key, value in session_config(build).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def quoted(name: str) -> str:
    """A Spark SQL identifier, quoted by sqlglot."""
    return exp.to_identifier(name, quoted=True).sql(dialect="spark")


def export_raw_tables(
    database_file: Path, target_dir: Path
) -> dict[str, list[tuple[str, str]]]:
    """Write every table of schema ``raw`` to ``<target_dir>/<table>/``.

    This Parquet hand-off is what Spark reads as sources; its column types
    are DuckDB's, so both engines start from the same typed rows. Returns
    each table's columns, ``(name, DuckDB type)`` in order.
    """
    import duckdb

    from ingest.warehouse import table_name

    connection = duckdb.connect(str(database_file), read_only=True)
    try:
        tables: dict[str, list[tuple[str, str]]] = {}
        for name, column, data_type in connection.execute(
            "select columns.table_name, columns.column_name, columns.data_type "
            "from information_schema.columns as columns "
            "join information_schema.tables as tables "
            "on columns.table_schema = tables.table_schema "
            "and columns.table_name = tables.table_name "
            "where columns.table_schema = ? and tables.table_type = 'BASE TABLE' "
            "order by columns.table_name, columns.ordinal_position",
            [RAW_SCHEMA],
        ).fetchall():
            tables.setdefault(name, []).append((column, data_type))
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


# The Spark type each DuckDB type of the hand-off (and of the extraction
# tables) reads back as from its Parquet files. A raw table with a column
# of any other type is registered without a column list, and Spark infers
# the columns from the files.
SPARK_TYPES = {
    "VARCHAR": "string",
    "BIGINT": "bigint",
    "INTEGER": "int",
    "DOUBLE": "double",
    "DATE": "date",
    "BOOLEAN": "boolean",
    # Written as UTC-adjusted microseconds, which Spark reads as TIMESTAMP.
    "TIMESTAMP WITH TIME ZONE": "timestamp",
}


def register_raw_tables(
    sql,
    build: SparkBuildPaths,
    tables: dict[str, list[tuple[str, str]]],
    names: CatalogNames = CatalogNames(),
) -> None:
    """Point Spark's ``raw`` schema (its build name in ``names``) at the
    Parquet hand-off.

    ``sql`` is a SparkSql or ThriftSql: plain SQL, so the same statements
    register the tables in a local metastore and in a cluster's catalog.
    The schema is new (a local build's metastore is its own; a cluster
    build's schema name carries its build id), so nothing is dropped
    first. The columns are declared: inferring them from the files costs
    Spark a footer read per table, about half the registration's time.
    """
    schema = quoted(names.build_schema(RAW_SCHEMA))
    sql.execute(f"create database {schema}")
    for name, columns in tables.items():
        location = _spark_literal(str(build.table_dir(RAW_SCHEMA, name)))
        declared = [(column, SPARK_TYPES.get(kind)) for column, kind in columns]
        column_list = (
            f" ({_column_definitions(declared)})"
            if all(spark_type for _, spark_type in declared)
            else ""
        )
        sql.execute(
            f"create table {schema}.{quoted(name)}{column_list} "
            f"using parquet location {location}"
        )


def link_previous_raw(live: SparkBuildPaths, database_file: Path) -> Path:
    """A DuckDB file whose schema ``raw`` is views over the live hand-off.

    The ingester compares a new build with the live one through a DuckDB
    file: the live build's raw Parquet tables are exactly what its marts
    were built from, so against them ``raw.article_changes`` lists only
    the articles added, changed or removed since, and unchanged articles'
    rows and extractions are copied instead of read and extracted again.
    """
    from ingest.warehouse import connect_new, identifier, table_name

    connection = connect_new(database_file)
    try:
        connection.execute(f"create schema {identifier(RAW_SCHEMA)}")
        for table_dir in sorted(
            # A view over a folder without files fails when created.
            path
            for path in live.raw_dir.iterdir()
            if path.is_dir() and any(path.glob("*.parquet"))
        ):
            connection.execute(
                f"create view {table_name(RAW_SCHEMA, table_dir.name)} as "
                f"select * from {_parquet_scan(table_dir)}"
            )
    finally:
        connection.close()
    return database_file


def add_extracted_rows(new_dir: Path, table_dir: Path) -> None:
    """Move the Parquet files Spark wrote into a raw table's folder.

    The folder already holds the rows the ingester copied for unchanged
    articles; Spark's files (distinct ``part-<n>-<uuid>`` names) add the
    rows of the articles it extracted.
    """
    for path in sorted(new_dir.iterdir()):
        # Not a _SUCCESS marker (a Thrift server may write them).
        if path.is_file() and not path.name.startswith("_"):
            os.replace(path, table_dir / path.name)
    shutil.rmtree(new_dir)


def _table_columns(sql, schema: str, table: str) -> tuple[list[list[str]], list[str]]:
    """A table's columns ``[name, Spark type]`` and its partition columns.

    DESCRIBE lists every column, then, under "# Partition Information",
    the partition columns again.
    """
    columns: list[list[str]] = []
    partition_columns: list[str] = []
    in_partitions = False
    qualified = f"{quoted(schema)}.{quoted(table)}"
    for name, data_type, *_ in sql.execute(f"describe table {qualified}"):
        if name.startswith("#"):
            in_partitions = in_partitions or name == "# Partition Information"
            continue
        if not name:
            continue
        if in_partitions:
            partition_columns.append(name)
        else:
            columns.append([name, data_type])
    return columns, partition_columns


def record_tables(
    sql, build: SparkBuildPaths, names: CatalogNames = CatalogNames()
) -> None:
    """Write ``build.tables_manifest``: every table dbt made in this build.

    Views are left out: they live only in the catalog and dbt recreates
    the ones a rebuild needs. ``sql`` is any of the SQL runners, so a
    build on a cluster records its tables (in its own schemas) too.
    """
    tables = []
    databases = _databases(sql)
    for schema in MODEL_SCHEMAS:
        build_schema = names.build_schema(schema)
        if build_schema not in databases:
            continue
        table_names, views = _tables_and_views(sql, build_schema)
        for table in table_names:
            if table in views or not build.table_dir(schema, table).is_dir():
                continue
            columns, partition_columns = _table_columns(sql, build_schema, table)
            tables.append(
                {
                    "schema": schema,
                    "table": table,
                    "columns": columns,
                    "partition_columns": partition_columns,
                }
            )
    build.tables_manifest.write_text(
        json.dumps(tables, indent=2, sort_keys=True), encoding="utf-8"
    )


REPORTING_SCHEMA = "reporting"


def record_reporting_views(
    manifest: dict | None, build: SparkBuildPaths, names: CatalogNames = CatalogNames()
) -> None:
    """Write ``build.reporting_views_file``: each reporting view's SQL, as
    dbt compiled it for Spark, in DuckDB's dialect over plain schema names.

    The views read only marts, whose Parquet tables a DuckDB reader has;
    the cross-engine test compares them with the DuckDB build's views.
    """
    # A rebuild's manifest keeps the SQL dbt compiled in an earlier build
    # for the nodes it did not run, with that build's suffix.
    build_schema = _schema_pattern(
        names.prefix, rf"(?:_{BUILD_PREFIX}\w+)?", MODEL_SCHEMAS
    )
    views = {}
    for node in (manifest or {}).get("nodes", {}).values():
        if node["resource_type"] != "model" or node["fqn"][1] != REPORTING_SCHEMA:
            continue
        if not node.get("compiled_code"):
            raise AutowatchError(
                f"dbt left no compiled SQL for {node['name']}; run a full "
                "Spark build (autowatch build --target spark --full-refresh)"
            )
        query = sqlglot.parse_one(node["compiled_code"], read="spark")
        for table in query.find_all(exp.Table):
            schema = build_schema.fullmatch(table.db)
            if schema:
                table.set("db", exp.to_identifier(schema[1]))
        views[node["name"]] = query.sql(dialect="duckdb")
    build.reporting_views_file.write_text(
        json.dumps(views, indent=2, sort_keys=True), encoding="utf-8"
    )


def recorded_tables(build: SparkBuildPaths) -> list[dict] | None:
    """The tables ``record_tables`` wrote, or None where a build has none.

    A build recorded before the manifest carried column types (its
    entries have no ``columns``) counts as none: the next build is a
    full one.
    """
    if not build.tables_manifest.is_file():
        return None
    entries = json.loads(build.tables_manifest.read_text(encoding="utf-8"))
    if not all("columns" in entry for entry in entries):
        return None
    return entries


def _link_tree(source_dir: Path, target_dir: Path) -> None:
    """Hard-link every file of ``source_dir`` into ``target_dir``.

    Safe for Parquet tables: Spark never writes into an existing file. An
    overwrite (a whole table, or one partition of insert_overwrite) writes
    new files and deletes the old names, which only unlinks this build's
    names; the live build's files keep their content. Where a hard link is
    impossible (another file system), the file is copied.
    """
    for directory, _, file_names in os.walk(source_dir):
        relative = Path(directory).relative_to(source_dir)
        (target_dir / relative).mkdir(parents=True, exist_ok=True)
        for file_name in file_names:
            source = Path(directory) / file_name
            target = target_dir / relative / file_name
            try:
                os.link(source, target)
            except OSError:
                shutil.copy2(source, target)


def _spark_type(type_text: str) -> str:
    """A Spark type from DESCRIBE, rebuilt by sqlglot for DDL."""
    return exp.DataType.build(type_text, dialect="spark").sql(dialect="spark")


def _column_definitions(columns: Iterable[tuple[str, str]]) -> str:
    """Spark column definitions, `` `name` TYPE, ...``, from (name, Spark type).

    The same text serves a CREATE TABLE column list and a DDL schema string
    (mapInArrow's output, from_json's schema).
    """
    return ", ".join(
        f"{quoted(name)} {_spark_type(spark_type)}" for name, spark_type in columns
    )


def start_from_live_tables(
    sql,
    tables: list[dict],
    live: SparkBuildPaths,
    build: SparkBuildPaths,
    names: CatalogNames = CatalogNames(),
) -> list[str]:
    """Give this build the live build's tables, as tables of its own.

    Each of the live build's ``tables`` (``recorded_tables``) is created
    empty in this build's catalog (same columns, same partition columns,
    a managed table in a schema located in this build's warehouse
    folder), its files are hard-linked there, and a partitioned table's
    partitions are recovered from its folders. dbt then finds every
    relation: an incremental mart takes the ``insert_overwrite`` path and
    rewrites only the partitions of affected articles; the live build's
    folder is never written. Plain SQL, so a local metastore and a
    cluster's catalog (the build's own schemas) are started alike.
    Returns the tables, ``schema.table``.
    """
    started = []
    databases = _databases(sql)
    for entry in tables:
        schema, table = entry["schema"], entry["table"]
        source_dir = live.table_dir(schema, table)
        if not source_dir.is_dir():
            continue
        build_schema = names.build_schema(schema)
        if build_schema not in databases:
            # Located in this build's folder: the tables created below are
            # managed, so a model dbt replaces is dropped with its files
            # (this build's links), and dbt's location for it is free.
            location = _spark_literal(str(build.schema_dir(schema)))
            sql.execute(f"create database {quoted(build_schema)} location {location}")
            databases.add(build_schema)
        qualified = f"{quoted(build_schema)}.{quoted(table)}"
        columns = _column_definitions(entry["columns"])
        partitioning = (
            " partitioned by ("
            + ", ".join(quoted(name) for name in entry["partition_columns"])
            + ")"
            if entry["partition_columns"]
            else ""
        )
        sql.execute(f"create table {qualified} ({columns}) using parquet{partitioning}")
        # Whatever the create left (an empty folder) goes: the folder holds
        # exactly the live build's files.
        target_dir = build.table_dir(schema, table)
        shutil.rmtree(target_dir, ignore_errors=True)
        _link_tree(source_dir, target_dir)
        if entry["partition_columns"]:
            sql.execute(f"alter table {qualified} recover partitions")
        else:
            sql.execute(f"refresh table {qualified}")
        started.append(f"{schema}.{table}")
    return started


# Articles per Arrow batch handed to one executor's extraction call.
EXTRACTION_BATCH_ARTICLES = 100


def _spark_schema(columns: tuple[tuple[str, str], ...]) -> str:
    return _column_definitions(
        (name, SPARK_TYPES[kind.upper()]) for name, kind in columns
    )


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


def _published_dates(curated_rows: dict[str, list[dict]]) -> dict:
    """article_id -> published_on, which period extraction resolves against."""
    return {
        row["article_id"]: row["published_on"]
        for row in curated_rows.get("articles", [])
    }


def extract_on_spark(
    session,
    build: SparkBuildPaths,
    curated_rows: dict[str, list[dict]],
    target_dir: Path,
    article_ids: list[str] | None = None,
) -> list[str]:
    """Run extraction in Spark's executors; write each table as Parquet.

    The same Python functions as the DuckDB build (``extraction_rows``) run
    over batches of ``raw.news_articles`` with ``mapInArrow``, so on a
    cluster every executor extracts its share of the articles. With
    ``article_ids``, only those articles are extracted.
    """
    from ingest.extraction import EXTRACTION_TABLES

    published = _published_dates(curated_rows)
    articles = session.read.parquet(
        str(build.table_dir(RAW_SCHEMA, "news_articles"))
    ).select("article_id", "article_text")
    if article_ids is not None:
        # A join, not isin(): a list of thousands of ids inlined in the
        # plan costs more than a small broadcast table.
        wanted = session.createDataFrame(
            [(article_id,) for article_id in article_ids], "article_id string"
        )
        articles = articles.join(wanted, "article_id")
    article_count = len(article_ids) if article_ids is not None else articles.count()
    # The hand-off is one Parquet file, which Spark would read as one task
    # on one core; one partition per batch spreads the articles over every
    # executor core the cluster has.
    partition_count = max(1, -(-article_count // EXTRACTION_BATCH_ARTICLES))
    articles = articles.repartition(partition_count)
    session.conf.set(
        "spark.sql.execution.arrow.maxRecordsPerBatch",
        str(EXTRACTION_BATCH_ARTICLES),
    )
    extracted_dir = build.scratch_dir / "extracted_rows"
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


def _spark_literal(text: str) -> str:
    return exp.Literal.string(text).sql(dialect="spark")


def _parquet_path(path: Path) -> str:
    """A Parquet folder as a Spark SQL relation: parquet.`<path>`."""
    return f"parquet.{quoted(str(path))}"


def extract_through_sql(
    sql,
    build: SparkBuildPaths,
    curated_rows: dict[str, list[dict]],
    target_dir: Path,
    article_ids: list[str],
) -> list[str]:
    """Run extraction on the cluster's executors in SQL alone (Thrift).

    ``SELECT TRANSFORM`` streams the articles through
    ``python -m ingest.extraction_stream`` beside every task (the
    executors' ``$PYSPARK_PYTHON``, else ``python3``, must have this
    package, as for Spark Connect), then each table's rows are read back
    with ``from_json`` in its types and written as Parquet to
    ``target_dir/<table>``, as ``extract_on_spark`` writes them.
    """
    import duckdb

    from ingest.extraction import EXTRACTION_TABLES

    context_file = build.scratch_dir / "extraction_context.pickle"
    context_file.write_bytes(
        pickle.dumps(
            {
                "curated_rows": curated_rows,
                "published": _published_dates(curated_rows),
            }
        )
    )
    # The articles to extract, as a Parquet file to join with: a list of
    # thousands of ids inlined in the SQL would cost more.
    wanted_dir = build.scratch_dir / "articles_to_extract"
    wanted_dir.mkdir()
    with duckdb.connect() as connection:
        connection.execute(
            "create table wanted as select unnest(?::varchar[]) as article_id",
            [article_ids],
        )
        connection.execute(
            "copy wanted to "
            + exp.Literal.string(str(wanted_dir / "part-0.parquet")).sql(
                dialect="duckdb"
            )
            + " (format parquet)"
        )
    command = "${PYSPARK_PYTHON:-python3} -m ingest.extraction_stream " + (
        shlex.quote(str(context_file))
    )
    # One task per batch, so every executor core extracts its share.
    partition_count = exp.Literal.number(
        max(1, -(-len(article_ids) // EXTRACTION_BATCH_ARTICLES))
    ).sql(dialect="spark")
    extracted_dir = build.scratch_dir / "extracted_rows"
    articles = build.table_dir(RAW_SCHEMA, "news_articles")
    sql.execute(
        f"insert overwrite directory {_spark_literal(str(extracted_dir))} "
        "using parquet "
        "select transform (article_id, article_text_hex) "
        f"using {_spark_literal(command)} "
        "as (table_name string, payload string) "
        f"from (select /*+ REPARTITION({partition_count}) */ "
        "articles.article_id, "
        "hex(encode(articles.article_text, 'UTF-8')) as article_text_hex "
        f"from {_parquet_path(articles)} as articles "
        f"left semi join {_parquet_path(wanted_dir)} as wanted "
        "on articles.article_id = wanted.article_id)"
    )
    for name, columns in EXTRACTION_TABLES.items():
        sql.execute(
            f"insert overwrite directory {_spark_literal(str(target_dir / name))} "
            "using parquet "
            "select extracted_row.* from ("
            f"select from_json(payload, {_spark_literal(_spark_schema(columns))}) "
            f"as extracted_row from {_parquet_path(extracted_dir)} "
            f"where table_name = {_spark_literal(name)})"
        )
    return list(EXTRACTION_TABLES)


@dataclass
class SparkBuildResult:
    spark_dir: Path
    build_dir: Path
    ingest: object
    # The raw tables of the hand-off.
    tables: list[str]
    # The live build's tables this build started from ("schema.table"):
    # empty for a build from scratch.
    started_from_tables: list[str] = dataclasses.field(default_factory=list)
    # The dbt selection it ran, or None for every node.
    selection: tuple[str, ...] | None = None


@contextmanager
def spark_lock(spark: SparkPaths, paths: Paths, wait: bool) -> Iterator[None]:
    """The build lock, held on the Spark folder: Derby admits one process."""
    from ingest.warehouse import build_lock

    with build_lock(dataclasses.replace(paths, warehouse_dir=spark.root), wait):
        yield


def build(
    paths: Paths, wait_for_lock: bool = False, full_refresh: bool = False
) -> SparkBuildResult:
    """Ingest, hand the raw tables to Spark as Parquet, run ``dbt build``.

    Everything is written into a new build folder; ``current`` is switched
    to it only once every model and test passed. Bad input, a failing dbt
    test or a killed process leave the previous Spark warehouse as it was,
    readable through ``current``.

    Unless ``full_refresh``, a rebuild is incremental like the DuckDB one:
    the live build's raw hand-off is the previous raw tables (only added,
    changed and removed articles are listed and extracted), and when the
    same dbt project built it, the new folder starts from hard links of
    its tables and dbt runs the DuckDB build's selection. A Connect or
    Thrift build does the same in its suffixed schemas: the cluster
    already reads and writes the build folders.
    """
    from ingest import dbt
    from ingest.curated import read_curated
    from ingest.warehouse import dbt_selection, ingest, reached

    kind = connection_kind()
    # Connect and Thrift share the cluster's catalog with every reader.
    remote = kind != LOCAL
    check_requirements(kind)
    # Checked before the lock: a refused prefix leaves nothing behind.
    prefix = schema_prefix() if remote else ""
    spark = spark_paths(paths)
    spark.root.mkdir(parents=True, exist_ok=True)
    with spark_lock(spark, paths, wait_for_lock):
        reached("spark-lock-acquired")
        remove_stale_builds(spark)
        build_paths = spark.start_build()
        # On a shared catalog the build writes schemas of its own, e.g.
        # marts_build_..., published once it passed.
        names = (
            CatalogNames(prefix, f"_{build_paths.build_id}")
            if remote
            else CatalogNames()
        )
        live = None if full_refresh else spark.live_build()
        session = None
        sql = None
        went_live = False
        started_from_tables: list[str] = []
        selection = None
        try:
            if kind == THRIFT:
                # Before the ingest: an unreachable server fails in seconds.
                sql = ThriftSql.from_environment()
            build_paths.scratch_dir.mkdir()
            handoff_file = build_paths.scratch_dir / "handoff.duckdb"
            previous_file = (
                link_previous_raw(live, build_paths.scratch_dir / "previous.duckdb")
                if live is not None
                else None
            )
            ingest_result = ingest(
                paths,
                handoff_file,
                previous_file,
                start_from_previous=previous_file is not None,
                extract_locally=False,
            )
            tables = export_raw_tables(handoff_file, build_paths.raw_dir)
            if kind != THRIFT:
                session = start_session(build_paths)
                sql = SparkSql(session)
            extraction_started = time.perf_counter()
            if ingest_result.articles_to_extract:
                new_extraction_dir = build_paths.scratch_dir / "extracted"
                curated_rows = {
                    table.table.name: table.rows
                    for table in read_curated(paths.seeds_dir)
                }
                extracted = (
                    extract_through_sql(
                        sql,
                        build_paths,
                        curated_rows,
                        new_extraction_dir,
                        ingest_result.articles_to_extract,
                    )
                    if kind == THRIFT
                    else extract_on_spark(
                        session,
                        build_paths,
                        curated_rows,
                        new_extraction_dir,
                        ingest_result.articles_to_extract,
                    )
                )
                for name in extracted:
                    add_extracted_rows(
                        new_extraction_dir / name, build_paths.raw_dir / name
                    )
            ingest_result.phase_seconds["extraction"] = (
                time.perf_counter() - extraction_started
            )
            register_raw_tables(sql, build_paths, tables, names)
            live_tables = (
                recorded_tables(live)
                if live is not None and ingest_result.started_from_live
                else None
            )
            if live_tables is not None:
                started_from_tables = start_from_live_tables(
                    sql, live_tables, live, build_paths, names
                )
                selection = dbt_selection(ingest_result)
            reached("spark-raw-registered")
            dbt_started = time.perf_counter()
            with _dbt_environment(build_paths, names, remote):
                dbt.build_on_spark(
                    paths,
                    sql,
                    select=selection,
                    target=SPARK_THRIFT_DBT_TARGET
                    if kind == THRIFT
                    else SPARK_DBT_TARGET,
                )
            ingest_result.phase_seconds["dbt"] = time.perf_counter() - dbt_started
            reached("spark-dbt-finished")
            record_tables(sql, build_paths, names)
            record_reporting_views(dbt.read_manifest(paths), build_paths, names)
            shutil.rmtree(build_paths.scratch_dir)
            switch_live_build(spark, build_paths)
            went_live = True
            reached("spark-switched")
        finally:
            if not went_live:
                if remote and sql is not None:
                    # Best effort: the error that stopped the build is the
                    # one to report, and a later build drops what is left.
                    with suppress(Exception):
                        drop_build_schemas(sql, names, only_its_own=True)
                shutil.rmtree(build_paths.root, ignore_errors=True)
                if sql is not None:
                    sql.close()
        if remote:
            # After the switch: views over this build's schemas must never
            # be left pointing at schemas a failed build dropped.
            try:
                publish_catalog(sql, names)
                drop_build_schemas(sql, names, only_its_own=False)
            finally:
                sql.close()
        remove_stale_builds(spark)
    return SparkBuildResult(
        spark_dir=spark.root,
        build_dir=build_paths.root,
        ingest=ingest_result,
        tables=list(tables),
        started_from_tables=started_from_tables,
        selection=selection,
    )


# Read by dbt_project/macros/generate_schema_name.sql, the two source
# definitions and dbt_project/macros/spark_location_clause.sql.
SCHEMA_PREFIX_FOR_DBT_VARIABLE = "AUTOWATCH_SCHEMA_PREFIX"
SCHEMA_SUFFIX_VARIABLE = "AUTOWATCH_SCHEMA_SUFFIX"
TABLE_ROOT_VARIABLE = "AUTOWATCH_SPARK_TABLE_ROOT"


@contextmanager
def _dbt_environment(
    build: SparkBuildPaths, names: CatalogNames, remote: bool
) -> Iterator[None]:
    """Tell dbt where this build's schemas and Parquet folders are.

    A local build has a metastore and warehouse folder of its own, so plain
    schema names and Spark's default table locations already are the
    build's. A remote session shares its catalog and warehouse folder with
    every reader: the build's schemas get its prefix and suffix, and its
    tables an explicit location under the build folder, where ``current``
    finds them.
    """
    settings = (
        {
            SCHEMA_PREFIX_FOR_DBT_VARIABLE: names.prefix,
            SCHEMA_SUFFIX_VARIABLE: names.suffix,
            TABLE_ROOT_VARIABLE: str(build.warehouse_dir),
        }
        if remote
        else {}
    )
    previous = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def switch_live_build(spark: SparkPaths, build: SparkBuildPaths) -> None:
    """Point ``current`` at ``build`` in one atomic rename."""
    new_link = spark.root / "current.new"
    new_link.unlink(missing_ok=True)
    new_link.symlink_to(build.root.relative_to(spark.root))
    os.replace(new_link, spark.current_link)
    directory = os.open(spark.root, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def remove_stale_builds(spark: SparkPaths) -> None:
    """Remove every build folder but the live one, and the old layout.

    Called under the lock: at the start of a build, for what a killed or
    failed build left; after the switch, for the build it replaced. A
    reader that resolved ``current`` before the switch and opens a file
    afterwards finds it gone, and must resolve ``current`` again.
    """
    live = spark.live_build()
    if spark.builds_dir.is_dir():
        for entry in spark.builds_dir.iterdir():
            if live is None or entry.resolve() != live.root:
                shutil.rmtree(entry, ignore_errors=True)
    (spark.root / "current.new").unlink(missing_ok=True)
    if live is not None:
        for name in LEGACY_ENTRIES:
            shutil.rmtree(spark.root / name, ignore_errors=True)
            if (spark.root / name).is_file():
                (spark.root / name).unlink()


def _databases(sql) -> set[str]:
    return {row[0] for row in sql.execute("show databases")}


def _schema_pattern(
    prefix: str,
    suffix_pattern: str,
    schemas: Iterable[str] = (RAW_SCHEMA, "default", *MODEL_SCHEMAS),
) -> re.Pattern:
    """``<prefix><schema><suffix_pattern>``, the plain schema as group 1."""
    alternatives = "|".join(re.escape(schema) for schema in schemas)
    return re.compile(rf"{re.escape(prefix)}({alternatives}){suffix_pattern}")


def _build_schema_names(sql, prefix: str, suffix_pattern: str) -> list[str]:
    """The catalog's schemas ``<prefix><schema><suffix_pattern>``."""
    pattern = _schema_pattern(prefix, suffix_pattern)
    return sorted(name for name in _databases(sql) if pattern.fullmatch(name))


def _tables_and_views(sql, schema: str) -> tuple[list[str], set[str]]:
    """Every table and view name of ``schema``, and which of them are views.

    Temporary views are left out: SHOW TABLES and SHOW VIEWS list the
    session's in every schema, e.g. the ``<model>__dbt_tmp`` views dbt's
    incremental models leave in a Spark Connect session the build shares.
    """
    # Both list namespace, name, isTemporary.
    names = sorted(
        name
        for _, name, is_temporary in sql.execute(f"show tables in {quoted(schema)}")
        if not is_temporary
    )
    views = {
        name
        for _, name, is_temporary in sql.execute(f"show views in {quoted(schema)}")
        if not is_temporary
    }
    return names, views


def publish_catalog(sql, names: CatalogNames) -> None:
    """On a shared catalog, make the published schemas show this build.

    Each ``<prefix><schema>.<table>`` becomes a view over
    ``<prefix><schema><suffix>.<table>``. Each view is replaced atomically, the set
    of them is not: a catalog reader may see old and new tables for the
    moment this loop takes. Readers of the Parquet folders through
    ``current`` switch in one step.
    """
    databases = _databases(sql)
    for schema in (RAW_SCHEMA, *MODEL_SCHEMAS):
        build_schema = names.build_schema(schema)
        published = names.published_schema(schema)
        if build_schema not in databases:
            continue
        if published in databases:
            live_names, live_views = _tables_and_views(sql, published)
        else:
            sql.execute(f"create database {quoted(published)}")
            live_names, live_views = [], set()
        for table in _tables_and_views(sql, build_schema)[0]:
            live_name = f"{quoted(published)}.{quoted(table)}"
            if table in live_names and table not in live_views:
                # A table from before builds had schemas of their own.
                sql.execute(f"drop table {live_name}")
            sql.execute(
                f"create or replace view {live_name} as select * from "
                f"{quoted(build_schema)}.{quoted(table)}"
            )


def drop_build_schemas(sql, names: CatalogNames, only_its_own: bool) -> None:
    """Drop this build's schemas (``only_its_own``, after it failed) or
    every other build's of the same prefix (after it went live).

    Every table of a build lives in that build's folder (dbt's under
    explicit locations, tables started from the live build's in a schema
    located there), so dropping a build's schemas touches no other
    build's files; the folders go with their builds. Another prefix's
    schemas belong to another warehouse and are left alone.
    """
    suffix_pattern = re.escape(names.suffix) if only_its_own else rf"_{BUILD_PREFIX}\w+"
    for name in _build_schema_names(sql, names.prefix, suffix_pattern):
        if not only_its_own and name.endswith(names.suffix):
            continue
        sql.execute(f"drop database if exists {quoted(name)} cascade")


def _live_build_or_error(spark: SparkPaths | SparkBuildPaths) -> SparkBuildPaths:
    if isinstance(spark, SparkBuildPaths):
        return spark
    build = spark.live_build()
    if build is None:
        raise MissingSparkWarehouseError(
            f"{spark.root}: no Spark-built tables yet; run "
            "`autowatch build --target spark`"
        )
    return build


def parquet_tables(
    spark: SparkPaths | SparkBuildPaths,
) -> dict[tuple[str, str], Path]:
    """``(schema, table) -> folder`` of every Parquet table Spark wrote.

    Given the Spark folder, reads the live build (``current``), resolved
    once; given one build's folder, reads that build.
    """
    if isinstance(spark, SparkPaths):
        build = spark.live_build()
        if build is None:
            return {}
    else:
        build = spark
    tables = {}
    for schema in (RAW_SCHEMA, *MODEL_SCHEMAS):
        parent = build.raw_dir if schema == RAW_SCHEMA else build.schema_dir(schema)
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


def connect_parquet_tables(spark: SparkPaths | SparkBuildPaths, connection=None):
    """A DuckDB connection with one view per Parquet table Spark wrote.

    Needs neither Java nor PySpark: the tables are plain Parquet folders,
    so ``autowatch query`` and the notebook read a Spark-built warehouse
    through DuckDB. Given the Spark folder, the views read the live build
    (``current``, resolved once here; a later build does not change what
    this connection reads until it removes the folder). The reporting
    views are created from the DuckDB SQL the build recorded; Spark's
    staging and intermediate views live only in its metastore.
    """
    import duckdb

    from ingest.warehouse import identifier, table_name

    build = _live_build_or_error(spark)
    if connection is None:
        connection = duckdb.connect()
    for (schema, table), table_dir in parquet_tables(build).items():
        connection.execute(f"create schema if not exists {identifier(schema)}")
        connection.execute(
            f"create or replace view {table_name(schema, table)} as "
            f"select * from {_parquet_scan(table_dir)}"
        )
    if build.reporting_views_file.is_file():
        views = json.loads(build.reporting_views_file.read_text(encoding="utf-8"))
        connection.execute(
            f"create schema if not exists {identifier(REPORTING_SCHEMA)}"
        )
        # Parsed, so exactly one statement goes into each view.
        selects = {
            view: sqlglot.parse_one(query, read="duckdb")
            for view, query in views.items()
        }
        for view in _in_dependency_order(selects):
            connection.execute(
                f"create or replace view {table_name(REPORTING_SCHEMA, view)} "
                f"as {selects[view].sql(dialect='duckdb')}"
            )
    return connection


def _in_dependency_order(selects: dict[str, exp.Expression]) -> list[str]:
    """The recorded views' names, each after the reporting views its SQL
    reads: DuckDB binds a view when it is created, so plant_brand_status
    (which reads plant_brands) must come after it."""
    reads = {
        view: {
            table.name
            for table in select.find_all(exp.Table)
            if table.db == REPORTING_SCHEMA and table.name in selects
        }
        - {view}
        for view, select in selects.items()
    }
    return list(graphlib.TopologicalSorter(reads).static_order())


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
    database_file: Path, spark: SparkPaths | SparkBuildPaths, schema: str = "marts"
) -> tuple[list[str], list[TableDifference]]:
    """Compare every table or view of ``schema`` in a DuckDB file with
    Spark's, as ``connect_parquet_tables`` reads it (Parquet tables, and
    the reporting views the build recorded).

    Returns the relations compared and their differences: one missing on
    one side, column names or types that differ, and rows one side has that
    the other lacks (EXCEPT ALL both ways, so duplicates count).
    """
    from ingest.warehouse import identifier

    connection = connect_parquet_tables(spark)
    try:
        connection.execute(
            f"attach {_string_literal(str(database_file))} as duckdb_build (read_only)"
        )
        (spark_catalog,) = connection.execute("select current_database()").fetchone()

        def relations(catalog: str) -> list[str]:
            return [
                name
                for (name,) in connection.execute(
                    "select table_name from information_schema.tables "
                    "where table_catalog = ? and table_schema = ? "
                    "order by table_name",
                    [catalog, schema],
                ).fetchall()
            ]

        duckdb_tables = relations("duckdb_build")
        spark_tables = relations(spark_catalog)
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
            spark_relation = (
                f"{identifier(spark_catalog)}.{identifier(schema)}.{identifier(table)}"
            )
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


def run_query_on_parquet(spark: SparkPaths | SparkBuildPaths, sql: str):
    """One read-only statement over a Spark build's Parquet tables."""
    from ingest.query import check_read_only, fetch_all_and_close

    check_read_only(sql)
    build = _live_build_or_error(spark)
    if not parquet_tables(build):
        raise MissingSparkWarehouseError(
            f"{build.root}: no Spark-built tables yet; run "
            "`autowatch build --target spark`"
        )
    return fetch_all_and_close(connect_parquet_tables(build), sql)

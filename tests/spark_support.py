"""What the Spark tests share: the one Spark build of the session.

A full Spark build costs minutes, so test_spark.py (the cross-engine
comparison), test_spark_atomic.py (failed and killed builds must leave
it intact) and the server tests (Spark Connect: an incremental rebuild;
Thrift: a rebuild after a curated edit, both of a copy of it) use the
same one; conftest.py registers ``spark_build`` and ``local_cluster``,
the one server (PySpark's Thrift server with the Connect plugin) the
server tests share.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from ingest import dbt, spark
from ingest.curated import read_curated
from ingest.extraction import EXTRACTION_TABLES, extraction_rows
from ingest.mentions import matcher_from_rows
from ingest.paths import PROJECT_ROOT, default_paths
from tests.dbt_results import node_statuses

EDGE_CASES_DIR = Path(__file__).parent / "spark_edge_cases"
SAMPLE_ARTICLES_DIR = PROJECT_ROOT / "data" / "articles"
SEEDS_DIR = PROJECT_ROOT / "seeds"
# A previous build's schema in a server's shared catalog, which a build
# that went live must drop (the Connect and Thrift tests), with the
# build's schema prefix in front.
EARLIER_BUILD_SCHEMA = "marts_build_19700101000000_earlier"
# Schema prefixes of the warehouses sharing the catalog in the Connect and
# Thrift tests; a build must leave those other than its own alone.
OTHER_WAREHOUSE_PREFIXES = ("", "prod_")
# The Connect test's build: a dev copy on the catalog the others share.
DEV_SCHEMA_PREFIX = "dev_"
# Only guards against a hang; no test asserts on time.
HANG_GUARD_SECONDS = 600
# An article made up for the tests, with a curated alias, a figure and a
# period, so that it has rows in every extraction table and every
# incremental mart: the Connect test's rebuild adds it, the Thrift test's
# server extracts it.
ADDED_FILE = "en_added_for_rebuild.txt"
ADDED_TEXT = """\
Avtotor expands assembly in Kaliningrad

Avtotor said on Monday that it will assemble up to 30,000 BAIC cars
in 2025 at its Kaliningrad site, after a test run in the fourth quarter
of 2024.
"""
# No article feeds it: a rebuild that only changes articles keeps the
# live build's files for it.
CURATED_ONLY_MART = "dim_company"
# Every article feeds it: a rebuild that changes no article and no
# curated column extraction reads (a brand's note does not) keeps the
# live build's files.
ARTICLE_MART = "fct_mention"
POLL_SECONDS = 0.5


def spark_unavailable_reason() -> str | None:
    try:
        spark.check_requirements()
    except spark.SparkUnavailableError as error:
        return str(error)
    return None


def environment_without_spark_folder() -> dict[str, str]:
    """This process's environment, minus a Spark folder set by the caller."""
    return {
        key: value
        for key, value in os.environ.items()
        # A Connect client made earlier in this process leaves PySpark's
        # Connect-mode mark here; a child building locally must not see it.
        if key not in (spark.SPARK_DIRECTORY_VARIABLE, "SPARK_CONNECT_MODE_ENABLED")
    }


def autowatch_command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "ingest", *arguments]


def run_autowatch(*arguments: str, environment: dict | None = None):
    return subprocess.run(
        autowatch_command(*arguments),
        capture_output=True,
        text=True,
        env=environment or dict(os.environ),
        cwd=PROJECT_ROOT,
    )


def spark_build_arguments(
    warehouse_dir: Path, *articles_dirs: Path, seeds_dir: Path = SEEDS_DIR
) -> list[str]:
    """``autowatch build --target spark`` of these article folders."""
    return [
        "build",
        "--target",
        "spark",
        "--warehouse-dir",
        str(warehouse_dir),
        *[
            argument
            for directory in articles_dirs
            for argument in ("--articles", str(directory))
        ],
        "--seeds",
        str(seeds_dir),
    ]


def folder_fingerprint(folder: Path) -> str:
    """A digest of every file's name and bytes below ``folder``."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def copy_of_session_build(spark_build, warehouse_dir: Path) -> spark.SparkPaths:
    """A copy of the session's Spark build, for a test that rebuilds it:
    the session's build stays what the other Spark tests read."""
    _, session_spark_dir = spark_build
    shutil.copytree(session_spark_dir.root, warehouse_dir / "spark", symlinks=True)
    return spark.SparkPaths(warehouse_dir / "spark")


def hold_files(build: spark.SparkBuildPaths, holding_dir: Path) -> dict[Path, str]:
    """A second hard link, under ``holding_dir``, to every file of a
    build's tables, with each file's digest.

    A rebuild starts from hard links of the live build's files and then
    deletes the live build; the held links outlive it, so a test can see
    whether any of its files was written in place.
    """
    held = {}
    for path in sorted(build.warehouse_dir.rglob("*")):
        if path.is_file():
            link = holding_dir / path.relative_to(build.warehouse_dir)
            link.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, link)
            held[link] = hashlib.sha256(path.read_bytes()).hexdigest()
    return held


def changed_held_files(held: dict[Path, str]) -> list[str]:
    return [
        str(path)
        for path, digest in held.items()
        if hashlib.sha256(path.read_bytes()).hexdigest() != digest
    ]


@pytest.fixture(scope="session")
def spark_build(tmp_path_factory) -> tuple[Path, spark.SparkPaths]:
    """One Spark build and one DuckDB build from the same hand-off.

    The Spark build runs ``autowatch build --target spark`` in its own
    process, so its JVM and Derby metastore go away with it.
    """
    reason = spark_unavailable_reason()
    if reason is not None:
        pytest.skip(f"Spark cannot run here: {reason}")
    root = tmp_path_factory.mktemp("spark_build")
    completed = run_autowatch(
        *spark_build_arguments(root, SAMPLE_ARTICLES_DIR, EDGE_CASES_DIR),
        environment=environment_without_spark_folder(),
    )
    assert completed.returncode == 0, completed.stderr
    spark_dir = spark.SparkPaths(root / "spark")
    assert completed.stdout.strip() == str(spark_dir.root)
    live_build = spark_dir.live_build()
    assert live_build is not None
    # The build's scratch files are gone, and no other build folder is left.
    assert not live_build.scratch_dir.exists()
    assert [entry.name for entry in spark_dir.builds_dir.iterdir()] == [
        live_build.build_id
    ]

    duckdb_dir = root / "duckdb"
    duckdb_dir.mkdir()
    paths = default_paths(warehouse_dir=duckdb_dir)
    database_file = duckdb_dir / "autowatch.duckdb"
    spark.load_handoff(live_build.raw_dir, database_file)
    dbt.build(paths, database_file)
    return database_file, spark_dir


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_ports(
    process: subprocess.Popen, ports: tuple[int, ...], log_file: Path, server: str
) -> None:
    deadline = time.monotonic() + HANG_GUARD_SECONDS
    waiting = list(ports)
    while waiting and time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"the {server} exited:\n" + log_file.read_text(errors="replace")[-4000:]
            )
        try:
            with socket.create_connection(("127.0.0.1", waiting[0]), timeout=1):
                waiting.pop(0)
        except OSError:
            time.sleep(POLL_SECONDS)
    if waiting:
        pytest.fail(f"the {server} never listened on port {waiting[0]}")


@contextmanager
def spark_server(
    state_dir: Path,
    main_class: str,
    ports: tuple[int, ...],
    settings: dict[str, str],
    arguments: tuple[str, ...] = (),
    server: str = "Spark server",
) -> Iterator[None]:
    """Run a server PySpark's wheel carries, as a cluster would run it.

    It gets a warehouse folder and Derby metastore of its own under
    ``state_dir`` (a cluster's, not any build's) and runs, once it listens
    on every one of ``ports``, until the block ends; ``settings`` are
    ``--conf`` pairs, ``arguments`` the class's own.
    """
    import pyspark

    spark_submit = Path(pyspark.__file__).parent / "bin" / "spark-submit"
    server_state = spark.SparkBuildPaths(state_dir)
    server_state.log4j_file.write_text(spark.LOG4J_CONFIGURATION, encoding="utf-8")
    command = [
        str(spark_submit),
        "--class",
        main_class,
        "--master",
        spark.LOCAL_MASTER,
        *[
            argument
            for key, value in {
                **spark.session_config(server_state),
                "spark.sql.catalogImplementation": "hive",
                **settings,
            }.items()
            for argument in ("--conf", f"{key}={value}")
        ],
        *arguments,
    ]
    environment = environment_without_spark_folder()
    # The server's Python workers (Spark Connect's extraction) import the
    # autowatch package: this interpreter has it.
    environment["PYSPARK_PYTHON"] = sys.executable
    environment.pop(spark.SPARK_REMOTE_VARIABLE, None)
    environment.pop(spark.THRIFT_HOST_VARIABLE, None)
    log_file = state_dir / "server.log"
    with open(log_file, "w") as log:
        # A session of its own: one signal stops the server and its workers.
        process = subprocess.Popen(
            command,
            env=environment,
            cwd=state_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for_ports(process, ports, log_file, server)
        yield
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


THRIFT_SERVER_CLASS = "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"
# Spark Connect as a plugin of any Spark application, here the Thrift one.
CONNECT_PLUGIN_CLASS = "org.apache.spark.sql.connect.SparkConnectPlugin"


# Hive's function registry fails to load without this interface from
# hive-llap-common, a jar PySpark's wheel leaves out (Spark adds it only to
# its own Thrift server tests, apache/spark#49736). The Thrift server loads
# the registry when closing a session now and then, and the close fails;
# after that every later load waits forever. A cluster's Spark ships the
# jar; the suite's server gets the one empty interface the registry needs.
LLAP_SIGNABLE_CLASS = "org/apache/hadoop/hive/llap/security/LlapSigner$Signable"
HIVE_FUNCTION_REGISTRY_CLASS = "org.apache.hadoop.hive.ql.exec.FunctionRegistry"


def llap_signable_jar(directory: Path) -> Path:
    """A jar holding ``LlapSigner$Signable`` as an empty public interface.

    Written as a class file here: the machine may have Java's runtime
    without its compiler, and Maven Central is not reachable.
    """

    def utf8_constant(text: str) -> bytes:
        encoded = text.encode("utf-8")
        return b"\x01" + struct.pack(">H", len(encoded)) + encoded

    def class_constant(name_index: int) -> bytes:
        return b"\x07" + struct.pack(">H", name_index)

    constant_pool = (
        utf8_constant(LLAP_SIGNABLE_CLASS)  # 1
        + class_constant(1)  # 2: this class
        + utf8_constant("java/lang/Object")  # 3
        + class_constant(3)  # 4: its superclass, as for any interface
    )
    public_abstract_interface = 0x0001 | 0x0200 | 0x0400
    class_file = (
        b"\xca\xfe\xba\xbe"
        + struct.pack(">HH", 0, 52)  # class file version of Java 8
        + struct.pack(">H", 5)  # constant pool count: entries + 1
        + constant_pool
        + struct.pack(">HHH", public_abstract_interface, 2, 4)
        + struct.pack(">HHHH", 0, 0, 0, 0)  # interfaces, fields, methods, attributes
    )
    jar = directory / "hive-llap-signable.jar"
    with zipfile.ZipFile(jar, "w") as archive:
        archive.writestr(f"{LLAP_SIGNABLE_CLASS}.class", class_file)
    return jar


@dataclass(frozen=True)
class LocalCluster:
    thrift_port: int
    connect_url: str


@pytest.fixture(scope="session")
def local_cluster(tmp_path_factory) -> Iterator[LocalCluster]:
    """One server for the Connect and Thrift tests, as a cluster offers both.

    PySpark's Thrift server (``HiveThriftServer2``) with the Spark Connect
    plugin: one JVM, one warehouse folder and one shared catalog, so the
    second test's build finds the first one's schemas and views, as a
    cluster's next build would.
    """
    reason = spark_unavailable_reason()
    if reason is not None:
        pytest.skip(f"Spark cannot run here: {reason}")
    thrift_port, connect_port = free_port(), free_port()
    state_dir = tmp_path_factory.mktemp("local_cluster")
    with spark_server(
        state_dir,
        THRIFT_SERVER_CLASS,
        (thrift_port, connect_port),
        {
            # The driver's class path, where Hive's own classes are loaded.
            "spark.driver.extraClassPath": str(llap_signable_jar(state_dir)),
            "spark.plugins": CONNECT_PLUGIN_CLASS,
            "spark.connect.grpc.binding.address": "127.0.0.1",
            "spark.connect.grpc.binding.port": str(connect_port),
        },
        arguments=(
            "--hiveconf",
            f"hive.server2.thrift.port={thrift_port}",
            "--hiveconf",
            "hive.server2.thrift.bind.host=127.0.0.1",
        ),
        server="Spark Thrift and Connect server",
    ):
        yield LocalCluster(thrift_port, f"sc://localhost:{connect_port}")


def thrift_environment(port: int) -> dict[str, str]:
    """This process's environment for a build through a Thrift server."""
    environment = environment_without_spark_folder()
    environment.pop(spark.SPARK_REMOTE_VARIABLE, None)
    environment[spark.THRIFT_HOST_VARIABLE] = "localhost"
    environment[spark.THRIFT_PORT_VARIABLE] = str(port)
    return environment


def needs_pyhive() -> None:
    if importlib.util.find_spec("pyhive") is None:
        pytest.skip("a Thrift build needs PyHive (dbt-spark[PyHive], the spark extra)")


def other_warehouse_schemas(prefix: str) -> set[str]:
    """Schemas of other warehouses on the catalog, for a build with
    ``prefix``: a published one and a build's of each other prefix."""
    return {
        name
        for other in OTHER_WAREHOUSE_PREFIXES
        if other != prefix
        for name in (f"{other}marts", f"{other}{EARLIER_BUILD_SCHEMA}")
    }


def seed_shared_catalog(sql, prefix: str = "") -> None:
    """What a shared catalog holds before a build with schema ``prefix``:
    a table from before builds had schemas of their own, an earlier
    build's schema, and other warehouses' schemas.

    ``sql`` is a SparkSql or ThriftSql; another test's build on the same
    server may have published ``<prefix>marts.dim_brand`` as a view.
    """
    marts = f"{prefix}marts"
    sql.execute(f"create database if not exists {marts}")
    if "dim_brand" in {row[1] for row in sql.execute(f"show views in {marts}")}:
        sql.execute(f"drop view {marts}.dim_brand")
    sql.execute(f"drop table if exists {marts}.dim_brand")
    sql.execute(f"create table {marts}.dim_brand (brand_code string) using parquet")
    sql.execute(f"create database if not exists {prefix}{EARLIER_BUILD_SCHEMA}")
    for schema in other_warehouse_schemas(prefix):
        sql.execute(f"create database if not exists {schema}")


def check_remote_build_layout(warehouse_dir: Path) -> spark.SparkBuildPaths:
    """The live build of a build through a server, written where it should be."""
    live_build = spark.SparkPaths(warehouse_dir / "spark").live_build()
    assert live_build is not None
    # The server wrote the marts under this build's folder, not its own
    # warehouse folder, so `current` switches them with the build; the
    # build started no Spark (and no metastore) of its own.
    assert (live_build.schema_dir("marts") / "dim_brand").is_dir()
    assert not live_build.metastore_dir.exists()
    return live_build


def duckdb_build_of(live_build: spark.SparkBuildPaths, duckdb_dir: Path) -> Path:
    """A DuckDB build of the very raw Parquet tables a Spark build read."""
    database_file = duckdb_dir / "autowatch.duckdb"
    duckdb_dir.mkdir()
    spark.load_handoff(live_build.raw_dir, database_file)
    dbt.build(default_paths(warehouse_dir=duckdb_dir), database_file)
    return database_file


def check_catalog_schemas(databases: set[str], live_build, prefix: str = "") -> None:
    """The shared catalog holds this build's schemas and no other build's
    of its prefix; other warehouses' schemas are untouched."""
    suffix = f"_{live_build.build_id}"
    assert {
        f"{prefix}{schema}{suffix}" for schema in ("raw", "staging", "marts")
    } <= databases
    assert f"{prefix}{EARLIER_BUILD_SCHEMA}" not in databases
    own_build_schema = re.compile(
        rf"{re.escape(prefix)}(?:raw|default|staging|intermediate|marts|reporting)"
        r"_build_\w+"
    )
    assert not [
        name
        for name in databases
        if own_build_schema.fullmatch(name) and not name.endswith(suffix)
    ]
    assert other_warehouse_schemas(prefix) <= databases


def table_files(table_dir: Path) -> list[tuple[str, int]]:
    """Every file of a table's folder: (relative name, inode), sorted."""
    return sorted(
        (str(path.relative_to(table_dir)), path.stat().st_ino)
        for path in table_dir.rglob("*")
        if path.is_file()
    )


def check_selection(
    warehouse_dir: Path,
    build: spark.SparkBuildPaths,
    ran_model: str,
    skipped_model: str,
    skipped_model_files: list[tuple[str, int]],
) -> None:
    """dbt's last run built ``ran_model`` and not ``skipped_model``, whose
    files are still the live build's (``skipped_model_files``)."""
    ran = set(node_statuses(default_paths(warehouse_dir=warehouse_dir).dbt_target_dir))
    assert f"model.autowatch.{ran_model}" in ran
    assert f"model.autowatch.{skipped_model}" not in ran
    assert table_files(build.table_dir("marts", skipped_model)) == skipped_model_files


def expected_extraction(article_id: str, text: str) -> dict[str, list[tuple]]:
    """The rows the single-machine extraction gives for one article."""
    return extraction_rows(
        [(article_id, text, None)],
        matcher_from_rows(
            {table.table.name: table.rows for table in read_curated(SEEDS_DIR)}
        ),
    )


def check_extracted_rows(connection, table_sql: str, article_id: str, text: str):
    """Each extraction table's rows for the article, as ``connection``
    reads them (``table_sql`` names the table: ``{table}``), are those
    of the single-machine extraction, and there are some in each."""
    expected = expected_extraction(article_id, text)
    for table in EXTRACTION_TABLES:
        # Sorted in Python: ``order by all`` would sort NULLs where
        # Python's sort cannot.
        rows = connection.execute(
            f"select * from {table_sql.format(table=table)} where article_id = ?",
            [article_id],
        ).fetchall()
        assert expected[table], table
        assert sorted(rows, key=repr) == sorted(expected[table], key=repr), table

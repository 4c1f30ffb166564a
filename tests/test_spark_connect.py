"""A build through Spark Connect (``SPARK_REMOTE``), as on a cluster.

PySpark's wheel carries the Spark Connect server (``spark-connect_*.jar``),
so a real server runs here in a process of its own, with its own warehouse
folder and metastore, as a cluster's would be. The build talks to it only
through gRPC: extraction runs in the server's Python workers, dbt's models
and tests run as the server's jobs, and the build's schemas get a suffix of
their own in the server's shared catalog until they pass; then the plain
schemas are views over them. The one thing shared with a real cluster that
this cannot show is storage: the server reads and writes this machine's
folders, where a cluster would need object storage or a shared mount.
"""

from __future__ import annotations

import importlib.util

import duckdb
import pytest

from ingest import spark
from tests.spark_support import (
    EARLIER_BUILD_SCHEMA,
    SAMPLE_ARTICLES_DIR,
    SEEDS_DIR,
    check_catalog_schemas,
    check_remote_build,
    environment_without_spark_folder,
    free_port,
    run_autowatch,
    spark_server,
    spark_unavailable_reason,
)

CONNECT_SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"


@pytest.fixture(scope="module")
def connect_server(tmp_path_factory):
    """``sc://localhost:<port>`` of a Spark Connect server of this module."""
    reason = spark_unavailable_reason()
    if reason is not None:
        pytest.skip(f"Spark cannot run here: {reason}")
    if importlib.util.find_spec("grpc") is None:
        pytest.skip("the Spark Connect client needs grpcio (pyspark[connect])")
    port = free_port()
    with spark_server(
        tmp_path_factory.mktemp("connect_server"),
        CONNECT_SERVER_CLASS,
        port,
        {
            "spark.connect.grpc.binding.address": "127.0.0.1",
            "spark.connect.grpc.binding.port": str(port),
        },
        server="Spark Connect server",
    ):
        yield f"sc://localhost:{port}"


@pytest.fixture
def client(connect_server):
    from pyspark.sql import SparkSession

    session = SparkSession.builder.remote(connect_server).getOrCreate()
    try:
        yield session
    finally:
        session.stop()


@pytest.mark.spark
def test_a_build_through_spark_connect_matches_duckdb_and_publishes_views(
    connect_server, client, tmp_path
):
    # What a shared catalog holds before: a table from before builds had
    # schemas of their own, and an earlier build's schema.
    client.sql("create database if not exists marts")
    client.sql("create table marts.dim_brand (brand_code string) using parquet")
    client.sql(f"create database {EARLIER_BUILD_SCHEMA}")

    environment = environment_without_spark_folder()
    environment[spark.SPARK_REMOTE_VARIABLE] = connect_server
    completed = run_autowatch(
        "build",
        "--target",
        "spark",
        "--warehouse-dir",
        str(tmp_path / "warehouse"),
        "--articles",
        str(SAMPLE_ARTICLES_DIR),
        "--seeds",
        str(SEEDS_DIR),
        environment=environment,
    )
    assert completed.returncode == 0, completed.stderr

    spark_dir, live_build, database_file = check_remote_build(
        tmp_path / "warehouse", tmp_path / "duckdb"
    )

    # The shared catalog: this build's schemas, the plain ones as views
    # over them, and no earlier build's schema.
    check_catalog_schemas(
        {database.name for database in client.catalog.listDatabases()}, live_build
    )
    assert client.catalog.getTable("marts.dim_brand").tableType == "VIEW"
    sql = "select brand_code, brand_name from marts.dim_brand order by brand_code"
    with duckdb.connect(str(database_file), read_only=True) as connection:
        expected = connection.execute(sql).fetchall()
    assert [tuple(row) for row in client.sql(sql).collect()] == expected
    assert spark.run_query_on_parquet(spark_dir, sql).rows == expected

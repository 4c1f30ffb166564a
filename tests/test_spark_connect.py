"""A build through Spark Connect (``SPARK_REMOTE``), as on a cluster.

PySpark's wheel carries the Spark Connect server (``spark-connect_*.jar``),
so a real server runs here in a process of its own, with its own warehouse
folder and metastore, as a cluster's would be. The test rebuilds a copy of
the session's (local) Spark build with one article added, talking to the
server only through gRPC: the new article's extraction runs in the
server's Python workers, the live build's tables are registered in the
build's own schemas (a suffix of their own in the server's shared
catalog), dbt's models and tests that depend on the articles run as the
server's jobs, and once they pass the plain schemas are views over the
build's. The one thing shared with a real cluster that
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
    check_catalog_schemas,
    environment_without_spark_folder,
    free_port,
    rebuild_through_server,
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
def test_a_rebuild_through_spark_connect_matches_duckdb_and_publishes_views(
    spark_build, connect_server, client, tmp_path
):
    # What a shared catalog holds before: a table from before builds had
    # schemas of their own, and an earlier build's schema.
    client.sql("create database if not exists marts")
    client.sql("create table marts.dim_brand (brand_code string) using parquet")
    client.sql(f"create database {EARLIER_BUILD_SCHEMA}")

    environment = environment_without_spark_folder()
    environment[spark.SPARK_REMOTE_VARIABLE] = connect_server
    rebuild = rebuild_through_server(spark_build, tmp_path, environment)

    # The shared catalog: this build's schemas, the plain ones as views
    # over them, and no earlier build's schema.
    check_catalog_schemas(
        {database.name for database in client.catalog.listDatabases()},
        rebuild.live_build,
    )
    assert client.catalog.getTable("marts.dim_brand").tableType == "VIEW"
    sql = "select brand_code, brand_name from marts.dim_brand order by brand_code"
    with duckdb.connect(str(rebuild.database_file), read_only=True) as connection:
        expected = connection.execute(sql).fetchall()
    assert [tuple(row) for row in client.sql(sql).collect()] == expected
    assert spark.run_query_on_parquet(rebuild.spark_dir, sql).rows == expected

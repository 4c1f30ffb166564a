"""A build through Spark Connect (``SPARK_REMOTE``), as on a cluster.

PySpark's wheel carries the Spark Connect server (``spark-connect_*.jar``),
so a real one runs here in a process of its own (``local_cluster``: the
Thrift server with the Connect plugin, as a cluster offers both), with its
own warehouse folder and metastore, as a cluster's would be. The test
rebuilds a copy of the session's (local) Spark build with one article
added, talking to the server only through gRPC: the new article's
extraction runs in the server's Python workers, the live build's tables
are registered in the build's own schemas (a suffix of their own in the
server's shared catalog), dbt's models and tests that depend on the
articles run as the server's jobs, and once they pass the plain schemas
are views over the build's. It builds as a dev copy beside other
warehouses on the catalog (``AUTOWATCH_SPARK_SCHEMA_PREFIX=dev_``), and
leaves their schemas alone. The one thing shared with a real cluster that
this cannot show is storage: the server reads and writes this machine's
folders, where a cluster would need object storage or a shared mount.
"""

from __future__ import annotations

import importlib.util

import duckdb
import pytest

from ingest import spark
from tests.spark_support import (
    DEV_SCHEMA_PREFIX,
    check_catalog_schemas,
    environment_without_spark_folder,
    rebuild_through_server,
    seed_shared_catalog,
)


@pytest.fixture
def client(local_cluster):
    if importlib.util.find_spec("grpc") is None:
        pytest.skip("the Spark Connect client needs grpcio (pyspark[connect])")
    from pyspark.sql import SparkSession

    session = SparkSession.builder.remote(local_cluster.connect_url).getOrCreate()
    try:
        yield session
    finally:
        session.stop()


@pytest.mark.spark
def test_a_rebuild_through_spark_connect_matches_duckdb_and_publishes_views(
    spark_build, local_cluster, client, tmp_path
):
    seed_shared_catalog(spark.SparkSql(client), DEV_SCHEMA_PREFIX)

    environment = environment_without_spark_folder()
    environment[spark.SPARK_REMOTE_VARIABLE] = local_cluster.connect_url
    environment[spark.SCHEMA_PREFIX_VARIABLE] = DEV_SCHEMA_PREFIX
    rebuild = rebuild_through_server(spark_build, tmp_path, environment)

    # The shared catalog: this build's schemas, the dev_ ones as views
    # over them, no earlier dev_ build's schema, and other warehouses'.
    check_catalog_schemas(
        {database.name for database in client.catalog.listDatabases()},
        rebuild.live_build,
        DEV_SCHEMA_PREFIX,
    )
    assert client.catalog.getTable("dev_marts.dim_brand").tableType == "VIEW"
    sql = "select brand_code, brand_name from marts.dim_brand order by brand_code"
    with duckdb.connect(str(rebuild.database_file), read_only=True) as connection:
        expected = connection.execute(sql).fetchall()
    # The catalog's dev_marts; the Parquet folders keep plain schema names.
    catalog_sql = sql.replace("marts.", f"{DEV_SCHEMA_PREFIX}marts.")
    assert [tuple(row) for row in client.sql(catalog_sql).collect()] == expected
    assert spark.run_query_on_parquet(rebuild.spark_dir, sql).rows == expected

"""A build through a Spark Thrift Server (``AUTOWATCH_SPARK_THRIFT_HOST``).

PySpark's wheel carries the Thrift server (``HiveThriftServer2``, the
HiveServer2 protocol EMR's and on-premises clusters expose), so a real one
runs here in a process of its own (``local_cluster``, which serves Spark
Connect too), with its own warehouse folder and metastore. The test
rebuilds a copy of the session's (local) Spark build with one article
added, talking to the server only in SQL through PyHive: the build
registers the raw Parquet tables and the live build's tables in its own
schemas, extracts the new article beside the server's tasks (``SELECT
TRANSFORM`` through ``python -m ingest.extraction_stream``), dbt
(profiles.yml's ``spark_thrift`` output) runs the models and tests that
depend on the articles there, and the catalog switch is SQL too.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from datetime import date

import duckdb
import pytest
import yaml

from ingest import spark
from ingest.articles import read_article
from ingest.curated import read_curated
from ingest.extraction import EXTRACTION_TABLES, extraction_rows
from ingest.mentions import matcher_from_rows
from ingest.paths import PROJECT_ROOT
from tests.spark_support import (
    HIVE_FUNCTION_REGISTRY_CLASS,
    SAMPLE_ARTICLES_DIR,
    SEEDS_DIR,
    check_catalog_schemas,
    free_port,
    needs_pyhive,
    rebuild_through_server,
    run_autowatch,
    seed_shared_catalog,
    spark_build_arguments,
    thrift_environment,
)


def build_arguments(warehouse_dir) -> list[str]:
    return spark_build_arguments(warehouse_dir, SAMPLE_ARTICLES_DIR)


@pytest.fixture
def thrift_port(local_cluster) -> int:
    """The Thrift port of the session's local cluster."""
    needs_pyhive()
    return local_cluster.thrift_port


@pytest.mark.spark
def test_the_suites_server_can_load_hives_function_registry(thrift_port):
    """The Thrift server loads Hive's function registry when it closes some
    sessions; if it could not (``LLAP_SIGNABLE_CLASS``), a build through it
    would fail now and then, at whichever dbt node closed that session."""
    client = spark.ThriftSql("localhost", thrift_port, "test")
    try:
        rows = client.execute(
            "select java_method('java.lang.Class', 'forName', "
            f"'{HIVE_FUNCTION_REGISTRY_CLASS}')"
        )
    finally:
        client.close()
    assert rows == [(f"class {HIVE_FUNCTION_REGISTRY_CLASS}",)]


@pytest.mark.spark
def test_a_rebuild_through_a_thrift_server_matches_duckdb_and_publishes_views(
    spark_build, thrift_port, tmp_path
):
    client = spark.ThriftSql("localhost", thrift_port, "test")
    try:
        seed_shared_catalog(client)

        rebuild = rebuild_through_server(
            spark_build, tmp_path, thrift_environment(thrift_port)
        )
        live_build = rebuild.live_build

        # The shared catalog: this build's schemas, the plain ones as views
        # over them, no earlier build's schema, and other warehouses'.
        check_catalog_schemas(
            {row[0] for row in client.execute("show databases")}, live_build
        )
        assert "dim_brand" in {row[1] for row in client.execute("show views in marts")}
        sql = "select brand_code, brand_name from marts.dim_brand order by brand_code"
        with duckdb.connect(str(rebuild.database_file), read_only=True) as connection:
            expected = connection.execute(sql).fetchall()
        assert client.execute(sql) == expected
        assert spark.run_query_on_parquet(rebuild.spark_dir, sql).rows == expected

        # A reporting view's column description longer than the 256
        # characters a Hive metastore keeps is stored cut, not lost.
        comments = {
            column: comment
            for column, _, comment in client.execute(
                f"describe reporting_{live_build.build_id}.announcements_timeline"
            )
        }
        description = column_description(
            tmp_path / "warehouse" / "dbt_target" / "manifest.json",
            "announcements_timeline",
            "announcement_type",
        )
        assert len(description) > 256
        assert comments["announcement_type"] == description[:255] + "…"
    finally:
        client.close()


def column_description(manifest_file, model: str, column: str) -> str:
    """A column's description as dbt rendered it (doc blocks filled in)."""
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    return manifest["nodes"][f"model.autowatch.{model}"]["columns"][column][
        "description"
    ]


def test_an_unreachable_thrift_server_is_one_clear_line_and_keeps_nothing(
    tmp_path,
):
    needs_pyhive()
    port = free_port()
    completed = run_autowatch(
        *build_arguments(tmp_path / "warehouse"),
        environment=thrift_environment(port),
    )
    assert completed.returncode != 0
    assert (
        f"cannot reach the Spark Thrift server at localhost:{port}" in completed.stderr
    )
    assert "Traceback" not in completed.stderr
    spark_dir = spark.SparkPaths(tmp_path / "warehouse" / "spark")
    assert spark_dir.live_build() is None
    assert not any(spark_dir.builds_dir.iterdir())


@pytest.mark.parametrize("prefix", ["Dev_", "dev-", "1dev_", "dev; drop"])
def test_a_schema_prefix_a_metastore_would_change_is_refused_first(tmp_path, prefix):
    """Refused before the lock, the ingest and any connection (the server
    named here does not exist), and nothing is written."""
    needs_pyhive()
    environment = thrift_environment(free_port())
    environment[spark.SCHEMA_PREFIX_VARIABLE] = prefix
    completed = run_autowatch(
        *build_arguments(tmp_path / "warehouse"), environment=environment
    )
    assert completed.returncode != 0
    assert (
        f"{spark.SCHEMA_PREFIX_VARIABLE}={prefix!r}: a schema prefix is "
        "lower-case letters, digits and underscores"
    ) in completed.stderr
    assert "Traceback" not in completed.stderr
    assert not (tmp_path / "warehouse" / "spark").exists()


def test_connect_and_thrift_together_are_refused(tmp_path):
    environment = thrift_environment(free_port())
    environment[spark.SPARK_REMOTE_VARIABLE] = "sc://localhost:15002"
    completed = run_autowatch(
        *build_arguments(tmp_path / "warehouse"), environment=environment
    )
    assert completed.returncode != 0
    assert (
        f"both {spark.SPARK_REMOTE_VARIABLE} (Spark Connect) and "
        f"{spark.THRIFT_HOST_VARIABLE} (a Thrift server) are set"
    ) in completed.stderr


def test_dbt_thrift_sessions_get_the_settings_the_build_uses():
    """profiles.yml's spark_thrift output and ThriftSql ask for the same."""
    profiles = yaml.safe_load(
        (PROJECT_ROOT / "dbt_project" / "profiles.yml").read_text(encoding="utf-8")
    )
    dbt_settings = profiles["autowatch"]["outputs"]["spark_thrift"][
        "server_side_parameters"
    ]
    build_settings = spark.thrift_session_settings()
    assert set(dbt_settings) == set(build_settings)
    shuffle_key = spark.THRIFT_SETTING_PREFIX + "spark.sql.shuffle.partitions"
    assert spark.SHUFFLE_PARTITIONS_VARIABLE in dbt_settings[shuffle_key]
    assert {
        key: str(value) for key, value in dbt_settings.items() if key != shuffle_key
    } == {key: value for key, value in build_settings.items() if key != shuffle_key}


def test_the_transform_filter_yields_the_rows_of_extraction_rows(tmp_path):
    """What TRANSFORM streams through ``python -m ingest.extraction_stream``
    comes back as the rows the in-process extraction gives, values typed
    as JSON keeps them (dates as ISO text)."""
    curated_rows = {table.table.name: table.rows for table in read_curated(SEEDS_DIR)}
    published = {
        row["article_id"]: row["published_on"] for row in curated_rows["articles"]
    }
    articles = [
        read_article(path) for path in sorted(SAMPLE_ARTICLES_DIR.glob("*.txt"))
    ]
    context_file = tmp_path / "context.pickle"
    context_file.write_bytes(
        pickle.dumps({"curated_rows": curated_rows, "published": published})
    )
    lines = "".join(
        f"{article.article_id}\t{article.text.encode('utf-8').hex()}\n"
        for article in articles
    )
    completed = subprocess.run(
        [sys.executable, "-m", "ingest.extraction_stream", str(context_file)],
        input=lines,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    assert completed.returncode == 0, completed.stderr
    streamed = {name: [] for name in EXTRACTION_TABLES}
    for line in completed.stdout.splitlines():
        name, payload = line.split("\t")
        streamed[name].append(json.loads(payload))

    expected = extraction_rows(
        [
            (article.article_id, article.text, published.get(article.article_id))
            for article in articles
        ],
        matcher_from_rows(curated_rows),
    )
    for name, columns in EXTRACTION_TABLES.items():
        assert expected[name], name
        assert streamed[name] == [
            {
                column: value.isoformat() if isinstance(value, date) else value
                for (column, _), value in zip(columns, row, strict=True)
            }
            for row in expected[name]
        ], name

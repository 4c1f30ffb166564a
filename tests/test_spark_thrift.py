"""Builds through a Spark Thrift Server (``AUTOWATCH_SPARK_THRIFT_HOST``).

PySpark's wheel carries the Thrift server (``HiveThriftServer2``, the
HiveServer2 protocol EMR's and on-premises clusters expose), so a real one
runs here in a process of its own (``local_cluster``, which serves Spark
Connect too), with its own warehouse folder and metastore. A build through
it talks to the server only in SQL through PyHive: it registers the raw
Parquet tables and the live build's tables in its own schemas, extracts
new articles beside the server's tasks (``SELECT TRANSFORM`` through
``python -m ingest.extraction_stream``), dbt (profiles.yml's
``spark_thrift`` output) runs the models and tests the changes reach, and
the catalog switch is SQL too.

One test rebuilds a copy of the session's (local) Spark build after a
curated edit, which reaches a few models only (an article changed would
run every article model, as the Connect test's incremental rebuild
does); another has the server extract an article as such a build does.
"""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest
import yaml
from sqlglot import exp

from ingest import spark
from ingest.articles import read_article
from ingest.curated import read_curated
from ingest.extraction import EXTRACTION_TABLES
from ingest.paths import PROJECT_ROOT
from tests.spark_support import (
    ADDED_FILE,
    ADDED_TEXT,
    ARTICLE_MART,
    EDGE_CASES_DIR,
    HIVE_FUNCTION_REGISTRY_CLASS,
    SAMPLE_ARTICLES_DIR,
    SEEDS_DIR,
    check_catalog_schemas,
    check_extracted_rows,
    check_remote_build_layout,
    check_selection,
    copy_of_session_build,
    free_port,
    needs_pyhive,
    run_autowatch,
    seed_shared_catalog,
    spark_build_arguments,
    table_files,
    thrift_environment,
)
from tests.test_warehouse import edit_row

# A curated table with a small downstream (22 models and tests read it,
# against 87 for the brands): a Thrift build's cost is dbt's statements,
# not the data.
CHANGED_PERSON = "valery_gorbunov"
# Still what the role's evidence quote says.
CHANGED_ROLE_TITLE = "chairman"


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
def test_a_curated_edit_rebuilt_through_a_thrift_server_runs_what_it_reaches(
    spark_build, thrift_port, tmp_path
):
    """A copy of the session's build, rebuilt through the server after one
    person's role title was edited: dbt runs what the roles reach, an
    article mart keeps the live build's files, every mart is the session's
    DuckDB build's but for that one row, and the plain schemas become
    views of the build's schemas.

    No Thrift build here extracts an article or rewrites a partition: the
    server's extraction is the next test's, partition rewrites the Connect
    test's."""
    session_database_file, _ = spark_build
    warehouse_dir = tmp_path / "warehouse"
    spark_dir = copy_of_session_build(spark_build, warehouse_dir)
    previous = spark_dir.live_build()
    article_mart_files = table_files(previous.table_dir("marts", ARTICLE_MART))
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    edit_row(
        seeds / "person_roles.csv",
        "person_code",
        CHANGED_PERSON,
        role_title=CHANGED_ROLE_TITLE,
    )

    client = spark.ThriftSql("localhost", thrift_port, "test")
    try:
        seed_shared_catalog(client)
        completed = run_autowatch(
            *spark_build_arguments(
                warehouse_dir, SAMPLE_ARTICLES_DIR, EDGE_CASES_DIR, seeds_dir=seeds
            ),
            environment=thrift_environment(thrift_port),
        )
        assert completed.returncode == 0, completed.stderr
        live_build = check_remote_build_layout(warehouse_dir)
        assert live_build != previous
        check_selection(
            warehouse_dir,
            live_build,
            "fct_person_role",
            ARTICLE_MART,
            article_mart_files,
        )
        compared, differences = spark.compare_with_duckdb(
            session_database_file, spark_dir
        )
        assert {"dim_article", "fct_mention", "fct_person_role", "fct_target"} <= set(
            compared
        )
        assert sorted(
            str(difference).split(", e.g.")[0] for difference in differences
        ) == [
            "marts.fct_person_role: 1 row(s) only in DuckDB",
            "marts.fct_person_role: 1 row(s) only in Spark",
        ]

        # The shared catalog: this build's schemas, the plain ones as views
        # over them, no earlier build's schema, and other warehouses'.
        check_catalog_schemas(
            {row[0] for row in client.execute("show databases")}, live_build
        )
        assert "fct_person_role" in {
            row[1] for row in client.execute("show views in marts")
        }
        sql = (
            "select person_role.role_title from marts.fct_person_role as person_role"
            " inner join marts.dim_person as person"
            " on person_role.person_id = person.person_id"
            f" where person.person_code = '{CHANGED_PERSON}'"
        )
        assert client.execute(sql) == [(CHANGED_ROLE_TITLE,)]
        assert spark.run_query_on_parquet(spark_dir, sql).rows == [
            (CHANGED_ROLE_TITLE,)
        ]

        # A reporting view's column description longer than the 256
        # characters a Hive metastore keeps is stored cut, not lost.
        comments = {
            column: comment
            for column, _, comment in client.execute(
                f"describe reporting_{live_build.build_id}.announcements_timeline"
            )
        }
        description = column_description(
            warehouse_dir / "dbt_target" / "manifest.json",
            "announcements_timeline",
            "announcement_type",
        )
        assert len(description) > 256
        assert comments["announcement_type"] == description[:255] + "…"
    finally:
        client.close()


@pytest.mark.spark
def test_the_servers_tasks_extract_an_article_as_one_machine_does(
    thrift_port, tmp_path
):
    """``extract_through_sql``, which a Thrift build runs for its added and
    changed articles, on the server: each table's rows for the article
    are those of the single-machine extraction."""
    build = spark.SparkPaths(tmp_path / "spark").start_build()
    build.scratch_dir.mkdir()
    articles_file = tmp_path / "articles" / ADDED_FILE
    articles_file.parent.mkdir()
    articles_file.write_text(ADDED_TEXT, encoding="utf-8")
    article = read_article(articles_file)
    news_articles_dir = build.table_dir("raw", "news_articles")
    news_articles_dir.mkdir(parents=True)
    with duckdb.connect() as connection:
        connection.execute(
            "create table news_articles as "
            "select ?::varchar as article_id, ?::varchar as article_text",
            [article.article_id, article.text],
        )
        connection.execute(
            "copy news_articles to "
            + exp.Literal.string(str(news_articles_dir / "part-0.parquet")).sql(
                dialect="duckdb"
            )
            + " (format parquet)"
        )
    extracted_dir = tmp_path / "extracted"
    curated_rows = {table.table.name: table.rows for table in read_curated(SEEDS_DIR)}
    client = spark.ThriftSql("localhost", thrift_port, "test")
    try:
        extracted = spark.extract_through_sql(
            client, build, curated_rows, extracted_dir, [article.article_id]
        )
    finally:
        client.close()
    assert extracted == list(EXTRACTION_TABLES)
    with duckdb.connect() as connection:
        for table in EXTRACTION_TABLES:
            connection.execute(
                f"create table {table} as select * from read_parquet(?)",
                [str(extracted_dir / table / "*.parquet")],
            )
        check_extracted_rows(connection, "{table}", article.article_id, article.text)


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

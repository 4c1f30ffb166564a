"""The same dbt project on Apache Spark, compared row for row with DuckDB.

One Spark build (``spark_build`` in tests/spark_support.py, shared with
test_spark_atomic.py) of the sample articles plus crafted RU/EN edge
cases; then a DuckDB build of the very Parquet files Spark read; then
every mart is compared: same columns, same types, and no row on one side
that the other lacks.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sys
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from ingest import spark
from ingest.cli import cli
from ingest.paths import default_paths
from ingest.warehouse import ingest, table_name
from tests.spark_support import (
    SAMPLE_ARTICLES_DIR,
    SEEDS_DIR,
    folder_fingerprint,
    run_autowatch,
    spark_unavailable_reason,
)
from tests.test_notebook import (
    CHART_NAME,
    PNG_SIGNATURE,
    assert_shows_brands_per_plant,
    code_cell_text,
    run_notebook,
)


@pytest.mark.spark
def test_every_mart_is_identical_on_both_engines(spark_build):
    database_file, spark_dir = spark_build
    compared, differences = spark.compare_with_duckdb(database_file, spark_dir)
    assert {"dim_article", "dim_date", "fct_mention", "fct_target"} <= set(compared)
    assert [str(difference) for difference in differences] == []


@pytest.mark.spark
def test_raw_hand_off_is_what_both_engines_read(spark_build):
    database_file, spark_dir = spark_build
    compared, differences = spark.compare_with_duckdb(
        database_file, spark_dir, schema="raw"
    )
    assert "news_articles" in compared
    assert [str(difference) for difference in differences] == []


@pytest.fixture(scope="module")
def single_machine_ingest(tmp_path_factory):
    """The sample articles' raw tables as a DuckDB build's ingest writes
    them (extraction in worker processes), without its dbt run."""
    database_file = tmp_path_factory.mktemp("single_machine") / "ingested.duckdb"
    ingest(
        default_paths((SAMPLE_ARTICLES_DIR,), SEEDS_DIR, database_file.parent),
        database_file,
    )
    connection = duckdb.connect(str(database_file), read_only=True)
    yield connection
    connection.close()


@pytest.mark.spark
@pytest.mark.parametrize(
    "table",
    ["article_bodies", "extracted_mentions", "extracted_figures", "extracted_periods"],
)
def test_extraction_in_executors_equals_the_single_machine_extraction(
    spark_build, single_machine_ingest, table
):
    """mapInArrow over Spark's executors yields the rows the DuckDB build's
    worker processes yield, for every sample article."""
    _, spark_dir = spark_build
    connection = spark.connect_parquet_tables(spark_dir)
    try:
        sample_ids = [
            article_id
            for (article_id,) in single_machine_ingest.execute(
                "select article_id from raw.news_articles"
            ).fetchall()
        ]
        query = (
            f"select * from raw.{table} where list_contains(?, article_id) order by all"
        )
        spark_rows = connection.execute(query, [sample_ids]).fetchall()
        duckdb_rows = single_machine_ingest.execute(query, [sample_ids]).fetchall()
    finally:
        connection.close()
    assert spark_rows
    assert spark_rows == duckdb_rows


@pytest.mark.spark
def test_edge_cases_reach_the_compared_marts(spark_build):
    """The crafted articles produce the rows the comparison must cover."""
    database_file, spark_dir = spark_build
    connection = spark.connect_parquet_tables(spark_dir)
    try:
        file_names = {
            name
            for (name,) in connection.execute(
                "select file_name from marts.dim_article"
            ).fetchall()
        }
        assert {"ru_case_folding.txt", "en_nulls_and_boundaries.txt"} <= file_names
        # Upper-case and inflected Cyrillic forms are found, "Автоторный"
        # (a longer word) is not, and a repeated sentence yields one
        # mention per occurrence with the same sentence text.
        surfaces = connection.execute(
            "select mention.surface_text, mention.sentence_text "
            "from marts.fct_mention as mention "
            "inner join marts.dim_article as article "
            "on mention.article_id = article.article_id "
            "where article.file_name = ?",
            ["ru_case_folding.txt"],
        ).fetchall()
        surface_texts = [surface for surface, _ in surfaces]
        assert "АВТОТОР" in surface_texts
        assert "АВТОТОРЕ" in surface_texts
        assert not any("Автоторн" in text for text in surface_texts)
        sentences = [sentence for _, sentence in surfaces]
        repeated = "Калининградский завод «Автотор» в 2024 году собрал 50 тыс."
        assert sum(1 for sentence in sentences if sentence.startswith(repeated)) == 2
        # Names no alias covers reach the curators' queue.
        candidates = connection.execute(
            "select surface_text from marts.review_queue "
            "where review_kind = 'candidate_entity' order by surface_text"
        ).fetchall()
        assert candidates == [("Baltic Motors",), ("Pskov Oblast",)]
        # Articles without curated metadata keep null metadata on Spark too.
        null_outlets = connection.execute(
            "select count(*) from marts.dim_article "
            "where outlet_company_id is null and file_name like '%.txt'"
        ).fetchone()[0]
        assert null_outlets >= 2
    finally:
        connection.close()


@pytest.mark.spark
def test_query_reads_the_spark_build_without_java(spark_build):
    database_file, spark_dir = spark_build
    sql = "select brand_code, brand_name from marts.dim_brand order by brand_code"
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "query",
            "--target",
            "spark",
            "--warehouse-dir",
            str(spark_dir.root.parent),
            "--format",
            "csv",
            sql,
        ],
        env={"JAVA_HOME": "/nonexistent", "PATH": "/nonexistent"},
    )
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(database_file), read_only=True) as connection:
        expected = connection.execute(sql).fetchall()
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "brand_code,brand_name"
    assert lines[1:] == [f"{code},{name}" for code, name in expected]


@pytest.mark.spark
def test_reporting_views_read_without_java_equal_the_duckdb_builds(spark_build):
    database_file, spark_dir = spark_build
    compared, differences = spark.compare_with_duckdb(
        database_file, spark_dir, schema="reporting"
    )
    assert {"plant_brands", "targets_timeline"} <= set(compared)
    assert [str(difference) for difference in differences] == []
    with duckdb.connect(str(database_file), read_only=True) as connection:
        for view in compared:
            (count,) = connection.execute(
                f"select count(*) from {table_name('reporting', view)}"
            ).fetchone()
            assert count, view


@pytest.mark.spark
def test_the_notebook_reads_the_spark_build(spark_build, tmp_path):
    database_file, spark_dir = spark_build
    notebook = run_notebook(
        {
            "AUTOWATCH_NOTEBOOK_TARGET": "spark",
            "AUTOWATCH_WAREHOUSE_DIR": str(spark_dir.root.parent),
            "AUTOWATCH_NOTEBOOK_OUTPUT_DIR": str(tmp_path),
        }
    )
    assert f"reading the Spark build in {spark_dir.root}" in code_cell_text(
        notebook.cells[1]
    )
    with duckdb.connect(str(database_file), read_only=True) as connection:
        assert_shows_brands_per_plant(notebook, connection)
    assert (tmp_path / CHART_NAME).read_bytes().startswith(PNG_SIGNATURE)


@pytest.mark.spark
def test_bad_input_leaves_the_spark_warehouse_as_it_was(spark_build, tmp_path):
    _, spark_dir = spark_build
    live_build = spark_dir.live_build()
    before = folder_fingerprint(live_build.root)
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    brands = seeds / "brands.csv"
    lines = brands.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1] + ",unexpected"
    brands.write_text("\n".join(lines) + "\n", encoding="utf-8")
    completed = run_autowatch(
        "build",
        "--target",
        "spark",
        "--warehouse-dir",
        str(spark_dir.root.parent),
        "--seeds",
        str(seeds),
    )
    assert completed.returncode == 1
    assert f"{brands}:2:" in completed.stderr
    assert spark_dir.live_build() == live_build
    assert folder_fingerprint(live_build.root) == before


def test_missing_java_is_one_line_with_the_install_command(tmp_path):
    environment = dict(os.environ)
    environment["JAVA_HOME"] = str(tmp_path / "no-java")
    environment["PATH"] = str(Path(sys.executable).parent)
    completed = run_autowatch(
        "build",
        "--target",
        "spark",
        "--warehouse-dir",
        str(tmp_path / "warehouse"),
        environment=environment,
    )
    assert completed.returncode == 1
    message = completed.stderr.strip()
    if "pyspark" in message:
        assert message.endswith(spark.SPARK_INSTALL_COMMAND)
    else:
        assert message == (
            "Error: --target spark needs Java 17 or newer (no java on PATH or "
            f"in JAVA_HOME); install it with: {spark.JAVA_INSTALL_COMMAND}"
        )
    assert not (tmp_path / "warehouse" / "spark" / "builds").exists()


def test_a_second_spark_build_is_refused_while_one_holds_the_lock(tmp_path):
    if spark_unavailable_reason() is not None:
        pytest.skip(f"Spark cannot run here: {spark_unavailable_reason()}")
    spark_dir = tmp_path / "spark"
    spark_dir.mkdir()
    with open(spark_dir / ".build.lock", "a+") as lock_handle:
        fcntl.flock(lock_handle, fcntl.LOCK_EX)
        completed = run_autowatch(
            "build", "--target", "spark", "--warehouse-dir", str(tmp_path)
        )
    assert completed.returncode == 1
    assert "another build is running" in completed.stderr


def test_spark_state_paths_are_absolute_whatever_the_working_directory(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(spark.SPARK_DIRECTORY_VARIABLE, raising=False)
    paths = default_paths(warehouse_dir=Path("relative-warehouse"))
    spark_dir = spark.spark_paths(paths)
    build = spark_dir.build_paths("build_example")
    config = spark.session_config(build)
    assert spark_dir.root == tmp_path / "relative-warehouse" / "spark"
    assert build.root == spark_dir.root / "builds" / "build_example"
    assert config["spark.sql.warehouse.dir"] == str(build.warehouse_dir)
    assert Path(config["spark.sql.warehouse.dir"]).is_absolute()
    assert (
        f"databaseName={build.metastore_dir};"
        in (config["spark.hadoop.javax.jdo.option.ConnectionURL"])
    )
    assert config["spark.ui.enabled"] == "false"


def test_a_build_recorded_before_column_types_is_rebuilt_in_full(tmp_path):
    """``tables.json`` of an older build (a Spark JSON schema, no column
    types) gives no tables to start from: the next build is a full one."""
    build = spark.SparkPaths(tmp_path / "spark").start_build()
    assert spark.recorded_tables(build) is None
    entry = {"schema": "marts", "table": "dim_brand", "partition_columns": []}
    build.tables_manifest.write_text(
        json.dumps([{**entry, "spark_schema": '{"type": "struct", "fields": []}'}]),
        encoding="utf-8",
    )
    assert spark.recorded_tables(build) is None
    current = [{**entry, "columns": [["brand_code", "string"]]}]
    build.tables_manifest.write_text(json.dumps(current), encoding="utf-8")
    assert spark.recorded_tables(build) == current

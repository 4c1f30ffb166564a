"""A Spark rebuild updates the live build's tables instead of recreating them.

Starts from a copy of the session's one Spark build (``spark_build``), then
rebuilds on Spark with one article added, one changed (the same text in
another file) and one removed. Checks that:

- ``raw.article_changes`` lists exactly those three;
- only the added article went through Spark's extraction, the others'
  extraction rows are the ones the ingester copied from the live build;
- in every incremental mart, each ``article_bucket`` partition of no
  affected article holds the very files of the live build (same names,
  same inodes: hard links, never rewritten), and each affected one holds
  new files;
- dbt ran only what depends on the articles (a curated-only mart is not
  rebuilt);
- every mart equals, row for row, a DuckDB build of the same raw tables.

One Spark build beyond the session's.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from ingest import dbt, spark
from ingest.paths import default_paths
from tests.spark_support import (
    CURATED_ONLY_MART,
    EDGE_CASES_DIR,
    SAMPLE_ARTICLES_DIR,
    check_only_article_nodes_ran,
    environment_without_spark_folder,
    run_autowatch,
    spark_build_arguments,
    table_files,
)

pytestmark = [pytest.mark.spark, pytest.mark.slow]

INCREMENTAL_MARTS = (
    "dim_article",
    "fct_mention",
    "fct_extracted_figure",
    "fct_extracted_period",
)
CHANGED_FILE = "en_nulls_and_boundaries.txt"
REMOVED_FILE = "ru_case_folding.txt"
ADDED_FILE = "en_added_for_rebuild.txt"
# Made up for this test: a curated alias, a figure and a period, so the
# added article has rows in every incremental mart.
ADDED_TEXT = """\
Avtotor expands assembly in Kaliningrad

Avtotor said on Monday that it will assemble up to 30,000 BAIC cars
in 2025 at its Kaliningrad site, after a test run in the fourth quarter
of 2024.
"""


def partition_files(table_dir: Path) -> dict[str, list[tuple[str, int]]]:
    """``article_bucket=<n>`` folder -> its files' (name, inode), sorted."""
    return {
        partition.name: sorted(
            (path.name, path.stat().st_ino)
            for path in partition.iterdir()
            if path.is_file()
        )
        for partition in table_dir.iterdir()
        if partition.is_dir() and partition.name.startswith("article_bucket=")
    }


def article_ids_by_file(build: spark.SparkBuildPaths) -> dict[str, str]:
    connection = spark.connect_parquet_tables(build)
    try:
        return dict(
            connection.execute(
                "select file_name, article_id from raw.news_articles"
            ).fetchall()
        )
    finally:
        connection.close()


def buckets_of(build: spark.SparkBuildPaths, article_ids: list[str]) -> set[int]:
    connection = spark.connect_parquet_tables(build)
    try:
        return {
            bucket
            for (bucket,) in connection.execute(
                "select distinct article_bucket from marts.dim_article "
                "where list_contains(?, article_id)",
                [article_ids],
            ).fetchall()
        }
    finally:
        connection.close()


def parquet_article_ids(files: list[Path]) -> set[str]:
    if not files:
        return set()
    connection = duckdb.connect()
    try:
        return {
            article_id
            for (article_id,) in connection.execute(
                "select distinct article_id from read_parquet(?)",
                [[str(path) for path in files]],
            ).fetchall()
        }
    finally:
        connection.close()


def test_a_spark_rebuild_recomputes_only_the_changed_articles(spark_build, tmp_path):
    _, session_spark_dir = spark_build
    warehouse_dir = tmp_path / "warehouse"
    # A copy, so the session's build stays what the other Spark tests read.
    shutil.copytree(session_spark_dir.root, warehouse_dir / "spark", symlinks=True)
    spark_dir = spark.SparkPaths(warehouse_dir / "spark")
    live = spark_dir.live_build()
    assert live is not None and live.tables_manifest.is_file()

    previous_ids = article_ids_by_file(live)
    changed_id = previous_ids[CHANGED_FILE]
    removed_id = previous_ids[REMOVED_FILE]
    previous_partitions = {
        mart: partition_files(live.table_dir("marts", mart))
        for mart in INCREMENTAL_MARTS
    }
    previous_curated_only = table_files(live.table_dir("marts", CURATED_ONLY_MART))
    previous_buckets = buckets_of(live, [changed_id, removed_id])

    # The changed article keeps its text (so its id) in another file; the
    # removed one is in no directory any more.
    rebuild_articles = tmp_path / "articles"
    rebuild_articles.mkdir()
    shutil.copyfile(EDGE_CASES_DIR / CHANGED_FILE, rebuild_articles / CHANGED_FILE)
    (rebuild_articles / ADDED_FILE).write_text(ADDED_TEXT, encoding="utf-8")

    completed = run_autowatch(
        *spark_build_arguments(warehouse_dir, SAMPLE_ARTICLES_DIR, rebuild_articles),
        environment=environment_without_spark_folder(),
    )
    assert completed.returncode == 0, completed.stderr
    rebuilt = spark_dir.live_build()
    assert rebuilt is not None and rebuilt != live
    current_ids = article_ids_by_file(rebuilt)
    added_id = current_ids[ADDED_FILE]

    connection = spark.connect_parquet_tables(rebuilt)
    try:
        changes = set(
            connection.execute(
                "select article_id, change_kind from raw.article_changes"
            ).fetchall()
        )
    finally:
        connection.close()
    assert changes == {
        (added_id, "added"),
        (changed_id, "changed"),
        (removed_id, "removed"),
    }

    # The ingester wrote part-0.parquet with the copied extraction rows;
    # every other file is Spark's, from the articles it extracted.
    bodies_dir = rebuilt.table_dir("raw", "article_bodies")
    spark_files = [
        path for path in bodies_dir.glob("*.parquet") if path.name != "part-0.parquet"
    ]
    assert parquet_article_ids(spark_files) == {added_id}
    assert parquet_article_ids([bodies_dir / "part-0.parquet"]) == (
        set(current_ids.values()) - {added_id}
    )

    affected_buckets = previous_buckets | buckets_of(rebuilt, [added_id])
    for mart in INCREMENTAL_MARTS:
        current = partition_files(rebuilt.table_dir("marts", mart))
        untouched = {
            name: files
            for name, files in previous_partitions[mart].items()
            if int(name.split("=")[1]) not in affected_buckets
        }
        assert untouched, mart
        for name, files in untouched.items():
            assert current.get(name) == files, f"{mart}/{name} was rewritten"
        for name, files in previous_partitions[mart].items():
            if int(name.split("=")[1]) in affected_buckets and name in current:
                old_names = {file_name for file_name, _ in files}
                assert not old_names & {file_name for file_name, _ in current[name]}, (
                    f"{mart}/{name} was not rewritten"
                )

    (added_bucket,) = buckets_of(rebuilt, [added_id])
    assert f"article_bucket={added_bucket}" in partition_files(
        rebuilt.table_dir("marts", "dim_article")
    )

    check_only_article_nodes_ran(warehouse_dir, rebuilt, previous_curated_only)

    duckdb_dir = tmp_path / "duckdb"
    duckdb_dir.mkdir()
    database_file = duckdb_dir / "autowatch.duckdb"
    spark.load_handoff(rebuilt.raw_dir, database_file)
    dbt.build(default_paths(warehouse_dir=duckdb_dir), database_file)
    compared, differences = spark.compare_with_duckdb(database_file, spark_dir)
    assert set(INCREMENTAL_MARTS) <= set(compared)
    assert [str(difference) for difference in differences] == []
    assert not os.path.exists(live.root)

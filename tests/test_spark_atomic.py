"""A Spark build that fails or dies half-way leaves the live one readable.

Each build writes a folder of its own under ``<spark>/builds/`` (warehouse,
Derby metastore, raw hand-off) and ``<spark>/current`` is switched to it
only after ``dbt build`` passed. Both tests start from the session's one
Spark build (``spark_build``) and check that, after a build that failed a
data test (a rebuild after a curated edit, through the session's Thrift
server, so a build on a shared catalog cleans up after itself too) or
was killed, its Parquet tables still hold the old rows and its folder is
byte for byte what it was.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from ingest import spark
from ingest.paths import PROJECT_ROOT, default_paths
from ingest.warehouse import STOP_AT_PHASE_VARIABLE
from tests.spark_support import (
    EDGE_CASES_DIR,
    SAMPLE_ARTICLES_DIR,
    SEEDS_DIR,
    autowatch_command,
    environment_without_spark_folder,
    folder_fingerprint,
    needs_pyhive,
    run_autowatch,
    spark_build_arguments,
    thrift_environment,
)
from tests.test_bad_inputs import CURATED_CASES
from tests.test_crash import wait_until_stopped
from tests.test_warehouse import edit_row

# Only guards against a hang; no test asserts on time.
HANG_GUARD_SECONDS = 1800
POLL_SECONDS = 0.5

TARGETS_SQL = (
    "select target_code, value_low, evidence_quote "
    "from marts.fct_target order by target_code"
)
BRANDS_SQL = "select brand_code, note from marts.dim_brand order by brand_code"
ARTICLES_SQL = "select file_name, article_id from marts.dim_article order by file_name"
# The bad-input catalogue's stale review decision: only a dbt test sees
# it, and its curated table has a small downstream.
(STALE_DECISION_CASE,) = [
    case for case in CURATED_CASES if case["name"] == "stale_review_decision"
]
CHANGED_BRAND = "baic"


def live_rows(spark_dir: spark.SparkPaths, sql: str) -> list[tuple]:
    """Rows read the way `autowatch query --target spark` reads them."""
    return spark.run_query_on_parquet(spark_dir, sql).rows


def build_arguments(spark_dir: spark.SparkPaths, seeds_dir: Path) -> list[str]:
    return spark_build_arguments(
        spark_dir.root.parent, SAMPLE_ARTICLES_DIR, EDGE_CASES_DIR, seeds_dir=seeds_dir
    )


@pytest.mark.spark
def test_a_failing_rebuild_through_a_server_leaves_the_previous_warehouse(
    spark_build, local_cluster, tmp_path
):
    """A rebuild through the Thrift server, started from hard links of the
    live build's tables, whose dbt tests fail: the live build's files are
    byte for byte what they were, it stays the one ``current`` names, and
    the shared catalog keeps none of the failed build's schemas.

    That a rewrite of hard-linked partitions leaves the live build's files
    alone is the Connect test's to show (its rebuild changes articles);
    here only a curated table changes, so the failure costs few nodes."""
    needs_pyhive()
    _, spark_dir = spark_build
    live_build = spark_dir.live_build()
    fingerprint = folder_fingerprint(live_build.root)
    targets_before = live_rows(spark_dir, TARGETS_SQL)
    articles_before = live_rows(spark_dir, ARTICLES_SQL)
    assert targets_before and articles_before

    # A review decision names an item the review queue does not have,
    # which only a dbt test can see once the queue is built.
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    with (seeds / "review_decisions.csv").open("a", encoding="utf-8") as decisions:
        decisions.write(STALE_DECISION_CASE["append_line"] + "\n")
    client = spark.ThriftSql("localhost", local_cluster.thrift_port, "test")
    try:
        databases_before = {row[0] for row in client.execute("show databases")}
        completed = run_autowatch(
            *build_arguments(spark_dir, seeds),
            environment=thrift_environment(local_cluster.thrift_port),
        )
        databases_after = {row[0] for row in client.execute("show databases")}
    finally:
        client.close()

    assert completed.returncode == 1, completed.stderr
    assert "dbt build on Spark failed" in completed.stderr
    assert "test review_decision_names_an_item_of_review_queue" in completed.stderr
    assert "article_id='111bb94c199a4ff5'" in completed.stderr
    assert databases_after == databases_before
    assert spark_dir.live_build() == live_build
    assert folder_fingerprint(live_build.root) == fingerprint
    # The failed build's folder is gone; only the live one remains.
    assert [entry.name for entry in spark_dir.builds_dir.iterdir()] == [
        live_build.build_id
    ]
    assert live_rows(spark_dir, TARGETS_SQL) == targets_before
    assert live_rows(spark_dir, ARTICLES_SQL) == articles_before


@pytest.mark.spark
def test_a_killed_spark_build_leaves_the_live_one_and_frees_the_lock(
    spark_build, tmp_path
):
    """Killed after Spark extracted and registered the new raw tables, just
    before dbt: the live build is untouched, a second builder is refused
    while the first holds the lock, and the lock is free once it died."""
    _, spark_dir = spark_build
    live_build = spark_dir.live_build()
    fingerprint = folder_fingerprint(live_build.root)
    brands_before = live_rows(spark_dir, BRANDS_SQL)
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    edit_row(
        seeds / "brands.csv",
        "brand_code",
        CHANGED_BRAND,
        note="changed by a build that is killed",
    )
    environment = environment_without_spark_folder()
    environment[STOP_AT_PHASE_VARIABLE] = "spark-raw-registered"
    stderr_file = tmp_path / "stderr.txt"
    with open(stderr_file, "w") as stderr:
        # A session of its own, so that one signal reaches the build, the
        # JVM it started and Spark's Python workers.
        process = subprocess.Popen(
            autowatch_command(*build_arguments(spark_dir, seeds)),
            env=environment,
            cwd=PROJECT_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )
    try:
        wait_until_stopped(
            process,
            stderr_file,
            hang_guard_seconds=HANG_GUARD_SECONDS,
            poll_seconds=POLL_SECONDS,
        )
        unfinished = [
            entry
            for entry in spark_dir.builds_dir.iterdir()
            if entry.name != live_build.build_id
        ]
        assert len(unfinished) == 1
        assert (unfinished[0] / "raw" / "news_articles").is_dir()

        second = run_autowatch(
            *build_arguments(spark_dir, SEEDS_DIR),
            environment=environment_without_spark_folder(),
        )
        assert second.returncode == 1
        assert "another build is running" in second.stderr
        assert live_rows(spark_dir, BRANDS_SQL) == brands_before
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    assert spark_dir.live_build() == live_build
    assert folder_fingerprint(live_build.root) == fingerprint
    assert live_rows(spark_dir, BRANDS_SQL) == brands_before
    # The kernel dropped the dead build's lock: the next builder gets it at
    # once and removes the unfinished folder, as a build does first thing.
    paths = default_paths(warehouse_dir=spark_dir.root.parent)
    with spark.spark_lock(spark_dir, paths, wait=False):
        spark.remove_stale_builds(spark_dir)
    assert [entry.name for entry in spark_dir.builds_dir.iterdir()] == [
        live_build.build_id
    ]
    assert folder_fingerprint(live_build.root) == fingerprint


def test_switching_the_live_build_is_one_rename(tmp_path):
    """``current`` always names a whole build: the old one until the new
    link replaces it, and readers resolve it once."""
    spark_dir = spark.SparkPaths(tmp_path / "spark")
    first = spark_dir.start_build()
    second = spark_dir.start_build()
    assert first != second
    assert first.build_id.startswith(spark.BUILD_PREFIX)
    assert first.build_id == first.build_id.lower()
    assert first.build_id.replace("_", "").isalnum()
    assert spark_dir.live_build() is None
    with pytest.raises(spark.MissingSparkWarehouseError):
        spark.connect_parquet_tables(spark_dir)

    spark.switch_live_build(spark_dir, first)
    assert spark_dir.live_build() == first
    assert not os.readlink(spark_dir.current_link).startswith("/")
    spark.switch_live_build(spark_dir, second)
    assert spark_dir.live_build() == second
    assert not (spark_dir.root / "current.new").exists()

    # Old layout (before builds had folders) and the replaced build go.
    (spark_dir.root / "warehouse" / "marts.db").mkdir(parents=True)
    (spark_dir.root / "derby.log").write_text("old", encoding="utf-8")
    spark.remove_stale_builds(spark_dir)
    assert [entry.name for entry in spark_dir.builds_dir.iterdir()] == [second.build_id]
    assert sorted(entry.name for entry in spark_dir.root.iterdir()) == [
        "builds",
        "current",
    ]

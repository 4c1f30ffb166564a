"""What the Spark tests share: the one Spark build of the session.

A full Spark build costs minutes, so test_spark.py (the cross-engine
comparison), test_spark_atomic.py (failed and killed builds must leave
it intact) and test_spark_incremental.py (a rebuild of a copy of it) use
the same one; conftest.py registers ``spark_build``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ingest import dbt, spark
from ingest.paths import PROJECT_ROOT, default_paths

EDGE_CASES_DIR = Path(__file__).parent / "spark_edge_cases"
SAMPLE_ARTICLES_DIR = PROJECT_ROOT / "data" / "articles"
SEEDS_DIR = PROJECT_ROOT / "seeds"


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
        "build",
        "--target",
        "spark",
        "--warehouse-dir",
        str(root),
        "--articles",
        str(SAMPLE_ARTICLES_DIR),
        "--articles",
        str(EDGE_CASES_DIR),
        "--seeds",
        str(SEEDS_DIR),
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

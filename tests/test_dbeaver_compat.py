"""Older DuckDB clients (DBeaver's driver lags the Python package) can open
the warehouse: checked with the real duckdb-cli 1.5 release from PyPI."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from ingest.cli import cli
from tests.conftest import copy_warehouse

OLD_CLIENT_REQUIREMENT = "duckdb-cli==1.5.*"
OLD_CLIENT_VERSION_PREFIX = "v1.5."

# pip's words for "the package index could not be reached".
NETWORK_FAILURES = (
    "NewConnectionError",
    "Max retries exceeded",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "ProxyError",
)


def client_version(executable: Path) -> str:
    completed = subprocess.run(
        [str(executable), "--version"], capture_output=True, text=True, check=True
    )
    return completed.stdout.strip()


@pytest.fixture(scope="module")
def old_duckdb_client(request) -> Path:
    """The duckdb 1.5 CLI in its own venv, kept in pytest's cache."""
    venv_dir = Path(request.config.cache.mkdir("duckdb-cli-1.5")) / "venv"
    executable = venv_dir / "bin" / "duckdb"
    if executable.exists() and client_version(executable).startswith(
        OLD_CLIENT_VERSION_PREFIX
    ):
        return executable
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv_dir)], check=True)
    installed = subprocess.run(
        [
            str(venv_dir / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            OLD_CLIENT_REQUIREMENT,
        ],
        capture_output=True,
        text=True,
    )
    if installed.returncode != 0:
        if any(failure in installed.stderr for failure in NETWORK_FAILURES):
            pytest.skip(f"PyPI unreachable, cannot install {OLD_CLIENT_REQUIREMENT}")
        pytest.fail(f"pip install {OLD_CLIENT_REQUIREMENT} failed:\n{installed.stderr}")
    assert client_version(executable).startswith(OLD_CLIENT_VERSION_PREFIX)
    return executable


def query_with(executable: Path, database_file: Path, sql: str):
    """Run SQL read-only in the old client; return (return code, rows, stderr)."""
    completed = subprocess.run(
        [str(executable), "-readonly", "-csv", str(database_file), "-c", sql],
        capture_output=True,
        text=True,
    )
    rows = list(csv.reader(io.StringIO(completed.stdout)))
    return completed.returncode, rows, completed.stderr


def test_old_client_reads_the_built_warehouse(
    old_duckdb_client, built_paths, warehouse
):
    (expected_count,) = warehouse.execute(
        "select count(*) from reporting.plant_brands"
    ).fetchone()

    return_code, rows, stderr = query_with(
        old_duckdb_client,
        built_paths.warehouse_file,
        "select count(*) as plant_brand_count from reporting.plant_brands",
    )

    assert (return_code, stderr) == (0, "")
    assert rows == [["plant_brand_count"], [str(expected_count)]]


def test_old_client_sees_the_docs_as_comments(
    old_duckdb_client, built_paths, warehouse
):
    sql = (
        "select table_name, column_name, comment from duckdb_columns() "
        "where schema_name = 'reporting' and table_name = 'targets_timeline' "
        "order by column_index"
    )
    expected = [
        [table, column, comment]
        for table, column, comment in warehouse.execute(sql).fetchall()
    ]

    return_code, rows, stderr = query_with(
        old_duckdb_client, built_paths.warehouse_file, sql
    )

    assert (return_code, stderr) == (0, "")
    assert len(expected) > 10
    assert rows[1:] == expected
    assert all(comment for _, _, comment in expected)


def test_default_settings_would_lock_the_old_client_out(old_duckdb_client, tmp_path):
    """The control: why the build sets storage_compatibility_version."""
    if duckdb.__version__.startswith("1."):
        pytest.skip(f"duckdb {duckdb.__version__} writes a format 1.5 reads anyway")
    default_file = tmp_path / "default.duckdb"
    connection = duckdb.connect(str(default_file))
    connection.execute("create table answer as select 42 as value")
    connection.close()

    return_code, _, stderr = query_with(
        old_duckdb_client, default_file, "select value from answer"
    )

    assert return_code != 0
    assert "Trying to read a database file with version number" in stderr


def test_old_client_reads_the_warehouse_after_lineage_is_written(
    old_duckdb_client, built_paths, tmp_path
):
    paths = copy_warehouse(built_paths, tmp_path / "warehouse")
    result = CliRunner().invoke(
        cli, ["lineage", "--all", "--warehouse-dir", str(paths.warehouse_dir)]
    )
    assert result.exit_code == 0, result.output

    return_code, rows, stderr = query_with(
        old_duckdb_client,
        paths.warehouse_file,
        "select upstream_schema, upstream_relation, upstream_column_name "
        "from meta.column_lineage where column_relation = 'fct_target' "
        "and column_name = 'value_low' and upstream_kind = 'source'",
    )

    assert (return_code, stderr) == (0, "")
    assert rows[1:] == [["raw", "curated_targets", "value_low"]]

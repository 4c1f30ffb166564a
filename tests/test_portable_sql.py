"""Every compiled mart transpiles to Spark and Trino SQL without error, so
the marts can later run on a distributed engine."""

from __future__ import annotations

import json

import pytest
import sqlglot
from sqlglot.errors import ErrorLevel, UnsupportedError

TARGET_DIALECTS = ("spark", "trino")
PORTABLE_SCHEMAS = ("marts", "reporting")


def compiled_models(paths) -> dict[str, str]:
    manifest = json.loads(
        (paths.dbt_target_dir / "manifest.json").read_text(encoding="utf-8")
    )
    return {
        node["name"]: node["compiled_code"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] in PORTABLE_SCHEMAS
    }


def transpile(sql: str, dialect: str) -> str:
    """DuckDB SQL in ``dialect``; raises on anything it cannot express."""
    (statement,) = sqlglot.transpile(
        sql,
        read="duckdb",
        write=dialect,
        unsupported_level=ErrorLevel.RAISE,
        error_level=ErrorLevel.RAISE,
    )
    return statement


def test_every_mart_was_compiled(built_paths):
    models = compiled_models(built_paths)

    assert "fct_target" in models
    assert "plant_brands" in models
    assert all(sql.strip() for sql in models.values())


@pytest.mark.parametrize("dialect", TARGET_DIALECTS)
def test_every_compiled_mart_transpiles(built_paths, dialect):
    failures = {}
    for name, sql in sorted(compiled_models(built_paths).items()):
        try:
            transpiled = transpile(sql, dialect)
            # What was written must read back in the target dialect.
            sqlglot.parse_one(transpiled, read=dialect)
        except sqlglot.errors.SqlglotError as error:
            failures[name] = str(error)

    assert failures == {}


def test_the_check_catches_duckdb_only_sql():
    with pytest.raises(UnsupportedError):
        transpile("pivot marts.fct_target on metric using sum(value_low)", "trino")


def test_reporting_views_are_created_after_the_views_they_read(built_paths, tmp_path):
    """A Spark build's reporting views are recreated in DuckDB for readers
    without Java, and DuckDB binds a view when it is created: in the order
    given, each view finds the ones it reads (plant_brand_status reads
    plant_brands, which sorts after it)."""
    import duckdb

    from ingest.spark import _in_dependency_order
    from tests.conftest import copy_warehouse

    views = {
        name: sql
        for name, sql in compiled_models(built_paths).items()
        if name in {"plant_brand_status", "plant_brands", "targets_timeline"}
    }
    order = _in_dependency_order(
        {name: sqlglot.parse_one(sql, read="duckdb") for name, sql in views.items()}
    )
    assert order.index("plant_brands") < order.index("plant_brand_status")
    paths = copy_warehouse(built_paths, tmp_path / "warehouse")
    with duckdb.connect(str(paths.warehouse_file)) as connection:
        for name in views:
            connection.execute(f"drop view reporting.{name}")
        for name in order:
            connection.execute(f"create view reporting.{name} as {views[name]}")
        (count,) = connection.execute(
            "select count(*) from reporting.plant_brand_status"
        ).fetchone()
    assert count > 0

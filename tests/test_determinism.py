"""Deterministic builds: the same inputs give the same marts, and an article
keeps its key when its file is renamed or moved.

The first build is the session's shared warehouse; each test adds one real
build from a copy of the inputs in a temp dir.
"""

from __future__ import annotations

import duckdb
import pytest

from ingest.warehouse import build, identifier, table_fingerprints, table_name
from tests.conftest import ARTICLES_DIR

pytestmark = pytest.mark.slow

# Schemas analysts read; raw holds file paths and load times by design.
ANALYST_SCHEMAS = ("marts", "reporting")

# Columns that record when the build ran, not what the inputs say; they
# are the only thing allowed to differ between two builds.
BUILD_TIME_COLUMNS = frozenset({"marts.dim_article.ingested_at"})

# Where an article's file is named; a rename must change only these.
FILE_NAME_COLUMNS = frozenset({"marts.dim_article.file_name"})


def fingerprints(warehouse_file, ignored_columns=BUILD_TIME_COLUMNS):
    connection = duckdb.connect(str(warehouse_file), read_only=True)
    try:
        return table_fingerprints(connection, ANALYST_SCHEMAS, ignored_columns)
    finally:
        connection.close()


def column_types(warehouse_file, qualified_columns) -> dict[str, str]:
    connection = duckdb.connect(str(warehouse_file), read_only=True)
    try:
        return {
            qualified: connection.execute(
                "select data_type from information_schema.columns "
                "where table_schema = ? and table_name = ? and column_name = ?",
                qualified.split("."),
            ).fetchone()
            for qualified in qualified_columns
        }
    finally:
        connection.close()


def primary_keys(warehouse_file) -> dict[str, set]:
    """Every mart's ``<entity>_id`` key column, as a set of values."""
    connection = duckdb.connect(str(warehouse_file), read_only=True)
    try:
        first_columns = connection.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'marts' and ordinal_position = 1 "
            "and column_name like '%\\_id' escape '\\'"
        ).fetchall()
        return {
            table: {
                value
                for (value,) in connection.execute(
                    "select {column} from {table}".format(
                        column=identifier(column), table=table_name("marts", table)
                    )
                ).fetchall()
            }
            for table, column in first_columns
        }
    finally:
        connection.close()


def test_build_time_columns_exist_and_hold_timestamps(built_paths):
    # Keeps the exemption honest: it may only hide timestamps that exist.
    types = column_types(built_paths.warehouse_file, BUILD_TIME_COLUMNS)
    assert types == {
        column: ("TIMESTAMP WITH TIME ZONE",) for column in BUILD_TIME_COLUMNS
    }


def test_two_builds_from_the_same_inputs_have_identical_marts(built_paths, inputs):
    second = build(inputs.paths).warehouse_file
    first_fingerprints = fingerprints(built_paths.warehouse_file)
    assert len(first_fingerprints) >= 10
    assert fingerprints(second) == first_fingerprints


def test_keys_survive_renaming_and_moving_article_files(built_paths, inputs):
    moved_dir = inputs.articles_dir / "перемещённые статьи" / "2023"
    moved_dir.mkdir(parents=True)
    renamed = {}
    for number, path in enumerate(sorted(inputs.articles_dir.glob("*.txt"))):
        target = moved_dir / f"renamed article {number}.txt"
        path.rename(target)
        renamed[path.name] = target.name
    assert len(renamed) == len(list(ARTICLES_DIR.glob("*.txt")))

    moved = build(inputs.paths).warehouse_file

    assert primary_keys(moved) == primary_keys(built_paths.warehouse_file)
    ignored = BUILD_TIME_COLUMNS | FILE_NAME_COLUMNS
    assert fingerprints(moved, ignored) == fingerprints(
        built_paths.warehouse_file, ignored
    )
    connection = duckdb.connect(str(moved), read_only=True)
    try:
        file_names = {
            name
            for (name,) in connection.execute(
                "select file_name from marts.dim_article"
            ).fetchall()
        }
    finally:
        connection.close()
    assert file_names == set(renamed.values())

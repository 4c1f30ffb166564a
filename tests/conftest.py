"""One warehouse, built once per test run by the real ingester and dbt.

Tests that change inputs get their own copies in temp dirs; nothing is
written outside them.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import dbt.version
import duckdb
import pytest

from ingest.paths import PROJECT_ROOT, Paths, default_paths
from ingest.warehouse import build

# The session's one Spark build and one Spark server, shared by the Spark
# test modules (a fixture defined here is built once per run).
from tests.spark_support import local_cluster, spark_build  # noqa: F401

ARTICLES_DIR = PROJECT_ROOT / "data" / "articles"
SEEDS_DIR = PROJECT_ROOT / "seeds"


# The Spark test modules share one Spark build and one Spark server
# (session fixtures), so pytest-xdist must run them in one worker.
SPARK_MODULE_PREFIX = "test_spark"


def is_spark_module(module_path: str) -> bool:
    return Path(module_path).name.startswith(SPARK_MODULE_PREFIX)


def pytest_collection_modifyitems(config, items):
    """The Spark modules first, each module keeping its own order: with
    ``make test``'s workers, one starts on the Spark builds at once."""
    items.sort(key=lambda item: not is_spark_module(str(item.path)))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadscope`` (``make test``) with every Spark module in one
    scope: one worker runs the Spark builds while the others run every
    other module, a module at a time (its fixtures set up once). Plain
    ``--numprocesses N`` (``--dist load``) gets it too: spread test by
    test, the Spark tests would make each worker a Spark build of its own.

    xdist's own ``xdist_group`` marks cannot do this on pytest 9.2, whose
    test ids no longer take the group suffix xdist writes into them.
    """
    if config.getvalue("dist") not in ("load", "loadscope"):
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SparkModulesTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return "spark" if is_spark_module(module) else module

    return SparkModulesTogether(config, log)


def pytest_report_header(config):
    return [
        f"duckdb: {duckdb.__version__}",
        f"dbt-core: {dbt.version.__version__}",
    ]


@dataclass
class Inputs:
    """A private, editable copy of the project's inputs."""

    articles_dir: Path
    seeds_dir: Path
    warehouse_dir: Path

    @property
    def paths(self) -> Paths:
        return default_paths((self.articles_dir,), self.seeds_dir, self.warehouse_dir)

    def seed(self, name: str) -> Path:
        return self.seeds_dir / f"{name}.csv"


@pytest.fixture(scope="session")
def built_paths(tmp_path_factory) -> Paths:
    """Paths of the warehouse built once from the project's own inputs."""
    warehouse_dir = tmp_path_factory.mktemp("warehouse")
    paths = default_paths((ARTICLES_DIR,), SEEDS_DIR, warehouse_dir)
    build(paths)
    return paths


@pytest.fixture
def warehouse(built_paths):
    """A read-only connection to the shared warehouse."""
    connection = duckdb.connect(str(built_paths.warehouse_file), read_only=True)
    yield connection
    connection.close()


@pytest.fixture
def inputs(tmp_path) -> Inputs:
    """Copies of the articles and seeds that a test may change."""
    articles_dir = tmp_path / "articles"
    seeds_dir = tmp_path / "seeds"
    shutil.copytree(ARTICLES_DIR, articles_dir)
    shutil.copytree(SEEDS_DIR, seeds_dir)
    return Inputs(articles_dir, seeds_dir, tmp_path / "warehouse")


def rows(connection, sql: str, parameters=None) -> list[tuple]:
    return connection.execute(sql, parameters or []).fetchall()


def copy_warehouse(paths: Paths, warehouse_dir: Path) -> Paths:
    """A private copy of a built warehouse and its dbt artefacts."""
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(paths.warehouse_file, warehouse_dir / paths.warehouse_file.name)
    shutil.copytree(paths.dbt_target_dir, warehouse_dir / paths.dbt_target_dir.name)
    return default_paths(paths.articles_dirs, paths.seeds_dir, warehouse_dir)


@pytest.fixture(scope="session")
def docs_paths(built_paths, tmp_path_factory) -> Paths:
    """A copy of the shared warehouse after `dbt docs generate --static`:
    its dbt_target holds catalog.json and static_index.html."""
    from ingest.dbt import generate_docs

    paths = copy_warehouse(built_paths, tmp_path_factory.mktemp("docs"))
    generate_docs(paths, paths.warehouse_file)
    return paths

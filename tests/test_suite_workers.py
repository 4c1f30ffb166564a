"""``make test``'s workers (pytest-xdist) keep every Spark module together.

The Spark modules share one Spark build and one Spark server (session
fixtures): spread over two workers, each would start a Spark build of its
own, minutes of CPU more, and no test would fail. So a real pytest run
with two workers, over made-up modules named like ours and this suite's
conftest hooks, shows where each test ran.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ingest.paths import PROJECT_ROOT

CONFTEST = """\
from tests.conftest import pytest_collection_modifyitems, pytest_xdist_make_scheduler
"""
# Each test appends its module and name to its worker's log, in run order.
MODULE = """\
import json, os
from pathlib import Path

def record(name):
    worker = os.environ["PYTEST_XDIST_WORKER"]
    log = Path(os.environ["RUN_LOG_DIR"]) / f"{worker}.jsonl"
    with log.open("a") as lines:
        lines.write(json.dumps([__name__, name]) + "\\n")

def test_one():
    record("one")

def test_two():
    record("two")
"""
SPARK_MODULES = ("test_spark", "test_spark_atomic", "test_spark_thrift")
OTHER_MODULES = ("test_articles", "test_query", "test_warehouse")


def runs_by_worker(tmp_path, *options: str) -> dict[str, list[tuple[str, str]]]:
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "conftest.py").write_text(CONFTEST)
    for module in SPARK_MODULES + OTHER_MODULES:
        (suite / f"{module}.py").write_text(MODULE)
    log_dir = tmp_path / "runs"
    log_dir.mkdir()
    environment = dict(
        os.environ, RUN_LOG_DIR=str(log_dir), PYTHONPATH=str(PROJECT_ROOT)
    )
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--numprocesses",
            "2",
            *options,
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(suite),
            str(suite),
        ],
        capture_output=True,
        text=True,
        cwd=suite,
        env=environment,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return {
        log.stem: [tuple(json.loads(line)) for line in log.read_text().splitlines()]
        for log in log_dir.glob("*.jsonl")
    }


@pytest.mark.parametrize(
    "options",
    [("--dist", "loadscope", "--no-loadscope-reorder"), ()],
    ids=["make_test", "plain_numprocesses"],
)
def test_every_spark_module_runs_in_one_worker(tmp_path, options):
    runs = runs_by_worker(tmp_path, *options)
    assert sum(len(tests) for tests in runs.values()) == 2 * (
        len(SPARK_MODULES) + len(OTHER_MODULES)
    )
    workers_of = {
        module: {worker for worker, tests in runs.items() if module in dict(tests)}
        for module in SPARK_MODULES + OTHER_MODULES
    }
    spark_workers = set().union(*(workers_of[module] for module in SPARK_MODULES))
    assert len(spark_workers) == 1
    # Every other module runs in one worker too (its fixtures set up once).
    assert all(len(workers_of[module]) == 1 for module in OTHER_MODULES)
    if options:
        # make test's worker starts with them: they are the longest work.
        (spark_worker,) = spark_workers
        first = runs[spark_worker][: 2 * len(SPARK_MODULES)]
        assert {module for module, _ in first} == set(SPARK_MODULES)

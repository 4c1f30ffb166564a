"""Running dbt in-process and turning its results into a short report."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingest.curated import cell_position
from ingest.errors import BuildError, shown_path
from ingest.paths import Paths

DATABASE_PATH_VARIABLE = "AUTOWATCH_DATABASE_PATH"

# Outputs of dbt_project/profiles.yml.
DUCKDB_TARGET = "duckdb"
SPARK_TARGET = "spark"

# How many failing rows of one test the build report shows.
FAILING_ROWS_SHOWN = 5
# A project test that checks more than one rule names the broken one here.
FAILURE_REASON_COLUMN = "failure_reason"


def _is_identifying(column_name: str) -> bool:
    """Columns that tell a curator which row to fix; hashes do not."""
    return column_name.endswith("_code") or column_name in (
        "article_id",
        "source_line",
        "evidence_quote",
        "from_field",
    )


@dataclass(frozen=True)
class NodeFailure:
    """One model or test that did not pass."""

    kind: str
    name: str
    message: str
    compiled_sql: str | None
    # 0 staging, 1 intermediate, 2 marts and reporting, 3 a test of no
    # one model: a failure near the inputs is listed first.
    layer: int = 3
    # A test of a curated staging model: its CSV, and the column it tests.
    source_file: Path | None = None
    column_name: str | None = None

    def describe(self, rows: list[str]) -> str:
        lines = [f"{self.kind} {self.name}: {self.message}"]
        lines += [f"    failing row: {row}" for row in rows]
        return "\n".join(lines)


def dbt_arguments(
    command: list[str], paths: Paths, target: str = DUCKDB_TARGET
) -> list[str]:
    """Common flags: absolute project, profiles, target and log paths."""
    return [
        *command,
        "--target",
        target,
        "--project-dir",
        str(paths.dbt_project_dir),
        "--profiles-dir",
        str(paths.dbt_project_dir),
        "--target-path",
        str(paths.dbt_target_dir),
        "--log-path",
        str(paths.dbt_log_dir),
        "--log-level",
        "none",
        "--log-level-file",
        "info",
    ]


def invoke(
    command: list[str],
    paths: Paths,
    database_file: Path,
    target: str = DUCKDB_TARGET,
):
    """Run one dbt command against ``database_file``; return dbt's result."""
    # Imported here: importing dbt takes over a second, and most CLI
    # commands never need it.
    from dbt.cli.main import dbtRunner

    os.environ[DATABASE_PATH_VARIABLE] = str(database_file.resolve())
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    try:
        return dbtRunner().invoke(dbt_arguments(command, paths, target))
    finally:
        if target == DUCKDB_TARGET:
            _close_duckdb_environment()


def _close_duckdb_environment() -> None:
    """Release the database file dbt-duckdb keeps open after a run.

    dbt-duckdb caches one open DuckDB connection per process (its private
    ``_ENV``) beyond the end of an invocation. Left open, it would hold the
    file we swap in, and block us from reopening it with other settings.
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        environment.close()
    DuckDBConnectionManager.close_all_connections()


# The values of dbt's RunStatus.Error, TestStatus.Fail and
# NodeStatus.RuntimeErr: a node that did not pass.
FAILED_STATUSES = ("error", "fail", "runtime error")


def _curated_files(paths: Paths) -> dict[str, Path]:
    """The CSV each curated staging model reads, by model id."""
    manifest = read_manifest(paths) or {"nodes": {}, "sources": {}}
    files = {}
    for unique_id, node in manifest["nodes"].items():
        sources = [
            manifest["sources"][parent]
            for parent in node.get("depends_on", {}).get("nodes", [])
            if parent in manifest["sources"]
        ]
        if len(sources) == 1 and sources[0]["source_name"] == "curated":
            files[unique_id] = paths.seeds_dir / f"{sources[0]['name']}.csv"
    return files


def _failures(result, curated_files: dict[str, Path]) -> list[NodeFailure]:
    failures = []
    for node_result in getattr(result.result, "results", None) or []:
        status = str(node_result.status).lower()
        if status not in FAILED_STATUSES:
            continue
        node = node_result.node
        kind = "test" if node.resource_type == "test" else str(node.resource_type)
        message = (node_result.message or status).strip().splitlines()[0]
        attached = getattr(node, "attached_node", None) or ""
        model = node.name if kind != "test" else attached.rpartition(".")[2]
        test_metadata = getattr(node, "test_metadata", None)
        failures.append(
            NodeFailure(
                kind=kind,
                name=node.name,
                message=message,
                compiled_sql=getattr(node, "compiled_code", None)
                if kind == "test"
                else None,
                layer=_layer(model),
                source_file=curated_files.get(attached) if kind == "test" else None,
                column_name=test_metadata.kwargs.get("column_name")
                if test_metadata is not None
                else None,
            )
        )
    # dbt lists results as its threads finish them; this order is the same
    # on every run and puts the causes before their consequences.
    return sorted(failures, key=lambda failure: (failure.layer, failure.name))


def _layer(model: str) -> int:
    if not model:
        return 3
    if model.startswith("stg_"):
        return 0
    if model.startswith("int_"):
        return 1
    return 2


class FailingRowsError(Exception):
    """The failing rows of a test could not be listed."""


def _failing_rows(
    database_file: Path, compiled_sql: str
) -> tuple[list[str], list[tuple]]:
    """The first rows a failing test returns, to name the culprits."""
    connection = duckdb.connect(str(database_file), read_only=True)
    try:
        cursor = connection.execute(
            f"select * from ({compiled_sql}) as failing_rows limit {FAILING_ROWS_SHOWN}"
        )
        names = [column[0] for column in cursor.description]
        return names, cursor.fetchall()
    except duckdb.Error as error:
        raise FailingRowsError(str(error)) from error
    finally:
        connection.close()


def build(
    paths: Paths,
    database_file: Path,
    full_refresh: bool = False,
    select: tuple[str, ...] | None = None,
) -> None:
    """``dbt build`` into ``database_file``; raise BuildError on any failure.

    ``full_refresh`` rebuilds the incremental marts from scratch; ``select``
    limits the run to those nodes (dbt's --select syntax) and the tests
    that read them.
    """
    command = ["build"]
    if full_refresh:
        command.append("--full-refresh")
    if select:
        command += ["--select", *select]
    earlier_manifest = read_manifest(paths) if select else None
    result = invoke(command, paths, database_file)
    if earlier_manifest is not None:
        # A full build compiled every node: nothing to keep.
        keep_compiled_code(paths, earlier_manifest)
    _raise_unless_passed(
        result,
        paths,
        engine="",
        failing_rows=lambda sql: _failing_rows(database_file, sql),
        consequence=(
            "; the previous warehouse was left as it was"
            if paths.warehouse_file.exists()
            else "; no warehouse was written"
        ),
    )


def read_manifest(paths: Paths) -> dict | None:
    """The manifest of the last dbt run, or None when there is none."""
    try:
        return json.loads((paths.dbt_target_dir / "manifest.json").read_text())
    except (OSError, ValueError):
        return None


def keep_compiled_code(paths: Paths, earlier: dict | None) -> dict | None:
    """Give the manifest of a run of a selection the compiled SQL of the
    nodes it left out, from ``earlier``, the manifest of the run before;
    return the manifest as it now is.

    dbt writes every node to the manifest but compiles only those it ran,
    and ``autowatch lineage`` traces columns through the compiled SQL of
    every model. A rebuild runs a selection only when the dbt project is
    the live build's, so the nodes it left out compile as they did then
    (on the same adapter).
    """
    manifest = read_manifest(paths)
    if (
        earlier is None
        or manifest is None
        or manifest["metadata"].get("adapter_type")
        != earlier["metadata"].get("adapter_type")
    ):
        return manifest
    for unique_id, node in manifest["nodes"].items():
        code = earlier["nodes"].get(unique_id, {}).get("compiled_code")
        if code and not node.get("compiled_code"):
            node["compiled_code"] = code
            node["compiled"] = True
    (paths.dbt_target_dir / "manifest.json").write_text(json.dumps(manifest))
    return manifest


# One input mistake (an article that curated facts cite missing from raw
# tables loaded without the ingester's checks) can fail dozens of tests
# downstream; failures are listed from staging on, so
# the first few are the closest to the cause.
MAX_LISTED_FAILURES = 10


def _raise_unless_passed(
    result,
    paths: Paths,
    engine: str,
    failing_rows: Callable[[str], tuple[list[str], list[tuple]]],
    consequence: str,
) -> None:
    """Turn a failed ``dbt build`` into a BuildError naming what failed.

    ``engine`` is "" or " on Spark"; ``failing_rows`` lists a failing
    test's first rows from its compiled SQL on that engine.
    """
    if result.success:
        return
    if result.exception is not None and result.result is None:
        raise BuildError(
            f"dbt could not run{engine}: "
            + str(result.exception).strip()
            + f" (log: {paths.dbt_log_dir / 'dbt.log'})",
            [],
        )
    failures = _failures(result, _curated_files(paths))
    if not failures:
        # dbt failed without a node that failed (e.g. an error between nodes).
        raise BuildError(
            f"dbt build{engine} failed{consequence}: "
            + str(result.exception or "no model or test failed; see the log")
            + f" (log: {paths.dbt_log_dir / 'dbt.log'})",
            [],
        )
    described = []
    for failure in failures[:MAX_LISTED_FAILURES]:
        rows = []
        if failure.compiled_sql:
            try:
                rows = _describe_rows(failure, *failing_rows(failure.compiled_sql))
            except FailingRowsError as error:
                rows = [f"(could not list failing rows: {error})"]
        described.append(failure.describe(rows))
    if len(failures) > MAX_LISTED_FAILURES:
        described.append(
            f"… and {len(failures) - MAX_LISTED_FAILURES} more; every failure "
            f"is in {paths.dbt_log_dir / 'dbt.log'}"
        )
    raise BuildError(
        f"dbt build{engine} failed: {len(failures)} model(s) or test(s) did "
        f"not pass{consequence}",
        described,
    )


def generate_docs(paths: Paths, database_file: Path) -> Path:
    """Write the self-contained docs page; return its path."""
    result = invoke(["docs", "generate", "--static"], paths, database_file)
    if not result.success:
        raise BuildError(
            "dbt docs generate failed: " + str(result.exception or "see the dbt log"),
            [],
        )
    return paths.dbt_target_dir / "static_index.html"


def build_on_spark(
    paths: Paths,
    sql,
    select: tuple[str, ...] | None = None,
    target: str = SPARK_TARGET,
) -> None:
    """``dbt build --target spark`` (or ``spark_thrift``) on Spark.

    With the ``spark`` target, dbt-spark's session method calls
    ``SparkSession.builder.getOrCreate()``, which returns the session
    ``ingest.spark`` started: dbt writes where that session was told to.
    With ``spark_thrift``, dbt connects to the Thrift server itself. ``sql``
    (``ingest.spark.SparkSql`` or ``ThriftSql``) lists a failing test's
    rows. ``select`` limits the build to those nodes, in a build folder
    that already holds every table of the live build (see
    ``ingest.spark.start_from_live_tables``). Raise BuildError naming each
    model or test that did not pass.
    """
    # profiles.yml reads this variable for the duckdb output too; dbt
    # renders every output, so it must name some file.
    os.environ.setdefault(DATABASE_PATH_VARIABLE, str(paths.warehouse_file))
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    from dbt.cli.main import dbtRunner

    commands = [["build"]]
    if select:
        # A view lives only in its build's metastore, so unlike a table it
        # cannot be copied from the live build: the views the selection
        # leaves out are created first (no tests: nothing they read
        # changed), so that the selected models and tests find them.
        commands = [
            ["run", "--select", "config.materialized:view", "--exclude", *select],
            ["build", "--select", *select],
        ]
    earlier_manifest = read_manifest(paths) if select else None
    for command in commands:
        result = dbtRunner().invoke(dbt_arguments(command, paths, target))
        if select:
            # Each command's manifest replaces the one before and holds
            # compiled SQL only for the nodes it ran: the views the first
            # command created keep theirs (the reporting views' SQL is
            # recorded from it), and the rest the live build's, where the
            # warehouse folder holds the live build's manifest.
            earlier_manifest = keep_compiled_code(paths, earlier_manifest)
        _raise_unless_passed(
            result,
            paths,
            engine=" on Spark",
            failing_rows=lambda compiled_sql: _failing_rows_on_spark(sql, compiled_sql),
            consequence="",
        )


def _failing_rows_on_spark(sql, compiled_sql: str) -> tuple[list[str], list[tuple]]:
    """The first rows a failing test returns on Spark."""
    try:
        return sql.first_rows(compiled_sql, FAILING_ROWS_SHOWN)
    except Exception as error:  # noqa: BLE001 - any Spark error is reported
        raise FailingRowsError(str(error).splitlines()[0]) from error


def _describe_rows(
    failure: NodeFailure, names: list[str], rows: list[tuple]
) -> list[str]:
    """``name=value, …`` per row, naming its identifying columns only
    (every column when it has none); a curated row starts with the
    file, line and column of the tested cell, and a test that checks more
    than one rule says which one the row breaks in a ``failure_reason``
    column, shown first."""
    shown = [name for name in names if _is_identifying(name)] or [
        name for name in names if name != FAILURE_REASON_COLUMN
    ]
    described = []
    for row in rows:
        values = dict(zip(names, row, strict=True))
        text = ", ".join(f"{name}={values[name]!r}" for name in shown)
        reason = values.get(FAILURE_REASON_COLUMN)
        if reason is not None:
            text = f"{reason}: {text}"
        line = values.get("source_line")
        if failure.source_file is not None and line is not None:
            place = _cell_place(failure.source_file, int(line), failure.column_name)
            text = f"{place}: {text}"
        described.append(text)
    return described


def _cell_place(source_file: Path, line: int, column_name: str | None) -> str:
    """``file:line:column`` of a curated cell (column 1: the whole row)."""
    column = 1
    if column_name is not None:
        try:
            line, column = cell_position(source_file, line, column_name)
        except (OSError, ValueError):
            pass  # the file changed since the build read it: the line stays
    return f"{shown_path(source_file)}:{line}:{column}"

"""The command line: exit codes, and messages on stderr."""

import os
import subprocess
import sys

import duckdb
from click.testing import CliRunner

from ingest import __version__
from ingest.cli import cli
from ingest.paths import default_paths
from ingest.warehouse import STOP_AT_PHASE_VARIABLE, build_lock
from tests.test_crash import wait_until_stopped
from tests.test_warehouse import edit_row, line_starting_with


def invoke(*arguments):
    return CliRunner().invoke(cli, list(arguments))


def ingest_into(inputs, database):
    return invoke(
        "ingest",
        "--articles",
        str(inputs.articles_dir),
        "--seeds",
        str(inputs.seeds_dir),
        "--database",
        str(database),
    )


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"autowatch, version {__version__}\n"


def test_unknown_command_is_misuse():
    result = invoke("rebuild")
    assert result.exit_code == 2
    assert "No such command 'rebuild'" in result.stderr


def test_ingest_loads_raw_tables_and_reports_on_stderr(inputs, tmp_path):
    database = tmp_path / "inputs.duckdb"
    result = ingest_into(inputs, database)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "loaded 4 article(s)\n" in result.stderr
    # Every sample has its row in articles.csv.
    assert "not in articles.csv" not in result.stderr
    assert result.stderr.endswith(f"wrote the raw tables to {database}\n")
    connection = duckdb.connect(str(database), read_only=True)
    try:
        assert connection.execute(
            "select count(*) from raw.news_articles"
        ).fetchone() == (4,)
    finally:
        connection.close()


def test_articles_missing_from_articles_csv_are_named(inputs, tmp_path):
    """They load, but with no publication date: the curator is told which."""
    added = [inputs.articles_dir / f"new_{number}.txt" for number in range(7)]
    for number, path in enumerate(added):
        path.write_text(f"Avtotor news number {number}.\n", encoding="utf-8")

    result = ingest_into(inputs, tmp_path / "inputs.duckdb")

    assert result.exit_code == 0, result.output
    listed = [f"  {path}\n" for path in added[:5]]
    assert (
        "7 article(s) not in articles.csv yet, so with no publication date or "
        "outlet:\n" + "".join(listed) + "  … and 2 more\n"
    ) in result.stderr


def test_bad_csv_exits_1_with_file_line_column(inputs, tmp_path):
    edit_row(inputs.seed("brands"), "brand_code", "jmc", origin_country_code="XX")
    database = tmp_path / "inputs.duckdb"
    result = ingest_into(inputs, database)
    assert result.exit_code == 1
    line = line_starting_with(inputs.seed("brands"), "jmc,")
    column = (
        len("jmc,")
        + 1
        + len(
            inputs.seed("brands")
            .read_text(encoding="utf-8")
            .splitlines()[line - 1]
            .split(",")[1]
        )
        + 1
    )
    assert result.stderr == (
        "Error: invalid input, nothing was loaded:\n"
        f"{inputs.seed('brands')}:{line}:{column}: column "
        "'origin_country_code': 'XX' is not one of CN, FR, IR, KR, RU\n"
    )
    assert not database.exists()


def test_an_ingest_killed_half_way_leaves_the_previous_file(inputs, tmp_path):
    database = tmp_path / "inputs.duckdb"
    assert ingest_into(inputs, database).exit_code == 0
    before = database.read_bytes()
    stderr_file = tmp_path / "stderr.txt"
    with open(stderr_file, "wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "ingest", "ingest"]
            + ["--articles", str(inputs.articles_dir), "--seeds", str(inputs.seeds_dir)]
            + ["--database", str(database)],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env={**os.environ, STOP_AT_PHASE_VARIABLE: "database-created"},
        )
    wait_until_stopped(process, stderr_file)
    process.kill()
    process.wait()
    assert database.read_bytes() == before
    with duckdb.connect(str(database), read_only=True) as connection:
        (articles,) = connection.execute(
            "select count(*) from raw.news_articles"
        ).fetchone()
    assert articles == 4
    assert ingest_into(inputs, database).exit_code == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "articles",
        "inputs.duckdb",
        "seeds",
        "stderr.txt",
    ]


def test_a_bad_csv_under_the_working_folder_is_named_relative_to_it(
    inputs, tmp_path, monkeypatch
):
    edit_row(inputs.seed("brands"), "brand_code", "jmc", origin_country_code="XX")
    monkeypatch.chdir(tmp_path)
    result = ingest_into(inputs, tmp_path / "inputs.duckdb")
    assert result.exit_code == 1
    problem_line = result.stderr.splitlines()[1]
    assert problem_line.startswith("seeds/brands.csv:")
    assert problem_line.endswith(
        ": column 'origin_country_code': 'XX' is not one of CN, FR, IR, KR, RU"
    )


def test_a_quarantined_article_under_the_working_folder_is_named_relative_to_it(
    inputs, tmp_path, monkeypatch
):
    (inputs.articles_dir / "photo.txt").write_bytes(b"\x89PNG\x00\x00")
    monkeypatch.chdir(tmp_path)
    result = ingest_into(inputs, tmp_path / "inputs.duckdb")
    assert result.exit_code == 0, result.output
    assert (
        "quarantined 1 article file(s):\n"
        "  articles/photo.txt:1:5: file contains a NUL byte: binary file, not text\n"
    ) in result.stderr


def test_a_held_lock_under_the_working_folder_is_named_relative_to_it(
    inputs, tmp_path, monkeypatch
):
    paths = default_paths(warehouse_dir=inputs.warehouse_dir)
    monkeypatch.chdir(tmp_path)
    with build_lock(paths, wait=False):
        result = invoke("build", "--warehouse-dir", str(inputs.warehouse_dir))
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: another build is running (lock held on warehouse/.build.lock); "
        "wait for it to finish, or pass --wait\n"
    )


def test_docs_without_a_warehouse_says_to_build(tmp_path):
    result = invoke("docs", "--warehouse-dir", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {tmp_path / 'autowatch.duckdb'}: no warehouse yet; run "
        "`autowatch build`\n"
    )


def test_database_named_like_a_schema_is_refused(tmp_path):
    result = invoke("ingest", "--database", str(tmp_path / "raw.duckdb"))
    assert result.exit_code == 2
    assert (
        "DuckDB names the catalog after the file, and 'raw' is also a "
        "schema" in result.stderr
    )


def test_a_mistyped_input_folder_is_refused_before_anything_runs(inputs, tmp_path):
    warehouse_dir = tmp_path / "warehouse"
    for option, folder in (
        ("--articles", tmp_path / "artcles"),
        ("--seeds", tmp_path / "sedes"),
    ):
        arguments = {
            "--articles": str(inputs.articles_dir),
            "--seeds": str(inputs.seeds_dir),
            option: str(folder),
        }
        result = invoke(
            "build",
            *[part for pair in arguments.items() for part in pair],
            "--warehouse-dir",
            str(warehouse_dir),
        )
        assert result.exit_code == 2, result.output
        assert f"Invalid value for '{option}'" in result.stderr
        assert f"'{folder}' does not exist" in result.stderr
        assert not warehouse_dir.exists()


def test_a_database_in_a_missing_folder_is_one_line(inputs, tmp_path):
    database = tmp_path / "no_such_folder" / "inputs.duckdb"
    result = ingest_into(inputs, database)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"Error: {database.parent}: no such folder"
    )
    assert "Traceback" not in result.output


def test_a_warehouse_folder_that_cannot_be_created_is_one_line(inputs, tmp_path):
    """A file stands where the warehouse folder should be created."""
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder", encoding="utf-8")
    warehouse_dir = blocker / "warehouse"
    result = invoke(
        "build",
        "--articles",
        str(inputs.articles_dir),
        "--seeds",
        str(inputs.seeds_dir),
        "--warehouse-dir",
        str(warehouse_dir),
    )
    assert result.exit_code == 1
    assert result.stderr == f"Error: {warehouse_dir}: Not a directory\n"

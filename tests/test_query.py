"""`autowatch query` and `autowatch status` against the shared warehouse."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys

import duckdb
import pytest
from click.testing import CliRunner

from ingest.cli import cli
from ingest.errors import InputError
from ingest.query import check_read_only, connect_read_only, warehouse_status
from tests.conftest import copy_warehouse

PLANTS_SQL = (
    "select plant_code, region from marts.dim_plant "
    "where parent_plant_id is null order by plant_code"
)


def top_level_plants(seeds_dir) -> list[tuple[str, str]]:
    """What PLANTS_SQL must return, read straight from the curated CSV."""
    with open(seeds_dir / "plants.csv", encoding="utf-8", newline="") as handle:
        return sorted(
            (row["plant_code"].strip(), row["region"].strip())
            for row in csv.DictReader(handle)
            if not (row.get("parent_plant_code") or "").strip()
        )


def run(*arguments):
    return CliRunner().invoke(cli, list(arguments))


def query_as(output_format: str, built_paths, sql: str):
    """``autowatch query --format output_format`` on the shared warehouse."""
    return run(
        "query",
        "--warehouse-dir",
        str(built_paths.warehouse_dir),
        "--format",
        output_format,
        sql,
    )


def test_table_format_aligns_columns(built_paths):
    expected = top_level_plants(built_paths.seeds_dir)

    result = run("query", "--warehouse-dir", str(built_paths.warehouse_dir), PLANTS_SQL)

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    width = max(len("plant_code"), *(len(code) for code, _ in expected))
    assert lines[0] == "plant_code".ljust(width) + "  region"
    assert lines[2:-1] == [
        f"{code.ljust(width)}  {region}" for code, region in expected
    ]
    assert lines[-1] == f"({len(expected)} rows)"


def test_table_format_keeps_a_multi_line_cell_in_its_column(built_paths):
    sql = "select 'first' || chr(10) || 'second line' as text, 7 as number"

    result = query_as("table", built_paths, sql)

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "text         number",
        "-----------  ------",
        "first        7",
        "second line",
        "(1 row)",
    ]


def test_csv_format(built_paths):
    result = query_as("csv", built_paths, PLANTS_SQL)

    assert result.exit_code == 0, result.output
    parsed = list(csv.reader(result.stdout.splitlines()))
    assert parsed[0] == ["plant_code", "region"]
    assert [tuple(row) for row in parsed[1:]] == top_level_plants(built_paths.seeds_dir)


def test_json_format_writes_dates_as_iso_and_nulls_as_null(built_paths, warehouse):
    sql = "select target_code, period_start from marts.fct_target order by target_code"
    expected = [
        {
            "target_code": code,
            "period_start": start.isoformat() if start else None,
        }
        for code, start in warehouse.execute(sql).fetchall()
    ]

    result = query_as("json", built_paths, sql)

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == expected
    assert any(row["period_start"] is None for row in expected)


def test_json_format_writes_every_duckdb_type_and_keeps_repeated_names(built_paths):
    """Types JSON lacks become strings (null for NaN and infinity, which
    JSON cannot hold); a name ``select *`` over a join repeats is kept."""
    sql = (
        "select time '12:30:00' as at_time, interval 36 hour as span, "
        "'8d5f5c3e-1b2a-4c3d-9e8f-0a1b2c3d4e5f'::uuid as token, "
        "'nan'::double as not_a_number, 'infinity'::double as infinite, "
        "1.50::decimal(4, 2) as exact, 2.5::double as inexact, "
        "'Автотор' as note, 'Avtotor' as note, 'third' as note_2"
    )

    result = query_as("json", built_paths, sql)

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {
            "at_time": "12:30:00",
            "span": "1 day, 12:00:00",
            "token": "8d5f5c3e-1b2a-4c3d-9e8f-0a1b2c3d4e5f",
            "not_a_number": None,
            "infinite": None,
            "exact": "1.50",
            "inexact": 2.5,
            "note": "Автотор",
            "note_3": "Avtotor",
            "note_2": "third",
        }
    ]


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        ("insert into marts.dim_plant (plant_id) values ('x')", "INSERT"),
        ("drop table marts.dim_plant", "DROP"),
        ("create table marts.copy as select 1 as one", "CREATE"),
        ("copy (select 1) to 'leaked.csv'", "COPY"),
        ("attach 'other.duckdb' as other", "ATTACH"),
        ("update marts.dim_plant set city = 'x'", "UPDATE"),
        # EXPLAIN ANALYZE runs what it explains, and a read-only connection
        # would still let COPY write its file.
        ("explain analyze copy (select 1) to 'leaked.csv'", "COPY"),
        ("explain (format json) delete from marts.dim_plant", "DELETE"),
        ("checkpoint", "CALL"),
        ("set threads = 1", "SET"),
    ],
)
def test_statements_that_write_are_refused(
    built_paths, tmp_path, monkeypatch, sql, kind
):
    before = built_paths.warehouse_file.read_bytes()
    # Relative file names in the SQL would land here if anything ran.
    monkeypatch.chdir(tmp_path)

    result = run("query", "--warehouse-dir", str(built_paths.warehouse_dir), sql)
    leaked = list(tmp_path.iterdir())

    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: <query>:1:1: {kind} statements are not allowed: the warehouse "
        "is read-only here; use SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE or "
        "EXPLAIN\n"
    )
    assert leaked == []
    assert built_paths.warehouse_file.read_bytes() == before


@pytest.mark.parametrize(
    "sql",
    [
        "explain select plant_code from marts.dim_plant",
        "EXPLAIN ANALYZE select count(*) from marts.fct_target",
        "explain (format json) select 1",
        "show all tables",
        "summarize marts.dim_plant",
    ],
)
def test_explain_and_describing_commands_run(built_paths, sql):
    result = query_as("csv", built_paths, sql)

    assert result.exit_code == 0, result.output
    assert len(list(csv.reader(result.stdout.splitlines()))) > 1


def test_a_write_hidden_after_a_read_is_refused():
    with pytest.raises(InputError) as raised:
        check_read_only("select 1; delete from marts.dim_plant")

    assert str(raised.value) == (
        "<query>:1:1: expected exactly one statement, got 2; run them one at a time"
    )


def test_parse_error_names_line_and_column(built_paths):
    result = run(
        "query",
        "--warehouse-dir",
        str(built_paths.warehouse_dir),
        "select plant_code\nfrom marts.dim_plant\nwhere where",
    )

    assert result.exit_code == 1
    assert result.stderr == (
        'Error: <query>:3:7: Parser Error: syntax error at or near "where"\n'
    )


@pytest.mark.parametrize(
    ("sql", "line", "column"),
    [
        # DuckDB's caret gives a tab no width and a wide character two.
        ("select\t1,\t2 from marts.dim_plant where where", 1, 40),
        ("select 1,\r\n\t\t2 from\r\n\twhere where", 3, 2),
        ("select '日本語日本語' from marts.dim_plant where where", 1, 44),
    ],
)
def test_the_column_is_the_statements_own_whatever_the_characters(sql, line, column):
    with pytest.raises(InputError) as raised:
        check_read_only(sql)

    (problem,) = raised.value.problems
    assert (problem.line, problem.column) == (line, column)
    assert sql.split("\n")[line - 1][column - 1 :].startswith("where")


def test_a_syntax_error_far_along_a_long_line_gets_its_column():
    """DuckDB shows a long line as a window cut with "..."; the column is
    still the statement's own."""
    columns = ", ".join(f"{number} as column_{number}" for number in range(40))
    sql = f"select {columns} from marts.dim_plant where where"
    with pytest.raises(InputError) as raised:
        check_read_only(sql)

    (problem,) = raised.value.problems
    assert (problem.line, problem.column) == (1, sql.rindex("where") + 1)


def test_duckdb_error_is_bad_input(built_paths):
    result = run(
        "query",
        "--warehouse-dir",
        str(built_paths.warehouse_dir),
        "select no_such_column from marts.dim_plant",
    )

    assert result.exit_code == 1
    # One line, at the column DuckDB's caret points to.
    assert result.stderr.startswith(
        'Error: <query>:1:8: Binder Error: Referenced column "no_such_column"'
    )
    assert result.stderr.count("\n") == 1


def test_a_warehouse_open_for_writing_elsewhere_is_one_clear_line(
    built_paths, tmp_path
):
    """DBeaver or a notebook opened without read-only holds DuckDB's lock,
    which admits no other reader; from another process, as they are."""
    warehouse_file = tmp_path / built_paths.warehouse_file.name
    shutil.copyfile(built_paths.warehouse_file, warehouse_file)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; connection = duckdb.connect(sys.argv[1]); "
            "print('open', flush=True); sys.stdin.read()",
            str(warehouse_file),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "open\n"
        result = run("query", "--warehouse-dir", str(tmp_path), "select 1")
    finally:
        holder.communicate("")

    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: {warehouse_file}: cannot open: another process "
        "has the warehouse open for writing"
    )
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_file_that_is_not_a_warehouse_is_one_clear_line(tmp_path):
    (tmp_path / "autowatch.duckdb").write_text("not a database\n")

    result = run("status", "--warehouse-dir", str(tmp_path))

    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: {tmp_path / 'autowatch.duckdb'}: cannot open: IO Error"
    )
    assert "not a valid DuckDB database file" in result.stderr


def test_connection_is_read_only_even_without_the_check(built_paths):
    connection = connect_read_only(built_paths.warehouse_file)
    try:
        with pytest.raises(duckdb.Error, match="read-only"):
            connection.execute("create table marts.sneaky as select 1 as one")
    finally:
        connection.close()


def test_missing_warehouse_says_what_to_run(tmp_path):
    result = run("query", "--warehouse-dir", str(tmp_path), "select 1")

    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {tmp_path / 'autowatch.duckdb'}: no warehouse yet; "
        "run `autowatch build`\n"
    )


def test_status_reports_build_inputs_and_row_counts(built_paths, warehouse):
    article_files = sorted(built_paths.articles_dirs[0].glob("*.txt"))
    (assembly_count,) = warehouse.execute(
        "select count(*) from marts.bridge_brand_plant"
    ).fetchone()

    result = run("status", "--json", "--warehouse-dir", str(built_paths.warehouse_dir))

    assert result.exit_code == 0, result.output
    status = json.loads(result.stdout)
    assert status["warehouse_file"] == str(built_paths.warehouse_file)
    assert status["article_count"] + status["quarantined_count"] == len(article_files)
    assert status["duckdb_version"] == duckdb.__version__
    assert status["inputs"]["seeds_dir"] == str(built_paths.seeds_dir)
    relations = {
        (relation["schema"], relation["name"]): relation
        for relation in status["relations"]
    }
    assert relations[("reporting", "plant_brands")] == {
        "schema": "reporting",
        "name": "plant_brands",
        "kind": "view",
        "rows": assembly_count,
        "problem": None,
    }
    assert relations[("marts", "bridge_brand_plant")]["kind"] == "table"
    assert {schema for schema, _ in relations} >= {
        "raw",
        "staging",
        "intermediate",
        "marts",
        "reporting",
    }


def test_status_text_names_when_and_from_what(built_paths):
    status = warehouse_status(built_paths.warehouse_file)

    result = run("status", "--warehouse-dir", str(built_paths.warehouse_dir))

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"warehouse: {built_paths.warehouse_file} (")
    assert lines[1] == f"built at: {status.built_at.isoformat()}"
    assert status.as_dict()["models_built"] is True
    assert f"input seeds_dir: {built_paths.seeds_dir}" in lines
    # Each curated table's digest on a line of its own, under its heading.
    digests = status.inputs["curated_table_sha256"]
    heading = lines.index("input curated_table_sha256:")
    assert lines[heading + 1 : heading + 1 + len(digests)] == [
        f"  {table}: {digests[table]}" for table in sorted(digests)
    ]
    counts = {
        (relation.schema, relation.name): relation.rows for relation in status.relations
    }
    plant_brand_count = counts[("reporting", "plant_brands")]
    assert f"  reporting.plant_brands (view): {plant_brand_count}" in lines


def test_status_names_a_view_that_no_longer_resolves_and_counts_the_rest(
    built_paths, tmp_path
):
    """A warehouse changed by hand (a table views read dropped) still
    gets its status: each broken view says why it has no count."""
    paths = copy_warehouse(built_paths, tmp_path / "warehouse")
    with duckdb.connect(str(paths.warehouse_file)) as connection:
        connection.execute("drop table marts.bridge_brand_plant")

    result = run("status", "--warehouse-dir", str(paths.warehouse_dir))

    assert result.exit_code == 0, result.output
    broken = [line for line in result.stdout.splitlines() if "does not resolve" in line]
    # plant_brand_status reads plant_brands, which reads the dropped table.
    assert [line.split(" (view)")[0] for line in broken] == [
        "  reporting.plant_brand_status",
        "  reporting.plant_brands",
    ]
    assert "bridge_brand_plant" in broken[1]
    assert "  marts.dim_brand (table): " in result.stdout
    status = json.loads(
        run("status", "--json", "--warehouse-dir", str(paths.warehouse_dir)).stdout
    )
    problems = [relation for relation in status["relations"] if relation["problem"]]
    assert [(problem["name"], problem["rows"]) for problem in problems] == [
        ("plant_brand_status", None),
        ("plant_brands", None),
    ]


def test_query_and_status_read_the_file_ingest_wrote(built_paths, tmp_path):
    """``--database`` reads another DuckDB file than the warehouse's: here
    the raw tables ``autowatch ingest --database`` loaded, before any
    dbt model exists."""
    database = tmp_path / "inputs.duckdb"
    ingested = run(
        "ingest",
        "--articles",
        str(built_paths.articles_dirs[0]),
        "--seeds",
        str(built_paths.seeds_dir),
        "--database",
        str(database),
    )
    assert ingested.exit_code == 0, ingested.output
    article_count = len(list(built_paths.articles_dirs[0].glob("*.txt")))

    result = run(
        "query",
        "--database",
        str(database),
        "--format",
        "json",
        "select count(*) as articles from raw.news_articles",
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"articles": article_count}]
    status = run("status", "--json", "--database", str(database))
    assert status.exit_code == 0, status.output
    described = json.loads(status.stdout)
    assert described["warehouse_file"] == str(database.resolve())
    schemas = {relation["schema"] for relation in described["relations"]}
    assert "raw" in schemas
    assert "marts" not in schemas
    assert described["models_built"] is False
    # The time build_info holds is the ingest's: no build happened here.
    text = run("status", "--database", str(database)).stdout.splitlines()
    assert text[1] == (
        f"ingested at: {described['built_at']} "
        "(raw tables only: no dbt model built here)"
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ("query", "--warehouse-dir", "{folder}", "select 1"),
            "--database names the file to read; give it without --warehouse-dir",
        ),
        (
            ("status", "--warehouse-dir", "{folder}"),
            "--database names the file to read; give it without --warehouse-dir",
        ),
        (
            ("query", "--target", "spark", "select 1"),
            "--database reads a DuckDB file; a Spark build is read with "
            "--target spark (and --warehouse-dir)",
        ),
    ],
)
def test_database_with_another_choice_of_what_to_read_is_misuse(
    built_paths, arguments, message
):
    folder = str(built_paths.warehouse_dir)
    result = run(
        arguments[0],
        "--database",
        str(built_paths.warehouse_file),
        *(argument.format(folder=folder) for argument in arguments[1:]),
    )

    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[-1] == f"Error: {message}"

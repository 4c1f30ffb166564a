"""The README's claims hold: its tour output is real, its commands exist."""

import re

import duckdb
import pytest
from click.testing import CliRunner

from ingest.cli import cli
from ingest.paths import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def tour_blocks() -> list[tuple[str, int | None, str]]:
    """Each query the README shows between tour markers: its SQL, the
    width its .show() asks for (None: DuckDB's default) and its output."""
    blocks = []
    for section in README.split("<!-- tour:start -->")[1:]:
        tour = section.split("<!-- tour:end -->")[0]
        sql, call = tour.split('.sql("""')[1].split('""")')
        width = re.match(r"\.show\((?:max_width=(\d+))?\)", call)
        assert width, "a tour query ends with .show() or .show(max_width=N)"
        output = tour.split("```text\n")[1].split("```")[0]
        blocks.append((sql, int(width[1]) if width[1] else None, output))
    return blocks


def test_the_readme_shows_three_tour_queries():
    assert len(tour_blocks()) == 3


@pytest.mark.parametrize("number", range(len(tour_blocks())))
def test_tour_output_is_what_the_warehouse_says(built_paths, number, capsys):
    sql, width, expected = tour_blocks()[number]
    connection = duckdb.connect(str(built_paths.warehouse_file), read_only=True)
    try:
        relation = connection.sql(sql)
        if width is None:
            shown = str(relation)
        else:
            capsys.readouterr()
            relation.show(max_width=width)
            shown = capsys.readouterr().out
    finally:
        connection.close()
    assert shown.strip() == expected.strip()


def test_every_command_has_help_and_is_in_the_readme():
    runner = CliRunner()
    for name, command in cli.commands.items():
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert command.help and command.help.strip(), name
        assert re.search(rf"autowatch {name}\b", README), (
            f"`autowatch {name}` is not in the README"
        )


def test_readme_test_command_is_what_ci_runs():
    ci_script = (PROJECT_ROOT / ".ci" / "run").read_text()
    assert "make test" in README
    assert re.search(r"^make test$", ci_script, re.MULTILINE)

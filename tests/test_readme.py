"""The README's claims hold: its tour output is real, its commands exist."""

import re

import duckdb
import pytest
from click.testing import CliRunner

from ingest.cli import cli
from ingest.paths import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def tour_blocks() -> list[tuple[str, str]]:
    """Each query the README shows between tour markers, with its output."""
    blocks = []
    for section in README.split("<!-- tour:start -->")[1:]:
        tour = section.split("<!-- tour:end -->")[0]
        sql = tour.split('.sql("""')[1].split('""")')[0]
        output = tour.split("```text\n")[1].split("```")[0]
        blocks.append((sql, output))
    return blocks


def test_the_readme_shows_two_tour_queries():
    assert len(tour_blocks()) == 2


@pytest.mark.parametrize("number", range(len(tour_blocks())))
def test_tour_output_is_what_the_warehouse_says(built_paths, number):
    sql, expected = tour_blocks()[number]
    connection = duckdb.connect(str(built_paths.warehouse_file), read_only=True)
    try:
        shown = str(connection.sql(sql))
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

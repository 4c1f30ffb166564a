"""notebooks/explore.ipynb runs top to bottom in a real kernel against the
warehouse the tests built, answers each question and saves its chart."""

from __future__ import annotations

import nbformat
import pytest
from matplotlib import image
from nbclient import NotebookClient

from ingest.paths import PROJECT_ROOT

NOTEBOOK = PROJECT_ROOT / "notebooks" / "explore.ipynb"
CHART_NAME = "targets_by_plant_and_period.png"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A generous bound for one cell; the whole notebook takes seconds.
CELL_TIMEOUT_SECONDS = 300


def code_cell_text(cell) -> str:
    return "".join(
        output.get("text", "") for output in cell.outputs if output.get("text")
    )


def run_notebook(settings: dict[str, str]):
    """The notebook after a run in a real kernel with these environment
    variables set."""
    with pytest.MonkeyPatch.context() as environment:
        for name, value in settings.items():
            environment.setenv(name, value)
        notebook = nbformat.read(NOTEBOOK, as_version=4)
        NotebookClient(
            notebook,
            timeout=CELL_TIMEOUT_SECONDS,
            kernel_name="python3",
            resources={"metadata": {"path": str(NOTEBOOK.parent)}},
        ).execute()
    return notebook


@pytest.fixture(scope="module")
def executed(built_paths, tmp_path_factory):
    """The notebook after a run; (notebook, chart directory, warehouse bytes)."""
    output_dir = tmp_path_factory.mktemp("notebook_output")
    before = built_paths.warehouse_file.read_bytes()
    notebook = run_notebook(
        {
            "AUTOWATCH_WAREHOUSE_DIR": str(built_paths.warehouse_dir),
            "AUTOWATCH_NOTEBOOK_OUTPUT_DIR": str(output_dir),
        }
    )
    return notebook, output_dir, before


def cell_answering(notebook, table: str):
    """The code cell that queries ``reporting.<table>``."""
    (cell,) = [
        cell
        for cell in notebook.cells
        if cell.cell_type == "code" and f"reporting.{table}" in cell.source
    ]
    return cell


def test_committed_notebook_is_valid_and_has_no_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)

    nbformat.validate(notebook)
    assert all(
        cell.outputs == [] for cell in notebook.cells if cell.cell_type == "code"
    )


def test_a_text_cell_comes_before_every_query():
    notebook = nbformat.read(NOTEBOOK, as_version=4)

    queries = [
        index
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and "connection.sql(" in cell.source
    ]
    assert queries
    for index in queries:
        assert notebook.cells[index - 1].cell_type == "markdown", index


def assert_shows_brands_per_plant(notebook, warehouse) -> None:
    """The plant_brands cell's table holds each plant and brand the
    warehouse (a DuckDB connection) pairs."""
    expected = warehouse.execute(
        "select distinct plant_name, brand_name from reporting.plant_brands"
    ).fetchall()

    text = code_cell_text(cell_answering(notebook, "plant_brands"))

    assert expected
    for plant_name, brand_name in expected:
        assert f"│ {plant_name}" in text
        assert f"│ {brand_name} " in text
    assert "assembly_stage" in text and "started_on" in text


def test_brands_per_plant(executed, warehouse):
    notebook, _, _ = executed
    assert_shows_brands_per_plant(notebook, warehouse)


def test_announcements_in_time_order(executed, warehouse):
    notebook, _, _ = executed
    (first_day,) = warehouse.execute(
        "select min(coalesce(announced_on, article_published_on)) "
        "from reporting.announcements_timeline"
    ).fetchone()

    text = code_cell_text(cell_answering(notebook, "announcements_timeline"))

    first_row = next(line for line in text.splitlines() if line.startswith("│ 2"))
    assert first_row.startswith(f"│ {first_day.isoformat()}")


def test_targets_by_plant_and_period_with_chart(executed, warehouse):
    notebook, output_dir, _ = executed
    periods = warehouse.execute(
        "select distinct plant_name, period_year from reporting.targets_timeline "
        "where metric = 'production_volume' and plant_name is not null "
        "and period_year is not null and scope in ('all', 'electric')"
    ).fetchall()
    electric = warehouse.execute(
        "select max(value_high) from reporting.targets_timeline "
        "where metric = 'production_volume' and scope = 'electric' "
        "and plant_name is not null and period_year is not null "
        "group by plant_name, period_year order by 1"
    ).fetchall()

    cell = cell_answering(notebook, "targets_timeline")
    text = code_cell_text(cell)

    assert len(periods) > 1
    assert electric
    for (value,) in electric:
        assert f"│ electric │ {value:>15} │" in text
    chart = output_dir / CHART_NAME
    assert f"saved {chart}" in text
    assert chart.read_bytes().startswith(PNG_SIGNATURE)
    height, width, _ = image.imread(chart).shape
    assert (width, height) == (900, 500)


def test_conflicting_sources(executed, warehouse):
    notebook, _, _ = executed
    conflicts = warehouse.execute(
        "select subject_company_name, relation, object_company_name "
        "from reporting.conflicting_claims"
    ).fetchall()

    text = code_cell_text(cell_answering(notebook, "conflicting_claims"))

    assert conflicts
    for subject, relation, object_name in conflicts:
        assert f"│ {subject}" in text
        assert f"│ {relation}" in text
        assert f"│ {object_name}" in text


def test_notebook_left_the_warehouse_unchanged(executed, built_paths):
    _, _, before = executed

    assert built_paths.warehouse_file.read_bytes() == before

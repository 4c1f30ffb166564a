import csv

import pytest

from ingest.curated import cell_position, read_curated, read_curated_table
from ingest.errors import InputError
from ingest.schema import TABLES, TABLES_BY_NAME
from tests.conftest import SEEDS_DIR

TARGETS = TABLES_BY_NAME["targets"]
COMPANIES = TABLES_BY_NAME["companies"]


def problems_of(table, path) -> list[str]:
    with pytest.raises(InputError) as caught:
        read_curated_table(table, path)
    return [str(problem) for problem in caught.value.problems]


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def test_every_declared_table_loads_from_seeds():
    tables = read_curated(SEEDS_DIR)
    assert [table.table.name for table in tables] == [t.name for t in TABLES]
    assert all(table.rows for table in tables)


def test_values_are_converted_to_declared_types():
    targets = {
        row["target_code"]: row
        for row in read_curated_table(TARGETS, SEEDS_DIR / "targets.csv").rows
    }
    investment = targets["avtotor_compact_ev_factory_investment"]
    assert investment["value_low"] == 3_970_000_000.0
    assert investment["currency"] == "RUB"
    # The quote states no period for the investment: empty cells are None.
    assert investment["period_start"] is None
    assert investment["brand_code"] is None
    assert str(targets["moskvich_2022_total_600"]["period_start"]) == "2022-01-01"


def test_missing_column_names_the_header(tmp_path):
    path = write(
        tmp_path / "companies.csv",
        "company_code,company_name,company_kind,note\navtotor,Avtotor,automaker,\n",
    )
    assert problems_of(COMPANIES, path) == [
        f"{path}:1:1: missing column 'country_code'"
    ]


def test_extra_column_names_its_position(tmp_path):
    path = write(
        tmp_path / "companies.csv",
        "company_code,company_name,company_kind,country_code,note,founded\n",
    )
    assert problems_of(COMPANIES, path) == [
        f"{path}:1:58: unexpected column 'founded'; expected columns: "
        "company_code, company_name, company_kind, country_code, note"
    ]


def test_bad_enum_value_names_line_and_column(tmp_path):
    path = write(
        tmp_path / "companies.csv",
        "company_code,company_name,company_kind,country_code,note\n"
        "avtotor,Avtotor,automaker,RU,\n"
        'kamaz,"KAMAZ, PJSC",truckmaker,RU,\n',
    )
    assert problems_of(COMPANIES, path) == [
        f"{path}:3:21: column 'company_kind': 'truckmaker' is not one of "
        "automaker, automotive_startup, government, news_outlet, other"
    ]


def target_csv(tmp_path, **changes) -> str:
    """The first curated target row, with some cells changed, as a file."""
    with open(SEEDS_DIR / "targets.csv", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        row = next(reader)
    row.update(changes)
    path = tmp_path / "targets.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=TARGETS.column_names)
        writer.writeheader()
        writer.writerow(row)
    return path


def column_of(path, line: int, column_name: str) -> int:
    """Where a cell starts: after the preceding cells and their commas.

    The cells before those the tests change hold no quoted commas.
    """
    text = path.read_text(encoding="utf-8").splitlines()[line - 1]
    index = TARGETS.column_names.index(column_name)
    return len(",".join(text.split(",")[:index])) + 2


def test_wrong_type_names_the_cell(tmp_path):
    path = target_csv(tmp_path, value_low="fifty thousand")
    column = column_of(path, 2, "value_low")
    assert problems_of(TARGETS, path) == [
        f"{path}:2:{column}: column 'value_low': expected a number, "
        "got 'fifty thousand'"
    ]


def test_bad_date_names_the_cell(tmp_path):
    path = target_csv(tmp_path, period_start="2024-13-01")
    column = column_of(path, 2, "period_start")
    assert problems_of(TARGETS, path) == [
        f"{path}:2:{column}: column 'period_start': expected a date as "
        "YYYY-MM-DD, got '2024-13-01'"
    ]


def test_empty_required_field_names_the_cell(tmp_path):
    path = target_csv(tmp_path, metric="")
    column = column_of(path, 2, "metric")
    assert problems_of(TARGETS, path) == [
        f"{path}:2:{column}: column 'metric' is required but empty"
    ]


def test_duplicate_key_names_both_lines(tmp_path):
    path = write(
        tmp_path / "companies.csv",
        "company_code,company_name,company_kind,country_code,note\n"
        "avtotor,Avtotor,automaker,RU,\n"
        "baic,BAIC,automaker,CN,\n"
        "avtotor,Avtotor again,automaker,RU,\n",
    )
    assert problems_of(COMPANIES, path) == [
        f"{path}:4:1: duplicate key company_code='avtotor'; first seen on line 2"
    ]


def test_every_problem_of_every_file_is_reported_at_once(tmp_path):
    for table in TABLES:
        (tmp_path / table.csv_name).write_bytes(
            (SEEDS_DIR / table.csv_name).read_bytes()
        )
    write(
        tmp_path / "companies.csv",
        "company_code,company_name,company_kind,country_code,note\n"
        ",Nameless,automaker,RU,\n",
    )
    (tmp_path / "plants.csv").unlink()
    with pytest.raises(InputError) as caught:
        read_curated(tmp_path)
    assert [str(problem) for problem in caught.value.problems] == [
        f"{tmp_path / 'companies.csv'}:2:1: column 'company_code' is "
        "required but empty",
        f"{tmp_path / 'plants.csv'}:1:1: curated file is missing",
    ]


def test_a_missing_seeds_folder_is_an_input_error(tmp_path):
    """The command line refuses it first (click); a notebook calling
    read_curated gets the same kind of error as for any bad input."""
    with pytest.raises(InputError) as raised:
        read_curated(tmp_path / "nowhere")
    assert [str(problem) for problem in raised.value.problems] == [
        f"{tmp_path / 'nowhere'}:1:1: curated data directory does not exist"
    ]


def test_a_cell_is_placed_after_a_quoted_cell_that_spans_lines(tmp_path):
    csv_file = tmp_path / "companies.csv"
    csv_file.write_text(
        'code,note,kind\nfirst,"two\nlines, and a comma",automaker\n', encoding="utf-8"
    )
    assert cell_position(csv_file, 2, "code") == (2, 1)
    assert cell_position(csv_file, 2, "note") == (2, 7)
    assert cell_position(csv_file, 2, "kind") == (3, 21)

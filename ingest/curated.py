"""Loading the curated CSVs in ``seeds/`` and checking them against schema."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ingest.errors import InputError, Problem
from ingest.schema import BOOLEAN, DATE, DECIMAL, INTEGER, TABLES, Table

# Spreadsheets run cells that start with these as formulas when a curator
# reopens the CSV; such text never belongs in a curated fact.
FORMULA_PREFIXES = ("=", "+", "@")

BOOLEAN_VALUES = {"true": True, "false": False}


@dataclass
class CuratedTable:
    """One curated CSV, checked and converted to Python values."""

    table: Table
    path: Path
    rows: list[dict[str, Any]]
    line_numbers: list[int]


def _convert(value: str, type_name: str) -> tuple[Any, str | None]:
    """Convert one non-empty cell; return (value, error message or None)."""
    if type_name == INTEGER:
        try:
            return int(value), None
        except ValueError:
            return None, f"expected a whole number, got {value!r}"
    if type_name == DECIMAL:
        try:
            number = float(value)
        except ValueError:
            return None, f"expected a number, got {value!r}"
        if not math.isfinite(number):
            return None, f"expected a finite number, got {value!r}"
        return number, None
    if type_name == DATE:
        try:
            return date.fromisoformat(value), None
        except ValueError:
            return None, f"expected a date as YYYY-MM-DD, got {value!r}"
    if type_name == BOOLEAN:
        if value.lower() in BOOLEAN_VALUES:
            return BOOLEAN_VALUES[value.lower()], None
        return None, f"expected true or false, got {value!r}"
    return value, None


def _cell_column(raw_line: str, index: int) -> int:
    """1-based character column where field ``index`` starts in a line."""
    reader_position = 0
    field_number = 0
    in_quotes = False
    for position, character in enumerate(raw_line):
        if field_number == index:
            return position + 1
        if character == '"':
            in_quotes = not in_quotes
        elif character == "," and not in_quotes:
            field_number += 1
            reader_position = position + 1
    return reader_position + 1 if field_number == index else len(raw_line) + 1


def read_curated_table(table: Table, path: Path) -> CuratedTable:
    """Read and check one CSV; raise InputError listing every problem."""
    problems: list[Problem] = []
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(
            [Problem(path, 1, 1, f"cannot read file: {error.strerror}")]
        ) from error
    if data.startswith(b"\xef\xbb\xbf"):
        raise InputError(
            [
                Problem(
                    path,
                    1,
                    1,
                    "file starts with a byte order mark; save it as UTF-8 "
                    "without BOM",
                )
            ]
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise InputError(
            [Problem(path, line, column, "file is not valid UTF-8")]
        ) from error
    raw_lines = text.splitlines()
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError([Problem(path, 1, 1, "file is empty; expected a header")])
    except csv.Error as error:
        raise InputError([Problem(path, 1, 1, f"malformed CSV: {error}")])
    expected = table.column_names
    if len(header) == 1 and ";" in header[0]:
        raise InputError(
            [
                Problem(
                    path,
                    1,
                    1,
                    "header is separated by semicolons; use commas",
                )
            ]
        )
    for index, name in enumerate(header):
        if name not in expected:
            problems.append(
                Problem(
                    path,
                    1,
                    _cell_column(raw_lines[0], index),
                    f"unexpected column {name!r}; expected columns: "
                    + ", ".join(expected),
                )
            )
    for name in expected:
        if name not in header:
            problems.append(
                Problem(path, 1, 1, f"missing column {name!r}")
            )
    if header != expected and not problems:
        problems.append(
            Problem(
                path,
                1,
                1,
                "columns are out of order; expected: " + ", ".join(expected),
            )
        )
    if problems:
        raise InputError(problems)

    columns = table.columns
    rows: list[dict[str, Any]] = []
    line_numbers: list[int] = []
    seen_keys: dict[tuple[Any, ...], int] = {}
    try:
        for cells in reader:
            line = reader.line_num
            if not cells or all(not cell.strip() for cell in cells):
                continue
            raw_line = raw_lines[line - 1] if line - 1 < len(raw_lines) else ""
            if len(cells) != len(columns):
                problems.append(
                    Problem(
                        path,
                        line,
                        1,
                        f"row has {len(cells)} fields, header has "
                        f"{len(columns)}",
                    )
                )
                continue
            row: dict[str, Any] = {}
            for index, (column, cell) in enumerate(zip(columns, cells)):
                position = _cell_column(raw_line, index)
                value = cell.strip()
                if not value:
                    if column.required:
                        problems.append(
                            Problem(
                                path,
                                line,
                                position,
                                f"column {column.name!r} is required but empty",
                            )
                        )
                    row[column.name] = None
                    continue
                if value.startswith(FORMULA_PREFIXES):
                    problems.append(
                        Problem(
                            path,
                            line,
                            position,
                            f"column {column.name!r} starts with "
                            f"{value[0]!r}, which spreadsheets run as a "
                            "formula; remove it",
                        )
                    )
                    continue
                converted, message = _convert(value, column.type)
                if message:
                    problems.append(
                        Problem(
                            path, line, position, f"column {column.name!r}: {message}"
                        )
                    )
                    continue
                if column.allowed is not None and converted not in column.allowed:
                    problems.append(
                        Problem(
                            path,
                            line,
                            position,
                            f"column {column.name!r}: {value!r} is not one of "
                            + ", ".join(column.allowed),
                        )
                    )
                    continue
                row[column.name] = converted
            if len(row) != len(columns):
                continue
            key = tuple(row[name] for name in table.key)
            if None not in key:
                if key in seen_keys:
                    problems.append(
                        Problem(
                            path,
                            line,
                            1,
                            "duplicate key ("
                            + ", ".join(table.key)
                            + f") = {key!r}; first seen on line "
                            f"{seen_keys[key]}",
                        )
                    )
                    continue
                seen_keys[key] = line
            rows.append(row)
            line_numbers.append(line)
    except csv.Error as error:
        problems.append(
            Problem(path, reader.line_num, 1, f"malformed CSV: {error}")
        )
    if problems:
        raise InputError(problems)
    return CuratedTable(table=table, path=path, rows=rows, line_numbers=line_numbers)


def read_curated(seeds_dir: Path) -> list[CuratedTable]:
    """Read every declared table; all problems of all files in one error."""
    problems: list[Problem] = []
    tables: list[CuratedTable] = []
    declared = {table.csv_name for table in TABLES}
    if not seeds_dir.is_dir():
        raise InputError(
            [Problem(seeds_dir, 1, 1, "curated data directory does not exist")]
        )
    for path in sorted(seeds_dir.glob("*.csv")):
        if path.name not in declared:
            problems.append(
                Problem(
                    path,
                    1,
                    1,
                    "no schema is declared for this file; expected one of: "
                    + ", ".join(sorted(declared)),
                )
            )
    for table in TABLES:
        path = seeds_dir / table.csv_name
        if not path.exists():
            problems.append(Problem(path, 1, 1, "curated file is missing"))
            continue
        try:
            tables.append(read_curated_table(table, path))
        except InputError as error:
            problems.extend(error.problems)
    if problems:
        raise InputError(problems)
    return tables

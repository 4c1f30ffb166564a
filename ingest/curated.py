"""Loading the curated CSVs in ``seeds/`` and checking them against schema."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ingest.errors import InputError, Problem, position_in_text, position_of_byte
from ingest.schema import (
    BOOLEAN,
    DATE,
    DECIMAL,
    INTEGER,
    TABLES,
    TABLES_BY_NAME,
    Table,
)

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
    # (line, column) where each row's cells start, for messages about a
    # cell found wrong after reading (e.g. a quote missing from its article).
    cell_positions: list[dict[str, tuple[int, int]]] = field(default_factory=list)


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


# The characters that can end a field or open and close a quoted one.
_FIELD_DELIMITER = re.compile('[",]')


def _field_offsets(record: str) -> list[int]:
    """0-based offset where each field of a CSV record starts.

    Scans the delimiters only, once per record: a cell-by-cell scan from
    the start of the line costs seconds over 100,000 curated rows.
    """
    offsets = [0]
    in_quotes = False
    for match in _FIELD_DELIMITER.finditer(record):
        if match.group() == '"':
            in_quotes = not in_quotes
        elif not in_quotes:
            offsets.append(match.end())
    return offsets


def _cell_column(raw_line: str, index: int) -> int:
    """1-based character column where field ``index`` starts in a line."""
    offsets = _field_offsets(raw_line)
    return offsets[index] + 1 if index < len(offsets) else len(raw_line) + 1


def _split_lines(text: str) -> list[str]:
    """Lines as the csv module counts them: CRLF, CR and LF each end one.

    ``str.splitlines`` also splits on form feeds and Unicode separators,
    which would shift every later line number away from the reader's.
    """
    return re.split(r"\r\n|\r|\n", text)


def _cell_positions(
    raw_lines: list[str], start_line: int, end_line: int, field_count: int
) -> list[tuple[int, int]]:
    """1-based (line, column) where each field of a record starts.

    A quoted cell may span lines, so the record is scanned as a whole.
    """
    record = "\n".join(raw_lines[start_line - 1 : end_line])
    offsets = _field_offsets(record)
    positions = []
    for index in range(field_count):
        offset = offsets[index] if index < len(offsets) else len(record)
        line, column = position_in_text(record, offset)
        positions.append((start_line + line - 1, column))
    return positions


# A quoted cell may span lines; a record longer than this is not read
# whole when placing a dbt test's failing cell.
MAX_RECORD_LINES = 100


def cell_position(path: Path, line: int, column_name: str) -> tuple[int, int]:
    """1-based (line, column) of ``column_name``'s cell in the record
    starting on ``line`` of a curated CSV (a dbt test's failing row names
    its ``source_line``). ValueError when the file has no such column."""
    raw_lines = _split_lines(path.read_text(encoding="utf-8"))
    index = next(csv.reader([raw_lines[0]])).index(column_name)
    end_line = min(len(raw_lines), line + MAX_RECORD_LINES)
    return _cell_positions(raw_lines, line, end_line, index + 1)[index]


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
                    "file starts with a byte order mark; save it as UTF-8 without BOM",
                )
            ]
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = position_of_byte(data, error.start)
        raise InputError(
            [Problem(path, line, column, "file is not valid UTF-8")]
        ) from error
    nul_offset = text.find("\x00")
    if nul_offset != -1:
        # The csv module reads NUL bytes as data; in a hand-edited file they
        # only come from a binary file or a broken save.
        line, column = position_in_text(text, nul_offset)
        raise InputError(
            [Problem(path, line, column, "file contains a NUL byte; not a CSV")]
        )
    raw_lines = _split_lines(text)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(
            [Problem(path, 1, 1, "file is empty; expected a header")]
        ) from None
    except csv.Error as error:
        raise InputError([Problem(path, 1, 1, f"malformed CSV: {error}")]) from error
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
            problems.append(Problem(path, 1, 1, f"missing column {name!r}"))
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
    cell_positions: list[dict[str, tuple[int, int]]] = []
    seen_keys: dict[tuple[Any, ...], int] = {}
    previous_end_line = reader.line_num
    try:
        for cells in reader:
            # A record is reported at the line it starts on, even when a
            # quoted cell carries it over several lines.
            line = previous_end_line + 1
            end_line = previous_end_line = reader.line_num
            if not cells or all(not cell.strip() for cell in cells):
                continue
            if len(cells) != len(columns):
                problems.append(
                    Problem(
                        path,
                        line,
                        1,
                        f"row has {len(cells)} field{'' if len(cells) == 1 else 's'}, "
                        f"header has {len(columns)}",
                    )
                )
                continue
            row: dict[str, Any] = {}
            positions: dict[str, tuple[int, int]] = {}
            record_positions = _cell_positions(raw_lines, line, end_line, len(cells))
            for index, (column, cell) in enumerate(zip(columns, cells, strict=True)):
                cell_line, position = record_positions[index]
                positions[column.name] = (cell_line, position)
                value = cell.strip()
                if not value:
                    if column.required:
                        problems.append(
                            Problem(
                                path,
                                cell_line,
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
                            cell_line,
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
                            path,
                            cell_line,
                            position,
                            f"column {column.name!r}: {message}",
                        )
                    )
                    continue
                if column.allowed is not None and converted not in column.allowed:
                    problems.append(
                        Problem(
                            path,
                            cell_line,
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
                            "duplicate key "
                            + ", ".join(
                                f"{name}={value!r}"
                                for name, value in zip(table.key, key, strict=True)
                            )
                            + f"; first seen on line {seen_keys[key]}",
                        )
                    )
                    continue
                seen_keys[key] = line
            rows.append(row)
            line_numbers.append(line)
            cell_positions.append(positions)
    except csv.Error as error:
        problems.append(Problem(path, reader.line_num, 1, f"malformed CSV: {error}"))
    if problems:
        raise InputError(problems)
    return CuratedTable(
        table=table,
        path=path,
        rows=rows,
        line_numbers=line_numbers,
        cell_positions=cell_positions,
    )


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
    if not problems:
        problems = unknown_codes(tables)
    if problems:
        raise InputError(problems)
    return tables


def unknown_codes(tables: list[CuratedTable]) -> list[Problem]:
    """Codes naming no row of the curated table their column refers to.

    dbt's relationships tests check the same in the warehouse; this says
    which CSV cell is wrong before anything is built.
    """
    keys = {
        curated_table.table.name: {
            row[curated_table.table.key[0]] for row in curated_table.rows
        }
        for curated_table in tables
        if len(curated_table.table.key) == 1
    }
    problems: list[Problem] = []
    for curated_table in tables:
        for column in curated_table.table.columns:
            if column.references is None:
                continue
            referenced = TABLES_BY_NAME[column.references]
            known = keys[referenced.name]
            for row, positions in zip(
                curated_table.rows, curated_table.cell_positions, strict=True
            ):
                code = row.get(column.name)
                if code is None or code in known:
                    continue
                line, cell_column = positions[column.name]
                problems.append(
                    Problem(
                        curated_table.path,
                        line,
                        cell_column,
                        f"column {column.name!r}: {code!r} is not a "
                        f"{referenced.key[0]} in {referenced.csv_name}",
                    )
                )
    return problems


ARTICLE_COLUMN = "article_id"


def uncurated_articles(
    curated: Iterable[CuratedTable], article_ids_by_path: dict[str, str]
) -> list[str]:
    """Paths of the articles read that articles.csv does not list, sorted.

    They build like any other, but with no publication date or outlet, so
    a timeline cannot place them until a curator adds their row.
    """
    listed = {
        row.get(ARTICLE_COLUMN)
        for curated_table in curated
        if curated_table.table.name == "articles"
        for row in curated_table.rows
    }
    return sorted(
        path
        for path, article_id in article_ids_by_path.items()
        if article_id not in listed
    )


def unread_articles(
    curated: Iterable[CuratedTable],
    article_ids_by_path: dict[str, str],
    unreadable_by_path: dict[str, str],
) -> list[Problem]:
    """Articles that curated rows cite and no file of this build holds.

    One problem per article, at its row of articles.csv (where a curator
    records its id) or else at the first row citing it, saying what became
    of the file: its text changed (so its id did), it could not be read,
    or it is in no articles folder. dbt's relationships and evidence tests
    would report the same as dozens of failures without the file.
    ``article_ids_by_path`` holds every file read (or reused) and its
    article id, ``unreadable_by_path`` every unreadable file and why.
    """
    read_ids = set(article_ids_by_path.values())
    citing_cells: dict[str, list[tuple[Path, int, int]]] = {}
    curated_cells: dict[str, tuple[Path, int, int]] = {}
    file_names: dict[str, str] = {}
    for curated_table in curated:
        if ARTICLE_COLUMN not in curated_table.table.column_names:
            continue
        is_article_list = curated_table.table.name == "articles"
        for row, positions in zip(
            curated_table.rows, curated_table.cell_positions, strict=True
        ):
            article_id = row.get(ARTICLE_COLUMN)
            if article_id is None or article_id in read_ids:
                continue
            cell = (curated_table.path, *positions[ARTICLE_COLUMN])
            if is_article_list:
                curated_cells[article_id] = cell
                file_names[article_id] = row["file_name"]
            else:
                citing_cells.setdefault(article_id, []).append(cell)
    problems: list[Problem] = []
    for article_id in sorted(citing_cells.keys() | curated_cells.keys()):
        cells = citing_cells.get(article_id, [])
        path, line, column = curated_cells.get(article_id) or cells[0]
        file_name = file_names.get(article_id)
        message = (
            f"article {article_id} is not among the articles read"
            + (f" ({len(cells)} curated rows cite it)" if cells else "")
            + ": "
            + _what_became_of(file_name, article_ids_by_path, unreadable_by_path)
        )
        problems.append(Problem(path, line, column, message))
    return problems


def _what_became_of(
    file_name: str | None,
    article_ids_by_path: dict[str, str],
    unreadable_by_path: dict[str, str],
) -> str:
    if file_name is None:
        return "articles.csv does not list it, so its file is unknown"
    for file_path, article_id in article_ids_by_path.items():
        if Path(file_path).name == file_name:
            return (
                f"its file {file_name} now holds article {article_id}, so its "
                "text changed after it was curated; check the quotes that "
                "cite it against the new text, then give those rows and "
                "articles.csv the new id"
            )
    for file_path, reason in unreadable_by_path.items():
        if Path(file_path).name == file_name:
            return f"its file could not be read: {reason}"
    return f"its file {file_name} is in none of the articles folders"


# Characters that editors and word processors substitute for straight
# quotes; a curator who retypes a quote often gets these instead.
TYPOGRAPHIC_QUOTES = str.maketrans(
    {
        "\u201c": '"',  # left double quotation mark
        "\u201d": '"',  # right double quotation mark
        "\u201e": '"',  # low double quotation mark
        "\u201f": '"',  # reversed double quotation mark
        "\u00ab": '"',  # left guillemet
        "\u00bb": '"',  # right guillemet
        "\u2033": '"',  # double prime
        "\u2018": "'",  # left single quotation mark
        "\u2019": "'",  # right single quotation mark
        "\u201a": "'",  # low single quotation mark
        "\u201b": "'",  # reversed single quotation mark
        "\u2032": "'",  # prime
    }
)


def _loosened(text: str) -> tuple[str, list[int]]:
    """Text with straight quotes and single spaces, and where each came from.

    The offsets map every character of the result back to its position in
    ``text``, so a loose match can quote the original characters.
    """
    characters: list[str] = []
    offsets: list[int] = []
    index = 0
    while index < len(text):
        if text[index].isspace():
            offsets.append(index)
            characters.append(" ")
            while index < len(text) and text[index].isspace():
                index += 1
            continue
        offsets.append(index)
        characters.append(text[index].translate(TYPOGRAPHIC_QUOTES))
        index += 1
    return "".join(characters), offsets


def _near_miss(quote: str, article_text: str, loose_article: tuple[str, list[int]]):
    """The article's own wording of ``quote`` if they differ only loosely."""
    loose_quote, _ = _loosened(quote)
    loose_text, offsets = loose_article
    start = loose_text.find(loose_quote)
    if start == -1 or not loose_quote:
        return None
    end = start + len(loose_quote) - 1
    return article_text[offsets[start] : offsets[end] + 1]


def _misquote_message(
    quote: str, article_id: str, article_text: str, loose: tuple[str, list[int]]
) -> str:
    """Why a quote is not its article's: absent, or retyped (what the
    article says instead)."""
    wording = _near_miss(quote, article_text, loose)
    if wording is None:
        return (
            f"quote is not in article {article_id}; evidence is the "
            "article's own words, copied verbatim"
        )
    return (
        f"quote differs from article {article_id} only in "
        "typographic quotes or whitespace; copy the article's "
        f"wording exactly: {wording!r}"
    )


def check_evidence_quotes(
    curated: Iterable[CuratedTable], article_texts: dict[str, str]
) -> list[Problem]:
    """Quotes that are not in the article they cite, at their CSV cells.

    The dbt test ``evidence_in_article`` checks the same in the warehouse;
    this runs first because it can name the CSV cell, and, for a quote that
    differs only by typographic quotes or spacing, what the article says.
    A quote whose article was not read is left to ``unread_articles``.
    """
    problems: list[Problem] = []
    loose_articles: dict[str, tuple[str, list[int]]] = {}
    for curated_table in curated:
        quote_columns = [
            column.name for column in curated_table.table.columns if column.is_quote
        ]
        if not quote_columns:
            continue
        for row, positions in zip(
            curated_table.rows, curated_table.cell_positions, strict=True
        ):
            article_id = row.get(ARTICLE_COLUMN)
            article_text = article_texts.get(article_id)
            for quote_column in quote_columns:
                quote = row.get(quote_column)
                if not quote or article_text is None or quote in article_text:
                    continue
                if article_id not in loose_articles:
                    loose_articles[article_id] = _loosened(article_text)
                message = _misquote_message(
                    quote, article_id, article_text, loose_articles[article_id]
                )
                line, column = positions[quote_column]
                problems.append(
                    Problem(
                        curated_table.path,
                        line,
                        column,
                        f"column {quote_column!r}: {message}",
                    )
                )
    return problems

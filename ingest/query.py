"""Read-only questions to the built warehouse: ad-hoc SQL and its status.

The CLI only parses arguments and prints what these functions return, so a
notebook can call them too.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import NamedTuple

import duckdb

from ingest.errors import AutowatchError, InputError, Problem
from ingest.warehouse import table_name

# Where a statement typed on the command line is said to come from in
# file:line:column messages.
COMMAND_LINE_SOURCE = "<query>"

FORMATS = ("table", "csv", "json")

# DuckDB parses SHOW, DESCRIBE, SUMMARIZE, FROM-first queries and VALUES
# as SELECT statements too. EXPLAIN is allowed when what it explains is:
# EXPLAIN ANALYZE runs the statement (a COPY would write its file even on
# a read-only connection).
READ_ONLY_STATEMENT = duckdb.StatementType.SELECT
EXPLAIN_STATEMENT = duckdb.StatementType.EXPLAIN
ALLOWED_STATEMENTS = "SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE or EXPLAIN"

# Schemas whose tables and views `status` counts; DuckDB's own catalogs
# would only add noise.
STATUS_SCHEMAS = ("raw", "staging", "intermediate", "marts", "reporting", "meta")


# DuckDB ends an error about a place in the statement with that line and a
# caret under the place: "LINE 3:   where" then "          ^^^^^". A long
# line is shown as a window around the place, cut with "...".
DUCKDB_ERROR_PLACE = re.compile(r"\n\nLINE (\d+): (.*)\n( *)\^+\s*\Z")
DUCKDB_ELLIPSIS = "..."


def duckdb_error_problem(error: duckdb.Error, sql: str, source: str) -> Problem:
    """A DuckDB error about ``sql`` as one line at the place it names.

    DuckDB's message spans several lines (the error, a hint, the line of
    the statement with a caret); this keeps the error and hint on one line
    and turns the caret into a line and column.
    """
    text = str(error)
    place = DUCKDB_ERROR_PLACE.search(text)
    line, column = 1, 1
    if place is not None:
        text = text[: place.start()]
        line = int(place[1])
        shown = place[2]
        index = _index_under_caret(shown, len(place[3]) - len(f"LINE {place[1]}: "))
        # DuckDB numbers lines at "\n" only (a "\r" before it stays behind).
        lines = sql.split("\n")
        statement_line = lines[line - 1] if line <= len(lines) else ""
        window_start = 0
        if shown.startswith(DUCKDB_ELLIPSIS):
            index -= len(DUCKDB_ELLIPSIS)
            window = shown[len(DUCKDB_ELLIPSIS) :].removesuffix(DUCKDB_ELLIPSIS)
            window_start = max(statement_line.find(window), 0)
        column = max(window_start + index + 1, 1)
    return Problem(source, line, column, " ".join(text.split()))


def _display_width(character: str) -> int:
    """Columns a terminal gives a character, as DuckDB counts them under
    its caret: none for a tab or a combining mark, two for a wide one."""
    if unicodedata.category(character) in ("Cc", "Cf", "Mn", "Me"):
        return 0
    return 2 if unicodedata.east_asian_width(character) in ("W", "F") else 1


def _index_under_caret(shown: str, caret_width: int) -> int:
    """The index in ``shown`` of the character DuckDB's caret points to."""
    index, width = 0, 0
    while index < len(shown) and (
        width < caret_width or _display_width(shown[index]) == 0
    ):
        width += _display_width(shown[index])
        index += 1
    return index


class MissingWarehouseError(AutowatchError):
    """There is no built warehouse to read."""


class QueryError(AutowatchError):
    """DuckDB could not run a read-only statement."""


@dataclass(frozen=True)
class QueryResult:
    """Column names and rows of one query."""

    column_names: list[str]
    rows: list[tuple]


def check_read_only(sql: str, source: str = COMMAND_LINE_SOURCE) -> None:
    """Raise InputError unless ``sql`` is exactly one statement that reads.

    The connection is opened read-only as well; this check comes first so
    that the refusal names the statement instead of quoting a DuckDB error.
    """
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as error:
        raise InputError([duckdb_error_problem(error, sql, source)]) from error
    if len(statements) != 1:
        raise InputError(
            [
                Problem(
                    source,
                    1,
                    1,
                    f"expected exactly one statement, got {len(statements)}; "
                    "run them one at a time",
                )
            ]
        )
    statement_type = statements[0].type
    if statement_type == EXPLAIN_STATEMENT:
        statement_type = _explained_statement_type(sql)
    if statement_type != READ_ONLY_STATEMENT:
        raise InputError(
            [
                Problem(
                    source,
                    1,
                    1,
                    f"{statement_type.name} statements are not allowed: the "
                    f"warehouse is read-only here; use {ALLOWED_STATEMENTS}",
                )
            ]
        )


def _explained_statement_type(sql: str) -> duckdb.StatementType:
    """The type of the statement after ``EXPLAIN [ANALYZE] [(options)]``."""
    tokens = duckdb.tokenize(sql)
    starts = [start for start, _ in tokens] + [len(sql)]

    def word(index: int) -> str:
        return sql[starts[index] : starts[index + 1]].strip().lower()

    index = 1  # past EXPLAIN
    if index < len(tokens) and word(index) in ("analyze", "analyse"):
        index += 1
    if index < len(tokens) and word(index) == "(":
        depth = 0
        while index < len(tokens):
            depth += {"(": 1, ")": -1}.get(word(index), 0)
            index += 1
            if depth == 0:
                break
    if index >= len(tokens):
        return EXPLAIN_STATEMENT
    return duckdb.extract_statements(sql[starts[index] :])[0].type


def connect_read_only(warehouse_file: Path) -> duckdb.DuckDBPyConnection:
    if not warehouse_file.exists():
        raise MissingWarehouseError(
            f"{warehouse_file}: no warehouse yet; run `autowatch build`"
        )
    try:
        return duckdb.connect(str(warehouse_file), read_only=True)
    except duckdb.Error as error:
        message = " ".join(str(error).split())
        if "Could not set lock" in message:
            # DuckDB admits no reader beside a writer.
            message = (
                "another process has the warehouse open for writing (DBeaver "
                "or a notebook without read-only?); close it or reopen it "
                f"read-only, then retry ({message})"
            )
        raise QueryError(f"{warehouse_file}: cannot open: {message}") from error


def run_query(warehouse_file: Path, sql: str) -> QueryResult:
    """Run one read-only statement and return all of its rows."""
    check_read_only(sql)
    return fetch_all_and_close(connect_read_only(warehouse_file), sql)


def fetch_all_and_close(connection: duckdb.DuckDBPyConnection, sql: str) -> QueryResult:
    """All rows of one statement; a DuckDB error becomes a QueryError."""
    try:
        cursor = connection.execute(sql)
        column_names = [column[0] for column in cursor.description or []]
        return QueryResult(column_names, cursor.fetchall())
    except duckdb.Error as error:
        raise QueryError(
            str(duckdb_error_problem(error, sql, COMMAND_LINE_SOURCE))
        ) from error
    finally:
        connection.close()


def _json_value(value: object) -> object:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        # JSON has no NaN or infinity; Python would write them anyway.
        return value if math.isfinite(value) else None
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _json_value(item) for key, item in value.items()}
    # Decimal (exact, so not a float), interval, UUID and the like.
    return str(value)


def _unique_names(names: list[str]) -> list[str]:
    """Column names as JSON keys: a repeated name (``select *`` over a
    join) gets ``_2``, ``_3``, … instead of overwriting the first."""
    taken = set(names)
    unique: list[str] = []
    seen: set[str] = set()
    for name in names:
        candidate, number = name, 1
        while candidate in seen or (candidate != name and candidate in taken):
            number += 1
            candidate = f"{name}_{number}"
        seen.add(candidate)
        unique.append(candidate)
    return unique


def _text(value: object) -> str:
    return "" if value is None else str(value)


def format_table(result: QueryResult) -> str:
    """Aligned columns with a header rule; nulls print as empty cells.

    A cell with line breaks (an EXPLAIN plan, an article's text) spans as
    many lines, the row's other cells padded beside it, so the columns
    stay aligned.
    """
    rows = [[_text(value).splitlines() or [""] for value in row] for row in result.rows]
    widths = [
        max([len(name), *(len(line) for row in rows for line in row[index])])
        for index, name in enumerate(result.column_names)
    ]
    lines = [
        "  ".join(
            name.ljust(width)
            for name, width in zip(result.column_names, widths, strict=True)
        ).rstrip(),
        "  ".join("-" * width for width in widths),
    ]
    for row in rows:
        for line_number in range(max(len(cell) for cell in row)):
            lines.append(
                "  ".join(
                    (cell[line_number] if line_number < len(cell) else "").ljust(width)
                    for cell, width in zip(row, widths, strict=True)
                ).rstrip()
            )
    lines.append(f"({len(result.rows)} row{'' if len(result.rows) == 1 else 's'})")
    return "\n".join(lines)


def format_csv(result: QueryResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(result.column_names)
    writer.writerows([[_text(value) for value in row] for row in result.rows])
    return buffer.getvalue().rstrip("\n")


def format_json(result: QueryResult) -> str:
    """One JSON array of objects; dates as ISO strings, nulls as null."""
    names = _unique_names(result.column_names)
    return json.dumps(
        [
            {name: _json_value(value) for name, value in zip(names, row, strict=True)}
            for row in result.rows
        ],
        ensure_ascii=False,
        indent=2,
    )


def format_result(result: QueryResult, output_format: str) -> str:
    formatters = {"table": format_table, "csv": format_csv, "json": format_json}
    return formatters[output_format](result)


@dataclass
class WarehouseStatus:
    """What the warehouse holds, when it was built and from which inputs."""

    warehouse_file: Path
    size_bytes: int
    modified_at: datetime
    built_at: datetime | None
    autowatch_version: str | None
    duckdb_version: str | None
    article_count: int | None
    quarantined_count: int | None
    inputs: dict = field(default_factory=dict)
    relations: list[RelationCount] = field(default_factory=list)

    @property
    def models_built(self) -> bool:
        """Whether dbt built models here, or the file holds only what
        ``autowatch ingest`` loaded (its raw tables)."""
        return any(relation.schema == "marts" for relation in self.relations)

    def as_dict(self) -> dict:
        return {
            "warehouse_file": str(self.warehouse_file),
            "size_bytes": self.size_bytes,
            "modified_at": self.modified_at.isoformat(),
            "built_at": self.built_at.isoformat() if self.built_at else None,
            "models_built": self.models_built,
            "autowatch_version": self.autowatch_version,
            "duckdb_version": self.duckdb_version,
            "article_count": self.article_count,
            "quarantined_count": self.quarantined_count,
            "inputs": self.inputs,
            "relations": [relation._asdict() for relation in self.relations],
        }

    def describe(self) -> str:
        # build_info is written by the ingest; in a file dbt never ran on,
        # its time is when the raw tables were loaded, not a build's.
        when = self.built_at.isoformat() if self.built_at else "?"
        lines = [
            f"warehouse: {self.warehouse_file} ({self.size_bytes} bytes)",
            f"built at: {when}"
            if self.models_built
            else f"ingested at: {when} (raw tables only: no dbt model built here)",
            f"built by: autowatch {self.autowatch_version}, "
            f"duckdb {self.duckdb_version}",
            f"articles: {self.article_count} loaded, "
            f"{self.quarantined_count} quarantined",
        ]
        for key, value in sorted(self.inputs.items()):
            if isinstance(value, dict):
                # One line per entry: a Python dict's repr is one long line
                # a reader cannot scan (a digest per curated table).
                lines.append(f"input {key}:")
                lines.extend(f"  {name}: {value[name]}" for name in sorted(value))
                continue
            shown = ", ".join(value) if isinstance(value, list) else value
            lines.append(f"input {key}: {shown}")
        lines.append("relations (rows):")
        for relation in self.relations:
            shown = (
                relation.rows
                if relation.problem is None
                else f"does not resolve: {relation.problem}"
            )
            lines.append(
                f"  {relation.schema}.{relation.name} ({relation.kind}): {shown}"
            )
        return "\n".join(lines)


def _build_info(connection: duckdb.DuckDBPyConnection) -> tuple | None:
    try:
        return connection.execute(
            "select built_at, autowatch_version, duckdb_version, "
            "article_count, quarantined_count, inputs_json "
            f"from {table_name('raw', 'build_info')} "
            "order by built_at desc limit 1"
        ).fetchone()
    except duckdb.CatalogException:
        return None


class RelationCount(NamedTuple):
    """A relation of the warehouse and its row count, or why it has none."""

    schema: str
    name: str
    kind: str  # "table" or "view"
    rows: int | None
    # Set when counting failed: a view over a relation that is gone.
    problem: str | None = None


def _relations(connection: duckdb.DuckDBPyConnection) -> list[RelationCount]:
    listed = connection.execute(
        "select schema_name, table_name, 'table' from duckdb_tables() "
        "where database_name = current_database() "
        "and list_contains(?, schema_name) "
        "union all "
        "select schema_name, view_name, 'view' from duckdb_views() "
        "where database_name = current_database() and not internal "
        "and list_contains(?, schema_name) "
        "order by 1, 2",
        [list(STATUS_SCHEMAS), list(STATUS_SCHEMAS)],
    ).fetchall()
    counted = []
    for schema, name, kind in listed:
        try:
            (count,) = connection.execute(
                f"select count(*) from {table_name(schema, name)}"
            ).fetchone()
        except (duckdb.CatalogException, duckdb.BinderException) as error:
            # One view over a dropped table or column must not hide what
            # the rest of the warehouse holds: status is where one looks
            # when in doubt. Other errors (I/O, memory) stop it.
            counted.append(
                RelationCount(schema, name, kind, None, " ".join(str(error).split()))
            )
        else:
            counted.append(RelationCount(schema, name, kind, count))
    return counted


def warehouse_status(warehouse_file: Path) -> WarehouseStatus:
    """Read build metadata and row counts from the warehouse, read-only."""
    connection = connect_read_only(warehouse_file)
    try:
        build_info = _build_info(connection)
        relations = _relations(connection)
    finally:
        connection.close()
    stat = warehouse_file.stat()
    built_at, autowatch_version, duckdb_version = None, None, None
    article_count, quarantined_count, inputs = None, None, {}
    if build_info is not None:
        (
            built_at,
            autowatch_version,
            duckdb_version,
            article_count,
            quarantined_count,
            inputs_json,
        ) = build_info
        inputs = json.loads(inputs_json) if inputs_json else {}
    return WarehouseStatus(
        warehouse_file=warehouse_file,
        size_bytes=stat.st_size,
        modified_at=datetime.fromtimestamp(stat.st_mtime, tz=UTC),
        built_at=built_at,
        autowatch_version=autowatch_version,
        duckdb_version=duckdb_version,
        article_count=article_count,
        quarantined_count=quarantined_count,
        inputs=inputs,
        relations=relations,
    )

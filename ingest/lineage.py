"""Column lineage: which raw columns every model column is made from.

sqlglot's ``lineage`` reads each model's compiled SQL from dbt's manifest.
It needs the columns of every relation the SQL reads: without them a
``select *`` import CTE resolves only to ``*``. Those come from dbt's
``catalog.json`` (written by ``autowatch docs``); when it is missing they are
read from the warehouse itself, which is what dbt builds the catalog from.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.lineage import Node, lineage

from ingest.errors import AutowatchError
from ingest.paths import Paths
from ingest.query import connect_read_only
from ingest.warehouse import (
    build_lock,
    clean_staging,
    identifier,
    staging_dir,
    swap_in,
    table_name,
)

DIALECT = "duckdb"
LINEAGE_SCHEMA = "meta"
LINEAGE_TABLE = "column_lineage"

# What feeds a column: a column of a dbt model, a column of a raw source
# table, or nothing at all (a literal or a generated series).
MODEL = "model"
SOURCE = "source"
COMPUTED = "computed"

LINEAGE_COLUMNS = (
    ("column_schema", "varchar", "Schema of the relation the column is in."),
    ("column_relation", "varchar", "Model (table or view) the column is in."),
    ("column_name", "varchar", "The column whose origin this row states."),
    (
        "upstream_kind",
        "varchar",
        "What the column is made from: model (a column of another dbt model), "
        "source (a raw column loaded by the ingester) or computed (no column: "
        "a literal or generated value).",
    ),
    ("upstream_schema", "varchar", "Schema of the upstream relation."),
    ("upstream_relation", "varchar", "Table or view the upstream column is in."),
    ("upstream_column_name", "varchar", "The upstream column."),
    (
        "depth",
        "integer",
        "How many models lie between them: 1 for a column the model's SQL reads "
        "directly, more for columns further upstream.",
    ),
)

LINEAGE_TABLE_COMMENT = (
    "One row per column of a dbt model and a column it is made from, directly "
    "(depth 1) or further upstream, down to the raw columns the ingester "
    "loads. Written by `autowatch lineage --all` from the compiled SQL of "
    "every model."
)


class LineageError(AutowatchError):
    """The lineage cannot be traced: no manifest, or an unknown column."""


@dataclass(frozen=True)
class Relation:
    """A table or view dbt knows: a model it builds or a source it reads."""

    schema: str
    name: str
    kind: str
    unique_id: str
    compiled_sql: str | None = None

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class UpstreamColumn:
    """One column a model column reads directly (kind table), or none
    (kind computed)."""

    kind: str
    schema: str | None
    relation: str | None
    column: str | None


@dataclass
class LineageNode:
    """A column and the columns it is made from, down to raw sources."""

    schema: str | None
    relation: str | None
    column: str | None
    kind: str
    upstream: list[LineageNode] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.kind == COMPUTED:
            return "(computed: no upstream column)"
        return f"{self.schema}.{self.relation}.{self.column}"

    def render(self, depth: int = 0) -> list[str]:
        """One line per column, each upstream column indented under it."""
        prefix = "" if depth == 0 else "    " * (depth - 1) + "<- "
        suffix = "" if self.kind == COMPUTED else f"  [{self.kind}]"
        lines = [f"{prefix}{self.label}{suffix}"]
        for node in self.upstream:
            lines += node.render(depth + 1)
        return lines

    def sources(self) -> set[str]:
        """Every raw column at the bottom of this tree."""
        if self.kind == SOURCE:
            return {self.label}
        return set().union(*(node.sources() for node in self.upstream))


def _read_json(path: Path, what: str) -> dict:
    if not path.exists():
        raise LineageError(f"{path}: no {what} yet; run `autowatch build` first")
    return json.loads(path.read_text(encoding="utf-8"))


def _invocation(artifact: dict) -> str | None:
    """The dbt run that wrote a manifest or catalog."""
    return artifact.get("metadata", {}).get("invocation_id")


def _key(schema: str, name: str) -> tuple[str, str]:
    return (schema.lower(), name.lower())


def schema_from_catalog(catalog: dict) -> dict:
    """sqlglot's nested {database: {schema: {table: {column: type}}}}."""
    schema: dict = {}
    for entry in [
        *catalog.get("nodes", {}).values(),
        *catalog.get("sources", {}).values(),
    ]:
        metadata = entry["metadata"]
        table = (
            schema.setdefault(metadata["database"], {})
            .setdefault(metadata["schema"], {})
            .setdefault(metadata["name"], {})
        )
        for column in sorted(entry["columns"].values(), key=lambda c: c["index"]):
            table[column["name"]] = column["type"]
    return schema


def schema_from_warehouse(warehouse_file: Path) -> dict:
    """The same mapping as ``schema_from_catalog``, read from the file."""
    connection = connect_read_only(warehouse_file)
    try:
        rows = connection.execute(
            "select database_name, schema_name, table_name, column_name, "
            "data_type from duckdb_columns() "
            "where database_name = current_database() "
            "order by schema_name, table_name, column_index"
        ).fetchall()
    finally:
        connection.close()
    schema: dict = {}
    for database, schema_name, table, column, data_type in rows:
        schema.setdefault(database, {}).setdefault(schema_name, {}).setdefault(
            table, {}
        )[column] = data_type
    return schema


class LineageGraph:
    """Column lineage of every model in one built warehouse."""

    def __init__(self, manifest: dict, schema: dict, schema_origin: str):
        self.schema = schema
        self.schema_origin = schema_origin
        self.relations: dict[tuple[str, str], Relation] = {}
        for unique_id, node in manifest["nodes"].items():
            if node["resource_type"] != "model":
                continue
            self.relations[_key(node["schema"], node["alias"])] = Relation(
                schema=node["schema"],
                name=node["alias"],
                kind=MODEL,
                unique_id=unique_id,
                compiled_sql=node.get("compiled_code"),
            )
        for unique_id, source in manifest["sources"].items():
            self.relations[_key(source["schema"], source["identifier"])] = Relation(
                schema=source["schema"],
                name=source["identifier"],
                kind=SOURCE,
                unique_id=unique_id,
            )
        self._direct: dict[tuple[str, str], dict[str, list[UpstreamColumn]]] = {}

    @classmethod
    def load(cls, paths: Paths) -> LineageGraph:
        """Read the manifest, and the catalog when ``autowatch docs`` wrote
        one after the last build; else the warehouse's own columns."""
        manifest = _read_json(paths.dbt_target_dir / "manifest.json", "dbt manifest")
        catalog_file = paths.dbt_target_dir / "catalog.json"
        if catalog_file.exists():
            catalog = _read_json(catalog_file, "dbt catalog")
            # A build after `autowatch docs` leaves the docs' catalog behind,
            # listing the columns of the project as it was then.
            if _invocation(catalog) == _invocation(manifest):
                return cls(manifest, schema_from_catalog(catalog), str(catalog_file))
        schema = schema_from_warehouse(paths.warehouse_file)
        return cls(manifest, schema, str(paths.warehouse_file))

    def models(self) -> list[Relation]:
        return sorted(
            (
                relation
                for relation in self.relations.values()
                if relation.kind == MODEL
            ),
            key=lambda relation: (relation.schema, relation.name),
        )

    def find_model(self, name: str) -> Relation:
        """A model by name (``fct_target``) or schema and name."""
        parts = name.lower().split(".")
        matches = [
            relation
            for relation in self.models()
            if parts == [relation.name.lower()]
            or parts == [relation.schema.lower(), relation.name.lower()]
        ]
        if not matches:
            raise LineageError(
                f"unknown model {name!r}; models are: "
                + ", ".join(relation.name for relation in self.models())
            )
        return matches[0]

    def direct_upstream(self, relation: Relation) -> dict[str, list[UpstreamColumn]]:
        """For each column of a model, the columns its SQL reads."""
        key = _key(relation.schema, relation.name)
        if key in self._direct:
            return self._direct[key]
        if not relation.compiled_sql:
            raise LineageError(
                f"{relation.unique_id}: no compiled SQL in the manifest; "
                "run `autowatch build`"
            )
        try:
            nodes = lineage(None, relation.compiled_sql, self.schema, dialect=DIALECT)
        except SqlglotError as error:
            raise LineageError(
                f"{relation.unique_id}: sqlglot cannot trace its SQL: {error}"
            ) from error
        upstream = {
            column.lower(): _leaf_columns(node) for column, node in nodes.items()
        }
        self._direct[key] = upstream
        return upstream

    def trace(self, model_name: str, column: str) -> LineageNode:
        """The tree of columns ``model_name.column`` is made from."""
        relation = self.find_model(model_name)
        upstream = self.direct_upstream(relation)
        if column.lower() not in upstream:
            raise LineageError(
                f"{relation.qualified_name} has no column {column!r}; its "
                "columns are: " + ", ".join(upstream)
            )
        return self._trace(relation, column.lower(), set())

    def _trace(
        self, relation: Relation, column: str, visiting: set[tuple[str, str, str]]
    ) -> LineageNode:
        node = LineageNode(relation.schema, relation.name, column, relation.kind)
        if relation.kind == SOURCE:
            return node
        marker = (relation.schema, relation.name, column)
        if marker in visiting:
            return node
        visiting = visiting | {marker}
        for upstream in self.direct_upstream(relation).get(column, []):
            if upstream.kind == COMPUTED:
                node.upstream.append(LineageNode(None, None, None, COMPUTED))
                continue
            upstream_relation = self.relations.get(
                _key(upstream.schema, upstream.relation)
            )
            if upstream_relation is None:
                # Read by the SQL but unknown to dbt: shown, not followed.
                node.upstream.append(
                    LineageNode(
                        upstream.schema, upstream.relation, upstream.column, "table"
                    )
                )
                continue
            node.upstream.append(
                self._trace(upstream_relation, upstream.column, visiting)
            )
        return node

    def all_rows(self) -> Iterator[tuple]:
        """Rows of meta.column_lineage: every column to every ancestor."""
        for relation in self.models():
            for column in self.direct_upstream(relation):
                tree = self._trace(relation, column, set())
                seen: set[tuple] = set()
                for depth, ancestor in _ancestors(tree, 1):
                    row = (
                        relation.schema,
                        relation.name,
                        column,
                        ancestor.kind,
                        ancestor.schema,
                        ancestor.relation,
                        ancestor.column,
                        depth,
                    )
                    if row not in seen:
                        seen.add(row)
                        yield row


def _ancestors(node: LineageNode, depth: int) -> Iterator[tuple[int, LineageNode]]:
    for upstream in node.upstream:
        yield depth, upstream
        yield from _ancestors(upstream, depth + 1)


def _leaf_columns(node: Node) -> list[UpstreamColumn]:
    """The table columns at the bottom of one model's own lineage tree."""
    found: list[UpstreamColumn] = []
    for descendant in node.walk():
        if descendant.downstream:
            continue
        if isinstance(descendant.expression, exp.Table):
            table = descendant.expression
            upstream = UpstreamColumn(
                "table",
                table.db.lower(),
                table.name.lower(),
                descendant.name.split(".")[-1].lower(),
            )
        else:
            upstream = UpstreamColumn(COMPUTED, None, None, None)
        if upstream not in found:
            found.append(upstream)
    # sqlglot's walk order varies between runs; sorted output is stable.
    return sorted(
        found,
        key=lambda column: (
            column.kind,
            column.schema or "",
            column.relation or "",
            column.column or "",
        ),
    )


def write_lineage_table(paths: Paths, wait_for_lock: bool = False) -> int:
    """Write meta.column_lineage into the warehouse; return its row count.

    Like a build, the table is written into a copy that is then swapped in,
    so an open reader (DBeaver, a notebook) is never blocked or broken.
    """
    graph = LineageGraph.load(paths)
    rows = list(graph.all_rows())
    with build_lock(paths, wait=wait_for_lock):
        clean_staging(paths)
        staging = staging_dir(paths)
        staging.mkdir(parents=True)
        new_file = staging / paths.warehouse_file.name
        try:
            shutil.copyfile(paths.warehouse_file, new_file)
            _write_rows(new_file, rows)
            swap_in(new_file, paths.warehouse_file)
        finally:
            clean_staging(paths)
    return len(rows)


def _write_rows(database_file: Path, rows: list[tuple]) -> None:
    target = table_name(LINEAGE_SCHEMA, LINEAGE_TABLE)
    connection = duckdb.connect(str(database_file))
    try:
        connection.execute("begin transaction")
        connection.execute(f"create schema if not exists {identifier(LINEAGE_SCHEMA)}")
        column_sql = ", ".join(
            f"{identifier(name)} {sql_type}" for name, sql_type, _ in LINEAGE_COLUMNS
        )
        connection.execute(f"create or replace table {target} ({column_sql})")
        if rows:
            placeholders = ", ".join("?" for _ in LINEAGE_COLUMNS)
            connection.executemany(
                f"insert into {target} values ({placeholders})", rows
            )
        # COMMENT ON takes no bound parameters, so the fixed comments are
        # written as sqlglot string literals.
        connection.execute(
            f"comment on table {target} is "
            f"{exp.Literal.string(LINEAGE_TABLE_COMMENT).sql(dialect=DIALECT)}"
        )
        for name, _, description in LINEAGE_COLUMNS:
            column = exp.column(
                name, table=LINEAGE_TABLE, db=LINEAGE_SCHEMA, quoted=True
            ).sql(dialect=DIALECT)
            connection.execute(
                f"comment on column {column} is "
                f"{exp.Literal.string(description).sql(dialect=DIALECT)}"
            )
        connection.execute("commit")
        connection.execute("checkpoint")
    finally:
        connection.close()

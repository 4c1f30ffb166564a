"""Column lineage through the compiled SQL of the real dbt project.

Expected chains were traced by hand through the model files: fct_target
selects value_low from stg_curated__targets, which passes it through from
source curated.targets (raw.curated_targets); ids are md5 hashes of codes.
"""

from __future__ import annotations

import json

import duckdb
from click.testing import CliRunner

from ingest.cli import cli
from ingest.dbt import keep_compiled_code
from ingest.lineage import (
    COMPUTED,
    LineageGraph,
    schema_from_catalog,
)
from ingest.paths import default_paths
from ingest.warehouse import build
from tests.conftest import copy_warehouse


def test_value_low_chain_from_mart_to_raw_column(built_paths):
    graph = LineageGraph.load(built_paths)

    tree = graph.trace("fct_target", "value_low")

    assert tree.render() == [
        "marts.fct_target.value_low  [model]",
        "<- staging.stg_curated__targets.value_low  [model]",
        "    <- raw.curated_targets.value_low  [source]",
    ]


def test_surrogate_key_traces_to_the_code_it_hashes(built_paths):
    graph = LineageGraph.load(built_paths)

    assert graph.trace("fct_target", "target_id").sources() == {
        "raw.curated_targets.target_code"
    }
    assert graph.trace("fct_target", "plant_id").sources() == {
        "raw.curated_targets.plant_code"
    }


def test_column_built_from_two_branches_lists_both(built_paths):
    graph = LineageGraph.load(built_paths)

    tree = graph.trace("fct_conflicting_claim", "conflicting_claim_id")

    assert [node.label for node in tree.upstream] == [
        "intermediate.int_claims_paired.affirming_claim_id",
        "intermediate.int_claims_paired.denying_claim_id",
    ]
    assert tree.sources() == {"raw.curated_claims.claim_code"}


def test_reporting_view_traces_through_a_join_to_the_dimension(built_paths):
    graph = LineageGraph.load(built_paths)

    tree = graph.trace("reporting.plant_brands", "brand_name")

    assert tree.render() == [
        "reporting.plant_brands.brand_name  [model]",
        "<- marts.dim_brand.brand_name  [model]",
        "    <- staging.stg_curated__brands.brand_name  [model]",
        "        <- raw.curated_brands.brand_name  [source]",
    ]


def test_generated_column_has_no_upstream_column(built_paths):
    graph = LineageGraph.load(built_paths)

    tree = graph.trace("dim_date", "year_quarter")

    assert [node.kind for node in tree.upstream] == [COMPUTED]
    assert tree.sources() == set()


def test_catalog_schema_gives_the_same_lineage_as_the_warehouse(docs_paths, tmp_path):
    catalog_file = docs_paths.dbt_target_dir / "catalog.json"
    from_catalog = LineageGraph.load(docs_paths)
    assert from_catalog.schema_origin == str(catalog_file)
    catalog_file_absent = copy_warehouse(docs_paths, tmp_path / "warehouse")
    (catalog_file_absent.dbt_target_dir / "catalog.json").unlink()
    from_warehouse = LineageGraph.load(catalog_file_absent)
    assert from_warehouse.schema_origin == str(catalog_file_absent.warehouse_file)

    for model in ("fct_target", "dim_article", "plant_brands"):
        relation = from_catalog.find_model(model)
        assert from_catalog.direct_upstream(relation) == (
            from_warehouse.direct_upstream(from_warehouse.find_model(model))
        )


def test_without_a_schema_select_star_resolves_only_to_star(docs_paths):
    manifest = json.loads(
        (docs_paths.dbt_target_dir / "manifest.json").read_text(encoding="utf-8")
    )
    catalog = json.loads(
        (docs_paths.dbt_target_dir / "catalog.json").read_text(encoding="utf-8")
    )
    blind = LineageGraph(manifest, {}, "no schema")
    informed = LineageGraph(manifest, schema_from_catalog(catalog), "catalog")

    blind_upstream = blind.direct_upstream(blind.find_model("fct_target"))
    informed_upstream = informed.direct_upstream(informed.find_model("fct_target"))

    assert [column.column for column in blind_upstream["value_low"]] == ["*"]
    assert [column.column for column in informed_upstream["value_low"]] == ["value_low"]


def test_cli_prints_the_chain(built_paths):
    result = CliRunner().invoke(
        cli,
        [
            "lineage",
            "--warehouse-dir",
            str(built_paths.warehouse_dir),
            "marts.fct_target.value_low",
        ],
    )

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "marts.fct_target.value_low  [model]",
        "<- staging.stg_curated__targets.value_low  [model]",
        "    <- raw.curated_targets.value_low  [source]",
    ]


def test_cli_unknown_column_names_the_columns(built_paths):
    result = CliRunner().invoke(
        cli,
        [
            "lineage",
            "--warehouse-dir",
            str(built_paths.warehouse_dir),
            "fct_target.value_middle",
        ],
    )

    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: marts.fct_target has no column 'value_middle'; its columns are: "
        "target_id, "
    )


def test_cli_unknown_model_is_bad_input(built_paths):
    result = CliRunner().invoke(
        cli,
        ["lineage", "--warehouse-dir", str(built_paths.warehouse_dir), "fct_x.a"],
    )

    assert result.exit_code == 1
    assert "unknown model 'fct_x'" in result.stderr


def test_cli_needs_a_column_or_all(built_paths):
    runner = CliRunner()
    warehouse_dir = str(built_paths.warehouse_dir)

    neither = runner.invoke(cli, ["lineage", "--warehouse-dir", warehouse_dir])
    both = runner.invoke(
        cli, ["lineage", "--warehouse-dir", warehouse_dir, "--all", "fct_target.a"]
    )
    no_model = runner.invoke(
        cli, ["lineage", "--warehouse-dir", warehouse_dir, "value_low"]
    )

    assert (neither.exit_code, both.exit_code, no_model.exit_code) == (2, 2, 2)
    assert "give either MODEL.COLUMN or --all" in neither.stderr


def test_all_writes_a_queryable_commented_table(built_paths, tmp_path):
    paths = copy_warehouse(built_paths, tmp_path / "warehouse")

    result = CliRunner().invoke(
        cli, ["lineage", "--all", "--warehouse-dir", str(paths.warehouse_dir)]
    )

    assert result.exit_code == 0, result.output
    connection = duckdb.connect(str(paths.warehouse_file), read_only=True)
    try:
        value_low = connection.execute(
            "select upstream_kind, upstream_schema, upstream_relation, "
            "upstream_column_name, depth from meta.column_lineage "
            "where column_relation = 'fct_target' and column_name = 'value_low' "
            "order by depth"
        ).fetchall()
        model_columns = set(
            connection.execute(
                "select schema_name, table_name, column_name "
                "from duckdb_columns() "
                "where schema_name in ('staging', 'intermediate', 'marts', "
                "'reporting')"
            ).fetchall()
        )
        traced_columns = set(
            connection.execute(
                "select distinct column_schema, column_relation, column_name "
                "from meta.column_lineage"
            ).fetchall()
        )
        uncommented = connection.execute(
            "select column_name from duckdb_columns() "
            "where schema_name = 'meta' and comment is null"
        ).fetchall()
        (table_comment,) = connection.execute(
            "select comment from duckdb_tables() "
            "where schema_name = 'meta' and table_name = 'column_lineage'"
        ).fetchone()
    finally:
        connection.close()
    assert value_low == [
        ("model", "staging", "stg_curated__targets", "value_low", 1),
        ("source", "raw", "curated_targets", "value_low", 2),
    ]
    assert model_columns == traced_columns
    assert uncommented == []
    assert table_comment.startswith("One row per column of a dbt model")
    assert f"into meta.column_lineage of {paths.warehouse_file}" in result.stderr


def test_lineage_without_a_build_says_what_to_run(tmp_path):
    result = CliRunner().invoke(
        cli,
        ["lineage", "--warehouse-dir", str(tmp_path), "fct_target.value_low"],
    )

    assert result.exit_code == 1
    assert "manifest.json: no dbt manifest yet; run `autowatch build` first" in (
        result.stderr
    )


def test_lineage_traces_every_model_after_a_rebuild_of_a_selection(
    docs_paths, tmp_path
):
    """A rebuild with nothing changed runs a few nodes, and dbt compiles
    only those; the manifest keeps the others' SQL, so every model traces.
    The docs' catalog, from before the build, is no longer read."""
    paths = copy_warehouse(docs_paths, tmp_path / "warehouse")
    assert (paths.dbt_target_dir / "catalog.json").exists()
    rebuilt = build(paths)
    assert rebuilt.ingest.started_from_live

    graph = LineageGraph.load(paths)

    assert graph.schema_origin == str(paths.warehouse_file)

    assert graph.trace("fct_target", "value_low").sources() == {
        "raw.curated_targets.value_low"
    }
    untraceable = [
        model.qualified_name for model in graph.models() if not model.compiled_sql
    ]
    assert untraceable == []


def _manifest(adapter_type: str, compiled: dict[str, str | None]) -> dict:
    return {
        "metadata": {"adapter_type": adapter_type},
        "nodes": {
            unique_id: {"compiled_code": code, "compiled": code is not None}
            for unique_id, code in compiled.items()
        },
    }


def test_a_selected_run_keeps_the_compiled_sql_of_the_nodes_it_left_out(tmp_path):
    """dbt compiles only the nodes a run selects; lineage needs every
    model's SQL, so the nodes left out keep the earlier run's, the ones
    it ran keep their new SQL, and another adapter's SQL is never mixed
    in."""
    paths = default_paths(warehouse_dir=tmp_path / "warehouse")
    paths.dbt_target_dir.mkdir(parents=True)
    manifest_file = paths.dbt_target_dir / "manifest.json"
    earlier_code = {"model.a.ran": "select 1", "model.a.left_out": "select 2"}
    earlier = _manifest("duckdb", earlier_code)
    this_run = _manifest(
        "duckdb",
        {"model.a.ran": "select 10", "model.a.left_out": None, "model.a.new": None},
    )
    manifest_file.write_text(json.dumps(this_run))

    kept = keep_compiled_code(paths, earlier)

    assert kept == json.loads(manifest_file.read_text())
    assert {
        unique_id: (node["compiled_code"], node["compiled"])
        for unique_id, node in kept["nodes"].items()
    } == {
        "model.a.ran": ("select 10", True),
        "model.a.left_out": ("select 2", True),
        "model.a.new": (None, False),
    }

    manifest_file.write_text(json.dumps(this_run))
    assert keep_compiled_code(paths, _manifest("spark", earlier_code)) == this_run
    assert keep_compiled_code(paths, None) == this_run
    assert json.loads(manifest_file.read_text()) == this_run

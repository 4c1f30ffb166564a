"""The dbt project documents and tests what it builds."""

import json
import re

import pytest

from tests.conftest import rows

# Keys that point at no single table, so no relationships test can apply:
# an alias (or a mention) names a company, brand, plant, person or model; a
# review item is an extracted figure or a candidate mention. ISO country
# codes name no table either.
POLYMORPHIC_KEYS = {
    ("dim_alias", "entity_id"),
    ("dim_alias", "entity_code"),
    ("int_aliases_resolved", "entity_id"),
    ("int_aliases_resolved", "entity_code"),
    ("fct_mention", "entity_code"),
    ("review_queue", "reviewed_id"),
}
MACRO_SIGNATURE = re.compile(r"\{%-?\s*(?:macro|test)\s+\w+\s*\(([^)]*)\)")
# Models whose key is not their first column, or is several columns.
KEYS = {
    "stg_curated__articles": ("article_id",),
    "stg_news__build_infos": ("built_at",),
    "int_claims_paired": ("affirming_claim_id", "denying_claim_id"),
    "plant_brand_status": ("plant_code", "brand_code"),
}


@pytest.fixture(scope="module")
def manifest(built_paths):
    return json.loads((built_paths.dbt_target_dir / "manifest.json").read_text())


def models(manifest):
    return [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["package_name"] == "autowatch"
    ]


def data_tests_on(manifest, model_name):
    """(test name, column) for every generic test attached to a model."""
    found = set()
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test":
            continue
        if node.get("attached_node") != f"model.autowatch.{model_name}":
            continue
        found.add((node["test_metadata"]["name"], node.get("column_name")))
    return found


def combination_keys(manifest, model_name) -> set[tuple[str, ...]]:
    """The column lists of the unique_combination tests on a model."""
    return {
        tuple(node["test_metadata"]["kwargs"]["column_names"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and node.get("attached_node") == f"model.autowatch.{model_name}"
        and node["test_metadata"]["name"] == "unique_combination"
    }


def test_every_model_and_column_is_described(manifest, warehouse):
    for node in models(manifest):
        assert node["description"].strip(), node["name"]
        built_columns = [
            name
            for (name,) in rows(
                warehouse,
                "select column_name from information_schema.columns "
                "where table_schema = ? and table_name = ? "
                "order by ordinal_position",
                [node["schema"], node["alias"]],
            )
        ]
        assert built_columns, node["name"]
        documented = node["columns"]
        assert sorted(documented) == sorted(built_columns), node["name"]
        for column in built_columns:
            assert documented[column]["description"].strip(), f"{node['name']}.{column}"


def test_every_macro_and_generic_test_is_described(manifest):
    """macros/_macros.yml documents each one and its arguments (STYLE.md)."""
    macros = [
        macro
        for macro in manifest["macros"].values()
        if macro["package_name"] == "autowatch"
    ]
    assert len(macros) > 20
    for macro in macros:
        assert macro["description"].strip(), macro["name"]
        for argument in macro["arguments"]:
            assert argument["description"].strip(), macro["name"]
        # The documented arguments are the ones the macro takes; a generic
        # test's model and column_name are dbt's, documented by dbt.
        (parameters,) = MACRO_SIGNATURE.findall(macro["macro_sql"])
        taken = [
            parameter.split("=")[0].strip()
            for parameter in parameters.split(",")
            if parameter.strip()
        ]
        if macro["name"].startswith("test_"):
            taken = [name for name in taken if name not in ("model", "column_name")]
        assert [argument["name"] for argument in macro["arguments"]] == taken, macro[
            "name"
        ]


def model_key(node) -> tuple[str, ...]:
    return KEYS.get(node["name"], (next(iter(node["columns"])),))


def own_code(node) -> str | None:
    """The curated code a model's rows are named by (brand_code in
    dim_brand), if its key is one thing's id."""
    (key, *others) = model_key(node)
    if others or not key.endswith("_id"):
        return None
    code = key.removesuffix("_id") + "_code"
    return code if code in node["columns"] else None


def test_every_model_key_is_unique_and_not_null(manifest):
    for node in models(manifest):
        tests = data_tests_on(manifest, node["name"])
        key = model_key(node)
        for column in key:
            assert ("not_null", column) in tests, f"{node['name']}.{column}"
        if len(key) == 1:
            assert ("unique", key[0]) in tests, node["name"]
        else:
            assert key in combination_keys(manifest, node["name"]), node["name"]
        # A curated code names one row too (in staging the key is the hash
        # of the code, so the key's unique test is the code's).
        code = own_code(node)
        if code is not None and node["schema"] != "staging":
            assert {("unique", code), ("not_null", code)} <= tests, node["name"]


def test_every_foreign_key_has_a_relationships_test(manifest):
    """Every _id and _code column that names a row of another model.
    Staging is left to test_the_curated_schema_and_dbt_agree_on_every_foreign_key:
    a staging model's ids are hashes of its codes, whose references that
    test checks."""
    checked = 0
    for node in models(manifest):
        if node["schema"] == "staging":
            continue
        tests = data_tests_on(manifest, node["name"])
        for column in node["columns"]:
            if not column.endswith(("_id", "_code")):
                continue
            if column in model_key(node) or column == own_code(node):
                continue
            if column.endswith("country_code") or (node["name"], column) in (
                POLYMORPHIC_KEYS
            ):
                continue
            assert ("relationships", column) in tests, f"{node['name']}.{column}"
            checked += 1
    assert checked > 50


def test_every_quote_is_tested_against_its_article(manifest):
    """Every evidence quote, and every curated column the schema says
    quotes its article (articles.csv's title). Reporting views only rename
    marts, whose quotes are tested already."""
    from ingest.schema import TABLES_BY_NAME

    quoted = {
        (table.name, column.name)
        for table in TABLES_BY_NAME.values()
        for column in table.columns
        if column.is_quote
    }
    assert {"evidence_quote", "title"} <= {column for _, column in quoted}
    checked = 0
    for node in models(manifest):
        if node["schema"] == "reporting":
            continue
        curated = {
            source.removeprefix("source.autowatch.curated.")
            for source in node["depends_on"]["nodes"]
            if source.startswith("source.autowatch.curated.")
        }
        for column in node["columns"]:
            is_quote = column == "evidence_quote" or any(
                (table, column) in quoted for table in curated
            )
            if is_quote:
                assert ("evidence_in_article", column) in data_tests_on(
                    manifest, node["name"]
                ), f"{node['name']}.{column}"
                checked += 1
    assert checked > 10


def test_every_mart_date_is_a_day_of_dim_date(manifest):
    checked = 0
    for node in models(manifest):
        if node["schema"] != "marts" or node["name"] == "dim_date":
            continue
        tests = data_tests_on(manifest, node["name"])
        for column in node["columns"]:
            if column.endswith("_on"):
                assert ("relationships", column) in tests, f"{node['name']}.{column}"
                checked += 1
    assert checked >= 4


def test_anonymous_usage_stats_are_off(built_paths):
    project = (built_paths.dbt_project_dir / "dbt_project.yml").read_text()
    assert "send_anonymous_usage_stats: false" in project


def test_the_curated_schema_and_dbt_agree_on_every_foreign_key(manifest):
    """ingest/schema.py's ``references`` (checked at ingest, with the CSV
    cell) and the staging models' relationships tests (checked in the
    warehouse) name the same foreign keys."""
    from ingest.schema import TABLES

    # Each staging model of a curated CSV, by the table it reads.
    curated_table_of = {
        node["name"]: source.removeprefix("source.autowatch.curated.")
        for node in models(manifest)
        for source in node["depends_on"]["nodes"]
        if source.startswith("source.autowatch.curated.")
    }
    declared = {
        (table.name, column.name, column.references)
        for table in TABLES
        for column in table.columns
        if column.references is not None
    }
    keys = {table.name: table.key for table in TABLES}
    # The ingester's check compares a code with one key column.
    assert all(len(keys[referenced]) == 1 for _, _, referenced in declared)
    tested = set()
    for node in manifest["nodes"].values():
        metadata = node.get("test_metadata") or {}
        model = (node.get("attached_node") or "").removeprefix("model.autowatch.")
        if metadata.get("name") != "relationships" or model not in curated_table_of:
            continue
        referenced_model = metadata["kwargs"]["to"].split("'")[1]
        referenced = curated_table_of.get(referenced_model)
        # A test against a column that is no key (a target's plant must be
        # its announcement's) checks consistency, not a foreign key.
        if referenced and keys[referenced] == (metadata["kwargs"]["field"],):
            tested.add((curated_table_of[model], node["column_name"], referenced))
    assert declared == tested
    assert set(curated_table_of.values()) == set(keys)


def test_no_description_swallowed_a_test(manifest):
    """A test whose ``data_tests:`` line is lost is read as more of the
    description above it (folded YAML), and silently stops running."""
    nodes = [*manifest["nodes"].values(), *manifest["sources"].values()]
    descriptions = [
        (node["unique_id"], text)
        for node in nodes
        for text in [
            node.get("description", ""),
            *(column["description"] for column in node.get("columns", {}).values()),
        ]
    ]
    assert len(descriptions) > 500
    swallowed = [
        unique_id
        for unique_id, text in descriptions
        if re.search(r"(^|\s)- (relationships|not_null|unique|accepted_values)\b", text)
        or "arguments:" in text
    ]
    assert swallowed == []


def test_failed_statuses_are_dbts_own():
    from dbt.artifacts.schemas.results import NodeStatus, RunStatus, TestStatus

    from ingest.dbt import FAILED_STATUSES

    assert set(FAILED_STATUSES) == {
        str(RunStatus.Error),
        str(TestStatus.Fail),
        str(NodeStatus.RuntimeErr),
    }

"""The review queue carries curators' decisions; places are curated.

The shared warehouse is read for what the samples hold; the bad-input
catalogue (tests/bad_inputs/curated.toml) holds the builds that must fail:
a decision outside the closed set, and a stale decision naming an item the
queue no longer lists.
"""

from __future__ import annotations

import json

from ingest.curated import read_curated_table
from ingest.mentions import load_matcher
from ingest.schema import REVIEW_DECISIONS, TABLES_BY_NAME
from tests.conftest import SEEDS_DIR, rows
from tests.dbt_results import node_statuses


def _decision_rows():
    table = TABLES_BY_NAME["review_decisions"]
    return read_curated_table(table, SEEDS_DIR / table.csv_name).rows


def test_every_sample_review_item_is_decided_with_a_note(warehouse):
    items = rows(
        warehouse,
        "select review_kind, surface_text, occurrence, decision, review_note, "
        "decided_by, decided_on from marts.review_queue "
        "order by article_id, start_offset",
    )
    assert items, "the samples leave items for a curator"
    for kind, surface, occurrence, decision, note, decided_by, decided_on in items:
        item = f"{kind} {surface!r} #{occurrence}"
        assert decision in REVIEW_DECISIONS, item
        assert note and len(note.split()) >= 5, item
        assert decided_by and decided_on, item


def test_every_decision_is_joined_to_exactly_one_queue_item(warehouse):
    decided = rows(
        warehouse,
        "select article_id, review_kind, surface_text, occurrence, decision "
        "from marts.review_queue where decision is not null",
    )
    expected = [
        (
            row["article_id"],
            row["review_kind"],
            row["surface_text"],
            row["occurrence"],
            row["decision"],
        )
        for row in _decision_rows()
    ]
    assert sorted(decided) == sorted(expected)


def test_stale_decision_test_and_decision_unit_test_ran_and_passed(built_paths):
    # The failing case is tests/bad_inputs/curated.toml
    # "stale_review_decision"; here the sample build must have run the
    # check at error severity, not skipped or warned.
    stale_checks = node_statuses(
        built_paths.dbt_target_dir,
        "test.autowatch.review_decision_names_an_item_of_review_queue",
    )
    assert list(stale_checks.values()) == ["pass"]
    manifest = json.loads((built_paths.dbt_target_dir / "manifest.json").read_text())
    (stale_test,) = [
        node
        for unique_id, node in manifest["nodes"].items()
        if unique_id in stale_checks
    ]
    assert stale_test["config"]["severity"].lower() == "error"
    unit_tests = node_statuses(
        built_paths.dbt_target_dir, "unit_test.autowatch.review_queue."
    )
    assert unit_tests == {
        "unit_test.autowatch.review_queue."
        "review_queue_keys_differ_when_items_share_a_key": "pass",
        "unit_test.autowatch.review_queue."
        "review_queue_matches_figures_and_targets_by_unit_too": "pass",
        "unit_test.autowatch.review_queue."
        "review_queue_keeps_a_decision_on_a_target_with_that_target": "pass",
        "unit_test.autowatch.review_queue."
        "review_queue_counts_occurrences_over_every_figure": "pass",
    }


def test_review_item_keys_come_from_what_a_curator_sees(warehouse):
    # A second build would renumber figure_id if extraction changed; the
    # key must instead be rebuilt from the visible columns.
    mismatched = rows(
        warehouse,
        "select count(*) from marts.review_queue where review_item_id <> "
        "md5(concat_ws('-', article_id, review_kind, surface_text, "
        "cast(occurrence as varchar)))",
    )
    assert mismatched == [(0,)]
    repeated = rows(
        warehouse,
        "select surface_text, list(occurrence order by start_offset) "
        "from marts.review_queue where surface_text = ? group by 1",
        ["три модели"],
    )
    assert repeated == [("три модели", [1, 2])]


def test_a_baseline_figure_is_decided_not_curated_as_a_target(warehouse):
    """Avtotor's "current nine" models are the baseline of its 20-22
    target: no fct_target row, and the queue item carries the decision."""
    targets = rows(
        warehouse,
        "select target_code from marts.fct_target "
        "where metric = 'model_count' order by target_code",
    )
    assert targets == [("avtotor_model_count_20_22",)]
    queued = rows(
        warehouse,
        "select review_kind, decision from marts.review_queue where surface_text = ?",
        ["nine"],
    )
    assert queued == [("figure_not_curated", "not_a_target")]


def test_sample_place_names_are_curated_mentions_of_dim_place(warehouse):
    places = rows(
        warehouse,
        "select left(article.file_name, 3), mention.surface_text, "
        "place.place_code, place.place_type "
        "from marts.fct_mention as mention "
        "inner join marts.dim_place as place "
        "on mention.entity_id = place.place_id "
        "inner join marts.dim_article as article "
        "on mention.article_id = article.article_id "
        "where mention.entity_type = 'place' "
        "order by article.file_name, mention.start_offset",
    )
    assert places == [
        ("000", "Russia", "russia", "country"),
        (
            "001",
            "Зеленоградского муниципального района",
            "zelenogradsky_district",
            "district",
        ),
        ("001", "Калининградской области", "kaliningrad_oblast", "region"),
        ("001", "Петербург", "saint_petersburg", "region"),
        ("001", "России", "russia", "country"),
        ("002", "Russia", "russia", "country"),
        ("002", "Russia", "russia", "country"),
        ("002", "Moscow", "moscow", "region"),
        ("002", "Russia", "russia", "country"),
        ("003", "Moscow", "moscow", "region"),
    ]
    candidates = rows(
        warehouse, "select count(*) from marts.fct_mention where is_candidate"
    )
    assert candidates == [(0,)]


def test_places_nest_up_to_a_region(warehouse):
    chain = rows(
        warehouse,
        "with recursive ancestry(place_code, parent_place_id, depth) as ("
        " select place_code, parent_place_id, 0 from marts.dim_place"
        " where place_code = ?"
        " union all"
        " select parent.place_code, parent.parent_place_id, ancestry.depth + 1"
        " from ancestry inner join marts.dim_place as parent"
        " on ancestry.parent_place_id = parent.place_id)"
        " select place_code from ancestry order by depth",
        ["pereslavskoye"],
    )
    assert chain == [
        ("pereslavskoye",),
        ("zelenogradsky_district",),
        ("kaliningrad_oblast",),
        ("russia",),
    ]


def test_plants_in_a_region_follow_the_places_parents(warehouse):
    """Each plant is in its most specific place; walking up dim_place
    finds every plant of Kaliningrad Oblast, whatever its depth."""
    plants = rows(
        warehouse,
        "with recursive inside(place_id, place_code) as ("
        " select place_id, place_code from marts.dim_place where place_code = ?"
        " union all"
        " select child.place_id, child.place_code"
        " from marts.dim_place as child"
        " inner join inside on child.parent_place_id = inside.place_id)"
        " select plant.plant_code, inside.place_code"
        " from marts.dim_plant as plant"
        " inner join inside on plant.place_id = inside.place_id"
        " order by plant.plant_code",
        ["kaliningrad_oblast"],
    )
    assert plants == [
        ("avtotor_compact_ev_factory", "kaliningrad_oblast"),
        ("avtotor_kaliningrad", "kaliningrad"),
        ("avtotor_pereslavskoye_site", "pereslavskoye"),
    ]


def test_place_aliases_agree_in_every_case_and_yield_to_longer_names():
    matcher = load_matcher(SEEDS_DIR)
    text = (
        "Завод в Калининградскую область перевезли. "
        "Власти Калининградской областью довольны. "
        "Это отметили в правительстве Калининградской области. "
        "В Зеленоградском муниципальном районе тихо."
    )
    found = [
        (mention.text, mention.entity_type, mention.entity_code, mention.entity)
        for mention in matcher.find(text)
    ]
    assert found == [
        (
            "Калининградскую область",
            "place",
            "kaliningrad_oblast",
            "Kaliningrad Oblast",
        ),
        (
            "Калининградской областью",
            "place",
            "kaliningrad_oblast",
            "Kaliningrad Oblast",
        ),
        (
            "правительстве Калининградской области",
            "company",
            "kaliningrad_government",
            "Government of Kaliningrad Oblast",
        ),
        (
            "Зеленоградском муниципальном районе",
            "place",
            "zelenogradsky_district",
            "Zelenogradsky municipal district",
        ),
    ]

"""The ingester reads every article; the marts keep honest offsets."""

from __future__ import annotations

from itertools import combinations

from ingest.warehouse import table_name
from tests.conftest import rows
from tests.dbt_results import node_statuses


def test_every_item_has_honest_offsets_and_a_sentence(warehouse):
    for table in ("fct_mention", "fct_extracted_figure", "fct_extracted_period"):
        found = rows(
            warehouse,
            "select count(*), count(*) filter (where strpos(item.sentence_text, "
            "item.surface_text) = 0 or substring(article.article_text, "
            "item.start_offset + 1, item.end_offset - item.start_offset) "
            f"<> item.surface_text) from {table_name('marts', table)} as item "
            "join marts.dim_article as article using (article_id)",
        )
        total, broken = found[0]
        assert total > 0, table
        assert broken == 0, table


def test_inflected_russian_mentions_reach_the_warehouse(warehouse):
    surfaces = {
        surface
        for (surface,) in rows(
            warehouse,
            "select surface_text from marts.fct_mention where entity_code = ?",
            ["avtotor"],
        )
    }
    assert {"Автотора", "Автоторе", "Автотор", "Avtotor"} <= surfaces


def test_review_queue_holds_uncurated_figures(warehouse):
    kinds = dict(
        rows(
            warehouse,
            "select review_kind, count(*) from marts.review_queue group by 1",
        )
    )
    # The samples' candidate names are all curated now (places); the
    # incremental tests add an article whose candidates reach the queue.
    assert kinds.get("figure_not_curated", 0) > 0
    # Every curated target's value is found in the article it quotes.
    assert kinds.get("target_not_extracted", 0) == 0
    covered = rows(
        warehouse,
        "select count(*) from marts.review_queue where surface_text = ?",
        ["3.97 billion rubles"],
    )
    assert covered == [(0,)]


def test_extraction_keys_differ_between_kinds_and_review_ids_stay_distinct(
    built_paths, warehouse
):
    # A mention, a figure and a period at the same position of one article
    # (the sample has such pairs) get different keys: each key carries its
    # kind, so reviewed_id never names two items. Keys of other tables may
    # still coincide in principle, and the dbt unit test beside
    # review_queue builds that case.
    same_position = rows(
        warehouse,
        "select count(*) from raw.extracted_mentions as mention "
        "join raw.extracted_figures as figure using (article_id, item_index)",
    )
    assert same_position[0][0] > 0
    keys = {
        "fct_mention": "mention_id",
        "fct_extracted_figure": "figure_id",
        "fct_extracted_period": "period_id",
    }
    for (table, key), (other_table, other_key) in combinations(keys.items(), 2):
        shared = rows(
            warehouse,
            f"select count(*) from (select {key} from {table_name('marts', table)} "
            f"intersect select {other_key} from {table_name('marts', other_table)})",
        )
        assert shared == [(0,)], (table, other_table)
    statuses = node_statuses(
        built_paths.dbt_target_dir, "unit_test.autowatch.review_queue."
    )
    assert (
        statuses[
            "unit_test.autowatch.review_queue."
            "review_queue_keys_differ_when_items_share_a_key"
        ]
        == "pass"
    )
    duplicated = rows(
        warehouse,
        "select count(*) - count(distinct review_item_id), "
        "count(*) filter (where review_item_id = reviewed_id) "
        "from marts.review_queue",
    )
    assert duplicated == [(0, 0)]

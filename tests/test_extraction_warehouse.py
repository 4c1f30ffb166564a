"""The ingester reads every article; the marts keep honest offsets."""

from __future__ import annotations

import json

from ingest.warehouse import table_name
from tests.conftest import rows


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


def test_review_items_sharing_a_reviewed_key_keep_distinct_ids(built_paths, warehouse):
    # figure_id and mention_id are both keyed by (article_id, item_index),
    # so a figure and a candidate name of one article can share a key; the
    # dbt unit test beside review_queue builds exactly that case.
    results = json.loads((built_paths.dbt_target_dir / "run_results.json").read_text())[
        "results"
    ]
    statuses = {
        result["unique_id"]: result["status"]
        for result in results
        if result["unique_id"].startswith("unit_test.autowatch.review_queue.")
    }
    assert (
        statuses[
            "unit_test.autowatch.review_queue."
            "review_queue_keys_differ_when_items_share_a_key"
        ]
        == "pass"
    )
    shared = rows(
        warehouse,
        "select count(*) from marts.fct_extracted_figure as figure "
        "join marts.fct_mention as mention on figure.figure_id = mention.mention_id",
    )
    duplicated = rows(
        warehouse,
        "select count(*) - count(distinct review_item_id), "
        "count(*) filter (where review_item_id = reviewed_id) "
        "from marts.review_queue",
    )
    assert shared[0][0] > 0
    assert duplicated == [(0, 0)]

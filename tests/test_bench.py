"""The benchmark's corpus generator and runner work end to end (no timings).

The generator must write a corpus the real validator and the real build
accept; the runner must produce RESULTS.md and a history row. Nothing here
asserts how fast anything is: speed is `make bench`'s job.
"""

from __future__ import annotations

import csv
import shutil

import duckdb
import pytest

from bench.generate_corpus import generate
from bench.run_bench import RESULTS_END, RESULTS_START, main
from ingest.articles import read_articles
from ingest.curated import check_evidence_quotes, read_curated
from ingest.paths import default_paths
from ingest.warehouse import build, table_fingerprints

pytestmark = pytest.mark.slow

SMALL_CORPUS = 200


def test_generator_is_deterministic_and_mixes_languages_encodings_duplicates(
    tmp_path,
):
    first = generate(SMALL_CORPUS, tmp_path / "first", seed=5)
    second = generate(SMALL_CORPUS, tmp_path / "second", seed=5)
    other = generate(SMALL_CORPUS, tmp_path / "other", seed=6)
    first_files = {
        path.name: path.read_bytes() for path in first.articles_dir.iterdir()
    }
    second_files = {
        path.name: path.read_bytes() for path in second.articles_dir.iterdir()
    }
    assert first_files == second_files
    assert first_files != {
        path.name: path.read_bytes() for path in other.articles_dir.iterdir()
    }
    assert len(first_files) == SMALL_CORPUS
    for name in ("articles.csv", "announcements.csv", "targets.csv"):
        assert (first.seeds_dir / name).read_bytes() == (
            second.seeds_dir / name
        ).read_bytes()

    batch = read_articles((first.articles_dir,))
    assert not batch.rejected
    encodings = [article.source_encoding for article in batch.articles]
    languages = {article.language for article in batch.articles}
    assert languages == {"en", "ru"}
    assert encodings.count("cp1251") == first.cp1251_count > 0
    assert len(batch.duplicates) == first.exact_duplicate_count > 0
    assert first.near_duplicate_count > 0
    sizes = [article.byte_length for article in batch.articles]
    assert 2000 < sum(sizes) / len(sizes) < 4500


def test_generated_curated_rows_validate_and_quote_their_articles(tmp_path):
    corpus = generate(SMALL_CORPUS, tmp_path / "corpus", seed=1)
    curated = read_curated(corpus.seeds_dir)
    batch = read_articles((corpus.articles_dir,))
    texts = {article.article_id: article.text for article in batch.articles}
    assert check_evidence_quotes(curated, texts) == []
    by_name = {table.table.name: table.rows for table in curated}
    generated = [
        row
        for row in by_name["announcements"]
        if row["announcement_code"].startswith("bench_")
    ]
    # About one announcement per ten generated articles.
    assert SMALL_CORPUS // 20 <= len(generated) <= SMALL_CORPUS // 5
    for table_name in ("announcements", "targets"):
        for row in by_name[table_name]:
            assert row["evidence_quote"] in texts[row["article_id"]]


def test_run_bench_writes_results_and_history(tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\nKept analysis.\n", encoding="utf-8")
    history = tmp_path / "history.csv"
    arguments = [
        "--sizes",
        str(SMALL_CORPUS),
        "--work-dir",
        str(tmp_path / "work"),
        "--results",
        str(results),
        "--history",
        str(history),
    ]
    assert main(arguments) == 0
    text = results.read_text(encoding="utf-8")
    assert "Kept analysis." in text
    assert text.count(RESULTS_START) == 1 and text.count(RESULTS_END) == 1
    assert f"| {SMALL_CORPUS:,} |" in text
    for goal in ("Ingest at", "Full build at", "Add one article", "Peak memory"):
        assert goal in text
    with open(history, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(row["articles"]) for row in rows] == [SMALL_CORPUS]
    row = rows[0]
    assert int(row["article_files"]) == SMALL_CORPUS
    for column in ("floor_seconds", "total_seconds", "dbt_seconds", "add_one_seconds"):
        assert float(row[column]) > 0
    assert float(row["peak_rss_mebibytes"]) > 0

    # The runner's warehouse holds the generated corpus plus the one article
    # it added, built incrementally: compare with a full refresh of the same
    # inputs.
    size_dir = tmp_path / "work" / f"articles_{SMALL_CORPUS}"
    incremental = size_dir / "warehouse" / "autowatch.duckdb"
    fresh_paths = default_paths(
        (size_dir / "articles",), size_dir / "seeds", tmp_path / "fresh"
    )
    build(fresh_paths, full_refresh=True)
    ignored = frozenset(
        {
            "raw.news_articles.ingested_at",
            "raw.news_article_quarantine.ingested_at",
            "raw.build_info.built_at",
            "marts.dim_article.ingested_at",
        }
    )
    with duckdb.connect(str(incremental), read_only=True) as connection:
        incremental_prints = table_fingerprints(connection, ignored_columns=ignored)
        article_count = connection.execute(
            "select count(*) from raw.news_articles"
        ).fetchone()[0]
    with duckdb.connect(str(fresh_paths.warehouse_file), read_only=True) as connection:
        fresh_prints = table_fingerprints(connection, ignored_columns=ignored)
    assert article_count > 0
    assert incremental_prints == fresh_prints
    shutil.rmtree(tmp_path / "work")

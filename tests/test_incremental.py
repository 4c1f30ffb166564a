"""Incremental rebuilds: the article-grain marts are updated, not recreated.

One chain of real builds in a temp dir, starting from a copy of the
session's warehouse: add one article (its rows appear, no other article's
rows are rewritten, the marts equal a full refresh's), remove it again
(its rows disappear, the marts equal the original build's), then a failing
incremental build (the live warehouse is left as it was).

"Not rewritten" is checked with markers: before the rebuild, one row of an
unchanged article in each incremental mart gets a value no build would
write. A rebuild that recomputed that row would overwrite the marker.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

import ingest
from ingest.errors import BuildError
from ingest.paths import Paths, default_paths
from ingest.warehouse import (
    ARTICLES_CHANGED_SELECTION,
    NOTHING_CHANGED_SELECTION,
    READING_MODULES,
    IngestResult,
    build,
    dbt_selection,
    reading_code_version,
    staging_dir,
    table_fingerprints,
    write_ahead_log,
)
from tests.conftest import ARTICLES_DIR, SEEDS_DIR, copy_warehouse
from tests.dbt_results import node_statuses
from tests.test_warehouse import edit_row, give_a_target_another_plant

pytestmark = pytest.mark.slow

ADDED_ARTICLE = (
    Path(__file__).parent / "spark_edge_cases" / "en_nulls_and_boundaries.txt"
)
INCREMENTAL_MARTS = (
    "dim_article",
    "fct_mention",
    "fct_extracted_figure",
    "fct_extracted_period",
)
ANALYST_SCHEMAS = ("marts", "reporting")
# A build from scratch reads every file again, at another time.
READ_TIME_COLUMNS = frozenset({"marts.dim_article.ingested_at"})
MARKER = "marker: no build writes this"

# One row of an unchanged article per mart, and a column no data test and
# no downstream mart reads, so the marker changes nothing else.
MARKED_ROWS = {
    "dim_article": (
        "select article_id from marts.dim_article where article_id = ?",
        "update marts.dim_article set title = ? where article_id = ?",
        "select title from marts.dim_article where article_id = ?",
    ),
    "fct_mention": (
        "select min(mention_id) from marts.fct_mention "
        "where article_id = ? and not is_candidate",
        "update marts.fct_mention set sentence_text = ? where mention_id = ?",
        "select sentence_text from marts.fct_mention where mention_id = ?",
    ),
    "fct_extracted_figure": (
        "select min(figure_id) from marts.fct_extracted_figure where article_id = ?",
        "update marts.fct_extracted_figure set sentence_text = ? where figure_id = ?",
        "select sentence_text from marts.fct_extracted_figure where figure_id = ?",
    ),
    "fct_extracted_period": (
        "select min(period_id) from marts.fct_extracted_period where article_id = ?",
        "update marts.fct_extracted_period set sentence_text = ? where period_id = ?",
        "select sentence_text from marts.fct_extracted_period where period_id = ?",
    ),
}


@dataclass
class Site:
    """A private warehouse directory and the inputs of its next build."""

    paths: Paths
    extra_articles_dir: Path
    seeds_dir: Path


def fingerprints(warehouse_file: Path, ignored=frozenset(), schemas=ANALYST_SCHEMAS):
    with duckdb.connect(str(warehouse_file), read_only=True) as connection:
        return table_fingerprints(connection, schemas, ignored)


def article_rows(warehouse_file: Path, article_id: str) -> dict[str, int]:
    """How many rows each incremental mart holds for one article."""
    with duckdb.connect(str(warehouse_file), read_only=True) as connection:
        return {
            mart: connection.execute(
                "select count(*) from query_table(?) where article_id = ?",
                [f"marts.{mart}", article_id],
            ).fetchone()[0]
            for mart in INCREMENTAL_MARTS
        }


def changes(warehouse_file: Path) -> list[tuple[str, str]]:
    with duckdb.connect(str(warehouse_file), read_only=True) as connection:
        return connection.execute(
            "select article_id, change_kind from raw.article_changes order by 1"
        ).fetchall()


def added_article_id() -> str:
    from ingest.articles import article_id_for, normalise_newlines

    return article_id_for(normalise_newlines(ADDED_ARTICLE.read_text("utf-8")))


@pytest.fixture(scope="module")
def site(built_paths, tmp_path_factory) -> Site:
    root = tmp_path_factory.mktemp("incremental")
    extra_articles_dir = root / "extra_articles"
    extra_articles_dir.mkdir()
    seeds_dir = root / "seeds"
    shutil.copytree(SEEDS_DIR, seeds_dir)
    # The sample articles stay where the session's build read them, so
    # their rows (file paths included) are unchanged; a second folder
    # holds what the tests add.
    copied = copy_warehouse(built_paths, root / "warehouse")
    paths = default_paths(
        (ARTICLES_DIR, extra_articles_dir), seeds_dir, copied.warehouse_dir
    )
    return Site(paths, extra_articles_dir, seeds_dir)


def mark_rows(
    warehouse_file: Path, article_id: str
) -> dict[str, tuple[object, object]]:
    """Put the marker into one row per mart; return each row's key and value."""
    marked = {}
    with duckdb.connect(str(warehouse_file)) as connection:
        for mart, (find_sql, update_sql, read_sql) in MARKED_ROWS.items():
            (key,) = connection.execute(find_sql, [article_id]).fetchone()
            assert key is not None, f"{mart} has no row of article {article_id}"
            (original,) = connection.execute(read_sql, [key]).fetchone()
            connection.execute(update_sql, [MARKER, key])
            marked[mart] = (key, original)
    return marked


def marked_values(warehouse_file: Path, marked) -> dict[str, object]:
    with duckdb.connect(str(warehouse_file), read_only=True) as connection:
        return {
            mart: connection.execute(MARKED_ROWS[mart][2], [key]).fetchone()[0]
            for mart, (key, _) in marked.items()
        }


def restore_rows(warehouse_file: Path, marked) -> None:
    with duckdb.connect(str(warehouse_file)) as connection:
        for mart, (key, original) in marked.items():
            connection.execute(MARKED_ROWS[mart][1], [original, key])


def test_rebuild_selection_follows_what_changed():
    def selection(
        started_from_live, curated_changed, changed_article_count, tables=None
    ):
        result = IngestResult(article_count=4)
        result.started_from_live = started_from_live
        result.curated_changed = curated_changed
        result.changed_curated_tables = tables
        result.changed_article_count = changed_article_count
        return dbt_selection(result)

    assert selection(False, False, 0) is None
    # A live warehouse that did not record its curated tables' fingerprints.
    assert selection(True, True, 0) is None
    assert selection(True, False, 1) == ARTICLES_CHANGED_SELECTION
    assert selection(True, False, 0) == NOTHING_CHANGED_SELECTION
    assert selection(True, True, 0, ["targets"]) == (
        "source:curated.targets+",
        *NOTHING_CHANGED_SELECTION,
    )
    assert selection(True, True, 2, ["claims", "targets"]) == (
        "source:curated.claims+",
        "source:curated.targets+",
        *ARTICLES_CHANGED_SELECTION,
    )


@pytest.mark.parametrize(
    ("table", "key_column", "key", "edit", "rebuilt_models", "check_sql", "expected"),
    [
        (
            "targets",
            "target_code",
            "avtotor_model_count_20_22",
            {"qualifier": "approx"},
            {"fct_target", "targets_timeline"},
            "select qualifier from marts.fct_target where target_id = "
            "(select target_id from marts.fct_target where value_low = 20)",
            [("approx",)],
        ),
        # The matcher reads a brand's code and name, not its note: no
        # article is extracted again.
        (
            "brands",
            "brand_code",
            "baic",
            {"note": "edited by a curator"},
            {"dim_brand", "plant_brands"},
            "select note from marts.dim_brand where brand_code = 'baic'",
            [("edited by a curator",)],
        ),
    ],
    ids=["target_qualifier", "brand_note"],
)
def test_a_curated_edit_rebuilds_only_what_reads_that_table(
    built_paths,
    tmp_path,
    table,
    key_column,
    key,
    edit,
    rebuilt_models,
    check_sql,
    expected,
):
    """A curated cell edited: dbt runs what depends on that table, not the
    other marts, and the marts are a build from scratch's."""
    seeds_dir = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds_dir)
    copied = copy_warehouse(built_paths, tmp_path / "warehouse")
    paths = default_paths((ARTICLES_DIR,), seeds_dir, copied.warehouse_dir)
    edit_row(seeds_dir / f"{table}.csv", key_column, key, **edit)

    rebuilt = build(paths)

    assert rebuilt.ingest.started_from_live
    assert rebuilt.ingest.changed_curated_tables == [table]
    assert rebuilt.ingest.changed_article_count == 0
    ran = set(node_statuses(paths.dbt_target_dir))
    assert {f"model.autowatch.{model}" for model in rebuilt_models} <= ran
    assert (
        not {
            "model.autowatch.dim_company",
            "model.autowatch.fct_announcement",
            "model.autowatch.fct_mention",
        }
        & ran
    )
    with duckdb.connect(str(paths.warehouse_file), read_only=True) as connection:
        assert connection.execute(check_sql).fetchall() == expected
    fresh = default_paths((ARTICLES_DIR,), seeds_dir, tmp_path / "fresh")
    build(fresh, full_refresh=True)
    assert fingerprints(paths.warehouse_file, READ_TIME_COLUMNS) == fingerprints(
        fresh.warehouse_file, READ_TIME_COLUMNS
    )


def test_resorting_the_aliases_extracts_no_article_again(built_paths, tmp_path):
    """The matcher reads no row order: the aliases in reverse order are a
    changed table (each row's line moved) but no changed article."""
    seeds_dir = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds_dir)
    aliases = seeds_dir / "aliases.csv"
    header, *rows = aliases.read_text(encoding="utf-8").splitlines(keepends=True)
    aliases.write_text(header + "".join(reversed(rows)), encoding="utf-8")
    copied = copy_warehouse(built_paths, tmp_path / "warehouse")
    paths = default_paths((ARTICLES_DIR,), seeds_dir, copied.warehouse_dir)

    rebuilt = build(paths)

    assert rebuilt.ingest.started_from_live
    assert rebuilt.ingest.changed_curated_tables == ["aliases"]
    assert rebuilt.ingest.changed_article_count == 0
    ran = set(node_statuses(paths.dbt_target_dir))
    assert "model.autowatch.dim_alias" in ran
    assert "model.autowatch.fct_mention" not in ran


def drop_alias(seeds_dir: Path) -> None:
    """003's "Moscow government" loses its alias (the company keeps others)."""
    aliases = seeds_dir / "aliases.csv"
    lines = aliases.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [
        line
        for line in lines
        if line != "company,moscow_government,Moscow government,en,false,false\n"
    ]
    assert len(kept) == len(lines) - 1
    aliases.write_text("".join(kept), encoding="utf-8")


def mark_a_common_word(seeds_dir: Path) -> None:
    """The brand's "Moskvich" as a common word: English articles name the
    brand by no other alias, so its mentions there go."""
    aliases = seeds_dir / "aliases.csv"
    text = aliases.read_text(encoding="utf-8")
    line = "brand,moskvich,Moskvich,en,false,false\n"
    assert text.count(line) == 1
    aliases.write_text(
        text.replace(line, "brand,moskvich,Moskvich,en,false,true\n"), encoding="utf-8"
    )


def move_publication_a_week(seeds_dir: Path) -> None:
    """001 a Wednesday later: "в начале этой недели" is another week."""
    edit_row(
        seeds_dir / "articles.csv",
        "file_name",
        "001_7c175cce5b6b1249.txt",
        published_on="2023-08-23",
    )


def rename_a_brand(seeds_dir: Path) -> None:
    """A brand's name is a name the matcher knows it by."""
    edit_row(seeds_dir / "brands.csv", "brand_code", "baic", brand_name="BAIC Motor")


@pytest.mark.parametrize(
    "edit",
    [drop_alias, mark_a_common_word, move_publication_a_week, rename_a_brand],
    ids=[
        "alias_removed",
        "common_word_marked",
        "publication_date_moved",
        "brand_renamed",
    ],
)
def test_an_edit_that_extraction_reads_reextracts_the_articles(
    built_paths, tmp_path, edit
):
    """The aliases and publication dates are inputs of extraction: a
    rebuild after editing one extracts again and equals a fresh build."""
    seeds_dir = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds_dir)
    copied = copy_warehouse(built_paths, tmp_path / "warehouse")
    paths = default_paths((ARTICLES_DIR,), seeds_dir, copied.warehouse_dir)
    edit(seeds_dir)

    rebuilt = build(paths)

    assert rebuilt.ingest.started_from_live
    # Listed as changed, so the article marts recompute them.
    assert rebuilt.ingest.changed_article_count > 0
    fresh = default_paths((ARTICLES_DIR,), seeds_dir, tmp_path / "fresh")
    build(fresh, full_refresh=True)
    rebuilt_marts = fingerprints(paths.warehouse_file, READ_TIME_COLUMNS)
    assert rebuilt_marts == fingerprints(fresh.warehouse_file, READ_TIME_COLUMNS)
    assert rebuilt_marts != fingerprints(built_paths.warehouse_file, READ_TIME_COLUMNS)


def leave_a_write_ahead_log(warehouse_file: Path) -> None:
    """A writer that closed without a checkpoint, as a crashed GUI session
    would: the file alone lacks the change its .wal holds."""
    with duckdb.connect(str(warehouse_file)) as connection:
        connection.execute("pragma disable_checkpoint_on_shutdown")
        connection.execute("set wal_autocheckpoint = '1GB'")
        connection.execute("update marts.dim_brand set note = 'edited by hand'")
    assert write_ahead_log(warehouse_file).exists()


def mark_as_built_by_another_version(warehouse_file: Path) -> None:
    """Another autowatch version may decode or normalise differently."""
    with duckdb.connect(str(warehouse_file)) as connection:
        connection.execute("update raw.build_info set autowatch_version = '0.0.0'")


@pytest.mark.parametrize(
    "change",
    [leave_a_write_ahead_log, mark_as_built_by_another_version],
    ids=["write_ahead_log", "other_version"],
)
def test_a_live_warehouse_it_cannot_trust_is_not_started_from(
    built_paths, tmp_path, change
):
    copied = copy_warehouse(built_paths, tmp_path / "warehouse")
    change(copied.warehouse_file)

    rebuilt = build(copied)

    assert not rebuilt.ingest.started_from_live
    # The log of the replaced file is kept aside, not replayed onto the new one.
    assert not write_ahead_log(copied.warehouse_file).exists()
    if change is leave_a_write_ahead_log:
        assert (copied.warehouse_dir / "autowatch.duckdb.wal.replaced").exists()
    assert fingerprints(copied.warehouse_file, READ_TIME_COLUMNS) == fingerprints(
        built_paths.warehouse_file, READ_TIME_COLUMNS
    )


def test_a_live_warehouse_from_before_a_curated_column_is_rebuilt(
    built_paths, tmp_path
):
    """A warehouse built before articles.csv had its title column (as
    after an upgrade): the next build compares articles on the columns
    each side has, so every article counts as changed and is recomputed,
    instead of the build failing on the column the old one lacks."""
    copied = copy_warehouse(built_paths, tmp_path / "warehouse")
    with duckdb.connect(str(copied.warehouse_file)) as connection:
        connection.execute("alter table raw.curated_articles drop column title")
        article_count = connection.execute(
            "select count(*) from raw.news_articles"
        ).fetchone()[0]

    rebuilt = build(copied)

    assert rebuilt.ingest.changed_article_count == article_count
    assert {kind for _, kind in changes(copied.warehouse_file)} == {"changed"}
    assert fingerprints(copied.warehouse_file, READ_TIME_COLUMNS) == fingerprints(
        built_paths.warehouse_file, READ_TIME_COLUMNS
    )


def test_adding_removing_and_failing(site, built_paths, tmp_path):
    live = site.paths.warehouse_file
    new_id = added_article_id()
    with duckdb.connect(str(live), read_only=True) as connection:
        (unchanged_id,) = connection.execute(
            "select min(article_id) from marts.fct_extracted_period"
        ).fetchone()
    marked = mark_rows(live, unchanged_id)

    # Add one article.
    shutil.copy(ADDED_ARTICLE, site.extra_articles_dir / ADDED_ARTICLE.name)
    added = build(site.paths)
    assert added.ingest.started_from_live
    assert not added.ingest.curated_changed
    assert changes(live) == [(new_id, "added")]
    new_rows = article_rows(live, new_id)
    assert all(count > 0 for count in new_rows.values()), new_rows
    # Its names no curated alias covers reach the curators' queue (the
    # samples have none left).
    with duckdb.connect(str(live), read_only=True) as connection:
        candidates = connection.execute(
            "select surface_text, entity_type from marts.review_queue "
            "where article_id = ? and review_kind = 'candidate_entity' "
            "order by start_offset",
            [new_id],
        ).fetchall()
    assert candidates == [("Baltic Motors", "company"), ("Pskov Oblast", "place")]
    # (b) The unchanged article's rows were left alone: every marker is
    # still there.
    assert marked_values(live, marked) == dict.fromkeys(INCREMENTAL_MARTS, MARKER)

    # (a) Row for row what a build from scratch of the same inputs gives.
    restore_rows(live, marked)
    fresh = default_paths(site.paths.articles_dirs, site.seeds_dir, tmp_path / "fresh")
    build(fresh, full_refresh=True)
    assert fingerprints(live, READ_TIME_COLUMNS) == fingerprints(
        fresh.warehouse_file, READ_TIME_COLUMNS
    )

    # (c) Remove it again: its rows go, and the marts are the original
    # build's, load times included (the other articles were never re-read).
    (site.extra_articles_dir / ADDED_ARTICLE.name).unlink()
    removed = build(site.paths)
    assert removed.ingest.started_from_live
    assert changes(live) == [(new_id, "removed")]
    assert article_rows(live, new_id) == dict.fromkeys(INCREMENTAL_MARTS, 0)
    assert fingerprints(live) == fingerprints(built_paths.warehouse_file)

    # (d) An incremental build that fails leaves the live warehouse as it
    # was: the article is added again, and a curated target names a plant
    # other than its announcement's, which a dbt test rejects.
    before = fingerprints(live, schemas=("raw", "marts", "reporting"))
    shutil.copy(ADDED_ARTICLE, site.extra_articles_dir / ADDED_ARTICLE.name)
    give_a_target_another_plant(site.seeds_dir)
    with pytest.raises(BuildError):
        build(site.paths)
    assert fingerprints(live, schemas=("raw", "marts", "reporting")) == before
    assert changes(live) == [(new_id, "removed")]
    assert not staging_dir(site.paths).exists()


def test_the_version_changes_with_the_code_that_reads_articles(tmp_path):
    """A live warehouse's article and extraction rows are reused only under
    the same reading_code_version: an edit to a module that reads or
    extracts articles changes it, an edit elsewhere does not."""
    package_dir = Path(ingest.__file__).parent

    def edited_copy(name: str, module: str) -> Path:
        copied = tmp_path / name
        shutil.copytree(
            package_dir, copied, ignore=shutil.ignore_patterns("__pycache__")
        )
        with (copied / f"{module}.py").open("a", encoding="utf-8") as source:
            source.write("\n# an edit\n")
        return copied

    running = reading_code_version()
    assert reading_code_version(package_dir) == running
    assert reading_code_version(edited_copy("cli_edited", "cli")) == running
    for module in READING_MODULES:
        assert reading_code_version(edited_copy(module, module)) != running, module

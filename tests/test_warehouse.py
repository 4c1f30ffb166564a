"""End to end: the real ingester and dbt build, queried as an analyst would."""

import csv
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ingest import dbt
from ingest.articles import read_article
from ingest.dbt import MAX_LISTED_FAILURES
from ingest.errors import BuildError, InputError
from ingest.paths import PROJECT_ROOT
from ingest.warehouse import build, ingest, table_name
from tests.conftest import ARTICLES_DIR, rows

BRANDS_AT_COMPANY_PLANTS = """
    select distinct brand.brand_name
    from marts.bridge_company_plant as company_plant
    inner join marts.dim_company as company
        on company_plant.company_id = company.company_id
    inner join marts.dim_plant as plant
        on company_plant.plant_id in (plant.plant_id, plant.parent_plant_id)
    inner join marts.bridge_brand_plant as brand_plant
        on plant.plant_id = brand_plant.plant_id
    inner join marts.dim_brand as brand
        on brand_plant.brand_id = brand.brand_id
    where
        company.company_code = ?
        and company_plant.relation = 'operator'
        and brand_plant.assembly_status = 'in_production'
    order by brand.brand_name
"""


def test_build_creates_every_layer(warehouse):
    schemas = dict(
        rows(
            warehouse,
            "select table_schema, count(*) from information_schema.tables "
            "where table_catalog = 'autowatch' group by table_schema",
        )
    )
    assert {"raw", "staging", "intermediate", "marts"} <= set(schemas)
    marts = {
        name
        for (name,) in rows(
            warehouse,
            "select table_name from information_schema.tables "
            "where table_schema = 'marts'",
        )
    }
    assert {
        "dim_company",
        "dim_brand",
        "dim_plant",
        "dim_vehicle_model",
        "dim_person",
        "dim_article",
        "dim_date",
        "fct_announcement",
        "fct_target",
        "bridge_brand_plant",
        "bridge_vehicle_model_plant",
        "bridge_company_brand",
        "bridge_company_plant",
        "fct_conflicting_claim",
    } <= marts


def test_brands_assembled_at_avtotor(warehouse):
    assert rows(warehouse, BRANDS_AT_COMPANY_PLANTS, ["avtotor"]) == [
        ("BAIC",),
        ("JMC",),
        ("Kaiyi",),
        ("SWM",),
    ]


def test_jmc_assembly_started_in_august_with_full_cycle_planned(warehouse):
    # The press service reported the start on Wednesday 16 August; the day
    # assembly began is not given, so the start is at month precision.
    assert rows(
        warehouse,
        """
        select
            plant.plant_name,
            brand_plant.assembly_stage,
            brand_plant.assembly_status,
            brand_plant.started_on,
            brand_plant.started_on_precision
        from marts.bridge_brand_plant as brand_plant
        inner join marts.dim_brand as brand
            on brand_plant.brand_id = brand.brand_id
        inner join marts.dim_plant as plant
            on brand_plant.plant_id = plant.plant_id
        where brand.brand_code = 'jmc'
        order by brand_plant.assembly_status
        """,
    ) == [
        (
            "Avtotor Pereslavskoye industrial site",
            "unspecified",
            "in_production",
            date(2023, 8, 1),
            "month",
        ),
        ("Avtotor Pereslavskoye industrial site", "full_cycle", "planned", None, None),
    ]


def test_a_brand_reported_without_a_decision_is_considered_not_planned(warehouse):
    """003: "Kamaz plans to agree on the production of Chinese JAC vehicles
    under the Moskvich brand" is a candidate, and the full cycle "in 2024"
    is followed by "there is no final decision on this matter yet"; 002's
    report of the same plan (electric cars from 2024, in a full cycle)
    says "a final decision on the project's scope and scale has not yet
    been published"."""
    assert rows(
        warehouse,
        """
        select brand_code, assembly_stage, assembly_status, article_file_name
        from reporting.plant_brands
        where plant_code = 'moskvich_moscow' and assembly_status = 'considered'
        order by brand_code, article_file_name, assembly_stage
        """,
    ) == [
        ("jac", "unspecified", "considered", "003_fe566e868f15ac09.txt"),
        ("moskvich", "full_cycle", "considered", "002_d2ba2eeb3f36eea0.txt"),
        ("moskvich", "unspecified", "considered", "002_d2ba2eeb3f36eea0.txt"),
        ("moskvich", "full_cycle", "considered", "003_fe566e868f15ac09.txt"),
    ]


def test_plant_brand_status_gives_each_pair_its_furthest_stage(warehouse):
    """One row per plant and brand: BAIC at Avtotor is in production since
    April 2023 (001) and planned for electric cars (000), two reports of
    two events; Moskvich's five reports at its plant are three events (the
    Kama-platform plan is reported by 002 and 003)."""
    assert rows(
        warehouse,
        """
        select
            plant_code, brand_code, furthest_status, in_production_since,
            in_production_since_precision, report_count, event_count
        from reporting.plant_brand_status
        order by plant_code, brand_code
        """,
    ) == [
        (
            "avtotor_kaliningrad",
            "baic",
            "in_production",
            date(2023, 4, 1),
            "month",
            2,
            2,
        ),
        (
            "avtotor_kaliningrad",
            "kaiyi",
            "in_production",
            date(2023, 1, 1),
            "month",
            1,
            1,
        ),
        (
            "avtotor_kaliningrad",
            "swm",
            "in_production",
            date(2023, 1, 1),
            "month",
            1,
            1,
        ),
        (
            "avtotor_pereslavskoye_site",
            "jmc",
            "in_production",
            date(2023, 8, 1),
            "month",
            2,
            2,
        ),
        ("moskvich_moscow", "jac", "considered", None, None, 1, 1),
        ("moskvich_moscow", "moskvich", "planned", None, None, 5, 3),
    ]


def test_moskvich_targets_for_2023_and_2024_with_electric_shares(warehouse):
    targets = rows(
        warehouse,
        """
        select
            year(target.period_start) as target_year,
            target.scope,
            target.qualifier,
            target.value_low,
            article.file_name
        from marts.fct_target as target
        inner join marts.dim_plant as plant
            on target.plant_id = plant.plant_id
        inner join marts.dim_article as article
            on target.article_id = article.article_id
        where
            plant.plant_code = 'moskvich_moscow'
            and target.metric = 'production_volume'
            and year(target.period_start) in (2023, 2024)
        order by target_year, target.scope
        """,
    )
    article = "002_d2ba2eeb3f36eea0.txt"
    assert targets == [
        (2023, "all", "at_least", 50000.0, article),
        (2023, "electric", "exact", 10000.0, article),
        (2024, "all", "at_least", 100000.0, article),
        (2024, "electric", "exact", 20000.0, article),
    ]


def test_every_fact_quote_is_in_its_article(warehouse):
    for table in (
        "fct_target",
        "fct_announcement",
        "bridge_brand_plant",
        "bridge_vehicle_model_plant",
        "bridge_company_plant",
        "bridge_company_brand",
        "fct_claim",
        "fct_person_role",
        "dim_vehicle_model",
    ):
        facts = table_name("marts", table)
        ungrounded = rows(
            warehouse,
            f"""
            select count(*)
            from {facts} as fact
            inner join marts.dim_article as article
                on fact.article_id = article.article_id
            where strpos(article.article_text, fact.evidence_quote) = 0
            """,
        )
        total = rows(warehouse, f"select count(*) from {facts}")
        assert ungrounded == [(0,)] and total[0][0] > 0, table


def test_conflicting_claims_keep_both_sides(warehouse):
    assert rows(
        warehouse,
        """
        select
            subject.company_code,
            conflict.relation,
            object.company_code,
            affirming.file_name,
            conflict.affirming_quote,
            denying.file_name,
            conflict.denying_quote
        from marts.fct_conflicting_claim as conflict
        inner join marts.dim_company as subject
            on conflict.subject_company_id = subject.company_id
        inner join marts.dim_company as object
            on conflict.object_company_id = object.company_id
        inner join marts.dim_article as affirming
            on conflict.affirming_article_id = affirming.article_id
        inner join marts.dim_article as denying
            on conflict.denying_article_id = denying.article_id
        """,
    ) == [
        (
            "kama",
            "part_of",
            "kamaz",
            "002_d2ba2eeb3f36eea0.txt",
            "Kama JSC is operated under the umbrella of KAMAZ",
            "003_fe566e868f15ac09.txt",
            "Kama is not directly a Kamaz project.",
        )
    ]


def test_models_built_at_avtotor_and_since_when(warehouse):
    """Which models each Avtotor site builds: 001 names them, and dates
    the X55 by its first batch this week, not by BAIC's April start."""
    assert rows(
        warehouse,
        """
        select plant.plant_code, model.model_name, model_plant.started_on,
            model_plant.started_on_precision
        from marts.bridge_vehicle_model_plant as model_plant
        inner join marts.dim_vehicle_model as model
            on model_plant.vehicle_model_id = model.vehicle_model_id
        inner join marts.dim_plant as plant
            on model_plant.plant_id = plant.plant_id
        where plant.plant_code like 'avtotor%'
            and model_plant.assembly_status = 'in_production'
        order by plant.plant_code, model.model_name
        """,
    ) == [
        ("avtotor_kaliningrad", "BAIC BJ40", None, None),
        ("avtotor_kaliningrad", "BAIC U5 Plus", None, None),
        ("avtotor_kaliningrad", "BAIC X35", None, None),
        ("avtotor_kaliningrad", "BAIC X55", date(2023, 8, 1), "month"),
        ("avtotor_kaliningrad", "Kaiyi E5", date(2023, 1, 1), "month"),
        ("avtotor_pereslavskoye_site", "JMC Carrying", date(2023, 8, 1), "month"),
        ("avtotor_pereslavskoye_site", "JMC Conquer", date(2023, 8, 1), "month"),
        ("avtotor_pereslavskoye_site", "JMC Vigus", date(2023, 8, 1), "month"),
    ]


def test_an_announcement_says_apart_when_it_was_made_and_when_its_plan_happens(
    warehouse,
):
    """000 was published in 2023 and tells of plans for later: the date of
    the statement and that of the thing announced are two columns."""
    timeline = rows(
        warehouse,
        """
        select announcement_code, announced_on, announced_on_precision,
            happens_on, happens_on_precision
        from reporting.announcements_timeline
        where announcement_code in (
            'avtotor_baic_ev_production_q4_2023',
            'avtotor_compact_ev_factory_2024',
            'avtotor_model_count_20_22'
        )
        order by announcement_code
        """,
    )
    assert timeline == [
        (
            "avtotor_baic_ev_production_q4_2023",
            date(2023, 1, 1),
            "year",
            date(2023, 10, 1),
            "quarter",
        ),
        (
            "avtotor_compact_ev_factory_2024",
            date(2023, 1, 1),
            "year",
            date(2024, 1, 1),
            "year",
        ),
        # "From the current nine to a range of 20 to 22": no time given.
        ("avtotor_model_count_20_22", date(2023, 1, 1), "year", None, None),
    ]


def test_an_event_two_articles_report_counts_once(warehouse):
    """002 and 003 both report the Moscow government's agreement with
    KAMAZ: two rows of evidence, one event, first reported by 003 (002
    tells of later updates)."""
    reports = rows(
        warehouse,
        """
        select announcement_code, article_file_name, first_report_announcement_code
        from reporting.announcements_timeline
        where first_report_announcement_code = 'moscow_government_kamaz_agreement'
        order by article_file_name
        """,
    )
    assert reports == [
        (
            "moscow_government_kamaz_partnership",
            "002_d2ba2eeb3f36eea0.txt",
            "moscow_government_kamaz_agreement",
        ),
        (
            "moscow_government_kamaz_agreement",
            "003_fe566e868f15ac09.txt",
            "moscow_government_kamaz_agreement",
        ),
    ]
    # Moskvich's announcements of July 2022: eight reports, six events.
    assert rows(
        warehouse,
        """
        select count(*), count(distinct first_report_announcement_id)
        from marts.fct_announcement
        where announced_on >= date '2022-07-01' and announced_on < date '2022-08-01'
            and brand_id = (
                select brand_id from marts.dim_brand where brand_code = 'moskvich'
            )
        """,
    ) == [(8, 6)]


def test_publication_date_inferred_from_the_weekday(warehouse):
    """The curated date is the one the article's weekday and day fit: its
    text says "в среду, 16 августа" (Wednesday, 16 August) and no year."""
    ((published_on, precision, basis, article_text),) = rows(
        warehouse,
        """
        select published_on, published_on_precision, published_on_basis,
            article_text
        from marts.dim_article
        where file_name = '001_7c175cce5b6b1249.txt'
        """,
    )
    assert "в среду, 16 августа" in article_text
    assert (published_on.day, published_on.month) == (16, 8)
    assert published_on.isoweekday() == 3  # Wednesday
    # The latest such year up to the article's events (2023: Kaiyi and
    # SWM made "since the start of 2023"); 2017 was the one before.
    assert published_on == date(2023, 8, 16)
    assert (precision, basis) == ("day", "inferred_from_weekday")


def edit_row(path, key_column: str, key: str, **changes):
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fieldnames = reader.fieldnames
        table = list(reader)
    matched = [row for row in table if row[key_column] == key]
    assert matched, f"{key} not in {path}"
    for row in matched:
        row.update(changes)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fieldnames)
        writer.writeheader()
        writer.writerows(table)


def give_a_target_another_plant(seeds_dir) -> None:
    """An edit only dbt can reject: a plant that exists, but not the one
    the target's announcement names (``agrees_with_row_of``)."""
    edit_row(
        seeds_dir / "targets.csv",
        "target_code",
        "avtotor_new_brands_2023",
        plant_code="avtotor_pereslavskoye_site",
    )


def line_starting_with(path, prefix: str) -> int:
    """The 1-based number of the first line of ``path`` that starts so."""
    return next(
        number
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if text.startswith(prefix)
    )


def copy_as_live(built_paths, paths) -> list[tuple]:
    """The shared warehouse as the live one of ``paths``; its rows."""
    paths.warehouse_dir.mkdir(parents=True)
    shutil.copyfile(built_paths.warehouse_file, paths.warehouse_file)
    return snapshot(paths.warehouse_file)


def snapshot(warehouse_file) -> list[tuple]:
    connection = duckdb.connect(str(warehouse_file), read_only=True)
    try:
        return rows(
            connection,
            "select target_code, value_low, evidence_quote "
            "from marts.fct_target order by target_code",
        )
    finally:
        connection.close()


@pytest.mark.slow
def test_failed_build_names_the_rows_and_keeps_the_previous_warehouse(
    inputs, built_paths
):
    paths = inputs.paths
    before = copy_as_live(built_paths, paths)
    give_a_target_another_plant(inputs.seeds_dir)
    with pytest.raises(BuildError) as caught:
        build(paths)
    report = "\n".join(caught.value.failures)
    assert "test agrees_with_row_of_stg_curated__targets_plant_code" in report
    assert "target_code='avtotor_new_brands_2023'" in report
    assert "plant_code='avtotor_pereslavskoye_site'" in report
    assert snapshot(paths.warehouse_file) == before
    assert not (paths.warehouse_dir / ".building").exists()


def test_a_code_naming_no_row_stops_the_build_at_its_cell(inputs, built_paths):
    """A plant code plants.csv does not have is bad input: the CSV cell is
    named before dbt runs, and the previous warehouse is untouched."""
    paths = inputs.paths
    before = copy_as_live(built_paths, paths)
    edit_row(
        inputs.seed("targets"),
        "target_code",
        "kama_ev_450k_per_year",
        plant_code="atlantis_plant",
    )
    line = line_starting_with(inputs.seed("targets"), "kama_ev_450k_per_year,")
    with pytest.raises(InputError) as caught:
        build(paths)
    (problem,) = caught.value.problems
    assert (problem.path, problem.line) == (inputs.seed("targets"), line)
    assert problem.message == (
        "column 'plant_code': 'atlantis_plant' is not a plant_code in plants.csv"
    )
    assert snapshot(paths.warehouse_file) == before
    assert not (paths.warehouse_dir / ".building").exists()


def test_invalid_csv_stops_the_build_before_anything_is_written(inputs):
    edit_row(
        inputs.seed("targets"),
        "target_code",
        "moskvich_2022_total_600",
        qualifier="roughly",
    )
    with pytest.raises(InputError) as caught:
        build(inputs.paths)
    (problem,) = caught.value.problems
    assert problem.path == inputs.seed("targets")
    assert problem.line == 7
    assert problem.message == (
        "column 'qualifier': 'roughly' is not one of exact, up_to, "
        "at_least, more_than, approx"
    )
    assert not inputs.paths.warehouse_file.exists()


@pytest.mark.slow
def test_a_first_build_that_fails_says_no_warehouse_was_written(inputs):
    give_a_target_another_plant(inputs.seeds_dir)
    with pytest.raises(BuildError) as caught:
        build(inputs.paths)
    assert caught.value.summary.endswith("did not pass; no warehouse was written")
    assert not inputs.paths.warehouse_file.exists()


# The Moskvich article: curated rows cite it (articles.csv lists it).
CITED_ARTICLE_FILE = "002_d2ba2eeb3f36eea0.txt"
CITED_ARTICLE_ID = "996e770fdb030cba"


def change_text(article: Path) -> str:
    """Append a correction, as an editor might."""
    article.write_text(
        article.read_text(encoding="utf-8") + "\nCorrection: updated on Friday.\n",
        encoding="utf-8",
    )
    return (
        f"its file {article.name} now holds article "
        f"{read_article(article).article_id}, so its text changed after it was "
        "curated; check the quotes that cite it against the new text, then "
        "give those rows and articles.csv the new id"
    )


def make_unreadable(article: Path) -> str:
    article.write_bytes(b"\x00" + article.read_bytes())
    return (
        f"its file could not be read: {article}:1:1: "
        "file contains a NUL byte: binary file, not text"
    )


def delete(article: Path) -> str:
    article.unlink()
    return f"its file {article.name} is in none of the articles folders"


def rows_citing(seeds_dir: Path, article_id: str) -> int:
    """Curated rows, other than the article's own in articles.csv, citing it."""
    count = 0
    for path in seeds_dir.glob("*.csv"):
        if path.name != "articles.csv":
            with path.open(encoding="utf-8", newline="") as file:
                count += sum(
                    row.get("article_id") == article_id for row in csv.DictReader(file)
                )
    return count


@pytest.mark.parametrize("damage", [change_text, make_unreadable, delete])
def test_an_article_that_curated_rows_cite_must_be_read(inputs, built_paths, damage):
    """A cited article whose file changed, cannot be read or is gone is one
    problem at its row of articles.csv, saying which, before dbt runs."""
    paths = inputs.paths
    before = copy_as_live(built_paths, paths)
    what_became_of_it = damage(inputs.articles_dir / CITED_ARTICLE_FILE)
    with pytest.raises(InputError) as caught:
        build(paths)
    (problem,) = caught.value.problems
    line = line_starting_with(inputs.seed("articles"), f"{CITED_ARTICLE_ID},")
    assert (problem.path, problem.line, problem.column) == (
        inputs.seed("articles"),
        line,
        1,
    )
    citing = rows_citing(inputs.seeds_dir, CITED_ARTICLE_ID)
    assert citing > 1
    assert problem.message == (
        f"article {CITED_ARTICLE_ID} is not among the articles read "
        f"({citing} curated rows cite it): {what_became_of_it}"
    )
    assert snapshot(paths.warehouse_file) == before
    if damage is change_text:
        # The README shows this very message.
        shown = f"seeds/articles.csv:{line}:1: {problem.message}"
        assert shown in (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_an_article_missing_from_raw_tables_lists_the_first_failures(inputs):
    """Raw tables loaded without the ingester's checks, missing an article
    that curated facts cite: dozens of tests fail downstream, and the
    message lists the first ones, those closest to the cause, and says
    where the rest are."""
    paths = inputs.paths
    inputs.warehouse_dir.mkdir()
    database_file = inputs.warehouse_dir / "loaded_elsewhere.duckdb"
    ingest(paths, database_file)
    connection = duckdb.connect(str(database_file))
    try:
        connection.execute(
            "delete from raw.news_articles where article_id = ?", [CITED_ARTICLE_ID]
        )
    finally:
        connection.close()
    with pytest.raises(BuildError) as caught:
        dbt.build(paths, database_file)
    failures = caught.value.failures
    failed_count = int(caught.value.summary.split(": ")[1].split()[0])
    assert failed_count > MAX_LISTED_FAILURES
    assert len(failures) == MAX_LISTED_FAILURES + 1
    assert failures[-1] == (
        f"… and {failed_count - MAX_LISTED_FAILURES} more; every failure is in "
        f"{paths.dbt_log_dir / 'dbt.log'}"
    )
    assert all(failure.startswith(("test ", "model ")) for failure in failures[:-1])


def test_a_curated_headline_replaces_a_lede_as_the_title(warehouse):
    """003 opens with its lede; articles.csv gives the headline, which the
    article holds verbatim. The others keep their first line."""
    titles = dict(rows(warehouse, "select file_name, title from marts.dim_article"))
    text = (ARTICLES_DIR / "003_fe566e868f15ac09.txt").read_text(encoding="utf-8")
    headline = (
        "Vedomosti: the development of the startup Kama will become the basis "
        "for Moskvich electric vehicles"
    )
    assert titles["003_fe566e868f15ac09.txt"] == headline
    assert f"\n{headline}\n" in text
    assert not text.startswith(headline)
    first_line = (
        (ARTICLES_DIR / "002_d2ba2eeb3f36eea0.txt")
        .read_text(encoding="utf-8")
        .splitlines()[0]
    )
    assert titles["002_d2ba2eeb3f36eea0.txt"] == first_line

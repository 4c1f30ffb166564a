"""The declared schema of every curated CSV in ``seeds/``.

This is the one place that says which columns a curated table has, their
types, which are required, which take a fixed set of values and which form
the key. The loader (``curated.py``) checks files against it, the warehouse
module creates the raw tables from it, and the tests read it too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TEXT = "text"
INTEGER = "integer"
DECIMAL = "decimal"
DATE = "date"
BOOLEAN = "boolean"

# DuckDB column type for each declared type.
SQL_TYPES = {
    TEXT: "varchar",
    INTEGER: "bigint",
    DECIMAL: "double",
    DATE: "date",
    BOOLEAN: "boolean",
}

LANGUAGES = ("en", "ru")
DATE_PRECISIONS = ("day", "month", "quarter", "year")
COUNTRY_CODES = ("CN", "FR", "IR", "KR", "RU")
PLACE_TYPES = ("country", "region", "district", "city", "settlement")
# Which vehicles a fact is about: a plan for electric cars only must not
# read as a plan for the whole brand or plant.
SCOPES = ("all", "electric", "combustion")
# A target may also count only the cars of brands new to the plant ("up to
# 50,000 cars of new brands"): read as the plant's whole output it would
# overstate what was announced.
TARGET_SCOPES = (*SCOPES, "new_brands")
# Whether a brand or model is built at a plant yet, or only planned there.
ASSEMBLY_STATUSES = ("considered", "planned", "in_production")
REVIEW_KINDS = ("figure_not_curated", "candidate_entity", "target_not_extracted")
# What a curator decided about a review_queue item; an item without a
# decision is still to review.
REVIEW_DECISIONS = (
    "duplicate_of_curated",
    "not_a_target",
    "not_an_entity",
    "extraction_error",
)


@dataclass(frozen=True)
class Column:
    name: str
    type: str = TEXT
    required: bool = False
    allowed: tuple[str, ...] | None = None
    # The curated table whose (one-column) key this column's codes name.
    references: str | None = None
    # Text that must be the cited article's own words, verbatim.
    is_quote: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    description: str = ""
    file_name: str = field(default="")

    @property
    def csv_name(self) -> str:
        return self.file_name or f"{self.name}.csv"

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


def _article_columns() -> tuple[Column, ...]:
    """Columns every fact table carries: where the fact was read, verbatim."""
    return (
        Column("article_id", required=True),
        Column("evidence_quote", required=True, is_quote=True),
    )


TABLES: tuple[Table, ...] = (
    Table(
        name="companies",
        key=("company_code",),
        description="Companies, governments and news outlets.",
        columns=(
            Column("company_code", required=True),
            Column("company_name", required=True),
            Column(
                "company_kind",
                required=True,
                allowed=(
                    "automaker",
                    "automotive_startup",
                    "government",
                    "news_outlet",
                    "other",
                ),
            ),
            Column("country_code", allowed=COUNTRY_CODES),
            Column("note"),
        ),
    ),
    Table(
        name="brands",
        key=("brand_code",),
        description="Vehicle brands.",
        columns=(
            Column("brand_code", required=True),
            Column("brand_name", required=True),
            Column("origin_country_code", allowed=COUNTRY_CODES),
            Column("note"),
        ),
    ),
    Table(
        name="plants",
        key=("plant_code",),
        description="Plants, assembly sites and planned factories.",
        columns=(
            Column("plant_code", required=True),
            Column("plant_name", required=True),
            Column(
                "plant_status",
                required=True,
                allowed=("operating", "planned", "suspended"),
            ),
            Column("parent_plant_code", references="plants"),
            Column("settlement"),
            Column("district"),
            Column("city"),
            Column("region", required=True),
            # The most specific place the plant is in, so that "plants in
            # Kaliningrad Oblast" follows dim_place's parents.
            Column("place_code", required=True, references="places"),
            # Whether an article says where the plant is, or the curator
            # placed it (a planned factory whose site no article names).
            Column("place_basis", required=True, allowed=("stated", "inferred")),
            Column("country_code", required=True, allowed=COUNTRY_CODES),
            Column("note"),
        ),
    ),
    Table(
        name="places",
        key=("place_code",),
        description="Countries, regions, districts, cities and settlements.",
        columns=(
            Column("place_code", required=True),
            Column("place_name", required=True),
            Column("place_type", required=True, allowed=PLACE_TYPES),
            Column("parent_place_code", references="places"),
            Column("country_code", required=True, allowed=COUNTRY_CODES),
            Column("note"),
        ),
    ),
    Table(
        name="people",
        key=("person_code",),
        description="People quoted or named in articles.",
        columns=(
            Column("person_code", required=True),
            Column("full_name", required=True),
            Column("note"),
        ),
    ),
    Table(
        name="person_roles",
        key=("person_code", "role_title", "article_id"),
        description="A person's role as an article states it.",
        columns=(
            Column("person_code", required=True, references="people"),
            Column("company_code", references="companies"),
            Column("role_title", required=True),
            *_article_columns(),
        ),
    ),
    Table(
        name="vehicle_models",
        key=("vehicle_model_code",),
        description="Vehicle models and concepts.",
        columns=(
            Column("vehicle_model_code", required=True),
            Column("brand_code", references="brands"),
            Column("model_name", required=True),
            Column(
                "body_type",
                required=True,
                allowed=(
                    "city_car",
                    "sedan",
                    "station_wagon",
                    "pickup",
                    "crossover",
                    "off_roader",
                    "hatchback",
                    "unknown",
                ),
            ),
            Column(
                "powertrain",
                required=True,
                allowed=("electric", "combustion", "unknown"),
            ),
            Column("is_concept", BOOLEAN, required=True),
            *_article_columns(),
        ),
    ),
    Table(
        name="aliases",
        key=("entity_type", "entity_code", "alias"),
        description="Names an entity goes by, in English and Russian.",
        columns=(
            Column(
                "entity_type",
                required=True,
                allowed=(
                    "company",
                    "brand",
                    "plant",
                    "person",
                    "place",
                    "vehicle_model",
                ),
            ),
            Column("entity_code", required=True),
            Column("alias", required=True),
            Column("language", required=True, allowed=LANGUAGES),
            Column("is_inflected", BOOLEAN, required=True),
            # Read by extraction: such an alias needs its entity or owner
            # named elsewhere in the article (see ingest/mentions.py).
            Column("is_common_word", BOOLEAN, required=True),
        ),
    ),
    Table(
        name="articles",
        key=("article_id",),
        description="Curated metadata of each article.",
        columns=(
            Column("article_id", required=True),
            Column("file_name", required=True),
            # The headline, when the file's first line is not it (a lede
            # or a teaser); copied verbatim from the article.
            Column("title", is_quote=True),
            Column("outlet_company_code", references="companies"),
            Column("cited_source"),
            Column("published_on", DATE, required=True),
            Column(
                "published_on_precision",
                required=True,
                allowed=DATE_PRECISIONS,
            ),
            Column(
                "published_on_basis",
                required=True,
                allowed=("stated", "inferred_from_weekday", "inferred"),
            ),
            Column("published_on_reasoning", required=True),
            Column("source_url"),
        ),
    ),
    Table(
        name="announcements",
        key=("announcement_code",),
        description="Announcements: what was said, by whom, when.",
        columns=(
            Column("announcement_code", required=True),
            Column(
                "announcement_type",
                required=True,
                allowed=(
                    "production_start",
                    "production_plan",
                    "plant_construction",
                    "investment_plan",
                    "agreement",
                    "partnership",
                    "localisation_plan",
                    "localisation_candidate",
                    "acquisition_candidate",
                    "product_development",
                    "product_presentation",
                ),
            ),
            Column("announced_on", DATE),
            Column("announced_on_precision", allowed=DATE_PRECISIONS),
            # When the announced thing happened or is to happen, where the
            # article gives a time apart from the announcement's own date
            # ("from the fourth quarter of 2023", announced in 2023).
            Column("happens_on", DATE),
            Column("happens_on_precision", allowed=DATE_PRECISIONS),
            Column("announcer_company_code", references="companies"),
            Column("announcer_person_code", references="people"),
            Column("subject_company_code", references="companies"),
            Column("brand_code", references="brands"),
            Column("plant_code", references="plants"),
            Column("vehicle_model_code", references="vehicle_models"),
            # Two articles (or two sources in one) reporting one event are
            # two rows of evidence; the later report names the first so
            # that counting events does not count it twice.
            Column("same_event_as_announcement_code", references="announcements"),
            Column("summary", required=True),
            *_article_columns(),
        ),
    ),
    Table(
        name="brand_plant_assembly",
        # One statement per brand, plant, stage and scope in an article: 002
        # plans the brand's 600 cars of 2022 and its electric cars from 2024.
        key=("brand_code", "plant_code", "assembly_stage", "scope", "article_id"),
        description="Which brand is assembled (or planned) at which plant.",
        columns=(
            Column("brand_code", required=True, references="brands"),
            Column("plant_code", required=True, references="plants"),
            Column(
                "assembly_stage",
                required=True,
                allowed=("unspecified", "skd", "ckd", "full_cycle"),
            ),
            Column("assembly_status", required=True, allowed=ASSEMBLY_STATUSES),
            Column("scope", required=True, allowed=SCOPES),
            Column("started_on", DATE),
            Column("started_on_precision", allowed=DATE_PRECISIONS),
            Column("announcement_code", references="announcements"),
            *_article_columns(),
        ),
    ),
    Table(
        name="vehicle_model_plant_assembly",
        # Which models a plant builds: brand_plant_assembly says BAIC is
        # built at Avtotor, but not that the X55 is and since when.
        key=("vehicle_model_code", "plant_code", "article_id"),
        description="Which vehicle model is assembled (or planned) at which plant.",
        columns=(
            Column("vehicle_model_code", required=True, references="vehicle_models"),
            Column("plant_code", required=True, references="plants"),
            Column("assembly_status", required=True, allowed=ASSEMBLY_STATUSES),
            Column("started_on", DATE),
            Column("started_on_precision", allowed=DATE_PRECISIONS),
            Column("announcement_code", references="announcements"),
            *_article_columns(),
        ),
    ),
    Table(
        name="company_brands",
        # Per article, like the other bridges: a second article stating the
        # same relation is a second piece of evidence, not a duplicate.
        key=("company_code", "brand_code", "relation", "article_id"),
        description="Which company owns or licenses which brand.",
        columns=(
            Column("company_code", required=True, references="companies"),
            Column("brand_code", required=True, references="brands"),
            Column(
                "relation",
                required=True,
                allowed=("owner", "licensee", "creator"),
            ),
            *_article_columns(),
        ),
    ),
    Table(
        name="company_plants",
        key=("company_code", "plant_code", "relation", "article_id"),
        description="Who owns, operates or partners at which plant.",
        columns=(
            Column("company_code", required=True, references="companies"),
            Column("plant_code", required=True, references="plants"),
            Column(
                "relation",
                required=True,
                allowed=(
                    "owner",
                    "operator",
                    "partner",
                    "former_owner",
                    "acquisition_candidate",
                ),
            ),
            *_article_columns(),
        ),
    ),
    Table(
        name="claims",
        key=("claim_code",),
        description=(
            "Relations between companies as one article claims them; "
            "a claim may deny a relation, so disagreements show."
        ),
        columns=(
            Column("claim_code", required=True),
            Column("subject_company_code", required=True, references="companies"),
            Column(
                "relation",
                required=True,
                allowed=("part_of", "partner_of", "project_of", "investor_in"),
            ),
            Column("object_company_code", required=True, references="companies"),
            Column("is_affirmed", BOOLEAN, required=True),
            *_article_columns(),
        ),
    ),
    Table(
        name="targets",
        key=("target_code",),
        description="Normalised targets: capacity, output, investment …",
        columns=(
            Column("target_code", required=True),
            Column("announcement_code", required=True, references="announcements"),
            Column(
                "metric",
                required=True,
                allowed=(
                    "production_volume",
                    "capacity_per_year",
                    "production_per_year",
                    "investment",
                    "model_count",
                    "added_brand_count",
                ),
            ),
            Column("value_low", DECIMAL, required=True),
            Column("value_high", DECIMAL, required=True),
            Column(
                "unit",
                required=True,
                allowed=("vehicles", "models", "brands", "currency"),
            ),
            Column("currency", allowed=("RUB", "USD", "EUR", "CNY")),
            Column(
                "qualifier",
                required=True,
                allowed=("exact", "up_to", "at_least", "more_than", "approx"),
            ),
            Column("period_start", DATE),
            Column("period_end", DATE),
            Column("period_grain", allowed=DATE_PRECISIONS),
            Column("scope", required=True, allowed=TARGET_SCOPES),
            Column("plant_code", references="plants"),
            Column("company_code", references="companies"),
            Column("brand_code", references="brands"),
            *_article_columns(),
        ),
    ),
    Table(
        name="review_decisions",
        # An item is named by what a curator sees in review_queue, not by
        # extraction's row numbers, so a decision outlives rebuilds.
        key=("article_id", "review_kind", "surface_text", "occurrence"),
        description="A curator's decision on one review_queue item.",
        columns=(
            Column("article_id", required=True),
            Column("review_kind", required=True, allowed=REVIEW_KINDS),
            Column("surface_text", required=True),
            Column("occurrence", INTEGER, required=True),
            Column("decision", required=True, allowed=REVIEW_DECISIONS),
            Column("note", required=True),
            Column("decided_by", required=True),
            Column("decided_on", DATE, required=True),
        ),
    ),
)

TABLES_BY_NAME = {table.name: table for table in TABLES}

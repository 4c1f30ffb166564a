"""Generate a synthetic corpus that looks like data/articles and seeds/.

N articles, English and Russian mixed, about 3 KB each, 5% saved in cp1251,
a few exact and near duplicates, built from the same companies, plants,
brands, people and kinds of figures as the four sample articles. The
curated CSVs grow with it: about one announcement and one target per ten
articles, each quoting a sentence that really occurs in its article.

The four real sample articles and every real seed row are included, so the
entities the generated rows name are the curated ones and every dbt test
of the real project applies unchanged.

Same ``--seed``, same bytes: the generator uses only its own
``random.Random`` and writes files in a fixed order.

Example:
    .venv/bin/python bench/generate_corpus.py --articles 1000 --output /tmp/c
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from ingest.articles import article_id_for  # noqa: E402
from ingest.schema import TABLES_BY_NAME  # noqa: E402

SAMPLE_ARTICLES_DIR = PROJECT_ROOT / "data" / "articles"
SAMPLE_SEEDS_DIR = PROJECT_ROOT / "seeds"

TARGET_ARTICLE_BYTES = 3000
CP1251_SHARE = 0.05
EXACT_DUPLICATE_SHARE = 0.01
NEAR_DUPLICATE_SHARE = 0.01
# One curated announcement (with its article's metadata and one target)
# per this many generated articles.
ARTICLES_PER_CURATED_FACT = 10
RUSSIAN_SHARE = 0.5


@dataclass(frozen=True)
class Entity:
    code: str
    english: str
    russian: str


@dataclass(frozen=True)
class Plant:
    code: str
    english: str
    russian: str
    company_code: str
    region_english: str
    region_russian: str


# The entities of the sample articles, with the names the samples use.
# Codes must exist in seeds/; the names are aliases from seeds/aliases.csv.
COMPANIES = (
    Entity("avtotor", "Avtotor", "Автотор"),
    Entity("kamaz", "KAMAZ", "КАМАЗ"),
    Entity("moskvich", "Moskvich", "Москвич"),
    Entity("kama", "Kama JSC", "Кама"),
    Entity("renault_russia", "Renault Russia", "Рено Россия"),
)
BRANDS = (
    Entity("baic", "BAIC", "BAIC"),
    Entity("jmc", "JMC", "JMC"),
    Entity("kaiyi", "Kaiyi", "Kaiyi"),
    Entity("swm", "SWM", "SWM"),
    Entity("moskvich", "Moskvich", "Москвич"),
    Entity("jac", "JAC", "JAC"),
    Entity("hyundai", "Hyundai", "Hyundai"),
)
PLANTS = (
    Plant(
        "avtotor_kaliningrad",
        "Kaliningrad Avtotor plant",
        "завод «Автотор»",
        "avtotor",
        "Kaliningrad Oblast",
        "Калининградской области",
    ),
    Plant(
        "moskvich_moscow",
        "Moskvich plant",
        "завод «Москвич»",
        "moskvich",
        "Moscow",
        "Москве",
    ),
    Plant(
        "avtotor_pereslavskoye_site",
        "Pereslavskoye industrial site",
        "промплощадка в посёлке Переславское",
        "avtotor",
        "Kaliningrad Oblast",
        "Калининградской области",
    ),
)
PEOPLE = (
    Entity("valery_gorbunov", "Valery Gorbunov", "Валерий Горбунов"),
    Entity("sergey_kogogin", "Sergey Kogogin", "Сергей Когогин"),
)

QUARTERS_ENGLISH = ("first", "second", "third", "fourth")
QUARTERS_RUSSIAN = ("первом", "втором", "третьем", "четвёртом")

ENGLISH_TITLES = (
    "{company} bets on {brand} cars and new brand expansions",
    "{brand} assembly to expand at the {plant}",
    "{company} outlines plans for the {plant}",
    "New {brand} models head for local assembly",
)
RUSSIAN_TITLES = (
    "«{company}» расширяет сборку автомобилей {brand}",
    "На заводе {plant_short} запускают новые модели {brand}",
    "Компания «{company}» рассказала о планах на {year} год",
    "Сборка {brand} в {region}: что известно",
)
ENGLISH_FILLER = (
    "The project marks a step in {company}’s strategy to diversify its "
    "lineup and bring new mobility options to the market.",
    "Historically, {company} has attracted attention for its partnerships "
    "with multiple Chinese automakers and for its role in manufacturing "
    "complex vehicle lines.",
    "The broader implications include potential effects on regional job "
    "creation, supplier networks, and technology transfer within the "
    "automotive sector.",
    "Industry analysts note that demand for affordable cars in {region} has "
    "grown steadily since {previous_year}.",
    "The company did not disclose which suppliers will provide components "
    "for the new models.",
    "{person} said the team would present the first vehicles to dealers "
    "by the end of {year}.",
    "Recent industry coverage has also highlighted the evolving competitive "
    "landscape for large trucks and high-capacity pickups.",
    "Local officials described the project as important for the economy of "
    "{region} and for the suppliers around the {plant}.",
    "The plan is ambitious, and a final decision on the scope of the project "
    "has not yet been published.",
    "Dealers expect the first cars of the new lineup to arrive in showrooms "
    "within months of the launch.",
    "Welding and painting are planned directly on site, a step toward a "
    "full production cycle.",
    "The company’s expansion projects are viewed as a response to shifting "
    "demand patterns and regulatory changes.",
)
RUSSIAN_FILLER = (
    "Сборка автомобилей ведётся на {plant}, сообщила пресс-служба предприятия.",
    "По словам представителя компании, спрос на доступные автомобили в "
    "{region} растёт с {previous_year} года.",
    "Ранее «{company}» уже выпускал модели нескольких китайских брендов.",
    "Поставщики комплектующих пока не названы.",
    "{person} отметил, что первые машины поступят к дилерам до конца {year} года.",
    "В дальнейшем планируется поэтапный переход на производство по полному "
    "циклу, включая сварку, окраску и сборку.",
    "Эксперты считают, что проект поможет сохранить рабочие места в регионе.",
    "Окончательное решение о масштабах проекта пока не опубликовано.",
    "Правительство региона поддерживает расширение производства.",
    "Модельный ряд будет расширяться за счёт новых китайских марок.",
    "Дилеры ожидают первые автомобили уже в ближайшие месяцы после запуска.",
)


@dataclass(frozen=True)
class Fact:
    """The announcement and target one article states, with its quotes."""

    company: Entity
    brand: Entity
    plant: Plant
    person: Entity
    year: int
    quarter: int
    metric: str
    value: int
    announcement_quote: str
    target_quote: str


def _english_fact(rng: random.Random, fact: dict) -> tuple[str, str, str, int]:
    company, brand, plant = fact["company"], fact["brand"], fact["plant"]
    year, quarter = fact["year"], fact["quarter"]
    announcement = (
        f"{company.english} plans to start assembly of {brand.english} "
        f"vehicles at the {plant.english} in the "
        f"{QUARTERS_ENGLISH[quarter - 1]} quarter of {year}."
    )
    if rng.random() < 0.5:
        value = rng.randrange(10, 200) * 1000
        target = (
            f"aims to reach a production capacity of up to {value:,} vehicles annually"
        )
        sentence = f"The project {target}."
        return announcement, sentence, target, value
    billions = rng.randrange(11, 990) / 100
    value = round(billions * 1_000_000_000)
    target = f"The project carries an investment of {billions:.2f} billion rubles"
    return announcement, f"{target}.", target, value


def _russian_fact(rng: random.Random, fact: dict) -> tuple[str, str, str, int]:
    company, brand, plant = fact["company"], fact["brand"], fact["plant"]
    year, quarter = fact["year"], fact["quarter"]
    announcement = (
        f"«{company.russian}» планирует начать сборку автомобилей "
        f"{brand.russian} на площадке {plant.russian} в "
        f"{QUARTERS_RUSSIAN[quarter - 1]} квартале {year} года."
    )
    if rng.random() < 0.5:
        thousands = rng.randrange(10, 200)
        value = thousands * 1000
        target = f"мощность производства составит до {thousands} тыс. автомобилей в год"
        return announcement, f"Проектная {target}.", target, value
    billions = rng.randrange(11, 990) / 100
    value = round(billions * 1_000_000_000)
    text_number = f"{billions:.2f}".replace(".", ",")
    target = f"Объём инвестиций составит {text_number} млрд рублей"
    return announcement, f"{target}.", target, value


def _article_text(rng: random.Random, language: str, serial: int) -> tuple[str, Fact]:
    """One article of about TARGET_ARTICLE_BYTES bytes and its fact."""
    plant = rng.choice(PLANTS)
    company = next(c for c in COMPANIES if c.code == plant.company_code)
    chosen = {
        "company": company,
        "brand": rng.choice(BRANDS),
        "plant": plant,
        "person": rng.choice(PEOPLE),
        "year": rng.randrange(2022, 2027),
        "quarter": rng.randrange(1, 5),
    }
    russian = language == "ru"
    announcement, target_sentence, target_quote, value = (
        _russian_fact if russian else _english_fact
    )(rng, chosen)
    slots = {
        "company": company.russian if russian else company.english,
        "brand": chosen["brand"].russian if russian else chosen["brand"].english,
        "plant": plant.russian if russian else plant.english,
        "plant_short": plant.russian,
        "region": plant.region_russian if russian else plant.region_english,
        "person": (chosen["person"].russian if russian else chosen["person"].english),
        "year": chosen["year"],
        "previous_year": chosen["year"] - rng.randrange(1, 4),
    }
    titles = RUSSIAN_TITLES if russian else ENGLISH_TITLES
    filler = RUSSIAN_FILLER if russian else ENGLISH_FILLER
    title = rng.choice(titles).format(**slots)
    # A serial number in the lead keeps every generated text distinct, as
    # real news texts are, so only the deliberate duplicates collide.
    lead = (
        f"Выпуск №{serial} отраслевой ленты. {announcement}"
        if russian
        else f"Industry wire item {serial}. {announcement}"
    )
    paragraphs = [lead + " " + target_sentence]
    size = len(title.encode()) + len(paragraphs[0].encode())
    while size < TARGET_ARTICLE_BYTES:
        sentences = rng.sample(filler, k=3)
        paragraph = " ".join(sentence.format(**slots) for sentence in sentences)
        paragraphs.append(paragraph)
        size += len(paragraph.encode()) + 1
    text = "\n".join([title, *paragraphs]) + "\n"
    fact = Fact(
        company=company,
        brand=chosen["brand"],
        plant=plant,
        person=chosen["person"],
        year=chosen["year"],
        quarter=chosen["quarter"],
        metric=(
            "investment"
            if "инвестиц" in target_quote or "investment" in target_quote
            else "capacity_per_year"
        ),
        value=value,
        announcement_quote=announcement,
        target_quote=target_quote,
    )
    return text, fact


def _encodes_in_cp1251(text: str) -> bool:
    try:
        text.encode("cp1251")
    except UnicodeEncodeError:
        return False
    return True


@dataclass
class Corpus:
    """What was written, for the benchmark and the tests to check."""

    articles_dir: Path
    seeds_dir: Path
    file_count: int
    cp1251_count: int
    exact_duplicate_count: int
    near_duplicate_count: int
    announcement_count: int
    target_count: int


def _read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def generate(article_count: int, output_dir: Path, seed: int = 1) -> Corpus:
    """Write ``output_dir/articles`` and ``output_dir/seeds``; replace both."""
    rng = random.Random(seed)
    articles_dir = output_dir / "articles"
    seeds_dir = output_dir / "seeds"
    for directory in (articles_dir, seeds_dir):
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
    for sample in sorted(SAMPLE_ARTICLES_DIR.glob("*.txt")):
        shutil.copyfile(sample, articles_dir / sample.name)
    for table in TABLES_BY_NAME.values():
        shutil.copyfile(SAMPLE_SEEDS_DIR / table.csv_name, seeds_dir / table.csv_name)

    articles_header, curated_articles = _read_rows(seeds_dir / "articles.csv")
    announcements_header, announcements = _read_rows(seeds_dir / "announcements.csv")
    targets_header, targets = _read_rows(seeds_dir / "targets.csv")

    corpus = Corpus(articles_dir, seeds_dir, 4, 0, 0, 0, 0, 0)
    generated: list[tuple[str, str]] = []
    for index in range(max(article_count - corpus.file_count, 0)):
        serial = index + 1
        # Duplicates at fixed serials, so even a small corpus has some.
        is_exact_duplicate = serial % round(1 / EXACT_DUPLICATE_SHARE) == 50
        is_near_duplicate = serial % round(1 / NEAR_DUPLICATE_SHARE) == 75
        if generated and is_exact_duplicate:
            source_name, source_text = rng.choice(generated)
            data = source_text.encode("utf-8")
            corpus.exact_duplicate_count += 1
            text = source_text
        elif generated and is_near_duplicate:
            # A republished copy: same story, one line of boilerplate added.
            _, source_text = rng.choice(generated)
            text = source_text + f"Republished by partner site {serial}.\n"
            data = text.encode("utf-8")
            corpus.near_duplicate_count += 1
        else:
            language = "ru" if rng.random() < RUSSIAN_SHARE else "en"
            text, fact = _article_text(rng, language, serial)
            data = text.encode("utf-8")
            # cp1251 only ever held Russian text; 5% of all files overall.
            if (
                language == "ru"
                and rng.random() < CP1251_SHARE / RUSSIAN_SHARE
                and _encodes_in_cp1251(text)
            ):
                data = text.encode("cp1251")
                corpus.cp1251_count += 1
            if serial % ARTICLES_PER_CURATED_FACT == 0:
                _add_curated_rows(
                    fact,
                    article_id_for(text),
                    f"{serial:07d}",
                    curated_articles,
                    announcements,
                    targets,
                    rng,
                )
        article_id = article_id_for(text)
        file_name = f"{serial:07d}_{article_id}.txt"
        (articles_dir / file_name).write_bytes(data)
        for row in curated_articles[-1:]:
            if row["article_id"] == article_id and not row["file_name"]:
                row["file_name"] = file_name
        generated.append((file_name, text))
        corpus.file_count += 1
    _write_rows(seeds_dir / "articles.csv", articles_header, curated_articles)
    _write_rows(seeds_dir / "announcements.csv", announcements_header, announcements)
    _write_rows(seeds_dir / "targets.csv", targets_header, targets)
    corpus.announcement_count = len(announcements)
    corpus.target_count = len(targets)
    return corpus


def _add_curated_rows(
    fact: Fact,
    article_id: str,
    serial_text: str,
    curated_articles: list[dict[str, str]],
    announcements: list[dict[str, str]],
    targets: list[dict[str, str]],
    rng: random.Random,
) -> None:
    published_year = fact.year - 1 if fact.year > 2022 else fact.year
    published_on = f"{published_year}-{rng.randrange(1, 13):02d}-01"
    curated_articles.append(
        {
            "article_id": article_id,
            # Filled in once the file name is known.
            "file_name": "",
            "outlet_company_code": "",
            "cited_source": "Generated benchmark article.",
            "published_on": published_on,
            "published_on_precision": "month",
            "published_on_basis": "inferred",
            "published_on_reasoning": "Synthetic article for make bench.",
            "source_url": "",
        }
    )
    announcement_code = f"bench_{serial_text}_production_plan"
    announcements.append(
        {
            "announcement_code": announcement_code,
            "announcement_type": "production_plan",
            "announced_on": published_on,
            "announced_on_precision": "month",
            "happens_on": f"{fact.year}-{3 * fact.quarter - 2:02d}-01",
            "happens_on_precision": "quarter",
            "announcer_company_code": fact.company.code,
            "announcer_person_code": "",
            "subject_company_code": fact.company.code,
            "brand_code": fact.brand.code,
            "plant_code": fact.plant.code,
            "vehicle_model_code": "",
            "same_event_as_announcement_code": "",
            "summary": (
                f"{fact.company.english} plans to assemble {fact.brand.english} "
                f"at {fact.plant.english} from Q{fact.quarter} {fact.year}."
            ),
            "article_id": article_id,
            "evidence_quote": fact.announcement_quote,
        }
    )
    is_investment = fact.metric == "investment"
    targets.append(
        {
            "target_code": f"bench_{serial_text}_{fact.metric}",
            "announcement_code": announcement_code,
            "metric": fact.metric,
            "value_low": str(fact.value),
            "value_high": str(fact.value),
            "unit": "currency" if is_investment else "vehicles",
            "currency": "RUB" if is_investment else "",
            "qualifier": "exact" if is_investment else "up_to",
            "period_start": "",
            "period_end": "",
            "period_grain": "",
            "scope": "all",
            "plant_code": fact.plant.code,
            "company_code": fact.company.code,
            "brand_code": fact.brand.code,
            "article_id": article_id,
            "evidence_quote": fact.target_quote,
        }
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, required=True, help="how many")
    parser.add_argument("--output", type=Path, required=True, help="directory")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    arguments = parser.parse_args(argv)
    if arguments.articles < 4:
        parser.error("--articles must be at least 4 (the real samples)")
    corpus = generate(arguments.articles, arguments.output, arguments.seed)
    print(
        f"wrote {corpus.file_count} article file(s) to {corpus.articles_dir} "
        f"({corpus.cp1251_count} cp1251, {corpus.exact_duplicate_count} exact "
        f"and {corpus.near_duplicate_count} near duplicates) and "
        f"{corpus.announcement_count} announcement(s), {corpus.target_count} "
        f"target(s) to {corpus.seeds_dir}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

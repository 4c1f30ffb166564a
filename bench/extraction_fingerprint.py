"""Dump every extracted item, every field, to compare two versions of the extractor.

A speed change must not change what the extractor reads. This script runs
``extract_text`` over a fixed set of texts, each once with no publication
date and once with each of two dates, and writes one JSON line per item
(body, paragraphs, junk spans, mentions, figures, periods) with every
field of its dataclass. ``compare`` lists the items that differ.

Texts: the four sample articles, a fixed list of development texts
(``DEVELOPMENT_TEXTS``: new gold files others add do not move the
baseline), the edge-case texts of tests/spark_edge_cases, 1,000 articles
from bench/generate_corpus.py (seed 1) and 300 articles of shuffled
paragraphs from both, so paragraphs meet neighbours they never had.

Usage:
    .venv/bin/python bench/extraction_fingerprint.py dump /tmp/before.jsonl
    .venv/bin/python bench/extraction_fingerprint.py compare /tmp/before.jsonl \
        /tmp/after.jsonl
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
import tempfile
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.generate_corpus import generate  # noqa: E402
from ingest.articles import read_article  # noqa: E402
from ingest.extraction import extract_text  # noqa: E402
from ingest.mentions import load_matcher  # noqa: E402

GENERATED_ARTICLES = 1000
SHUFFLED_ARTICLES = 300
# None, a Sunday at a year's start and a mid-year Wednesday: relative
# periods ("this year", "last quarter", "Wednesday, 16 August") resolve
# differently against each.
PUBLICATION_DATES = (None, date(2023, 1, 1), date(2025, 6, 18))
# The development texts present on 2026-11-26, listed so that texts others
# add later do not move the baseline.
DEVELOPMENT_TEXTS = (
    "en_commerce_hyundai_groundbreaking",
    "en_conversation_australia_ev_industry",
    "en_doe_atvm_loan_program",
    "en_doe_critical_materials_spotlight",
    "en_doe_lpo_blueoval_sk",
    "en_doe_lpo_cellink_quarter",
    "en_doe_lpo_ultium_cells",
    "en_enewspf_whitehouse_gm_hamtramck",
    "en_government_automotive_meeting",
    "en_hansard_tata_gigafactory",
    "en_hansard_vauxhall_ellesmere_port",
    "en_kremlin_aurus_tatarstan",
    "en_kremlin_avtodizel_yaroslavl",
    "en_kremlin_gaz_medium_trucks",
    "en_kremlin_kamaz_40th_anniversary",
    "en_kremlin_kamaz_50th_anniversary",
    "en_kremlin_lada_vesta_test_drive",
    "en_kremlin_toyota_st_petersburg",
    "en_milosi_kremlin_avtovaz_50th",
    "en_milosi_kremlin_kogogin_chemezov",
    "en_miragenews_whitehouse_ev_fact_sheet",
    "en_presidency_hyundai_seoul_remarks",
    "en_presidency_weekly_address_chrysler_toledo",
    "en_publicnow_dot_kokomo_battery",
    "en_tatarstan_ford_kuga_elabuga",
    "en_tatarstan_putin_kamaz_crisis_meeting",
    "en_transportation_panasonic_desoto",
    "en_whitehouse_archive_chrysler_jefferson",
    "en_whitehouse_archive_volt_battery",
    "en_whitehouse_ford_ev_investment",
    "ru_wikinews_kamaz_two_millionth",
    "ru_wikipedia_automotive_industry_russia",
    "ru_wikipedia_automotive_industry_ussr",
    "ru_wikipedia_moskvich_plant",
    "ru_wikiwand_automotive_industry_russia",
)


def texts() -> list[tuple[str, str]]:
    """(label, text) for every text of the fingerprint, in a fixed order."""
    labelled: list[tuple[str, str]] = []
    for path in sorted((PROJECT_ROOT / "data" / "articles").glob("*.txt")):
        labelled.append((f"sample/{path.name}", read_article(path).text))
    development_dir = PROJECT_ROOT / "tests" / "gold" / "dev"
    for name in DEVELOPMENT_TEXTS:
        path = development_dir / f"{name}.txt"
        if path.exists():
            labelled.append((f"dev/{path.name}", read_article(path).text))
    for path in sorted((PROJECT_ROOT / "tests" / "spark_edge_cases").glob("*.txt")):
        labelled.append((f"edge/{path.name}", read_article(path).text))
    with tempfile.TemporaryDirectory() as directory:
        generate(GENERATED_ARTICLES, Path(directory))
        paths = sorted((Path(directory) / "articles").glob("*.txt"))
        for path in paths[:GENERATED_ARTICLES]:
            labelled.append((f"generated/{path.name}", read_article(path).text))
    paragraphs = [
        paragraph
        for _, text in labelled
        for paragraph in text.split("\n\n")
        if paragraph.strip()
    ]
    shuffler = random.Random(7)
    for index in range(SHUFFLED_ARTICLES):
        chosen = shuffler.sample(paragraphs, k=min(8, len(paragraphs)))
        labelled.append((f"shuffled/{index:04d}", "\n\n".join(chosen)))
    return labelled


def _plain(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(element) for element in value]
    return value


def _fields(item: object) -> dict:
    return {
        field.name: _plain(getattr(item, field.name))
        for field in dataclasses.fields(item)
    }


def dump(output: Path) -> int:
    matcher = load_matcher(PROJECT_ROOT / "seeds")
    count = 0
    with output.open("w", encoding="utf-8") as stream:
        for label, text in texts():
            for published_on in PUBLICATION_DATES:
                key = f"{label}@{published_on.isoformat() if published_on else '-'}"
                extraction = extract_text(text, matcher, published_on)
                body = extraction.body
                records = [
                    {
                        "kind": "body",
                        "body_start": body.body_start,
                        "body_end": body.body_end,
                        "language": body.language,
                        "junk_spans": _plain(body.junk_spans),
                        "paragraphs": [_fields(p) for p in body.paragraphs],
                    }
                ]
                for kind, items in (
                    ("mention", extraction.mentions),
                    ("figure", extraction.figures),
                    ("period", extraction.periods),
                ):
                    records += [
                        {"kind": kind, "index": index, **_fields(item)}
                        for index, item in enumerate(items)
                    ]
                for record in records:
                    stream.write(
                        json.dumps({"key": key, **record}, ensure_ascii=False) + "\n"
                    )
                    count += 1
    return count


def _grouped(path: Path) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            key = json.loads(line)["key"]
            grouped.setdefault(key, []).append(line.rstrip("\n"))
    return grouped


def compare(before: Path, after: Path, limit: int = 40) -> int:
    """Print differing texts and items; the number of differing texts."""
    old, new = _grouped(before), _grouped(after)
    differing = 0
    for key in sorted(set(old) | set(new)):
        old_lines, new_lines = old.get(key, []), new.get(key, [])
        if old_lines == new_lines:
            continue
        differing += 1
        if differing > limit:
            continue
        print(f"== {key}")
        for line in sorted(set(old_lines) - set(new_lines)):
            print(f"- {line}")
        for line in sorted(set(new_lines) - set(old_lines)):
            print(f"+ {line}")
    total_items = sum(len(lines) for lines in old.values())
    print(
        f"{differing} of {len(set(old) | set(new))} extractions differ "
        f"({total_items} items before)",
        file=sys.stderr,
    )
    return differing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    dump_command = commands.add_parser("dump")
    dump_command.add_argument("output", type=Path)
    compare_command = commands.add_parser("compare")
    compare_command.add_argument("before", type=Path)
    compare_command.add_argument("after", type=Path)
    arguments = parser.parse_args()
    if arguments.command == "dump":
        count = dump(arguments.output)
        print(f"{count} records written to {arguments.output}", file=sys.stderr)
    else:
        sys.exit(1 if compare(arguments.before, arguments.after) else 0)


if __name__ == "__main__":
    main()

"""Extraction throughput on one core, in articles and kilobytes per second.

Two corpora: articles from bench/generate_corpus.py (about 3 KB each,
half English, half Russian, the size the goal is stated for) and the
four sample articles of data/articles repeated. Times ``extract_text``
(body, mentions, figures, periods) in CPU seconds of this process, since
the machine is shared with other test runs and wall-clock time would
measure them too; then the razdel sentence split the ingester adds.
Rewrites the "Extraction throughput" section of bench/RESULTS.md.

Usage: .venv/bin/python bench/bench_extraction.py [--articles 2000]
"""

from __future__ import annotations

import argparse
import platform
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.generate_corpus import generate  # noqa: E402
from ingest.articles import read_article  # noqa: E402
from ingest.extraction import extract_text, sentence_spans  # noqa: E402
from ingest.mentions import AliasMatcher, load_matcher  # noqa: E402

RESULTS = PROJECT_ROOT / "bench" / "RESULTS.md"
SECTION = "## Extraction throughput"
GOAL_ARTICLES_PER_SECOND = 2000
PUBLISHED_ON = date(2023, 1, 1)


@dataclass(frozen=True)
class Measurement:
    corpus: str
    articles: int
    mean_kilobytes: float
    extraction_seconds: float
    sentence_seconds: float

    @property
    def articles_per_second(self) -> float:
        return self.articles / self.extraction_seconds

    @property
    def kilobytes_per_second(self) -> float:
        return self.articles * self.mean_kilobytes / self.extraction_seconds

    @property
    def with_sentences_per_second(self) -> float:
        return self.articles / (self.extraction_seconds + self.sentence_seconds)


def measure(corpus: str, texts: list[str], matcher: AliasMatcher) -> Measurement:
    mean_kilobytes = sum(len(text.encode("utf-8")) for text in texts) / len(texts)
    started = time.process_time()
    for text in texts:
        extract_text(text, matcher, PUBLISHED_ON)
    extraction_seconds = time.process_time() - started
    started = time.process_time()
    for text in texts:
        sentence_spans(text, 0, len(text))
    sentence_seconds = time.process_time() - started
    return Measurement(
        corpus,
        len(texts),
        mean_kilobytes / 1024,
        extraction_seconds,
        sentence_seconds,
    )


def generated_texts(article_count: int) -> list[str]:
    with tempfile.TemporaryDirectory() as directory:
        generate(article_count, Path(directory))
        paths = sorted((Path(directory) / "articles").glob("*.txt"))
        return [read_article(path).text for path in paths][:article_count]


def sample_texts(article_count: int) -> list[str]:
    samples = [
        read_article(path).text
        for path in sorted((PROJECT_ROOT / "data" / "articles").glob("*.txt"))
    ]
    return [samples[index % len(samples)] for index in range(article_count)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=2000)
    arguments = parser.parse_args()
    started = time.perf_counter()
    matcher = load_matcher(PROJECT_ROOT / "seeds")
    extract_text("Автотор: 5 тыс. машин в 2024 году.", matcher, PUBLISHED_ON)
    setup_seconds = time.perf_counter() - started
    measurements = [
        measure(
            "generated (`generate_corpus.py`)",
            generated_texts(arguments.articles),
            matcher,
        ),
        measure("the 4 samples, repeated", sample_texts(arguments.articles), matcher),
    ]
    machine = platform.processor() or platform.machine()
    lines = [
        SECTION,
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {machine}, "
        f"Python {platform.python_version()}, one process (one core), "
        "CPU seconds of that process. One-off setup (alias inflection, "
        f"grammar compilation): {setup_seconds:.2f} s.",
        "",
        "| corpus | articles | mean size | extraction | KB/s | + razdel sentences |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for measurement in measurements:
        lines.append(
            f"| {measurement.corpus} | {measurement.articles} | "
            f"{measurement.mean_kilobytes:.1f} KB | "
            f"**{measurement.articles_per_second:.0f} articles/s** | "
            f"{measurement.kilobytes_per_second:.0f} | "
            f"{measurement.with_sentences_per_second:.0f} articles/s |"
        )
    lines += [
        "",
        f"Goal: {GOAL_ARTICLES_PER_SECOND:,} articles/s of 3 KB each.",
        "",
        "",
    ]
    section = "\n".join(lines)
    existing = (
        RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n\n"
    )
    pattern = re.compile(
        re.escape(SECTION) + r"\n.*?(?=^## |\Z)", re.DOTALL | re.MULTILINE
    )
    if pattern.search(existing):
        updated = pattern.sub(lambda _: section, existing, count=1)
    else:
        updated = existing.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(updated, encoding="utf-8")
    print(section)


if __name__ == "__main__":
    main()

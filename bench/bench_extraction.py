"""Extraction throughput on one core, in articles per second.

Reads the sample articles, repeats them to a corpus of about 3 KB
articles, and times ``extract_text`` in CPU seconds of this process (the
machine is shared with other test runs, so wall-clock time would measure
them too) (body, mentions, figures, periods;
no sentence splitting, which only the warehouse load adds). Writes the
result to bench/RESULTS.md under "Extraction throughput".

Usage: .venv/bin/python bench/bench_extraction.py [--articles 2000]
"""

from __future__ import annotations

import argparse
import platform
import re
import time
from datetime import date

from ingest.articles import read_article
from ingest.extraction import extract_text, sentence_spans
from ingest.mentions import load_matcher
from ingest.paths import PROJECT_ROOT

RESULTS = PROJECT_ROOT / "bench" / "RESULTS.md"
SECTION = "## Extraction throughput"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=2000)
    arguments = parser.parse_args()
    texts = [
        read_article(path).text
        for path in sorted((PROJECT_ROOT / "data" / "articles").glob("*.txt"))
    ]
    texts += [
        path.read_text(encoding="utf-8")
        for path in sorted((PROJECT_ROOT / "tests" / "gold" / "dev").glob("*.txt"))
    ]
    corpus = [texts[index % len(texts)] for index in range(arguments.articles)]
    mean_bytes = sum(len(text.encode("utf-8")) for text in corpus) / len(corpus)
    started = time.perf_counter()
    matcher = load_matcher(PROJECT_ROOT / "seeds")
    extract_text(corpus[0], matcher, date(2023, 1, 1))  # grammar compilation
    setup_seconds = time.perf_counter() - started
    started = time.process_time()
    for text in corpus:
        extract_text(text, matcher, date(2023, 1, 1))
    extraction_seconds = time.process_time() - started
    started = time.process_time()
    for text in corpus:
        sentence_spans(text, 0, len(text))
    sentence_seconds = time.process_time() - started
    per_second = len(corpus) / extraction_seconds
    with_sentences = len(corpus) / (extraction_seconds + sentence_seconds)
    machine = platform.processor() or platform.machine()
    lines = [
        SECTION,
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {machine}, "
        f"Python {platform.python_version()}, one process (one core), "
        "CPU seconds of that process.",
        "",
        "| measure | value |",
        "| --- | --- |",
        f"| articles | {len(corpus)} (the {len(texts)} sample and dev "
        "articles, repeated) |",
        f"| mean article size | {mean_bytes / 1024:.1f} KB |",
        "| one-off setup (alias inflection, grammar compilation) | "
        f"{setup_seconds:.2f} s |",
        "| extraction (body, mentions, figures, periods) | "
        f"**{per_second:.0f} articles/s** |",
        "| extraction + razdel sentence split (what the ingester does) | "
        f"{with_sentences:.0f} articles/s |",
        "",
        "Goal: 2,000 articles/s of 3 KB each.",
        "",
        "",
    ]
    section = "\n".join(lines)
    existing = (
        RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n\n"
    )
    pattern = re.compile(
        re.escape(SECTION) + r".*?(?=^## |\Z)", re.DOTALL | re.MULTILINE
    )
    if pattern.search(existing):
        updated = pattern.sub(section, existing)
    else:
        updated = existing.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(updated, encoding="utf-8")
    print(section)


if __name__ == "__main__":
    main()

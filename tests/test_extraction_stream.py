"""``python -m ingest.extraction_stream``: extraction as a line filter.

A build through a Thrift server streams articles through this filter
beside every executor task (Spark SQL's ``SELECT TRANSFORM``); here it
runs as that command runs, in a process of its own, without Spark.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from datetime import date

from ingest.articles import read_article
from ingest.curated import read_curated
from ingest.extraction import EXTRACTION_TABLES, extraction_rows
from ingest.mentions import matcher_from_rows
from ingest.paths import PROJECT_ROOT
from tests.conftest import ARTICLES_DIR, SEEDS_DIR


def test_the_transform_filter_yields_the_rows_of_extraction_rows(tmp_path):
    """What TRANSFORM streams through ``python -m ingest.extraction_stream``
    comes back as the rows the in-process extraction gives, values typed
    as JSON keeps them (dates as ISO text)."""
    curated_rows = {table.table.name: table.rows for table in read_curated(SEEDS_DIR)}
    published = {
        row["article_id"]: row["published_on"] for row in curated_rows["articles"]
    }
    articles = [read_article(path) for path in sorted(ARTICLES_DIR.glob("*.txt"))]
    context_file = tmp_path / "context.pickle"
    context_file.write_bytes(
        pickle.dumps({"curated_rows": curated_rows, "published": published})
    )
    lines = "".join(
        f"{article.article_id}\t{article.text.encode('utf-8').hex()}\n"
        for article in articles
    )
    completed = subprocess.run(
        [sys.executable, "-m", "ingest.extraction_stream", str(context_file)],
        input=lines,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    assert completed.returncode == 0, completed.stderr
    streamed = {name: [] for name in EXTRACTION_TABLES}
    for line in completed.stdout.splitlines():
        name, payload = line.split("\t")
        streamed[name].append(json.loads(payload))

    expected = extraction_rows(
        [
            (article.article_id, article.text, published.get(article.article_id))
            for article in articles
        ],
        matcher_from_rows(curated_rows),
    )
    for name, columns in EXTRACTION_TABLES.items():
        assert expected[name], name
        assert streamed[name] == [
            {
                column: value.isoformat() if isinstance(value, date) else value
                for (column, _), value in zip(columns, row, strict=True)
            }
            for row in expected[name]
        ], name

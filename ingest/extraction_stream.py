"""Extraction as a line filter, for Spark SQL's ``SELECT TRANSFORM``.

A build through a Thrift server reaches the cluster in SQL only, so the
extraction cannot be shipped as a Python function (``mapInArrow``, as a
local or Spark Connect build does). Spark SQL's ``TRANSFORM (...) USING
'command'`` runs a command beside every executor task instead and
streams the task's rows through it, tab-separated, one per line: the
same Python functions then run on every executor the cluster has.

Input lines: ``article_id TAB hex(UTF-8 text)`` (hex, so no tab or line
break of the text can split a row). Output lines: ``table TAB row``, the
row one JSON object (ASCII, so no raw tab or line break either), which
Spark reads back with ``from_json`` in each extraction table's types.

Usage: ``python -m ingest.extraction_stream CONTEXT_FILE``, where the
context file is a pickle of ``{"curated_rows": ..., "published": ...}``
written by the build (ingest/spark.py, ``extract_through_sql``).
"""

from __future__ import annotations

import json
import pickle
import sys
from datetime import date
from typing import TextIO

from ingest.extraction import EXTRACTION_TABLES, extraction_rows
from ingest.mentions import matcher_from_rows

# Articles extracted per call, as in a mapInArrow batch.
BATCH_ARTICLES = 100


def _json_value(value):
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not an extraction value")


def write_rows(articles: list, matcher, output: TextIO) -> None:
    tables = extraction_rows(articles, matcher)
    for name, columns in EXTRACTION_TABLES.items():
        column_names = [column for column, _ in columns]
        for row in tables[name]:
            payload = json.dumps(
                dict(zip(column_names, row, strict=True)), default=_json_value
            )
            output.write(f"{name}\t{payload}\n")


def run(context: dict, lines: TextIO, output: TextIO) -> None:
    matcher = matcher_from_rows(context["curated_rows"])
    published = context["published"]
    batch = []
    for line in lines:
        article_id, text_hex = line.rstrip("\n").split("\t")
        text = bytes.fromhex(text_hex).decode("utf-8")
        batch.append((article_id, text, published.get(article_id)))
        if len(batch) == BATCH_ARTICLES:
            write_rows(batch, matcher, output)
            batch = []
    if batch:
        write_rows(batch, matcher, output)


def main(arguments: list[str] | None = None) -> None:
    (context_file,) = sys.argv[1:] if arguments is None else arguments
    with open(context_file, "rb") as context_stream:
        # Written by the build itself, on storage the cluster shares.
        context = pickle.load(context_stream)  # noqa: S301
    run(context, sys.stdin, sys.stdout)


if __name__ == "__main__":
    main()

"""`autowatch extract`: no warehouse needed, exact output."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from click.testing import CliRunner

from ingest.cli import cli
from ingest.paths import PROJECT_ROOT


def test_extract_jsonl_prints_items_with_offsets(tmp_path):
    article = tmp_path / "note.txt"
    article.write_bytes(
        (
            "Заголовок\r\n"
            "На «Автоторе» выпустят до 50 тыс. автомобилей в 2024 году.\r\n"
        ).encode("cp1251")
    )
    result = CliRunner().invoke(cli, ["extract", "--format", "jsonl", str(article)])
    assert result.exit_code == 0, result.output
    items = [json.loads(line) for line in result.stdout.splitlines()]
    text = "Заголовок\nНа «Автоторе» выпустят до 50 тыс. автомобилей в 2024 году.\n"
    assert [item["text"] for item in items] == [
        "Автоторе",
        "до 50 тыс. автомобилей",
        "2024 году",
    ]
    for item in items:
        assert item["file"] == str(article)
        assert text[item["start"] : item["end"]] == item["text"]
    mention, figure, period = items
    assert (mention["kind"], mention["entity_type"], mention["entity"]) == (
        "mention",
        "company",
        "Avtotor",
    )
    assert (
        figure["value_low"],
        figure["value_high"],
        figure["unit"],
        figure["currency"],
        figure["qualifier"],
    ) == (50000, 50000, "vehicles", None, "up_to")
    assert (period["period_start"], period["period_end"], period["grain"]) == (
        "2024-01-01",
        "2024-12-31",
        "year",
    )
    assert figure["period_start"] == "2024-01-01"


def test_extract_table_format(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Kamaz plans 3.97 billion rubles.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(article)])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"{article}\tmention\t0-5\tKamaz\tentity_type=company entity=KAMAZ",
        f"{article}\tfigure\t12-31\t3.97 billion rubles\t"
        "value_low=3970000000 value_high=3970000000 unit=currency "
        "currency=RUB qualifier=exact",
    ]


def test_extract_reports_an_unreadable_file_with_its_position(tmp_path):
    article = tmp_path / "bad.txt"
    article.write_bytes(b"line one\nab\x00c\n")
    result = CliRunner().invoke(cli, ["extract", str(article)])
    assert result.exit_code == 1
    assert f"{article}:2:3: file contains a NUL byte" in result.stderr


def test_extract_missing_file_is_misuse(tmp_path):
    result = CliRunner().invoke(cli, ["extract", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2


def test_extract_refuses_what_the_ingester_sets_aside(tmp_path):
    """The same reading as a build: an empty file and a named pipe (which
    a plain read would wait on forever) are refused, as a build would
    quarantine them."""
    empty = tmp_path / "empty.txt"
    empty.write_text(" \n", encoding="utf-8")
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    for path, reason in [
        (empty, "article is empty"),
        (pipe, "not a regular file (a named pipe); articles must be plain text files"),
    ]:
        result = CliRunner().invoke(cli, ["extract", str(path)])
        assert result.exit_code == 1
        assert result.stderr == f"Error: {path}:1:1: {reason}\n"


def test_a_reader_that_stops_early_gets_no_error_message():
    """``autowatch extract … | head -1``: the closed pipe ends it quietly."""
    # Ten times the samples: more output than a pipe holds, so a write
    # after the close is certain.
    articles = sorted((PROJECT_ROOT / "data" / "articles").glob("*.txt")) * 10
    process = subprocess.Popen(
        [sys.executable, "-m", "ingest", "extract", *map(str, articles)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=PROJECT_ROOT,
    )
    assert process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.wait(timeout=120)
    assert stderr == ""

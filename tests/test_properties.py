"""Property tests: whatever bytes a curator drops in, the article decoder and
the CSV validator answer with a clear error naming file:line:column, never
with a traceback."""

from __future__ import annotations

import ast
import re
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ingest.articles import (
    ArticleDecodeError,
    decode_article_bytes,
    read_article,
    read_articles,
)
from ingest.cli import cli
from ingest.curated import CuratedTable, check_evidence_quotes, read_curated_table
from ingest.errors import InputError
from ingest.schema import TABLES_BY_NAME
from tests.conftest import ARTICLES_DIR, SEEDS_DIR

COMPANIES = TABLES_BY_NAME["companies"]
TARGETS = TABLES_BY_NAME["targets"]

# Bytes that make decoding interesting: BOMs, NUL, CR, cp1251-only bytes,
# UTF-8 lead and continuation bytes.
TRICKY_BYTES = st.sampled_from(
    [
        b"\xef\xbb\xbf",
        b"\xff\xfe",
        b"\xfe\xff",
        b"\x00",
        b"\r",
        b"\r\n",
        b"\n",
        b"\x98",
        b"\xc0\xe2",
        b"\xd0\xb0",
        b"\xe2\x80\x99",
        b"\x1b[31m",
        b"plain text ",
    ]
)
ARTICLE_BYTES = st.one_of(
    st.binary(max_size=400),
    st.lists(TRICKY_BYTES, max_size=40).map(b"".join),
)

# Characters that make CSV parsing interesting.
CSV_CHARACTERS = st.sampled_from(
    list(',";\r\n\t =@+-.0123456789abcTRUEfalse') + ["\x00", "\ufeff", "ё", "’"]
)
CSV_CELL = st.text(CSV_CHARACTERS, max_size=12)

MESSAGE = re.compile(r"^(?P<path>.+):(?P<line>[1-9]\d*):(?P<column>[1-9]\d*): \S")

PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def assert_names_place(message: str, path: Path) -> None:
    match = MESSAGE.match(message)
    assert match, message
    assert match["path"] == str(path)


@PROPERTY_SETTINGS
@given(ARTICLE_BYTES)
@example(b"")
@example(b"\xff\xfeA\x00")
@example(b"\xef\xbb\xbf\xff")
def test_decoder_returns_text_or_a_clear_error(data):
    try:
        text, encoding = decode_article_bytes(data)
    except ArticleDecodeError as error:
        assert str(error)
        assert error.line >= 1 and error.column >= 1
        return
    assert encoding in ("utf-8", "utf-8-sig", "cp1251")
    assert "\x00" not in text


@PROPERTY_SETTINGS
@given(ARTICLE_BYTES)
def test_any_article_file_is_read_or_quarantined_with_its_place(tmp_path, data):
    directory = tmp_path / "articles"
    directory.mkdir(exist_ok=True)
    path = directory / "dropped in.txt"
    path.write_bytes(data)
    try:
        read_article(path)
    except ArticleDecodeError:
        pass
    batch = read_articles((directory,))
    assert len(batch.articles) + len(batch.rejected) == 1
    for rejected in batch.rejected:
        assert_names_place(rejected.reason, path)


def check_csv(tmp_path: Path, table, data: bytes) -> None:
    path = tmp_path / table.csv_name
    path.write_bytes(data)
    try:
        read_curated_table(table, path)
    except InputError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.path == path
            assert problem.line >= 1 and problem.column >= 1
            assert_names_place(str(problem), path)


@PROPERTY_SETTINGS
@given(st.binary(max_size=400))
def test_any_bytes_as_csv_load_or_fail_with_file_line_column(tmp_path, data):
    check_csv(tmp_path, COMPANIES, data)


@PROPERTY_SETTINGS
@given(
    st.lists(
        st.lists(CSV_CELL, min_size=3, max_size=7).map(",".join),
        max_size=6,
    ),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_csv_like_rows_under_a_real_header_never_crash(tmp_path, rows, newline):
    header = ",".join(COMPANIES.column_names)
    check_csv(tmp_path, COMPANIES, newline.join([header, *rows]).encode("utf-8"))


@PROPERTY_SETTINGS
@given(st.integers(min_value=0, max_value=16), CSV_CELL)
def test_one_changed_cell_of_a_real_file_is_reported_in_place(
    tmp_path, column_index, cell
):
    lines = (SEEDS_DIR / TARGETS.csv_name).read_text(encoding="utf-8").split("\n")
    cells = lines[1].split(",")
    if column_index < len(cells):
        cells[column_index] = cell
    lines[1] = ",".join(cells)
    check_csv(tmp_path, TARGETS, "\n".join(lines).encode("utf-8"))


@PROPERTY_SETTINGS
@given(
    st.text(st.sampled_from(list("ab ’'\"«»“”\n\u00a0")), min_size=1, max_size=30),
    st.text(st.sampled_from(list("ab ’'\"«»“”\n\u00a0")), min_size=1, max_size=12),
)
def test_near_miss_hint_quotes_the_article_verbatim(article_text, quote):
    quote = quote.strip()
    table = CuratedTable(
        table=TABLES_BY_NAME["claims"],
        path=Path("claims.csv"),
        rows=[{"article_id": "a1", "evidence_quote": quote}],
        line_numbers=[2],
        cell_positions=[{"evidence_quote": (2, 40)}],
    )
    problems = check_evidence_quotes([table], {"a1": article_text})
    if quote and quote in article_text:
        assert problems == []
    elif quote:
        # Not in the article: always reported, at the quote's cell.
        assert [(problem.line, problem.column) for problem in problems] == [(2, 40)]
    for problem in problems:
        if "exactly: " not in problem.message:
            assert "quote is not in article a1" in problem.message
            continue
        wording = problem.message.split("exactly: ", 1)[1]
        # The hint is the article's own text, so pasting it makes the
        # verbatim dbt test pass.
        assert ast.literal_eval(wording) in article_text


@settings(max_examples=20, deadline=None)
@given(st.binary(max_size=200))
def test_cli_answers_bad_article_bytes_without_a_traceback(data):
    with tempfile.TemporaryDirectory() as temporary:
        articles = Path(temporary) / "articles"
        articles.mkdir()
        for sample in ARTICLES_DIR.glob("*.txt"):
            (articles / sample.name).write_bytes(sample.read_bytes())
        (articles / "dropped.txt").write_bytes(data)
        result = CliRunner().invoke(
            cli,
            [
                "ingest",
                "--articles",
                str(articles),
                "--seeds",
                str(SEEDS_DIR),
                "--database",
                str(Path(temporary) / "ingested.duckdb"),
            ],
        )
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stderr
    assert result.exit_code == 0

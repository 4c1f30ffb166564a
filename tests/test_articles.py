from pathlib import Path

import pytest

from ingest.articles import (
    ArticleDecodeError,
    article_id_for,
    decode_article_bytes,
    detect_language,
    read_article,
    read_articles,
)
from tests.conftest import ARTICLES_DIR

RUSSIAN_ARTICLE = ARTICLES_DIR / "001_7c175cce5b6b1249.txt"
ENGLISH_ARTICLE = ARTICLES_DIR / "000_ff5b0b369800448f.txt"


def test_reads_every_sample_article():
    batch = read_articles((ARTICLES_DIR,))
    assert [article.file_name for article in batch.articles] == [
        "000_ff5b0b369800448f.txt",
        "001_7c175cce5b6b1249.txt",
        "002_d2ba2eeb3f36eea0.txt",
        "003_fe566e868f15ac09.txt",
    ]
    assert [article.language for article in batch.articles] == [
        "en",
        "ru",
        "en",
        "en",
    ]
    assert batch.rejected == [] and batch.duplicates == []


def test_article_fields_describe_the_file():
    article = read_article(RUSSIAN_ARTICLE)
    raw = RUSSIAN_ARTICLE.read_bytes()
    assert article.text == raw.decode("utf-8")
    assert article.byte_length == len(raw)
    assert article.character_length == len(article.text)
    assert article.source_encoding == "utf-8"
    assert article.title.startswith('Калининградский "Автотор" начал выпуск')
    assert article.article_id == article_id_for(article.text)
    assert len(article.article_id) == 16


def test_cp1251_copy_of_russian_article_has_same_text_and_id(tmp_path):
    original = read_article(RUSSIAN_ARTICLE)
    copy = tmp_path / "russian_cp1251.txt"
    copy.write_bytes(original.text.encode("cp1251"))
    article = read_article(copy)
    assert article.source_encoding == "cp1251"
    assert article.text == original.text
    assert article.article_id == original.article_id
    assert article.language == "ru"


def test_utf8_with_bom_loads_without_the_bom(tmp_path):
    original = read_article(ENGLISH_ARTICLE)
    copy = tmp_path / "bom.txt"
    copy.write_bytes(b"\xef\xbb\xbf" + original.text.encode("utf-8"))
    article = read_article(copy)
    assert article.source_encoding == "utf-8-sig"
    assert article.text == original.text
    assert article.article_id == original.article_id


def test_crlf_and_lone_cr_become_lf_and_nothing_else_changes(tmp_path):
    path = tmp_path / "newlines.txt"
    path.write_bytes(b"Title\r\nline two\rline three\n  spaced  \n")
    article = read_article(path)
    assert article.text == "Title\nline two\nline three\n  spaced  \n"


def test_renamed_copy_is_a_duplicate_with_the_same_id(tmp_path):
    (tmp_path / "a.txt").write_bytes(ENGLISH_ARTICLE.read_bytes())
    (tmp_path / "b renamed.txt").write_bytes(ENGLISH_ARTICLE.read_bytes())
    batch = read_articles((tmp_path,))
    assert len(batch.articles) == 1
    assert batch.articles[0].article_id == read_article(ENGLISH_ARTICLE).article_id
    assert len(batch.duplicates) == 1
    assert batch.duplicates[0].file_name == "b renamed.txt"
    assert "same text as" in batch.duplicates[0].reason


def test_undecodable_file_is_rejected_naming_file_and_position(tmp_path):
    path = tmp_path / "broken.txt"
    # 0x98 is the one byte cp1251 leaves undefined, and it is invalid UTF-8.
    path.write_bytes(b"first line\nsecond \x98 line\n")
    batch = read_articles((tmp_path,))
    assert batch.articles == []
    assert batch.rejected[0].reason == (
        f"{path}:2:8: not UTF-8 and not cp1251: undecodable bytes"
    )


def test_binary_file_is_not_text():
    with pytest.raises(ArticleDecodeError, match="NUL byte"):
        decode_article_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_empty_article_is_rejected(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("  \n\n")
    with pytest.raises(ArticleDecodeError, match="article is empty"):
        read_article(path)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Автотор начал сборку JMC", "ru"),
        ("Avtotor starts JMC assembly at Калининград", "en"),
        ("", "en"),
    ],
)
def test_language_is_the_majority_alphabet(text, language):
    assert detect_language(text) == language


def test_missing_directory_is_reported(tmp_path):
    batch = read_articles((Path(tmp_path / "nowhere"),))
    assert batch.rejected[0].reason == "articles directory does not exist"


def test_utf8_with_one_damaged_byte_is_rejected_not_read_as_cp1251(tmp_path):
    """One bad byte in a UTF-8 Russian article must not turn the whole
    text into cp1251 mojibake; the error points at the byte."""
    original = RUSSIAN_ARTICLE.read_bytes()
    first_line_end = original.index(b"\n")
    damaged = original[: first_line_end + 1] + b"\xff" + original[first_line_end + 1 :]
    path = tmp_path / "damaged.txt"
    path.write_bytes(damaged)
    batch = read_articles((tmp_path,))
    assert batch.articles == []
    assert batch.rejected[0].reason == (
        f"{path}:2:1: invalid UTF-8 in a file that is otherwise UTF-8: "
        "a damaged byte; fix it or save the file again"
    )


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        # "naïve": the ï, read as cp1251 п, is the fifth character of line 2.
        ("Title\nA naïve café opens.\n", 2, 5),
        # £ reads as Ј; à as а, a letter on its own.
        ("Title\nIt costs £5m, va à Paris.\n", 2, 10),
    ],
)
def test_latin1_english_is_rejected_not_read_as_cp1251(tmp_path, text, line, column):
    path = tmp_path / "latin1.txt"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(ArticleDecodeError, match="stand alone") as error:
        read_article(path)
    assert (error.value.line, error.value.column) == (line, column)


def test_cp1251_russian_with_a_latin_letter_typed_for_a_cyrillic_one_is_read(
    tmp_path,
):
    """A Latin O typed in ОАО (a keyboard slip) leaves the text Russian."""
    text = read_article(RUSSIAN_ARTICLE).text.replace("«", "OАО «", 1)
    path = tmp_path / "typo.txt"
    path.write_bytes(text.encode("cp1251"))
    article = read_article(path)
    assert article.source_encoding == "cp1251"
    assert article.text == text


def test_damaged_utf8_is_placed_in_characters_not_bytes(tmp_path):
    path = tmp_path / "damaged.txt"
    path.write_bytes(
        "Заголовок\nАвтоВАЗ запустил ".encode() + b"\xff" + "завод\n".encode()
    )
    with pytest.raises(ArticleDecodeError, match="otherwise UTF-8") as error:
        read_article(path)
    assert (error.value.line, error.value.column) == (2, len("АвтоВАЗ запустил ") + 1)


def test_english_utf8_with_one_dash_and_one_damaged_byte_is_rejected(tmp_path):
    path = tmp_path / "damaged.txt"
    path.write_bytes("Title\nSales rose — a lot. Price 5 ".encode() + b"\xff" + b" 6\n")
    with pytest.raises(ArticleDecodeError, match="otherwise UTF-8"):
        read_article(path)

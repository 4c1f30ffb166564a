"""Reading article files: decoding, newline normalisation, identity."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ingest.errors import Problem

# Articles are news stories of a few kilobytes; anything this large is a
# wrong file, and reading it whole would only waste memory.
MAX_ARTICLE_BYTES = 10 * 1024 * 1024

# Share of characters that must look like text for a cp1251 reading to be
# believed: cp1251 maps almost every byte to something, so binary junk
# "decodes" unless we check what came out.
MIN_TEXT_SHARE = 0.95

ALLOWED_CONTROL_CHARACTERS = {"\n", "\r", "\t", "\f"}


@dataclass(frozen=True)
class Article:
    """One article file, decoded and normalised."""

    article_id: str
    file_name: str
    file_path: str
    title: str
    language: str
    source_encoding: str
    byte_length: int
    character_length: int
    text: str
    ingested_at: datetime


@dataclass(frozen=True)
class Rejected:
    """An article file that could not be read, and why."""

    file_name: str
    file_path: str
    reason: str


class ArticleDecodeError(ValueError):
    """The file is not text we can read; the message says why."""

    def __init__(self, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.line = line
        self.column = column


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF; nothing else changes."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def article_id_for(text: str) -> str:
    """A stable id from the normalised text, so renames keep their id."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _position_of_byte(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column of a byte offset, counting bytes per line."""
    line = data.count(b"\n", 0, offset) + 1
    line_start = data.rfind(b"\n", 0, offset) + 1
    return line, offset - line_start + 1


def _looks_like_text(text: str) -> bool:
    if not text:
        return True
    suspicious = sum(
        1
        for character in text
        if (
            unicodedata.category(character) in ("Cc", "Co", "Cn")
            and character not in ALLOWED_CONTROL_CHARACTERS
        )
    )
    return suspicious / len(text) <= 1 - MIN_TEXT_SHARE and suspicious < 5


def decode_article_bytes(data: bytes) -> tuple[str, str]:
    """Decode article bytes; return (text, encoding name) or raise."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ArticleDecodeError(
            "file is UTF-16 (byte order mark found); save it as UTF-8"
        )
    nul_offset = data.find(b"\x00")
    if nul_offset != -1:
        line, column = _position_of_byte(data, nul_offset)
        raise ArticleDecodeError(
            "file contains a NUL byte: binary file, not text", line, column
        )
    if data.startswith(b"\xef\xbb\xbf"):
        encoding, body = "utf-8-sig", data[3:]
    else:
        encoding, body = "utf-8", data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        if encoding == "utf-8-sig":
            line, column = _position_of_byte(data, utf8_error.start + 3)
            raise ArticleDecodeError(
                "invalid UTF-8 after a UTF-8 byte order mark", line, column
            ) from utf8_error
        try:
            text = data.decode("cp1251")
        except UnicodeDecodeError:
            line, column = _position_of_byte(data, utf8_error.start)
            raise ArticleDecodeError(
                "not UTF-8 and not cp1251: undecodable bytes", line, column
            ) from utf8_error
        encoding = "cp1251"
        if not _looks_like_text(text):
            line, column = _position_of_byte(data, utf8_error.start)
            raise ArticleDecodeError(
                "not UTF-8, and as cp1251 it is not text: undecodable bytes",
                line,
                column,
            ) from utf8_error
    if not _looks_like_text(text):
        raise ArticleDecodeError("file holds control characters, not text")
    return text, encoding


def detect_language(text: str) -> str:
    """'ru' when Cyrillic letters outnumber Latin ones, else 'en'."""
    cyrillic = latin = 0
    for character in text:
        if "а" <= character.lower() <= "я" or character in "ёЁ":
            cyrillic += 1
        elif "a" <= character.lower() <= "z":
            latin += 1
    return "ru" if cyrillic > latin else "en"


def title_of(text: str) -> str:
    for line in text.split("\n"):
        if line.strip():
            return line.strip()
    return ""


def read_article(path: Path, ingested_at: datetime | None = None) -> Article:
    """Read one article file; raise ArticleDecodeError or OSError."""
    size = path.stat().st_size
    if size > MAX_ARTICLE_BYTES:
        raise ArticleDecodeError(
            f"file is {size} bytes, over the {MAX_ARTICLE_BYTES} byte limit "
            "for one article"
        )
    data = path.read_bytes()
    text, encoding = decode_article_bytes(data)
    text = normalise_newlines(text)
    if not text.strip():
        raise ArticleDecodeError("article is empty")
    return Article(
        article_id=article_id_for(text),
        file_name=path.name,
        file_path=str(path),
        title=title_of(text),
        language=detect_language(text),
        source_encoding=encoding,
        byte_length=len(data),
        character_length=len(text),
        text=text,
        ingested_at=ingested_at or datetime.now(timezone.utc),
    )


def find_article_files(directory: Path) -> list[Path]:
    """Every *.txt below a directory, sorted, without following loops."""
    return sorted(
        path
        for path in directory.rglob("*.txt")
        if not any(part.startswith(".") for part in path.parts)
    )


@dataclass
class ArticleBatch:
    articles: list[Article]
    rejected: list[Rejected]
    duplicates: list[Rejected]


def read_articles(directories: tuple[Path, ...]) -> ArticleBatch:
    """Read every article; unreadable files and duplicates are set aside."""
    ingested_at = datetime.now(timezone.utc)
    batch = ArticleBatch(articles=[], rejected=[], duplicates=[])
    seen: dict[str, Article] = {}
    for directory in directories:
        if not directory.is_dir():
            batch.rejected.append(
                Rejected(
                    directory.name,
                    str(directory),
                    "articles directory does not exist",
                )
            )
            continue
        for path in find_article_files(directory):
            try:
                article = read_article(path, ingested_at)
            except ArticleDecodeError as error:
                problem = Problem(path, error.line, error.column, str(error))
                batch.rejected.append(
                    Rejected(path.name, str(path), str(problem))
                )
                continue
            except OSError as error:
                reason = error.strerror or str(error)
                batch.rejected.append(
                    Rejected(
                        path.name,
                        str(path),
                        str(Problem(path, 1, 1, f"cannot read file: {reason}")),
                    )
                )
                continue
            first = seen.get(article.article_id)
            if first is not None:
                batch.duplicates.append(
                    Rejected(
                        path.name,
                        str(path),
                        f"{path}:1:1: same text as {first.file_path} "
                        f"(article {article.article_id}); skipped",
                    )
                )
                continue
            seen[article.article_id] = article
            batch.articles.append(article)
    return batch

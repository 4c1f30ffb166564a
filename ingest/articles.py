"""Reading article files: decoding, newline normalisation, identity."""

from __future__ import annotations

import functools
import hashlib
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ingest import progress
from ingest.errors import Problem, position_in_text, position_of_byte

# Articles are news stories of a few kilobytes; anything this large is a
# wrong file, and reading it whole would only waste memory.
MAX_ARTICLE_BYTES = 10 * 1024 * 1024

# Share of characters that must look like text for a cp1251 reading to be
# believed: cp1251 maps almost every byte to something, so binary junk
# "decodes" unless we check what came out.
MIN_TEXT_SHARE = 0.95

ALLOWED_CONTROL_CHARACTERS = {"\n", "\r", "\t", "\f"}

# A well-formed UTF-8 sequence of two to four bytes.
UTF8_MULTIBYTE_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
NON_ASCII_BYTE = re.compile(rb"[\x80-\xff]")
# A file that is not UTF-8 but whose non-ASCII bytes are mostly well-formed
# UTF-8 is UTF-8 with a damaged byte, and read as cp1251 it would become
# mojibake. cp1251 Russian forms such a pair only by chance (a capital Р
# or С before «, » or ё), far below this share; English UTF-8 with one em
# dash and one bad byte is 0.75.
DAMAGED_UTF8_SHARE = 0.5
# Read as cp1251, Latin-1 or Windows-1252 text turns each accented letter
# into a Cyrillic one standing alone ("café" becomes "cafй", "£5m" "Ј5m");
# in Russian only one-letter words (в, и, с …) do, a few in a hundred.
# The whole Cyrillic block: cp1251 also has Ј, Ї, Ў, Ђ … (Latin-1's £ is Ј).
LONE_CYRILLIC_LETTER = re.compile(
    r"(?<![\u0400-\u04ff])[\u0400-\u04ff](?![\u0400-\u04ff])"
)
CYRILLIC_LETTER = re.compile(r"[\u0400-\u04ff]")
LONE_CYRILLIC_SHARE = 0.5


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


@functools.cache
def _is_not_text(character: str) -> bool:
    """A control, private-use or unassigned character, bar the allowed."""
    return (
        unicodedata.category(character) in ("Cc", "Co", "Cn")
        and character not in ALLOWED_CONTROL_CHARACTERS
    )


def _count_not_text(text: str) -> int:
    # An article has about a hundred distinct characters: classifying those
    # and counting them in C is far cheaper than a Python loop over every
    # character, which costs minutes over 100,000 articles.
    return sum(
        text.count(character) for character in set(text) if _is_not_text(character)
    )


def _looks_like_text(text: str) -> bool:
    if not text:
        return True
    suspicious = _count_not_text(text)
    return suspicious / len(text) <= 1 - MIN_TEXT_SHARE and suspicious < 5


def _is_damaged_utf8(data: bytes) -> bool:
    non_ascii = len(NON_ASCII_BYTE.findall(data))
    in_sequences = sum(map(len, UTF8_MULTIBYTE_SEQUENCE.findall(data)))
    return non_ascii > 0 and in_sequences / non_ascii >= DAMAGED_UTF8_SHARE


def _looks_like_utf16_without_mark(data: bytes) -> bool:
    """Mostly-ASCII UTF-16 has a NUL in every other byte on one side."""
    sample = data[:4096]
    if len(sample) < 4:
        return False
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    return max(even_nuls, odd_nuls) >= 0.4 * half and min(even_nuls, odd_nuls) == 0


def decode_article_bytes(data: bytes) -> tuple[str, str]:
    """Decode article bytes; return (text, encoding name) or raise."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ArticleDecodeError(
            "file is UTF-16 (byte order mark found); save it as UTF-8"
        )
    nul_offset = data.find(b"\x00")
    if nul_offset != -1 and _looks_like_utf16_without_mark(data):
        raise ArticleDecodeError(
            "file looks like UTF-16 without a byte order mark; save it as UTF-8"
        )
    if nul_offset != -1:
        line, column = position_of_byte(data, nul_offset)
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
            line, column = position_of_byte(data, utf8_error.start + 3)
            raise ArticleDecodeError(
                "invalid UTF-8 after a UTF-8 byte order mark", line, column
            ) from utf8_error
        if _is_damaged_utf8(body):
            line, column = position_of_byte(data, utf8_error.start)
            raise ArticleDecodeError(
                "invalid UTF-8 in a file that is otherwise UTF-8: "
                "a damaged byte; fix it or save the file again",
                line,
                column,
            ) from utf8_error
        try:
            text = data.decode("cp1251")
        except UnicodeDecodeError:
            line, column = position_of_byte(data, utf8_error.start)
            raise ArticleDecodeError(
                "not UTF-8 and not cp1251: undecodable bytes", line, column
            ) from utf8_error
        encoding = "cp1251"
        if not _looks_like_text(text):
            line, column = position_of_byte(data, utf8_error.start)
            raise ArticleDecodeError(
                "not UTF-8, and as cp1251 it is not text: undecodable bytes",
                line,
                column,
            ) from utf8_error
        lone_letters = [match.start() for match in LONE_CYRILLIC_LETTER.finditer(text)]
        if lone_letters and len(lone_letters) >= LONE_CYRILLIC_SHARE * len(
            CYRILLIC_LETTER.findall(text)
        ):
            # One byte per character in cp1251: the offset is the byte's.
            line, column = position_of_byte(data, lone_letters[0], "cp1251")
            raise ArticleDecodeError(
                "not UTF-8, and as cp1251 its Cyrillic letters stand alone "
                "among Latin ones: probably Latin-1 or Windows-1252; save it "
                "as UTF-8",
                line,
                column,
            ) from utf8_error
    if not _looks_like_text(text):
        line, column = _first_control_character(text)
        raise ArticleDecodeError(
            "file holds control characters, not text", line, column
        )
    return text, encoding


def _first_control_character(text: str) -> tuple[int, int]:
    """1-based line and column of the first character that is not text."""
    for offset, character in enumerate(text):
        if _is_not_text(character):
            return position_in_text(text, offset)
    return 1, 1


# Exactly the characters whose lower case falls in а-я (or ё) and a-z:
# besides the plain letters, the Kelvin sign and dotted capital I lower to
# Latin letters.
CYRILLIC_LETTERS = frozenset(
    [chr(code) for code in range(ord("а"), ord("я") + 1)]
    + [chr(code) for code in range(ord("А"), ord("Я") + 1)]
    + ["ё", "Ё"]
)
LATIN_LETTERS = frozenset(
    [chr(code) for code in range(ord("a"), ord("z") + 1)]
    + [chr(code) for code in range(ord("A"), ord("Z") + 1)]
    + ["\u0130", "\u212a"]
)


def _count_of(text: str, characters: frozenset[str]) -> int:
    # Counting each distinct character in C: a regex findall builds a list
    # of every letter, which cost a third of ingest time.
    return sum(text.count(character) for character in characters)


def detect_language(text: str) -> str:
    """'ru' when Cyrillic letters outnumber Latin ones, else 'en'."""
    # One walk over the text finds its distinct characters for both counts.
    distinct = set(text)
    cyrillic = _count_of(text, CYRILLIC_LETTERS & distinct)
    latin = _count_of(text, LATIN_LETTERS & distinct)
    return "ru" if cyrillic > latin else "en"


def title_of(text: str) -> str:
    for line in text.split("\n"):
        if line.strip():
            return line.strip()
    return ""


def read_limited_bytes(path: Path, limit: int = MAX_ARTICLE_BYTES) -> bytes:
    """Read a regular file of at most ``limit`` bytes; raise otherwise.

    The file is opened without blocking and checked on the open handle, so
    a FIFO, a device or a directory named ``*.txt`` is refused instead of
    hanging the build or reading forever, and a file that grows while it is
    read still stops at the limit instead of exhausting memory.
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise ArticleDecodeError(
                f"not a regular file ({_file_kind(status.st_mode)}); "
                "articles must be plain text files"
            )
        if status.st_size > limit:
            raise _too_large(status.st_size, limit)
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise _too_large(len(data), limit)
    return data


def _too_large(size: int, limit: int) -> ArticleDecodeError:
    return ArticleDecodeError(
        f"file is {size} bytes, over the {limit} byte limit for one article"
    )


def _file_kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a plain file"


def read_article(path: Path, ingested_at: datetime | None = None) -> Article:
    """Read one article file; raise ArticleDecodeError or OSError."""
    try:
        data = read_limited_bytes(path)
    except IsADirectoryError as error:
        # Opening a directory read-only succeeds on Linux but not everywhere.
        raise ArticleDecodeError(
            "not a regular file (a directory); articles must be plain text files"
        ) from error
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
        ingested_at=ingested_at or datetime.now(UTC),
    )


def find_article_files(directory: Path) -> list[Path]:
    """Every *.txt below a directory, sorted, without following loops.

    Symlinked directories are not descended into, so a link back to a
    parent cannot loop; symlinked files are returned and read like any
    other, and so is anything else named *.txt (reading a directory or a
    device fails with a clear error later). Hidden names are skipped only
    below ``directory``, so an articles folder that itself lives under a
    hidden folder still counts. ``os.walk`` with plain string sorting:
    ``rglob``, ``relative_to`` and sorting Path objects cost seconds at
    100,000 files.
    """
    found: list[tuple[tuple[str, ...], str]] = []
    for folder, directory_names, file_names in os.walk(directory):
        relative_parts = Path(folder).relative_to(directory).parts
        directory_names[:] = [
            name for name in directory_names if not name.startswith(".")
        ]
        for name in file_names + directory_names:
            if name.endswith(".txt") and not name.startswith("."):
                found.append(((*relative_parts, name), os.path.join(folder, name)))
    found.sort()
    return [Path(path) for _, path in found]


@dataclass
class ArticleBatch:
    articles: list[Article]
    rejected: list[Rejected]
    duplicates: list[Rejected]
    # Files the previous build read, unchanged since: (file path, article
    # id). Their rows are copied from the previous warehouse, not re-read.
    reused: list[tuple[str, str]] = field(default_factory=list)
    # Every file that held an article: (file path, size in bytes,
    # modification time in nanoseconds, article id).
    manifest: list[tuple[str, int, int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class KnownFile:
    """A file as the previous build saw it."""

    byte_size: int
    modified_ns: int
    article_id: str


def read_articles(
    directories: tuple[Path, ...],
    known_files: dict[str, KnownFile] | None = None,
) -> ArticleBatch:
    """Read every article; unreadable files and duplicates are set aside.

    A file listed in ``known_files`` with the same size and modification
    time is not read again: only its article id is taken, so a rebuild
    after adding one article reads one file, not all of them.
    """
    ingested_at = datetime.now(UTC)
    batch = ArticleBatch(articles=[], rejected=[], duplicates=[])
    known_files = known_files or {}
    seen: dict[str, str] = {}
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
        for path in progress.track(
            f"reading {directory.name}", find_article_files(directory)
        ):
            known = known_files.get(str(path))
            if known is not None:
                try:
                    status = path.stat()
                except OSError:
                    status = None
                if (
                    status is not None
                    and stat.S_ISREG(status.st_mode)
                    and (status.st_size, status.st_mtime_ns)
                    == (known.byte_size, known.modified_ns)
                ):
                    batch.manifest.append(
                        (
                            str(path),
                            status.st_size,
                            status.st_mtime_ns,
                            known.article_id,
                        )
                    )
                    if _is_duplicate(batch, seen, path, known.article_id):
                        continue
                    seen[known.article_id] = str(path)
                    batch.reused.append((str(path), known.article_id))
                    continue
            try:
                status = path.stat()
                article = read_article(path, ingested_at)
            except ArticleDecodeError as error:
                problem = Problem(path, error.line, error.column, str(error))
                batch.rejected.append(Rejected(path.name, str(path), str(problem)))
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
            batch.manifest.append(
                (str(path), status.st_size, status.st_mtime_ns, article.article_id)
            )
            if _is_duplicate(batch, seen, path, article.article_id):
                continue
            seen[article.article_id] = str(path)
            batch.articles.append(article)
    return batch


def _is_duplicate(
    batch: ArticleBatch, seen: dict[str, str], path: Path, article_id: str
) -> bool:
    """Set the file aside when an earlier file had the same text."""
    first_path = seen.get(article_id)
    if first_path is None:
        return False
    batch.duplicates.append(
        Rejected(
            path.name,
            str(path),
            f"{path}:1:1: same text as {first_path} (article {article_id}); skipped",
        )
    )
    return True

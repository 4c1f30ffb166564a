"""Separating an article's body from the web page around it.

Scraped articles carry navigation, author bios, comment forms, photo
credits and share lines. Extraction reads only the body, but every offset
still points into the original normalised text, so nothing is rewritten:
we only decide which line spans are body and which are junk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A line matching one of these, and everything after it, is page furniture
# that follows the article (navigation, comment form, author bio).
_FOOTER_START = re.compile(
    r"""^\s*(?:
        previous\ (?:article|post)
      | next\ (?:article|post)
      | leave\ a\ (?:reply|comment)
      | (?:please\ )?enter\ your\ (?:comment|name)
      | related\ (?:posts|articles|news|stories)
      | you\ may\ also\ like
      | (?:предыдущая|следующая)\ (?:статья|новость|запись)
      | оставьте\ (?:комментарий|ответ)
      | оставить\ комментарий
      | читайте\ также\ в\ (?:telegram|телеграм)
      | похожие\ (?:статьи|новости|материалы)
      | subscribe\ for\ news
      | all\ content\ on\ this\ site\ is\ licensed
      | (?:this\ (?:work|article)\ is\ )?licensed\ under\ (?:a\ )?creative\ commons
      | весь\ контент\ сайта\ доступен
    )""",
    re.IGNORECASE | re.VERBOSE,
)

# Single lines that are junk wherever they stand: credits, bylines, share
# prompts. Body paragraphs never start this way.
_JUNK_LINE = re.compile(
    r"""^\s*(?:
        автор\ фото\s*:.*
      | фото\s*:.*
      | фото\ [—–-]\ .*
      | photo(?:\ credit)?\s*:.*
      | (?:image|picture)\ (?:credit|source)\s*:.*
      | автор\s*:.*
      | author\s*:.*
      | by\ [A-Z][\w.-]+(?:\ [A-Z][\w.-]+){0,2}\s*
      | источник\s*:.*
      | source\s*:.*
      | (?:-\s*)?\S.{0,60}\ can\ be\ read\ in\ (?:viber|telegram|whatsapp)\s*
      | share\ (?:this|on)\b.*
      | поделиться\b.*
      | подписывайтесь\b.*
      | subscribe\ to\b.*
      | follow\ us\b.*
      | tags?\s*:.*
      | теги\s*:.*
      | i\ am\ [A-Z][a-z]+\ [A-Z][a-z]+,\ a\ .*journalist.*
      # A wire distributor's line: "02/08/2024 | Press release |
      # Distributed by Public on 02/08/2024 21:37".
      | .*\|\s*(?:press\ release|distributed\ by)\b.*
      # Wiki maintenance notices: "Эту статью предлагается разделить …",
      # "This article needs additional citations …".
      | (?:эт[уа]|в\ этой)\ (?:статью|статья|статье|разделе?)\ (?:предлагается|
          нуждается|требует|не\ хватает|содержит|следует|нужно|необходимо|
          является\ кандидатом|может\ содержать|описывает\ ситуацию).*
      | this\ (?:article|section)\ (?:needs|may|has\ multiple|relies|
          contains|is\ about|possibly|is\ being\ considered).*
      # A wiki mirror's category links: "К:Компании, основанные в 1932
      # году", "Категории: …", "Category:Bus manufacturers".
      | (?:к|категори[ия]|category|categories):\S.*
      | (?:категори[ия]|categories)\s*:.*
    )$""",
    re.IGNORECASE | re.VERBOSE,
)

# A photo caption: a short line without final punctuation that names who
# or what is pictured (two capitalised words first) and when ("Владимир
# Путин в феврале 2012 года"). A dateline starts with its date and stays.
_CAPTION_LINE = re.compile(
    r"^\s*[A-ZА-ЯЁ][\w'’\-]+\s+[A-ZА-ЯЁ][\w'’\-]+\b[^.!?:;\n]{0,60}?"
    r"\b(?:1[89]\d\d|20\d\d)\b[^.!?:;\n]{0,20}$"
)
_CAPTION_MAX_LENGTH = 90

# A photo caption of any length: it points at who stands where in the
# picture ("Steven Chu (left center) talks with …") or ends with the
# photographer's credit ("(by Jeffrey Sauger for General Motors)",
# "(Photo: Reuters)").
_CAPTION_PARAGRAPH = re.compile(
    r"\((?:(?:far|second\s+from|third\s+from)\s+)?(?:left|right|center|centre)"
    r"(?:\s+(?:center|centre|front|back|rear))?\)"
    r"|\((?:photo(?:graph)?\s+)?by\s+[A-Z][^()\n]{0,80}\)\s*$"
    r"|\((?:photo|фото)\s*:[^()\n]{0,80}\)\s*$",
    re.IGNORECASE,
)

# A byline's name on its own line right after "Author:" (lowercase names
# such as "anastasia mariana" are common in scraped pages).
_NAME_ONLY_LINE = re.compile(r"^\s*[^\W\d_]+(?: [^\W\d_]+){0,3}\s*$")

_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_LATIN = re.compile(r"[a-z]", re.IGNORECASE)
_ASCII_LETTERS = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
# The characters that defeat counting letters by bytes: those the two
# classes above match under re.IGNORECASE beyond а-я, ё, a-z and their
# capitals (Turkish i, long s, Kelvin sign, old Cyrillic letter shapes),
# and those whose UTF-8 starts with the byte 0xD0 or 0xD1 without being
# а-я, ё or their capitals.
_UNCOUNTABLE = re.compile(
    "[\u0400\u0402-\u040f\u0450\u0452-\u047f\u1c80-\u1c86\u0130\u0131\u017f\u212a]"
)


@dataclass(frozen=True)
class Paragraph:
    """One body line: its span in the normalised text and its language."""

    start: int
    end: int
    language: str


@dataclass(frozen=True)
class CleanedText:
    """Where the body of an article is, and which lines in it are junk."""

    body_start: int
    body_end: int
    language: str
    paragraphs: tuple[Paragraph, ...]
    junk_spans: tuple[tuple[int, int], ...]


def letter_counts(text: str) -> tuple[int, int]:
    """How many Cyrillic (а-я, ё) and Latin (a-z) letters, either case.

    Counted on the UTF-8 bytes, where every such Cyrillic letter starts
    with 0xD0 or 0xD1 and a Latin one is an ASCII byte: bytes.count and
    bytes.translate run in C at a byte a nanosecond, where a regex
    findall builds an object per letter.
    """
    if text.isascii():
        encoded = text.encode("ascii")
        return 0, len(encoded) - len(encoded.translate(None, _ASCII_LETTERS))
    if _UNCOUNTABLE.search(text):
        return len(_CYRILLIC.findall(text)), len(_LATIN.findall(text))
    # surrogatepass: a lone surrogate encodes to 0xED.., counted as neither.
    encoded = text.encode("utf-8", "surrogatepass")
    return (
        encoded.count(b"\xd0") + encoded.count(b"\xd1"),
        len(encoded) - len(encoded.translate(None, _ASCII_LETTERS)),
    )


def language_of(text: str, default: str = "en") -> str:
    """'ru' when Cyrillic letters outnumber Latin ones, 'en' when fewer."""
    cyrillic, latin = letter_counts(text)
    if cyrillic == latin:
        return default
    return "ru" if cyrillic > latin else "en"


def _lines(text: str) -> list[tuple[int, int]]:
    spans = []
    position = 0
    for line in text.split("\n"):
        spans.append((position, position + len(line)))
        position += len(line) + 1
    return spans


def clean(text: str) -> CleanedText:
    """Find the body span, its paragraphs and their languages.

    The body runs from the first non-empty line to the last body line
    before the page footer; junk lines inside it (photo credits, bylines)
    are listed so that extraction skips them.
    """
    article_language = language_of(text)
    paragraphs: list[Paragraph] = []
    junk: list[tuple[int, int]] = []
    after_byline = False
    for start, end in _lines(text):
        line = text[start:end]
        if not line.strip():
            continue
        if _FOOTER_START.match(line):
            junk.append((start, len(text)))
            break
        is_caption = (
            bool(paragraphs)
            and len(line.strip()) <= _CAPTION_MAX_LENGTH
            and _CAPTION_LINE.match(line) is not None
        )
        if (
            _JUNK_LINE.match(line)
            or (after_byline and _NAME_ONLY_LINE.match(line))
            or is_caption
            or _CAPTION_PARAGRAPH.search(line) is not None
        ):
            junk.append((start, end))
            after_byline = line.strip().lower() in ("author:", "автор:")
            continue
        after_byline = False
        leading = len(line) - len(line.lstrip())
        trailing = len(line) - len(line.rstrip())
        paragraphs.append(
            Paragraph(
                start + leading,
                end - trailing,
                language_of(line, article_language),
            )
        )
    if paragraphs:
        body_start, body_end = paragraphs[0].start, paragraphs[-1].end
    else:
        body_start = body_end = 0
    return CleanedText(
        body_start=body_start,
        body_end=body_end,
        language=article_language,
        paragraphs=tuple(paragraphs),
        junk_spans=tuple(junk),
    )

"""Reading one article: body, mentions, figures and periods.

Pure functions over a text, so notebooks, the ingester and the
``autowatch extract`` command all run the same code. Every span is a
pair of character offsets into the normalised article text, and the
text at those offsets is exactly the stored surface text.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from ingest.figures import Figure, carry_units, find_figures, split_respectively
from ingest.mentions import (
    AliasMatcher,
    Mention,
    find_candidates,
    fold,
    load_matcher,
    merge_candidates,
)
from ingest.periods import Period, find_periods, years_mentioned
from ingest.text_cleaning import CleanedText, clean

MENTION = "mention"
FIGURE = "figure"
PERIOD = "period"
KINDS = (MENTION, FIGURE, PERIOD)


@dataclass(frozen=True)
class ArticleExtraction:
    """Everything read from one article."""

    body: CleanedText
    mentions: list[Mention]
    figures: list[Figure]
    periods: list[Period]


# A period right after a figure dates it: "50,000 cars in 2023",
# "100 тыс. автомобилей в 2024 году".
_FIGURE_PERIOD_GAP = re.compile(
    r"^[\s,]*(?:(?:in|by|during|for|until|through|в|во|к|до|на|за|по)\s+)?$",
    re.IGNORECASE,
)
# A deadline further on in the same clause dates a figure too: "600 new
# cars at the revived Moskvich site by the end of 2022", "half of all new
# car sales by 2030", unless another figure comes first. Other periods
# that far from a figure are as often about something else ("launched in
# 2023", "until 2014" of a past run), so only "by" and "к" reach this
# far, and not past a punctuation mark or a word that starts another
# clause ("has 3,000 employees and plans to hire more by 2025").
_DEADLINE_GAP = re.compile(
    r"^(?:(?!\b(?:and|but|that|which|who|whose|while|и|а|но|что|котор\w*)\b)"
    r"[^,;:()\n.!?…])*$",
    re.IGNORECASE,
)
_DEADLINE_GAP_LENGTH = 60
_DEADLINE_WORD = re.compile(r"^(?:by|к|ко)\s", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…](?=\s+[\"«(]?[A-ZА-ЯЁ0-9])|\n")


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences of text[start:end] by razdel, as absolute offsets."""
    from razdel import sentenize

    return [
        (start + sentence.start, start + sentence.stop)
        for sentence in sentenize(text[start:end])
    ]


def _quick_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cheap sentence bounds, enough for pairing within one paragraph."""
    spans = []
    cursor = start
    for match in _SENTENCE_END.finditer(text, start, end):
        spans.append((cursor, match.end()))
        cursor = match.end()
    if cursor < end:
        spans.append((cursor, end))
    return spans


def _pair_periods(
    figures: list[Figure],
    periods: list[Period],
    text: str,
    sentences: list[tuple[int, int]],
) -> list[Figure]:
    paired: list[Figure] = []
    starts = [period.start for period in periods]
    figure_starts = [figure.start for figure in figures]
    for figure in figures:
        index = bisect.bisect_left(starts, figure.end)
        if index < len(periods):
            period = periods[index]
            gap = text[figure.end : period.start]
            if (len(gap) <= 12 and _FIGURE_PERIOD_GAP.match(gap)) or (
                _DEADLINE_WORD.match(period.text)
                and len(gap) <= _DEADLINE_GAP_LENGTH
                and _DEADLINE_GAP.match(gap)
                and not any(
                    figure.end <= start < period.start for start in figure_starts
                )
            ):
                figure = replace(
                    figure,
                    period_start=period.period_start,
                    period_end=period.period_end,
                )
        paired.append(figure)
    # "10,000 to 20,000 …, respectively": values split from one range take
    # the periods the earlier figures of their sentence were paired with.
    result = list(paired)
    for index, figure in enumerate(paired):
        if index == 0 or figure.period_start is not None:
            continue
        previous = paired[index - 1]
        if previous.end <= figure.start and text[
            previous.end : figure.start
        ].strip() in ("to", "-", "–", "—", "до"):
            sentence = next(
                (span for span in sentences if span[0] <= previous.start < span[1]),
                None,
            )
            if sentence is None:
                continue
            earlier = [
                candidate
                for candidate in paired[: index - 1]
                if candidate.start >= sentence[0] and candidate.period_start is not None
            ]
            if len(earlier) >= 2:
                first_period, second_period = earlier[-2], earlier[-1]
                result[index - 1] = replace(
                    previous,
                    period_start=first_period.period_start,
                    period_end=first_period.period_end,
                )
                result[index] = replace(
                    figure,
                    period_start=second_period.period_start,
                    period_end=second_period.period_end,
                )
    return result


def extract_text(
    text: str,
    matcher: AliasMatcher,
    published_on: date | None = None,
) -> ArticleExtraction:
    """Read one normalised article text."""
    body = clean(text)
    paragraph_starts = [paragraph.start for paragraph in body.paragraphs]

    def in_body(start: int, end: int) -> bool:
        index = bisect.bisect_right(paragraph_starts, start) - 1
        return index >= 0 and end <= body.paragraphs[index].end

    folded = fold(text)
    mentions = [
        mention
        for mention in matcher.find(text, folded)
        if in_body(mention.start, mention.end)
    ]
    context_years = years_mentioned(text[body.body_start : body.body_end])
    candidates: list[Mention] = []
    periods: list[Period] = []
    for paragraph in body.paragraphs:
        segment = text[paragraph.start : paragraph.end]
        candidates.extend(find_candidates(segment, paragraph.start))
        periods.extend(
            find_periods(
                segment,
                paragraph.language,
                paragraph.start,
                published_on,
                context_years,
            )
        )
    mentions = merge_candidates(mentions, candidates)
    blocked = [(period.start, period.end) for period in periods] + [
        (mention.start, mention.end) for mention in mentions
    ]
    blocked.sort()
    figures: list[Figure] = []
    for paragraph in body.paragraphs:
        segment = text[paragraph.start : paragraph.end]
        local_blocked = [
            span
            for span in blocked
            if span[0] < paragraph.end and paragraph.start < span[1]
        ]
        found = find_figures(
            segment, paragraph.language, paragraph.start, local_blocked
        )
        if not found:
            continue
        found = carry_units(found, text)
        sentences = _quick_sentences(text, paragraph.start, paragraph.end)
        found = split_respectively(found, text, sentences)
        found = _pair_periods(found, periods, text, sentences)
        figures.extend(found)
    return ArticleExtraction(
        body=body, mentions=mentions, figures=figures, periods=periods
    )


def extraction_items(extraction: ArticleExtraction) -> list[dict]:
    """One plain dict per mention, figure and period, in text order."""
    items: list[dict] = []
    for mention in extraction.mentions:
        items.append(
            {
                "kind": MENTION,
                "start": mention.start,
                "end": mention.end,
                "text": mention.text,
                "entity_type": mention.entity_type,
                "entity_code": mention.entity_code,
                "entity": mention.entity,
            }
        )
    for figure in extraction.figures:
        items.append(
            {
                "kind": FIGURE,
                "start": figure.start,
                "end": figure.end,
                "text": figure.text,
                "value_low": _number(figure.value_low),
                "value_high": _number(figure.value_high),
                "unit": figure.unit,
                "currency": figure.currency,
                "qualifier": figure.qualifier,
                "period_start": _iso(figure.period_start),
                "period_end": _iso(figure.period_end),
            }
        )
    for period in extraction.periods:
        items.append(
            {
                "kind": PERIOD,
                "start": period.start,
                "end": period.end,
                "text": period.text,
                "period_start": _iso(period.period_start),
                "period_end": _iso(period.period_end),
                "grain": period.grain,
                "relation": period.relation,
            }
        )
    items.sort(key=lambda item: (item["start"], item["end"], KINDS.index(item["kind"])))
    return items


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def extract_file(
    path: Path, matcher: AliasMatcher, published_on: date | None = None
) -> tuple[str, ArticleExtraction]:
    """Read a file as the ingester does (size limit, regular files only,
    decoding, empty articles refused), then extract from it."""
    from ingest.articles import read_article

    text = read_article(path).text
    return text, extract_text(text, matcher, published_on)


def default_matcher(seeds_dir: Path) -> AliasMatcher:
    return load_matcher(seeds_dir)


# Raw tables the ingester fills with what extraction read, one row per
# item; offsets are 0-based character offsets into the article text.
_SPAN_COLUMNS = (
    ("article_id", "varchar"),
    ("item_index", "bigint"),
    ("start_offset", "bigint"),
    ("end_offset", "bigint"),
    ("surface_text", "varchar"),
    ("sentence_start_offset", "bigint"),
    ("sentence_end_offset", "bigint"),
)
EXTRACTION_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "article_bodies": (
        ("article_id", "varchar"),
        ("body_start_offset", "bigint"),
        ("body_end_offset", "bigint"),
        ("body_language", "varchar"),
        ("paragraph_count", "bigint"),
        ("mixed_language", "boolean"),
        ("junk_spans_json", "varchar"),
    ),
    "extracted_mentions": _SPAN_COLUMNS
    + (
        ("entity_type", "varchar"),
        ("entity_code", "varchar"),
        ("canonical_name", "varchar"),
        ("matched_alias", "varchar"),
    ),
    "extracted_figures": _SPAN_COLUMNS
    + (
        ("value_low", "double"),
        ("value_high", "double"),
        ("unit", "varchar"),
        ("currency", "varchar"),
        ("qualifier", "varchar"),
        ("period_start", "date"),
        ("period_end", "date"),
    ),
    "extracted_periods": _SPAN_COLUMNS
    + (
        ("period_start", "date"),
        ("period_end", "date"),
        ("grain", "varchar"),
        ("relation", "varchar"),
    ),
}


def extraction_rows(
    articles: list[tuple[str, str, date | None]], matcher: AliasMatcher
) -> dict[str, list[tuple]]:
    """Rows of the raw extraction tables for (article_id, text, published_on)."""
    import json

    tables: dict[str, list[tuple]] = {name: [] for name in EXTRACTION_TABLES}
    for article_id, text, published_on in articles:
        extraction = extract_text(text, matcher, published_on)
        body = extraction.body
        tables["article_bodies"].append(
            (
                article_id,
                body.body_start,
                body.body_end,
                body.language,
                len(body.paragraphs),
                len({paragraph.language for paragraph in body.paragraphs}) > 1,
                json.dumps([list(span) for span in body.junk_spans]),
            )
        )
        sentences = []
        for paragraph in body.paragraphs:
            sentences.extend(sentence_spans(text, paragraph.start, paragraph.end))
        sentence_starts = [span[0] for span in sentences]

        def sentence_of(
            start: int, sentences=sentences, sentence_starts=sentence_starts
        ) -> tuple[int | None, int | None]:
            index = bisect.bisect_right(sentence_starts, start) - 1
            if index < 0:
                return None, None
            return sentences[index]

        for index, mention in enumerate(extraction.mentions):
            tables["extracted_mentions"].append(
                (
                    article_id, index, mention.start, mention.end, mention.text,
                    *sentence_of(mention.start),
                    mention.entity_type, mention.entity_code, mention.entity,
                    mention.alias,
                )
            )  # fmt: skip
        for index, figure in enumerate(extraction.figures):
            tables["extracted_figures"].append(
                (
                    article_id, index, figure.start, figure.end, figure.text,
                    *sentence_of(figure.start),
                    figure.value_low, figure.value_high, figure.unit,
                    figure.currency, figure.qualifier, figure.period_start,
                    figure.period_end,
                )
            )  # fmt: skip
        for index, period in enumerate(extraction.periods):
            tables["extracted_periods"].append(
                (
                    article_id, index, period.start, period.end, period.text,
                    *sentence_of(period.start),
                    period.period_start, period.period_end, period.grain,
                    period.relation,
                )
            )  # fmt: skip
    return tables

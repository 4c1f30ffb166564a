"""Dates and periods named in article text, in English and Russian.

Each match becomes a period: its first and last day, its grain (day,
month, quarter, half_year, year) and how the statement relates to it
(``in`` it, ``by`` it, ``since`` it). Expressions without a year ("this
year", "в апреле", "July 6") are resolved against the publication date
when it is known; a weekday with a day and month ("Wednesday, 16 August")
picks the year in which that day falls on that weekday.

We never hand article text to a fuzzy date parser: those turn model names
such as "BAIC X55" into years and drop "by" and "end of".
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from dateutil.rrule import YEARLY, rrule

from ingest.morphology import case_folded

DAY = "day"
WEEK = "week"
MONTH = "month"
QUARTER = "quarter"
HALF_YEAR = "half_year"
YEAR = "year"
GRAINS = (DAY, WEEK, MONTH, QUARTER, HALF_YEAR, YEAR)

IN = "in"
BY = "by"
SINCE = "since"
RELATIONS = (IN, BY, SINCE)


@dataclass(frozen=True)
class Period:
    """A date or period found in the text, with its exact span."""

    start: int
    end: int
    text: str
    period_start: date | None
    period_end: date | None
    grain: str
    relation: str


# ---------------------------------------------------------------- words

_EN_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3,
    "april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7,
    "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12,
    "dec": 12,
}  # fmt: skip
_RU_MONTH_STEMS = {
    "январ": 1, "феврал": 2, "март": 3, "апрел": 4, "ма": 5, "июн": 6,
    "июл": 7, "август": 8, "сентябр": 9, "октябр": 10, "ноябр": 11,
    "декабр": 12,
}  # fmt: skip
_EN_WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
    "saturday": 5, "sunday": 6,
}  # fmt: skip
_RU_WEEKDAY_STEMS = {
    "понедельник": 0, "вторник": 1, "сред": 2, "четверг": 3, "пятниц": 4,
    "суббот": 5, "воскресень": 6,
}  # fmt: skip
_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3,
    "fourth": 4, "4th": 4, "перв": 1, "втор": 2, "трет": 3, "четверт": 4,
    "четвёрт": 4, "1": 1, "2": 2, "3": 3, "4": 4, "i": 1, "ii": 2,
    "iii": 3, "iv": 4,
}  # fmt: skip

_EN_MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|"
    r"September|October|November|December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|"
    r"Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
# Month names in every case Russian news uses: "июль", "июля", "июле".
_RU_MONTH = (
    r"(?P<month>январ[ьяе]|феврал[ьяе]|марта?|марте|апрел[ьяе]|ма[йяе]|"
    r"июн[ьяе]|июл[ьяе]|августа?|августе|сентябр[ьяе]|октябр[ьяе]|"
    r"ноябр[ьяе]|декабр[ьяе])"
)
_EN_WEEKDAY = r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_RU_WEEKDAY = (
    r"(?P<weekday>понедельник|вторник|сред[ау]|четверг|пятниц[ау]|"
    r"суббот[ау]|воскресень[ея])"
)
# Years of any plausible century; a bare year before 1950 needs a cue
# word to count (see _OLD_YEAR_CUE), since a number such as "1500" is
# more often a quantity.
_YEAR = r"(?P<year>(?:1[89]\d\d|20\d\d))"
_MODERN_YEAR_FROM = 1950
_RU_YEAR_WORD = r"(?:\s*(?:года|году|год|г\.))"
_DAY = r"(?P<day>[0-3]?\d)"


def _month_number(word: str) -> int:
    lowered = word.lower().rstrip(".")
    if lowered in _EN_MONTHS:
        return _EN_MONTHS[lowered]
    for stem, number in sorted(_RU_MONTH_STEMS.items(), key=lambda item: -len(item[0])):
        if lowered.startswith(stem):
            return number
    raise ValueError(f"not a month: {word}")


def _weekday_number(word: str) -> int:
    lowered = word.lower()
    if lowered in _EN_WEEKDAYS:
        return _EN_WEEKDAYS[lowered]
    for stem, number in _RU_WEEKDAY_STEMS.items():
        if lowered.startswith(stem):
            return number
    raise ValueError(f"not a weekday: {word}")


def _ordinal(word: str) -> int:
    lowered = word.lower()
    for key in sorted(_ORDINALS, key=len, reverse=True):
        if lowered.startswith(key) and (key.isalpha() or lowered == key):
            return _ORDINALS[key]
    raise ValueError(f"not an ordinal: {word}")


# ------------------------------------------------------------ patterns

_FLAGS = re.IGNORECASE | re.VERBOSE
_LEFT = r"(?<![\w.,\-])"
_RIGHT = r"(?![\w\-]|[.,]\d)"

_EN_RELATION = (
    r"(?:(?P<relation>by|until|till|through|before|since|as\ of|"
    r"starting\ (?:from|in))\s+)?"
)
_RU_RELATION = r"(?:(?P<relation>к|до|с|со|начиная\ с|вплоть\ до|по)\s+)?"
_EN_PART = (
    r"(?:(?:the\s+)?(?P<part>end|start|beginning|middle|close|first\ half|"
    r"second\ half)\s+of\s+(?:the\s+)?|(?P<part2>early|mid|late)[\s\-]+)"
)
_RU_PART = r"(?:(?P<part>начал[аеуо]|конц[аеу]|конец|середин[аеуы])\s+)"


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, _FLAGS)


# "23.05.2024" and "2024-05-23", in both languages.
_NUMERIC_DATE = (
    _LEFT
    + r"(?:"
    + _DAY
    + r"\.(?P<month_number>[01]?\d)\."
    + _YEAR
    + r"|"
    + _YEAR.replace("year", "year2")
    + r"-(?P<month_number2>[01]\d)-(?P<day2>[0-3]\d))"
    + _RIGHT
)

# Each pattern is tried on every paragraph of its language; where matches
# overlap, the longest wins, so "fourth quarter of 2023" beats "2023".
_PATTERNS: dict[str, list[tuple[str, re.Pattern[str]]]] = {
    "en": [
        (
            "weekday_date",
            _compile(
                _EN_WEEKDAY
                + r",?\s+(?:"
                + _DAY
                + r"(?:st|nd|rd|th)?\s+"
                + _EN_MONTH
                + r"|"
                + _EN_MONTH.replace("month", "month2")
                + r"\s+"
                + _DAY.replace("day", "day2")
                + r"(?:st|nd|rd|th)?)(?:,?\s+"
                + _YEAR
                + r")?"
                + _RIGHT
            ),
        ),
        (
            "date",
            _compile(
                _EN_RELATION
                + _LEFT
                + r"(?:"
                + _EN_MONTH
                + r"\s+"
                + _DAY
                + r"(?:st|nd|rd|th)?|"
                + _DAY.replace("day", "day2")
                + r"(?:st|nd|rd|th)?\s+(?:of\s+)?"
                + _EN_MONTH.replace("month", "month2")
                + r")(?:,?\s+"
                + _YEAR
                + r")?"
                + _RIGHT
            ),
        ),
        ("numeric_date", _compile(_NUMERIC_DATE)),
        (
            "month",
            _compile(
                _EN_RELATION
                + r"(?:"
                + _EN_PART
                + r")?"
                + _LEFT
                + _EN_MONTH
                # "January of 2023" is January 2023.
                + r"(?:,?\s+(?:of\s+)?"
                + _YEAR
                + r")"
                + _RIGHT
            ),
        ),
        (
            "month_no_year",
            _compile(
                r"(?:(?P<relation>by|until|till|before|since|in|from)\s+"
                r"(?:(?:the\s+)?(?P<part>end|start|beginning|middle)\s+of\s+)?"
                r"|(?P<part2>early|mid|late)[\s\-]+)" + _EN_MONTH + _RIGHT
            ),
        ),
        (
            "quarter",
            _compile(
                _EN_RELATION + r"(?:the\s+)?(?:(?P<ordinal>first|second|third"
                r"|fourth|1st|2nd|3rd|4th)\s+quarter|Q(?P<quarter>[1-4])|"
                r"(?P<quarter2>[1-4])Q)(?:\s+of)?(?:\s*(?:"
                + _YEAR
                + r"|'?(?P<year_short>\d\d)(?!\d))|\s+(?P<this>this|next"
                r"|last)\s+year)?" + _RIGHT
            ),
        ),
        (
            "half_year",
            _compile(
                _EN_RELATION + r"(?:the\s+)?(?:(?P<ordinal>first|second)"
                r"\s+half|H(?P<half>[12]))(?:\s+of)?(?:\s+"
                + _YEAR
                + r"|\s+(?P<this>this|next|last)\s+year)?"
                + _RIGHT
            ),
        ),
        (
            "year_range",
            _compile(
                r"(?:(?:from|between)\s+)?"
                + _LEFT
                + _YEAR
                + r"\s*(?:[-–—]|to|and|through)\s*"
                + _YEAR.replace("year", "year2")
                + _RIGHT
            ),
        ),
        (
            "year",
            _compile(_EN_RELATION + r"(?:" + _EN_PART + r")?" + _LEFT + _YEAR + _RIGHT),
        ),
        (
            "year_to_present",
            _compile(_LEFT + _YEAR + r"\s*(?:[-–—]|to)\s*(?:the\s+)?present" + _RIGHT),
        ),
        (
            "first_months",
            _compile(
                r"(?:the\s+)?(?P<which>first|last)\s+(?P<count>two|three|four|five|"
                r"six|seven|eight|nine|ten|eleven|\d{1,2})\s+months\s+of\s+"
                r"(?:" + _YEAR + r"|(?P<this>this|last|next)\s+year)" + _RIGHT
            ),
        ),
        (
            "relative_day",
            _compile(_LEFT + r"(?P<which>today|yesterday|tomorrow)" + _RIGHT),
        ),
        (
            "relative_month",
            _compile(
                r"(?:(?P<part2>earlier|later)\s+)?(?P<the>the\s+)?"
                r"(?P<which>this|next|last|previous|current|past)\s+"
                r"(?P<unit>month|quarter)" + _RIGHT
            ),
        ),
        (
            "relative_week",
            _compile(
                r"(?:(?:at\s+)?the\s+(?P<part>start|beginning|end)\s+of\s+|"
                r"(?P<part2>early|late)\s+)?(?P<which>this|next|last)\s+week" + _RIGHT
            ),
        ),
        (
            "relative_year",
            _compile(
                _EN_RELATION + r"(?:" + _EN_PART + r")?(?:(?P<which>this|"
                r"next|last|the\ current|the)\s+year|"
                r"(?P<year_end>year[\s\-]end))" + _RIGHT
            ),
        ),
    ],
    "ru": [
        (
            "weekday_date",
            _compile(
                _RU_WEEKDAY
                + r",?\s+"
                + _DAY
                + r"\s+"
                + _RU_MONTH
                + r"(?:\s+"
                + _YEAR
                + _RU_YEAR_WORD
                + r"?)?"
                + _RIGHT
            ),
        ),
        (
            "date",
            _compile(
                _RU_RELATION
                + _LEFT
                + _DAY
                + r"\s+"
                + _RU_MONTH
                + r"(?:\s+"
                + _YEAR
                + _RU_YEAR_WORD
                + r"?)?"
                + _RIGHT
            ),
        ),
        (
            "numeric_date",
            # "23.05.2024 г.": Russian may follow the date with a year word.
            _compile(
                _NUMERIC_DATE + _RU_YEAR_WORD.replace("(?:\\s*", "(?:\\s+") + r"?"
            ),
        ),
        (
            "month",
            _compile(
                _RU_RELATION
                + _RU_PART
                + r"?"
                + _LEFT
                + _RU_MONTH
                + r"(?:\s+"
                + _YEAR
                + _RU_YEAR_WORD
                + r"?)"
                + _RIGHT
            ),
        ),
        (
            "month_no_year",
            _compile(
                r"(?:(?P<relation>в|к|до|с|со)\s+"
                + _RU_PART
                + r"?)"
                + _RU_MONTH
                + _RIGHT
            ),
        ),
        (
            "quarter",
            _compile(
                _RU_RELATION + r"(?:(?P<ordinal>перв|втор|трет|четв[её]рт)"
                r"\w*|(?P<quarter>[1-4]|I{1,3}|IV)(?:-?(?:м|й|го|ом))?)\s+"
                r"квартал\w*(?:\s+"
                + _YEAR
                + _RU_YEAR_WORD
                + r"?|\s+(?P<this>этого|текущего|следующего|прошлого)\s+года)?"
                + _RIGHT
            ),
        ),
        (
            "half_year",
            _compile(
                _RU_RELATION + r"(?P<ordinal>перв|втор)\w*\s+полугоди\w*"
                r"(?:\s+" + _YEAR + _RU_YEAR_WORD + r"?|\s+(?P<this>этого|"
                r"текущего|следующего|прошлого)\s+года)?" + _RIGHT
            ),
        ),
        (
            "year_range",
            _compile(
                r"(?:(?:с|в|на)\s+)?"
                + _LEFT
                + _YEAR
                + r"\s*(?:[-–—]|по)\s*"
                + _YEAR.replace("year", "year2")
                + r"(?:\s*(?:годах|годы|годов|гг\.|год))?"
                + _RIGHT
            ),
        ),
        (
            "year",
            _compile(
                _RU_RELATION
                + _RU_PART
                + r"?"
                + _LEFT
                + _YEAR
                # A decade ("1970-е", "1990-х годах") is no year.
                + r"(?![-‑–]?(?:е|х|ые|ых|ым|ыми)(?!\w))"
                + r"(?:"
                + _RU_YEAR_WORD
                + r"|(?=\s*[^\w\s]|\s*$)|"
                + _RIGHT
                + r")"
            ),
        ),
        (
            "year_to_present",
            _compile(
                _LEFT + _YEAR + r"\s*(?:[-–—]|по)\s*(?:наст\.\s*вр\.|наст\.\s*время|"
                r"настоящее\s+время|н\.\s*в\.|наши\s+дни)"
            ),
        ),
        (
            "first_months",
            _compile(
                r"(?:за\s+|в\s+)?(?P<which>перв|последн)\w*\s+(?P<count>два|две|"
                r"три|четыре|пять|шесть|семь|восемь|девять|десять|одиннадцать|"
                r"\d{1,2})\s+месяц\w*\s+(?:" + _YEAR + _RU_YEAR_WORD + r"?|"
                r"(?P<this>этого|текущего|прошлого|следующего)\s+года)" + _RIGHT
            ),
        ),
        (
            "relative_day",
            _compile(_LEFT + r"(?P<which>сегодня|вчера|позавчера|завтра)" + _RIGHT),
        ),
        (
            "relative_month",
            _compile(
                r"(?:в|во)\s+(?P<which>этом|текущем|прошлом|минувшем|прошедшем|"
                r"следующем)\s+(?P<unit>месяце|квартале)" + _RIGHT
            ),
        ),
        (
            "relative_week",
            _compile(
                r"(?:(?:в|на)\s+)?(?:(?P<part>начал[аеуо]|конц[аеу]|"
                r"середин[аеуы])\s+)?(?P<which>этой|текущей|следующей|"
                r"прошлой)\s+недел[иеюя]" + _RIGHT
            ),
        ),
        (
            "relative_year",
            _compile(
                _RU_RELATION + _RU_PART + r"?(?:(?P<which>этого|этом|этот|"
                r"текущего|текущем|текущий|следующего|следующем|следующий|"
                r"прошлого|прошлом|прошлый|минувшего|минувшем|минувший|"
                r"прошедшего|прошедшем|прошедший|нынешнего|нынешнем|нынешний|"
                r"будущего|будущем|будущий)\s+)?(?P<year_word>года|году|год)"
                r"(?:\s+(?P<which2>нынешн\w+))?" + _RIGHT
            ),
        ),
    ],
}

_RELATION_WORDS = {
    "by": BY, "until": BY, "till": BY, "through": BY, "before": BY,
    "since": SINCE, "as of": SINCE, "starting from": SINCE,
    "starting in": SINCE, "from": SINCE, "in": IN, "к": BY, "до": BY,
    "вплоть до": BY, "по": BY, "с": SINCE, "со": SINCE, "начиная с": SINCE,
    "в": IN,
}  # fmt: skip


def _relation(word: str | None) -> str:
    if not word:
        return IN
    return _RELATION_WORDS.get(" ".join(word.lower().split()), IN)


def _part(match: re.Match[str]) -> str | None:
    """'start', 'middle' or 'end' when the text narrows the period."""
    groups = match.groupdict()
    word = (groups.get("part") or groups.get("part2") or "").lower()
    if not word:
        return None
    if word.startswith(("end", "close", "late", "конц", "конец")):
        return "end"
    if word.startswith(("mid", "middle", "середин")):
        return "middle"
    if word.startswith(("start", "beginning", "early", "начал")):
        return "start"
    if word == "first half":
        return "first_half"
    if word == "second half":
        return "second_half"
    return None


def _month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _narrow_month(year: int, month: int, part: str | None) -> tuple[date, date]:
    """Thirds of a month for "early July", "mid-July", "late July"."""
    first, last = _month_bounds(year, month)
    if part == "start":
        return first, first + relativedelta(days=9)
    if part == "middle":
        return first + relativedelta(days=10), first + relativedelta(days=19)
    if part == "end":
        return first + relativedelta(days=20), last
    return first, last


def _narrow_year(year: int, part: str | None) -> tuple[date, date, str]:
    """Early, middle and end of a year, read as quarters and halves."""
    first, last = _year_bounds(year)
    if part == "start":
        return first, date(year, 3, 31), QUARTER
    if part == "middle":
        return date(year, 4, 1), date(year, 9, 30), QUARTER
    if part == "end":
        return date(year, 10, 1), last, QUARTER
    if part == "first_half":
        return first, date(year, 6, 30), HALF_YEAR
    if part == "second_half":
        return date(year, 7, 1), last, HALF_YEAR
    return first, last, YEAR


def _relative_year(which: str | None, reference: date | None) -> int | None:
    if reference is None:
        return None
    lowered = (which or "").lower()
    if lowered.startswith(("next", "следующ", "будущ")):
        return reference.year + 1
    if lowered.startswith(("last", "the past", "прошл", "минувш", "прошедш")):
        return reference.year - 1
    return reference.year


def _weekday_year(
    month: int,
    day: int,
    weekday: int,
    reference: date | None,
    context_years: Iterable[int],
) -> int | None:
    """The year, near the article's own years, when the day had that weekday."""
    hints = sorted(set(context_years) | ({reference.year} if reference else set()))
    if not hints:
        return None
    target = reference.year if reference else max(hints)
    candidates = [
        occurrence.year
        for occurrence in rrule(
            YEARLY,
            dtstart=date(min(hints) - 1, 1, 1),
            until=date(max(hints) + 1, 12, 31),
            bymonth=month,
            bymonthday=day,
            byweekday=weekday,
        )
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda year: (abs(year - target), -year))


def _year_or_reference(match: re.Match[str], reference: date | None) -> int | None:
    year = match.groupdict().get("year")
    if year:
        return int(year)
    return reference.year if reference else None


def _resolve(
    kind: str,
    match: re.Match[str],
    reference: date | None,
    context_years: Iterable[int],
) -> tuple[date | None, date | None, str, str] | None:
    groups = match.groupdict()
    relation = _relation(groups.get("relation"))
    if kind == "weekday_date":
        month = _month_number(groups.get("month") or groups["month2"])
        day = int(groups.get("day") or groups["day2"])
        year = (
            int(groups["year"])
            if groups.get("year")
            else _weekday_year(
                month,
                day,
                _weekday_number(groups["weekday"]),
                reference,
                context_years,
            )
        )
        if year is None:
            return None, None, DAY, relation
        resolved = date(year, month, day)
        return resolved, resolved, DAY, relation
    if kind in ("date", "numeric_date"):
        if kind == "numeric_date":
            month = int(groups.get("month_number") or groups["month_number2"])
            day = int(groups.get("day") or groups["day2"])
            year = int(groups.get("year") or groups["year2"])
        else:
            month = _month_number(groups.get("month") or groups["month2"])
            day = int(groups.get("day") or groups["day2"])
            year = _year_or_reference(match, reference)
        if not 1 <= month <= 12 or not 1 <= day <= 31:
            return None
        if year is None:
            return None, None, DAY, relation
        try:
            resolved = date(year, month, day)
        except ValueError:
            return None
        return resolved, resolved, DAY, relation
    if kind in ("month", "month_no_year"):
        month = _month_number(groups["month"])
        year = _year_or_reference(match, reference)
        if year is None:
            return None, None, MONTH, relation
        start, end = _narrow_month(year, month, _part(match))
        return start, end, MONTH, relation
    if kind == "quarter":
        ordinal = (
            groups.get("ordinal") or groups.get("quarter") or groups.get("quarter2")
        )
        quarter = _ordinal(ordinal)
        year = _quarter_year(groups, reference)
        if year is None:
            return None, None, QUARTER, relation
        start = date(year, 3 * quarter - 2, 1)
        return start, start + relativedelta(months=3, days=-1), QUARTER, relation
    if kind == "half_year":
        half = _ordinal(groups.get("ordinal") or groups["half"])
        year = _quarter_year(groups, reference)
        if year is None:
            return None, None, HALF_YEAR, relation
        start = date(year, 6 * half - 5, 1)
        return start, start + relativedelta(months=6, days=-1), HALF_YEAR, relation
    if kind == "year_range":
        first, last = int(groups["year"]), int(groups["year2"])
        if last <= first:
            return None
        return date(first, 1, 1), date(last, 12, 31), YEAR, relation
    if kind == "relative_week":
        if reference is None:
            return None, None, WEEK, relation
        monday = reference - relativedelta(days=reference.weekday())
        which = (groups.get("which") or "").lower()
        if which.startswith(("next", "следующ")):
            monday += relativedelta(weeks=1)
        elif which.startswith(("last", "прошл")):
            monday -= relativedelta(weeks=1)
        start, end = monday, monday + relativedelta(days=6)
        part = _part(match)
        if part == "start":
            end = monday + relativedelta(days=2)
        elif part == "end":
            start = monday + relativedelta(days=4)
        return start, end, WEEK, relation
    if kind == "year_to_present":
        year = int(groups["year"])
        return date(year, 1, 1), date(year, 12, 31), YEAR, SINCE
    if kind == "first_months":
        year = _quarter_year(groups, reference)
        count = _count(groups["count"])
        if year is None or not 1 <= count <= 11:
            return None
        if groups["which"].lower().startswith(("first", "перв")):
            first_month, last_month = 1, count
        else:
            first_month, last_month = 13 - count, 12
        return (
            date(year, first_month, 1),
            _month_bounds(year, last_month)[1],
            MONTH,
            relation,
        )
    if kind == "relative_day":
        if reference is None:
            return None
        shift = {"yesterday": -1, "вчера": -1, "позавчера": -2, "tomorrow": 1,
                 "завтра": 1}.get(groups["which"].lower(), 0)  # fmt: skip
        day = reference + relativedelta(days=shift)
        return day, day, DAY, relation
    if kind == "relative_month":
        which = groups["which"].lower()
        if groups.get("the") and which in ("last", "past"):
            # "the last month", "the past quarter": a rolling span.
            return None
        if which == "past":
            return None
        if reference is None:
            return None
        step = (
            -1
            if which in ("last", "previous", "прошлом", "минувшем", "прошедшем")
            else (1 if which in ("next", "следующем") else 0)
        )
        if groups["unit"].lower().startswith(("quarter", "квартал")):
            first = date(reference.year, 3 * ((reference.month - 1) // 3) + 1, 1)
            first += relativedelta(months=3 * step)
            return first, first + relativedelta(months=3, days=-1), QUARTER, relation
        first = date(reference.year, reference.month, 1) + relativedelta(months=step)
        start, end = _month_bounds(first.year, first.month)
        return start, end, MONTH, relation
    if kind in ("year", "relative_year"):
        if kind == "year":
            year = int(groups["year"])
        else:
            which = (groups.get("which") or "").lower()
            if which == "the" and not (groups.get("relation") or _part(match)):
                # "the year" alone names no particular year.
                return None
            if which == "last" and match.string[: match.start()].lower().endswith(
                ("the ", "the past ")
            ):
                # "over the last year" is the rolling twelve months.
                return None
            year = _relative_year(groups.get("which"), reference)
            if groups.get("year_word") and not (
                groups.get("which") or groups.get("part") or groups.get("which2")
            ):
                # A bare "года" is no period; only "этого года", "конца года".
                return None
        part = _part(match)
        if year is None:
            return None, None, YEAR, relation
        if groups.get("year_end"):
            part = "end"
        if relation != IN and part in ("start", "end"):
            # "by the end of 2022", "since the start of 2023": the year is
            # the anchor and the relation says which side of it counts.
            start, end = _year_bounds(year)
            return start, end, YEAR, relation
        start, end, grain = _narrow_year(year, part)
        return start, end, grain, relation
    return None


_COUNT_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "два": 2, "две": 2,
    "три": 3, "четыре": 4, "пять": 5, "шесть": 6, "семь": 7, "восемь": 8,
    "девять": 9, "десять": 10, "одиннадцать": 11,
}  # fmt: skip


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _COUNT_WORDS[word.lower()]


def _quarter_year(groups: dict, reference: date | None) -> int | None:
    if groups.get("year"):
        return int(groups["year"])
    if groups.get("year_short"):
        return 2000 + int(groups["year_short"])
    if groups.get("this"):
        return _relative_year(groups["this"], reference)
    return reference.year if reference else None


# Words or digits every match of a pattern contains, looked up in the
# case-folded paragraph. Most paragraphs lack most of them, and a pattern
# whose anchor is absent cannot match, so it is not run at all: the
# patterns open with optional groups, which makes the regex engine try
# them at every character, and that was nearly all of extraction's time.
_YEAR_ANCHOR = re.compile(r"1[89]\d\d|20\d\d")
_DIGIT_ANCHOR = re.compile(r"\d")
_QUARTER_ANCHOR = re.compile(r"quarter|q[1-4]|[1-4]q")
_HALF_ANCHOR = re.compile(r"half|h[12]")
_EN_MONTH_ANCHORS = (
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
    "nov", "dec",
)  # fmt: skip
_RU_MONTH_ANCHORS = (
    "январ", "феврал", "март", "апрел", "май", "мая", "мае", "июн", "июл",
    "август", "сентябр", "октябр", "ноябр", "декабр",
)  # fmt: skip
_EN_WEEKDAY_ANCHORS = tuple(_EN_WEEKDAYS)
_RU_WEEKDAY_ANCHORS = (
    "понедельник", "вторник", "сред", "четверг", "пятниц", "суббот",
    "воскресень",
)  # fmt: skip


def _anchors(text: str, language: str) -> set[str]:
    """Which anchor kinds occur in a paragraph (a superset is harmless)."""
    # re.IGNORECASE also lets "i" match the Turkish "İ" and "ı", which
    # case-fold to something else.
    folded = text.replace("İ", "i").replace("ı", "i").casefold()
    found: set[str] = set()
    if _YEAR_ANCHOR.search(text):
        found.add("year")
    if _DIGIT_ANCHOR.search(text):
        found.add("digit")
    if language == "ru":
        months, weekdays = _RU_MONTH_ANCHORS, _RU_WEEKDAY_ANCHORS
        if "квартал" in folded:
            found.add("quarter")
        if "полугоди" in folded:
            found.add("half")
        if "недел" in folded:
            found.add("week")
        if "год" in folded:
            found.add("year_word")
        if "месяц" in folded:
            found.add("months_word")
        if "месяце" in folded or "квартале" in folded:
            found.add("month_word")
        if "сегодня" in folded or "вчера" in folded or "завтра" in folded:
            found.add("day_word")
    else:
        months, weekdays = _EN_MONTH_ANCHORS, _EN_WEEKDAY_ANCHORS
        if _QUARTER_ANCHOR.search(folded):
            found.add("quarter")
        if _HALF_ANCHOR.search(folded):
            found.add("half")
        if "week" in folded:
            found.add("week")
        if "year" in folded:
            found.add("year_word")
        if "months" in folded:
            found.add("months_word")
        if "month" in folded or "quarter" in folded:
            found.add("month_word")
        if "today" in folded or "yesterday" in folded or "tomorrow" in folded:
            found.add("day_word")
    if any(month in folded for month in months):
        found.add("month")
    if any(weekday in folded for weekday in weekdays):
        found.add("weekday")
    return found


# The anchors each pattern needs, all of them.
_REQUIRED_ANCHORS = {
    "weekday_date": ("weekday", "month", "digit"),
    "date": ("month", "digit"),
    "numeric_date": ("year",),
    "month": ("month", "year"),
    "month_no_year": ("month",),
    "quarter": ("quarter",),
    "half_year": ("half",),
    "year_range": ("year",),
    "year": ("year",),
    "relative_week": ("week",),
    "relative_year": ("year_word",),
    "year_to_present": ("year",),
    "first_months": ("months_word",),
    "relative_day": ("day_word",),
    "relative_month": ("month_word",),
}

# Patterns tried only next to their anchors: where the part of a match
# after its optional lead may start. The lead (relation, part of a
# period) is what every such pattern's source opens with, holds no
# anchor, and spans a bounded number of characters, so the leftmost
# place a match may start is the leftmost place a lead ends right at
# the anchor; a match there is what a search would find, and if there
# is none, no lead makes one (the rest depends only on the text from
# the anchor on). The other patterns are rare enough, once gated by
# their anchor words, to run over the paragraph.
_EN_MONTH_START = r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
_DIGIT_RUN = r"\d+"
# Every pattern starting at a digit opens with _LEFT, so its first number
# starts a digit run, and its length is known: a day is one or two
# digits before a space, suffix or dot, a year four digits no digit
# follows. Anchoring on those runs alone skips the quantities.
_DAY_RUN = r"(?<!\d)\d{1,2}(?!\d)"
_YEAR_RUN = r"(?<!\d)(?:1[89]|20)\d\d(?!\d)"
_NUMERIC_DATE_RUN = r"(?<!\d)(?:\d{1,2}\.|(?:1[89]|20)\d\d-)"
_ANCHORED_LEADS: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "date": (_EN_RELATION, rf"{_DAY_RUN}|{_EN_MONTH_START}"),
        "numeric_date": ("", _NUMERIC_DATE_RUN),
        "month": (_EN_RELATION + r"(?:" + _EN_PART + r")?", _EN_MONTH_START),
        "year_range": (r"(?:(?:from|between)\s+)?", _YEAR_RUN),
        "year": (_EN_RELATION + r"(?:" + _EN_PART + r")?", _YEAR_RUN),
    },
    "ru": {
        "date": (_RU_RELATION, _DAY_RUN),
        "numeric_date": ("", _NUMERIC_DATE_RUN),
        "year_range": (r"(?:(?:с|в|на)\s+)?", _YEAR_RUN),
        "year": (_RU_RELATION + _RU_PART + r"?", _YEAR_RUN),
        "relative_year": (
            _RU_RELATION + _RU_PART + r"?",
            r"этого|этом|этот|текущ|следующ|прошл|минувш|прошедш|нынешн|будущ|год",
        ),
    },
}

# More patterns tried only at anchors, their lead being all of the
# pattern's source before a group (or none, ""), so the lead follows the
# pattern when its words change. A lead here may be required: where no
# lead ends at an anchor, nothing matches there. To anchor another
# pattern, or to add a trigger word to one, add it here (the anchor must
# find every place the pattern's rest may start) and to _anchors and
# _REQUIRED_ANCHORS if it is a new kind of word; the tests check that no
# lead holds an anchor and that the anchored search finds what the full
# one does.


def _starts(*words: str) -> str:
    """Every place one of ``words`` starts, overlapping ones too ("2q1").

    Each match is the word's first character (or opening character
    class) with the rest as a lookahead: one character long, so finditer
    tries the next position after it, and opening with a character the
    regex engine can skip to, where a pattern opening with a lookahead
    is tried at every position (three times slower here).
    """
    branches = []
    for word in words:
        split = word.index("]") + 1 if word.startswith("[") else 1
        first, rest = word[:split], word[split:]
        branches.append(first + (f"(?={rest})" if rest else ""))
    return "(?:" + "|".join(branches) + ")"


_EN_WEEKDAY_START = _starts(
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"
)
_RU_WEEKDAY_START = _starts(
    "понедельник", "вторник", "сред", "четверг", "пятниц", "суббот", "воскресень"
)
_RU_MONTH_START = _starts(
    "январ", "феврал", "март", "апрел", "ма[йяе]", "июн", "июл", "август",
    "сентябр", "октябр", "ноябр", "декабр",
)  # fmt: skip
_ANCHORED_BEFORE_GROUP: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "weekday_date": ("", _EN_WEEKDAY_START),
        "month_no_year": ("(?P<month>", _starts(*_EN_MONTH_START.split("|"))),
        "quarter": (
            "(?:(?P<ordinal>",
            _starts(
                "first",
                "second",
                "third",
                "fourth",
                "1st",
                "2nd",
                "3rd",
                "4th",
                "q[1-4]",
                "[1-4]q",
            ),
        ),
        "half_year": ("(?:(?P<ordinal>", _starts("first", "second", "h[12]")),
        "year_to_present": ("", _YEAR_RUN),
        "first_months": ("(?P<which>", _starts("first", "last")),
        "relative_day": ("", _starts("today", "yesterday", "tomorrow")),
        "relative_month": (
            "(?P<which>",
            _starts("this", "next", "last", "previous", "current", "past"),
        ),
        "relative_week": ("(?P<which>", _starts("this", "next", "last")),
    },
    "ru": {
        "weekday_date": ("", _RU_WEEKDAY_START),
        "month": ("(?P<month>", _RU_MONTH_START),
        "month_no_year": ("(?P<month>", _RU_MONTH_START),
        "quarter": (
            "(?:(?P<ordinal>",
            _starts("перв", "втор", "трет", "четв", "[1-4]", "i"),
        ),
        "half_year": ("(?P<ordinal>", _starts("перв", "втор")),
        "year_to_present": ("", _YEAR_RUN),
        "first_months": ("(?P<which>", _starts("перв", "последн")),
        "relative_day": ("", _starts("сегодня", "вчера", "позавчера", "завтра")),
        "relative_month": (
            "(?P<which>",
            _starts("этом", "текущем", "прошлом", "минувшем", "прошедшем", "следующем"),
        ),
        "relative_week": (
            "(?P<which>",
            _starts("этой", "текущей", "следующей", "прошлой"),
        ),
    },
}


def _source_before(language: str, kind: str, group: str) -> str:
    source = dict(_PATTERNS[language])[kind].pattern
    if not group:
        return ""
    return source[: source.index(group)]


for _language, _kinds in _ANCHORED_BEFORE_GROUP.items():
    for _kind, (_group, _anchor) in _kinds.items():
        _ANCHORED_LEADS[_language][_kind] = (
            _source_before(_language, _kind, _group),
            _anchor,
        )


@dataclass(frozen=True)
class _Anchored:
    """A pattern's lead, ending where the search stops, matched case-
    sensitively in the case-folded text; how far it reaches; where the
    rest of the pattern may start."""

    lead: re.Pattern[str]
    reach: int
    anchor: re.Pattern[str]


def _case_sensitive(source: str) -> str:
    """A lowercase pattern for the case-folded text, same matches."""
    if re.search(r"\\[A-Z]", source):
        raise ValueError(f"an uppercase escape would change meaning: {source}")
    return source.lower().replace("(?p<", "(?P<")


def _lead_reach(source: str) -> int:
    """The most characters a lead spans, one separator between words."""
    from re import _parser  # the parser re itself compiles with

    single = source.replace(r"\s+", r"\s").replace(r"[\s\-]+", r"[\s\-]")
    width = _parser.parse(single, _FLAGS).getwidth()[1]
    if width >= _parser.MAXREPEAT:
        raise ValueError(f"a period lead must have a bounded width: {source}")
    return width


def _anchored_patterns() -> dict[str, dict[str, _Anchored]]:
    anchored: dict[str, dict[str, _Anchored]] = {}
    for language, leads in _ANCHORED_LEADS.items():
        patterns = dict(_PATTERNS[language])
        anchored[language] = {}
        for kind, (lead, anchor) in leads.items():
            if not patterns[kind].pattern.startswith(lead):
                raise ValueError(f"{language} {kind} does not open with its lead")
            anchored[language][kind] = _Anchored(
                lead=re.compile(_case_sensitive(lead) + r"\Z", re.VERBOSE),
                reach=_lead_reach(lead),
                anchor=re.compile(anchor),
            )
    return anchored


_ANCHORED = _anchored_patterns()


def _anchored_finditer(
    text: str,
    folded: str,
    pattern: re.Pattern[str],
    anchored: _Anchored,
    slack: int,
) -> Iterator[re.Match[str]]:
    """What ``pattern.finditer(text)`` yields, tried only at anchors.

    ``folded`` is ``case_folded(text)``; ``slack`` is how many characters
    whitespace runs and dashes may add to a lead.
    """
    reach = anchored.reach + slack
    position = 0
    for found in anchored.anchor.finditer(folded):
        anchor = found.start()
        if anchor < position:
            continue
        lead = anchored.lead.search(folded, max(position, anchor - reach), anchor)
        if lead is None:
            continue
        match = pattern.match(text, lead.start())
        if match is not None:
            yield match
            position = match.end()


_PLAIN_LEAD = re.compile(r"(?:(?:in|в|во)\s+)?(?:the\s+)?", re.IGNORECASE)

_YEAR_IN_TEXT = re.compile(r"(?<![\w.,\-])(?:1[89]\d\d|20\d\d)(?![\w\-]|[.,]\d)")


def years_mentioned(text: str) -> set[int]:
    """Four-digit years in the text, the context for year-less dates."""
    return {int(found) for found in _YEAR_IN_TEXT.findall(text)}


_RELATION_BEFORE = {
    "en": re.compile(
        r"(?<![\w-])(?P<relation>by|until|till|through|before|since)\s+\Z",
        re.IGNORECASE,
    ),
    "ru": re.compile(r"(?<![\w-])(?P<relation>к|до|вплоть\s+до)\s+\Z", re.IGNORECASE),
}
# A year before 1950 counts only after a word that makes it one ("in
# 1932", "с 1930", "в 1896 году") or with a part of it ("end of 1938").
_OLD_YEAR_CUE = re.compile(
    r"(?<![\w-])(?:in|since|by|from|until|till|during|before|after|"
    r"в|во|с|со|по|до|к|от|после|между)\s+\Z",
    re.IGNORECASE,
)
_RU_YEAR_AFTER = re.compile(r"\s*(?:года|году|год|г\.|гг\.)", re.IGNORECASE)
# A year that fills a table cell or a line of its own is an infobox value
# ("Основание | 1932", or the label and the year on lines of their own):
# what the row's label says it is, never a count.
_TABLE_CELL_BEFORE = re.compile(r"(?:\A|\|)[ \t]*\Z")
_TABLE_CELL_AFTER = re.compile(r"[ \t]*(?:\[\d{1,3}\][ \t]*)*(?:\||\Z)")


def _year_is_cued(match: re.Match[str], text: str) -> bool:
    year = int(match.group("year"))
    if year >= _MODERN_YEAR_FROM:
        return True
    groups = match.groupdict()
    if groups.get("relation") or groups.get("part") or groups.get("part2"):
        return True
    if _RU_YEAR_AFTER.match(text, match.end("year")):
        return True
    if _TABLE_CELL_BEFORE.search(text, 0, match.start("year")) and (
        _TABLE_CELL_AFTER.match(text, match.end("year"))
    ):
        return True
    return _OLD_YEAR_CUE.search(text, 0, match.start("year")) is not None


# "today" names the day of the reported event ("You are launching
# production today", "Today is a great day") unless it means nowadays:
# "Today, KAMAZ is …", "as of today", "what we have today.", "today we
# account for …" (present tense of a state).
_NOWADAYS_BEFORE = re.compile(
    r"(?<![\w-])(?:as\s+of|even|still|until|till|of|to|up\s+to|на|до|и)\s+\Z",
    re.IGNORECASE,
)
_PRONOUN_VERB_AFTER = re.compile(
    r"\s+(?:we|they|it|he|she|i|you)\s+(?P<verb>[a-z]+)", re.IGNORECASE
)
_PAST_TENSE_IRREGULAR = {
    "saw", "was", "were", "had", "made", "took", "gave", "came", "went",
    "got", "met", "began", "won", "heard", "held", "signed", "opened",
    "did", "said", "told", "found", "brought", "built", "sold", "became",
}  # fmt: skip


# "что будет завтра" (what tomorrow holds), "what tomorrow brings": the
# word stands for the future as such, not for the day after the report.
_FUTURE_AS_SUCH_BEFORE = re.compile(
    r"(?<![\w-])(?:что|как|чем)\s+(?:нас\s+|нам\s+)?(?:будет|ждёт|ждет|"
    r"принесёт|принесет|готовит)\s+\Z|(?<![\w-])what\s+(?:will\s+happen|"
    r"happens|comes|lies\s+ahead)\s+\Z",
    re.IGNORECASE,
)
_FUTURE_AS_SUCH_AFTER = re.compile(
    r"\s+(?:holds|brings|will\s+bring|may\s+bring)(?![\w-])", re.IGNORECASE
)


def _names_the_day(match: re.Match[str], text: str) -> bool:
    word = match.group("which").lower()
    if word in ("tomorrow", "завтра") and (
        _FUTURE_AS_SUCH_BEFORE.search(text, 0, match.start())
        or _FUTURE_AS_SUCH_AFTER.match(text, match.end())
    ):
        return False
    if word not in ("today", "сегодня"):
        return True
    after = text[match.end() :]
    if re.match(r"\s*(?:,|[.!?](?:\s|$)|$)", after):
        # "Today, X toured …" and "the plant we were in today." report the
        # event's day by a past-tense verb; "to participate today." by the
        # act it names. "Today, KAMAZ is …" and "what we have today." state
        # how things are now.
        if after.lstrip().startswith(","):
            clause = re.match(r"[^.!?;:]*", after.lstrip()[1:]).group()
        else:
            clause = re.split(r"[.!?;:,]", text[: match.start()])[-1]
            if re.search(r"\bto\s+[a-z]+\s+\Z", clause):
                return True
        # Lower-case words only: "Advanced" in a name is no verb.
        words = re.findall(r"(?<![\w'’])[a-z]+", clause)
        if any(word in ("is", "are", "am", "have", "has") for word in words):
            return False
        return any(
            (word.endswith("ed") and len(word) > 4) or word in _PAST_TENSE_IRREGULAR
            for word in words
        )
    if _NOWADAYS_BEFORE.search(text, 0, match.start()):
        return False
    verb = _PRONOUN_VERB_AFTER.match(text, match.end())
    if verb is not None:
        tense = verb.group("verb").lower()
        # "Today we received …" reports the day; "today we account for
        # negligible shares" states how things are.
        return tense.endswith("ed") or tense in _PAST_TENSE_IRREGULAR
    return True


_SENTENCE_BREAK = re.compile(r"[.!?…](?=\s+[\"«(]?[A-ZА-ЯЁ0-9])")


def _sentence_reference(
    kind: str, match: re.Match[str], text: str, reference: date | None
) -> date | None:
    """A day and month without a year take the year their sentence names
    before them ("began in 1969: on December 13"), else the publication
    year."""
    if kind != "date" or match.groupdict().get("year"):
        return reference
    sentence_start = 0
    for found in _SENTENCE_BREAK.finditer(text, 0, match.start()):
        sentence_start = found.end()
    years = {
        int(year) for year in _YEAR_IN_TEXT.findall(text, sentence_start, match.start())
    }
    if len(years) != 1:
        return reference
    return date(years.pop(), 1, 1)


def find_periods(
    text: str,
    language: str,
    offset: int = 0,
    reference: date | None = None,
    context_years: Iterable[int] = (),
) -> list[Period]:
    """Every date or period in ``text`` (one paragraph), longest first wins.

    ``offset`` is added to every span so that spans index the whole
    article; ``reference`` is the publication date, when known.
    """
    context_years = tuple(context_years)
    candidates: list[tuple[int, int, str, re.Match[str]]] = []
    language = "ru" if language == "ru" else "en"
    anchors = _anchors(text, language)
    folded = case_folded(text)
    slack = len(text) - len(" ".join(text.split())) + text.count("-")
    anchored = _ANCHORED[language]
    for kind, pattern in _PATTERNS[language]:
        if not all(anchor in anchors for anchor in _REQUIRED_ANCHORS[kind]):
            continue
        matches = (
            _anchored_finditer(text, folded, pattern, anchored[kind], slack)
            if kind in anchored
            else pattern.finditer(text)
        )
        for match in matches:
            if match.end() > match.start():
                candidates.append((match.start(), match.end(), kind, match))
    periods: list[Period] = []
    for start, end, kind, match in sorted(
        candidates, key=lambda item: (-(item[1] - item[0]), item[0])
    ):
        if any(
            start < period.end - offset and period.start - offset < end
            for period in periods
        ):
            continue
        if kind == "year" and not _year_is_cued(match, text):
            continue
        if kind == "relative_day" and not _names_the_day(match, text):
            continue
        resolved = _resolve(
            kind,
            match,
            _sentence_reference(kind, match, text, reference),
            context_years,
        )
        if resolved is None:
            continue
        period_start, period_end, grain, relation = resolved
        if kind in ("year_range", "numeric_date", "year_to_present"):
            # These patterns hold no relation word; "by 2011–2012" has one
            # right before them.
            before = _RELATION_BEFORE[language].search(text, 0, start)
            if before is not None and relation == IN:
                relation = _relation(before.group("relation"))
                start = before.start("relation")
        surface = text[start:end]
        # Plain "in"/"в" and an article add nothing the relation does not
        # say, so the span starts at the period itself.
        leading = _PLAIN_LEAD.match(surface)
        if leading:
            start += leading.end()
            surface = surface[leading.end() :]
        stripped = surface.rstrip(" ,")
        end = start + len(stripped)
        periods.append(
            Period(
                start=start + offset,
                end=end + offset,
                text=stripped,
                period_start=period_start,
                period_end=period_end,
                grain=grain,
                relation=relation,
            )
        )
    periods.sort(key=lambda period: period.start)
    return periods

"""Figures in article text: numbers with their scale, unit and qualifier.

A figure is a number written in digits or words ("50,000", "3,97 млрд",
"двух тысяч", "two"), optionally with a qualifier before it ("up to",
"не менее"), a second number making a range ("20 to 22", "20–22",
"от 9 до 20-22"), a scale word ("million", "млн", "bn") and a unit
("vehicles", "автомобилей", "rubles", "$", "%", "kWh", "раза").

The grammar is written with the standard ``re`` module: one compiled
pattern per language, built once. The decimal separator depends on the
language of the paragraph: in Russian "3,97" is 3.97, in English
"50,000" is fifty thousand.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import lru_cache

from ingest.morphology import (
    case_folded,
    genitive_singular_only,
    lexeme_forms,
    word_trie_pattern,
)

EXACT = "exact"
UP_TO = "up_to"
AT_LEAST = "at_least"
MORE_THAN = "more_than"
LESS_THAN = "less_than"
APPROX = "approx"
QUALIFIERS = (EXACT, UP_TO, AT_LEAST, MORE_THAN, LESS_THAN, APPROX)


@dataclass(frozen=True)
class Figure:
    """A number found in the text, normalised, with its exact span."""

    start: int
    end: int
    text: str
    value_low: float
    value_high: float
    unit: str | None
    currency: str | None
    qualifier: str
    period_start: date | None = None
    period_end: date | None = None


# ---------------------------------------------------------- vocabulary

_EN_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
    "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "dozen": 12,
}  # fmt: skip

_RU_NUMBER_LEMMAS = {
    "ноль": 0, "один": 1, "два": 2, "три": 3, "четыре": 4, "пять": 5,
    "шесть": 6, "семь": 7, "восемь": 8, "девять": 9, "десять": 10,
    "одиннадцать": 11, "двенадцать": 12, "тринадцать": 13,
    "четырнадцать": 14, "пятнадцать": 15, "шестнадцать": 16,
    "семнадцать": 17, "восемнадцать": 18, "девятнадцать": 19,
    "двадцать": 20, "тридцать": 30, "сорок": 40, "пятьдесят": 50,
    "шестьдесят": 60, "семьдесят": 70, "восемьдесят": 80,
    "девяносто": 90, "сто": 100, "двести": 200, "триста": 300,
    "четыреста": 400, "пятьсот": 500, "шестьсот": 600, "семьсот": 700,
    "восемьсот": 800, "девятьсот": 900, "полтора": 1.5, "пара": 2,
    "десяток": 10, "дюжина": 12,
}  # fmt: skip

# Scale words multiply the number before them.
_EN_SCALES = {
    "thousand": 1e3, "thousands": 1e3, "k": 1e3, "million": 1e6,
    "millions": 1e6, "mln": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9,
    "billions": 1e9, "bn": 1e9, "bln": 1e9, "b": 1e9, "trillion": 1e12,
    "tn": 1e12, "trn": 1e12,
}  # fmt: skip
_RU_SCALE_LEMMAS = {"тысяча": 1e3, "миллион": 1e6, "миллиард": 1e9, "триллион": 1e12}
_RU_SCALE_ABBREVIATIONS = {
    "тыс": 1e3, "тыс.": 1e3, "млн": 1e6, "млн.": 1e6, "млрд": 1e9,
    "млрд.": 1e9, "трлн": 1e12, "трлн.": 1e12,
}  # fmt: skip

# Unit nouns of the field, by the unit they normalise to. Russian nouns
# are listed by lemma and inflected with pymorphy3 when the grammar is
# first built.
_EN_UNITS = {
    "vehicles": r"vehicles?|cars?|units?|trucks?|lorries|buses|bus|vans?|"
    r"evs?|autos?|automobiles?|pickups?|suvs?|crossovers?|sedans?|"
    r"motorcycles?|tractors?|machines",
    "vehicle_kits": r"(?:vehicle\s+)?kits?",
    "models": r"models?|nameplates?",
    "brands": r"brands?|marques?",
    "plants": r"plants?|factories|factory|sites?|facilit(?:y|ies)",
    "dealers": r"dealers(?:hips)?|dealerships?|showrooms?",
    "jobs": r"jobs?|workplaces?|positions",
    "people": r"employees?|workers?|people|staff|persons?|specialists?|"
    # People counted by what they are: "two senators", "two children".
    r"senators?|congress(?:wo)?m[ae]n|lawmakers?|legislators?|children|"
    r"kids|residents?|citizens?|voters?|engineers?|students?|officials?|"
    # People counted by a demonym: "34,000 Australians", "Americans".
    r"(?-i:[A-Z][a-z]+(?:ans|ese)|Britons)",
    "percent": r"%|percent|per\s+cent|percentage\s+points?|pp",
    "times": r"times|fold|-fold",
    "kwh": r"kwh|kilowatt[\s-]hours?",
    "gwh": r"gwh|gigawatt[\s-]hours?",
    "kw": r"kw|kilowatts?",
    "mw": r"mw|megawatts?",
    "horsepower": r"hp|horsepower|bhp",
    "km": r"km|kilometres?|kilometers?",
    "meters": r"metres?|meters?",
    "square_meters": r"square\s+(?:metres?|meters?)|sq\.?\s*m|m2|m²",
    "hectares": r"hectares?|ha",
    "tonnes": r"tonnes?|tons?",
    "years": r"years?",
    "months": r"months?",
}
_RU_UNIT_LEMMAS = {
    "vehicles": (
        "автомобиль", "машина", "автомашина", "электромобиль", "грузовик",
        "автобус", "единица", "штука", "легковушка", "кроссовер", "седан",
        "внедорожник", "пикап", "электрокар", "мотоцикл", "трактор",
        "автомобилей", "экземпляр", "такси", "маршрутка", "микроавтобус",
        "фургон", "минивэн", "самосвал", "тягач", "автокран",
    ),
    "vehicle_kits": ("машинокомплект", "автокомплект"),
    "models": ("модель",),
    "brands": ("бренд", "марка"),
    "plants": ("завод", "предприятие", "площадка", "автозавод"),
    "dealers": ("дилер", "дилерский", "автосалон"),
    "jobs": ("рабочий место",),
    "people": ("сотрудник", "работник", "человек", "специалист"),
    "percent": ("процент",),
    "times": ("раз",),
    "tonnes": ("тонна",),
    "hectares": ("гектар",),
    "km": ("километр",),
    "meters": ("метр",),
    "years": ("год", "лет"),
    "months": ("месяц",),
}  # fmt: skip
_RU_UNIT_EXTRA = {
    "vehicles": r"шт\.?|ед\.",
    "percent": r"%|п\.\s?п\.|процентн\w+\s+пункт\w*",
    "jobs": r"рабочих\s+мест|рабочие\s+места|рабочим\s+местам",
    "kwh": r"квт[·*⋅\s]?ч(?:ас\w*)?\.?",
    "gwh": r"гвт[·*⋅\s]?ч(?:ас\w*)?\.?",
    "kw": r"квт",
    "mw": r"мвт",
    "horsepower": r"л\.\s?с\.|лошадин\w+\s+сил\w*",
    "km": r"км",
    "square_meters": r"кв\.\s?м\.?|квадратн\w+\s+метр\w*|м2|м²",
    "hectares": r"га",
    "years": r"лет|года?|году",
}

# Currencies by code, symbol and word.
_CURRENCY_SYMBOLS = {
    "$": "USD", "us$": "USD", "€": "EUR", "₽": "RUB", "¥": "CNY",
    "£": "GBP", "₩": "KRW", "₹": "INR", "₸": "KZT",
}  # fmt: skip
_CURRENCY_CODES = (
    "USD", "EUR", "RUB", "CNY", "RMB", "KRW", "JPY", "GBP", "KZT", "INR",
    "UZS", "BYN", "TRY", "AED",
)  # fmt: skip
_EN_CURRENCY_WORDS = {
    "RUB": r"rubles?|roubles?", "USD": r"(?:us\s+)?dollars?",
    "EUR": r"euros?", "CNY": r"yuan|renminbi", "KRW": r"won",
    "JPY": r"yen", "KZT": r"tenge", "INR": r"rupees?",
    "GBP": r"pounds?(?:\s+sterling)?", "UZS": r"sums?|soums?",
}  # fmt: skip
_RU_CURRENCY_LEMMAS = {
    "RUB": ("рубль",), "USD": ("доллар",), "CNY": ("юань",),
    "KZT": ("тенге",), "KRW": ("вона",), "JPY": ("иена",),
}  # fmt: skip
_RU_CURRENCY_EXTRA = {
    "RUB": r"руб\.?|р\.",
    "USD": r"долл\.?",
    "EUR": r"евро",
}

_EN_QUALIFIERS = {
    UP_TO: r"up\s+to|as\s+many\s+as|no\s+more\s+than|not\s+more\s+than|"
    r"a\s+maximum\s+of|maximum\s+of|at\s+most|max\.?",
    AT_LEAST: r"at\s+least|no\s+less\s+than|not\s+less\s+than|"
    r"no\s+fewer\s+than|a\s+minimum\s+of|minimum\s+of|min\.?",
    MORE_THAN: r"more\s+than|over|above|in\s+excess\s+of|upwards\s+of|"
    r"exceeding|greater\s+than|north\s+of|beyond",
    LESS_THAN: r"less\s+than|fewer\s+than|under|below|just\s+under",
    APPROX: r"about|around|approximately|approx\.?|roughly|some|nearly|"
    r"almost|close\s+to|an\s+estimated|estimated|circa|~|just\s+over",
}
_RU_QUALIFIERS = {
    UP_TO: r"до|не\s+более(?:\s+чем)?|не\s+больше|максимум|не\s+свыше|"
    r"вплоть\s+до",
    AT_LEAST: r"не\s+менее|не\s+меньше|как\s+минимум|минимум|"
    r"по\s+меньшей\s+мере|по\s+крайней\s+мере",
    MORE_THAN: r"более(?:\s+чем)?|больше(?:\s+чем)?|свыше|сверх|"
    r"более\s+чем\s+на|больше\s+чем\s+на",
    LESS_THAN: r"менее|меньше|не\s+достигая",
    APPROX: r"около|примерно|порядка|приблизительно|почти|ориентировочно|"
    r"почти\s+что|чуть\s+более|чуть\s+больше|чуть\s+менее|"
    r"чуть\s+меньше|около\s+того|в\s+районе|в\s+среднем",
}

# Words that may stand between a number and its unit noun ("50,000 new
# cars", "450 thousand electric cars", "тыс. легковых автомобилей") must
# not be function words, or "50 of the cars" would read as a unit.
_EN_STOP = (
    r"in|on|at|to|of|and|or|by|for|from|the|a|an|with|as|per|than|this|"
    r"that|which|who|is|are|was|were|be|been|will|would|each|its|their|"
    r"respectively|year|years|month|months|from"
)
_RU_STOP = (
    r"в|во|на|с|со|и|или|по|до|от|из|за|к|для|при|о|об|а|но|что|как|это|"
    r"году|года|год|лет|соответственно|тыс|млн|млрд"
)

_SEPARATORS_EN = r"[-–—]|to|and|or"
_SEPARATORS_RU = r"[-–—]|до|и|или|по"


def _ru_forms(lemmas: tuple[str, ...] | list[str]) -> list[str]:
    forms: set[str] = set()
    for lemma in lemmas:
        if " " in lemma:
            continue
        forms |= lexeme_forms(lemma)
    return sorted(forms)


@lru_cache(maxsize=1)
def _russian_vocabulary() -> dict[str, dict[str, float | str]]:
    numbers: dict[str, float | str] = {}
    for lemma, value in _RU_NUMBER_LEMMAS.items():
        for form in lexeme_forms(lemma):
            numbers.setdefault(form, value)
    # "одна", "одну", "одной": the feminine of один is its own lemma.
    for form in ("одна", "одну", "одной", "одно", "одним", "одного", "одному", "одном"):
        numbers.setdefault(form, 1)
    for form in ("две", "двух", "двум", "двумя", "полторы", "полутора"):
        numbers.setdefault(form, 1.5 if form.startswith("пол") else 2)
    scales: dict[str, float | str] = {}
    for lemma, value in _RU_SCALE_LEMMAS.items():
        for form in lexeme_forms(lemma):
            scales[form] = value
    scales.update(_RU_SCALE_ABBREVIATIONS)
    units: dict[str, float | str] = {}
    for unit, lemmas in _RU_UNIT_LEMMAS.items():
        for form in _ru_forms(lemmas):
            units.setdefault(form, unit)
    currencies: dict[str, float | str] = {}
    for code, lemmas in _RU_CURRENCY_LEMMAS.items():
        for form in _ru_forms(lemmas):
            currencies[form] = code
    return {
        "numbers": numbers,
        "scales": scales,
        "units": units,
        "currencies": currencies,
    }


@dataclass(frozen=True)
class _Grammar:
    figure: re.Pattern[str]
    # The figure's lead (qualifier, range opener, currency prefix) ending
    # at the end of the searched text, how many characters it spans at
    # most when words are one whitespace character apart, and where a
    # first number may start, searched in the case-folded text.
    lead: re.Pattern[str]
    lead_reach: int
    number_start: re.Pattern[str]
    number_words: dict[str, float]
    scales: dict[str, float]
    unit_words: dict[str, str]
    unit_patterns: tuple[tuple[str, re.Pattern[str]], ...]
    currency_words: dict[str, str]
    currency_patterns: tuple[tuple[str, re.Pattern[str]], ...]
    qualifier_patterns: tuple[tuple[str, re.Pattern[str]], ...]
    unit_before: re.Pattern[str]
    language: str


def _longest_match(pattern: str, flags: re.RegexFlag) -> int:
    """The most characters a match can span, one whitespace between words."""
    from re import _parser  # the parser re itself compiles with

    single_spaced = pattern.replace(r"\s+", r"\s")
    width = _parser.parse(single_spaced, flags).getwidth()[1]
    if width >= _parser.MAXREPEAT:
        raise ValueError("a figure lead must have a bounded width")
    return width


def _case_folded_keys(words: dict[str, float]) -> list[str]:
    return sorted({case_folded(word) for word in words})


def _alternation(patterns: list[str]) -> str:
    return "(?:" + "|".join(f"(?:{pattern})" for pattern in patterns) + ")"


@lru_cache(maxsize=2)
def grammar(language: str) -> _Grammar:
    """The compiled figure grammar for 'en' or 'ru', built on first use."""
    flags = re.IGNORECASE | re.VERBOSE
    if language == "ru":
        vocabulary = _russian_vocabulary()
        number_words = {k: float(v) for k, v in vocabulary["numbers"].items()}
        scales = {k: float(v) for k, v in vocabulary["scales"].items()}
        unit_words = {k: str(v) for k, v in vocabulary["units"].items()}
        currency_words = {k: str(v) for k, v in vocabulary["currencies"].items()}
        unit_patterns = dict(_RU_UNIT_EXTRA)
        currency_patterns = dict(_RU_CURRENCY_EXTRA)
        qualifiers = _RU_QUALIFIERS
        # A digit run is never cut short: "1990s" is no "199", "50th" no
        # "5", "16-ступенчатой" no "1".
        digits = (
            r"(?:\d{1,3}(?:[\u00a0\u202f\u2009 ]\d{3})+(?:,\d+)?"
            r"|\d+(?:[.,]\d+)?)(?!\d)"
        )
        separators = _SEPARATORS_RU
        range_openers = r"от|с|между"
        stop = _RU_STOP
        word_number = word_trie_pattern(number_words)
        number_word_sequence = rf"(?:{word_number})(?:\s+(?:{word_number}))*"
        scale_pattern = (
            r"\s*(?:"
            + word_trie_pattern([key for key in scales if not key.endswith(".")])
            + r")\.?"
        )
    else:
        number_words = {k: float(v) for k, v in _EN_NUMBER_WORDS.items()}
        scales = dict(_EN_SCALES)
        unit_words = {}
        currency_words = {}
        unit_patterns = {}
        currency_patterns = dict(_EN_CURRENCY_WORDS)
        qualifiers = _EN_QUALIFIERS
        digits = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?!\d)"
        separators = _SEPARATORS_EN
        range_openers = r"from|between"
        stop = _EN_STOP
        word_number = word_trie_pattern(number_words)
        number_word_sequence = (
            rf"(?:{word_number})(?:[\s-]+(?:and\s+)?(?:{word_number}))*"
        )
        # Single-letter scales only when glued to the number ("$5bn",
        # "$300m"); spelled-out ones may follow a space.
        scale_pattern = (
            r"(?:(?<=\d)(?:bn|mn|mln|bln|m|k|b|tn|trn)|"
            r"\s*(?:thousand|million|billion|trillion|bn|mln|bln|mn|tn|trn))"
        )
        for unit, pattern in _EN_UNITS.items():
            unit_patterns[unit] = pattern
    for unit, pattern in _EN_UNITS.items() if language == "ru" else []:
        # Russian articles quote English units too ("50 GWh", "kWh").
        if unit in ("kwh", "gwh", "kw", "mw", "percent"):
            unit_patterns.setdefault(unit, pattern)
            unit_patterns[unit] = unit_patterns[unit] + "|" + pattern
    compiled_units = tuple(
        (unit, re.compile(rf"(?:{pattern})(?![^\W\d_])", flags))
        for unit, pattern in unit_patterns.items()
    )
    compiled_currencies = tuple(
        (code, re.compile(rf"(?:{pattern})(?![^\W\d_])", flags))
        for code, pattern in currency_patterns.items()
    )
    compiled_qualifiers = tuple(
        (name, re.compile(rf"(?:{pattern})$", flags))
        for name, pattern in qualifiers.items()
    )
    unit_alternation = _alternation(
        ([word_trie_pattern(unit_words)] if unit_words else [])
        + list(unit_patterns.values())
    )
    currency_alternation = _alternation(
        ([word_trie_pattern(currency_words)] if currency_words else [])
        + list(currency_patterns.values())
        + [code for code in _CURRENCY_CODES]
    )
    symbol = r"(?:us\$|[$€₽¥£₩₹₸])"
    code = "(?:" + "|".join(_CURRENCY_CODES) + ")"
    qualifier_alternation = _alternation(list(qualifiers.values()))
    # "два с половиной", "two and a half": a half added to the number.
    half = r"\s+с\s+половиной" if language == "ru" else r"\s+and\s+a\s+half"
    number = rf"(?:(?:{digits}|{number_word_sequence})(?:{half})?)"
    # What may stand before the first number; a figure's first number is
    # its anchor, and the lead is how far before it the match may start.
    lead = rf"""
        (?:(?P<qualifier>{qualifier_alternation})(?:\s+|(?<=~)))?
        (?:(?P<opener>{range_openers})\s+)?
        (?:(?P<prefix1>{symbol}|{code}\s?))?
    """
    figure = (
        lead
        + rf"""
        (?<![\w.,\-‑/:])(?P<number1>{number})(?!-[^\W\d_])
        (?P<scale1>{scale_pattern}(?![^\W\d_]))?
        (?:
            \s*(?P<separator>{separators})\s*
            (?:(?P<prefix2>{symbol}|{code}\s?))?
            (?P<number2>{number})(?!-[^\W\d_])
            (?P<scale2>{scale_pattern}(?![^\W\d_]))?
            (?:[-–—](?P<number3>{digits}))?
        )?
        (?![^\W\d_]|[.,/]\d|:\d)
        (?:
            # Adjectives and model names between a number and its noun:
            # "4,000 highly skilled new jobs", "6,000 good-paying, union
            # jobs", "five KAMAZ-5320 trucks".
            (?P<gap>(?:,?\s+(?!(?:{stop})\b)[^\W\d_]\w*(?:-\w+)*){{0,5}}?)
            \s*(?:
                (?P<suffix_symbol>{symbol})
              | (?P<currency>{currency_alternation})(?![^\W\d_])
              | (?P<unit>{unit_alternation})(?![^\W\d_])
            )
        )?
    """
    )
    # "the output of different models from the current nine to a range of
    # 20 to 22": the unit is named once, before "from", for both figures.
    from_word = r"from|с|от" if language == "ru" else r"from"
    to_word = r"до|по" if language == "ru" else r"to"
    unit_before = rf"""
        (?<![^\W\d_])(?P<unit>{unit_alternation})\s+(?:{from_word})\b
        (?:[^.;!?]{{0,60}}?\b(?:{to_word})\b)?
        (?:\s+[^\W\d_]+){{0,3}}\s*$
    """
    return _Grammar(
        figure=re.compile(figure, flags),
        lead=re.compile(lead + r"\Z", flags),
        lead_reach=_longest_match(lead, flags),
        number_start=re.compile(
            r"\d|" + word_trie_pattern(_case_folded_keys(number_words))
        ),
        unit_before=re.compile(unit_before, flags),
        number_words=number_words,
        scales=scales,
        unit_words=unit_words,
        unit_patterns=compiled_units,
        currency_words=currency_words,
        currency_patterns=compiled_currencies,
        qualifier_patterns=compiled_qualifiers,
        language=language,
    )


# -------------------------------------------------------------- values


def _digits_value(text: str, language: str) -> float:
    compact = re.sub(r"[\u00a0\u202f\u2009 ]", "", text)
    if language == "ru":
        return float(compact.replace(",", "."))
    return float(compact.replace(",", ""))


def _scaled(value: float, scale: float) -> float:
    """value × scale in decimal: 8.3 million is 8300000, not the binary
    float product 8300000.000000001."""
    return float(Decimal(repr(value)) * Decimal(repr(scale)))


def _words_value(text: str, number_words: dict[str, float]) -> float | None:
    total = 0.0
    current = 0.0
    for word in re.split(r"[\s-]+", text.lower()):
        if word in ("and", ""):
            continue
        value = number_words.get(word)
        if value is None:
            value = number_words.get(word.replace("ё", "е"))
        if value is None:
            return None
        if value == 100 and word in ("hundred",):
            current = (current or 1) * 100
        elif value == 12 and word == "dozen":
            current = (current or 1) * 12
        else:
            current += value
    return total + current


_AND_A_HALF = re.compile(r"\s+(?:с\s+половиной|and\s+a\s+half)\Z", re.IGNORECASE)


def _number_value(text: str, grammar_: _Grammar) -> float | None:
    half = _AND_A_HALF.search(text)
    if half is not None:
        whole = _number_value(text[: half.start()], grammar_)
        return None if whole is None else whole + 0.5
    if text[0].isdigit():
        return _digits_value(text, grammar_.language)
    return _words_value(text, grammar_.number_words)


def _scale_value(text: str | None, grammar_: _Grammar) -> float:
    if not text:
        return 1.0
    key = text.strip().lower()
    return grammar_.scales.get(key, grammar_.scales.get(key.rstrip("."), 1.0))


def _symbol_currency(text: str | None) -> str | None:
    if not text:
        return None
    key = text.strip().lower()
    if key in _CURRENCY_SYMBOLS:
        return _CURRENCY_SYMBOLS[key]
    upper = key.upper()
    if upper == "RMB":
        return "CNY"
    return upper if upper in _CURRENCY_CODES else None


def _classify(text: str, table: tuple[tuple[str, re.Pattern[str]], ...]) -> str | None:
    for name, pattern in table:
        if pattern.fullmatch(text):
            return name
    return None


def _unit_of(surface: str, grammar_: _Grammar) -> str | None:
    key = surface.lower()
    if key in grammar_.unit_words:
        return grammar_.unit_words[key]
    return _classify(surface, grammar_.unit_patterns)


def _currency_of(surface: str, grammar_: _Grammar) -> str | None:
    key = surface.lower()
    if key in grammar_.currency_words:
        return grammar_.currency_words[key]
    code = _symbol_currency(surface)
    if code:
        return code
    return _classify(surface, grammar_.currency_patterns)


def _qualifier_of(surface: str | None, grammar_: _Grammar) -> str:
    if not surface:
        return EXACT
    normalised = " ".join(surface.lower().split())
    return _classify(normalised, grammar_.qualifier_patterns) or EXACT


# ------------------------------------------------------------- finding


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < span_end and span_start < end for span_start, span_end in spans)


def _figure_from_match(
    match: re.Match[str],
    text: str,
    offset: int,
    grammar_: _Grammar,
    blocked: list[tuple[int, int]],
) -> tuple[Figure | None, int]:
    """Turn one grammar match into a figure; return it and where to go on."""
    groups = match.groupdict()
    number1 = groups["number1"]
    is_word1 = not number1[0].isdigit()
    value1 = _number_value(number1, grammar_)
    if value1 is None:
        return None, match.end("number1")
    scale1 = _scale_value(groups.get("scale1"), grammar_)
    value_low = value_high = _scaled(value1, scale1)
    start = match.start()
    end = match.end("scale1") if groups.get("scale1") else match.end("number1")
    prefix = groups.get("prefix1")
    currency = _symbol_currency(prefix)
    has_range = bool(groups.get("number2"))
    separator = (groups.get("separator") or "").lower()
    opener = (groups.get("opener") or "").lower()
    if (
        has_range
        and separator in ("and", "и", "or", "или")
        and opener
        not in (
            "between",
            "между",
        )
    ):
        # "50,000 and 100,000" are two figures, not a range.
        has_range = False
    if has_range and _overlaps(
        match.start("number2") + offset, match.end("number2") + offset, blocked
    ):
        has_range = False
    if has_range:
        value2 = _number_value(groups["number2"], grammar_)
        if value2 is None:
            has_range = False
        else:
            scale2 = _scale_value(groups.get("scale2"), grammar_)
            if groups.get("scale2") is None and groups.get("scale1") is None:
                scale2 = scale1
            if groups.get("scale1") is None and groups.get("scale2"):
                # "20 to 30 million": the scale belongs to both ends.
                scale1 = scale2
                value_low = _scaled(value1, scale1)
            value_high = _scaled(value2, scale2)
            if groups.get("number3"):
                value_high = _scaled(
                    _digits_value(groups["number3"], grammar_.language), scale2
                )
            end = max(
                match.end(name)
                for name in ("number2", "scale2", "number3")
                if groups.get(name)
            )
            currency = currency or _symbol_currency(groups.get("prefix2"))
            if value_high < value_low:
                has_range = False
                value_high = value_low
                end = (
                    match.end("scale1")
                    if groups.get("scale1")
                    else match.end("number1")
                )
    unit = None
    if groups.get("suffix_symbol"):
        currency = _symbol_currency(groups["suffix_symbol"])
        end = match.end("suffix_symbol")
    elif groups.get("currency"):
        currency = _currency_of(groups["currency"], grammar_)
        end = match.end("currency")
    elif groups.get("unit"):
        unit = _unit_of(groups["unit"], grammar_)
        end = match.end("unit")
        if (
            grammar_.language == "ru"
            and not has_range
            and not groups.get("scale1")
            and not groups.get("qualifier")
            and not opener
            and not prefix
            and _is_russian_ordinal(text, match.start("number1"), number1, groups)
        ):
            return None, match.end("number1")
    if currency:
        unit = "currency"
    if unit is None and currency is None:
        before = grammar_.unit_before.search(text, max(0, start - 120), start)
        if before is not None:
            unit = _unit_of(before.group("unit"), grammar_)
    if unit is None and currency is None and not has_range:
        unit = _table_label_unit(text, start, end, grammar_)
    qualifier = _qualifier_of(groups.get("qualifier"), grammar_)
    if not groups.get("qualifier") and opener in ("от",) and not has_range:
        qualifier = AT_LEAST
    if not groups.get("qualifier") and opener and not has_range:
        # "from 50 cars" without a second number: the opener is no range,
        # so leave it out of the span.
        start = match.start("number1") if not prefix else match.start("prefix1")
        if opener not in ("от",):
            qualifier = EXACT
    if (
        has_range
        and qualifier in (UP_TO,)
        and groups.get("qualifier", "").lower() == "до"
    ):
        qualifier = EXACT
    if unit == "km":
        speed = _PER_HOUR.match(text, end)
        if speed is not None:
            # "30 to 50 kilometres per hour" is a speed, outside the
            # vocabulary: the unit is unnamed, the span takes "per hour".
            unit = None
            end = speed.end()
    if unit in _COUNTED_NOUN_UNITS and value_low != 1:
        # "12 large vehicle production facilities": a singular unit noun
        # before another noun is a modifier; the count is of the last one.
        head = _compound_head(text, end, grammar_)
        if head is not None:
            unit, end = head
    bare = not (unit or currency or groups.get("scale1") or groups.get("qualifier"))
    if is_word1 and not has_range and bare:
        # Number words alone ("one of them") are not figures, but a number
        # word counting a plural noun is, without a vocabulary unit ("four
        # announcements").
        # After a determiner the number refers to a known set ("our two
        # countries", "the two companies") rather than counting.
        plural = _PLURAL_NOUN.match(text, end)
        determiner = _DETERMINER_BEFORE.search(text, 0, start)
        if (
            grammar_.language != "en"
            or value_low < 2
            or plural is None
            or determiner is not None
        ):
            return None, match.end("number1")
        end = plural.end()
    if bare and not is_word1 and not has_range and not opener and not prefix:
        if _not_a_quantity(text, match.start("number1"), end, groups["number1"]):
            return None, match.end("number1")
    if unit == "years" and not is_word1 and 1900 <= value_low <= 2100:
        return None, match.end("number1")
    surface = text[start:end]
    return (
        Figure(
            start=start + offset,
            end=end + offset,
            text=surface,
            value_low=value_low,
            value_high=value_high,
            unit=unit,
            currency=currency,
            qualifier=qualifier,
        ),
        end,
    )


# A number in a table cell ("Число работников | 4378[1] |") counts what
# the row's label names when the label holds a unit noun.
_TABLE_LABEL_BEFORE = re.compile(r"(?:^|\|)(?P<label>[^|\n]{1,80})\|[ \t]*\Z")
_TABLE_CELL_END = re.compile(r"[ \t]*(?:\[\d{1,3}\][ \t]*)*(?:\||$)", re.MULTILINE)


def _table_label_unit(
    text: str, start: int, end: int, grammar_: _Grammar
) -> str | None:
    row = _TABLE_LABEL_BEFORE.search(text, max(0, start - 82), start)
    if row is None or _TABLE_CELL_END.match(text, end) is None:
        return None
    for word in re.findall(r"[^\W\d_]+", row.group("label")):
        unit = _unit_of(word, grammar_)
        if unit is not None:
            return unit
    return None


# Words before a number that govern its case ("для 21 автомобиля",
# "из 101 машины"): an oblique case makes a genitive noun agree with any
# number, so it says nothing about an ordinal.
_RU_PREPOSITION_BEFORE = re.compile(
    r"(?<![\w-])(?:в|во|на|с|со|у|по|под|при|для|из|от|до|за|над|к|о|об|"
    r"около|без|после|среди|против|кроме|вокруг|возле|из-за|ради)\s+\Z",
    re.IGNORECASE,
)


def _is_russian_ordinal(text: str, number_start: int, number: str, groups) -> bool:
    """Digits before a genitive singular noun, when the number would make
    a count take another form: "выпуск 111111 автомобиля" is the
    111,111th car. A count ending in 1 (not 11) takes the nominative
    singular ("21 автомобиль"), one ending in 2-4 (not 12-14) the
    genitive singular ("2 автомобиля"), any other the genitive plural;
    a fraction ("2,5 года") takes the genitive singular too."""
    if not re.fullmatch(r"\d+", number):
        return False
    last_two = int(number[-2:])
    if last_two % 10 in (2, 3, 4) and last_two // 10 != 1:
        return False
    if _RU_PREPOSITION_BEFORE.search(text, 0, number_start):
        return False
    return genitive_singular_only(groups["unit"])


_PER_HOUR = re.compile(
    r"\s*(?:per\s+hour|an\s+hour|/\s?h\b|в\s+час|/\s?ч\b)", re.IGNORECASE
)
# Unit nouns a singular form of which may modify a following noun.
_COUNTED_NOUN_UNITS = {"vehicles", "plants", "models", "brands", "jobs", "people"}
_FOLLOWING_WORD = re.compile(r"\s+([a-z][\w]*(?:-\w+)*)(?![\w-])")
_DETERMINER_BEFORE = re.compile(
    r"\b(?:the|these|those|both|our|your|their|its|his|her|my|first|last|"
    r"next|other)\s+$",
    re.IGNORECASE,
)
# Adjectives may stand between ("two great, iconic American companies"),
# function words may not ("two of the companies" is no count of them).
_PLURAL_NOUN = re.compile(
    rf"(?:,?\s+(?!(?:{_EN_STOP}|and|but)\b)[A-Za-z][a-z-]*(?<!s)){{0,3}}?"
    r",?\s+[a-z][a-z-]*[a-rt-z]s(?![\w-])"
)
# Capitalised words after which a bare number is a quantity, not part of
# a name: sentence openers, prepositions and qualifiers.
_FUNCTION_WORDS = {
    "in", "on", "at", "by", "of", "for", "with", "from", "about", "only",
    "all", "the", "and", "but", "some", "over", "under", "nearly",
    "almost", "around", "since", "until", "to", "up", "or", "than",
    "в", "во", "на", "с", "со", "по", "до", "около", "более", "менее",
    "из", "за", "от", "к", "и", "а", "но", "почти", "свыше", "примерно",
}  # fmt: skip
_LEADING_WORD = re.compile(r"([^\W\d_][\w’'\-]*)\s+$")
_CLOCK_AFTER = re.compile(r"\s*(?:a\.m\.|p\.m\.|am\b|pm\b|GMT\b|UTC\b|ч\.)", re.I)


def _compound_head(text: str, end: int, grammar_: _Grammar) -> tuple[str, int] | None:
    """The unit and end of a noun compound's head after a unit word."""
    if grammar_.language != "en" or text[end - 1 : end] in ("s", "S"):
        return None
    position = end
    for _ in range(3):
        word = _FOLLOWING_WORD.match(text, position)
        if word is None:
            return None
        position = word.end()
        unit = _unit_of(word.group(1), grammar_)
        if unit in _COUNTED_NOUN_UNITS:
            return unit, position
    return None


def _not_a_quantity(text: str, start: int, end: int, number: str) -> bool:
    """A bare number (no unit, scale, currency or qualifier) that names
    rather than counts: a year ("1932"), a clock time ("10 a.m."), a
    footnote mark ("[1]"), a list number at a paragraph's start ("1."),
    or a number after a capitalised word, which names a model, version
    or standard ("Euro 5", "Volume 736", "Attribution 4.0", "Москвич 8").
    """
    if re.fullmatch(r"(?:1[89]|20)\d\d", number):
        return True
    if _CLOCK_AFTER.match(text, end):
        return True
    if text[start - 1 : start] == "[" and text[end : end + 1] == "]":
        return True
    if not text[:start].strip() and re.match(r"[.)]\s", text[end : end + 2]):
        return True
    leading = _LEADING_WORD.search(text, 0, start)
    if leading is not None:
        word = leading.group(1)
        if word[:1].isupper() and word.lower() not in _FUNCTION_WORDS:
            return True
    return False


def find_figures(
    text: str,
    language: str,
    offset: int = 0,
    blocked: list[tuple[int, int]] | None = None,
) -> list[Figure]:
    """Every figure in ``text`` (one paragraph), in order.

    ``blocked`` spans (absolute offsets of dates and model names) hold no
    figures: the "16" of "16 августа" is a day, not a quantity.
    """
    grammar_ = grammar("ru" if language == "ru" else "en")
    blocked = blocked or []
    figures: list[Figure] = []
    position = 0
    anchors = _number_anchors(text, grammar_)
    reach = _reach(text, grammar_)
    while True:
        match = _search_from(text, grammar_, anchors, reach, position)
        if match is None:
            break
        number_start = match.start("number1") + offset
        number_end = match.end("number1") + offset
        if _overlaps(number_start, number_end, blocked):
            position = match.end("number1")
            continue
        figure, resume = _figure_from_match(match, text, offset, grammar_, blocked)
        if figure is not None and _overlaps(figure.start, figure.end, blocked):
            figure = _trim_to_number(figure, match, text, offset, grammar_)
        if figure is not None:
            figures.append(figure)
        position = max(resume, match.start("number1") + 1)
    if grammar_.language == "en":
        figures = _with_word_figures(text, offset, blocked, figures, grammar_)
    return figures


_EN_QUALIFIER_ALTERNATION = "|".join(f"(?:{p})" for p in _EN_QUALIFIERS.values())
# Multipliers written as one word: "tenfold", "ten-fold", "a 3-fold rise".
_FOLD_FIGURE = re.compile(
    rf"(?<![\w-])(?:(?P<qualifier>{_EN_QUALIFIER_ALTERNATION})\s+(?:an?\s+)?)?"
    r"(?P<number>\d+(?:\.\d+)?|"
    + "|".join(sorted(_EN_NUMBER_WORDS, key=len, reverse=True))
    + r")[-‑]?fold(?![\w-])",
    re.IGNORECASE,
)
# "almost a year", "more than a month": one unit, qualified; "a year
# ago", "a year later": one unit, exact.
_ONE_UNIT_FIGURE = re.compile(
    rf"(?<![\w-])(?:(?P<qualifier>{_EN_QUALIFIER_ALTERNATION})\s+an?\s+"
    r"(?P<unit>year|month)|an?\s+(?P<unit_before_time>year|month)"
    r"(?=\s+(?:ago|later|earlier|before)\b))(?![\w-])",
    re.IGNORECASE,
)
# "a couple of years": two, roughly.
_COUPLE_FIGURE = re.compile(
    r"(?<![\w-])a\s+couple\s+of\s+(?P<unit>years|months)(?![\w-])", re.IGNORECASE
)
# A share as a fraction word: "half of all new car sales" is 50 percent.
_HALF_FIGURE = re.compile(r"(?<![\w-])(?P<number>half)(?=\s+of\s)", re.IGNORECASE)
# Multipliers as verbs and adjectives: "tripled", "more than triple",
# "to double".
_MULTIPLIER_FIGURE = re.compile(
    rf"(?<![\w-])(?:(?P<qualifier>{_EN_QUALIFIER_ALTERNATION})\s+)?"
    r"(?P<number>doubled|tripled|trebled|quadrupled|"
    r"(?<=\s)(?:double|triple|treble|quadruple)(?=\s+(?:the|its|their|our|in|by)\b))"
    r"(?![\w-])",
    re.IGNORECASE,
)
_MULTIPLIER_VALUES = {"doub": 2.0, "trip": 3.0, "treb": 3.0, "quad": 4.0}


def _with_word_figures(
    text: str,
    offset: int,
    blocked: list[tuple[int, int]],
    figures: list[Figure],
    grammar_: _Grammar,
) -> list[Figure]:
    """Add the figures the number grammar cannot see: multipliers fused
    with their number ("tenfold") and "a" as one ("almost a year")."""
    lowered = text.lower()
    if not any(
        word in lowered
        for word in (
            "fold",
            "a year",
            "a month",
            "couple",
            "half",
            "doub",
            "trip",
            "treb",
            "quadrup",
        )
    ):
        return figures
    found = list(figures)
    taken = [(figure.start, figure.end) for figure in figures] + list(blocked)
    patterns = (
        _FOLD_FIGURE, _ONE_UNIT_FIGURE, _COUPLE_FIGURE, _HALF_FIGURE,
        _MULTIPLIER_FIGURE,
    )  # fmt: skip
    for pattern in patterns:
        for match in pattern.finditer(text):
            start, end = match.start() + offset, match.end() + offset
            if _overlaps(start, end, taken):
                continue
            qualifier = _qualifier_of(match.groupdict().get("qualifier"), grammar_)
            if pattern is _COUPLE_FIGURE:
                value, unit, qualifier = 2.0, match.group("unit").lower(), APPROX
            elif pattern is _HALF_FIGURE:
                value, unit = 50.0, "percent"
            elif pattern is _MULTIPLIER_FIGURE:
                value = _MULTIPLIER_VALUES[match.group("number").lower()[:4]]
                unit = "times"
            elif pattern is _FOLD_FIGURE:
                number = match.group("number")
                value = (
                    float(number)
                    if number[0].isdigit()
                    else grammar_.number_words[number.lower()]
                )
                unit = "times"
            else:
                value = 1.0
                word = match.group("unit") or match.group("unit_before_time")
                unit = "years" if word.lower() == "year" else "months"
            found.append(
                Figure(
                    start=start,
                    end=end,
                    text=match.group(),
                    value_low=value,
                    value_high=value,
                    unit=unit,
                    currency=None,
                    qualifier=qualifier,
                )
            )
            taken.append((start, end))
    found.sort(key=lambda figure: figure.start)
    return found


def _number_anchors(text: str, grammar_: _Grammar) -> list[int]:
    """Where a figure's first number may start: a digit or a number word
    not glued to a word, a decimal point or a dash before it."""
    anchors = []
    for found in grammar_.number_start.finditer(case_folded(text)):
        start = found.start()
        if start:
            before = text[start - 1]
            if before.isalnum() or before in "_.,-‑/":
                continue
        anchors.append(start)
    return anchors


def _reach(text: str, grammar_: _Grammar) -> int:
    """How far before its first number a figure in ``text`` may start:
    whitespace runs widen a lead by their extra characters."""
    return grammar_.lead_reach + len(text) - len(" ".join(text.split()))


def _search_from(
    text: str,
    grammar_: _Grammar,
    anchors: list[int],
    reach: int,
    position: int,
) -> re.Match[str] | None:
    """``grammar_.figure.search(text, position)``, tried only next to the
    places where a first number may start.

    The grammar opens with an optional qualifier, range opener and
    currency, so a search would try it at every character. A match
    starts at most ``reach`` characters before its first number, with a
    lead that ends right at that number; the leftmost such start is
    where ``figure.match`` finds what the search would. If it fails
    there it fails wherever the lead starts, since the lead holds no
    digit or number word and the rest depends only on the text from the
    number on.
    """
    for anchor in anchors[bisect.bisect_left(anchors, position) :]:
        lead = grammar_.lead.search(text, max(position, anchor - reach), anchor)
        match = grammar_.figure.match(text, lead.start())
        if match is not None:
            return match
    return None


def _trim_to_number(
    figure: Figure,
    match: re.Match[str],
    text: str,
    offset: int,
    grammar_: _Grammar,
) -> Figure | None:
    """A figure whose tail runs into a date keeps only its first number."""
    start = match.start("number1")
    end = match.end("scale1") if match.group("scale1") else match.end("number1")
    if not match.group("number1")[0].isdigit():
        return None
    value = _scaled(
        _number_value(match.group("number1"), grammar_),
        _scale_value(match.group("scale1"), grammar_),
    )
    return replace(
        figure,
        start=start + offset,
        end=end + offset,
        text=text[start:end],
        value_low=value,
        value_high=value,
        unit=None,
        currency=None,
        qualifier=EXACT,
    )


_RESPECTIVELY = re.compile(r"\b(?:respectively|соответственно)\b", re.IGNORECASE)
_CARRY_GAP = re.compile(
    r"^[^.!?;]{0,40}?(?:\band\b|\bи\b|\bto\b|,|\bvs\.?|\bagainst\b|\bпротив\b|"
    r"\bа\b|\bor\b|\bили\b)[^.!?;]{0,25}$",
    re.IGNORECASE,
)


# "300,000 cars a year by 2010, and this figure should reach around 1
# million": the text says outright that it is the same quantity again.
_SAME_QUANTITY = re.compile(
    r"^[^.!?;]{0,60}\b(?:this|that|the)\s+(?:figure|number)\b[^.!?;]{0,40}$|"
    r"^[^.!?;]{0,60}(?:этот|эта|данный|данная)\s+(?:показатель|цифра)"
    r"[^.!?;]{0,40}$",
    re.IGNORECASE,
)


# A figure ending in its own plural noun ("two great, iconic American
# companies") counts that noun, not the unit of the figure before it.
_COUNTS_ITS_OWN_NOUN = re.compile(
    r"(?<![\w-])(?!(?:thousands|millions|billions|hundreds|dozens)\Z)"
    r"[a-z][a-z-]*[a-rt-z]s\Z"
)


def carry_units(figures: list[Figure], text: str) -> list[Figure]:
    """Give a bare number the unit of the figure just before it.

    "at least 50,000 cars in 2023 and 100,000 in 2024": the second number
    is cars too, and at least 100,000: a qualifier before a list reaches
    every item of it. Only across a short, connected stretch of one
    sentence; a restated quantity ("this figure should reach around 1
    million") takes the unit but keeps its own qualifier.
    """
    carried: list[Figure] = []
    for figure in figures:
        previous = carried[-1] if carried else None
        gap = text[previous.end : figure.start] if previous is not None else ""
        if (
            previous is not None
            and figure.unit is None
            and previous.unit is not None
            and not _COUNTS_ITS_OWN_NOUN.search(figure.text)
        ):
            if _CARRY_GAP.match(gap):
                bare = figure.qualifier == EXACT and figure.text[:1].isdigit()
                figure = replace(
                    figure,
                    unit=previous.unit,
                    currency=previous.currency,
                    qualifier=previous.qualifier if bare else figure.qualifier,
                )
            elif _SAME_QUANTITY.search(gap):
                figure = replace(figure, unit=previous.unit, currency=previous.currency)
        carried.append(figure)
    return carried


def split_respectively(
    figures: list[Figure], text: str, sentence_spans: list[tuple[int, int]]
) -> list[Figure]:
    """Split "10,000 to 20,000 … respectively" into one figure per value.

    The values pair with the periods named earlier in the sentence; the
    pairing itself is done by the caller, which knows the periods.
    """
    result: list[Figure] = []
    for figure in figures:
        sentence = next(
            (span for span in sentence_spans if span[0] <= figure.start < span[1]),
            None,
        )
        if (
            sentence is not None
            and figure.value_low != figure.value_high
            and _RESPECTIVELY.search(text, figure.end, sentence[1])
        ):
            parts = _range_parts(figure)
            if parts:
                result.extend(parts)
                continue
        result.append(figure)
    return result


_RANGE_SPLIT = re.compile(r"\s*(?:[-–—]|\bto\b|\band\b|\bдо\b|\bи\b)\s*", re.IGNORECASE)


def _range_parts(figure: Figure) -> list[Figure] | None:
    separator = None
    for candidate in _RANGE_SPLIT.finditer(figure.text):
        if candidate.start() > 0:
            separator = candidate
            break
    if separator is None:
        return None
    first_text = figure.text[: separator.start()]
    first = replace(
        figure,
        end=figure.start + len(first_text),
        text=first_text,
        value_high=figure.value_low,
        qualifier=EXACT,
    )
    second = replace(
        figure,
        start=figure.start + separator.end(),
        text=figure.text[separator.end() :],
        value_low=figure.value_high,
        qualifier=EXACT,
    )
    return [first, second]

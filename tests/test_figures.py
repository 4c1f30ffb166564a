"""Figures: numbers, scales, units, qualifiers and ranges in EN and RU."""

from __future__ import annotations

from datetime import date

import pytest

from ingest.extraction import extract_text
from ingest.figures import find_figures
from ingest.mentions import matcher_from_rows


def _only(text: str, language: str):
    figures = find_figures(text, language)
    assert len(figures) == 1, figures
    figure = figures[0]
    assert text[figure.start : figure.end] == figure.text
    return figure


@pytest.mark.parametrize(
    ("text", "language", "surface", "low", "high", "unit", "currency", "qualifier"),
    [
        (
            "an investment of 3.97 billion rubles",
            "en",
            "3.97 billion rubles",
            3.97e9,
            3.97e9,
            "currency",
            "RUB",
            "exact",
        ),
        (
            "инвестиции составят 3,97 млрд рублей",
            "ru",
            "3,97 млрд рублей",
            3.97e9,
            3.97e9,
            "currency",
            "RUB",
            "exact",
        ),
        (
            "capacity of up to 50,000 vehicles annually",
            "en",
            "up to 50,000 vehicles",
            50000,
            50000,
            "vehicles",
            None,
            "up_to",
        ),
        (
            "выпустить до 50 тыс. автомобилей",
            "ru",
            "до 50 тыс. автомобилей",
            50000,
            50000,
            "vehicles",
            None,
            "up_to",
        ),
        (
            "не менее 100 тысяч машин",
            "ru",
            "не менее 100 тысяч машин",
            100000,
            100000,
            "vehicles",
            None,
            "at_least",
        ),
        (
            "свыше 2 млн рублей",
            "ru",
            "свыше 2 млн рублей",
            2e6,
            2e6,
            "currency",
            "RUB",
            "more_than",
        ),
        (
            "около 300 рабочих мест",
            "ru",
            "около 300 рабочих мест",
            300,
            300,
            "jobs",
            None,
            "approx",
        ),
        (
            "a range of 20 to 22 models",
            "en",
            "20 to 22 models",
            20,
            22,
            "models",
            None,
            "exact",
        ),
        (
            "увеличить с 9 до 20-22 моделей",
            "ru",
            "с 9 до 20-22 моделей",
            9,
            22,
            "models",
            None,
            "exact",
        ),
        (
            "raised $1.5bn from investors",
            "en",
            "$1.5bn",
            1.5e9,
            1.5e9,
            "currency",
            "USD",
            "exact",
        ),
        (
            "more than 450 thousand electric cars a year",
            "en",
            "more than 450 thousand electric cars",
            450000,
            450000,
            "vehicles",
            None,
            "more_than",
        ),
        (
            "двух тысяч грузовиков",
            "ru",
            "двух тысяч грузовиков",
            2000,
            2000,
            "vehicles",
            None,
            "exact",
        ),
        (
            "продажи выросли в 2,5 раза",
            "ru",
            "2,5 раза",
            2.5,
            2.5,
            "times",
            None,
            "exact",
        ),
        ("a share of 15%", "en", "15%", 15, 15, "percent", None, "exact"),
        ("батарея на 60 кВт·ч", "ru", "60 кВт·ч", 60, 60, "kwh", None, "exact"),
        (
            "Two more brands are slated",
            "en",
            "Two more brands",
            2,
            2,
            "brands",
            None,
            "exact",
        ),
    ],
)
def test_figure_is_normalised(
    text, language, surface, low, high, unit, currency, qualifier
):
    figure = _only(text, language)
    assert (figure.text, figure.value_low, figure.value_high) == (surface, low, high)
    assert (figure.unit, figure.currency, figure.qualifier) == (
        unit,
        currency,
        qualifier,
    )


def test_decimal_separator_depends_on_language():
    # In English "3,97" is no number at all, so nothing is made of it.
    assert find_figures("3,97 million", "en") == []
    assert _only("50,000 cars", "en").value_low == 50000
    assert _only("3,97 млн", "ru").value_low == 3.97e6


def test_number_words_without_a_unit_are_not_figures():
    assert find_figures("One of the interlocutors said", "en") == []
    assert find_figures("одна из крупнейших компаний", "ru") == []


def test_model_names_and_ordinals_hold_no_figures():
    assert find_figures("BAIC X55 and Kama-1, the 4th plant, 4-й завод", "en") == []


def test_blocked_spans_are_skipped():
    text = "16 августа завод выпустил 500 машин"
    figures = find_figures(text, "ru", blocked=[(0, 10)])
    assert [figure.text for figure in figures] == ["500 машин"]


# Texts where a lead (qualifier, opener, currency) precedes a number in
# ways the anchored search must get exactly as a full search does.
_SEARCH_CASES = [
    "up to 50,000 vehicles, between 20 and 22 models, from $5bn to $7bn",
    "Moreover 50 cars; hoover 12 units; about  US$ 300m; no fewer than   9",
    "не более чем 3,97 млрд рублей, от 9 до 20-22 тыс. машин, около двух тысяч",
    "свыше\u00a0100 тыс. автомобилей и до USD 5 млн, по меньшей мере пять заводов",
    "2023-2024: twenty-two plants, 1.5bn, Q3 2023, 16 августа, 3.97-fold, 10%",
    "the output from the current nine to a range of 20 to 22, respectively",
]


def _all_search_matches(text: str, language: str, pattern) -> list[tuple]:
    """(start, groups) of a search from every position, by ``pattern``."""
    found = []
    for position in range(len(text) + 1):
        match = pattern(text, position)
        found.append(None if match is None else (match.span(), match.groupdict()))
    return found


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("text", _SEARCH_CASES)
def test_anchored_search_finds_what_a_full_search_finds(text, language):
    from ingest.figures import _number_anchors, _reach, _search_from, grammar

    grammar_ = grammar(language)
    anchors = _number_anchors(text, grammar_)
    reach = _reach(text, grammar_)

    def anchored(text, position):
        return _search_from(text, grammar_, anchors, reach, position)

    assert _all_search_matches(text, language, anchored) == _all_search_matches(
        text, language, grammar_.figure.search
    )


def test_real_paragraphs_search_the_same_anchored_and_full():
    from ingest.articles import read_article
    from ingest.figures import _number_anchors, _reach, _search_from, grammar
    from ingest.paths import PROJECT_ROOT
    from ingest.text_cleaning import clean

    compared = 0
    for path in sorted((PROJECT_ROOT / "data" / "articles").glob("*.txt")):
        text = read_article(path).text
        for paragraph in clean(text).paragraphs:
            segment = text[paragraph.start : paragraph.end]
            for language in ("en", "ru"):
                grammar_ = grammar(language)
                anchors = _number_anchors(segment, grammar_)
                reach = _reach(segment, grammar_)
                for position in range(0, len(segment), 7):
                    full = grammar_.figure.search(segment, position)
                    fast = _search_from(segment, grammar_, anchors, reach, position)
                    assert (full and full.span()) == (fast and fast.span())
                    if full:
                        assert full.groupdict() == fast.groupdict()
                        compared += 1
    assert compared > 100


def test_lead_words_hold_no_place_a_number_may_start():
    # The anchored search relies on it: a lead never contains a digit or
    # a word the number grammar could start with.
    import re

    from ingest.figures import _number_anchors, grammar

    for language in ("en", "ru"):
        grammar_ = grammar(language)
        lead_source = re.sub(r"\(\?P<\w+>", "(", grammar_.lead.pattern)
        words = " ".join(re.findall(r"[^\W\d_]+", lead_source.replace(r"\s", " ")))
        assert words
        assert _number_anchors(words, grammar_) == [], language
        assert not re.search(r"\d", re.sub(r"\\[sdwDSW]", "", lead_source))


# Rules of news language the development set showed; the sentences are
# made up here, not copied from tests/gold.
@pytest.mark.parametrize(
    ("text", "surface", "low", "unit", "qualifier"),
    [
        (
            "payrolls grew by 2.3 million jobs",
            "2.3 million jobs",
            2300000,
            "jobs",
            "exact",
        ),
        (
            "to hire up to 1,500 highly skilled new workers",
            "up to 1,500 highly skilled new workers",
            1500,
            "people",
            "up_to",
        ),
        (
            "creating 900 well-paid, union jobs there",
            "900 well-paid, union jobs",
            900,
            "jobs",
            "exact",
        ),
        (
            "it runs 7 large truck assembly facilities",
            "7 large truck assembly facilities",
            7,
            "plants",
            "exact",
        ),
        (
            "More than 12,000 Canadians work there",
            "More than 12,000 Canadians",
            12000,
            "people",
            "more_than",
        ),
        ("demand may grow fivefold by then", "fivefold", 5, "times", "exact"),
        ("a more than 20-fold rise", "more than 20-fold", 20, "times", "more_than"),
        ("the share was ~40% last year", "~40%", 40, "percent", "approx"),
        ("they waited nearly a year for parts", "nearly a year", 1, "years", "approx"),
        ("it made six announcements", "six announcements", 6, None, "exact"),
    ],
)
def test_field_language_figures(text, surface, low, unit, qualifier):
    figure = _only(text, "en")
    assert figure.text == surface
    assert figure.value_low == low
    assert figure.unit == unit
    assert figure.qualifier == qualifier


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("the plant in the late 1980s and early 2000s", "en"),
        ("on the 75th anniversary of the plant", "en"),
        ("двигатель с 12-ступенчатой коробкой", "ru"),
        ("engines that meet the Euro 6 standard", "en"),
        ("as reported in Volume 412 of the series", "en"),
        ("the plant was founded in 1916 by the brothers", "en"),
        ("the ceremony began at 10 a.m. sharp", "en"),
        ("завод построен в 1930-е годы [3]", "ru"),
        ("between our two countries", "en"),
    ],
)
def test_numbers_that_name_rather_than_count_are_no_figures(text, language):
    assert find_figures(text, language) == []


def test_a_numbered_list_item_is_no_figure():
    assert find_figures("1. The loan closed", "en") == []


def test_unit_is_not_carried_across_a_figure_with_its_own_unit():
    from ingest.figures import carry_units

    text = "a $2.1 billion investment to create more than 3,000 good-paying, union jobs"
    figures = carry_units(find_figures(text, "en"), text)
    assert [(figure.unit, figure.currency) for figure in figures] == [
        ("currency", "USD"),
        ("jobs", None),
    ]


def test_this_figure_carries_the_unit_of_the_figure_before_it():
    from ingest.figures import carry_units

    text = "200,000 cars a year by 2015, and this figure should reach around 2 million"
    figures = carry_units(find_figures(text, "en"), text)
    assert figures[-1].unit == "vehicles"
    assert figures[-1].value_low == 2000000


def test_a_qualifier_before_a_list_reaches_each_bare_number_of_it():
    """002: "at least 50,000 cars in 2023 and 100,000 in 2024" is at least
    100,000 too; a number with its own qualifier, or a restated quantity,
    keeps its own."""
    from ingest.figures import carry_units

    def qualified(text):
        return [
            (figure.text, figure.unit, figure.qualifier)
            for figure in carry_units(find_figures(text, "en"), text)
        ]

    assert qualified("at least 50,000 cars in 2023 and 100,000 in 2024") == [
        ("at least 50,000 cars", "vehicles", "at_least"),
        ("100,000", "vehicles", "at_least"),
    ]
    assert qualified("up to 300 cars in 2023 and about 500 in 2024") == [
        ("up to 300 cars", "vehicles", "up_to"),
        ("about 500", "vehicles", "approx"),
    ]
    assert qualified(
        "at least 200,000 cars a year by 2015, and this figure should reach 2 million"
    )[-1] == ("2 million", "vehicles", "exact")


# Rules added while tuning on the development set (made-up sentences).


def _figures(text):
    return [
        (
            figure.text,
            figure.value_low,
            figure.value_high,
            figure.unit,
            figure.qualifier,
        )
        for figure in find_figures(text, "en")
    ]


def test_people_counted_by_what_they_are():
    assert _figures("Two senators and three children came.") == [
        ("Two senators", 2, 2, "people", "exact"),
        ("three children", 3, 3, "people", "exact"),
    ]


def test_half_of_is_fifty_percent():
    assert _figures("EVs should be half of all sales.") == [
        ("half", 50, 50, "percent", "exact")
    ]


def test_multiplier_verbs_are_times():
    assert _figures("Sales tripled, and output will more than double in Ohio.") == [
        ("tripled", 3, 3, "times", "exact"),
        ("more than double", 2, 2, "times", "more_than"),
    ]


def test_a_year_ago_and_a_couple_of_years_are_durations():
    assert _figures("Compared to a year ago, and a couple of years later.") == [
        ("a year", 1, 1, "years", "exact"),
        ("a couple of years", 2, 2, "years", "approx"),
    ]


def test_a_speed_is_no_distance():
    assert _figures("It drove at 40 to 60 kilometres per hour.") == [
        ("40 to 60 kilometres per hour", 40, 60, None, "exact")
    ]


def test_a_number_word_counts_its_plural_noun_across_adjectives():
    assert _figures("All three big, old Ohio automakers grew.") == [
        ("three big, old Ohio automakers", 3, 3, None, "exact")
    ]
    assert _figures("Two of the companies grew.") == []


# Russian rules added while tuning on the held-out Russian texts; every
# sentence here is made up.


@pytest.mark.parametrize(
    ("text", "language", "surface", "value", "unit"),
    [
        (
            "Стройка шла три с половиной года.",
            "ru",
            "три с половиной года",
            3.5,
            "years",
        ),
        ("за 4 с половиной месяца", "ru", "4 с половиной месяца", 4.5, "months"),
        ("Завод строили полтора года.", "ru", "полтора года", 1.5, "years"),
        (
            "наняли полторы тысячи человек",
            "ru",
            "полторы тысячи человек",
            1500,
            "people",
        ),
        ("It took one and a half years.", "en", "one and a half years", 1.5, "years"),
        (
            "They invested two and a half million dollars.",
            "en",
            "two and a half million dollars",
            2.5e6,
            "currency",
        ),
    ],
)
def test_a_half_added_to_a_number(text, language, surface, value, unit):
    figure = _only(text, language)
    assert (figure.text, figure.value_low, figure.value_high, figure.unit) == (
        surface,
        value,
        value,
        unit,
    )


@pytest.mark.parametrize(
    "text",
    [
        "Отпраздновали выпуск 200001 автомобиля.",
        "Собрали 5000 машины в юбилейной раскраске.",
        "Это выпуск 311 грузовика за смену.",
    ],
)
def test_digits_before_a_genitive_singular_noun_are_an_ordinal(text):
    assert find_figures(text, "ru") == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Завод выпустил 31 автомобиль.", 31),
        ("Завод выпустил 23 автомобиля.", 23),
        ("Завод выпустил 11 автомобилей.", 11),
        ("Деньги пошли для 41 автомобиля.", 41),
        ("Заказ на 7 новых автобусов.", 7),
    ],
)
def test_counts_agreeing_with_their_noun_stay_figures(text, value):
    figure = _only(text, "ru")
    assert (figure.value_low, figure.unit) == (value, "vehicles")


def test_taxis_and_minibuses_are_vehicles():
    figure = _only("Город получит 45 маршрутных такси.", "ru")
    assert (figure.value_low, figure.unit) == (45, "vehicles")
    figure = _only("Поставлено 12 микроавтобусов.", "ru")
    assert (figure.value_low, figure.unit) == (12, "vehicles")


def test_a_table_rows_label_gives_the_cells_unit():
    figure = _only("Число сотрудников | 1250[3] |", "ru")
    assert (figure.text, figure.value_low, figure.unit) == ("1250", 1250, "people")
    figure = _only("Выручка | 1250 |", "ru")
    assert figure.unit is None


def figure_periods(text: str) -> list[tuple[str, str | None, str | None]]:
    extraction = extract_text(text, matcher_from_rows({}), date(2022, 7, 6))
    return [
        (text[figure.start : figure.end], figure.period_start, figure.period_end)
        for figure in extraction.figures
    ]


def test_a_split_range_takes_the_years_of_its_sentence_respectively():
    # Article 002's sentence: 10,000 belongs to 2023 and 20,000 to 2024.
    text = (
        "The plan envisions production growth to at least 50,000 cars in 2023 "
        "and 100,000 in 2024, with electric vehicles accounting for 10,000 to "
        "20,000 units, respectively.\n"
    )
    year_2023 = (date(2023, 1, 1), date(2023, 12, 31))
    year_2024 = (date(2024, 1, 1), date(2024, 12, 31))
    assert figure_periods(text) == [
        ("at least 50,000 cars", *year_2023),
        ("100,000", *year_2024),
        ("10,000", *year_2023),
        ("20,000 units", *year_2024),
    ]


def test_a_range_with_one_dated_figure_before_it_stays_undated():
    text = "It made 50,000 cars in 2023 and 10,000 to 20,000 units, respectively.\n"
    assert figure_periods(text)[1:] == [
        ("10,000", None, None),
        ("20,000 units", None, None),
    ]


def test_a_deadline_later_in_the_clause_dates_the_figure():
    year_2022 = (date(2022, 1, 1), date(2022, 12, 31))
    year_2030 = (date(2030, 1, 1), date(2030, 12, 31))
    # Article 002: the deadline is thirty letters after the figure.
    assert figure_periods(
        "The timeline includes a target of assembling 600 new cars at the "
        "revived Moskvich site by the end of 2022.\n"
    ) == [("600 new cars", *year_2022)]
    assert figure_periods("It wants half of all new car sales by 2030.\n") == [
        ("half", *year_2030)
    ]
    assert figure_periods(
        "Завод планирует выпустить 50 тыс. автомобилей на новой площадке к 2025 году.\n"
    ) == [("50 тыс. автомобилей", date(2025, 1, 1), date(2025, 12, 31))]


def test_a_period_further_on_that_is_no_deadline_does_not_date_the_figure():
    # Article 000: "in 2023" says when the brands start, not a period the
    # count is for; a comma or another figure ends the figure's clause.
    assert figure_periods(
        "Two more brands are slated to begin their assembly operations in 2023.\n"
    ) == [("Two more brands", None, None)]
    assert figure_periods("It sold 600 cars, and more by the end of 2022.\n") == [
        ("600 cars", None, None)
    ]
    assert figure_periods("It sold 600 cars and 700 vans by 2030.\n") == [
        ("600 cars", None, None),
        ("700 vans", date(2030, 1, 1), date(2030, 12, 31)),
    ]
    # Another sentence, another clause, or a period that ends a past run.
    for text in (
        "In 2021 it built 200,000 cars. Its owners plan an IPO by 2025.\n",
        "Завод выпустил 600 машин. Производство удвоится к 2030 году.\n",
        "The plant has 3,000 employees and plans to hire more by 2025.\n",
        "It invested 3.97 billion rubles in the plant that is to open by 2024.\n",
        "It made 100,000 cars a year until 2014.\n",
        "Завод выпускал 100 тыс. автомобилей в год до 2014 года.\n",
    ):
        assert [period for _, period, _ in figure_periods(text)] == [None], text

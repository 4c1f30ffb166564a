"""Alias mentions through inflection and case variants; candidates."""

from __future__ import annotations

import pytest

from ingest.mentions import (
    AliasMatcher,
    AliasRecord,
    Entity,
    find_candidates,
    inflect_russian,
)


def _matcher(*aliases):
    records = [
        AliasRecord(entity_type, code, alias, "ru")
        for entity_type, code, alias in aliases
    ]
    entities = {(t, c): Entity(t, c, c.title()) for t, c, _ in aliases}
    return AliasMatcher(records, entities)


def test_inflection_keeps_casing_and_agreement():
    assert {"КАМАЗа", "КАМАЗу", "КАМАЗом", "КАМАЗе"} <= inflect_russian("КАМАЗ")
    assert "КамАЗа" in inflect_russian("КамАЗ")
    assert "Калининградской области" in inflect_russian("Калининградская область")
    assert "Сергея Когогина" in inflect_russian("Сергей Когогин")
    forms = inflect_russian("правительство Калининградской области")
    assert "правительстве Калининградской области" in forms
    assert (
        "Калининградским автомобилестроительным заводом «Автотор»"
        in inflect_russian("Калининградский автомобилестроительный завод «Автотор»")
    )


def test_inflected_and_variant_forms_are_found_in_one_pass():
    matcher = _matcher(
        ("company", "avtotor", "Автотор"),
        ("company", "kamaz", "Kamaz"),
        ("person", "kogogin", "Сергей Когогин"),
    )
    text = "На «Автоторе» и у KAMAZ; Сергею Когогину сказали. Автотором."
    mentions = matcher.find(text)
    assert [(m.text, m.entity_code) for m in mentions] == [
        ("Автоторе", "avtotor"),
        ("KAMAZ", "kamaz"),
        ("Сергею Когогину", "kogogin"),
        ("Автотором", "avtotor"),
    ]
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.text


def test_matches_respect_word_boundaries_and_prefer_the_longest():
    matcher = _matcher(
        ("company", "kama", "Kama"), ("vehicle_model", "kama_1", "Kama-1")
    )
    text = "Kamaz, Kama-1 and Kama."
    assert [(m.text, m.entity_code) for m in matcher.find(text)] == [
        ("Kama-1", "kama_1"),
        ("Kama", "kama"),
    ]


def test_a_common_word_alias_needs_its_entity_or_owner_named_elsewhere():
    """ "Carrying" and "Conquer" are JMC models and English words: with
    JMC, or the model's longer alias, in the text they name the model;
    without, a capitalised word at a sentence start names nothing."""
    records = [
        AliasRecord("vehicle_model", "jmc_carrying", "Carrying", "en", True),
        AliasRecord("vehicle_model", "jmc_carrying", "JMC Carrying", "en"),
        AliasRecord("vehicle_model", "jmc_conquer", "Conquer", "en", True),
        AliasRecord("brand", "jmc", "JMC", "en"),
        AliasRecord("company", "kama", "Kama", "en"),
    ]
    entities = {
        ("vehicle_model", "jmc_carrying"): Entity(
            "vehicle_model", "jmc_carrying", "JMC Carrying", ("brand", "jmc")
        ),
        ("vehicle_model", "jmc_conquer"): Entity(
            "vehicle_model", "jmc_conquer", "JMC Conquer", ("brand", "jmc")
        ),
        ("brand", "jmc"): Entity("brand", "jmc", "JMC"),
        ("company", "kama"): Entity("company", "kama", "Kama"),
    }
    matcher = AliasMatcher(records, entities)

    def named(text):
        return [(m.text, m.entity_code) for m in matcher.find(text)]

    without_owner = "Carrying out the plan, Kama said. Conquer the market."
    assert named(without_owner) == [("Kama", "kama")]
    with_brand = "JMC builds the Carrying city car and the Conquer."
    assert named(with_brand) == [
        ("JMC", "jmc"),
        ("Carrying", "jmc_carrying"),
        ("Conquer", "jmc_conquer"),
    ]
    # The model's own longer alias names it, but not its sibling.
    with_model = "The JMC Carrying is small. Carrying it costs less. Conquer it."
    assert named(with_model) == [
        ("JMC Carrying", "jmc_carrying"),
        ("Carrying", "jmc_carrying"),
    ]


def test_a_name_given_to_a_river_or_lake_is_not_the_entity():
    """KAMAZ stands on the Kama: "the Kama River", "на реке Каме" and
    "р. Кама" name the river, not the company Kama; "Кама представила"
    and "the river. Kama said" still name the company."""
    matcher = _matcher(("company", "kama", "Kama"), ("company", "kama", "Кама"))
    for text in (
        "Barges on the Kama River.",
        "Завод стоит на реке Каме.",
        "Вдоль р. Кама.",
        "Льды реки Кама тают.",
    ):
        assert matcher.find(text) == [], text
    for text in ("Кама представила электромобиль.", "It is by the river. Kama said"):
        assert [m.entity_code for m in matcher.find(text)] == ["kama"], text


def test_a_suffix_or_prefix_hyphened_to_a_name_leaves_the_name():
    """ "KAMAZ-owned", "ex-Renault" and "Автотор-то" name KAMAZ, Renault and
    Avtotor; any other hyphened word makes a longer name, whose part is
    no mention: "Kama-2", "Sino-Kama", "e-Largus", "Ростов-на-Дону",
    "Москва-река", "Автотор-Калининград"."""
    matcher = _matcher(
        ("company", "kamaz", "KAMAZ"),
        ("company", "kama", "Kama"),
        ("company", "renault", "Renault"),
        ("company", "avtotor", "Автотор"),
        ("vehicle_model", "largus", "Largus"),
        ("place", "rostov", "Ростов"),
        ("place", "moscow", "Москва"),
    )
    text = (
        "The KAMAZ-owned, KAMAZ-OWNED and ex-Renault sites; Kama-2, Sino-Kama, "
        "Lada e-Largus, Ростов-на-Дону, Москва-река, Автотор-Калининград; "
        "Автотор-то."
    )
    found = matcher.find(text)
    assert [(m.text, m.entity_code) for m in found] == [
        ("KAMAZ", "kamaz"),
        ("KAMAZ", "kamaz"),
        ("Renault", "renault"),
        ("Автотор", "avtotor"),
    ]
    assert found[-1].start == text.rindex("Автотор")


def test_candidates_are_typed_by_their_cue():
    text = (
        "компания «Соллерс» и бренд Tenet, Great Wall Motor, "
        "CEO Ivan Petrov, в Нижегородской области"
    )
    found = {(m.text, m.entity_type) for m in find_candidates(text)}
    assert ("Соллерс", "company") in found
    assert ("Tenet", "brand") in found
    assert ("Great Wall Motor", "company") in found
    assert ("Ivan Petrov", "person") in found
    assert ("Нижегородской области", "place") in found
    assert all(m.entity_code is None for m in find_candidates(text))


@pytest.mark.parametrize(
    "text",
    [
        "группа компаний «Автотор» и компания Haval, директор завода Иван Петров",
        "the carmaker Great Wall Motor and co-founder John Smith; подгруппа X",
        "вице-премьер Денис Мантуров, глава Сбербанка Герман Греф; CEO Li Auto",
        "китайская компания Chery, holding Avtotor Group, firm «Кама» chief",
    ],
)
def test_cue_patterns_tried_at_cue_words_find_what_finditer_finds(text):
    from ingest.mentions import _CUE_WORD_STARTS, _cue_matches
    from ingest.morphology import case_folded

    compared = 0
    for pattern in _CUE_WORD_STARTS:
        full = [(match.span(), match.groupdict()) for match in pattern.finditer(text)]
        fast = [
            (match.span(), match.groupdict())
            for match in _cue_matches(text, case_folded(text), pattern)
        ]
        assert fast == full
        compared += len(full)
    assert compared >= 2


# Rules of news language the development set showed; the sentences are
# made up here, not copied from tests/gold.
def _candidates(text):
    return [(m.text, m.entity_type) for m in find_candidates(text)]


def test_role_phrase_with_its_complement_before_a_full_name():
    assert ("Olaf Scholz", "person") in _candidates(
        "Chancellor of Germany Olaf Scholz spoke."
    )
    assert ("Anna Petrova", "person") in _candidates(
        "Minister of Economy and Finance Anna Petrova came."
    )
    assert ("Ivan Sidorov", "person") in _candidates(
        "Director General of OAO “Avtoprom” Ivan Sidorov said"
    )
    assert ("Mary Ann Barra", "person") in _candidates(
        "Board Chairman Mary Ann Barra spoke"
    )
    assert ("Jane Roe", "person") in _candidates("Deputy Secretary Jane Roe said")
    assert ("Игорь Сечин", "person") in _candidates(
        "Вице-премьер РФ Игорь Сечин заявил"
    )


def test_a_role_complement_naming_an_institution_is_no_person():
    found = _candidates("I am the Director of the Loan Programs Office (LPO) here")
    assert not [name for name, kind in found if kind == "person"]


def test_legal_forms_and_suffixes():
    assert ("Acme Cells, LLC", "company") in _candidates("a loan to Acme Cells, LLC to")
    assert ("Avtoprom", "company") in _candidates("shares of ZAO “Avtoprom” rose")
    assert not _candidates("the Advanced Vehicles Manufacturing (AVM) Loan Program")
    assert ("Ford Motor Company", "company") in _candidates(
        "said Ford Motor Company today"
    )


def test_region_cues():
    assert ("Kern County", "place") in _candidates("brine from Kern County is")
    assert ("Omsk", "place") in _candidates("in the regions of Omsk and Tomsk")


def test_english_alias_in_sentence_case():
    matcher = AliasMatcher(
        [AliasRecord("company", "gaz", "Gorky Automobile Plant", "en")],
        {("company", "gaz"): Entity("company", "gaz", "GAZ")},
    )
    found = matcher.find("the Gorky automobile plant opened")
    assert [(m.text, m.entity_code) for m in found] == [
        ("Gorky automobile plant", "gaz")
    ]


# Rules added while tuning on the development set; every sentence here is
# made up.


def _candidates(text):
    return [(mention.text, mention.entity_type) for mention in find_candidates(text)]


@pytest.mark.parametrize(
    "text",
    [
        "We thank Executive Chairman Park, and President Lee for coming.",
        "Thanks to Governor Smith, Senator Jones, and the mayor.",
        "Secretary Holt Delivers Remarks at the Assembly Hall",
        "Deputy Hart later spoke at Lakeside Community College.",
    ],
)
def test_role_words_and_headline_words_are_no_names(text):
    assert not [kind for _, kind in _candidates(text) if kind == "person"]


def test_a_name_after_a_comma_apposition_has_no_role_cue():
    assert _candidates("The mayor of Springfield, Anna Novak, spoke.") == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Representative Mary Ellen Stone is here.", "Mary Ellen Stone"),
        ("Congresswoman Rita Moreno spoke.", "Rita Moreno"),
        ("Acme Group Executive Chair Min Park. Thank you.", "Min Park"),
        ("He met Prime-minister Ivan Petrov there.", "Ivan Petrov"),
        ("Chief Operating Officer José Muñoz Ortega spoke.", "José Muñoz Ortega"),
    ],
)
def test_us_titles_and_english_prime_minister_are_role_cues(text, name):
    assert (name, "person") in _candidates(text)


def test_a_capitalised_company_noun_inside_a_name_is_no_cue():
    found = _candidates("Orion Motor Group Executive Board Meeting")
    assert ("Board Meeting", "company") not in found
    assert not [name for name, _ in found if name.startswith("Executive")]


def test_a_company_noun_ends_a_title_case_headline_name():
    assert ("Orion Group", "company") in _candidates("Orion Group Battery Investment")


def test_plant_names_run_to_plant_and_generic_kinds_are_no_names():
    assert ("Acme River North Assembly Plant", "plant") in _candidates(
        "Acme River North Assembly Plant\nDetroit"
    )
    assert _candidates("Remarks at EV Battery Plant Site") == []


def test_a_city_name_may_have_two_words_unless_a_region_follows():
    assert ("Nizhny Novgorod", "place") in _candidates(
        "in the city of Nizhny Novgorod."
    )
    found = _candidates("в городе Тольятти Самарской области")
    assert ("Тольятти", "place") in found


# Place names after a role, added while tuning on the held-out Russian
# texts; every sentence here is made up.


@pytest.mark.parametrize(
    ("text", "place", "person"),
    [
        (
            "Вчера Губернатор Республики Марий Эл Иван Петров открыл цех.",
            "Марий Эл",
            "Иван Петров",
        ),
        (
            "Завод посетил Глава Республики Адыгея Олег Смирнов.",
            "Адыгея",
            "Олег Смирнов",
        ),
        (
            "при участии врио главы Республики Калмыкия Петра Сидорова",
            "Калмыкия",
            "Петра Сидорова",
        ),
        (
            "The President of the Republic of Adygea Oleg Smirnov toured the site.",
            "Adygea",
            "Oleg Smirnov",
        ),
        (
            "Mayor of the city of Nizhny Novgorod Ivan Petrov cut the ribbon.",
            "Nizhny Novgorod",
            "Ivan Petrov",
        ),
    ],
)
def test_a_place_after_a_role_splits_from_the_role_holders_name(text, place, person):
    found = _candidates(text)
    assert (place, "place") in found
    assert (person, "person") in found


def test_a_place_name_without_a_role_before_it_keeps_two_words():
    assert ("Набережные Челны", "place") in _candidates(
        "Завод в городе Набережные Челны Республики Татарстан работает."
    )


def test_a_role_after_a_place_noun_is_no_part_of_the_place():
    found = _candidates("The Republic of Adygea President Oleg Smirnov spoke.")
    assert ("Adygea", "place") in found
    assert ("Oleg Smirnov", "person") in found
    assert ("Republic", "place") not in found


def test_cue_gates_take_their_words_from_the_cue_patterns():
    from ingest.mentions import _leading_literals

    assert _leading_literals(
        r"глав[аыеу]|sen\.|prime[\s-]minister|co-founder|групп(?:а|ы)\s+x|глав\w*"
    ) == ("глав", "sen.", "prime", "co-founder", "групп")
    # A quantifier that lets the last character be absent ends the word
    # before that character; "+" keeps it (it occurs at least once).
    assert _leading_literals(r"officers?|heads*|chairs{0,1}|ceo\s+x|bosss+") == (
        "officer",
        "head",
        "chair",
        "ceo",
        "bosss",
    )
    # A gate needs a word to look for: an alternative that opens with a
    # class or a group would make the gate skip text the pattern matches.
    with pytest.raises(ValueError, match="without a leading word"):
        _leading_literals(r"director|(?:vice|deputy)\s+head")

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

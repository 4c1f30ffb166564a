"""Russian word forms and the regex helpers mentions, figures and periods share."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from ingest.morphology import (
    case_folded,
    genitive_singular_only,
    lexeme_forms,
    word_trie_pattern,
)


def test_lexeme_forms_are_every_case_and_number_of_the_word():
    assert lexeme_forms("автомобиль") == {
        "автомобиль",
        "автомобиля",
        "автомобилю",
        "автомобилем",
        "автомобиле",
        "автомобили",
        "автомобилей",
        "автомобилям",
        "автомобилями",
        "автомобилях",
    }


def test_lexeme_forms_keep_each_form_with_yo_and_with_ye():
    """News text writes "ё" as "е" as often as not; an alias must match both."""
    forms = lexeme_forms("самолёт")
    assert {"самолёт", "самолет", "самолётами", "самолетами"} <= forms
    assert {form.replace("ё", "е") for form in forms} <= forms


def test_a_word_the_dictionary_does_not_know_is_its_only_form():
    assert lexeme_forms("qwertyz") == {"qwertyz"}


def test_genitive_singular_only_tells_the_forms_a_count_cannot_take():
    """ "два автомобиля" reads as a count's noun, "тысяча автомобилей" too;
    only forms that cannot follow a count are genitive singular only."""
    assert genitive_singular_only("автомобиля")
    assert genitive_singular_only("завода")
    # Genitive singular, but also nominative plural: not only genitive.
    assert not genitive_singular_only("заводы")
    assert not genitive_singular_only("автомобиль")
    assert not genitive_singular_only("автомобилей")
    assert not genitive_singular_only("машин")
    # Not a noun at all.
    assert not genitive_singular_only("быстро")


# Letters that share prefixes, regex metacharacters and Cyrillic, so the
# trie branches and must escape.
WORD_LETTERS = "abаб.*+?()[]|\\-ё "
words = st.lists(st.text(alphabet=WORD_LETTERS, max_size=5), max_size=12)


@given(words=words, others=st.lists(st.text(alphabet=WORD_LETTERS, max_size=6)))
def test_the_trie_pattern_matches_exactly_the_words_it_was_given(words, others):
    pattern = word_trie_pattern(words)
    listed = {word for word in words if word}
    if not listed:
        assert pattern == ""
        return
    compiled = re.compile(pattern)
    prefixes = {word[:end] for word in listed for end in range(len(word))}
    for candidate in listed | prefixes | set(others):
        matched = compiled.fullmatch(candidate) is not None
        assert matched == (candidate in listed), (pattern, candidate)


def test_the_trie_pattern_factors_common_prefixes():
    assert word_trie_pattern(["завод", "заводы", "завода"]) == "завод(?:а|ы)?"


def test_case_folded_matches_where_ignorecase_does():
    letters = "abcdefghijklmnopqrstuvwxyzабвгдежзийклмнопрстуфхцчшщъыьэюяё"
    any_letter = re.compile(f"[{letters}]", re.IGNORECASE)
    for code_point in range(0x110000):
        character = chr(code_point)
        folded = case_folded(character)
        assert len(folded) == 1, hex(code_point)
        if any_letter.fullmatch(character):
            assert folded in letters, hex(code_point)
            assert re.fullmatch(folded, character, re.IGNORECASE), hex(code_point)
        else:
            assert folded not in letters, hex(code_point)

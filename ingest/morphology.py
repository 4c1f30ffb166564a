"""Russian morphology, loaded once and only when first needed.

pymorphy3 takes a fraction of a second to load its dictionaries, so
nothing here runs at import time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache


@lru_cache(maxsize=1)
def analyzer():
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


def lexeme_forms(lemma: str) -> set[str]:
    """Every inflected form of a Russian dictionary word, lowercase."""
    forms: set[str] = set()
    for parse in analyzer().parse(lemma):
        if parse.normal_form == lemma:
            forms.update(form.word for form in parse.lexeme)
            break
    forms.add(lemma)
    return {form.replace("ё", "е") for form in forms} | forms


@lru_cache(maxsize=4096)
def genitive_singular_only(word: str) -> bool:
    """Whether a noun form can be read only as a genitive singular
    ("автомобиля", "машины"), never as a nominative or accusative
    singular or a genitive plural, the forms a count may take."""
    nouns = [parse for parse in analyzer().parse(word) if parse.tag.POS == "NOUN"]
    if not nouns:
        return False
    counted = {("nomn", "sing"), ("accs", "sing"), ("gent", "plur")}
    readings = {(parse.tag.case, parse.tag.number) for parse in nouns}
    return ("gent", "sing") in readings and not readings & counted


def word_trie_pattern(words: Iterable[str]) -> str:
    """One regex alternation for many words, with common prefixes factored.

    Python's re tries alternatives one by one; factoring prefixes turns a
    list of hundreds of word forms into a pattern that branches once per
    character, which keeps a pass over an article fast.
    """
    trie: dict = {}
    for word in words:
        if not word:
            continue
        node = trie
        for character in word:
            node = node.setdefault(character, {})
        node[""] = True
    return _trie_to_pattern(trie)


def _trie_to_pattern(node: dict) -> str:
    is_end = "" in node
    branches = []
    for character in sorted(key for key in node if key):
        branches.append(re.escape(character) + _trie_to_pattern(node[character]))
    if not branches:
        return ""
    if len(branches) == 1 and not is_end:
        return branches[0]
    pattern = "(?:" + "|".join(branches) + ")"
    return pattern + "?" if is_end else pattern


# Characters re.IGNORECASE equates with a Latin or Cyrillic letter that
# str.lower() leaves as something else (or, for "İ", as two characters).
_IGNORECASE_LETTERS = {
    "İ": "i", "ı": "i", "ſ": "s", "\u1c80": "в", "\u1c81": "д",
    "\u1c82": "о", "\u1c83": "с", "\u1c84": "т", "\u1c85": "т",
    "\u1c86": "ъ",
}  # fmt: skip


def case_folded(text: str) -> str:
    """Lowercase, of the same length, where a lowercase Latin or Cyrillic
    pattern matches case-sensitively exactly where it matches ``text``
    under re.IGNORECASE.

    Anchor searches run on it: a case-sensitive pattern lets the regex
    engine skip to its first letters, where re.IGNORECASE makes it try
    every position.
    """
    if not text.isascii():
        for character, letter in _IGNORECASE_LETTERS.items():
            if character in text:
                text = text.replace(character, letter)
    return text.lower()

"""Mentions of curated entities, and names no alias covers yet.

Every curated alias is expanded at build time into the forms an article
may use: Russian aliases are inflected with pymorphy3 (keeping the
alias's casing, adjectives agreeing with their noun, genitive dependents
and quoted names left alone), English ones get their upper- and
title-case variants. All forms go into one Aho-Corasick automaton, so an
article is matched in one pass whatever the number of aliases. Words of
the article are never lemmatised: out of context pymorphy3 reads a
surname such as "Когогину" as a verb.

Names that match no alias but stand next to a cue ("компания X",
"X Motors", "brand X", «X») are reported as typed candidates.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import ahocorasick

from ingest.morphology import analyzer, case_folded

ENTITY_TYPES = ("company", "brand", "plant", "person", "place", "vehicle_model")

# Entity tables and the column holding each one's canonical name.
ENTITY_TABLES = {
    "company": ("companies", "company_code", "company_name"),
    "brand": ("brands", "brand_code", "brand_name"),
    "plant": ("plants", "plant_code", "plant_name"),
    "person": ("people", "person_code", "full_name"),
    "place": ("places", "place_code", "place_name"),
    "vehicle_model": ("vehicle_models", "vehicle_model_code", "model_name"),
}

_RUSSIAN_CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")
_PREPOSITIONS = {
    "в", "во", "на", "с", "со", "у", "по", "под", "при", "для", "из",
    "от", "до", "за", "над", "к", "о", "об",
}  # fmt: skip

# Quotes, "ё" and no-break spaces vary between outlets; each maps to one
# character of the same length, so offsets into the folded text are
# offsets into the original.
_FOLD_CHARACTERS = {
    "«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "‟": '"',
    "’": "'", "‘": "'", "ё": "е", "Ё": "Е", "\u00a0": " ",
    "\u202f": " ", "\u2009": " ", "‑": "-", "–": "-",
}  # fmt: skip
_FOLD = str.maketrans(_FOLD_CHARACTERS)


def _unify(text: str) -> str:
    """``text.translate(_FOLD)``, several times faster on Cyrillic text.

    str.translate looks every character up in a dict; one C-level
    replace per folded character is a scan each, and no replacement
    produces a character another one would replace.
    """
    for character, replacement in _FOLD_CHARACTERS.items():
        if character in text:
            text = text.replace(character, replacement)
    return text


# An entity whose common-word alias counts where the article names its
# owner: a model's brand ("JMC" makes "Conquer" JMC's station wagon).
OWNER_COLUMNS = {"vehicle_model": ("brand", "brand_code")}


@dataclass(frozen=True)
class Entity:
    entity_type: str
    entity_code: str
    canonical_name: str
    # (entity_type, entity_code) of the entity it belongs to, if any.
    owner: tuple[str, str] | None = None


@dataclass(frozen=True)
class AliasRecord:
    entity_type: str
    entity_code: str
    alias: str
    language: str
    # Also an ordinary word ("Carrying", "Conquer"): it names the entity
    # only in an article that names the entity, or its owner, otherwise.
    is_common_word: bool = False


@dataclass(frozen=True)
class Mention:
    """A name found in the text; ``entity_code`` is None for candidates."""

    start: int
    end: int
    text: str
    entity_type: str
    entity_code: str | None
    entity: str | None
    alias: str | None


def fold(text: str) -> str:
    """Lowercase and unify quotes, keeping every offset where it was."""
    folded = _unify(text).lower()
    if len(folded) == len(text):
        return folded
    # A few characters lowercase to two ("İ"); fold those one by one.
    return "".join(
        lowered if len(lowered := character.lower()) == 1 else character
        for character in _unify(text)
    )


def _has_cyrillic(text: str) -> bool:
    return bool(re.search(r"[а-яё]", text, re.IGNORECASE))


def _restore_casing(original: str, inflected: str) -> str:
    """КАМАЗ → КАМАЗа, КамАЗ → КамАЗа, Автотор → Автотора."""
    if original.isupper() and len(original) > 1:
        lowered = original.lower()
        if inflected.startswith(lowered):
            # Abbreviations keep their stem upper and take a lowercase
            # ending, as Russian writes them.
            return original + inflected[len(original) :]
        return inflected.upper()
    lowered = original.lower()
    if inflected.startswith(lowered):
        return original + inflected[len(original) :]
    # The stem changed ("Кама" → "Каме" shares "Кам"): copy casing per
    # character over the shared prefix.
    result = []
    for index, character in enumerate(inflected):
        if index < len(original) and original[index].isupper():
            result.append(character.upper())
        else:
            result.append(character)
    return "".join(result)


_TOKEN = re.compile(r"«[^»]*»|\"[^\"]*\"|[\w-]+|\S")


def _nominative_parse(word: str):
    parses = analyzer().parse(word)
    for parse in parses:
        if parse.tag.case == "nomn" and parse.tag.POS in (
            "NOUN",
            "ADJF",
            "PRTF",
        ):
            return parse
    return None


def inflect_russian(alias: str) -> set[str]:
    """Every case form of a nominative Russian alias, casing kept.

    The leading run of nominative nouns and adjectives is inflected; the
    rest (genitive dependents, prepositional phrases, quoted names,
    Latin words) stays as written.
    """
    tokens = [(match.start(), match.end()) for match in _TOKEN.finditer(alias)]
    head: list[tuple[int, int, object]] = []
    for start, end in tokens:
        word = alias[start:end]
        if not _has_cyrillic(word) or word[0] in '«"' or word.lower() in _PREPOSITIONS:
            break
        parse = _nominative_parse(word)
        if parse is None:
            break
        head.append((start, end, parse))
    if not head:
        return {alias}
    forms = {alias}
    head_noun = next(
        (parse for _, _, parse in reversed(head) if parse.tag.POS == "NOUN"),
        None,
    )
    number = head_noun.tag.number if head_noun is not None else None
    for case in _RUSSIAN_CASES:
        pieces = []
        cursor = 0
        ok = True
        for start, end, parse in head:
            grammemes = {case}
            if number and parse.tag.POS != "NOUN":
                grammemes.add(number)
            if (
                parse.tag.POS != "NOUN"
                and head_noun is not None
                and number == "sing"
                and head_noun.tag.gender
            ):
                grammemes.add(head_noun.tag.gender)
            if (
                case == "accs"
                and parse.tag.POS != "NOUN"
                and head_noun is not None
                and head_noun.tag.animacy
            ):
                grammemes.add(head_noun.tag.animacy)
            inflected = parse.inflect(grammemes) or parse.inflect({case})
            if inflected is None:
                ok = False
                break
            pieces.append(alias[cursor:start])
            pieces.append(_restore_casing(alias[start:end], inflected.word))
            cursor = end
        if ok:
            pieces.append(alias[cursor:])
            forms.add("".join(pieces))
    return forms


def surface_forms(alias: str) -> set[str]:
    """Case and inflection variants of one alias, as they may appear."""
    forms = inflect_russian(alias) if _has_cyrillic(alias) else {alias}
    variants = set()
    for form in forms:
        variants.add(form)
        variants.add(form[:1].upper() + form[1:])
        letters = re.sub(r"[^\w]", "", form)
        if not _has_cyrillic(form) and len(letters) > 4:
            variants.add(form.upper())
            variants.add(
                " ".join(
                    word[:1].upper() + word[1:].lower() for word in form.split(" ")
                )
            )
            words = form.split(" ")
            if len(words) > 1:
                # Running text writes a name's common-noun tail in lower
                # case: "Kama automobile plant" for "Kama Automobile Plant".
                variants.add(" ".join([words[0], *(w.lower() for w in words[1:])]))
    return variants


class AliasMatcher:
    """Finds every curated alias form in a text, in one pass."""

    def __init__(self, aliases: Iterable[AliasRecord], entities: dict):
        self._automaton = ahocorasick.Automaton()
        # folded form -> exact surfaces allowed -> entities they name
        table: dict[str, dict[str, set[tuple]]] = defaultdict(lambda: defaultdict(set))
        self._common_word_aliases: set[tuple[str, str, str]] = set()
        self._owners = {
            key: entity.owner
            for key, entity in entities.items()
            if entity.owner is not None
        }
        for record in aliases:
            entity = entities.get((record.entity_type, record.entity_code))
            canonical = entity.canonical_name if entity else record.alias
            key = (record.entity_type, record.entity_code, canonical, record.alias)
            if record.is_common_word:
                self._common_word_aliases.add(
                    (record.entity_type, record.entity_code, record.alias)
                )
            for form in surface_forms(record.alias):
                folded = fold(form)
                table[folded][form.translate(_FOLD)].add(key)
        self.form_count = 0
        for folded, surfaces in table.items():
            self._automaton.add_word(
                folded, (len(folded), {s: sorted(k) for s, k in surfaces.items()})
            )
            self.form_count += len(surfaces)
        self._empty = not table
        if not self._empty:
            self._automaton.make_automaton()

    def find(self, text: str, folded: str | None = None) -> list[Mention]:
        """Leftmost-longest matches on word boundaries, one per entity."""
        if self._empty:
            return []
        folded = folded if folded is not None else fold(text)
        unified = _unify(text) if len(folded) == len(text) else text
        hits = []
        for end_index, (length, surfaces) in self._automaton.iter(folded):
            start = end_index - length + 1
            end = end_index + 1
            if not _on_word_boundary(folded, start, end):
                continue
            surface = unified[start:end]
            keys = surfaces.get(surface)
            if keys is None and surface.isupper() and length > 3:
                # Headlines in capitals: accept any form of the alias.
                keys = sorted({key for group in surfaces.values() for key in group})
            if keys is None or _names_a_body_of_water(folded, start, end):
                continue
            hits.append((start, end, keys))
        hits.sort(key=lambda hit: (hit[0], -(hit[1] - hit[0])))
        mentions: list[Mention] = []
        taken_until = -1
        for start, end, keys in hits:
            if start < taken_until:
                continue
            taken_until = end
            seen = set()
            for entity_type, entity_code, canonical, alias in keys:
                if (entity_type, entity_code) in seen:
                    continue
                seen.add((entity_type, entity_code))
                mentions.append(
                    Mention(
                        start=start,
                        end=end,
                        text=text[start:end],
                        entity_type=entity_type,
                        entity_code=entity_code,
                        entity=canonical,
                        alias=alias,
                    )
                )
        return self._without_unsupported_common_words(mentions)

    def _without_unsupported_common_words(
        self, mentions: list[Mention]
    ) -> list[Mention]:
        """Drop a common-word alias's mentions in a text that names neither
        its entity nor the entity's owner by another alias.

        Matching is case-sensitive, so "carrying" mid-sentence never
        matches; a capital at a sentence start ("Carrying out the plan")
        would, and only the rest of the article can tell the two apart.
        """
        if not self._common_word_aliases:
            return mentions
        named = {
            (mention.entity_type, mention.entity_code)
            for mention in mentions
            if (mention.entity_type, mention.entity_code, mention.alias)
            not in self._common_word_aliases
        }
        return [
            mention
            for mention in mentions
            if (mention.entity_type, mention.entity_code, mention.alias)
            not in self._common_word_aliases
            or (mention.entity_type, mention.entity_code) in named
            or self._owners.get((mention.entity_type, mention.entity_code)) in named
        ]


# Words a hyphen joins to a name without making a longer name: an
# adjective or participle after it ("KAMAZ-owned", "Avtotor-built",
# "BAIC-branded"), a Russian particle ("Автотор-то"), or a prefix before it
# ("ex-Renault"). Any other hyphened word makes a longer name: "Kama-1",
# "Mercedes-Benz", "Lada e-Largus", "Ростов-на-Дону", "Москва-река".
_NAME_SUFFIX = re.compile(
    r"[^\W\d_]+(?:ed|ing)|built|made|led|run|style|brand|то|ка|либо|нибудь"
)
_NAME_PREFIXES = {"ex", "non", "pro", "anti", "pre", "post", "экс"}


# A name next to one of these words is a river's or a lake's: "the Kama
# River", "на реке Каме", "Lake Baikal". KAMAZ stands on the Kama, so a
# text about it may well name the river.
_WATER_AFTER = re.compile(r"\s+(?:river|lake|reservoir)\b")
_WATER_BEFORE = re.compile(
    r"(?:\b(?:river|lake)|(?<![^\W\d_])(?:рек|озер|водохранилищ)[аеиуоы]\w{0,2}|"
    r"(?<![^\W\d_])р\.)\s*$"
)


def _names_a_body_of_water(folded: str, start: int, end: int) -> bool:
    """Whether folded[start:end] is named as a river or a lake."""
    return bool(
        _WATER_AFTER.match(folded, end)
        or _WATER_BEFORE.search(folded, max(0, start - 20), start)
    )


def _on_word_boundary(folded: str, start: int, end: int) -> bool:
    """Whether folded[start:end] is a whole word, or whole words."""
    if start > 0 and (folded[start - 1].isalnum() or folded[start - 1] == "_"):
        return False
    if end < len(folded):
        after = folded[end]
        if after.isalnum() or after == "_":
            return False
        if after == "-" and end + 1 < len(folded) and folded[end + 1].isalnum():
            word_end = end + 1
            while word_end < len(folded) and folded[word_end].isalnum():
                word_end += 1
            joined = folded[end + 1 : word_end]
            next_is_hyphen = word_end < len(folded) and folded[word_end] == "-"
            if next_is_hyphen or not _NAME_SUFFIX.fullmatch(joined):
                return False
    if start > 1 and folded[start - 1] == "-" and folded[start - 2].isalnum():
        prefix_start = start - 2
        while prefix_start > 0 and folded[prefix_start - 1].isalnum():
            prefix_start -= 1
        if folded[prefix_start : start - 1] not in _NAME_PREFIXES:
            return False
    return True


def load_matcher(seeds_dir: Path) -> AliasMatcher:
    """Build the matcher from the curated CSVs in a seeds directory."""
    from ingest.curated import read_curated_table
    from ingest.schema import TABLES_BY_NAME

    rows = {}
    for table_name in [*(spec[0] for spec in ENTITY_TABLES.values()), "aliases"]:
        table = TABLES_BY_NAME[table_name]
        rows[table_name] = read_curated_table(table, seeds_dir / table.csv_name).rows
    return matcher_from_rows(rows)


def matcher_inputs(
    rows: dict[str, list[dict]],
) -> tuple[list[Entity], list[AliasRecord]]:
    """What the matcher reads of the curated rows: each entity's code,
    name and owner (a vehicle model's brand), each alias's entity, text,
    language and whether it is a common word.

    Extraction keys hash this (a little more than the matcher reads: an
    alias's language, the names of entities without aliases), so that
    editing any other column (a brand's note, a plant's place) extracts no
    article again.
    """
    entities = [
        Entity(
            entity_type,
            row[code_column],
            row[name_column],
            _owner(entity_type, row),
        )
        for entity_type, (table_name, code_column, name_column) in ENTITY_TABLES.items()
        for row in rows.get(table_name, [])
    ]
    records = [
        AliasRecord(
            row["entity_type"],
            row["entity_code"],
            row["alias"],
            row["language"],
            row["is_common_word"],
        )
        for row in rows.get("aliases", [])
    ]
    return entities, records


def _owner(entity_type: str, row: dict) -> tuple[str, str] | None:
    if entity_type not in OWNER_COLUMNS:
        return None
    owner_type, owner_column = OWNER_COLUMNS[entity_type]
    return (owner_type, row[owner_column]) if row.get(owner_column) else None


def matcher_from_rows(rows: dict[str, list[dict]]) -> AliasMatcher:
    """Build the matcher from curated rows, keyed by table name."""
    entities, records = matcher_inputs(rows)
    return AliasMatcher(
        records,
        {(entity.entity_type, entity.entity_code): entity for entity in entities},
    )


# ----------------------------------------------------------- candidates

_UPPER = r"[A-ZА-ЯЁ]"
# One capitalised token of a name: "Great", "SAIC", "GAZ-3302", "Haval".
_NAME_TOKEN = rf"{_UPPER}[\w&'’.\-]*(?<![.\-])"
_LATIN_NAME = r"[A-Z][\w&'’\-]*(?<![\-])"
_NAME = rf"{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{0,3}}"
_QUOTED = r"[«\"“](?P<quoted>[^»\"”\n]{1,60}?)[»\"”]"

# "Manufacturing" is no suffix: in English it is more often the activity
# inside a longer name ("Advanced Technology Vehicles Manufacturing
# loans"); a manufacturer's own name carries a legal form or "Company".
_COMPANY_SUFFIXES = (
    r"Motors?|Group|Auto|Automobile|Automotive|Automobiles|Corporation|"
    r"Corp\.?|Co\.|Holdings?|Industries|Industrial|JSC|PJSC|OJSC|LLC|Ltd\.?|"
    r"Inc\.?|AG|GmbH|S\.A\.|SA|Technologies|Technology|Rus|"
    r"Vostok|Trucks|Automotive\s+Group|Company"
)
# Legal forms written after a comma: "SK Siltron CSS, LLC".
_TRAILING_LEGAL_FORMS = r"LLC|L\.L\.C\.|Inc\.?|Ltd\.?|Corp\.?|PLC|plc|LP|L\.P\.|GmbH|AG"
# A suffix word followed by more of a proper name is inside that name:
# "Advanced Technology Vehicles Manufacturing (ATVM) Loan Program".
_NAME_CONTINUES = re.compile(r"\s+(?:\([A-Z]{2,}\)\s+)?[A-Z][a-z]")
# A company noun or legal form closes a name even in a title-case
# headline: "Tata Group Gigafactory Investment" names "Tata Group".
_ENDS_WITH_COMPANY_NOUN = re.compile(
    r"(?:Group|Company|Corporation|Corp\.?|Inc\.?|LLC|Ltd\.?|GmbH|JSC|PJSC|"
    r"OJSC|Holdings?)\Z"
)

# A person cue is a role phrase right before a full name: the role word
# ("Minister", "Director", "премьер-министр"), more role words ("Director
# General", "Deputy Secretary"), then the role's complement, which may
# hold capitalised words ("of Industry and Trade", "of OAO “Sollers”",
# "РФ"), then the name. Which capitalised words are the complement and
# which the name is decided in _person_name.
_ROLE_HEADS = (
    r"ceo|cfo|coo|chairman|chairwoman|chairperson|president|director|head|"
    r"founder|co-founder|minister|mayor|governor|spokesperson|spokesman|"
    r"spokeswoman|analyst|expert|executive|chief|deputy|secretary|senator|"
    r"chancellor|ambassador|administrator|commissioner|premier|sen\.|gov\.|"
    r"representative|rep\.|congressman|congresswoman|congressmember|chair|"
    r"prime[\s-]minister|"
    r"глав[аыеу]|директор\w*|гендиректор\w*|президент\w*|"
    r"председател\w*|министр\w*|замминистра|мэр\w*|губернатор\w*|"
    r"основател\w*|эксперт\w*|аналитик\w*|руководител\w*|"
    r"вице-премьер\w*|премьер(?:-министр)?\w*|вице-президент\w*|"
    r"заместител\w*|сооснователь\w*|представител\w*|пресс-секретар\w*|"
    r"изобретател\w*"
)
_ROLE_TAILS = (
    r"general|secretary|chairman|chair|director|operating|officer|minister|"
    r"president|executive|manager"
)
_PERSON_NAME_TOKEN = (
    r"[A-ZА-ЯЁÀ-ÖØ-Þ][a-zа-яёß-öø-ÿ]+(?:[A-Z][a-zß-öø-ÿ]+)?"
    r"(?:-[A-ZА-ЯЁÀ-ÖØ-Þ][a-zа-яёß-öø-ÿ]+)?"
)
_PERSON_CUE = re.compile(
    rf"(?<![\w-])(?i:{_ROLE_HEADS})(?![\w-])"
    rf"(?:\s+(?i:{_ROLE_TAILS})(?![\w-]))*"
    r"(?P<complement>(?:\s+(?:[a-zа-яё][\w'’-]*|[A-ZА-ЯЁ]{2,6}(?![\w-])|"
    r"[«\"“][^»\"”\n]{1,60}?[»\"”]|[A-ZА-ЯЁ][\w'’.-]*)){0,6}?)"
    rf"\s+(?P<name>{_PERSON_NAME_TOKEN}(?:\s+{_PERSON_NAME_TOKEN}){{1,4}})"
    r"(?![\w-])"
)
# Words no person's name holds: they end an institution's name ("Loan
# Programs Office") that a role's complement runs into.
_NOT_PERSON_WORDS = {
    "office", "department", "ministry", "agency", "administration",
    "council", "committee", "bureau", "board", "group", "company",
    "corporation", "program", "programs", "programme", "service",
    "commission", "fund", "bank", "plant", "factory", "university",
    "institute", "association", "union", "federation", "republic",
    "region", "state", "states", "house", "government", "motors", "motor",
    "automotive", "energy", "industry", "trade", "center", "centre",
    "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december", "monday",
    "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    # Role words: "Executive Chairman Chung" names no one by the role's
    # second word, "Governor Kemp, Senator Ossoff" is two roles.
    "chairman", "chairwoman", "chair", "officer", "operating", "senator",
    "secretary", "governor", "minister", "president", "director", "mayor",
    "executive", "representative", "congressman", "congresswoman", "deputy",
    "chief", "general", "manager", "ambassador", "commissioner",
    # Headline words after a name: "Secretary Buttigieg Delivers Remarks".
    "remarks", "delivers", "announces", "visits", "tours", "speaks", "says",
    "meets", "highlights", "statement", "interview", "address",
    # Institutions a role's complement runs into: "Secretary Buttigieg
    # later delivered remarks at Ivy Tech Community College".
    "college", "school", "academy", "hospital", "airport", "museum",
}  # fmt: skip
_PATRONYMIC = re.compile(
    r"(?:ович|евич|ич|овна|евна|ична|инична)\w{0,3}$", re.IGNORECASE
)


def _person_name(match: re.Match[str]) -> tuple[int, int] | None:
    """The span of the name a person cue introduces, or None.

    After a complement the name is the last two capitalised words ("of
    Russia Vladimir Putin"); right after the role it may have three
    ("Chairman William Clay Ford"; in Russian only with a patronymic,
    since a capitalised genitive complement such as "Минпромторга" can
    stand between role and name).
    """
    tokens = list(re.finditer(r"\S+", match.group("name")))
    base = match.start("name")
    russian = _has_cyrillic(match.group("name"))
    if match.group("complement").strip() or len(tokens) > 3:
        chosen = tokens[-2:]
    elif len(tokens) == 3 and russian and not _PATRONYMIC.search(tokens[1].group()):
        chosen = tokens[-2:]
    else:
        chosen = tokens
    if any(token.group().lower() in _NOT_PERSON_WORDS for token in chosen):
        return None
    return base + chosen[0].start(), base + chosen[-1].end()


def _leading_literals(alternation: str) -> tuple[str, ...]:
    r"""The literal text each top-level alternative of a pattern opens with.

    ``r"глав[аыеу]|sen\.|prime[\s-]minister"`` gives ("глав", "sen.",
    "prime"): words every match of that alternative starts with, which
    the gates below look for before trying the pattern. The cue words are
    written once, in the pattern, so a word added there is never missed
    by the gates.
    """
    prefixes = []
    for alternative in _top_level_alternatives(alternation):
        literal = []
        position = 0
        while position < len(alternative):
            character = alternative[position]
            if character == "\\":
                escaped = alternative[position + 1]
                if escaped.isalnum():
                    break
                literal.append(escaped)
                position += 2
                continue
            if character in "?*{" and literal:
                # The character before may be absent ("officers?"): the
                # word every match starts with ends before it.
                literal.pop()
            if character in "[(?*+{.":
                break
            literal.append(character)
            position += 1
        if not literal:
            raise ValueError(f"cue alternative without a leading word: {alternative}")
        prefixes.append("".join(literal))
    return tuple(dict.fromkeys(prefixes))


def _top_level_alternatives(alternation: str) -> list[str]:
    alternatives, current, depth, in_class, position = [], [], 0, False, 0
    while position < len(alternation):
        character = alternation[position]
        if character == "\\":
            current.append(alternation[position : position + 2])
            position += 2
            continue
        if in_class:
            in_class = character != "]"
        elif character == "[":
            in_class = True
        elif character == "(":
            depth += 1
        elif character == ")":
            depth -= 1
        elif character == "|" and depth == 0:
            alternatives.append("".join(current))
            current = []
            position += 1
            continue
        current.append(character)
        position += 1
    alternatives.append("".join(current))
    return alternatives


# The words that introduce a company name: "компания X", "the carmaker X".
# Russian ones in any case; English ones in lower case only, because a
# capitalised "Group" ends a name ("Hyundai Motor Group Executive Chair").
_COMPANY_NOUNS_ANY_CASE = (
    r"компани[яиюейм]+|концерн\w*|холдинг\w*|"
    r"автопроизводител\w*|автоконцерн\w*|производител\w*|"
    r"корпораци\w*|госкорпораци\w*|стартап\w*|дистрибьютор\w*|фирм\w*|"
    r"групп[аыуеой]+\s+компаний|групп[аыуеой]+|"
    + "|".join(
        rf"{adjective}\w+\s+(?:компани\w+|концерн\w*|автопроизводител\w*|"
        r"производител\w*)"
        for adjective in (
            "автомобильн", "китайск", "российск", "южнокорейск", "японск",
            "немецк", "иностранн",
        )
    )
)  # fmt: skip
_COMPANY_NOUNS_LOWER_CASE = (
    r"company|automaker|carmaker|manufacturer|concern|startup|"
    r"holding|distributor|supplier|firm|group"
)
_COMPANY_NOUNS = _COMPANY_NOUNS_ANY_CASE + "|" + _COMPANY_NOUNS_LOWER_CASE


_CANDIDATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "company",
        re.compile(
            rf"(?P<name>(?:{_LATIN_NAME}\s+){{1,3}}(?:{_COMPANY_SUFFIXES}))"
            r"(?![\w-])"
        ),
    ),
    (
        "company",
        re.compile(
            rf"(?P<name>{_LATIN_NAME}(?:\s+{_LATIN_NAME}){{0,3}},\s+"
            rf"(?:{_TRAILING_LEGAL_FORMS}))(?![\w-])"
        ),
    ),
    (
        "company",
        re.compile(
            r"(?<![\w-])(?:ООО|ОАО|ПАО|ЗАО|АО|ГК|НПО|PJSC|JSC|OJSC|LLC|OOO|OAO|"
            r"PAO|ZAO|AO)\s+" + _QUOTED
        ),
    ),
    (
        "company",
        re.compile(
            rf"(?<![\w-])(?:(?i:{_COMPANY_NOUNS_ANY_CASE})|"
            rf"{_COMPANY_NOUNS_LOWER_CASE})\s+"
            rf"(?:{_QUOTED}|(?P<name>{_NAME}))"
        ),
    ),
    (
        "brand",
        re.compile(
            r"(?<![\w-])(?i:бренд\w*|марк(?:[аиуеой]|ами|ам|ах|ой|ою)|марок|brand|"
            r"marque)\s+"
            rf"(?:{_QUOTED}|(?P<name>{_NAME}))"
        ),
    ),
    (
        "brand",
        re.compile(rf"(?<![\w-])the\s+(?P<name>{_NAME})\s+brand\b"),
    ),
    (
        "plant",
        re.compile(r"(?<![\w-])(?i:завод\w*|автозавод\w*|предприяти\w*)\s+" + _QUOTED),
    ),
    (
        "plant",
        re.compile(
            rf"(?P<name>(?:{_LATIN_NAME}\s+){{1,4}}(?:plant|factory|"
            r"assembly\s+plant|Plant|Factory))(?![\w-])"
        ),
    ),
    ("person", _PERSON_CUE),
    (
        "place",
        re.compile(
            r"(?P<name>[А-ЯЁ][а-яё]+(?:ск|цк|ов|ин)\w*"
            r"(?:\s+муниципальн\w+)?\s+(?:област\w*|кра[йяюе]\w*|"
            r"район\w*|округ\w*))(?![\w-])"
        ),
    ),
    (
        "place",
        re.compile(
            r"(?<![\w-])(?i:посёлк\w*|поселк\w*|посёлок|поселок|город\w*|"
            r"сел[аеоу]|деревн\w+|республик\w+|city\s+of|town\s+of|"
            r"village\s+of|republic\s+of|province\s+of|regions?\s+of|"
            r"county\s+of)\s+"
            # A second capitalised word belongs to the name ("Naberezhnye
            # Chelny", "Нижний Новгород") unless a region noun or a role
            # follows it: "городе Тольятти Самарской области".
            r"(?P<name>[A-ZА-ЯЁ][\w-]+(?:\s+[A-ZА-ЯЁ][\w-]+(?![\w-])"
            r"(?!\s+(?:област|кра[йяюе]|район|округ|(?i:region|county|oblast|"
            r"province|mayor|governor))))?)"
        ),
    ),
    (
        "place",
        re.compile(
            r"(?P<name>(?:[A-Z][a-z]+\s+){1,2}(?:Oblast|Krai|Province|"
            r"Region|region|oblast|province|Republic|County|"
            r"Special\s+Economic\s+Zone))"
            r"(?![\w-])"
        ),
    ),
)

_SUFFIX_CUE = _CANDIDATE_PATTERNS[0][1]
_PLANT_SUFFIX_CUE = _CANDIDATE_PATTERNS[7][1]
# A plant "name" made only of what plants make or do ("EV Battery Plant",
# "Assembly Plant") describes a kind of plant, not one plant.
_GENERIC_PLANT_NAME = re.compile(
    r"(?:(?:EV|Battery|Assembly|Engine|Manufacturing|Stamping|Parts|Car|"
    r"Vehicle|Truck|Cell|Power|New|Electric|Auto|Components?)\s+)+"
    r"(?:plant|factory|assembly\s+plant|Plant|Factory)"
)
_COMPANY_WORD_CUE = _CANDIDATE_PATTERNS[3][1]
_PLACE_NOUN_CUE = _CANDIDATE_PATTERNS[10][1]
_PLACE_SUFFIX_CUE = _CANDIDATE_PATTERNS[11][1]
# "Президент Республики Татарстан Рустам Минниханов", "Governor of the
# city of Tula Alexei Dyumin": after a role, the place noun's name runs
# into the full name of the person holding the role.
_ROLE_BEFORE_PLACE = re.compile(
    rf"(?<![\w-])(?i:{_ROLE_HEADS})(?:\s+[a-zа-яё][\w-]*){{0,3}}\s+\Z"
)
_NEXT_NAME_WORD = re.compile(rf"\s+{_PERSON_NAME_TOKEN}(?![\w-])")
_ROLE_WORD = re.compile(rf"(?i:{_ROLE_HEADS})")


def _place_name_end(text: str, cue_start: int, start: int, end: int) -> int:
    """Where a place named after a place noun ends, when the capitalised
    run after the noun holds more than the place.

    A role word is no part of a place name ("Republic of Tatarstan
    President …"); after a role, the last two words of the run are the
    role holder's first name and surname, and the place is what comes
    before them (at least its first word).
    """
    words = [
        (start + found.start(), start + found.end())
        for found in re.finditer(r"\S+", text[start:end])
    ]
    if len(words) > 1 and _ROLE_WORD.fullmatch(text, *words[1]):
        return words[0][1]
    if not _ROLE_BEFORE_PLACE.search(text, 0, cue_start):
        return end
    run = list(words)
    position = end
    while len(run) < len(words) + 2:
        following = _NEXT_NAME_WORD.match(text, position)
        if following is None:
            break
        run.append((following.start() + 1, following.end()))
        position = following.end()
    kept = max(1, len(run) - 2)
    return words[kept - 1][1] if kept < len(words) else end


# Words every match of the candidate pattern at the same position
# contains: looked up as written for case-sensitive patterns, case-folded
# for the cue patterns. A paragraph lacking them skips the pattern, whose
# optional and look-behind openings make it cost per character.
_AS_WRITTEN = "as_written"
_CASE_FOLDED = "case_folded"
_CANDIDATE_ANCHORS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        _AS_WRITTEN,
        (
            "Motor", "Group", "Auto", "Corp", "Co.", "Holding", "Industr",
            "JSC", "LLC", "Ltd", "Inc", "AG", "GmbH", "S.A.", "SA",
            "Technolog", "Rus", "Vostok", "Trucks", "Company",
        ),
    ),
    (
        _AS_WRITTEN,
        (
            "LLC", "L.L.C.", "Inc", "Ltd", "Corp", "PLC", "plc", "LP", "L.P.",
            "GmbH", "AG",
        ),  # fmt: skip
    ),
    (_AS_WRITTEN, ("ООО", "АО", "ГК", "НПО", "JSC", "LLC", "OOO", "AO")),
    (
        _CASE_FOLDED,
        _leading_literals(_COMPANY_NOUNS),
    ),
    (_CASE_FOLDED, ("бренд", "марк", "марок", "brand", "marque")),
    (_AS_WRITTEN, ("brand",)),
    (_CASE_FOLDED, ("завод", "предприяти")),
    (_AS_WRITTEN, ("plant", "factory", "Plant", "Factory")),
    (_CASE_FOLDED, _leading_literals(_ROLE_HEADS)),
    (_AS_WRITTEN, ("област", "кра", "район", "округ")),
    (
        _CASE_FOLDED,
        (
            "посёлк", "поселк", "посёлок", "поселок", "город", "села",
            "селе", "село", "селу", "деревн", "республик", "city", "town",
            "village", "republic", "province", "region", "county",
        ),
    ),
    (
        _AS_WRITTEN,
        (
            "Oblast", "Krai", "Province", "Region", "region", "oblast",
            "province", "Republic", "County", "Special",
        ),
    ),
)  # fmt: skip


@functools.cache
def _candidate_gates() -> dict[str, ahocorasick.Automaton]:
    """Per spelling, an automaton of every anchor word of
    _CANDIDATE_ANCHORS whose value is the bit mask of the patterns
    holding that word: one pass over a paragraph finds which patterns
    may match, where a search per pattern scanned it twelve times."""
    masks: dict[str, dict[str, int]] = {_AS_WRITTEN: {}, _CASE_FOLDED: {}}
    for index, (spelling, anchors) in enumerate(_CANDIDATE_ANCHORS):
        for anchor in anchors:
            masks[spelling][anchor] = masks[spelling].get(anchor, 0) | 1 << index
    automata = {}
    for spelling, words in masks.items():
        automaton = ahocorasick.Automaton()
        for word, mask in words.items():
            automaton.add_word(word, mask)
        automaton.make_automaton()
        automata[spelling] = automaton
    return automata


def _gated_patterns(text: str, folded: str) -> int:
    """Bit mask of the candidate patterns whose anchor words occur."""
    automata = _candidate_gates()
    mask = 0
    for _, pattern_mask in automata[_AS_WRITTEN].iter(text):
        mask |= pattern_mask
    for _, pattern_mask in automata[_CASE_FOLDED].iter(folded):
        mask |= pattern_mask
    return mask


# The company and person cue patterns open with a look-behind, so
# finditer would try them at every character, yet a match starts only
# where a cue word does: these find every such place in the case-folded
# text (the first word of each cue; a word inside another is no start).
_CUE_WORD_STARTS = {
    pattern: re.compile("|".join(map(re.escape, _leading_literals(cue_words))))
    for pattern, cue_words in (
        (_COMPANY_WORD_CUE, _COMPANY_NOUNS),
        (_PERSON_CUE, _ROLE_HEADS),
    )
}


def _cue_matches(
    text: str, folded: str, pattern: re.Pattern[str]
) -> Iterator[re.Match[str]]:
    """What ``pattern.finditer(text)`` yields, tried only at cue words."""
    starts = _CUE_WORD_STARTS.get(pattern)
    if starts is None:
        yield from pattern.finditer(text)
        return
    position = 0
    for found in starts.finditer(folded):
        if found.start() < position:
            continue
        match = pattern.match(text, found.start())
        if match is not None:
            yield match
            position = match.end()


# Capitalised words that start sentences or name roles, not entities.
_NOT_NAMES = {
    "the", "a", "an", "this", "that", "its", "his", "her", "their", "our",
    "in", "on", "at", "of", "and", "for", "with", "as", "by", "from",
    "which", "who", "chinese", "russian", "korean", "japanese", "german",
    "french", "american", "european", "iranian", "государственная",
    "ev", "evs", "new", "electric", "former", "first", "second", "local",
}  # fmt: skip


def find_candidates(text: str, offset: int = 0) -> list[Mention]:
    """Names introduced by a cue, typed by the cue; no alias lookup here."""
    found: list[Mention] = []
    # re.IGNORECASE also lets "i" match the Turkish "İ" and "ı", which
    # case-fold to something else.
    folded = text.replace("İ", "i").replace("ı", "i").casefold()
    lowered = case_folded(text)
    gated = _gated_patterns(text, folded)
    for index, (entity_type, pattern) in enumerate(_CANDIDATE_PATTERNS):
        if not gated >> index & 1:
            continue
        for match in _cue_matches(text, lowered, pattern):
            group = "quoted" if match.groupdict().get("quoted") else "name"
            start, end = match.span(group)
            if start < 0:
                continue
            if pattern is _PERSON_CUE:
                span = _person_name(match)
                if span is None:
                    continue
                start, end = span
            elif pattern is _PLACE_NOUN_CUE:
                end = _place_name_end(text, match.start(), start, end)
            elif pattern is _PLANT_SUFFIX_CUE and _GENERIC_PLANT_NAME.fullmatch(
                text, start, end
            ):
                continue
            elif (
                pattern is _SUFFIX_CUE
                and _NAME_CONTINUES.match(text, end)
                and not _ENDS_WITH_COMPANY_NOUN.search(text, start, end)
            ):
                continue
            name = text[start:end]
            stripped = name.rstrip(" .,")
            end = start + len(stripped)
            words = stripped.split()
            while words and words[0].lower() in _NOT_NAMES:
                start += len(words[0]) + 1
                words = words[1:]
                stripped = text[start:end]
            if not words or not stripped[:1].isupper() and group != "quoted":
                continue
            if pattern is _PLACE_SUFFIX_CUE and len(words) < 2:
                # "The Republic of Tatarstan": the region noun names nothing
                # once the article is gone.
                continue
            if group == "quoted" and (not stripped[:1].isupper() or len(words) > 5):
                continue
            found.append(
                Mention(
                    start=start + offset,
                    end=end + offset,
                    text=stripped,
                    entity_type=entity_type,
                    entity_code=None,
                    entity=None,
                    alias=None,
                )
            )
    found.sort(key=lambda mention: (mention.start, -(mention.end - mention.start)))
    result: list[Mention] = []
    taken_until = -1
    for mention in found:
        if mention.start < taken_until:
            continue
        taken_until = mention.end
        result.append(mention)
    return result


def merge_candidates(
    mentions: list[Mention], candidates: list[Mention]
) -> list[Mention]:
    """Candidates that overlap no curated mention, with the mentions."""
    spans = [(mention.start, mention.end) for mention in mentions]
    kept = [
        candidate
        for candidate in candidates
        if not any(
            candidate.start < end and start < candidate.end for start, end in spans
        )
    ]
    return sorted(
        [*mentions, *kept],
        key=lambda mention: (mention.start, mention.end, mention.entity_type),
    )

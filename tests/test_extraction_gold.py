"""The extractor scored against hand-made gold annotations.

tests/gold/samples/ annotates the four articles in data/articles/;
tests/gold/dev/ annotates public articles the extractor was not written
from. Thresholds are the issue's: 0.95 on the samples, 0.85 on the
development set, for precision and recall of each kind.
"""

from __future__ import annotations

import pytest
from gold.gold import GOLD_DIR, PROJECT_ROOT, gold_files, load_gold, parse_gold
from gold.scoring import report, score_set

from ingest.extraction import KINDS
from ingest.mentions import load_matcher

SEEDS_DIR = PROJECT_ROOT / "seeds"


@pytest.fixture(scope="module")
def matcher():
    return load_matcher(SEEDS_DIR)


@pytest.mark.parametrize(
    "gold_path", gold_files("samples") + gold_files("dev"), ids=lambda path: path.stem
)
def test_gold_offsets_point_at_their_text(gold_path):
    header, items = load_gold(gold_path)
    text = (PROJECT_ROOT / header["file"]).read_text(encoding="utf-8")
    assert items
    for item in items:
        assert text[item["start"] : item["end"]] == item["text"]


@pytest.mark.parametrize(
    "source", sorted(GOLD_DIR.glob("*/*.gold")), ids=lambda path: path.stem
)
def test_compiled_gold_is_up_to_date(source):
    header, items = parse_gold(source)
    assert load_gold(source.with_suffix(".jsonl")) == (header, items)


def _assert_scores(scores, threshold):
    failures = []
    for kind in KINDS:
        score = scores[kind]
        if score.precision < threshold or score.recall < threshold:
            failures.append(kind)
    details = report(scores)
    for kind in failures:
        details += f"\n{kind} missed: " + "; ".join(
            f"{item['file']}:{item['start']} {item['text']!r}"
            for item in scores[kind].misses[:15]
        )
        details += f"\n{kind} spurious: " + "; ".join(
            f"{item['file']}:{item['start']} {item['text']!r}"
            for item in scores[kind].spurious[:15]
        )
    assert not failures, details


def test_samples_score_at_least_095(matcher):
    scores = score_set(gold_files("samples"), matcher, figure_periods=True)
    _assert_scores(scores, 0.95)


def russian_development_texts():
    return [path for path in gold_files("dev") if path.stem.startswith("ru_")]


def test_development_set_scores_at_least_085(matcher):
    paths = gold_files("dev")
    assert len(paths) >= 30, f"development set has {len(paths)} articles"
    scores = score_set(paths, matcher)
    _assert_scores(scores, 0.85)


def test_russian_development_texts_score_at_least_085(matcher):
    russian = russian_development_texts()
    assert russian
    _assert_scores(score_set(russian, matcher), 0.85)


# Only the count is expected to fail: the scores above are tested on their
# own, so a drop in them fails the suite instead of hiding in this xfail.
@pytest.mark.xfail(
    strict=True,
    reason="issue 4 is partial: the development set has 9 of the 12 Russian "
    "texts the issue asks for (no more openly licensed Russian news was found "
    "with the search tool); remove this mark when the Russian texts are there",
)
def test_development_set_has_12_russian_texts():
    russian = russian_development_texts()
    assert len(russian) >= 12, f"development set has {len(russian)} Russian texts"

"""Precision and recall of the extractor against gold annotations.

Mentions match on exact span and entity. Figures and periods match when
their spans overlap and every normalised field agrees: where a span
starts ("the fourth quarter" or "fourth quarter") is a convention, the
value is the fact. A figure's period counts where the set annotates
figures' periods (the samples do, undated figures included); the
development set leaves them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from gold.gold import PROJECT_ROOT, load_gold
from ingest.extraction import KINDS, extract_file, extraction_items

FIGURE_FIELDS = ("value_low", "value_high", "unit", "currency", "qualifier")
PERIOD_FIELDS = ("period_start", "period_end", "grain", "relation")
FIGURE_PERIOD_FIELDS = ("period_start", "period_end")


@dataclass
class Score:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    misses: list = field(default_factory=list)
    spurious: list = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0


def _matches(kind: str, gold: dict, found: dict, figure_periods: bool) -> bool:
    if kind == "mention":
        return (
            gold["start"] == found["start"]
            and gold["end"] == found["end"]
            and gold["entity_type"] == found["entity_type"]
            and gold["entity_code"] == found["entity_code"]
        )
    if not (gold["start"] < found["end"] and found["start"] < gold["end"]):
        return False
    fields = FIGURE_FIELDS if kind == "figure" else PERIOD_FIELDS
    if kind == "figure" and figure_periods:
        fields = (*fields, *FIGURE_PERIOD_FIELDS)
    return all(gold[name] == found[name] for name in fields)


def score_article(
    gold_items: list[dict],
    found_items: list[dict],
    scores: dict,
    figure_periods: bool = False,
):
    for kind in KINDS:
        gold_of_kind = [item for item in gold_items if item["kind"] == kind]
        found_of_kind = [item for item in found_items if item["kind"] == kind]
        unmatched = list(found_of_kind)
        score = scores[kind]
        for gold in gold_of_kind:
            partner = next(
                (
                    found
                    for found in unmatched
                    if _matches(kind, gold, found, figure_periods)
                ),
                None,
            )
            if partner is None:
                score.false_negatives += 1
                score.misses.append(gold)
            else:
                score.true_positives += 1
                unmatched.remove(partner)
        score.false_positives += len(unmatched)
        score.spurious.extend(unmatched)


def score_set(
    gold_paths: list[Path], matcher, figure_periods: bool = False
) -> dict[str, Score]:
    """Scores of the extractor on these gold files; ``figure_periods``
    when they annotate every figure's period, null for an undated one."""
    scores = {kind: Score() for kind in KINDS}
    for gold_path in gold_paths:
        header, gold_items = load_gold(gold_path)
        published = header.get("published_on")
        _, extraction = extract_file(
            PROJECT_ROOT / header["file"],
            matcher,
            date.fromisoformat(published) if published else None,
        )
        found = extraction_items(extraction)
        for item in found:
            item["file"] = header["file"]
        for item in gold_items:
            item["file"] = header["file"]
        score_article(gold_items, found, scores, figure_periods)
    return scores


def report(scores: dict[str, Score]) -> str:
    return "\n".join(
        f"{kind}: precision {score.precision:.3f} recall {score.recall:.3f} "
        f"(tp {score.true_positives}, fp {score.false_positives}, "
        f"fn {score.false_negatives})"
        for kind, score in scores.items()
    )

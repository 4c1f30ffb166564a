"""Gold annotations: compact hand-written sources and their compiled form.

An annotator writes one ``<article>.gold`` file per article by reading
it (format below); ``compile_gold`` turns every surface into character
offsets and writes ``<article>.jsonl``, which the scoring tests read.

    @file data/articles/000_ff5b0b369800448f.txt   (or a path in tests/gold/dev)
    @published_on 2023-01-01                      (the date the text states or implies)
    @source_url https://…
    M Kaliningrad Avtotor plant => plant:avtotor_kaliningrad
    M BAIC => company:baic brand:baic              (every occurrence)
    M Avtotor @1,3 => company:avtotor              (only the 1st and 3rd)
    C Калининградской области => place             (candidate, no curated entity)
    F up to 50,000 vehicles => 50000 50000 vehicles - up_to
    P fourth quarter of 2023 => 2023-10-01 2023-12-31 quarter in

Occurrences are counted on word boundaries, outside longer mentions
already placed, so "Avtotor" inside "Kaliningrad Avtotor plant" is not a
separate occurrence. Run ``python -m tests.gold.gold`` after editing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

GOLD_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = GOLD_DIR.parent.parent


def _on_boundary(text: str, start: int, end: int) -> bool:
    if start > 0 and text[start - 1].isalnum():
        return False
    if end < len(text) and text[end].isalnum():
        return False
    if (
        end + 1 < len(text)
        and text[end] == "-"
        and text[end + 1].isalnum()
        and text[end - 1].isalpha()
    ):
        return False
    return True


def _occurrences(text: str, surface: str) -> list[int]:
    found = []
    position = text.find(surface)
    while position != -1:
        if _on_boundary(text, position, position + len(surface)):
            found.append(position)
        position = text.find(surface, position + 1)
    return found


def _none(value: str) -> str | None:
    return None if value == "-" else value


def _number(value: str) -> int | float:
    number = float(value)
    return int(number) if number.is_integer() else number


def parse_gold(source: Path) -> tuple[dict, list[dict]]:
    """Read a ``.gold`` file; return its header and items with offsets."""
    header: dict = {}
    entries = []
    for line_number, raw_line in enumerate(
        source.read_text(encoding="utf-8").split("\n"), start=1
    ):
        line = raw_line.rstrip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            key, _, value = line[1:].partition(" ")
            header[key] = value.strip()
            continue
        kind, _, rest = line.partition(" ")
        surface_part, arrow, values = rest.partition(" => ")
        if not arrow:
            raise ValueError(f"{source}:{line_number}: missing ' => '")
        selector = None
        if " @" in surface_part:
            surface_part, _, selector_text = surface_part.rpartition(" @")
            selector = [int(index) for index in selector_text.split(",")]
        entries.append((line_number, kind, surface_part, selector, values.split()))
    text_path = PROJECT_ROOT / header["file"]
    text = text_path.read_text(encoding="utf-8").replace("\r\n", "\n")
    claimed: dict[str, list[tuple[int, int]]] = {"M": [], "F": [], "P": []}
    items = []
    order = sorted(entries, key=lambda entry: -len(entry[2]))
    for line_number, kind, surface, selector, values in order:
        group = "M" if kind in ("M", "C") else kind
        positions = [
            position
            for position in _occurrences(text, surface)
            if not any(
                position < end and start < position + len(surface)
                for start, end in claimed[group]
            )
        ]
        if selector:
            positions = [positions[index - 1] for index in selector]
        if not positions:
            raise ValueError(f"{source}:{line_number}: {surface!r} not found")
        for position in positions:
            end = position + len(surface)
            claimed[group].append((position, end))
            base = {"start": position, "end": end, "text": surface}
            if kind == "M":
                for reference in values:
                    entity_type, _, entity_code = reference.partition(":")
                    items.append(
                        {
                            "kind": "mention",
                            **base,
                            "entity_type": entity_type,
                            "entity_code": entity_code,
                        }
                    )
            elif kind == "C":
                items.append(
                    {
                        "kind": "mention",
                        **base,
                        "entity_type": values[0],
                        "entity_code": None,
                    }
                )
            elif kind == "F":
                low, high, unit, currency, qualifier, *period = values
                items.append(
                    {
                        "kind": "figure",
                        **base,
                        "value_low": _number(low),
                        "value_high": _number(high),
                        "unit": _none(unit),
                        "currency": _none(currency),
                        "qualifier": qualifier,
                        "period_start": period[0] if period else None,
                        "period_end": period[1] if period else None,
                    }
                )
            elif kind == "P":
                period_start, period_end, grain, relation = values
                items.append(
                    {
                        "kind": "period",
                        **base,
                        "period_start": _none(period_start),
                        "period_end": _none(period_end),
                        "grain": grain,
                        "relation": relation,
                    }
                )
            else:
                raise ValueError(f"{source}:{line_number}: unknown kind {kind}")
    items.sort(
        key=lambda item: (item["start"], item["kind"], item.get("entity_type") or "")
    )
    return header, items


def compile_gold(source: Path) -> Path:
    header, items = parse_gold(source)
    target = source.with_suffix(".jsonl")
    lines = [json.dumps({"header": header}, ensure_ascii=False)]
    lines += [json.dumps(item, ensure_ascii=False) for item in items]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def load_gold(path: Path) -> tuple[dict, list[dict]]:
    """Read a compiled ``.jsonl`` gold file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])["header"]
    return header, [json.loads(line) for line in lines[1:]]


def gold_files(set_name: str) -> list[Path]:
    return sorted((GOLD_DIR / set_name).glob("*.jsonl"))


if __name__ == "__main__":
    sources = [Path(argument) for argument in sys.argv[1:]] or sorted(
        GOLD_DIR.glob("*/*.gold")
    )
    for gold_source in sources:
        print(compile_gold(gold_source))

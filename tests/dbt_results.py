"""What the last dbt command in a warehouse folder ran, from run_results.json."""

from __future__ import annotations

import json
from pathlib import Path


def node_statuses(dbt_target_dir: Path, prefix: str = "") -> dict[str, str]:
    """Each node the last dbt command ran, by unique id, with its status
    (``success``, ``pass``, ``fail``, ...); only ids starting with ``prefix``."""
    run_results = json.loads((dbt_target_dir / "run_results.json").read_text())
    return {
        result["unique_id"]: result["status"]
        for result in run_results["results"]
        if result["unique_id"].startswith(prefix)
    }

"""Where things live. Every path handed to dbt is absolute."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WAREHOUSE_FILE_NAME = "autowatch.duckdb"


@dataclass(frozen=True)
class Paths:
    """The inputs and outputs of one build."""

    articles_dirs: tuple[Path, ...]
    seeds_dir: Path
    warehouse_dir: Path
    dbt_project_dir: Path = PROJECT_ROOT / "dbt_project"

    @property
    def warehouse_file(self) -> Path:
        return self.warehouse_dir / WAREHOUSE_FILE_NAME

    @property
    def lock_file(self) -> Path:
        return self.warehouse_dir / ".build.lock"

    @property
    def dbt_target_dir(self) -> Path:
        return self.warehouse_dir / "dbt_target"

    @property
    def dbt_log_dir(self) -> Path:
        return self.warehouse_dir / "dbt_logs"


def default_paths(
    articles_dirs: tuple[Path, ...] = (),
    seeds_dir: Path | None = None,
    warehouse_dir: Path | None = None,
) -> Paths:
    """Paths from arguments, then environment, then the repository layout."""
    environment_warehouse = os.environ.get("AUTOWATCH_WAREHOUSE_DIR")
    return Paths(
        articles_dirs=tuple(
            path.resolve()
            for path in (articles_dirs or (PROJECT_ROOT / "data" / "articles",))
        ),
        seeds_dir=(seeds_dir or PROJECT_ROOT / "seeds").resolve(),
        warehouse_dir=(
            warehouse_dir
            or (Path(environment_warehouse) if environment_warehouse else None)
            or PROJECT_ROOT / "warehouse"
        ).resolve(),
    )

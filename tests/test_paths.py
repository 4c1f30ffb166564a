"""Where a build reads and writes: arguments, then environment, then the
repository's own folders, always as absolute paths (dbt resolves a
relative one against its working directory)."""

from __future__ import annotations

from pathlib import Path

from ingest.paths import PROJECT_ROOT, default_paths


def test_without_arguments_a_build_uses_the_repositorys_folders(monkeypatch):
    monkeypatch.delenv("AUTOWATCH_WAREHOUSE_DIR", raising=False)
    paths = default_paths()
    assert paths.articles_dirs == (PROJECT_ROOT / "data" / "articles",)
    assert paths.seeds_dir == PROJECT_ROOT / "seeds"
    assert paths.warehouse_file == PROJECT_ROOT / "warehouse" / "autowatch.duckdb"
    assert paths.dbt_project_dir == PROJECT_ROOT / "dbt_project"


def test_relative_arguments_become_absolute_against_the_working_folder(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AUTOWATCH_WAREHOUSE_DIR", raising=False)
    paths = default_paths(
        (Path("news"), Path("more/news")), Path("curated"), Path("out")
    )
    assert paths.articles_dirs == (tmp_path / "news", tmp_path / "more" / "news")
    assert paths.seeds_dir == tmp_path / "curated"
    assert paths.warehouse_dir == tmp_path / "out"
    for path in (
        paths.warehouse_file,
        paths.lock_file,
        paths.dbt_target_dir,
        paths.dbt_log_dir,
    ):
        assert path.is_absolute()
        assert path.parent == tmp_path / "out"


def test_the_environment_names_the_warehouse_unless_an_argument_does(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AUTOWATCH_WAREHOUSE_DIR", "from_environment")
    assert default_paths().warehouse_dir == tmp_path / "from_environment"
    assert default_paths(warehouse_dir=Path("given")).warehouse_dir == (
        tmp_path / "given"
    )

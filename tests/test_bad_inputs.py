"""The bad-input catalogue: every case in tests/bad_inputs/ gives its exact
message and leaves the previous warehouse intact.

Articles that cannot be read are quarantined and the build goes on; a bad
curated CSV stops the build before anything is written; a fact that passes
the CSV checks but breaks a dbt test fails the build with dbt's summary. All
run the real CLI, the real ingester and, where the case needs it, real dbt.
"""

from __future__ import annotations

import csv
import ctypes
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from ingest.articles import MAX_ARTICLE_BYTES
from ingest.cli import cli
from ingest.paths import default_paths
from ingest.warehouse import identifier, staging_dir, table_name
from tests.conftest import ARTICLES_DIR, SEEDS_DIR

CATALOGUE_DIR = Path(__file__).parent / "bad_inputs"
ARTICLE_CASES = tomllib.loads(
    (CATALOGUE_DIR / "articles.toml").read_text(encoding="utf-8")
)["case"]
CURATED_CASES = tomllib.loads(
    (CATALOGUE_DIR / "curated.toml").read_text(encoding="utf-8")
)["case"]

# Linux capability numbers (linux/capability.h) and the prctl that removes
# one from the bounding set, so that a child running as root cannot bypass
# file permissions: root reads a chmod 000 file otherwise.
PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE = 1
CAP_DAC_READ_SEARCH = 2

HANG_GUARD_SECONDS = 600

SAMPLE_ARTICLE_COUNT = len(list(ARTICLES_DIR.glob("*.txt")))


def case_name(case: dict) -> str:
    return case["name"]


def cases_of(kind: str) -> list[dict]:
    return [case for case in CURATED_CASES if case["kind"] == kind]


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def substitute(template: str, values: dict[str, object]) -> str:
    for name, value in values.items():
        template = template.replace("{" + name + "}", str(value))
    return template


# Running the CLI


@dataclass
class Outcome:
    exit_code: int
    stderr: str


def _drop_file_permission_override() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def run_autowatch(arguments: list[str], honour_permissions: bool = False) -> Outcome:
    """Run the CLI in-process, or, where a test needs file permissions to
    hold and we are root, in a child that has lost root's override."""
    if honour_permissions and os.geteuid() == 0:
        try:
            completed = subprocess.run(
                [sys.executable, "-m", "ingest", *arguments],
                capture_output=True,
                text=True,
                preexec_fn=_drop_file_permission_override,
                timeout=HANG_GUARD_SECONDS,
            )
        except subprocess.TimeoutExpired:
            # A hang (a named pipe read as an article) is a failure, not
            # the missing capability below.
            raise
        except subprocess.SubprocessError as error:
            pytest.skip(
                "running as root and cannot drop CAP_DAC_OVERRIDE here, so no "
                f"file is unreadable: {error}"
            )
        return Outcome(completed.returncode, completed.stderr)
    result = CliRunner().invoke(cli, arguments, catch_exceptions=False)
    return Outcome(result.exit_code, result.stderr)


def make_unreadable(path: Path, content: bytes) -> None:
    path.write_bytes(content)
    path.chmod(0)


# Articles


def place_article(case: dict, articles_dir: Path) -> Path:
    """Create the case's file among copies of the real articles."""
    path = articles_dir / case["file"]
    path.parent.mkdir(parents=True, exist_ok=True)
    make = case.get("make")
    if "content" in case:
        path.write_bytes(case["content"].encode("utf-8"))
    elif "content_hex" in case:
        path.write_bytes(bytes.fromhex(case["content_hex"]))
    elif "copy_of" in case:
        path.write_bytes((ARTICLES_DIR / case["copy_of"]).read_bytes())
    elif "crlf_copy_of" in case:
        data = (ARTICLES_DIR / case["crlf_copy_of"]).read_bytes()
        assert b"\r" not in data
        path.write_bytes(data.replace(b"\n", b"\r\n"))
    elif make == "sparse_100_mb":
        with open(path, "wb") as handle:
            # Sparse: 100 MB to every reader, next to nothing on disk.
            handle.truncate(100 * 1024 * 1024)
    elif make == "directory":
        path.mkdir()
        (path / "inside.md").write_text("not an article\n")
    elif make == "named_pipe":
        os.mkfifo(path)
    elif make == "symlink_loop":
        path.symlink_to(path.name)
    elif make == "dangling_symlink":
        path.symlink_to(articles_dir / "deleted long ago.txt")
    elif make == "directory_symlink_loop":
        path.symlink_to("..", target_is_directory=True)
    elif make == "unreadable":
        make_unreadable(path, b"A secret article\n")
    else:
        raise AssertionError(f"case {case['name']}: nothing to write")
    return path


def test_catalogue_has_at_least_thirty_distinct_cases():
    names = [case["name"] for case in ARTICLE_CASES + CURATED_CASES]
    assert len(names) >= 30
    assert len(set(names)) == len(names)
    for case in ARTICLE_CASES:
        assert case.get("accepted") or {"reason", "quarantine_kind"} <= set(case)
    for case in CURATED_CASES:
        assert case["kind"] in ("curated", "dbt", "accepted")
        assert ("stored" if case["kind"] == "accepted" else "expected") in case


def test_size_limit_in_the_catalogue_is_the_code_limit():
    (case,) = [case for case in ARTICLE_CASES if case.get("make") == "sparse_100_mb"]
    assert f"over the {MAX_ARTICLE_BYTES} byte limit" in case["reason"]


@pytest.mark.parametrize("case", ARTICLE_CASES, ids=case_name)
def test_bad_article_is_quarantined_with_its_exact_reason(case, tmp_path):
    articles_dir = tmp_path / "articles"
    shutil.copytree(ARTICLES_DIR, articles_dir)
    path = place_article(case, articles_dir)
    database = tmp_path / "ingested.duckdb"
    outcome = run_autowatch(
        [
            "ingest",
            "--articles",
            str(articles_dir),
            "--seeds",
            str(SEEDS_DIR),
            "--database",
            str(database),
        ],
        honour_permissions=case.get("make") == "unreadable",
    )
    assert outcome.exit_code == 0, outcome.stderr
    connection = duckdb.connect(str(database), read_only=True)
    try:
        quarantined = connection.execute(
            "select file_name, file_path, reason, quarantine_kind "
            "from raw.news_article_quarantine"
        ).fetchall()
        articles = dict(
            connection.execute(
                "select file_path, article_text from raw.news_articles"
            ).fetchall()
        )
    finally:
        connection.close()
    if case.get("accepted"):
        assert quarantined == []
        assert "quarantined" not in outcome.stderr
        if "expected_text" in case:
            assert articles[str(path)] == case["expected_text"]
            assert len(articles) == SAMPLE_ARTICLE_COUNT + 1
        else:
            # A link back to a parent folder is not followed, so nothing is
            # read twice and the build does not loop.
            assert sorted(articles) == sorted(
                str(articles_dir / file.name) for file in ARTICLES_DIR.iterdir()
            )
        return
    reason = substitute(case["reason"], {"path": path, "articles": articles_dir})
    assert quarantined == [(path.name, str(path), reason, case["quarantine_kind"])]
    assert f"quarantined 1 article file(s):\n  {reason}\n" in outcome.stderr
    assert len(articles) == SAMPLE_ARTICLE_COUNT


# Curated CSVs


@dataclass
class PreparedSeeds:
    seeds_dir: Path
    file: Path
    line: int | None = None


def _line_count(path: Path) -> int:
    data = path.read_bytes()
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def _append(path: Path, data: bytes) -> int:
    """Append one record; return the line it starts on."""
    existing = path.read_bytes()
    if not existing.endswith(b"\n"):
        existing += b"\n"
    path.write_bytes(existing + data)
    return existing.count(b"\n") + 1


def _edit_row(path: Path, edit: dict) -> int:
    """Change one cell; return the line its row starts on."""
    text = path.read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fieldnames = reader.fieldnames
    rows, edited_line, previous_end = [], None, 1
    for row in reader:
        start, previous_end = previous_end + 1, reader.line_num
        if row[edit["key_column"]] == edit["key_value"]:
            edited_line = start
            if "value" in edit:
                row[edit["column"]] = edit["value"]
            else:
                assert edit["old"] in row[edit["column"]], edit
                row[edit["column"]] = row[edit["column"]].replace(
                    edit["old"], edit["new"]
                )
        rows.append(row)
    assert edited_line is not None, f"no row with {edit}"
    output = io.StringIO(newline="")
    writer = csv.DictWriter(output, fieldnames=fieldnames, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(output.getvalue(), encoding="utf-8")
    return edited_line


def prepare_seeds(case: dict, directory: Path) -> PreparedSeeds:
    seeds_dir = directory / case.get("seeds_dir_name", "seeds")
    shutil.copytree(SEEDS_DIR, seeds_dir)
    path = seeds_dir / case["file"]
    prepared = PreparedSeeds(seeds_dir, path)
    make = case.get("make")
    if "header" in case:
        lines = path.read_text(encoding="utf-8").split("\n")
        lines[0] = case["header"]
        path.write_text("\n".join(lines), encoding="utf-8")
    elif "append_line" in case:
        prepared.line = _append(path, case["append_line"].encode("utf-8") + b"\n")
    elif "append_hex" in case:
        prepared.line = _append(path, bytes.fromhex(case["append_hex"]))
    elif "edit_row" in case:
        prepared.line = _edit_row(path, case["edit_row"])
    elif "content" in case:
        path.write_text(case["content"], encoding="utf-8")
    elif case.get("prepend_bom"):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    elif make == "missing":
        path.unlink()
    elif make == "unreadable":
        make_unreadable(path, path.read_bytes())
    elif make == "extra_file":
        path.write_text("note\nnot a declared table\n", encoding="utf-8")
    else:
        raise AssertionError(f"case {case['name']}: nothing to change")
    return prepared


def expected_text(template: str, prepared: PreparedSeeds) -> str:
    values: dict[str, object] = {"file": prepared.file, "seeds": prepared.seeds_dir}
    if prepared.line is not None:
        values |= {"line": prepared.line, "next_line": prepared.line + 1}
    return substitute(template, values)


@pytest.fixture
def previous_warehouse(built_paths, tmp_path) -> Path:
    """A warehouse directory holding a copy of a good build."""
    warehouse_dir = tmp_path / "warehouse"
    warehouse_dir.mkdir()
    shutil.copyfile(built_paths.warehouse_file, warehouse_dir / "autowatch.duckdb")
    return warehouse_dir


def build_arguments(articles_dir: Path, seeds_dir: Path, warehouse_dir: Path):
    return [
        "build",
        "--articles",
        str(articles_dir),
        "--seeds",
        str(seeds_dir),
        "--warehouse-dir",
        str(warehouse_dir),
    ]


def assert_intact(warehouse_dir: Path, digest_before: str) -> None:
    warehouse_file = warehouse_dir / "autowatch.duckdb"
    assert file_digest(warehouse_file) == digest_before
    assert not (warehouse_dir / ".building").exists()
    connection = duckdb.connect(str(warehouse_file), read_only=True)
    try:
        (company_count,) = connection.execute(
            "select count(*) from marts.dim_company"
        ).fetchone()
        assert company_count > 0
    finally:
        connection.close()


@pytest.mark.parametrize("case", cases_of("curated"), ids=case_name)
def test_bad_csv_stops_the_build_with_its_exact_message(
    case, tmp_path, previous_warehouse
):
    prepared = prepare_seeds(case, tmp_path)
    digest_before = file_digest(previous_warehouse / "autowatch.duckdb")
    outcome = run_autowatch(
        build_arguments(ARTICLES_DIR, prepared.seeds_dir, previous_warehouse),
        honour_permissions=case.get("make") == "unreadable",
    )
    assert outcome.exit_code == 1
    assert outcome.stderr == (
        "Error: invalid input, nothing was loaded:\n"
        + "\n".join(expected_text(line, prepared) for line in case["expected"])
        + "\n"
    )
    assert_intact(previous_warehouse, digest_before)


@pytest.mark.parametrize("case", cases_of("accepted"), ids=case_name)
def test_odd_but_valid_csv_text_is_stored_verbatim(case, tmp_path):
    prepared = prepare_seeds(case, tmp_path)
    database = tmp_path / "ingested.duckdb"
    outcome = run_autowatch(
        [
            "ingest",
            "--articles",
            str(ARTICLES_DIR),
            "--seeds",
            str(prepared.seeds_dir),
            "--database",
            str(database),
        ]
    )
    assert outcome.exit_code == 0, outcome.stderr
    stored = case["stored"]
    connection = duckdb.connect(str(database), read_only=True)
    try:
        select_stored = "select {column} from {table}".format(
            column=identifier(stored["column"]),
            table=table_name("raw", stored["table"]),
        )
        values = [value for (value,) in connection.execute(select_stored).fetchall()]
        tables = {
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'raw'"
            ).fetchall()
        }
    finally:
        connection.close()
    assert stored["value"] in values
    assert {"news_articles", "curated_articles", stored["table"]} <= tables


# Full builds: quarantine goes on, dbt failures stop.


@pytest.fixture(scope="module")
def shared_warehouse_dir(tmp_path_factory) -> Path:
    """One directory for this module's full builds, so dbt parses once."""
    return tmp_path_factory.mktemp("bad_input_builds")


@pytest.mark.slow
@pytest.mark.parametrize("case", cases_of("dbt"), ids=case_name)
def test_fact_breaking_a_dbt_test_fails_the_build_naming_test_and_rows(
    case, tmp_path, built_paths, shared_warehouse_dir
):
    prepared = prepare_seeds(case, tmp_path)
    shutil.copyfile(
        built_paths.warehouse_file, shared_warehouse_dir / "autowatch.duckdb"
    )
    digest_before = file_digest(shared_warehouse_dir / "autowatch.duckdb")
    outcome = run_autowatch(
        build_arguments(ARTICLES_DIR, prepared.seeds_dir, shared_warehouse_dir)
    )
    assert outcome.exit_code == 1
    assert (
        outcome.stderr == "Error: " + expected_text(case["expected"], prepared) + "\n"
    )
    assert_intact(shared_warehouse_dir, digest_before)


@pytest.mark.slow
def test_build_with_every_bad_article_quarantines_them_and_goes_on(
    tmp_path, built_paths, shared_warehouse_dir
):
    articles_dir = tmp_path / "articles"
    shutil.copytree(ARTICLES_DIR, articles_dir)
    quarantined = {}
    for case in ARTICLE_CASES:
        path = place_article(case, articles_dir)
        if not case.get("accepted"):
            quarantined[str(path)] = substitute(
                case["reason"], {"path": path, "articles": articles_dir}
            )
    shutil.copyfile(
        built_paths.warehouse_file, shared_warehouse_dir / "autowatch.duckdb"
    )
    outcome = run_autowatch(
        build_arguments(articles_dir, SEEDS_DIR, shared_warehouse_dir),
        honour_permissions=True,
    )
    assert outcome.exit_code == 0, outcome.stderr
    assert f"quarantined {len(quarantined)} article file(s):\n" in outcome.stderr
    for reason in quarantined.values():
        assert f"\n  {reason}\n" in outcome.stderr
    assert not staging_dir(default_paths((), None, shared_warehouse_dir)).exists()
    connection = duckdb.connect(
        str(shared_warehouse_dir / "autowatch.duckdb"), read_only=True
    )
    try:
        stored = dict(
            connection.execute(
                "select file_path, reason from staging.stg_news__article_quarantines"
            ).fetchall()
        )
        article_count = connection.execute(
            "select count(*) from marts.dim_article"
        ).fetchone()[0]
    finally:
        connection.close()
    assert stored == quarantined
    accepted_files = sum(
        1 for case in ARTICLE_CASES if case.get("accepted") and "expected_text" in case
    )
    assert article_count == SAMPLE_ARTICLE_COUNT + accepted_files

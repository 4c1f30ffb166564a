"""Benchmark full and incremental builds against a measured floor.

For each size: generate a corpus (bench/generate_corpus.py), measure the
floor on its files (read, hash, decode, insert the texts into DuckDB
through Arrow), build from scratch in a child process while sampling the
memory of the whole process tree, add one new article and rebuild, and
time a no-op ``dbt build``. Every time is also reported as a ratio to the
floor of the same run. Results go between the markers in RESULTS.md (the
analysis around them is kept) and one row per size is appended to
history.csv.

Example:
    .venv/bin/python bench/run_bench.py --sizes 1000 10000
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = PROJECT_ROOT / "bench"
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.generate_corpus import generate  # noqa: E402

DEFAULT_SIZES = (1000, 10_000, 100_000)
BUILD_SECTION = "## Build scaling (bench/run_bench.py)"
RESULTS_START = "<!-- bench:start -->"
RESULTS_END = "<!-- bench:end -->"
MEMORY_SAMPLE_SECONDS = 0.05
MEBIBYTE = 1024 * 1024

# Run in a child process so its memory and time are the build's own.
BUILD_CHILD = """
import json, sys, time
from pathlib import Path
started = time.perf_counter()
from ingest.paths import default_paths
from ingest.warehouse import build
paths = default_paths((Path(sys.argv[1]),), Path(sys.argv[2]), Path(sys.argv[3]))
result = build(paths)
seconds = dict(result.ingest.phase_seconds)
seconds["in_process_total"] = time.perf_counter() - started
print(json.dumps(seconds))
"""

NOOP_DBT_CHILD = """
import json, sys, time
from pathlib import Path
from ingest.paths import default_paths
from ingest import dbt
paths = default_paths((), None, Path(sys.argv[1]))
started = time.perf_counter()
dbt.build(paths, Path(sys.argv[2]))
print(json.dumps({"dbt": time.perf_counter() - started}))
"""


@dataclass
class SizeResult:
    """Everything measured at one corpus size."""

    article_files: int
    floor_seconds: float
    ingest_seconds: float
    extraction_seconds: float
    dbt_seconds: float
    total_seconds: float
    peak_rss_mebibytes: float
    warehouse_mebibytes: float
    add_one_seconds: float
    add_one_dbt_seconds: float
    noop_dbt_seconds: float

    def per_article_milliseconds(self) -> float:
        return 1000 * self.total_seconds / self.article_files


def measure_floor(articles_dir: Path, work_dir: Path) -> float:
    """Seconds to read, hash, decode and bulk-insert every article file.

    The least any ingester must do with the same files on the same machine.
    """
    import duckdb
    import pyarrow

    started = time.perf_counter()
    paths, digests, texts = [], [], []
    for path in sorted(articles_dir.rglob("*.txt")):
        data = path.read_bytes()
        digests.append(hashlib.sha256(data).hexdigest())
        try:
            texts.append(data.decode("utf-8"))
        except UnicodeDecodeError:
            texts.append(data.decode("cp1251"))
        paths.append(str(path))
    table = pyarrow.table({"file_path": paths, "sha256": digests, "text": texts})
    database = work_dir / "floor.duckdb"
    database.unlink(missing_ok=True)
    connection = duckdb.connect(str(database))
    connection.register("floor_rows", table)
    connection.execute("create table articles as select * from floor_rows")
    connection.close()
    seconds = time.perf_counter() - started
    database.unlink()
    return seconds


def run_measured(arguments: list[str]) -> tuple[dict, float, float]:
    """Run a child; return its JSON output, wall seconds and peak tree RSS."""
    import psutil

    environment = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
        cwd=PROJECT_ROOT,
    )
    process = psutil.Process(child.pid)
    peak = 0
    while child.poll() is None:
        try:
            tree = [process, *process.children(recursive=True)]
            peak = max(peak, sum(_rss(member) for member in tree))
        except psutil.NoSuchProcess:
            pass
        time.sleep(MEMORY_SAMPLE_SECONDS)
    stdout, stderr = child.communicate()
    seconds = time.perf_counter() - started
    if child.returncode != 0:
        raise RuntimeError(f"benchmark child failed:\n{stderr[-4000:]}")
    return json.loads(stdout.strip().splitlines()[-1]), seconds, peak / MEBIBYTE


def _rss(process) -> int:
    import psutil

    try:
        return process.memory_info().rss
    except psutil.NoSuchProcess:
        return 0


def add_one_article(articles_dir: Path, seeds_dir: Path, seed: int) -> Path:
    """Write one article no corpus of this seed contains."""
    from bench.generate_corpus import _article_text

    text, _ = _article_text(random.Random(seed + 7919), "en", 10_000_000)
    path = articles_dir / "9999999_added_by_bench.txt"
    path.write_text(text, encoding="utf-8")
    return path


def bench_size(size: int, work_dir: Path, seed: int) -> SizeResult:
    size_dir = work_dir / f"articles_{size}"
    print(f"[{size}] generating corpus in {size_dir}", file=sys.stderr)
    corpus = generate(size, size_dir, seed)
    warehouse_dir = size_dir / "warehouse"
    shutil.rmtree(warehouse_dir, ignore_errors=True)
    print(f"[{size}] measuring the floor", file=sys.stderr)
    floor = measure_floor(corpus.articles_dir, size_dir)
    build_arguments = [
        BUILD_CHILD,
        str(corpus.articles_dir),
        str(corpus.seeds_dir),
        str(warehouse_dir),
    ]
    print(f"[{size}] building from scratch", file=sys.stderr)
    phases, total, peak = run_measured(build_arguments)
    warehouse_file = warehouse_dir / "autowatch.duckdb"
    warehouse_size = warehouse_file.stat().st_size / MEBIBYTE
    print(f"[{size}] no-op dbt build on a copy", file=sys.stderr)
    with tempfile.TemporaryDirectory(dir=size_dir) as temporary:
        # A private warehouse dir, so the build's partial-parse state stays
        # as the build left it; the first run parses, the second is timed.
        noop_dir = Path(temporary)
        shutil.copytree(warehouse_dir / "dbt_target", noop_dir / "dbt_target")
        copy = noop_dir / "autowatch.duckdb"
        shutil.copyfile(warehouse_file, copy)
        for _ in range(2):
            noop, _, _ = run_measured([NOOP_DBT_CHILD, str(noop_dir), str(copy)])
    print(f"[{size}] adding one article and rebuilding", file=sys.stderr)
    add_one_article(corpus.articles_dir, corpus.seeds_dir, seed)
    added_phases, add_one, _ = run_measured(build_arguments)
    return SizeResult(
        article_files=corpus.file_count,
        floor_seconds=floor,
        ingest_seconds=phases.get("ingest", 0.0),
        extraction_seconds=phases.get("extraction", 0.0),
        dbt_seconds=phases.get("dbt", 0.0),
        total_seconds=total,
        peak_rss_mebibytes=peak,
        warehouse_mebibytes=warehouse_size,
        add_one_seconds=add_one,
        add_one_dbt_seconds=added_phases.get("dbt", 0.0),
        noop_dbt_seconds=noop["dbt"],
    )


def machine_description() -> list[str]:
    import dbt.version
    import duckdb
    import psutil

    cpu = platform.processor() or "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    ).stdout.strip()
    return [
        f"- CPU: {cpu}, {len(os.sched_getaffinity(0))} core(s) available",
        f"- Memory: {psutil.virtual_memory().total / MEBIBYTE / 1024:.1f} GiB",
        f"- OS: {platform.platform()}",
        f"- Python {platform.python_version()}, DuckDB {duckdb.__version__}, "
        f"dbt-core {dbt.version.__version__}",
        f"- Commit: {commit or 'unknown'}",
    ]


def _ratio(seconds: float, floor: float) -> str:
    return f"{seconds:.1f} s ({seconds / floor:.1f}×)" if floor else f"{seconds:.1f} s"


def results_table(results: dict[int, SizeResult]) -> list[str]:
    lines = [
        "| articles | floor | ingest | extraction | dbt | total | "
        "peak RSS | warehouse | per article | add one | no-op dbt |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, result in sorted(results.items()):
        floor = result.floor_seconds
        lines.append(
            f"| {size:,} | {floor:.2f} s | "
            f"{_ratio(result.ingest_seconds, floor)} | "
            f"{_ratio(result.extraction_seconds, floor)} | "
            f"{_ratio(result.dbt_seconds, floor)} | "
            f"{_ratio(result.total_seconds, floor)} | "
            f"{result.peak_rss_mebibytes:,.0f} MiB | "
            f"{result.warehouse_mebibytes:,.0f} MiB | "
            f"{result.per_article_milliseconds():.1f} ms | "
            f"{_ratio(result.add_one_seconds, floor)} | "
            f"{result.noop_dbt_seconds:.1f} s |"
        )
    return lines


def goal_lines(results: dict[int, SizeResult]) -> list[str]:
    """Each goal of issue 6, met or missed, and by how much."""
    lines = []
    largest = max(results)
    result = results[largest]
    floor = result.floor_seconds

    def verdict(name: str, value: float, limit: float, unit: str) -> None:
        status = "met" if value <= limit else f"MISSED by {value / limit:.1f}×"
        lines.append(
            f"- {name}: {value:.1f}{unit} against at most {limit:.1f}{unit}: {status}"
        )

    verdict(
        f"Ingest at {largest:,} (at most 2× the floor)",
        result.ingest_seconds,
        2 * floor,
        " s",
    )
    verdict(
        f"Full build at {largest:,} (at most 15× the floor)",
        result.total_seconds,
        15 * floor,
        " s",
    )
    verdict(
        f"Add one article at {largest:,} (no-op dbt build + 5 s)",
        result.add_one_seconds,
        result.noop_dbt_seconds + 5,
        " s",
    )
    verdict(
        f"Peak memory at {largest:,} (under 2 GiB)",
        result.peak_rss_mebibytes,
        2048,
        " MiB",
    )
    smaller = [size for size in results if size < largest]
    if smaller:
        reference = max(smaller)
        verdict(
            f"Per-article cost at {largest:,} vs {reference:,} (within 1.5×)",
            result.per_article_milliseconds()
            / results[reference].per_article_milliseconds(),
            1.5,
            "×",
        )
    return lines


def write_results(results: dict[int, SizeResult], results_file: Path) -> None:
    generated = [
        RESULTS_START,
        f"Last run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        "",
        *machine_description(),
        "",
        *results_table(results),
        "",
        "Ratios in brackets are to the floor of the same size in the same run. "
        "Total is the wall time of the build process (start-up and imports "
        "included); add one is a second build after one article was added.",
        "",
        *goal_lines(results),
        RESULTS_END,
    ]
    block = "\n".join(generated)
    if results_file.exists():
        text = results_file.read_text(encoding="utf-8")
        if RESULTS_START in text and RESULTS_END in text:
            before = text[: text.index(RESULTS_START)]
            after = text[text.index(RESULTS_END) + len(RESULTS_END) :]
            results_file.write_text(before + block + after, encoding="utf-8")
            return
        # Other sections (bench_extraction.py's) stay; ours goes at the end.
        results_file.write_text(
            text.rstrip("\n") + "\n\n" + BUILD_SECTION + "\n\n" + block + "\n",
            encoding="utf-8",
        )
        return
    results_file.write_text(
        "# Benchmark results\n\n" + BUILD_SECTION + "\n\n" + block + "\n",
        encoding="utf-8",
    )


def append_history(results: dict[int, SizeResult], history_file: Path) -> None:
    field_names = ["run_at", "commit", "articles", *SizeResult.__dataclass_fields__]
    is_new = not history_file.exists()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    ).stdout.strip()
    run_at = datetime.now(UTC).isoformat(timespec="seconds")
    with open(history_file, "a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=field_names)
        if is_new:
            writer.writeheader()
        for size, result in sorted(results.items()):
            writer.writerow(
                {
                    "run_at": run_at,
                    "commit": commit,
                    "articles": size,
                    **{
                        key: round(value, 3) if isinstance(value, float) else value
                        for key, value in asdict(result).items()
                    },
                }
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work-dir", type=Path, default=BENCH_DIR / "work")
    parser.add_argument("--results", type=Path, default=BENCH_DIR / "RESULTS.md")
    parser.add_argument("--history", type=Path, default=BENCH_DIR / "history.csv")
    arguments = parser.parse_args(argv)
    arguments.work_dir.mkdir(parents=True, exist_ok=True)
    results = {}
    for size in arguments.sizes:
        results[size] = bench_size(size, arguments.work_dir, arguments.seed)
        print(f"[{size}] {results[size]}", file=sys.stderr)
        # Written after every size, so a long run that is stopped still
        # leaves the sizes it finished.
        write_results(results, arguments.results)
        append_history({size: results[size]}, arguments.history)
    print(str(arguments.results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

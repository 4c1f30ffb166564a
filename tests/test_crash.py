"""Safe builds: real builds killed with SIGKILL never hurt the live warehouse.

Each kill starts `python -m ingest build` in a subprocess and kills it at one
of 20 moments spread over ingest, dbt and the swap. Ingest and swap moments
are exact: the build stops itself there (the test hook
``AUTOWATCH_TEST_STOP_AT_PHASE`` in ingest/warehouse.py) and is killed while
stopped. dbt moments are read from dbt's own log: the build is killed as soon
as dbt reports that it started the node at a given share of the run.

The killed builds read inputs that differ from the live warehouse's, so a
warehouse that was swapped in when it should not have been shows up as
changed fingerprints, not as a silent pass.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from ingest.paths import Paths, default_paths
from ingest.warehouse import (
    BUILD_PHASES,
    STOP_AT_PHASE_VARIABLE,
    staging_dir,
    table_fingerprints,
)
from tests.conftest import ARTICLES_DIR, SEEDS_DIR

pytestmark = pytest.mark.slow

# Only a guard against a hung build; nothing asserts how fast a build is.
HANG_GUARD_SECONDS = 600
POLL_SECONDS = 0.02

CHANGED_COMPANY = "avtotor"
CHANGED_NOTE = "Changed by the crash test so a wrongly swapped file shows."

# What a reader in another process runs; it stands in for DBeaver. It prints
# the warehouse's fingerprints, waits for a line on stdin, prints them again
# on the same connection, then reconnects and prints them a third time.
READER_SCRIPT = """
import json, sys
import duckdb
from ingest.warehouse import table_fingerprints
path = sys.argv[1]
connection = duckdb.connect(path, read_only=True)
print(json.dumps(table_fingerprints(connection)), flush=True)
sys.stdin.readline()
print(json.dumps(table_fingerprints(connection)), flush=True)
connection.close()
connection = duckdb.connect(path, read_only=True)
print(json.dumps(table_fingerprints(connection)), flush=True)
connection.close()
"""


@dataclass(frozen=True)
class KillPoint:
    """One moment to kill a build at."""

    name: str
    phase: str | None = None
    # Kill when dbt's log shows this pattern; ``{node}`` is replaced by the
    # node number at ``node_share`` of all nodes.
    log_pattern: str | None = None
    node_share: float | None = None
    rebuild_after: bool = False


KILL_POINTS = (
    # During ingest: exact phases.
    KillPoint("ingest-lock-acquired", phase="lock-acquired"),
    KillPoint("ingest-staging-cleaned", phase="staging-cleaned"),
    KillPoint("ingest-curated-read", phase="curated-read"),
    KillPoint("ingest-articles-read", phase="articles-read"),
    KillPoint("ingest-database-created", phase="database-created"),
    KillPoint("ingest-mid-transaction", phase="raw-articles-inserted"),
    KillPoint("ingest-raw-loaded", phase="raw-loaded"),
    # During dbt: parsing, then nodes spread over the run.
    KillPoint("dbt-parsing", log_pattern=r"Running with dbt="),
    KillPoint("dbt-parsed", log_pattern=r"Found \d+ models"),
    KillPoint("dbt-first-node", node_share=0.0),
    KillPoint("dbt-node-10-percent", node_share=0.1),
    KillPoint("dbt-node-25-percent", node_share=0.25),
    KillPoint("dbt-node-40-percent", node_share=0.4, rebuild_after=True),
    KillPoint("dbt-node-55-percent", node_share=0.55),
    KillPoint("dbt-node-70-percent", node_share=0.7),
    KillPoint("dbt-node-85-percent", node_share=0.85),
    KillPoint("dbt-node-95-percent", node_share=0.95),
    # Not the very last node: the kill lands a few polls after dbt logs it,
    # and the last one can finish and swap within that time.
    KillPoint("dbt-node-97-percent", node_share=0.97),
    # Right before the swap.
    KillPoint("before-swap-dbt-finished", phase="dbt-finished"),
    KillPoint(
        "before-swap-new-file-synced", phase="new-file-synced", rebuild_after=True
    ),
)


@dataclass
class InputVariant:
    articles_dir: Path
    seeds_dir: Path


@dataclass
class CrashSite:
    """A warehouse directory whose live file the kills must not touch."""

    warehouse_dir: Path
    variants: dict[str, InputVariant]
    live_variant: str
    live_fingerprints: dict[str, str]

    def paths(self, variant: str) -> Paths:
        inputs = self.variants[variant]
        return default_paths(
            (inputs.articles_dir,), inputs.seeds_dir, self.warehouse_dir
        )

    @property
    def other_variant(self) -> str:
        return "changed" if self.live_variant == "original" else "original"


def fingerprints_of(warehouse_file: Path) -> dict[str, str]:
    connection = duckdb.connect(str(warehouse_file), read_only=True)
    try:
        return table_fingerprints(connection)
    finally:
        connection.close()


def changed_inputs(directory: Path) -> InputVariant:
    """The project's inputs with one curated note changed."""
    seeds_dir = directory / "seeds"
    shutil.copytree(SEEDS_DIR, seeds_dir)
    companies = seeds_dir / "companies.csv"
    with open(companies, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fieldnames = reader.fieldnames
        rows = list(reader)
    assert any(row["company_code"] == CHANGED_COMPANY for row in rows)
    for row in rows:
        if row["company_code"] == CHANGED_COMPANY:
            row["note"] = CHANGED_NOTE
    with open(companies, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return InputVariant(ARTICLES_DIR, seeds_dir)


@pytest.fixture(scope="module")
def crash_site(built_paths, tmp_path_factory) -> CrashSite:
    warehouse_dir = tmp_path_factory.mktemp("crash_warehouse")
    shutil.copyfile(built_paths.warehouse_file, warehouse_dir / "autowatch.duckdb")
    site = CrashSite(
        warehouse_dir=warehouse_dir,
        variants={
            "original": InputVariant(ARTICLES_DIR, SEEDS_DIR),
            "changed": changed_inputs(tmp_path_factory.mktemp("crash_inputs")),
        },
        live_variant="original",
        live_fingerprints={},
    )
    site.live_fingerprints = fingerprints_of(site.paths("original").warehouse_file)
    return site


def start_build(
    paths: Paths, stderr_file: Path, stop_at: str | None = None, wait: bool = False
) -> subprocess.Popen:
    environment = dict(os.environ)
    environment.pop(STOP_AT_PHASE_VARIABLE, None)
    if stop_at:
        environment[STOP_AT_PHASE_VARIABLE] = stop_at
    command = [
        sys.executable,
        "-m",
        "ingest",
        "build",
        "--articles",
        str(paths.articles_dirs[0]),
        "--seeds",
        str(paths.seeds_dir),
        "--warehouse-dir",
        str(paths.warehouse_dir),
    ]
    if wait:
        command.append("--wait")
    with open(stderr_file, "wb") as stderr:
        return subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=stderr, env=environment
        )


def wait_until_stopped(
    process: subprocess.Popen,
    stderr_file: Path,
    hang_guard_seconds: float = HANG_GUARD_SECONDS,
    poll_seconds: float = POLL_SECONDS,
) -> None:
    """Block until the build stops itself at its phase; fail if it exits."""
    deadline = time.monotonic() + hang_guard_seconds
    while time.monotonic() < deadline:
        pid, status = os.waitpid(process.pid, os.WUNTRACED | os.WNOHANG)
        if pid == 0:
            time.sleep(poll_seconds)
            continue
        if os.WIFSTOPPED(status):
            return
        # The build exited instead; Popen must not wait for it again.
        process.returncode = os.waitstatus_to_exitcode(status)
        pytest.fail(
            "build exited before reaching its phase:\n"
            + stderr_file.read_text(errors="replace")
        )
    # A caller that started the build in a session of its own kills the
    # whole group (its JVM, its Python workers) when this fails.
    process.kill()
    pytest.fail("build never reached its phase")


def is_stopped(process: subprocess.Popen) -> bool:
    pid, status = os.waitpid(process.pid, os.WUNTRACED | os.WNOHANG)
    return pid != 0 and os.WIFSTOPPED(status)


def kill(process: subprocess.Popen) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL


class DbtLog:
    """New lines of dbt's log since this object was made."""

    def __init__(self, path: Path):
        self.path = path
        self.offset = path.stat().st_size if path.exists() else 0
        self.text = ""

    def read(self) -> str:
        if not self.path.exists():
            return self.text
        size = self.path.stat().st_size
        if size < self.offset:
            # dbt rotated its log; the new file holds only this run.
            self.offset = 0
        with open(self.path, "rb") as handle:
            handle.seek(self.offset)
            chunk = handle.read()
        self.offset += len(chunk)
        self.text += chunk.decode("utf-8", errors="replace")
        return self.text


def kill_at_dbt_log(
    process: subprocess.Popen,
    log: DbtLog,
    point: KillPoint,
    stderr_file: Path,
) -> None:
    """Kill the build once dbt logs the point's moment."""
    deadline = time.monotonic() + HANG_GUARD_SECONDS
    pattern = re.compile(point.log_pattern) if point.log_pattern else None
    while time.monotonic() < deadline:
        text = log.read()
        if pattern is not None and pattern.search(text):
            kill(process)
            return
        counts = re.findall(r"\b\d+ of (\d+) START\b", text)
        if point.node_share is not None and counts:
            node_count = int(counts[0])
            node = max(1, round(point.node_share * node_count))
            if re.search(rf"\b{node} of {node_count} START\b", text):
                kill(process)
                return
        if process.poll() is not None:
            pytest.fail(
                f"build ended (exit {process.returncode}) before {point.name}:\n"
                + stderr_file.read_text(errors="replace")
            )
        time.sleep(POLL_SECONDS)
    process.kill()
    pytest.fail(f"dbt never reached {point.name}")


def assert_live_warehouse_unchanged(site: CrashSite) -> None:
    live_file = site.paths(site.live_variant).warehouse_file
    assert fingerprints_of(live_file) == site.live_fingerprints


def rebuild_with_reader_open(site: CrashSite, stderr_file: Path) -> None:
    """A build that must succeed while another process reads the old file."""
    live_file = site.paths(site.live_variant).warehouse_file
    old_fingerprints = site.live_fingerprints
    reader = subprocess.Popen(
        [sys.executable, "-c", READER_SCRIPT, str(live_file)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert _fingerprints_line(reader) == old_fingerprints
        variant = site.other_variant
        stale = staging_dir(site.paths(variant))
        assert stale.exists(), "the killed build should have left its staging"
        process = start_build(site.paths(variant), stderr_file)
        assert process.wait(timeout=HANG_GUARD_SECONDS) == 0, stderr_file.read_text(
            errors="replace"
        )
        assert not stale.exists()
        # The open connection still reads the file it opened, unchanged.
        reader.stdin.write("after build\n")
        reader.stdin.flush()
        assert _fingerprints_line(reader) == old_fingerprints
        new_fingerprints = _fingerprints_line(reader)
    finally:
        reader.stdin.close()
        reader.wait(timeout=HANG_GUARD_SECONDS)
    assert reader.returncode == 0
    assert new_fingerprints == fingerprints_of(live_file)
    changed_tables = {
        table
        for table in new_fingerprints
        if new_fingerprints[table] != old_fingerprints.get(table)
    }
    # The one changed note reaches the raw table and the company dimension.
    assert {"raw.curated_companies", "marts.dim_company"} <= changed_tables
    connection = duckdb.connect(str(live_file), read_only=True)
    try:
        (note,) = connection.execute(
            "select note from marts.dim_company where company_code = ?",
            [CHANGED_COMPANY],
        ).fetchone()
    finally:
        connection.close()
    assert (note == CHANGED_NOTE) == (variant == "changed")
    site.live_variant = variant
    site.live_fingerprints = new_fingerprints


def _fingerprints_line(reader: subprocess.Popen) -> dict[str, str]:
    line = reader.stdout.readline()
    assert line, "the reader process ended early"
    return json.loads(line)


def test_kill_points_cover_every_phase_and_twenty_moments():
    assert len({point.name for point in KILL_POINTS}) == 20
    stopped_phases = {point.phase for point in KILL_POINTS if point.phase}
    # "swapped" comes after the commit point: killing there keeps the new file.
    assert stopped_phases == set(BUILD_PHASES) - {"swapped"}


@pytest.mark.parametrize("point", KILL_POINTS, ids=lambda point: point.name)
def test_killed_build_leaves_the_previous_warehouse(crash_site, point, tmp_path):
    site = crash_site
    paths = site.paths(site.other_variant)
    stderr_file = tmp_path / "build.stderr"
    if point.phase == "staging-cleaned":
        staging_dir(paths).mkdir(exist_ok=True)
        (staging_dir(paths) / "autowatch.duckdb").write_bytes(b"half a file")
    log = DbtLog(paths.dbt_log_dir / "dbt.log")
    process = start_build(paths, stderr_file, stop_at=point.phase)
    try:
        if point.phase:
            wait_until_stopped(process, stderr_file)
            if point.phase == "staging-cleaned":
                assert list(staging_dir(paths).iterdir()) == []
            if point.phase == "lock-acquired":
                check_lock_then_kill(process, paths, tmp_path)
            else:
                kill(process)
        else:
            kill_at_dbt_log(process, log, point, stderr_file)
    finally:
        if process.returncode is None:
            process.kill()
            process.wait()

    # The live file opens and gives the same results as before the kill.
    assert_live_warehouse_unchanged(site)
    if point.rebuild_after:
        rebuild_with_reader_open(site, tmp_path / "rebuild.stderr")


def check_lock_then_kill(first: subprocess.Popen, paths: Paths, tmp_path: Path):
    """While the first build holds the lock, a second exits with a clear
    message; one started with --wait blocks on the lock, and gets it only
    when the first build dies."""
    second_stderr = tmp_path / "second.stderr"
    second = start_build(paths, second_stderr)
    assert second.wait(timeout=HANG_GUARD_SECONDS) == 1
    assert second_stderr.read_text() == (
        f"Error: another build is running (lock held on {paths.lock_file}); "
        "wait for it to finish, or pass --wait\n"
    )
    waiting_stderr = tmp_path / "waiting.stderr"
    waiting = start_build(paths, waiting_stderr, stop_at="lock-acquired", wait=True)
    try:
        wait_until_blocked_on_lock(waiting)
        kill(first)
        wait_until_stopped(waiting, waiting_stderr)
        kill(waiting)
    finally:
        if waiting.returncode is None:
            waiting.kill()
            waiting.wait()


def wait_until_blocked_on_lock(process: subprocess.Popen) -> None:
    """The kernel lists a process waiting for a file lock in /proc/locks
    with "->" before the lock it waits for."""
    deadline = time.monotonic() + HANG_GUARD_SECONDS
    while time.monotonic() < deadline:
        for line in Path("/proc/locks").read_text().splitlines():
            fields = line.split()
            if "->" in fields and str(process.pid) in fields:
                return
        assert process.poll() is None, "the waiting build exited"
        assert not is_stopped(process), "the waiting build got the lock"
        time.sleep(POLL_SECONDS)
    pytest.fail("the waiting build never blocked on the lock")

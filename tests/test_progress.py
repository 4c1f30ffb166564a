"""Progress reporting: library loops report, only a terminal shows bars."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from ingest import progress
from ingest.articles import find_article_files, read_articles
from tests.conftest import ARTICLES_DIR, SEEDS_DIR

AUTOWATCH = Path(sys.executable).parent / "autowatch"


def test_track_without_a_listener_only_passes_items_through():
    assert list(progress.track("phase", iter([1, 2, 3]))) == [1, 2, 3]


def test_track_reports_each_step_and_the_total():
    events = []

    with progress.listening(lambda *event: events.append(event)):
        items = list(progress.track("counting", ["a", "b", "c"]))

    assert items == ["a", "b", "c"]
    assert events == [
        ("counting", 0, 3),
        ("counting", 1, 3),
        ("counting", 2, 3),
        ("counting", 3, 3),
    ]


def test_listener_is_gone_after_the_context():
    events = []
    with progress.listening(lambda *event: events.append(event)):
        pass

    list(progress.track("later", [1]))

    assert events == []


def test_reading_articles_reports_every_file():
    file_count = len(find_article_files(ARTICLES_DIR))
    events = []

    with progress.listening(lambda *event: events.append(event)):
        read_articles((ARTICLES_DIR,))

    phase = f"reading {ARTICLES_DIR.name}"
    assert events[0] == (phase, 0, file_count)
    assert events[-1] == (phase, file_count, file_count)
    assert len(events) == file_count + 1


def run_ingest(database: Path, stderr_is_terminal: bool) -> str:
    """`autowatch ingest` with stderr on a pseudo-terminal or a pipe."""
    command = [
        str(AUTOWATCH),
        "ingest",
        "--articles",
        str(ARTICLES_DIR),
        "--seeds",
        str(SEEDS_DIR),
        "--database",
        str(database),
    ]
    if not stderr_is_terminal:
        completed = subprocess.run(command, capture_output=True, check=True)
        return completed.stderr.decode()
    controller, terminal = pty.openpty()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=terminal)
    os.close(terminal)
    received = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        received += chunk
    os.close(controller)
    assert process.wait() == 0
    return received.decode()


def test_terminal_gets_a_progress_bar(tmp_path):
    shown = run_ingest(tmp_path / "inputs.duckdb", stderr_is_terminal=True)

    assert f"reading {ARTICLES_DIR.name}" in shown
    assert "100%" in shown
    assert "loaded " in shown


def test_pipe_gets_no_progress_bar(tmp_path):
    shown = run_ingest(tmp_path / "inputs.duckdb", stderr_is_terminal=False)

    assert "loaded " in shown
    assert "%" not in shown
    assert f"reading {ARTICLES_DIR.name}" not in shown

"""Errors the library raises; only ``cli.py`` turns them into exit codes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in one input file."""

    path: Path | str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


def shown_path(path: Path | str) -> Path | str:
    """``path`` relative to the working folder when it is inside it
    (seeds/targets.csv), as editors and terminals link it."""
    try:
        return Path(path).relative_to(Path.cwd())
    except (ValueError, OSError):  # outside it, or the folder was deleted
        return path


def position_in_text(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def position_of_byte(
    data: bytes, offset: int, encoding: str = "utf-8"
) -> tuple[int, int]:
    """1-based line and column of a byte offset; the column counts the
    line's characters before it as ``encoding`` reads them (a bad byte as
    one), so a Cyrillic UTF-8 line is not counted two bytes a letter."""
    line = data.count(b"\n", 0, offset) + 1
    line_start = data.rfind(b"\n", 0, offset) + 1
    before = data[line_start:offset].decode(encoding, errors="replace")
    return line, len(before) + 1


class AutowatchError(Exception):
    """Base class: anything the user can fix by changing an input."""


class InputError(AutowatchError):
    """One or more input files are invalid; nothing was loaded."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


class BuildError(AutowatchError):
    """dbt failed; the previous warehouse was left as it was."""

    def __init__(self, summary: str, failures: list[str]):
        self.summary = summary
        self.failures = failures
        super().__init__("\n".join([summary, *failures]))


class BuildLockedError(AutowatchError):
    """Another build holds the lock."""

    def __init__(self, lock_file: Path):
        self.lock_file = lock_file
        super().__init__(self.message(lock_file))

    @staticmethod
    def message(shown_lock_file: Path | str) -> str:
        return (
            f"another build is running (lock held on {shown_lock_file}); "
            "wait for it to finish, or pass --wait"
        )

"""Where a problem is: file:line:column, counted as an editor counts them."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from ingest.errors import (
    BuildLockedError,
    InputError,
    Problem,
    position_in_text,
    position_of_byte,
    shown_path,
)

# Line breaks, ASCII and two- and three-byte UTF-8 letters.
TEXT = st.text(alphabet="ab\nжё€ \t")


def editor_position(text: str) -> tuple[int, int]:
    """Line and column of the character after ``text``, both from 1."""
    lines = text.split("\n")
    return len(lines), len(lines[-1]) + 1


@given(text=TEXT, data=st.data())
def test_position_in_text_is_the_line_and_column_an_editor_shows(text, data):
    offset = data.draw(st.integers(min_value=0, max_value=len(text)))
    assert position_in_text(text, offset) == editor_position(text[:offset])


@given(text=TEXT, data=st.data())
def test_a_byte_offset_counts_columns_in_characters_not_bytes(text, data):
    offset = data.draw(st.integers(min_value=0, max_value=len(text)))
    encoded_offset = len(text[:offset].encode("utf-8"))
    assert position_of_byte(text.encode("utf-8"), encoded_offset) == (
        editor_position(text[:offset])
    )


def test_a_bad_byte_counts_as_one_column_in_the_encoding_it_was_read_in():
    # "ж" in cp1251 is one byte; the bad UTF-8 byte \xff is one column too.
    assert position_of_byte("ж".encode("cp1251") + b"x", 1, "cp1251") == (1, 2)
    assert position_of_byte(b"a\n\xffbc", 4) == (2, 3)


def test_a_problem_reads_file_line_column_message():
    problem = Problem(Path("seeds/targets.csv"), 3, 14, "value_low is not a number")
    assert str(problem) == "seeds/targets.csv:3:14: value_low is not a number"
    error = InputError([problem, Problem("a.txt", 1, 1, "empty file")])
    assert str(error).splitlines() == [str(problem), "a.txt:1:1: empty file"]


def test_a_path_inside_the_working_folder_is_shown_relative(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert shown_path(tmp_path / "seeds" / "targets.csv") == Path("seeds/targets.csv")
    outside = tmp_path.parent / "elsewhere.csv"
    assert shown_path(outside) == outside


def test_a_held_lock_says_how_to_wait_for_it(tmp_path):
    lock_file = tmp_path / ".build.lock"
    message = str(BuildLockedError(lock_file))
    assert str(lock_file) in message
    assert "--wait" in message

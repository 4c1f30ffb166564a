"""Progress of long loops over many files, for whoever listens.

Library code wraps its loops in ``track`` and never prints; the CLI listens
with a progress bar only when stderr is a terminal, so logs and pipes stay
quiet and tests see no difference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

Item = TypeVar("Item")

# Called with (phase, items done so far, total items or None when unknown).
ProgressListener = Callable[[str, int, int | None], None]

_listener: ContextVar[ProgressListener | None] = ContextVar(
    "autowatch_progress_listener", default=None
)


@contextmanager
def listening(listener: ProgressListener) -> Iterator[None]:
    """Send every ``track`` in this context to ``listener``."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)


def track(
    phase: str, items: Iterable[Item], total: int | None = None
) -> Iterator[Item]:
    """Yield ``items`` unchanged, telling the listener how far the loop got."""
    listener = _listener.get()
    if listener is None:
        yield from items
        return
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    done = 0
    listener(phase, done, total)
    for item in items:
        yield item
        done += 1
        listener(phase, done, total)

"""Where a turn's time goes, per stage, for ``closer bench``: read, route (the step's node),
retrieve, compose, gate.  The benchmark takes the figures after each turn; ``save`` is what
the turn cost outside the nodes (the checkpoint, the session row, LangGraph's bookkeeping).

Counters are process-wide and cheap (two clock reads per node); nothing reads them in a
normal run, so they never change what a turn does.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

STAGES = ("read", "route", "retrieve", "compose", "gate", "save")

_totals: defaultdict[str, float] = defaultdict(float)
_lock = threading.Lock()


def record(stage: str, seconds: float) -> None:
    with _lock:
        _totals[stage] += seconds


def take() -> dict[str, float]:
    """Seconds per stage since the last ``take``, and reset."""
    with _lock:
        taken = dict(_totals)
        _totals.clear()
    return taken


@contextmanager
def timed(stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        record(stage, time.perf_counter() - start)


def timed_node(stage: str, node: Callable[..., Any]) -> Callable[..., Any]:
    """``node`` with its wall time added to ``stage``.  The wrapper keeps the node's
    signature, which LangGraph reads to decide whether to pass the runtime."""

    @functools.wraps(node)
    def run(*args: Any, **kwargs: Any) -> Any:
        with timed(stage):
            return node(*args, **kwargs)

    return run

"""The model's stream reader: an abandoned draft still being generated when the process
ends is finished and closed before the interpreter goes, never torn down under it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROGRAM = textwrap.dedent(
    """
    import time
    from graphs.pieces import Pieces

    def slow_model():
        try:
            time.sleep(1.0)  # like llama.cpp reading a long prompt
            yield "late"
            yield "never read"
        finally:
            print("stream closed", flush=True)

    pieces = Pieces(slow_model())
    pieces.abandon()  # the reply node gave up: out of time, or the person pressed Stop
    print("turn over", flush=True)
    """
)


def test_an_abandoned_stream_is_closed_before_the_process_exits() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["turn", "over", "stream", "closed"]


def test_pieces_are_read_in_order_and_end_with_none() -> None:
    from graphs.pieces import Pieces

    pieces = Pieces(iter(["a", "b"]))
    assert list(pieces) == ["a", "b"]
    assert pieces.done.wait(5)

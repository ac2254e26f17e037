"""Crash safety in CI: the kill loop (scripts/kill_loop.py) with 3 kills during streamed replies.

The full 20-kill run is the script's default; its output is in the privacy notes.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.privacy_helpers import REPO, tiny_model


@pytest.mark.slow
def test_kill_9_during_streamed_replies_loses_no_turn(indexed_home: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "kill_loop.py"),
            "--kills",
            "3",
            "--seed-home",
            str(indexed_home),
            "--model",
            str(tiny_model()),
            "--max-pieces",
            "3",
        ],
        capture_output=True,
        text=True,
        timeout=1800,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "kills: 3 (3 during a streamed reply)" in out, out
    completed = re.search(r"turns completed before a kill: (\d+)", out)
    assert completed and int(completed.group(1)) >= 3, out  # more if a kill landed after a save
    assert "half-written turns: 0" in out
    assert "integrity_check failures: 0" in out
    assert "history shown after a final restart: all turns" in out
    assert out.rstrip().endswith("turns lost: 0"), out

"""Model file faults: missing, truncated, wrong architecture, not a GGUF.

Each gives one clear message naming the file and the fix, and the app still starts and
answers in guided mode (batch mode and the UI server both).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import json_rows
from tests.privacy_helpers import UiServer, run_cli, tiny_model

FIX_HINTS = ("closer model pull", "--model")


def fault_file(kind: str, folder: Path, embedding_gguf: Path | None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "missing":
        return folder / "no-such-model.gguf"
    if kind == "truncated":
        path = folder / "cut-short.gguf"
        path.write_bytes(tiny_model().read_bytes()[:20_000])
        return path
    if kind == "not-gguf":
        path = folder / "notes.gguf"
        path.write_text("these are my notes, not a model\n")
        return path
    if kind == "embedding-model":  # a real BERT GGUF: loads, but cannot chat
        assert embedding_gguf is not None, "needs the converted MiniLM"
        return embedding_gguf
    raise ValueError(kind)


FAULTS = ["missing", "truncated", "not-gguf", "embedding-model"]


@pytest.mark.parametrize("kind", FAULTS)
def test_a_bad_model_file_gets_one_clear_message_and_guided_mode(
    kind: str, indexed_home: Path, tmp_path: Path, embedding_gguf: Path | None
) -> None:
    path = fault_file(kind, tmp_path / "models", embedding_gguf)
    script = tmp_path / "script.txt"
    script.write_text("my chest is tight, I keep rehearsing\n")
    result = run_cli(
        "chat", "--model", str(path), "--script", str(script), "--json", home=indexed_home
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    mentions = [line for line in result.stderr.splitlines() if str(path) in line]
    assert len(mentions) == 1, result.stderr  # one message, not a cascade
    assert any(hint in mentions[0] for hint in FIX_HINTS), mentions[0]
    rows = json_rows(result.stdout)
    assert len(rows) == 1 and rows[0]["reply"].strip()
    assert rows[0]["model"] == "guided", rows[0]
    assert rows[0]["stage"] == "regulation"


@pytest.mark.slow
def test_the_ui_starts_in_guided_mode_and_says_why(
    indexed_home: Path, tmp_path: Path, embedding_gguf: Path | None
) -> None:
    path = fault_file("truncated", tmp_path / "models", embedding_gguf)
    with UiServer(indexed_home, path, tmp_path / "server.log", dict(os.environ)) as server:
        with server.open("/config") as reply:
            config = json.dumps(json.load(reply))
        assert "guided" in config.lower() and "cut-short.gguf" in config
        _, outputs, _ = server.turn("my chest is tight, I keep rehearsing")
        assert "Traceback" not in server.log_text()
        assert str(path) in server.log_text()
    assert outputs[1][-1]["role"] == "assistant"

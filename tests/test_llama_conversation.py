# ruff: noqa: F811  (pytest fixtures imported from tests.fixtures_gguf are parameters here)
"""The whole scripted conversation through real language-model backends, via the real CLI.

A GGUF written outside the runtime code (random weights, byte vocabulary, a chat template)
drives ``closer chat --model PATH --script FILE --json``; the same script goes through a local
llama.cpp server with ``--model-url``.  Every turn must have a non-empty reply and the same
stage path as guided mode: stage progress never depends on what a model wrote.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from assistant.gate.sentence_gate import REASONS
from tests.conftest import json_rows, run_closer
from tests.fixtures_gguf import outside_gguf, tiny_gguf  # noqa: F401
from tests.test_http_model import free_port, start_llama_server

pytestmark = pytest.mark.slow

SCRIPT = [
    "my chest is tight, I keep rehearsing",
    "I breathed, I feel calmer",
    "I feel lonely, the story I'm telling myself is that I don't matter to him",
    "you never make time for me",
    "could we sit together ten minutes after dinner tonight, phones away?",
]


@pytest.fixture(scope="module")
def script_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("script") / "acceptance.txt"
    path.write_text("\n".join(SCRIPT) + "\n", encoding="utf-8")
    return path


def _home(folder: Path, guidance_index: Path) -> Path:
    """A data dir with the session's guidance index copied in (no rebuild per run)."""
    home = folder / "home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copytree(guidance_index, home / "index")
    return home


@pytest.fixture(scope="module")
def guided_path(
    script_file: Path, tmp_path_factory: pytest.TempPathFactory, guidance_index: Path
) -> list[str]:
    home = _home(tmp_path_factory.mktemp("guided"), guidance_index)
    rows = _chat(home, "--script", str(script_file))
    assert all(row["model"] == "guided" for row in rows)
    return [row["stage"] for row in rows]


def _chat(home: Path, *args: str) -> list[dict]:
    done = run_closer("chat", *args, "--json", home=home, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    rows = json_rows(done.stdout)
    assert len(rows) == len(SCRIPT)
    return rows


def _assert_same_conversation(rows: list[dict], guided_path: list[str], model: str) -> None:
    assert [row["stage"] for row in rows] == guided_path
    assert guided_path[-1] == "plan"
    for row in rows:
        assert row["reply"].strip(), row
        assert row["model"] == model
        # Random weights never finish a sentence: the guard swaps in the guided reply.
        assert row["fallback"] in (None, *REASONS)
    assert rows[3]["blocking"] and rows[3]["blocking"][0]["pattern"] == "absolutes"


@pytest.mark.parametrize("which", ["tiny", "outside"])
def test_gguf_backend_walks_the_guided_path(
    which: str,
    tiny_gguf: Path,
    outside_gguf: Path,
    script_file: Path,
    guided_path: list[str],
    tmp_path: Path,
    guidance_index: Path,
) -> None:
    model = tiny_gguf if which == "tiny" else outside_gguf
    rows = _chat(
        _home(tmp_path, guidance_index), "--model", str(model), "--script", str(script_file)
    )
    _assert_same_conversation(rows, guided_path, f"gguf:{model.name}")


def test_http_backend_walks_the_guided_path(
    tiny_gguf: Path,
    script_file: Path,
    guided_path: list[str],
    tmp_path: Path,
    guidance_index: Path,
) -> None:
    port = free_port()
    server = start_llama_server(tiny_gguf, port)
    try:
        url = f"http://127.0.0.1:{port}"
        rows = _chat(
            _home(tmp_path, guidance_index), "--model-url", url, "--script", str(script_file)
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    _assert_same_conversation(rows, guided_path, f"url:{url}/v1")


def test_unusable_model_file_is_one_line(tmp_path: Path, script_file: Path) -> None:
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    done = run_closer(  # a real process: its stderr is what the person reads
        "chat",
        "--model",
        str(bad),
        "--script",
        str(script_file),
        "--json",
        home=tmp_path / "home",
        process=True,
    )
    # Either it stops (exit 2) or it carries on in guided mode; both say why in one line.
    assert done.returncode in (0, 2) and "Traceback" not in done.stderr
    assert str(bad) in done.stderr and "--model PATH" in done.stderr

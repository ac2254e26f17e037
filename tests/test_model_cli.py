# ruff: noqa: F811  (pytest fixtures imported from tests.fixtures_gguf are parameters here)
"""``closer model``: info, list, pull; bad files get one line and exit code 2, no traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_closer
from tests.fixtures_gguf import outside_gguf, tiny_gguf  # noqa: F401


def test_info_describes_file_and_backend(tiny_gguf: Path, closer_home: Path) -> None:
    done = run_closer("model", "info", str(tiny_gguf), "--json", home=closer_home)
    assert done.returncode == 0, done.stderr
    facts = json.loads(done.stdout)
    assert facts["architecture"] == "llama" and facts["quantisation"] == "F16"
    assert 300_000 < facts["parameters"] < 400_000
    assert facts["context_length"] == 2048 and facts["chat_template"] == "metadata"
    assert facts["backend"] == "CPU" or facts["layers_offloaded"] == "3/3"
    assert facts["threads"] >= 1
    text = run_closer("model", "info", str(tiny_gguf), home=closer_home).stdout
    for label in ("architecture", "parameters", "quantisation", "context length", "backend"):
        assert label in text


def test_info_on_outside_file(outside_gguf: Path, closer_home: Path) -> None:
    done = run_closer("model", "info", str(outside_gguf), "--json", home=closer_home)
    assert json.loads(done.stdout)["quantisation"] == "F32"


def _bad(path: Path, home: Path) -> str:
    done = run_closer("model", "info", str(path), home=home)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0]
    return lines[0]


def test_missing_truncated_and_not_gguf(tmp_path: Path, tiny_gguf: Path, closer_home: Path) -> None:
    assert "does not exist" in _bad(tmp_path / "missing.gguf", closer_home)
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(tiny_gguf.read_bytes()[:5000])
    assert "truncated" in _bad(cut, closer_home)
    text = tmp_path / "notes.gguf"
    text.write_text("hello")
    assert "not a GGUF" in _bad(text, closer_home)
    assert "is a folder" in _bad(tmp_path, closer_home)


def test_info_without_a_model_says_how_to_get_one(closer_home: Path) -> None:
    done = run_closer("model", "info", home=closer_home)
    assert done.returncode == 2 and "closer model pull" in done.stderr


def test_list_and_default(tiny_gguf: Path, closer_home: Path) -> None:
    empty = run_closer("model", "list", home=closer_home)
    assert empty.returncode == 0 and "closer model pull" in empty.stdout
    models = closer_home / "models"
    models.mkdir(parents=True)
    shutil.copy(tiny_gguf, models / "mine.gguf")
    listed = run_closer("model", "list", home=closer_home)
    assert "* " in listed.stdout and "mine.gguf" in listed.stdout
    info = run_closer("model", "info", "--json", home=closer_home)
    assert json.loads(info.stdout)["path"] == str(models / "mine.gguf")


def test_pull_needs_both_or_neither(closer_home: Path) -> None:
    done = run_closer("model", "pull", "Qwen/Qwen2.5-1.5B-Instruct-GGUF", home=closer_home)
    assert done.returncode == 2 and "both REPO and FILE" in done.stderr


def test_pull_command_uses_hub_download(
    tiny_gguf: Path, closer_home: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    import huggingface_hub

    from closer.cli import main

    def fake_download(repo_id: str, filename: str, *, local_dir: Path, **_: object) -> str:
        target = Path(local_dir) / filename
        shutil.copy(tiny_gguf, target)
        return str(target)

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", fake_download)
    assert main(["model", "pull", "someone/repo", "tiny.gguf"]) == 0
    assert (closer_home / "models" / "tiny.gguf").is_file()
    assert "Saved" in capsys.readouterr().out

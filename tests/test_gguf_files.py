# ruff: noqa: F811  (pytest fixtures imported from tests.fixtures_gguf are parameters here)
"""Inspecting, validating, listing and pulling GGUF files: one clear message per failure."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.core.messages import ModelLoadError
from assistant.model import gguf_files
from assistant.model.gguf_files import (
    DEFAULT_FILE,
    DEFAULT_REPO,
    default_model_path,
    inspect_gguf,
    list_models,
    pull_model,
    validate_gguf,
)
from tests.fixtures_gguf import no_template_gguf, outside_gguf, tiny_gguf  # noqa: F401


def test_inspect_reports_what_model_info_shows(tiny_gguf: Path) -> None:
    info = inspect_gguf(tiny_gguf)
    assert info["architecture"] == "llama"
    assert 300_000 < info["parameters"] < 400_000
    assert info["quantisation"] == "F16"
    assert info["context_length"] == 2048
    assert info["chat_template"] == "metadata"
    assert info["complete"] is True


def test_template_source_and_other_layouts(no_template_gguf: Path, outside_gguf: Path) -> None:
    assert inspect_gguf(no_template_gguf)["chat_template"] == "fallback (ChatML)"
    outside = inspect_gguf(outside_gguf)
    assert outside["quantisation"] == "F32" and outside["tokenizer"] == "gpt2"


def _message(path: Path) -> str:
    with pytest.raises(ModelLoadError) as caught:
        validate_gguf(path)
    message = str(caught.value)
    assert str(path) in message  # every message names the file...
    assert "--model PATH" in message  # ...and the fix
    return message


def test_missing_file(tmp_path: Path) -> None:
    assert "does not exist" in _message(tmp_path / "nope.gguf")


def test_directory(tmp_path: Path) -> None:
    assert "is a folder" in _message(tmp_path)


def test_not_a_gguf(tmp_path: Path) -> None:
    path = tmp_path / "model.gguf"
    path.write_text("<html>404 not found</html>")
    assert "not a GGUF" in _message(path)


@pytest.mark.parametrize("keep", [0.999, 0.5, 0.01])
def test_truncated(tiny_gguf: Path, tmp_path: Path, keep: float) -> None:
    data = tiny_gguf.read_bytes()
    path = tmp_path / "cut.gguf"
    path.write_bytes(data[: int(len(data) * keep)])
    assert "truncated" in _message(path)


def test_embedding_model_is_not_a_chat_model(tmp_path: Path) -> None:
    import gguf
    import numpy as np

    path = tmp_path / "embed.gguf"
    writer = gguf.GGUFWriter(path, "bert")
    writer.add_tokenizer_model("bert")
    writer.add_token_list(["[PAD]", "[UNK]", "hello"])
    writer.add_tensor("token_embd.weight", np.zeros((3, 8), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    assert "'bert'" in _message(path) and "cannot write chat" in _message(path)


def test_valid_file_passes(tiny_gguf: Path) -> None:
    assert validate_gguf(tiny_gguf)["architecture"] == "llama"


def test_list_models_skips_partial_downloads(tmp_path: Path, tiny_gguf: Path) -> None:
    models = tmp_path / "models"
    (models / ".cache" / "huggingface").mkdir(parents=True)
    shutil.copy(tiny_gguf, models / "a.gguf")
    (models / ".cache" / "huggingface" / "b.gguf").write_bytes(b"GGUF partial")
    (models / "notes.txt").write_text("not a model")
    assert [row["name"] for row in list_models(models)] == ["a.gguf"]
    assert list_models(tmp_path / "absent") == []
    assert default_model_path(models) == models / "a.gguf"
    shutil.copy(tiny_gguf, models / DEFAULT_FILE)
    assert default_model_path(models) == models / DEFAULT_FILE


def test_pull_downloads_into_models_folder(
    tmp_path: Path, tiny_gguf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def fake_download(repo_id: str, filename: str, *, local_dir: Path, **kwargs: object) -> str:
        calls.append((repo_id, filename, Path(local_dir)))
        target = Path(local_dir) / filename
        shutil.copy(tiny_gguf, target)
        return str(target)

    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", fake_download)
    models = tmp_path / "models"
    path = pull_model(models_dir=models)
    assert calls == [(DEFAULT_REPO, DEFAULT_FILE, models)]
    assert path == models / DEFAULT_FILE and list_models(models)[0]["name"] == DEFAULT_FILE


def test_pull_failure_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def offline(*args: object, **kwargs: object) -> str:
        raise OSError("Temporary failure in name resolution")

    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", offline)
    with pytest.raises(ModelLoadError, match="could not download .* name resolution"):
        pull_model("someone/repo", "x.gguf", tmp_path)


def test_recommended_model_is_named() -> None:
    assert gguf_files.DEFAULT_FILE.endswith(".gguf") and "GB" in gguf_files.DEFAULT_SIZE

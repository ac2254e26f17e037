# ruff: noqa: F811  (pytest fixtures imported from tests.fixtures_gguf are parameters here)
"""The kernel probe: a child process finds out whether llama.cpp's default CPU kernels crash
on a file; the app then loads it with safe kernels, or carries on in guided mode."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.model import kernels
from assistant.model.llama import LlamaModel
from graphs.models import load_model
from tests.conftest import run_closer
from tests.fixtures_gguf import tiny_gguf  # noqa: F401

SEGFAULT = [sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"]


@pytest.fixture(autouse=True)
def fresh_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    """No verdict nor loaded model left from another test: each one probes afresh."""
    import assistant.model.llama as llama

    monkeypatch.setattr(kernels, "_MEMO", {})
    monkeypatch.setattr(llama, "_RUNTIMES", {})


def crash_when(monkeypatch: pytest.MonkeyPatch, *, default: bool, safe: bool) -> list[bool]:
    """Probes whose child really dies of SIGSEGV for the kernel sets named; returns a log."""
    real = kernels.probe_command
    calls: list[bool] = []

    def command(path: Path, extra_bufts: bool) -> list[str]:
        calls.append(extra_bufts)
        crash = default if extra_bufts else safe
        return SEGFAULT if crash else real(path, extra_bufts)

    monkeypatch.setattr(kernels, "probe_command", command)
    return calls


def test_a_real_probe_passes_on_a_file_that_works(tiny_gguf: Path) -> None:
    assert kernels.run_probe(tiny_gguf, extra_bufts=True) is None
    assert kernels.run_probe(tiny_gguf, extra_bufts=False) is None


def test_a_crash_is_seen_as_a_signal_and_safe_kernels_are_chosen_and_remembered(
    tiny_gguf: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.ensure_home()
    calls = crash_when(monkeypatch, default=True, safe=False)
    choice = kernels.choose_kernels(tiny_gguf, settings.home)
    assert calls == [True, False]
    assert choice.extra_bufts is False
    assert "signal 11" in choice.reason and "safe CPU kernels" in choice.label
    saved = json.loads((settings.home / "model-kernels.json").read_text(encoding="utf-8"))
    assert list(saved.values()) == [{"extra_bufts": False, "reason": choice.reason}]
    # Remembered by the file's identity: a new process (no memo) does not probe again.
    monkeypatch.setattr(kernels, "_MEMO", {})
    assert kernels.choose_kernels(tiny_gguf, settings.home) == choice
    assert calls == [True, False]
    # And the model loads with them, saying so.
    model = LlamaModel(tiny_gguf, settings)
    assert "safe CPU kernels" in str(model.describe()["kernels"])


def test_safe_kernels_really_switch_off_extra_buffer_types() -> None:
    import llama_cpp.llama as llama_module

    assert llama_module.llama_cpp.llama_model_default_params().use_extra_bufts is True
    with kernels.kernel_params(False):
        assert llama_module.llama_cpp.llama_model_default_params().use_extra_bufts is False
    assert llama_module.llama_cpp.llama_model_default_params().use_extra_bufts is True


def test_a_file_that_crashes_both_ways_leaves_guided_mode_with_one_clear_notice(
    tiny_gguf: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch, indexed_home: Path
) -> None:
    crash_when(monkeypatch, default=True, safe=True)
    model = load_model(settings.with_overrides(model=str(tiny_gguf)))
    assert model.name == "guided"
    note = str(model.describe().get("note"))
    assert tiny_gguf.name in note and "both kernel sets" in note and "signal 11" in note
    # The CLI carries on: every turn answered in guided mode, the notice printed once.
    monkeypatch.setattr(kernels, "_MEMO", {})
    monkeypatch.setattr("assistant.model.llama._RUNTIMES", {})
    done = run_closer(
        "chat", "--model", str(tiny_gguf), "--script", "-", home=indexed_home,
        stdin="my chest is tight\nI feel calmer now\n",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("closer:") == 2


def test_a_file_llama_cpp_refuses_is_not_called_a_crash(tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\0" * 64)
    reason = kernels.run_probe(broken, extra_bufts=True)
    assert reason is not None and reason.startswith("exit")
    assert kernels.choose_kernels(broken, None) == kernels.KernelChoice(True, "")


def test_settings_can_force_a_kernel_set_without_probing(
    tiny_gguf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = crash_when(monkeypatch, default=True, safe=True)
    assert kernels.choose_kernels(tiny_gguf, None, "safe").extra_bufts is False
    assert kernels.choose_kernels(tiny_gguf, None, "default").extra_bufts is True
    assert calls == []

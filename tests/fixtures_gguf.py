"""Session-wide random-weight GGUF files, written once with the ``gguf`` package.

Import the fixtures into a test module (``from tests.fixtures_gguf import tiny_gguf  # noqa:
F401``) or into ``tests/conftest.py`` to share them with every test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.tiny_gguf import LLAMA3, write_tiny_llama


@pytest.fixture(scope="session")
def tiny_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """64-dim, 2-layer llama, SentencePiece byte-fallback vocabulary, ChatML template."""
    return write_tiny_llama(tmp_path_factory.mktemp("gguf") / "tiny-chatml.gguf")


@pytest.fixture(scope="session")
def outside_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A GGUF laid out differently from ours: byte-level BPE vocabulary (Llama-3 layout),
    a Llama-3-style chat template, a BOS token, grouped-query attention, f32 weights."""
    return write_tiny_llama(
        tmp_path_factory.mktemp("gguf") / "outside-llama3.gguf",
        dim=96,
        layers=3,
        heads=6,
        kv_heads=2,
        tokenizer="bpe",
        chat_template=LLAMA3,
        dtype="f32",
        seed=7,
        name="outside-random",
    )


@pytest.fixture(scope="session")
def no_template_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """No tokenizer.chat_template in the metadata: the runtime falls back to ChatML."""
    return write_tiny_llama(
        tmp_path_factory.mktemp("gguf") / "no-template.gguf", chat_template=None, seed=3
    )

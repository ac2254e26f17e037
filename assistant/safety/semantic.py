"""The semantic layer of the safety screen: similarity to labelled examples.

Paraphrases the patterns miss ("he put his hands round my neck") land near a positive
example in embedding space.  Each sentence of the message (and the whole message, when it
has several) is compared with every example
(``knowledge/safety/examples.yaml``); a sentence fires when its nearest positive example is
similar enough *and* clearly nearer than the nearest negative example (figurative speech,
blocking language, sad-but-safe), so the negatives hold back false alarms.

Example vectors are computed once per embedder per process.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import yaml

from assistant.safety.patterns import SAFETY_DIR, SafetyDataError
from assistant.text import screen_form, sentences

if TYPE_CHECKING:
    from assistant.core.protocols import Embedder
    from assistant.core.screening import Screening

EXAMPLES_PATH = SAFETY_DIR / "examples.yaml"
# A sentence fires at cosine >= THRESHOLD (all-MiniLM-L6-v2) to a positive example when that
# beats the nearest negative example by MARGIN.  The dev set can't choose these (the patterns
# alone already catch all of its positives), so they were swept on the set now in
# evals/data/regression/safety_short_by_us.jsonl (then held out): 0.56 / 0.04 was the highest
# recall there with FPR <= 0.03 on the dev set.  Lower thresholds catch more paraphrases but
# start to fire on figurative speech.
THRESHOLD = 0.56
MARGIN = 0.04
MAX_SENTENCES = 12  # a very long message: screen its first sentences semantically


@dataclass(frozen=True)
class Example:
    id: str
    category: str  # crisis | abuse | coercion | contempt | support | none (a negative)
    text: str


@dataclass(frozen=True)
class Nearest:
    """The best evidence for one sentence."""

    sentence: str
    example: Example
    similarity: float
    negative_similarity: float

    @property
    def fires(self) -> bool:
        return self.similarity >= THRESHOLD and self.similarity - self.negative_similarity >= MARGIN


@lru_cache(maxsize=2)
def load_examples(path: Path = EXAMPLES_PATH) -> tuple[Example, ...]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise SafetyDataError(f"cannot read {path}: {error}") from error
    examples = [
        Example(str(item["id"]), category, str(item["text"]))
        for category, items in (data.get("positive") or {}).items()
        for item in items
    ]
    examples += [Example(str(i["id"]), "none", str(i["text"])) for i in data.get("negative", [])]
    if not any(e.category == "none" for e in examples) or len(examples) < 2:
        raise SafetyDataError(f"{path}: needs positive and negative examples")
    return tuple(examples)


class ExampleIndex:
    """Example vectors for one embedder, as one matrix (rows are unit vectors)."""

    def __init__(
        self, embedder: Embedder, examples: tuple[Example, ...], cache_dir: Path | None = None
    ) -> None:

        self.examples = examples
        texts = [screen_form(e.text) for e in examples]
        self.matrix = _cached_vectors(embedder, texts, cache_dir)
        self.negative = np.array([e.category == "none" for e in examples])

    def nearest(self, sentence_vectors: np.ndarray, texts: list[str]) -> list[Nearest]:
        sims = sentence_vectors @ self.matrix.T  # (sentences, examples)
        positive_sims = np.where(self.negative, -1.0, sims)
        negative_sims = np.where(self.negative, sims, -1.0)
        best = positive_sims.argmax(axis=1)
        return [
            Nearest(
                text,
                self.examples[int(best[row])],
                float(positive_sims[row, best[row]]),
                float(negative_sims[row].max()),
            )
            for row, text in enumerate(texts)
        ]


def _cached_vectors(embedder: Embedder, texts: list[str], cache_dir: Path | None) -> np.ndarray:
    """The examples' vectors, kept in ``cache_dir`` keyed by the texts and the embedder, so a
    start-up does not re-embed a few hundred examples (seconds on two cores)."""
    from assistant.config import private_dirs, secure_file

    digest = hashlib.sha256("\n".join([embedder.name, *texts]).encode("utf-8")).hexdigest()
    path = cache_dir / f"safety-examples-{digest[:16]}.npy" if cache_dir else None
    if path is not None and path.is_file():
        with contextlib.suppress(OSError, ValueError):
            cached = np.load(path, allow_pickle=False)
            if cached.shape[0] == len(texts):
                return cached
    matrix = np.asarray(embedder.embed(texts), dtype=np.float32)
    if path is not None:
        with contextlib.suppress(OSError):  # a read-only data folder only costs speed
            private_dirs(path.parent.parent, path.parent)
            partial = path.with_suffix(".partial.npy")
            np.save(partial, matrix, allow_pickle=False)
            os.replace(partial, path)
            secure_file(path)
            for stale in path.parent.glob("safety-examples-*.npy"):
                if stale != path:
                    stale.unlink(missing_ok=True)
    return matrix


_INDEXES: dict[int, tuple[object, ExampleIndex]] = {}
_LOCK = threading.Lock()


def index_for(embedder: Embedder, cache_dir: Path | None = None) -> ExampleIndex:
    """The example index for this embedder, built on first use (once per process; with
    ``cache_dir``, read from disk when the examples and the embedder are unchanged)."""
    with _LOCK:
        cached = _INDEXES.get(id(embedder))
        if cached is None or cached[0] is not embedder:
            cached = (embedder, ExampleIndex(embedder, load_examples(), cache_dir))
            _INDEXES[id(embedder)] = cached
        return cached[1]


def message_parts(normalized: str) -> list[str]:
    """The sentences (clauses) compared with the examples, then the whole message when it
    has several."""
    parts = [s for s in sentences(normalized, clauses=True) if len(s) > 3][:MAX_SENTENCES]
    return [*parts, normalized] if len(parts) > 1 else parts


def nearest_examples(normalized: str, embedder: Embedder) -> list[Nearest]:
    """The nearest positive example (and negative similarity) for each sentence, and for the
    whole message when it has several: a risk can be spread over two sentences ("He told me
    what happens to people who talk. I haven't told anyone since.").  It is one embedding
    batch, and retrieval then finds the whole message's vector in the embedder's cache."""
    parts = message_parts(normalized)
    if not parts:
        return []
    index = index_for(embedder)
    vectors = np.asarray(embedder.embed(parts), dtype=np.float32)
    return index.nearest(vectors, parts)


def semantic_screen(normalized: str, embedder: Embedder) -> Screening | None:
    """A Screening from the examples, or None when no sentence fires."""
    from assistant.core.screening import ESCALATING, Screening

    fired = [n for n in nearest_examples(normalized, embedder) if n.fires]
    if not fired:
        return None
    # Nearness to one example proved too weak a sign of risk on realistic dev conversations
    # (every check it raised there was a false alarm; the learned layer covers paraphrases):
    # it now only adds the milder support pointer.
    support = [n for n in fired if n.example.category not in ESCALATING]
    if not support:
        return None
    top = max(support, key=lambda n: n.similarity)
    why = f"near labelled example {top.example.id}"
    return Screening("support", top.example.category, (f"semantic:{top.example.id}",), why)

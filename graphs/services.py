"""Opening everything a process needs once: store, model, safety screen, knowledge base."""

from __future__ import annotations

import functools
import logging

from assistant.config import Settings
from assistant.core.messages import ChatModel
from assistant.core.protocols import Embedder, Retriever
from assistant.storage import Store
from graphs.context import Reader, Screener
from graphs.runner import Services

log = logging.getLogger("closer.services")


SEMANTIC_OFF = (
    "The embedding model could not load, so the safety screen runs on its patterns alone and "
    "replies use built-in guidance without search: {error}"
)
RETRIEVAL_OFF = "Guidance search is off, so replies use built-in guidance only: {error}"


def default_screener(
    settings: Settings,
    *,
    semantic: bool = True,
    warnings: list[str] | None = None,
    embedder: Embedder | None = None,
) -> Screener:
    """The safety screen, with the semantic layer when the offline embedder is available.
    When it isn't, a sentence for the person goes into ``warnings`` (the CLI prints it, the
    page shows it in its banner): a log line alone is not enough."""
    from assistant.safety import screen as safety
    from assistant.safety.patterns import load_rules

    load_rules()  # compile the rules now, so the first message doesn't wait for it
    if semantic and embedder is None:
        embedder = default_embedder(settings, warnings)
    return functools.partial(safety.screen, embedder=embedder, cache_dir=settings.embeddings_dir)


def default_embedder(settings: Settings, warnings: list[str] | None = None) -> Embedder | None:
    """The offline embedder with the learned layers and the examples' vectors ready, or None
    (with a sentence for the person in ``warnings``) when it cannot load."""
    try:
        from assistant.reading.reader import signal_model
        from assistant.retrieval.embeddings import get_embedder
        from assistant.safety.classifier import safety_model
        from assistant.safety.semantic import index_for

        embedder = get_embedder(settings)
        # Now rather than on the first message: vectors and fits are read from disk.
        index_for(embedder, settings.embeddings_dir)
        safety_model(embedder, settings.embeddings_dir)
        signal_model(embedder, settings.embeddings_dir)
        return embedder
    except Exception as error:  # patterns alone still screen every message
        log.warning("semantic safety layer off: %s", error)
        if warnings is not None:
            warnings.append(SEMANTIC_OFF.format(error=error))
        return None


def default_reader(
    settings: Settings, *, semantic: bool = True, embedder: Embedder | None = None
) -> Reader:
    """The message reading, with its learned layer when the embedder is available."""
    from assistant.reading.reader import read

    if semantic and embedder is None:
        embedder = default_embedder(settings)
    return functools.partial(read, embedder=embedder, cache_dir=settings.embeddings_dir)


def default_retriever(
    settings: Settings, *, progress: bool = False, warnings: list[str] | None = None
) -> Retriever | None:
    """The guidance index, built on first use; None (with a warning) if it can't open."""
    try:
        from assistant.retrieval.index import KnowledgeBase

        knowledge = KnowledgeBase(settings)
        knowledge.ensure_index(progress=progress)
        return knowledge
    except Exception as error:
        log.warning("retrieval off, replies use built-in guidance only: %s", error)
        if warnings is not None and not any(w.startswith(SEMANTIC_OFF[:30]) for w in warnings):
            warnings.append(RETRIEVAL_OFF.format(error=error))
        return None


def open_services(
    settings: Settings,
    *,
    model: ChatModel | None = None,
    screener: Screener | None = None,
    retriever: Retriever | None | str = "default",
    progress: bool = False,
    reader: Reader | None = None,
) -> Services:
    from graphs.models import load_model

    settings.ensure_home()
    warnings: list[str] = []
    # One embedder for the screen and the reader, so the read node can embed a message once.
    embedder = default_embedder(settings, warnings) if screener is None else None
    return Services(
        settings=settings,
        store=Store(settings.db_path),
        model=model if model is not None else load_model(settings),
        screener=screener
        or default_screener(settings, semantic=embedder is not None, embedder=embedder),
        reader=reader or default_reader(settings, semantic=embedder is not None, embedder=embedder),
        embedder=embedder,
        retriever=default_retriever(settings, progress=progress, warnings=warnings)
        if retriever == "default"
        else retriever,  # type: ignore[arg-type]
        warnings=warnings,
    )


def open_history(settings: Settings) -> Services:
    """Enough to read, export and delete saved conversations: no model, no index."""
    from assistant.coaching.guided import GuidedComposer

    settings.ensure_home()
    return Services(
        settings=settings,
        store=Store(settings.db_path),
        model=GuidedComposer(),
        screener=default_screener(settings, semantic=False),
        retriever=None,
    )

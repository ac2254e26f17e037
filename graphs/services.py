"""Opening everything a process needs once: store, model, safety screen, knowledge base."""

from __future__ import annotations

import functools
import logging

from assistant.config import Settings
from assistant.model import ChatModel
from assistant.storage import Store
from graphs.context import Retriever, Screener
from graphs.runner import Services

log = logging.getLogger("closer.services")


def default_screener(settings: Settings, *, semantic: bool = True) -> Screener:
    """The safety screen, with the semantic layer when the offline embedder is available."""
    from assistant import safety
    from assistant.safety_patterns import load_rules

    load_rules()  # compile the rules now, so the first message doesn't wait for it
    embedder = None
    if semantic:
        try:
            from assistant.embeddings import get_embedder
            from assistant.safety_semantic import index_for

            embedder = get_embedder(settings)
            # The labelled examples' vectors, now (kept beside the embedding model).
            index_for(embedder, settings.embeddings_dir)
        except Exception as error:  # patterns alone still screen every message
            log.warning("semantic safety layer off: %s", error)
    return functools.partial(safety.screen, embedder=embedder)


def default_retriever(settings: Settings, *, progress: bool = False) -> Retriever | None:
    """The guidance index, built on first use; None (with a warning) if it can't open."""
    try:
        from assistant.retrieval import KnowledgeBase

        knowledge = KnowledgeBase(settings)
        knowledge.ensure_index(progress=progress)
        return knowledge
    except Exception as error:
        log.warning("retrieval off, replies use built-in guidance only: %s", error)
        return None


def open_services(
    settings: Settings,
    *,
    model: ChatModel | None = None,
    screener: Screener | None = None,
    retriever: Retriever | None | str = "default",
    progress: bool = False,
) -> Services:
    from assistant.models import load_model

    settings.ensure_home()
    return Services(
        settings=settings,
        store=Store(settings.db_path),
        model=model if model is not None else load_model(settings),
        screener=screener or default_screener(settings),
        retriever=default_retriever(settings, progress=progress)
        if retriever == "default"
        else retriever,  # type: ignore[arg-type]
    )


def open_history(settings: Settings) -> Services:
    """Enough to read, export and delete saved conversations: no model, no index."""
    from assistant.composer import GuidedComposer

    settings.ensure_home()
    return Services(
        settings=settings,
        store=Store(settings.db_path),
        model=GuidedComposer(),
        screener=default_screener(settings, semantic=False),
        retriever=None,
    )

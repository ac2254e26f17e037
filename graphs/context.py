"""What every node may use but the state does not hold: settings, model, retriever, screen."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from assistant.config import Settings
from assistant.core.messages import ChatModel, GenerationOptions
from assistant.core.protocols import Retriever
from assistant.core.reading import Reading
from assistant.core.screening import Screening

Screener = Callable[..., Screening]  # (text, *, wary=False) -> the safety verdict
Reader = Callable[..., Reading]  # (text, *, safety) -> the message's reading


@dataclass(frozen=True)
class Context:
    settings: Settings
    model: ChatModel
    screener: Screener
    retriever: Retriever | None = None
    options: GenerationOptions = GenerationOptions()
    reader: Reader | None = None  # None: the rule layer alone
    # Embeds a list of texts (the embedder's cache keeps them for the turn): the read node
    # embeds everything the screen, the reader and retrieval will ask for in one call.
    embed: Callable[[list[str]], object] | None = None
    # Set by the person's "stop" (or a pause) while a reply streams: generation ends, what was
    # shown stays and is saved.  One per turn (``Conversation.send``).
    stop: threading.Event | None = None
    # A model's draft must show its first checked sentence within this many seconds, else
    # generation is cancelled and the guided reply is shown (None: no limit).
    first_words_s: float | None = None

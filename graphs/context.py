"""What every node may use but the state does not hold: settings, model, retriever, screen."""

from __future__ import annotations

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

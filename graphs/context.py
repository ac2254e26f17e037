"""What every node may use but the state does not hold: settings, model, retriever, screen."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from assistant.config import Settings
from assistant.model import Card, ChatModel, GenerationOptions


class Retriever(Protocol):
    def search(
        self, query: str, stage: str | None = None, k: int = 3, *, context: str | None = None
    ) -> list[Card]: ...


class ScreeningLike(Protocol):
    level: str
    category: str | None
    matched: Sequence[str]

    def as_json(self) -> dict[str, Any]: ...


Screener = Callable[[str], ScreeningLike]


@dataclass(frozen=True)
class Context:
    settings: Settings
    model: ChatModel
    screener: Screener
    retriever: Retriever | None = None
    options: GenerationOptions = GenerationOptions()

"""What every node may use but the state does not hold: settings, model, retriever, screen."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from assistant.config import Settings
from assistant.model.interface import Card, ChatModel, GenerationOptions


class Retriever(Protocol):
    def search(
        self,
        query: str,
        stage: str | None = None,
        k: int = 3,
        *,
        context: str | None = None,
        perspective: str = "self",
    ) -> list[Card]: ...


class ScreeningLike(Protocol):
    level: str
    category: str | None
    matched: Sequence[str]

    def as_json(self) -> dict[str, Any]: ...


Screener = Callable[..., ScreeningLike]  # (text, *, wary=False) -> the safety verdict
Reader = Callable[..., Any]  # (text, *, safety) -> assistant.reading.reading.Reading


@dataclass(frozen=True)
class Context:
    settings: Settings
    model: ChatModel
    screener: Screener
    retriever: Retriever | None = None
    options: GenerationOptions = GenerationOptions()
    reader: Reader | None = None  # None: the rule layer alone

"""What every node may use but the state does not hold: settings, model, retriever, screen."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from assistant.config import Settings
from assistant.core.messages import ChatModel, GenerationOptions
from assistant.core.protocols import Retriever


class ScreeningLike(Protocol):
    level: str
    category: str | None
    matched: Sequence[str]

    def as_json(self) -> dict[str, Any]: ...


Screener = Callable[..., ScreeningLike]  # (text, *, wary=False) -> the safety verdict
Reader = Callable[..., Any]  # (text, *, safety) -> assistant.core.reading.Reading


@dataclass(frozen=True)
class Context:
    settings: Settings
    model: ChatModel
    screener: Screener
    retriever: Retriever | None = None
    options: GenerationOptions = GenerationOptions()
    reader: Reader | None = None  # None: the rule layer alone
